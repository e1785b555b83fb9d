"""Reading the audit trail: the event stream behind `twoloop audit` and everything a draft
touched for `twoloop why`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, tuple_
from sqlmodel import Session, col, select

from storage import learning
from storage.models import (
    AuditEvent,
    Contact,
    Decision,
    Draft,
    InboundMessage,
    OutboxMessage,
    Review,
    Signal,
)

PAGE = 2000


def _filtered(q, since, until, agent, actor, action):
    if since is not None:
        q = q.where(AuditEvent.at >= since)
    if until is not None:
        q = q.where(AuditEvent.at < until)
    if agent:
        q = q.where(AuditEvent.agent_id == agent)
    if actor:
        # 'U123' finds 'user:U123'; 'agent:x', 'system' and 'cli' match as written.
        names = [actor] if ":" in actor else [actor, f"user:{actor}", f"agent:{actor}"]
        q = q.where(col(AuditEvent.actor).in_(names))
    if action:
        # 'decision' finds decision.kill, decision.approve, ...; 'decision.kill' only itself.
        q = q.where(
            or_(AuditEvent.action == action, col(AuditEvent.action).startswith(action + "."))
        )
    return q


def events(
    session: Callable[[], AbstractContextManager[Session]],
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    agent: str | None = None,
    actor: str | None = None,
    action: str | None = None,
    page: int = PAGE,
) -> Iterator[AuditEvent]:
    """Matching events oldest first, read a page at a time by keyset (at, id), each page in
    its own short transaction: a million rows never sit in memory, and a long export never
    holds a transaction (on SQLite, the write lock) open."""
    last: tuple[datetime, int] | None = None
    while True:
        q = _filtered(select(AuditEvent), since, until, agent, actor, action)
        if last is not None:
            q = q.where(tuple_(col(AuditEvent.at), col(AuditEvent.id)) > tuple_(*last))
        q = q.order_by(col(AuditEvent.at), col(AuditEvent.id)).limit(page)
        with session() as s:
            rows = list(s.exec(q).all())
        yield from rows
        if len(rows) < page:
            return
        last = (rows[-1].at, rows[-1].id)


@dataclass
class DraftChain:
    draft: Draft
    signals: list[Signal]
    weights: dict[str, tuple[float, float]]
    reviews: list[Review]
    decisions: list[Decision]
    messages: list[OutboxMessage]
    replies: list[InboundMessage]
    events: list[AuditEvent]


def draft_chain(s: Session, draft_id: int) -> DraftChain | None:
    draft = s.get(Draft, draft_id)
    if draft is None:
        return None
    ids = [int(i) for i in draft.signal_ids or []]
    signals = list(s.exec(select(Signal).where(col(Signal.id).in_(ids)))) if ids else []
    weights = learning.weights(s, draft.agent_id)
    replies = list(
        s.exec(
            select(InboundMessage)
            .where(InboundMessage.draft_id == draft_id)
            .order_by(col(InboundMessage.received_at), col(InboundMessage.id))
        )
    )
    reviews = list(
        s.exec(
            select(Review)
            .where(
                or_(
                    (col(Review.kind) == "draft") & (col(Review.subject_id) == draft_id),
                    (col(Review.kind) == "reply")
                    & col(Review.subject_id).in_([r.id for r in replies] or [-1]),
                )
            )
            .order_by(col(Review.created_at), col(Review.id))
        )
    )
    decisions = list(
        s.exec(
            select(Decision)
            .where(Decision.draft_id == draft_id)
            .order_by(col(Decision.decided_at), col(Decision.id))
        )
    )
    messages = list(
        s.exec(
            select(OutboxMessage)
            .where(OutboxMessage.draft_id == draft_id)
            .order_by(col(OutboxMessage.step), col(OutboxMessage.id))
        )
    )
    subjects = (
        [f"draft:{draft_id}"]
        + [f"review:{r.id}" for r in reviews]
        + [f"inbound:{r.id}" for r in replies]
    )
    events = list(
        s.exec(
            select(AuditEvent)
            .where(col(AuditEvent.subject).in_(subjects))
            .order_by(col(AuditEvent.at), col(AuditEvent.id))
        )
    )
    return DraftChain(draft, signals, weights, reviews, decisions, messages, replies, events)


def drafts(
    s: Session,
    *,
    agent: str | None = None,
    status: str | None = None,
    contact_email: str | None = None,
    limit: int = 50,
) -> list[tuple[Draft, str]]:
    """Drafts newest first, each with its contact's address."""
    q = (
        select(Draft, Contact.email)
        .join(Contact, col(Contact.id) == Draft.contact_id)
        .order_by(col(Draft.created_at).desc(), col(Draft.id).desc())
        .limit(limit)
    )
    if agent:
        q = q.where(Draft.agent_id == agent)
    if status:
        q = q.where(Draft.status == status)
    if contact_email:
        # Stored lower-cased (bot/intake/importer.py), so the unique index answers.
        q = q.where(Contact.email == contact_email.strip().lower())
    return [(d, email) for d, email in s.exec(q)]


def draft_of_message(s: Session, message_id: str) -> int | None:
    """The draft behind a Message-ID: one we sent, or a reply threaded to one of ours."""
    sent = s.exec(
        select(OutboxMessage.draft_id).where(OutboxMessage.message_id == message_id)
    ).first()
    if sent is not None:
        return sent
    return s.exec(
        select(InboundMessage.draft_id).where(InboundMessage.message_id == message_id)
    ).first()
