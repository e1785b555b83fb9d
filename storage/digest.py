"""Grouped queries behind digests and App Home: one statement per table over a run of days.

Each query reads one indexed time range and buckets rows by day with a CASE over the day
boundaries, so a 14-day series costs the same statement as a single day, on SQLite and
PostgreSQL alike, and never loads rows one by one.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import case, func, or_
from sqlalchemy import select as sa_select  # typed for more columns than SQLModel's select
from sqlmodel import Session, col, select

from storage.models import (
    AgentState,
    AuditEvent,
    Decision,
    Draft,
    InboundMessage,
    MailEvent,
    OutboxMessage,
    Review,
)

# Audit actions that change how an agent behaves: shown as "what changed" in a digest.
CHANGE_PREFIXES = ("agent.", "trust.", "threshold.", "config.")


def _bucket(column, bounds: Sequence[datetime]):
    """Index i of the day [bounds[i], bounds[i + 1]) a timestamp falls in."""
    whens = [(column >= bounds[i], i) for i in reversed(range(len(bounds) - 1))]
    return case(*whens, else_=-1)


def _scope(q, column, bounds: Sequence[datetime], agent_col, agent_ids):
    q = q.where(column >= bounds[0], column < bounds[-1])
    if agent_ids is not None:
        q = q.where(col(agent_col).in_(list(agent_ids)))
    return q


def drafts(s: Session, bounds: Sequence[datetime], agent_ids=None) -> list[tuple]:
    """(agent_id, day, gate_outcome, n): what each agent drafted and where the gate sent it."""
    b = _bucket(col(Draft.created_at), bounds)
    q = select(Draft.agent_id, b, Draft.gate_outcome, func.count())
    q = _scope(q, col(Draft.created_at), bounds, Draft.agent_id, agent_ids)
    return list(s.exec(q.group_by(Draft.agent_id, b, Draft.gate_outcome)).all())


def decisions(s: Session, bounds: Sequence[datetime], agent_ids=None) -> list[tuple]:
    """(agent_id, day, action, reason_code, n) of people's decisions on drafts and replies
    (play approvals are patterns, not volume, and are left out)."""
    b = _bucket(col(Decision.decided_at), bounds)
    group = (col(Decision.agent_id), b, col(Decision.action), col(Decision.reason_code))
    q = sa_select(*group, func.count())
    q = _scope(q, col(Decision.decided_at), bounds, Decision.agent_id, agent_ids)
    q = q.where(col(Decision.play_version_id).is_(None))
    return list(s.execute(q.group_by(*group)))


def sent(s: Session, bounds: Sequence[datetime], agent_ids=None) -> list[tuple]:
    """(agent_id, day, n) of messages that left. `sent_at` is only ever set with status
    'sent' (as the deliverability guard counts too); filtering on status as well would steer
    the planner to the status index, which holds nearly every row."""
    b = _bucket(col(OutboxMessage.sent_at), bounds)
    q = select(OutboxMessage.agent_id, b, func.count())
    q = _scope(q, col(OutboxMessage.sent_at), bounds, OutboxMessage.agent_id, agent_ids)
    return list(s.exec(q.group_by(OutboxMessage.agent_id, b)).all())


def mail_events(s: Session, bounds: Sequence[datetime], agent_ids=None) -> list[tuple]:
    """(agent_id, day, kind, n) of bounces and complaints."""
    b = _bucket(col(MailEvent.at), bounds)
    q = select(MailEvent.agent_id, b, MailEvent.kind, func.count())
    q = _scope(q, col(MailEvent.at), bounds, MailEvent.agent_id, agent_ids)
    return list(s.exec(q.group_by(MailEvent.agent_id, b, MailEvent.kind)).all())


def replies(s: Session, bounds: Sequence[datetime], agent_ids=None) -> list[tuple]:
    """(agent_id, day, kind, intent, n) of what came back from people and their autoresponders."""
    b = _bucket(col(InboundMessage.received_at), bounds)
    group = (
        col(InboundMessage.agent_id),
        b,
        col(InboundMessage.kind),
        col(InboundMessage.intent),
    )
    q = sa_select(*group, func.count()).where(col(InboundMessage.kind).in_(["human", "auto_reply"]))
    q = _scope(q, col(InboundMessage.received_at), bounds, InboundMessage.agent_id, agent_ids)
    return list(s.execute(q.group_by(*group)).all())


def reply_targets(
    s: Session,
    since: datetime,
    until: datetime,
    now: datetime,
    agent_ids=None,
    owner: str | None = None,
) -> tuple[int, int, int]:
    """(answered within target, answered late, still open past target) of the reply reviews
    whose target fell in [since, until): one statement over the `respond_by` index. A review
    closed by anyone (a person's decision) counts as answered at its `decided_at`. `owner`:
    only the replies routed to that AM (the account's owner, whoever owns the agent)."""
    decided = col(Review.decided_at).is_not(None)
    q = sa_select(
        func.coalesce(
            func.sum(case((decided & (col(Review.decided_at) <= col(Review.respond_by)), 1))), 0
        ),
        func.coalesce(
            func.sum(case((decided & (col(Review.decided_at) > col(Review.respond_by)), 1))), 0
        ),
        func.coalesce(
            func.sum(case(((col(Review.status) == "open") & (col(Review.respond_by) <= now), 1))),
            0,
        ),
    ).where(col(Review.respond_by) >= since, col(Review.respond_by) < until)
    if agent_ids is not None:
        q = q.where(col(Review.agent_id).in_(list(agent_ids)))
    if owner is not None:
        q = q.where(col(Review.owner) == owner)
    within, late, open_past = s.execute(q).one()
    return int(within), int(late), int(open_past)


def agent_states(s: Session, agent_ids) -> dict[str, AgentState]:
    q = select(AgentState).where(col(AgentState.agent_id).in_(list(agent_ids)))
    return {a.agent_id: a for a in s.exec(q)}


def open_reviews(s: Session, agent_ids=None) -> dict[str, tuple[int, datetime]]:
    """agent_id -> (open reviews of every kind, when the oldest was opened): a play waiting
    for approval waits on a person as much as a draft or a reply does."""
    q = (
        select(Review.agent_id, func.count(), func.min(Review.created_at))
        .where(Review.status == "open")
        .group_by(Review.agent_id)
    )
    if agent_ids is not None:
        q = q.where(col(Review.agent_id).in_(list(agent_ids)))
    return {a: (n, oldest) for a, n, oldest in s.exec(q).all()}


def changes(
    s: Session, since: datetime, until: datetime, agent_ids=None, limit: int = 2000
) -> list[AuditEvent]:
    """Trust, pause and configuration changes in a window (a day), oldest first. Events are
    filed by `agent_id`, or (older callers) only named in the subject as `agent:<id>`. The
    agents are picked here rather than in SQL: by agent or subject the planner would read
    each agent's whole history, by time it reads one day."""
    q = select(AuditEvent).where(
        col(AuditEvent.at) >= since,
        col(AuditEvent.at) < until,
        or_(*(col(AuditEvent.action).startswith(p) for p in CHANGE_PREFIXES)),
    )
    rows = s.exec(q.order_by(col(AuditEvent.at), col(AuditEvent.id)).limit(limit)).all()
    if agent_ids is None:
        return list(rows)
    ids = set(agent_ids)
    return [e for e in rows if (e.agent_id or e.subject.removeprefix("agent:")) in ids]


def open_count(s: Session, owner: str | None) -> int:
    """Open reviews waiting on `owner` (everyone's for None)."""
    q = select(func.count()).select_from(Review).where(Review.status == "open")
    if owner is not None:
        q = q.where(Review.owner == owner)
    return s.exec(q).one()
