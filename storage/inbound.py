"""Inbound mail bookkeeping: where each IMAP folder was read up to, and which Message-IDs
have already been taken in."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from storage.models import ImapCheckpoint, InboundMessage, utcnow


def checkpoint(s: Session, key: str) -> ImapCheckpoint:
    """The checkpoint row for `key` (host/user/folder), created at (0, 0) when absent.

    Insert-on-conflict-do-nothing, so two pollers creating it at once both succeed."""
    insert = postgresql.insert if s.get_bind().dialect.name == "postgresql" else sqlite.insert
    stmt = insert(ImapCheckpoint.__table__).values(  # type: ignore[attr-defined]
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
            ImapCheckpoint.key == key,
            or_(ImapCheckpoint.uidvalidity != uidvalidity, ImapCheckpoint.last_uid < last_uid),
        )
        .values(uidvalidity=uidvalidity, last_uid=last_uid, updated_at=now or utcnow())
    )
    return s.execute(stmt).rowcount == 1


def seen(s: Session, message_id: str) -> bool:
    """Whether a message with this Message-ID was already taken in."""
    query = select(InboundMessage.id).where(InboundMessage.message_id == message_id)
    return s.exec(query).first() is not None
