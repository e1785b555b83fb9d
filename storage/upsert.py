"""Bulk insert-or-update that works on SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, SQLModel

BATCH = 2000  # rows per executemany call


def upsert(
    s: Session,
    model: type[SQLModel],
    rows: Iterable[dict[str, Any]],
    keys: Sequence[str],
    *,
    update: bool = True,
) -> int:
    """Insert rows; on a conflict on `keys` update the other columns (or leave the row).

    Returns how many rows were sent; batches keep memory flat for large imports.
    """
    table = model.__table__  # type: ignore[attr-defined]
    insert = postgresql.insert if s.get_bind().dialect.name == "postgresql" else sqlite.insert
    sent = 0
    # Keyed so a key repeated within one statement keeps its last row: PostgreSQL refuses
    # an ON CONFLICT DO UPDATE that would touch the same row twice.
    batch: dict[tuple, dict[str, Any]] = {}

    def flush() -> None:
        if not batch:
            return
        values = list(batch.values())
        # One statement, many parameter sets: compiled once and cached, sent as executemany.
        stmt = insert(table)
        cols = [c for c in values[0] if c not in keys]
        if update and cols:
            stmt = stmt.on_conflict_do_update(
                index_elements=list(keys), set_={c: stmt.excluded[c] for c in cols}
            )
        else:
            stmt = stmt.on_conflict_do_nothing(index_elements=list(keys))
        s.execute(stmt, values)
        batch.clear()

    for row in rows:
        batch[tuple(row[k] for k in keys)] = row
        sent += 1
        if len(batch) >= BATCH:
            flush()
    flush()
    return sent
