"""One row inserted with one Core statement: on the drafting hot path the ORM's unit of work
cost more than the row itself."""

from __future__ import annotations

from sqlalchemy import insert
from sqlmodel import Session, SQLModel

from storage.upsert import table_of


def insert_row(s: Session, row: SQLModel) -> int:
    """Insert `row` in the session's transaction and set its id. The row stays out of the
    session: a later change to it is not written, so use this only for rows whose
    writer changes them by statement (as `reviews.set_draft_status` does)."""
    table = table_of(type(row))
    values = {
        c.name: getattr(row, c.name)
        for c in table.columns
        if not (c.primary_key and getattr(row, c.name) is None)
    }
    new_id = s.execute(insert(table).returning(table.c.id), values).scalar_one()
    # Every table here has an integer id; the model's type does not say so.
    setattr(row, "id", new_id)  # noqa: B010
    return new_id
