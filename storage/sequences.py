"""Follow-up sequences: due steps, and stopping or parking a contact's sequences."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, update
from sqlmodel import Session, col, select

from storage.db import rowcount
from storage.models import Draft, Sequence, session_now


def start(s: Session, draft_id: int, contact_id: str, agent_id: str, due: datetime) -> None:
    s.add(
        Sequence(
            draft_id=draft_id,
            contact_id=contact_id,
            agent_id=agent_id,
            due_at=due,
            updated_at=session_now(s),
        )
    )


def due(s: Session, now: datetime, limit: int = 200) -> list[Sequence]:
    q = (
        select(Sequence)
        .where(col(Sequence.status).in_(["active", "parked"]), col(Sequence.due_at) <= now)
        .order_by(col(Sequence.due_at))
        .limit(limit)
    )
    return list(s.exec(q))


def claim_step(s: Session, draft_id: int, step: int, now: datetime) -> bool:
    """Move a due sequence past `step` (its message is being queued): one winner."""
    res = s.execute(
        update(Sequence)
        .where(
            col(Sequence.draft_id) == draft_id,
            col(Sequence.next_step) == step,
            col(Sequence.status).in_(["active", "parked"]),
        )
        .values(status="active", due_at=None, reason="", updated_at=now)
    )
    return rowcount(res) == 1


def schedule_next(
    s: Session, draft_id: int, step: int, due: datetime | None, now: datetime
) -> None:
    """After step `step - 1` went out: the next step is due at `due` (None: the sequence is done)."""
    values: dict[str, object] = {"next_step": step, "due_at": due, "updated_at": now}
    if due is None:
        values["status"] = "done"
    s.execute(
        update(Sequence)
        .where(col(Sequence.draft_id) == draft_id, col(Sequence.status) == "active")
        .values(**values)
    )


def stop_for_contact(s: Session, contact_id: str, reason: str, now: datetime) -> int:
    res = s.execute(
        update(Sequence)
        .where(
            col(Sequence.contact_id) == contact_id, col(Sequence.status).in_(["active", "parked"])
        )
        .values(status="stopped", reason=reason, due_at=None, updated_at=now)
    )
    return rowcount(res)


def stop_for_account(s: Session, account_id: str, reason: str, now: datetime) -> int:
    """Every open sequence to anyone at the account, whichever agent runs it."""
    drafts = select(Draft.id).where(col(Draft.account_id) == account_id)
    res = s.execute(
        update(Sequence)
        .where(col(Sequence.draft_id).in_(drafts), col(Sequence.status).in_(["active", "parked"]))
        .values(status="stopped", reason=reason, due_at=None, updated_at=now)
    )
    return rowcount(res)


def park_for_contact(
    s: Session, contact_id: str, until: datetime, reason: str, now: datetime
) -> int:
    """Hold the next step until `until` (never earlier than it was due anyway)."""
    res = s.execute(
        update(Sequence)
        .where(
            col(Sequence.contact_id) == contact_id,
            col(Sequence.status) == "active",
            col(Sequence.due_at).is_not(None),
        )
        .values(
            status="parked",
            reason=reason,
            updated_at=now,
            due_at=case((col(Sequence.due_at) > until, Sequence.due_at), else_=until),
        )
    )
    return rowcount(res)
