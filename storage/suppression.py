"""The suppression list: addresses and whole domains ('@example.com') that get no mail."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, delete, func, or_
from sqlmodel import Session, col, select

from storage.db import rowcount
from storage.models import AuditEvent, Contact, InboundMessage, Suppression
from storage.upsert import upsert

REPLY_STOP = "unsubscribe (reply)"  # the reason written for a request to stop read in a reply
# Written for every reply that waits for a person's decision on its card: no agent's mail to
# the address until then (bot/mail/inbound/replies.py); any answer but "a request to stop"
# lifts it. A person's own answer is never held back by it (prospects.suppression_for).
REPLY_HELD = "held (a reply no one has read yet)"


def add(s: Session, values: list[str], reason: str, now: datetime) -> int:
    rows = [{"value": v, "reason": reason, "created_at": now} for v in values]
    before = set(s.exec(select(Suppression.value).where(col(Suppression.value).in_(values))))
    upsert(s, Suppression, rows, ["value"], update=False)
    return len(set(values) - before)


def add_addresses(s: Session, values: list[str], reason: str, now: datetime) -> int:
    """`add`, for suppressions read from mail. Only an operator or an import may suppress a
    whole domain: a value that is not `local@domain` is refused, nothing is written."""
    for v in values:
        local, at, domain = v.rpartition("@")
        if not (local and at and domain):
            raise ValueError(f"suppression value {v!r} is not one address")
    return add(s, values, reason, now)


def remove(s: Session, values: list[str]) -> int:
    return rowcount(s.execute(delete(Suppression).where(col(Suppression.value).in_(values))))


LIFTED = "suppression lifted"  # appended to a reply's action once a person lifted its stop
# In a held reply's action until its card is decided; SETTLED is appended once it is, lifted
# or not (bot/mail/inbound/replies.py, answers.py). Neither says "suppressed": a hold is no
# request to stop.
HELD_MARK = "held: no mail to this address"
SETTLED = "hold decided"


def hold(s: Session, value: str, now: datetime) -> datetime | None:
    """Suppress `value` as a hold. When the hold was written: now, or by an earlier reply
    whose hold stands; None when the address is suppressed for another reason."""
    if add_addresses(s, [value], REPLY_HELD, now):
        return now
    row = s.get(Suppression, value)
    return row.created_at if row is not None and row.reason == REPLY_HELD else None


def harden(s: Session, value: str, reason: str, now: datetime) -> bool:
    """A hold becomes a stop: the address's row, if it is still a hold, now carries `reason`
    and `now`, so no decision on the held reply lifts it. True if there was a hold."""
    row = s.get(Suppression, value, with_for_update=True)
    if row is None or row.reason != REPLY_HELD:
        return False
    row.reason, row.created_at = reason, now
    s.add(row)
    return True


def lift_own(
    s: Session, value: str, reason: str, written_at: datetime, inbound_id: int, contact_id: str
) -> str:
    """Lift the suppression one reply's triage wrote, once a person has read that reply as no
    request to stop; but only while it is that reply's alone (`liftable`). "lifted": the
    address is free; "held": lifted, but it goes back to the hold of another reply from them
    whose card is undecided; "": not lifted."""
    row = s.get(Suppression, value, with_for_update=True)  # a concurrent unsubscribe waits
    if row is None or not liftable(s, row, reason, written_at, inbound_id, contact_id):
        return ""
    pending = _pending_hold(s, value, contact_id, inbound_id)
    if pending is not None:
        row.reason, row.created_at = REPLY_HELD, pending
        s.add(row)
        return "held"
    s.delete(row)
    return "lifted"


def _pending_hold(s: Session, value: str, contact_id: str, inbound_id: int) -> datetime | None:
    """When the hold of another reply from `value` (or its contact) was written, while that
    reply's card is undecided; None when there is none."""
    same = func.lower(InboundMessage.from_addr).contains(value)
    if contact_id:
        same = or_(same, col(InboundMessage.contact_id) == contact_id)
    action = col(InboundMessage.action)
    rows = s.exec(
        select(InboundMessage.detail).where(
            col(InboundMessage.id) != inbound_id,
            same,
            action.contains(HELD_MARK),
            ~action.contains(SETTLED),
            ~action.contains(LIFTED),
        )
    ).all()
    held = [(d or {}).get("suppressed") or {} for d in rows]
    times = [datetime.fromisoformat(h["at"]) for h in held if h.get("held") and h.get("at")]
    return min(times) if times else None


def liftable(
    s: Session,
    row: Suppression,
    reason: str,
    written_at: datetime,
    inbound_id: int,
    contact_id: str,
) -> bool:
    """Whether `row` is still one reply's own: the one written then (same reason, same time),
    and nothing else has asked to stop mail to the address since, for any contact that has
    it: no other mail (a stop, a bounce, a complaint, a person's reclassification), no
    unsubscribe link, no operator."""
    value = row.value
    if row.reason != reason or row.created_at != written_at:
        return False
    owners = {contact_id} - {""}
    owners.update(s.exec(select(Contact.id).where(func.lower(Contact.email) == value)))
    same = func.lower(InboundMessage.from_addr).contains(value)
    if owners:
        same = or_(same, col(InboundMessage.contact_id).in_(owners))
    action = col(InboundMessage.action)
    stood = or_(
        action.contains("suppressed ("),  # machine mail: a bounce, a complaint, an opt-out
        col(InboundMessage.intent) == "unsubscribe",
        and_(  # a reply that also asked to stop, and whose stop no person lifted
            action.contains("suppressed"),
            ~action.contains("not suppressed"),
            ~action.contains(LIFTED),
        ),
    )
    other = select(InboundMessage.id).where(col(InboundMessage.id) != inbound_id, same, stood)
    if s.exec(other.limit(1)).first() is not None:
        return False
    asked = s.exec(
        select(AuditEvent.action, AuditEvent.detail).where(
            col(AuditEvent.at) >= written_at,
            or_(
                and_(
                    col(AuditEvent.action).in_(["unsubscribe", "unsubscribe.repeated"]),
                    col(AuditEvent.subject).in_([f"contact:{c}" for c in owners]),
                ),
                col(AuditEvent.action) == "suppression.added",
            ),
        )
    ).all()
    return not any(
        a != "suppression.added" or value in (d or {}).get("values", []) for a, d in asked
    )


def listing(s: Session, like: str = "", limit: int = 1000) -> list[Suppression]:
    q = select(Suppression).order_by(col(Suppression.created_at).desc()).limit(limit)
    if like:
        q = q.where(col(Suppression.value).contains(like.lower()))
    return list(s.exec(q))
