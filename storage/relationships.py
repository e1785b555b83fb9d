"""Relationship memory: dated events per contact and account, and the conversations open now."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import bindparam, case, literal, or_, union_all
from sqlalchemy import select as sa_select
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
from storage.upsert import table_of

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
    cols = (col(Draft.id), col(Draft.agent_id), col(Draft.contact_id), col(Draft.account_id))
    draft_state = case(
        (col(Draft.status) == "review", literal("a draft under review")),
        (col(Draft.status) == "deferred", literal("a deferred draft")),
        else_=literal("mail waiting to be sent"),
    )
    # One round trip: the gate asks this for every draft it stores.
    query = union_all(
        sa_select(*cols, draft_state).where(base, col(Draft.status).in_(OPEN_DRAFT)),
        sa_select(*cols, literal("mail waiting to be sent"))
        .join(OutboxMessage, col(OutboxMessage.draft_id) == col(Draft.id))
        .where(base, col(OutboxMessage.status).in_(OPEN_MAIL)),
        sa_select(*cols, literal("a sequence in flight"))
        .join(Sequence, col(Sequence.draft_id) == col(Draft.id))
        .where(base, col(Sequence.status).in_(OPEN_SEQUENCE)),
        sa_select(*cols, literal("their reply, waiting for a person"))
        .join(InboundMessage, col(InboundMessage.draft_id) == col(Draft.id))
        .join(Review, col(Review.subject_id) == col(InboundMessage.id))
        .where(base, col(Review.kind) == "reply", col(Review.status) == "open"),
    )
    found: dict[str, tuple[int, str, str]] = {}
    for d_id, agent, contact, account, what in s.execute(query):
        if d_id == exclude_draft:
            continue
        for key in (contact, account):
            found.setdefault(key, (d_id, agent, what))
    return found


# Asked for every draft a tick stores: built once on the tables (a Core statement reused
# keeps its compiled form and cache key; the ORM's would cost more than the lookup).
_DRAFTS, _CONTACTS = table_of(Draft), table_of(Contact)
_OPEN_BY = {
    column: sa_select(_DRAFTS.c.id)
    .where(_DRAFTS.c[column] == bindparam("who"), _DRAFTS.c.status.in_(OPEN_DRAFT))
    .limit(1)
    for column in ("account_id", "contact_id")
}
_LOCK_CONTACT = sa_select(_CONTACTS.c.id).where(_CONTACTS.c.id == bindparam("id")).with_for_update()


def open_draft_with(s: Session, contact_id: str, account_id: str = "") -> int | None:
    """A draft still open to this contact (or anyone at this account), from any agent: the
    one thing another tick can have added since `open_conversations` was asked."""
    query = _OPEN_BY["account_id" if account_id else "contact_id"]
    return s.execute(query, {"who": account_id or contact_id}).scalar()


def lock_contact(s: Session, contact_id: str) -> None:
    """Hold the contact's row until commit, so two agents (or replicas) deciding to write to
    the same person take turns: the second sees the first one's draft. (SQLite serialises
    writers anyway; PostgreSQL needs the row lock.)"""
    s.execute(_LOCK_CONTACT, {"id": contact_id}).all()


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
