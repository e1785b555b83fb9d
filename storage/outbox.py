"""The outbox table: claimed with a conditional UPDATE so a message is handed to the
transport by one worker only."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import case, func, or_, update
from sqlmodel import Session, col, select

from storage.db import rowcount
from storage.models import Account, Contact, MailboxState, MailEvent, OutboxMessage
from storage.upsert import dialect_insert


def due(s: Session, now: datetime, limit: int = 50) -> list[OutboxMessage]:
    q = (
        select(OutboxMessage)
        .where(OutboxMessage.status == "queued", OutboxMessage.next_attempt_at <= now)
        .order_by(col(OutboxMessage.id))
        .limit(limit)
    )
    return list(s.exec(q))


def lock_queued(s: Session, message_id: int) -> OutboxMessage | None:
    """The queued row, locked for this transaction; None when it is not queued or another
    worker holds it (PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite serialises writers anyway)."""
    q = (
        select(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == "queued")
        .with_for_update(skip_locked=True)
    )
    return s.exec(q).first()


def claim(s: Session, message_id: int, now: datetime, owner: str = "") -> bool:
    res = s.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == message_id, col(OutboxMessage.status) == "queued")
        .values(
            status="sending",
            attempts=OutboxMessage.attempts + 1,
            claimed_at=now,
            claimed_by=owner,
        )
    )
    return rowcount(res) == 1


def defer(s: Session, message_id: int, at: datetime, why: str) -> None:
    """Not now (window closed, cap reached, gap not over): no attempt is spent."""
    s.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == message_id, col(OutboxMessage.status) == "queued")
        .values(next_attempt_at=at, last_error=why)
    )


def mailbox_state(s: Session, address: str, *, ensure: bool = True) -> MailboxState:
    """The mailbox's row, created on first use (race-safe across replicas)."""
    if ensure:
        s.execute(dialect_insert(s, MailboxState).values(address=address).on_conflict_do_nothing())
    return s.exec(select(MailboxState).where(MailboxState.address == address)).one()


def reserve_slot(
    s: Session, address: str, now: datetime, today: date, cap: int, next_at: datetime
) -> bool:
    """Take one send from the mailbox's budget: not paused, gap over, under today's cap.
    One conditional UPDATE, so two workers (or replicas) cannot both take the last slot."""
    state = MailboxState
    res = s.execute(
        update(state)
        .where(
            col(state.address) == address,
            col(state.paused).is_(False),
            or_(col(state.next_send_at).is_(None), col(state.next_send_at) <= now),
            or_(col(state.day).is_(None), col(state.day) != today, col(state.sent_on_day) < cap),
        )
        .values(
            sent_on_day=case((col(state.day) == today, state.sent_on_day + 1), else_=1),
            day=today,
            first_send_on=func.coalesce(state.first_send_on, today),
            next_send_at=next_at,
        )
    )
    return rowcount(res) == 1


def stale_claims(s: Session, before: datetime) -> list[OutboxMessage]:
    q = select(OutboxMessage).where(
        OutboxMessage.status == "sending", col(OutboxMessage.claimed_at) < before
    )
    return list(s.exec(q))


def claims(s: Session) -> list[OutboxMessage]:
    """Every message being handed to SMTP right now (or by a process that died doing it)."""
    return list(s.exec(select(OutboxMessage).where(OutboxMessage.status == "sending")))


def mark_uncertain(s: Session, message_id: int) -> bool:
    res = s.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == message_id, col(OutboxMessage.status) == "sending")
        .values(status="uncertain")
    )
    return rowcount(res) == 1


def resolve(s: Session, message_id: int, sent: bool, now: datetime) -> bool:
    """An operator's verdict on an uncertain message: it went out, or queue it again."""
    values = (
        {"status": "sent", "sent_at": now} if sent else {"status": "queued", "next_attempt_at": now}
    )
    res = s.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == message_id, col(OutboxMessage.status) == "uncertain")
        .values(**values)
    )
    return rowcount(res) == 1


