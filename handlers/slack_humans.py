"""`bot.ports.Humans` over the Slack Web API."""

from __future__ import annotations

from slack_sdk import WebClient

from bot.ports import Card
from handlers.blocks import card_blocks, fallback_text, mention


class SlackHumans:
    def __init__(self, client: WebClient):
        self.client = client

    def post_review(self, card: Card) -> str:
        resp = self.client.chat_postMessage(
            channel=card.channel,
            text=fallback_text(card),
            blocks=card_blocks(card),
            unfurl_links=False,
            unfurl_media=False,
        )
        return resp["ts"]

    def update_review(self, card: Card) -> None:
        self.client.chat_update(
            channel=card.channel,
            ts=card.message_ts,
            text=fallback_text(card),
            blocks=card_blocks(card),
        )

    def remind(self, card: Card) -> None:
        self.client.chat_postMessage(
            channel=card.channel,
            thread_ts=card.message_ts,
            text=f"{mention(card.owner)} this review expires "
            f"<!date^{int(card.expires_at.timestamp())}^{{date_short_pretty}} {{time}}|soon>; "
            "if nobody decides, nothing is sent.",
        )

    def notify(self, channel: str, text: str) -> None:
        self.client.chat_postMessage(channel=channel, text=text)
