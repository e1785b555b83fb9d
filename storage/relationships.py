"""Relationship memory: dated events per contact and account, and the conversations open now."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import or_
from sqlmodel import Session, col, select

from storage.models import (
    Account,
    Contact,
    Draft,
    InboundMessage,
    OutboxMessage,
    RelationshipEvent,
    Review,
    Sequence,
)

# A draft in one of these states is a conversation someone is still having.
OPEN_DRAFT = ("review", "approved", "queued", "deferred")
OPEN_MAIL = ("queued", "sending")
OPEN_SEQUENCE = ("active", "parked")


def record(
    s: Session,
    account_id: str,
    kind: str,
    at: datetime,
    *,
    contact_id: str = "",
    actor: str = "system",
    agent_id: str = "",
    draft_id: int | None = None,
    inbound_id: int | None = None,
    summary: str = "",
    detail: dict | None = None,
) -> RelationshipEvent:
    event = RelationshipEvent(
        account_id=account_id,
        contact_id=contact_id,
        kind=kind,
        at=at,
        actor=actor,
        agent_id=agent_id,
        draft_id=draft_id,
        inbound_id=inbound_id,
        summary=summary[:300],
        detail=detail or {},
    )
    s.add(event)
    return event


def events_for(s: Session, account_ids: Iterable[str]) -> dict[str, list[RelationshipEvent]]:
    """Every account's history, oldest first."""
    ids = list(dict.fromkeys(account_ids))
    out: dict[str, list[RelationshipEvent]] = defaultdict(list)
    for i in range(0, len(ids), 500):
        rows = s.exec(
            select(RelationshipEvent)
            .where(col(RelationshipEvent.account_id).in_(ids[i : i + 500]))
            .order_by(col(RelationshipEvent.at), col(RelationshipEvent.id))
        )
        for row in rows:
            out[row.account_id].append(row)
    return out


def contact_names(s: Session, account_ids: Iterable[str]) -> dict[str, str]:
    """contact id -> full name, for every contact of these accounts."""
    ids = list(dict.fromkeys(account_ids))
    if not ids:
        return {}
    rows = s.exec(select(Contact).where(col(Contact.account_id).in_(ids)))
    return {c.id: f"{c.first_name} {c.last_name}".strip() for c in rows}


def open_conversations(
    s: Session,
    contact_ids: Iterable[str] = (),
    account_ids: Iterable[str] = (),
    *,
    exclude_draft: int | None = None,
) -> dict[str, tuple[int, str, str]]:
    """Who already has a conversation open with these contacts (or any contact of these
    accounts), across the whole fleet: contact id and account id -> (draft id, agent id, what
    is open). A draft under review, mail waiting in the outbox, a sequence in flight, a reply
    of theirs waiting for a person."""
    contacts, accounts = list(contact_ids), list(account_ids)
    if not contacts and not accounts:
        return {}
    who = []
    if contacts:
        who.append(col(Draft.contact_id).in_(contacts))
    if accounts:
        who.append(col(Draft.account_id).in_(accounts))
    base = or_(*who)
    found: dict[str, tuple[int, str, str]] = {}

    def note(d_id: int | None, agent: str, contact: str, account: str, what: str) -> None:
        if d_id is None or d_id == exclude_draft:
            return
        for key in (contact, account):
            found.setdefault(key, (d_id, agent, what))

    for row in s.exec(select(Draft).where(base, col(Draft.status).in_(OPEN_DRAFT))):
        what = {"review": "a draft under review", "deferred": "a deferred draft"}.get(
            row.status, "mail waiting to be sent"
        )
        note(row.id, row.agent_id, row.contact_id, row.account_id, what)
    for d in s.exec(
        select(Draft.id, Draft.agent_id, Draft.contact_id, Draft.account_id)
        .join(OutboxMessage, col(OutboxMessage.draft_id) == col(Draft.id))
        .where(base, col(OutboxMessage.status).in_(OPEN_MAIL))
    ):
        note(d[0], d[1], d[2], d[3], "mail waiting to be sent")
    for d in s.exec(
        select(Draft.id, Draft.agent_id, Draft.contact_id, Draft.account_id)
        .join(Sequence, col(Sequence.draft_id) == col(Draft.id))
        .where(base, col(Sequence.status).in_(OPEN_SEQUENCE))
    ):
        note(d[0], d[1], d[2], d[3], "a sequence in flight")
    for d in s.exec(
        select(Draft.id, Draft.agent_id, Draft.contact_id, Draft.account_id)
        .join(InboundMessage, col(InboundMessage.draft_id) == col(Draft.id))
        .join(Review, col(Review.subject_id) == col(InboundMessage.id))
        .where(base, col(Review.kind) == "reply", col(Review.status) == "open")
    ):
        note(d[0], d[1], d[2], d[3], "their reply, waiting for a person")
    return found


def lock_contact(s: Session, contact_id: str) -> None:
    """Hold the contact's row until commit, so two agents (or replicas) deciding to write to
    the same person take turns: the second sees the first one's draft. (SQLite serialises
    writers anyway; PostgreSQL needs the row lock.)"""
    s.exec(select(Contact.id).where(col(Contact.id) == contact_id).with_for_update())


def last_sent_to(
    s: Session,
    *,
    contact_id: str = "",
    account_id: str = "",
    exclude_draft: int | None = None,
) -> datetime | None:
    """When we last sent this contact (or anyone at this account) anything, from another
    thread than `exclude_draft`."""
    q = select(OutboxMessage.sent_at).join(Draft, col(Draft.id) == col(OutboxMessage.draft_id))
    q = q.where(col(OutboxMessage.sent_at).is_not(None))
    if contact_id:
        q = q.where(col(OutboxMessage.contact_id) == contact_id)
    if account_id:
        q = q.where(col(Draft.account_id) == account_id)
    if exclude_draft is not None:
        q = q.where(col(OutboxMessage.draft_id) != exclude_draft)
    return s.exec(q.order_by(col(OutboxMessage.sent_at).desc()).limit(1)).first()


def set_customer_status(
    s: Session, account_id: str, status: str, source: str
) -> tuple[str, str] | None:
    """Set an account's customer status; returns (was, now), or None for no such account."""
    account = s.get(Account, account_id)
    if account is None:
        return None
    was = account.customer_status
    account.customer_status, account.customer_source = status, source
    s.add(account)
    return was, status
