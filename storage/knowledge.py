"""What we sell, as a drafted answer to a reply may quote it."""

from __future__ import annotations

from collections.abc import Collection

from sqlmodel import Session, col, select

from storage.models import Capability


def capabilities(
    s: Session, first: str = "", limit: int = 8, allowed: Collection[str] = ()
) -> list[Capability]:
    """Our capabilities (only the `allowed` ids, when given), the thread's own (`first`)
    first, then by id; at most `limit`. Filtered before the limit: an agent allowed three
    capabilities gets those three, not what is left of the first eight."""
    q = select(Capability).order_by(col(Capability.id))
    if allowed:
        q = q.where(col(Capability.id).in_(list(allowed)))
    rows = list(s.exec(q))
    rows.sort(key=lambda c: c.id != first)
    return rows[:limit]
