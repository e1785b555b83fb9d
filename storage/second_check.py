"""Queries of the second check: the verdicts it learns from, and the models it trained.

A verdict is a decision on a draft that says whether the AM would send it as is: approve,
edit or kill (defers and expiries say nothing). Only drafts whose features were stored when
they were drafted count: the model learns from exactly what the gate saw.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, String, and_, cast, func
from sqlmodel import Session, col, delete, select

from storage.models import Decision, Draft, SecondCheckModel

VERDICTS = ("approve", "edit", "kill")


@dataclass(frozen=True)
class Verdict:
    decision_id: int
    action: str
    reason_code: str
    features: dict  # as stored on the draft: {"agent": ..., "am": ..., "x": {...}}


def _verdicts() -> ColumnElement[bool]:
    return and_(
        col(Decision.kind) == "draft",
        col(Decision.action).in_(VERDICTS),
        cast(col(Draft.features), String) != "{}",
    )


def latest(s: Session) -> SecondCheckModel | None:
    q = select(SecondCheckModel).order_by(col(SecondCheckModel.id).desc()).limit(1)
    return s.exec(q).first()


def newest_verdict_id(s: Session) -> int:
    q = select(func.max(Decision.id)).join(Draft, col(Draft.id) == Decision.draft_id)
    return int(s.exec(q.where(_verdicts())).one() or 0)


def verdict_count(s: Session) -> int:
    q = select(func.count()).select_from(Decision).join(Draft, col(Draft.id) == Decision.draft_id)
    return int(s.exec(q.where(_verdicts())).one())


def verdicts(s: Session, since_id: int = 0, limit: int | None = None) -> list[Verdict]:
    """Verdicts with their draft's features, oldest first: those after decision `since_id`,
    the newest `limit` of them when given."""
    q = (
        select(
            col(Decision.id),
            col(Decision.action),
            col(Decision.reason_code),
            col(Draft.features),
        )
        .join(Draft, col(Draft.id) == Decision.draft_id)
        .where(_verdicts(), col(Decision.id) > since_id)
        .order_by(col(Decision.id).desc())
    )
    if limit is not None:
        q = q.limit(limit)
    rows = [Verdict(int(i or 0), a, r, f) for i, a, r, f in s.exec(q)]
    rows.reverse()
    return rows


def recent_verdicts(s: Session, agent_id: str, limit: int) -> list[tuple[str, str, str]]:
    """(action, before body, after body) of an agent's newest verdicts on drafts."""
    q = (
        select(Decision.action, Decision.before_body, Decision.after_body)
        .where(
            Decision.agent_id == agent_id,
            Decision.kind == "draft",
            col(Decision.action).in_(VERDICTS),
        )
        .order_by(col(Decision.id).desc())
        .limit(limit)
    )
    return [(a, b, c) for a, b, c in s.exec(q)]


def save(s: Session, row: SecondCheckModel, keep: int) -> SecondCheckModel:
    """Store a trained model and drop all but the newest `keep`."""
    s.add(row)
    s.flush()
    kept = select(SecondCheckModel.id).order_by(col(SecondCheckModel.id).desc()).limit(keep)
    s.exec(delete(SecondCheckModel).where(col(SecondCheckModel.id).not_in(kept)))  # type: ignore[call-overload]
    return row
