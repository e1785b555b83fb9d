"""The outbox table: claimed with a conditional UPDATE so a message is handed to the
transport by one worker only."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from storage.models import Account, Contact, OutboxMessage


def due(s: Session, now: datetime, limit: int = 50) -> list[OutboxMessage]:
    q = (
        select(OutboxMessage)
        .where(OutboxMessage.status == "queued", OutboxMessage.next_attempt_at <= now)
        .order_by(col(OutboxMessage.id))
        .limit(limit)
    )
    return list(s.exec(q))


def claim(s: Session, message_id: int) -> bool:
    res = s.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == message_id, col(OutboxMessage.status) == "queued")
        .values(status="sending", attempts=OutboxMessage.attempts + 1)
    )
    return res.rowcount == 1


def finish(s: Session, message_id: int, now: datetime) -> None:
    s.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == message_id, col(OutboxMessage.status) == "sending")
        .values(status="sent", sent_at=now, last_error="")
    )


def retry_later(s: Session, message_id: int, at: datetime, error: str) -> None:
    s.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == message_id, col(OutboxMessage.status) == "sending")
        .values(status="queued", next_attempt_at=at, last_error=error)
    )


def fail(s: Session, message_id: int, error: str) -> None:
    s.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == message_id, col(OutboxMessage.status) == "sending")
        .values(status="failed", last_error=error)
    )


def touch(s: Session, contact_id: str, account_id: str, now: datetime) -> None:
    s.execute(update(Contact).where(col(Contact.id) == contact_id).values(last_touch_at=now))
    s.execute(update(Account).where(col(Account.id) == account_id).values(last_touch_at=now))


def for_draft(s: Session, draft_id: int) -> OutboxMessage | None:
    return s.exec(select(OutboxMessage).where(OutboxMessage.draft_id == draft_id)).first()
