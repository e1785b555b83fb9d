"""The Slack Web API clients a replica talks through, in whichever process it runs."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.review.posting import PacedHumans
from bot.runtime import Runtime
from bot.settings import Settings
from handlers.slack_humans import SlackHumans


def web_client(settings: Settings) -> WebClient:
    return WebClient(
        token=settings.secret("slack_bot_token"),
        base_url=_base(settings),
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=2),
            RateLimitErrorRetryHandler(max_retry_count=3),
            ServerErrorRetryHandler(max_retry_count=2),
        ],
    )


def posting_client(settings: Settings) -> WebClient:
    """The client review cards are posted with: no retry handlers. slack_sdk's would sleep
    out a 429 inside the call (holding every other channel behind it) and retry 5xx out of
    sight; the posting queue (bot/review/posting.py) sees each one instead, holds only that channel
    until Retry-After, backs off, and records the error on the review."""
    return WebClient(
        token=settings.secret("slack_bot_token"),
        base_url=_base(settings),
        timeout=15,
        retry_handlers=[],
    )


def humans(rt: Runtime, client: WebClient) -> PacedHumans:
    """The Humans port (bot/ports.py) over Slack, posting paced per channel."""
    settings = rt.settings
    return PacedHumans(
        rt,
        SlackHumans(
            client, posting=posting_client(settings), post_interval=settings.slack_post_interval
        ),
    )


def _base(settings: Settings) -> str:
    base = settings.slack_api_url or WebClient.BASE_URL
    return base if base.endswith("/") else base + "/"


def humans_for(rt: Runtime) -> PacedHumans | None:
    """The Humans port for a runtime outside `serve` (the terminal's `reviews decide` redraws
    the card it decided); None when Slack is not set up."""
    if rt.settings.slack_bot_token is None:
        return None
    return humans(rt, web_client(rt.settings))
