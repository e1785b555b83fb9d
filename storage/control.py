"""Queries behind operator controls and trust: locked agent rows, review tallies, status."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, event, func, update
from sqlalchemy import select as sa_select  # typed for more columns than SQLModel's select
from sqlmodel import Session, col, select

from storage.db import rowcount
from storage.models import AgentState, AuditEvent, Decision, Draft, Review, session_now
from storage.upsert import dialect_insert

# Decisions that are a verdict on a draft's quality. A deferral says "not now", not "bad".
VERDICTS = ("approve", "edit", "kill")


def locked_state(s: Session, agent_id: str) -> AgentState:
    """The agent's row, created if missing, locked until the transaction ends (PostgreSQL;
    SQLite transactions here already hold the write lock), so read-modify-write is safe."""
    s.execute(
        dialect_insert(s, AgentState)
        .values(agent_id=agent_id, overrides={})
        .on_conflict_do_nothing()
    )
    q = (
        select(AgentState)
        .where(AgentState.agent_id == agent_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return s.exec(q).one()


def save(s: Session, state: AgentState, **values) -> None:
    for name, value in values.items():
        setattr(state, name, value)
    state.updated_at = session_now(s)
    s.add(state)
    s.flush()


def change_trust(
    s: Session, agent_id: str, old: str, new: str, reason: str, by: str, now: datetime
) -> bool:
    """Move trust from `old` to `new`; False if someone else moved it first (conditional)."""
    res = s.execute(
        update(AgentState)
        .where(col(AgentState.agent_id) == agent_id, col(AgentState.trust) == old)
        .values(
            trust=new, trust_reason=reason, trust_set_by=by, trust_changed_at=now, updated_at=now
        )
    )
    return rowcount(res) == 1


def after_commit(s: Session, fn: Callable[[], None]) -> None:
    """Run `fn` once this session's transaction commits (never if it rolls back)."""
    event.listen(s, "after_commit", lambda _s: fn(), once=True)


@dataclass(frozen=True)
class Tally:
    reviews: int = 0
    kills: int = 0
    critical: int = 0
    days: int = 0

    @property
    def kill_rate(self) -> float:
        return self.kills / self.reviews if self.reviews else 0.0


def _verdicts(agent_id: str):
    return (
        select(Decision.decided_at, Decision.action, Decision.reason_code)
        .where(
            Decision.agent_id == agent_id,
            col(Decision.draft_id).is_not(None),
            col(Decision.action).in_(VERDICTS),
        )
        .order_by(col(Decision.decided_at).desc(), col(Decision.id).desc())
    )


def _utc_day(s: Session, column):
    if s.get_bind().dialect.name == "postgresql":
        return func.date(func.timezone("UTC", column))
    return func.date(column)  # SQLite stores UTC text


def tally_since(s: Session, agent_id: str, since: datetime | None, critical: tuple[str, ...]):
    """Draft verdicts on this agent since `since` (all of them for None), aggregated."""
    sub = _verdicts(agent_id).order_by(None)
    if since is not None:
        sub = sub.where(col(Decision.decided_at) > since)
    sub = sub.subquery()
    kill = sub.c.action == "kill"
    q = select(
        func.count(),
        func.coalesce(func.sum(case((kill, 1), else_=0)), 0),
        func.coalesce(func.sum(case((kill & sub.c.reason_code.in_(critical), 1), else_=0)), 0),
        func.count(func.distinct(_utc_day(s, sub.c.decided_at))),
    )
    n, kills, crit, days = s.exec(q).one()
    return Tally(int(n), int(kills), int(crit), int(days))


def last_critical_kill(s: Session, agent_id: str, critical: tuple[str, ...]) -> datetime | None:
    q = select(func.max(Decision.decided_at)).where(
        Decision.agent_id == agent_id,
        col(Decision.draft_id).is_not(None),
        Decision.action == "kill",
        col(Decision.reason_code).in_(critical),
    )
    return s.exec(q).one()


def _stretch_verdicts(agent_id: str, since: datetime | None):
    q = (
        sa_select(col(Decision.decided_at))
        .join(Draft, col(Draft.id) == col(Decision.draft_id))
        .where(col(Decision.agent_id) == agent_id, col(Decision.action).in_(VERDICTS))
    )
    return q if since is None else q.where(col(Decision.decided_at) > since)


