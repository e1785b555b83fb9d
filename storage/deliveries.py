"""Slack deliveries already taken (storage.models.SlackDelivery): first insert wins."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlmodel import Session, col

from storage.db import rowcount
from storage.models import SlackDelivery
from storage.upsert import dialect_insert


def first(s: Session, key: str, now: datetime) -> bool:
    """True for the first caller with `key`, on any replica; one INSERT, no read."""
    stmt = (
        dialect_insert(s, SlackDelivery)
        .values(key=key, at=now)
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(col(SlackDelivery.key))  # rowcount says -1 here on psycopg
    )
    return s.execute(stmt).first() is not None


def prune(s: Session, before: datetime) -> int:
    return rowcount(s.execute(delete(SlackDelivery).where(col(SlackDelivery.at) < before)))
