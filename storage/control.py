"""Queries behind operator controls and trust: locked agent rows, review tallies, status."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, event, func, update
from sqlmodel import Session, col, select

from storage.db import rowcount
from storage.models import AgentState, Decision, Draft, Review, session_now
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


def recent_verdicts(s: Session, agent_id: str, n: int) -> list[tuple[str, str]]:
    """(action, reason code) of the agent's last `n` draft verdicts, newest first."""
    return [(a, r) for _, a, r in s.exec(_verdicts(agent_id).limit(n)).all()]


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
