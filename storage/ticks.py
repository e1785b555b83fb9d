"""Tick claims: a scheduled tick inserts its (agent, slot) row before it runs, first wins,
so two schedulers that briefly overlap still run each slot once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from storage.models import TickRun
from storage.upsert import dialect_insert


def claim(s: Session, agent_id: str, slot: datetime, owner: str, now: datetime) -> int | None:
    """The new run's id, or None when another process already claimed this slot."""
    stmt = (
        dialect_insert(s, TickRun)
        .values(agent_id=agent_id, scheduled_for=slot, owner=owner, started_at=now)
        .on_conflict_do_nothing(index_elements=["agent_id", "scheduled_for"])
        .returning(col(TickRun.id))
    )
    return s.execute(stmt).scalar()


def finish(s: Session, run_id: int, status: str, now: datetime) -> None:
    """Unconditional: a run another replica marked abandoned may still have completed."""
    s.execute(
        update(TickRun).where(col(TickRun.id) == run_id).values(status=status, finished_at=now)
    )


def abandon_others(s: Session, owner: str, now: datetime) -> list[TickRun]:
    """Runs still `running` under another owner: the leader before us stopped mid-tick."""
    rows = list(s.exec(select(TickRun).where(TickRun.status == "running", TickRun.owner != owner)))
    for row in rows:
        s.execute(
            update(TickRun)
            .where(col(TickRun.id) == row.id, col(TickRun.status) == "running")
            .values(status="abandoned", finished_at=now)
        )
    return rows


def interrupt(s: Session, run_ids: list[int], now: datetime) -> None:
    """Runs this process is abandoning at shutdown."""
    if run_ids:
        s.execute(
            update(TickRun)
            .where(col(TickRun.id).in_(run_ids), col(TickRun.status) == "running")
            .values(status="failed", finished_at=now)
        )


def runs(s: Session, agent_id: str | None = None) -> list[TickRun]:
    q = select(TickRun).order_by(col(TickRun.scheduled_for))
    if agent_id is not None:
        q = q.where(TickRun.agent_id == agent_id)
    return list(s.exec(q))
