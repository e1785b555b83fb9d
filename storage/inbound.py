"""Inbound mail bookkeeping: where each IMAP folder was read up to, which Message-IDs have
already been taken in, the messages set aside because handling them kept failing, and the
bounces and complaints that count toward the deliverability guard."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, delete, func, or_, update
from sqlmodel import Session, col, select

from storage.db import rowcount
from storage.models import (
    ImapCheckpoint,
    InboundMessage,
    MailEvent,
    Review,
    SetAsideMail,
    utcnow,
)
from storage.upsert import dialect_insert, table_of


def checkpoint(s: Session, key: str) -> ImapCheckpoint:
    """The checkpoint row for `key` (host/user/folder), created at (0, 0) when absent.

    Insert-on-conflict-do-nothing, so two pollers creating it at once both succeed."""
    stmt = dialect_insert(s, table_of(ImapCheckpoint)).values(
        key=key, uidvalidity=0, last_uid=0, updated_at=utcnow()
    )
    s.execute(stmt.on_conflict_do_nothing(index_elements=["key"]))
    query = select(ImapCheckpoint).where(ImapCheckpoint.key == key)
    return s.exec(query.execution_options(populate_existing=True)).one()


def advance(
    s: Session, key: str, uidvalidity: int, last_uid: int, *, now: datetime | None = None
) -> bool:
    """Record that everything up to `last_uid` under `uidvalidity` was handled.

    One conditional UPDATE: within the same UIDVALIDITY the checkpoint only moves forward (a
    slower poller cannot move it back); a different UIDVALIDITY replaces it, because the old
    UIDs mean nothing any more. Returns whether the row changed."""
    stmt = (
        update(ImapCheckpoint)
        .where(
            col(ImapCheckpoint.key) == key,
            or_(
                col(ImapCheckpoint.uidvalidity) != uidvalidity,
                col(ImapCheckpoint.last_uid) < last_uid,
            ),
        )
        .values(uidvalidity=uidvalidity, last_uid=last_uid, updated_at=now or utcnow())
    )
    return rowcount(s.execute(stmt)) == 1


def seen(s: Session, message_id: str) -> bool:
    """Whether a message with this Message-ID was already taken in."""
    query = select(InboundMessage.id).where(InboundMessage.message_id == message_id)
    return s.exec(query).first() is not None


def failed(s: Session, key: str, uid: int) -> int:
    """Count one more failed poll for message `uid`; returns how many in a row it has had.

    One UPDATE: a different UID starts the count again, so only consecutive failures of the
    same message add up."""
    s.execute(
        update(ImapCheckpoint)
        .where(col(ImapCheckpoint.key) == key)
        .values(
            failures=case(
                (col(ImapCheckpoint.failing_uid) == uid, ImapCheckpoint.failures + 1), else_=1
            ),
            failing_uid=uid,
        )
    )
    return s.exec(select(ImapCheckpoint.failures).where(ImapCheckpoint.key == key)).one()


def set_aside(
    s: Session, source: str, uid: int, raw: bytes, error: str, attempts: int, now: datetime
) -> SetAsideMail:
    row = SetAsideMail(source=source, uid=uid, raw=raw, error=error, attempts=attempts, at=now)
    s.add(row)
    s.flush()
    return row


def set_aside_mail(s: Session, ids: list[int] | None = None) -> list[SetAsideMail]:
    """Oldest first; all of them, or those with these ids."""
    query = select(SetAsideMail).order_by(col(SetAsideMail.id))
    if ids:
        query = query.where(col(SetAsideMail.id).in_(ids))
    return list(s.exec(query))


def release(s: Session, set_aside_id: int) -> bool:
    """Forget a set-aside message (it was handled after all); False if it was not there."""
    stmt = delete(SetAsideMail).where(col(SetAsideMail.id) == set_aside_id)
    return rowcount(s.execute(stmt)) == 1


def add_mail_event(s: Session, values: dict[str, Any]) -> bool:
    """Store a bounce or complaint for one sent message unless one of that kind is stored
    already; True if this call stored it.

    INSERT ... ON CONFLICT DO NOTHING on (outbox_id, kind): two copies of a report taken in
    at once on two replicas still count once."""
    table = table_of(MailEvent)
    stmt = (
        dialect_insert(s, table)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["outbox_id", "kind"])
    )
    # RETURNING, not rowcount: psycopg reports -1 for this statement through SQLAlchemy.
    return s.execute(stmt.returning(table.c.id)).first() is not None


def harden_bounce(s: Session, outbox_id: int, detail: str) -> bool:
    """A hard bounce after a soft one for the same message: the one stored bounce becomes
    hard (still one bounce). True if it changed."""
    stmt = (
        update(MailEvent)
        .where(
            col(MailEvent.outbox_id) == outbox_id,
            col(MailEvent.kind) == "bounce",
            col(MailEvent.hard).is_(False),
        )
        .values(hard=True, detail=detail)
    )
    return rowcount(s.execute(stmt)) == 1


def unmatched_reports(s: Session, since: datetime) -> int:
    """Bounce and complaint reports taken in since `since` that matched no message of ours."""
    query = select(func.count()).where(
        col(InboundMessage.kind).in_(["bounce", "complaint"]),
        col(InboundMessage.outbox_id).is_(None),
        col(InboundMessage.received_at) >= since,
    )
    return s.exec(query).one()


def waiting_for_answer(s: Session, limit: int = 50) -> list[tuple[int, int]]:
    """(inbound id, review id) of open reply cards whose drafted answer waits for the model.
    Open reply cards are few: the flag is read from each one's detail here, not in SQL (JSON
    paths differ between SQLite and PostgreSQL)."""
    q = (
        select(InboundMessage.id, InboundMessage.detail, Review.id)
        .join(
            Review, and_(col(Review.kind) == "reply", col(Review.subject_id) == InboundMessage.id)
        )
        .where(col(Review.status) == "open")
        .order_by(col(Review.id))
    )
    waiting = [(i, r) for i, detail, r in s.exec(q) if (detail or {}).get("wants_answer")]
    return [(i, r) for i, r in waiting if i is not None and r is not None][:limit]
