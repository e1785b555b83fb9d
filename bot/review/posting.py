"""Posting review cards as a queue that survives the chat saying no.

Slack takes about one chat.postMessage a second per channel and answers 429 (with
Retry-After) past that, and 5xx or nothing at all when it is having a bad day. So:

- each channel has a next-allowed time in the database, claimed with a conditional UPDATE
  before a post and set to (Slack's answer + the interval) after it, so two posters (the
  scheduler's job and a tick's post, or two replicas) still keep one pace per channel;
- a 429 holds only its channel until Retry-After; the other channels go on;
- any other failure keeps the card unposted, with the error and the next try (backoff);
- a card counts as posted only once the chat returned its message reference.

A card is never dropped: it is retried until it is posted or its review closes (decided or
expired). After ALERT_AFTER failed attempts each failure is logged as a warning (and the
operator channel told once), because by then a person has to look (usually: the bot is not
in the channel).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from bot.ports import Card, Channel, Humans, Notice, PostFailed
from bot.readouts import Digest, TuningReport
from bot.review.cards import card_for
from bot.runtime import Runtime
from storage import posting as store
from storage.models import utcnow

T = TypeVar("T")

log = logging.getLogger(__name__)

ALERT_AFTER = 5  # failed attempts before a card is worth a person's attention
REVIEW_LEASE = timedelta(minutes=2)  # a card being posted; longer than any request timeout
CHANNEL_HOLD = timedelta(seconds=60)  # a channel with a post in flight
BACKOFF_CAP = 600.0
MIN_HOLD = timedelta(seconds=1)  # a 429 with "Retry-After: 0" still holds its channel a while
# Errors no retry will fix without a person (invite the bot, fix the token or the channel).
NEEDS_A_PERSON = {
    "not_in_channel",
    "channel_not_found",
    "is_archived",
    "restricted_action",
    "invalid_auth",
    "not_authed",
    "account_inactive",
    "token_revoked",
    "missing_scope",
    "invalid_blocks",
    "msg_too_long",
}


def backoff(attempts: int) -> timedelta:
    """The first failure is retried on the next pass; then 2 s, 4 s, ... up to 10 minutes."""
    if attempts <= 1:
        return timedelta(0)
    return timedelta(seconds=min(2.0 ** (attempts - 1), BACKOFF_CAP))


def _now(rt: Runtime) -> datetime:
    """Pacing needs sub-second time, and the runtime's default clock keeps whole seconds (as
    stored elsewhere): read the real clock, unless the runtime was given a clock of its own."""
    return datetime.now(UTC) if rt.clock is utcnow else rt.now()


def post_pending(
    rt: Runtime,
    limit: int | None = None,
    *,
    budget: float = 0.0,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """Post due cards, oldest first, round-robin over channels; returns how many were posted.

    Without a budget it posts what may go now and returns. With one (seconds), it also
    waits for channel slots and retries falling due, until the queue is empty or the budget
    is spent: that is how the scheduler's job drains a backlog at the channels' pace. A card
    that failed is not retried within the same call.
    """
    humans = rt.humans
    if humans is None:
        return 0
    interval = timedelta(seconds=float(getattr(humans, "post_interval", 0.0) or 0.0))
    deadline = _now(rt) + timedelta(seconds=budget)
    tried: set[int] = set()
    posted = 0
    while limit is None or posted < limit:
        now = _now(rt)
        with rt.db.session() as s:
            heads = store.due_heads(s, now, tried)
            pace = store.paces(s, {channel for channel, _ in heads})
            retry_at = store.next_retry_at(s, now) if budget else None
        ready = [(c, i) for c, i in heads if pace.get(c, now) <= now]
        if not ready:
            waits = [pace[c] for c, _ in heads if c in pace] + ([retry_at] if retry_at else [])
            wake = min(waits, default=None)
            if wake is None or wake > deadline:
                return posted
            sleep(max((wake - now).total_seconds(), 0.001))
            continue
        for channel, review_id in ready:
            if limit is not None and posted >= limit:
                break
            posted += _post_one(rt, humans, channel, review_id, interval, tried, channel in pace)
        if budget and _now(rt) >= deadline:
            return posted  # the next run goes on; a run never outlasts its budget by much
    return posted


def _post_one(
    rt: Runtime,
    humans: Humans,
    channel: str,
    review_id: int,
    interval: timedelta,
    tried: set[int],
    known: bool = False,
) -> int:
    now = _now(rt)
    with rt.db.session() as s:
        if not store.claim_channel(s, channel, now, CHANNEL_HOLD, known):
            return 0  # another poster has this channel's slot
        attempts = store.claim_review(s, review_id, now, REVIEW_LEASE)
        if not attempts:
            store.release_channel(s, channel, now)
            return 0
    failure: PostFailed | None = None
    try:
        with rt.db.session() as s:
            card = card_for(rt, s, review_id)
    except Exception as exc:  # a card that cannot be built fails alone
        log.exception("building the card for review %s failed", review_id)
        card, failure = None, PostFailed(f"card: {type(exc).__name__}")
    try:
        if card is not None:
            ts = humans.post_review(card)
            failure = None if ts else PostFailed("no message reference", uncertain=True)
    except PostFailed as exc:
        failure = exc
    except Exception as exc:  # noqa: BLE001 - any failure means "not posted yet"
        failure = PostFailed(type(exc).__name__, uncertain=True)
    done = _now(rt)
    with rt.db.session() as s:
        if failure is None:
            # Recorded in one short transaction right after Slack's answer: the only window
            # in which a crash loses the ts (and a retry would show the card twice).
            store.record_posted(s, review_id, ts, done)
            store.release_channel(s, channel, done + interval)
            return 1
        if failure.retry_after is not None:
            until = done + max(timedelta(seconds=failure.retry_after), interval, MIN_HOLD)
            store.release_channel(s, channel, until, "rate_limited")
            store.record_failure(s, review_id, failure.error, until)
            log.info(
                "channel %s rate limited; review %s waits %.1fs",
                channel,
                review_id,
                failure.retry_after,
            )
            return 0
        retry_at = done + backoff(attempts)
        store.release_channel(s, channel, done + interval)
        store.record_failure(s, review_id, failure.error, retry_at)
    tried.add(review_id)
    _report(rt, humans, review_id, channel, attempts, failure, retry_at)
    return 0


def _report(
    rt: Runtime,
    humans: Humans,
    review_id: int,
    channel: str,
    attempts: int,
    failure: PostFailed,
    retry_at: datetime,
) -> None:
    alarming = attempts >= ALERT_AFTER or failure.error in NEEDS_A_PERSON
    log.log(
        logging.WARNING if alarming else logging.INFO,
        "review %s not posted to %s (attempt %d): %s%s; next try at %s",
        review_id,
        channel,
        attempts,
        failure.error,
        " (it may have reached Slack; the retry can show it twice)" if failure.uncertain else "",
        retry_at.isoformat(timespec="seconds"),
    )
    operators = rt.settings.operator_channel
    if attempts == ALERT_AFTER and operators and operators != channel:
        try:
            humans.notify(
                operators,
                Notice.of(
                    f"Review {review_id} could not be posted to ",
                    Channel(channel),
                    f" after {attempts} attempts ({failure.error}). It is retried until its "
                    "review window ends; if the error says so, invite the bot to that channel.",
                ),
            )
        except Exception as exc:  # noqa: BLE001 - the log line above is the alert of record
            log.warning("operator alert for review %s failed: %s", review_id, type(exc).__name__)


class PacedHumans:
    """Every other post to a channel (reminders, notices, digests, reports) takes its turn in
    the same per-channel pace as the cards, so a burst of reminders cannot push a channel
    past one message per interval. Cards go through `post_pending`, which paces itself;
    updates and time-zone lookups are not posts and pass straight through.

    A post waits at most `wait` seconds for its channel and then goes anyway: a free channel
    comes back within one interval, so a longer wait means its holder died mid-post (the
    hold then lasts CHANNEL_HOLD), and an alert late by a minute is worse than two messages
    a second apart."""

    def __init__(
        self,
        rt: Runtime,
        inner: Humans,
        *,
        wait: float = 5.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.rt, self.inner, self.wait, self.sleep = rt, inner, wait, sleep
        self.post_interval = getattr(inner, "post_interval", 0.0)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)  # post_review, update_review, user_timezone, ...

    def remind(self, card: Card) -> None:
        self._paced(card.channel, lambda: self.inner.remind(card))

    def notify(self, channel: str, notice: Notice) -> None:
        self._paced(channel, lambda: self.inner.notify(channel, notice))

    def post_report(self, channel: str, report: TuningReport) -> str:
        return self._paced(channel, lambda: self.inner.post_report(channel, report))

    def post_digest(self, channel: str, digest: Digest, chart_png: bytes | None) -> str:
        return self._paced(channel, lambda: self.inner.post_digest(channel, digest, chart_png))

    def _paced(self, channel: str, post: Callable[[], T]) -> T:
        interval = timedelta(seconds=float(self.post_interval or 0.0))
        if not interval:
            return post()
        give_up = time.monotonic() + self.wait
        while True:
            now = _now(self.rt)
            with self.rt.db.session() as s:
                if store.claim_channel(s, channel, now, CHANNEL_HOLD):
                    break
                free_at = store.paces(s, {channel}).get(channel, now)
            if time.monotonic() >= give_up:
                log.warning("channel %s stayed busy for %.0f s; posting anyway", channel, self.wait)
                return post()
            self.sleep(min(max((free_at - now).total_seconds(), 0.01), 1.0))
        try:
            return post()
        finally:
            with self.rt.db.session() as s:
                store.release_channel(s, channel, _now(self.rt) + interval)
