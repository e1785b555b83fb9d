"""Per-agent Beta(alpha, beta) evidence, moved by AM decisions, one row per key (`rel` holds
it: `*`, a relation type, or a step such as `hiring_for>role:data-engineer`; rows from before
steps existed are relation types).

Increments are one INSERT ... ON CONFLICT DO UPDATE per key that adds to the
stored counts in the database, never a read-modify-write in Python: two decisions landing
at once on SQLite or PostgreSQL both count.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from sqlmodel import Session, select

from storage.models import LearnedWeight
from storage.upsert import dialect_insert, table_of

PRIOR = (1.0, 1.0)  # Beta(1, 1): no opinion; also the table's column defaults


def weights(s: Session, agent_id: str) -> dict[str, tuple[float, float]]:
    """key -> (alpha, beta) for one agent; keys never decided on are absent."""
    q = select(LearnedWeight).where(LearnedWeight.agent_id == agent_id)
    return {w.rel: (w.alpha, w.beta) for w in s.exec(q)}


def has_key(s: Session, agent_id: str, key: str) -> bool:
    q = select(LearnedWeight.rel).where(
        LearnedWeight.agent_id == agent_id, LearnedWeight.rel == key
    )
    return s.exec(q).first() is not None


def add_evidence(
    s: Session,
    agent_id: str,
    keys: Iterable[str],
    *,
    alpha: float = 0.0,
    beta: float = 0.0,
    now: datetime,
    start: Mapping[str, tuple[float, float]] | None = None,
) -> None:
    """Add `alpha` (for) and `beta` (against) to each key's counts, once each.

    A key not stored yet starts from PRIOR, or from `start`'s counts for it: the start is
    used only by the INSERT, so when two transactions both found the row missing the start
    still counts once and both increments count. Sorted so concurrent transactions lock the rows in
    the same order (no deadlock).
    """
    table = table_of(LearnedWeight)
    for key in sorted(set(keys)):
        a0, b0 = (start or {}).get(key, PRIOR)
        stmt = dialect_insert(s, table).values(
            agent_id=agent_id,
            rel=key,
            alpha=a0 + alpha,
            beta=b0 + beta,
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
