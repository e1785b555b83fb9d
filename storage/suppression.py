"""The suppression list: addresses and whole domains ('@example.com') that get no mail."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, delete, func, or_
from sqlmodel import Session, col, select

from storage.db import rowcount
from storage.models import AuditEvent, InboundMessage, Suppression
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


def lift_own(
    s: Session, value: str, reason: str, written_at: datetime, inbound_id: int, contact_id: str
) -> bool:
    """Delete the suppression one reply's triage wrote, once a person has read that reply as
    no request to stop; but only while it is that reply's alone. The row must still be the one
    written then (same reason, same time), and nothing else may have asked to stop mail to
    the address: no other mail (a stop, a bounce, a complaint, a person's reclassification),
    no unsubscribe link, no operator. True if it was lifted."""
    row = s.get(Suppression, value)
    if row is None or row.reason != reason or row.created_at != written_at:
        return False
    same = func.lower(InboundMessage.from_addr).contains(value)
    if contact_id:
        same = or_(same, col(InboundMessage.contact_id) == contact_id)
    other_mail = s.exec(
        select(InboundMessage.id)
        .where(col(InboundMessage.id) != inbound_id, same)
        .where(
            or_(
                col(InboundMessage.action).contains("suppressed"),
                col(InboundMessage.intent) == "unsubscribe",
            )
        )
        .limit(1)
    ).first()
    if other_mail is not None:
        return False
    asked = s.exec(
        select(AuditEvent.action, AuditEvent.detail).where(
            col(AuditEvent.at) >= written_at,
            or_(
                and_(
                    col(AuditEvent.action).in_(["unsubscribe", "unsubscribe.repeated"]),
                    col(AuditEvent.subject) == f"contact:{contact_id}",
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
