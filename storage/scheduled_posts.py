"""Claims on scheduled Slack posts (digests, reports), shared by every replica.

A post is claimed before it is made and marked done after; a failed post releases its claim so
the next run retries. The key says what and for when (e.g. `digest:am:U123:2026-11-21`), so
the first replica to claim it wins and the rest skip it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, update
from sqlmodel import Session, col

from storage.db import rowcount
from storage.models import ScheduledPost, utcnow
from storage.upsert import dialect_insert, table_of

# A claim whose holder died before posting or releasing is taken over after this long.
STALE_CLAIM = timedelta(minutes=15)


def claim(
    s: Session, key: str, now: datetime | None = None, stale_after: timedelta = STALE_CLAIM
) -> bool:
    """True when this caller won `key` and should post now. The caller commits before it
    posts (it leaves its session), so a replica racing us sees the claim."""
    now = now or utcnow()
    table = table_of(ScheduledPost)
    stmt = (
        dialect_insert(s, table)  # Core: the ORM path reports rowcount -1 on psycopg
        .values(key=key, claimed_at=now, channel="", message_ts="")
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(table.c.key)  # a row back means ours (rowcount is not portable here)
    )
    won = s.execute(stmt).first() is not None
    if not won:
        # Taken over only if unposted and abandoned; one conditional UPDATE, so one winner.
        res = s.execute(
            update(ScheduledPost)
            .where(
                col(ScheduledPost.key) == key,
                col(ScheduledPost.posted_at).is_(None),
                col(ScheduledPost.claimed_at) < now - stale_after,
            )
            .values(claimed_at=now)
        )
        won = rowcount(res) == 1
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
