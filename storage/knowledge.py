"""What we sell, as a drafted answer to a reply may quote it."""

from __future__ import annotations

from sqlmodel import Session, col, select

from storage.models import Capability


def capabilities(s: Session, first: str = "", limit: int = 8) -> list[Capability]:
    """Our capabilities, the thread's own (`first`) first, then by id; at most `limit`."""
    rows = list(s.exec(select(Capability).order_by(col(Capability.id))))
    rows.sort(key=lambda c: c.id != first)
    return rows[:limit]
