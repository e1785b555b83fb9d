"""Per-agent Beta(alpha, beta) weights of relation types, moved by AM decisions.

Increments are one INSERT ... ON CONFLICT DO UPDATE per relation type that adds to the
stored counts in the database, never a read-modify-write in Python: two decisions landing
at once on SQLite or PostgreSQL both count.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlmodel import Session, select

from storage.models import LearnedWeight
from storage.upsert import dialect_insert, table_of

PRIOR = (1.0, 1.0)  # Beta(1, 1): no opinion; also the table's column defaults


def weights(s: Session, agent_id: str) -> dict[str, tuple[float, float]]:
    """relation type -> (alpha, beta) for one agent; types never decided on are absent."""
    q = select(LearnedWeight).where(LearnedWeight.agent_id == agent_id)
    return {w.rel: (w.alpha, w.beta) for w in s.exec(q)}


def add_evidence(
    s: Session,
    agent_id: str,
    rels: Iterable[str],
    *,
    alpha: float = 0.0,
    beta: float = 0.0,
    now: datetime,
) -> None:
    """Add `alpha` (for) and `beta` (against) to each relation type's counts, once each.

    Sorted so concurrent transactions lock the rows in the same order (no deadlock).
    """
    table = table_of(LearnedWeight)
    for rel in sorted(set(rels)):
        stmt = dialect_insert(s, table).values(
            agent_id=agent_id,
            rel=rel,
            alpha=PRIOR[0] + alpha,
            beta=PRIOR[1] + beta,
            updated_at=now,
        )
        s.execute(
            stmt.on_conflict_do_update(
                index_elements=["agent_id", "rel"],
                set_={
                    "alpha": table.c.alpha + alpha,
                    "beta": table.c.beta + beta,
                    "updated_at": stmt.excluded.updated_at,
                },
            )
        )
