"""INSERT ... ON CONFLICT for SQLite and PostgreSQL alike: the one place that picks the
dialect's insert, and the bulk insert-or-update built on it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Table, case
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, SQLModel

BATCH = 2000  # rows per executemany call

Insert = postgresql.Insert | sqlite.Insert


def dialect_insert(s: Session, target: Table | type[SQLModel]) -> Insert:
    """An INSERT on the session's dialect, so `on_conflict_do_*` and `excluded` are there."""
    if s.get_bind().dialect.name == "postgresql":
        return postgresql.insert(target)
    return sqlite.insert(target)


def table_of(model: type[SQLModel]) -> Table:
    """The Core table behind a table model, typed: SQLAlchemy sets `Model.__table__` when the
    class is created, out of the type checker's sight."""
    table = sa_inspect(model).local_table
    if not isinstance(table, Table):
        raise TypeError(f"{model.__name__} is not a table model")
    return table


def upsert(
    s: Session,
    model: type[SQLModel],
    rows: Iterable[dict[str, Any]],
    keys: Sequence[str],
    *,
    update: bool = True,
    keep: Mapping[str, ColumnElement[bool]] | None = None,
) -> int:
    """Insert rows; on a conflict on `keys` update the other columns (or leave the row).
    `keep`: column -> a condition on the stored row under which that column keeps its value
    (a value a better source set is not overwritten by a file).

    Returns how many rows were sent; batches keep memory flat for large imports.
    """
    table = table_of(model)
    sent = 0
    # Keyed so a key repeated within one statement keeps its last row: PostgreSQL refuses
    # an ON CONFLICT DO UPDATE that would touch the same row twice.
    batch: dict[tuple[Any, ...], dict[str, Any]] = {}

    def flush() -> None:
        if not batch:
            return
        values = list(batch.values())
        # One statement, many parameter sets: compiled once and cached, sent as executemany.
        stmt = dialect_insert(s, table)
        cols = [c for c in values[0] if c not in keys]
        if update and cols:
            stmt = stmt.on_conflict_do_update(
                index_elements=list(keys),
                set_={
                    c: case((keep[c], table.c[c]), else_=stmt.excluded[c])
                    if keep and c in keep
                    else stmt.excluded[c]
                    for c in cols
                },
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