def listing(s: Session, status: str | None, limit: int = 100) -> list[OutboxMessage]:
    q = select(OutboxMessage).order_by(col(OutboxMessage.id).desc()).limit(limit)
    if status:
        q = q.where(OutboxMessage.status == status)
    return list(s.exec(q))


def thread_of(s: Session, draft_id: int) -> list[OutboxMessage]:
    """The messages of a draft's thread sent so far, in order."""
    q = (
        select(OutboxMessage)
        .where(OutboxMessage.draft_id == draft_id, OutboxMessage.status == "sent")
        .order_by(col(OutboxMessage.step))
    )
    return list(s.exec(q))


def sent_and_events(
    s: Session, since: datetime, *, mailbox: str | None = None, agent_id: str | None = None
) -> tuple[int, int, int]:
    """(messages sent, bounces, complaints) since `since`, for one mailbox or one agent."""
    sent_q = select(func.count()).where(col(OutboxMessage.sent_at) >= since)
    ev_q = select(MailEvent.kind, func.count()).where(col(MailEvent.at) >= since)
    if mailbox is not None:
        sent_q = sent_q.where(OutboxMessage.from_addr == mailbox)
        ev_q = ev_q.where(MailEvent.mailbox == mailbox)
    if agent_id is not None:
        sent_q = sent_q.where(OutboxMessage.agent_id == agent_id)
        ev_q = ev_q.where(MailEvent.agent_id == agent_id)
    events = dict(s.exec(ev_q.group_by(MailEvent.kind)).all())
    return s.exec(sent_q).one(), events.get("bounce", 0), events.get("complaint", 0)


def pause_mailbox(s: Session, address: str, reason: str, now: datetime) -> bool:
    res = s.execute(
        update(MailboxState)
        .where(col(MailboxState.address) == address, col(MailboxState.paused).is_(False))
        .values(paused=True, paused_reason=reason, paused_at=now)
    )
    return rowcount(res) == 1


def resume_mailbox(s: Session, address: str) -> bool:
    res = s.execute(
        update(MailboxState)
        .where(col(MailboxState.address) == address, col(MailboxState.paused).is_(True))
        .values(paused=False, paused_reason="", paused_at=None)
    )
    return rowcount(res) == 1


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


def refuse(s: Session, message_id: int, error: str) -> bool:
    """A queued message that will never be handed to the transport (it cannot be built)."""
    res = s.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == message_id, col(OutboxMessage.status) == "queued")
        .values(status="failed", last_error=error)
    )
    return rowcount(res) == 1


def touch(s: Session, contact_id: str, account_id: str, now: datetime) -> None:
    s.execute(update(Contact).where(col(Contact.id) == contact_id).values(last_touch_at=now))
    s.execute(update(Account).where(col(Account.id) == account_id).values(last_touch_at=now))


def for_draft(s: Session, draft_id: int, step: int = 0) -> OutboxMessage | None:
    q = select(OutboxMessage).where(OutboxMessage.draft_id == draft_id, OutboxMessage.step == step)
    return s.exec(q).first()


def by_message_ids(s: Session, message_ids: list[str]) -> OutboxMessage | None:
    """The first of these Message-IDs that is one of ours (the order says which matters)."""
    if not message_ids:
        return None
    rows = {
        m.message_id: m
        for m in s.exec(select(OutboxMessage).where(col(OutboxMessage.message_id).in_(message_ids)))
    }
    return next((rows[i] for i in message_ids if i in rows), None)


def latest_sent_to(s: Session, address: str) -> OutboxMessage | None:
    q = (
        select(OutboxMessage)
        .where(OutboxMessage.to_addr == address, OutboxMessage.status == "sent")
        .order_by(col(OutboxMessage.sent_at).desc())
    )
    return s.exec(q).first()


def replies_in_thread(s: Session, draft_id: int) -> int:
    """How many replies an AM already sent in this draft's thread (steps -1, -2, ...)."""
    q = select(func.count()).where(OutboxMessage.draft_id == draft_id, OutboxMessage.step < 0)
    return s.exec(q).one()
