"""`bot.ports.Humans` over the Slack Web API."""

from __future__ import annotations

import http.client
import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.ports import Card, CardRef, Notice, PostFailed, ReplyCard
from handlers.ids import REVIEW_EVENT
from handlers.views import digest as digest_view
from handlers.views import report as report_view
from handlers.views.cards import card_blocks, fallback_text
from handlers.views.text import esc, mention, render_notice

log = logging.getLogger(__name__)
NOT_FOUND = ("user_not_found", "users_not_found")  # an answer, not a failure


class SlackHumans:
    def __init__(
        self, client: WebClient, posting: WebClient | None = None, post_interval: float = 0.0
    ):
        self.client = client
        # Review cards go through a client that never retries by itself: the posting queue
        # (bot/review/posting.py) sees every 429 and 5xx, holds just that channel, and records it.
        self.posting = posting or client
        self.post_interval = post_interval

    def post_review(self, card: Card) -> str:
        try:
            resp = self.posting.chat_postMessage(
                channel=card.channel,
                text=fallback_text(card),
                blocks=card_blocks(card),
                unfurl_links=False,
                unfurl_media=False,
                # Which review a message is, readable from Slack itself: a card shown twice
                # after a crash can be traced to its review.
                metadata={
                    "event_type": REVIEW_EVENT,
                    "event_payload": {"review_id": card.review_id},
                },
            )
        except SlackApiError as exc:
            raise post_failure(exc) from None
        except (OSError, http.client.HTTPException) as exc:  # URLError, timeouts, resets
            raise PostFailed(type(exc).__name__, uncertain=True) from None
        if not resp.get("ts"):
            raise PostFailed("no ts in the answer", uncertain=True)
        return resp["ts"]

    def update_review(self, card: Card) -> None:
        self.client.chat_update(
            channel=card.channel,
            ts=card.message_ts,
            text=fallback_text(card),
            blocks=card_blocks(card),
        )

    def remind(self, card: Card) -> None:
        if isinstance(card, ReplyCard) and card.respond_by is not None:
            text = f"{mention(card.owner)} this reply is waiting on you: {esc(card.target)}."
        else:
            text = (
                f"{mention(card.owner)} this review expires "
                f"<!date^{int(card.expires_at.timestamp())}^{{date_short_pretty}} {{time}}|soon>; "
                "if nobody decides, nothing is sent."
            )
        self.client.chat_postMessage(channel=card.channel, thread_ts=card.message_ts, text=text)

    def notify(self, channel: str, notice: Notice) -> None:
        text = render_notice(notice, self._permalinks(notice))
        if notice.thread:
            self.client.chat_postMessage(channel=channel, thread_ts=notice.thread, text=text)
        else:
            self.client.chat_postMessage(channel=channel, text=text)

    def _permalinks(self, notice: Notice) -> dict[CardRef, str]:
        """Links to the cards a notice names, as Slack gives them; a card Slack cannot link
        (not posted yet, a blip) is named by its channel instead."""
        out: dict[CardRef, str] = {}
        for part in notice.parts:
            if isinstance(part, CardRef) and part.message_ts and part not in out:
                try:
                    resp = self.client.chat_getPermalink(
                        channel=part.channel, message_ts=part.message_ts
                    )
                    out[part] = str(resp.get("permalink") or "")
                except Exception as exc:  # noqa: BLE001 - the notice goes out without a link
                    log.warning("chat.getPermalink failed: %s", type(exc).__name__)
        return out

    def post_report(self, channel: str, report) -> str:
        resp = self.client.chat_postMessage(
            channel=channel,
            text=report_view.fallback_text(report),
            blocks=report_view.report_blocks(report),
            unfurl_links=False,
            unfurl_media=False,
        )
        return resp["ts"]

    def post_digest(self, channel: str, digest, chart_png: bytes | None) -> str:
        resp = self.client.chat_postMessage(
            channel=channel,
            text=digest_view.fallback_text(digest),
            blocks=digest_view.digest_blocks(digest),
            unfurl_links=False,
            unfurl_media=False,
        )
        if chart_png:
            try:  # the numbers are posted; a chart that does not make it is only cosmetic
                self.client.files_upload_v2(
                    channel=channel,
                    thread_ts=resp["ts"],
                    content=chart_png,
                    filename=f"twoloop-trend-{digest.day:%Y-%m-%d}.png",
                    title=f"{digest.title}: last {len(digest.series)} days",
                    alt_txt="Drafted, approved and killed per day",
                )
            except Exception as exc:  # noqa: BLE001
                log.warning("digest chart upload to %s failed: %s", channel, type(exc).__name__)
        return resp["ts"]

    def user_timezone(self, user: str) -> str | None:
        return (self.client.users_info(user=user).get("user") or {}).get("tz") or None

    def user_by_email(self, email: str) -> str | None:
        try:
            found = self.client.users_lookupByEmail(email=email).get("user") or {}
        except SlackApiError as exc:
            if slack_error(exc) in NOT_FOUND:
                log.info("users.lookupByEmail: not found")
                return None
            raise  # no answer (rate limit, 5xx): not "nobody has this address"
        return found.get("id") or None

    def user_status(self, user: str) -> str:
        try:
            found = self.client.users_info(user=user).get("user") or {}
        except SlackApiError as exc:
            if slack_error(exc) in NOT_FOUND:
                log.info("users.info %s: not found", user)
                return "unknown"
            raise  # no answer (rate limit, 5xx): the caller keeps what it knew
        if not found.get("id"):
            return "unknown"
        return "deactivated" if found.get("deleted") else "active"


def slack_error(exc: SlackApiError) -> str:
    """Slack's error code of a refusal (users_not_found, ratelimited, ...), for the log."""
    data = getattr(exc.response, "data", None)
    return (data.get("error") if isinstance(data, dict) else None) or "error"


def post_failure(exc: SlackApiError) -> PostFailed:
    """Slack's refusal in the posting queue's terms: a 429 carries Retry-After; a 5xx may
    have been accepted before it failed (uncertain); other errors are Slack's error code."""
    resp = exc.response
    status = getattr(resp, "status_code", 0)
    headers = {k.lower(): v for k, v in (getattr(resp, "headers", None) or {}).items()}
    if status == 429:
        raw = headers.get("retry-after")
        raw = raw[0] if isinstance(raw, list) else raw
        try:
            retry_after = max(float(raw), 0.0)
        except (TypeError, ValueError):
            retry_after = 1.0
        return PostFailed("ratelimited", retry_after=retry_after)
    data = resp.data if isinstance(getattr(resp, "data", None), dict) else {}
    error = data.get("error") or f"http {status}"
    return PostFailed(error, uncertain=status >= 500)
