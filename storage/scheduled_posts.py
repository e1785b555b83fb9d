"""Claims on scheduled Slack posts (digests, reports), shared by every replica.

A post is claimed before it is made and marked done after; a failed post releases its claim so
the next run retries. The key says what and for when (e.g. `digest:am:U123:2026-11-21`), so
the first replica to claim it wins and the rest skip it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col

from storage.models import ScheduledPost, utcnow

# A claim whose holder died before posting or releasing is taken over after this long.
STALE_CLAIM = timedelta(minutes=15)


def claim(
    s: Session, key: str, now: datetime | None = None, stale_after: timedelta = STALE_CLAIM
) -> bool:
    """True when this caller won `key` and should post now. Commits at once, so a replica
    racing us sees the claim."""
    now = now or utcnow()
    insert = postgresql.insert if s.get_bind().dialect.name == "postgresql" else sqlite.insert
    stmt = (
        insert(ScheduledPost.__table__)  # Core: the ORM path reports rowcount -1 on psycopg
        .values(key=key, claimed_at=now, channel="", message_ts="")
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(ScheduledPost.key)  # a row back means ours (rowcount is not portable here)
    )
    won = s.execute(stmt).first() is not None
    if not won:
        # Taken over only if unposted and abandoned; one conditional UPDATE, so one winner.
        won = (
            s.execute(
                update(ScheduledPost)
                .where(
                    col(ScheduledPost.key) == key,
                    col(ScheduledPost.posted_at).is_(None),
                    col(ScheduledPost.claimed_at) < now - stale_after,
                )
                .values(claimed_at=now)
            ).rowcount
            == 1
        )
    s.commit()
    return won


def done(s: Session, key: str, channel: str, ts: str, now: datetime | None = None) -> None:
    s.execute(
        update(ScheduledPost)
        .where(col(ScheduledPost.key) == key)
        .values(posted_at=now or utcnow(), channel=channel, message_ts=ts)
    )


def release(s: Session, key: str) -> None:
    """Give up an unposted claim so the next run tries again."""
    s.execute(
        delete(ScheduledPost).where(
            col(ScheduledPost.key) == key, col(ScheduledPost.posted_at).is_(None)
        )
    )


def get(s: Session, key: str) -> ScheduledPost | None:
    return s.get(ScheduledPost, key)
