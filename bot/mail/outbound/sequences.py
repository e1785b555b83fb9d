"""Follow-ups: a play's later steps go out in the same thread, each some days after the one
before, until the contact replies, bounces or unsubscribes (stop) or is out of office (park).

The follow-ups are rendered when the first draft is, so the AM who approves the first
message sees, and approves, the whole sequence.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlmodel import Session

from storage import audit
from storage import sequences as store
from storage.models import Draft

log = logging.getLogger(__name__)


def after_send(s: Session, draft: Draft, step: int, now: datetime) -> None:
    """Schedule what comes after message `step` of this draft went out.

    Step 0 starts the sequence when the play has follow-ups; follow-up n schedules n + 1, or
    ends the sequence after the last one. An AM's reply in the thread (a negative step) is
    no step of the sequence: the contact's answer already stopped it, so nothing changes."""
    if step < 0:
        return
    if draft.id is None:
        raise ValueError(f"draft for {draft.contact_id} was sent but never stored")
    followups = draft.followups or []
    if step == 0:
        if followups:
            first = now + timedelta(days=followups[0]["after_days"])
            store.start(s, draft.id, draft.contact_id, draft.agent_id, first)
        return
    due = now + timedelta(days=followups[step]["after_days"]) if step < len(followups) else None
    store.schedule_next(s, draft.id, step + 1, due, now)


def stop_contact(s: Session, contact_id: str, why: str, now: datetime) -> int:
    """A reply, a bounce or an unsubscribe: no more follow-ups to this person, ever."""
    if not contact_id:
        return 0
    stopped = store.stop_for_contact(s, contact_id, why, now)
    if stopped:
        audit.record(
            s,
            "system",
            "sequence.stopped",
            f"contact:{contact_id}",
            {"reason": why, "sequences": stopped},
        )
    return stopped


def stop_account(s: Session, account_id: str, why: str, now: datetime) -> int:
    """The account went to its owner: no agent's follow-ups to anyone there."""
    stopped = store.stop_for_account(s, account_id, why, now)
    if stopped:
        audit.record(
            s,
            "system",
            "sequence.stopped",
            f"account:{account_id}",
            {"reason": why, "sequences": stopped},
        )
    return stopped


def park_contact(s: Session, contact_id: str, until: datetime, why: str, now: datetime) -> int:
    """Out of office: hold the next follow-up until they are back."""
    parked = store.park_for_contact(s, contact_id, until, why, now)
    if parked:
        audit.record(
            s,
            "system",
            "sequence.parked",
            f"contact:{contact_id}",
            {"until": until.isoformat(), "reason": why},
        )
    return parked
