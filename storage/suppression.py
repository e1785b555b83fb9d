"""The suppression list: addresses and whole domains ('@example.com') that get no mail."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, delete, func, or_
from sqlmodel import Session, col, select

from storage.db import rowcount
from storage.models import AuditEvent, Contact, InboundMessage, Suppression
from storage.upsert import upsert

REPLY_STOP = "unsubscribe (reply)"  # the reason written for a request to stop read in a reply


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


def lift_own(
    s: Session, value: str, reason: str, written_at: datetime, inbound_id: int, contact_id: str
) -> bool:
    """Delete the suppression one reply's triage wrote, once a person has read that reply as
    no request to stop; but only while it is that reply's alone. The row must still be the one
    written then (same reason, same time), and nothing else may have asked to stop mail to
    the address, for any contact that has it: no other mail (a stop, a bounce, a complaint,
    a person's reclassification), no unsubscribe link, no operator. True if it was lifted."""
    row = s.get(Suppression, value, with_for_update=True)  # a concurrent unsubscribe waits
    if row is None or row.reason != reason or row.created_at != written_at:
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
    if any(a != "suppression.added" or value in (d or {}).get("values", []) for a, d in asked):
        return False
    s.delete(row)
    return True


def listing(s: Session, like: str = "", limit: int = 1000) -> list[Suppression]:
    q = select(Suppression).order_by(col(Suppression.created_at).desc()).limit(limit)
    if like:
        q = q.where(col(Suppression.value).contains(like.lower()))
    return list(s.exec(q))
