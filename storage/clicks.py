"""Presses on review cards and the decisions they ended in: what the operator's review time is
measured from (bot/reports/load.py). Range reads over indexed times; nothing here commits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select as sa_select  # typed for more columns than SQLModel's select
from sqlmodel import Session, col

from storage.models import Decision, Review, ReviewClick


def add(
    s: Session, review_id: int, agent_id: str, actor: str, action: str, at: datetime
) -> ReviewClick:
    click = ReviewClick(review_id=review_id, agent_id=agent_id, actor=actor, action=action, at=at)
    s.add(click)
    return click


def between(s: Session, since: datetime, until: datetime) -> list[tuple[str, str, datetime]]:
    """(actor, agent, at) of every press in [since, until), every agent's: one reviewer's
    time between two cards belongs to the second card, whichever agent wrote the first."""
    q = (
        sa_select(col(ReviewClick.actor), col(ReviewClick.agent_id), col(ReviewClick.at))
        .where(col(ReviewClick.at) >= since, col(ReviewClick.at) < until)
        .order_by(col(ReviewClick.actor), col(ReviewClick.at), col(ReviewClick.id))
    )
    return [(a, agent, at) for a, agent, at in s.execute(q).all()]


def decided(
    s: Session, since: datetime, until: datetime, agent_ids: Sequence[str] | None = None
) -> list[tuple[str, datetime | None, datetime]]:
    """(agent, when its card was posted, when it was decided) of decisions in [since, until);
    posted is None for a card never shown in the chat (the terminal, a simulation)."""
    q = (
        sa_select(col(Decision.agent_id), col(Review.posted_at), col(Decision.decided_at))
        .join(Review, col(Review.id) == col(Decision.review_id))
        .where(col(Decision.decided_at) >= since, col(Decision.decided_at) < until)
    )
    if agent_ids is not None:
        q = q.where(col(Decision.agent_id).in_(list(agent_ids)))
    return [(agent, posted, at) for agent, posted, at in s.execute(q).all()]
