"""Queries behind the tuning report: one grouped count over an indexed time range, and
bounded reads of recent edits and of the least confident drafts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import case, func, literal
from sqlalchemy import select as sa_select  # typed for more columns than SQLModel's select
from sqlmodel import Session, col, select

from storage.models import Decision, Draft

DRAFT_ACTIONS = ("approve", "edit", "defer", "kill")


def _window(q, column, since: datetime, until: datetime, agent: str | None, agent_col):
    q = q.where(column >= since, column < until)
    return q.where(agent_col == agent) if agent else q


def weekly_counts(
    s: Session, bounds: Sequence[datetime], agent: str | None
) -> list[tuple[int, str, str, str, str, int]]:
    """(week index, agent, config version, action, kill reason, count) of decisions on draft
    cards, for weeks [bounds[i], bounds[i+1]). One pass over ix_decision_kind_time, which
    holds every column read here."""
    whens = [(col(Decision.decided_at) < b, i) for i, b in enumerate(bounds[1:-1])]
    last = len(bounds) - 2
    week = (case(*whens, else_=last) if whens else literal(last)).label("week")
    group = (
        week,
        col(Decision.agent_id),
        col(Decision.config_version),
        col(Decision.action),
        col(Decision.reason_code),
    )
    q = sa_select(*group, func.count()).where(
        col(Decision.kind) == "draft",
        col(Decision.action).in_(DRAFT_ACTIONS),
        col(Decision.decided_at) >= bounds[0],
        col(Decision.decided_at) < bounds[-1],
    )
    if agent:
        q = q.where(col(Decision.agent_id) == agent)
    return [tuple(row) for row in s.execute(q.group_by(*group)).all()]


def recent_edits(
    s: Session, since: datetime, until: datetime, agent: str | None, limit: int
) -> list[tuple[int | None, str, str, str, str]]:
    """The most recent `limit` edits on drafts: (draft id, before/after subject, body)."""
    q = sa_select(
        col(Decision.draft_id),
        col(Decision.before_subject),
        col(Decision.before_body),
        col(Decision.after_subject),
        col(Decision.after_body),
    ).where(col(Decision.kind) == "draft", col(Decision.action) == "edit")
    q = _window(q, Decision.decided_at, since, until, agent, Decision.agent_id)
    q = q.order_by(col(Decision.decided_at).desc()).limit(limit)
    return [tuple(row) for row in s.execute(q).all()]


def lowest_confidence(
    s: Session, since: datetime, until: datetime, agent: str | None, limit: int
) -> list[Draft]:
    """Drafts that were written (not stopped before writing), least confident first. The ids
    come from ix_draft_created_agent alone; only the few rows shown are read."""
    q = select(Draft.id).where(Draft.gate_outcome != "stop")
    q = _window(q, Draft.created_at, since, until, agent, Draft.agent_id)
    ids = list(s.exec(q.order_by(col(Draft.confidence), col(Draft.id)).limit(limit)).all())
    if not ids:
        return []
    rows = s.exec(select(Draft).where(col(Draft.id).in_(ids)))
    return sorted(rows, key=lambda d: (d.confidence, d.id))