def shadow_counts(s: Session, agent_id: str, since: datetime | None) -> list[tuple]:
    """(action, reason code, shadow outcome, how many) of the agent's draft verdicts after
    `since` (all for None): what shadow evaluation needs, grouped in the database."""
    q = (
        _stretch_verdicts(agent_id, since)
        .with_only_columns(
            col(Decision.action), col(Decision.reason_code), col(Draft.shadow), func.count()
        )
        .group_by(col(Decision.action), col(Decision.reason_code), col(Draft.shadow))
    )
    return [tuple(row) for row in s.execute(q).all()]


def verdict_days(s: Session, agent_id: str, since: datetime | None) -> list[tuple]:
    """(first, last) verdict of each UTC day with verdicts after `since`. Within one UTC day
    the local date only moves forward, so the two give every local date that had a verdict,
    in any time zone, from one row per day."""
    at = col(Decision.decided_at)
    q = sa_select(func.min(at), func.max(at)).where(
        col(Decision.agent_id) == agent_id,
        col(Decision.draft_id).is_not(None),
        col(Decision.action).in_(VERDICTS),
    )
    if since is not None:
        q = q.where(at > since)
    q = q.group_by(_utc_day(s, at))
    return [tuple(row) for row in s.execute(q).all()]


def review_reasons(s: Session, agent_id: str, since: datetime | None) -> list[list]:
    """The gate reasons of the verdicts' drafts the gate would have reviewed anyway."""
    q = (
        _stretch_verdicts(agent_id, since)
        .with_only_columns(col(Draft.gate_reasons))
        .where(col(Draft.shadow) == "review")
    )
    return [row[0] or [] for row in s.execute(q).all()]


def first_draft_at(s: Session, agent_id: str) -> datetime | None:
    return s.exec(select(func.min(Draft.created_at)).where(Draft.agent_id == agent_id)).one()


def last_event_at(s: Session, agent_id: str, action: str) -> datetime | None:
    """When the agent's newest audit event of this action happened (None: never)."""
    q = select(func.max(AuditEvent.at)).where(
        AuditEvent.agent_id == agent_id, AuditEvent.action == action
    )
    return s.exec(q).one()


def recent_verdicts(s: Session, agent_id: str, n: int) -> list[tuple[str, str]]:
    """(action, reason code) of the agent's last `n` draft verdicts, newest first."""
    return [(a, r) for _, a, r in s.exec(_verdicts(agent_id).limit(n)).all()]


def _would_send_verdicts(agent_id: str):
    """The agent's verdicts on drafts the gate would have sent on its own, newest first."""
    return (
        _stretch_verdicts(agent_id, None)
        .where(col(Draft.shadow) == "send")
        .order_by(col(Decision.decided_at).desc(), col(Decision.id).desc())
    )


def recent_would_send_verdicts(s: Session, agent_id: str, n: int) -> list[tuple[str, str]]:
    """(action, reason code) of the agent's last `n` verdicts on drafts the gate would have
    sent on its own, newest first."""
    q = _would_send_verdicts(agent_id).with_only_columns(
        col(Decision.action), col(Decision.reason_code)
    )
    return [(a, r) for a, r in s.execute(q.limit(n)).all()]


def would_send_critical_kill_at(
    s: Session, agent_id: str, critical: tuple[str, ...]
) -> datetime | None:
    """When the agent's latest kill for a critical reason of a draft the gate would have sent
    was decided (None: never)."""
    q = _would_send_verdicts(agent_id).where(
        col(Decision.action) == "kill", col(Decision.reason_code).in_(critical)
    )
    return s.execute(q.limit(1)).scalar()


def would_send_kill_at(s: Session, agent_id: str, skip: int = 0) -> datetime | None:
    """When the agent's latest kill of a draft the gate would have sent was decided, after
    skipping the `skip` newest (None: there were not that many)."""
    q = _would_send_verdicts(agent_id).where(col(Decision.action) == "kill")
    return s.execute(q.offset(skip).limit(1)).scalar()


@dataclass(frozen=True)
class AgentCounts:
    open_reviews: int
    oldest_open: datetime | None
    by_status: dict[str, int]  # drafts created since `since`, by status


def agent_counts(s: Session, agent_id: str, since: datetime) -> AgentCounts:
    """One agent's open reviews and today's drafts: two grouped queries on indexed columns."""
    n, oldest = s.exec(
        select(func.count(), func.min(Review.created_at)).where(
            Review.agent_id == agent_id, Review.status == "open"
        )
    ).one()
    rows = s.exec(
        select(Draft.status, func.count())
        .where(Draft.agent_id == agent_id, Draft.created_at >= since)
        .group_by(Draft.status)
    ).all()
    return AgentCounts(int(n), oldest, dict(rows))
