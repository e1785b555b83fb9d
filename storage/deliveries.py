"""Slack deliveries already taken (storage.models.SlackDelivery): first insert wins."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col

from storage.models import SlackDelivery


def first(s: Session, key: str, now: datetime) -> bool:
    """True for the first caller with `key`, on any replica; one INSERT, no read."""
    insert = postgresql.insert if s.get_bind().dialect.name == "postgresql" else sqlite.insert
    stmt = (
        insert(SlackDelivery)
        .values(key=key, at=now)
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(col(SlackDelivery.key))  # rowcount says -1 here on psycopg
    )
    return s.execute(stmt).first() is not None


def prune(s: Session, before: datetime) -> int:
    res = s.execute(delete(SlackDelivery).where(col(SlackDelivery.at) < before))
    return res.rowcount
