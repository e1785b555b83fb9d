"""Keys the app makes for itself, stored once and shared by every replica and restart."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlmodel import Session, SQLModel, select

from storage.models import AppSecret, session_now
from storage.upsert import dialect_insert, table_of


def insert_if_absent(s: Session, model: type[SQLModel], values: dict[str, Any]) -> bool:
    """Insert one row unless a row with its primary key exists; True if this call inserted it.

    Race-safe (INSERT ... ON CONFLICT DO NOTHING): when two transactions insert the same key
    at once, exactly one of them gets True and neither gets an error.
    """
    table = table_of(model)
    keys = list(table.primary_key.columns)
    stmt = dialect_insert(s, table).values(**values).on_conflict_do_nothing(index_elements=keys)
    # RETURNING, not rowcount: psycopg reports -1 for this statement through SQLAlchemy.
    return s.execute(stmt.returning(*keys)).first() is not None


def get_or_create(s: Session, name: str, make: Callable[[], str]) -> str:
    """The stored value of secret `name`; on first use, `make()` one and store it. Every
    caller, on any replica, gets the value that was stored first."""
    row = s.get(AppSecret, name)
    if row is not None:
        return row.value
    insert_if_absent(s, AppSecret, {"name": name, "value": make(), "created_at": session_now(s)})
    # Whoever won the insert, the stored row is now the answer (committed or ours).
    return s.exec(select(AppSecret.value).where(AppSecret.name == name)).one()
