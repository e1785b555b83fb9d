"""The review-card posting queue: which cards are due, and per-channel pacing.

Both a card and a channel are claimed with one conditional UPDATE before a post, so two
posters (two threads, or two replicas) never post the same card or crowd one channel.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import func, or_, update
from sqlmodel import Session, col, select

from storage.db import rowcount
from storage.models import Review, SlackChannelPace
from storage.upsert import dialect_insert

ERROR_MAX = 200  # characters of a post error kept on the review


def _unposted():
    return (col(Review.status) == "open", col(Review.message_ts) == "")


def due_heads(s: Session, now: datetime, exclude: Collection[int] = ()) -> list[tuple[str, int]]:
    """(channel, oldest due review id) for every channel with a card waiting to be posted."""
    q = (
        select(Review.channel, func.min(Review.id))
        .where(
            *_unposted(),
            or_(col(Review.next_post_at).is_(None), col(Review.next_post_at) <= now),
        )
        .group_by(Review.channel)
    )
    if exclude:
        q = q.where(col(Review.id).not_in(list(exclude)))
    # Never None: every group has a review; SQLModel types `id` as optional for unsaved rows.
    return sorted(((c, cast(int, i)) for c, i in s.exec(q)), key=lambda row: row[1])


def paces(s: Session, channels: Collection[str]) -> dict[str, datetime]:
    if not channels:
        return {}
    q = select(SlackChannelPace.channel, SlackChannelPace.next_at).where(
        col(SlackChannelPace.channel).in_(list(channels))
    )
    return dict(s.exec(q).all())


def next_retry_at(s: Session, now: datetime) -> datetime | None:
    """When the earliest card that is backing off becomes due again."""
    q = select(func.min(Review.next_post_at)).where(*_unposted(), col(Review.next_post_at) > now)
    return s.exec(q).one()


def claim_channel(
    s: Session, channel: str, now: datetime, hold: timedelta, known: bool = False
) -> bool:
    """Take the channel's slot if it is free: True for exactly one caller. The slot stays
    taken for `hold` (a post in flight); `release_channel` sets the real next time.
    `known`: the channel's row is known to exist (saves an INSERT)."""
    if not known:
        s.execute(
            dialect_insert(s, SlackChannelPace)
            .values(channel=channel, next_at=now, reason="")
            .on_conflict_do_nothing(index_elements=["channel"])
        )
    res = s.execute(
        update(SlackChannelPace)
        .where(col(SlackChannelPace.channel) == channel, col(SlackChannelPace.next_at) <= now)
        .values(next_at=now + hold, reason="posting")
    )
    return rowcount(res) == 1


def release_channel(s: Session, channel: str, next_at: datetime, reason: str = "") -> None:
    s.execute(
        update(SlackChannelPace)
        .where(col(SlackChannelPace.channel) == channel)
        .values(next_at=next_at, reason=reason)
    )


def claim_review(s: Session, review_id: int, now: datetime, lease: timedelta) -> int:
    """Take a due card for one post attempt; returns the attempts so far, this one included
    (0: not taken). Its next_post_at becomes a lease: a poster that dies mid-post leaves the
    card to be retried once the lease is over."""
    res = s.execute(
        update(Review)
        .where(
            col(Review.id) == review_id,
            *_unposted(),
            or_(col(Review.next_post_at).is_(None), col(Review.next_post_at) <= now),
        )
        .values(next_post_at=now + lease, post_attempts=Review.post_attempts + 1)
    )
    if rowcount(res) != 1:
        return 0
    return s.exec(select(Review.post_attempts).where(Review.id == review_id)).one()


def record_posted(s: Session, review_id: int, ts: str, now: datetime) -> bool:
    res = s.execute(
        update(Review)
        .where(col(Review.id) == review_id, col(Review.message_ts) == "")
        .values(message_ts=ts, posted_at=now, next_post_at=None, post_error="")
    )
    return rowcount(res) == 1


def record_failure(s: Session, review_id: int, error: str, retry_at: datetime) -> None:
    """Keep the error and when to try again."""
    s.execute(
        update(Review)
        .where(col(Review.id) == review_id, col(Review.message_ts) == "")
        .values(next_post_at=retry_at, post_error=error[:ERROR_MAX])
    )
