"""The suppression list: addresses and whole domains ('@example.com') that get no mail."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlmodel import Session, col, select

from storage.db import rowcount
from storage.models import Suppression
from storage.upsert import upsert


def add(s: Session, values: list[str], reason: str, now: datetime) -> int:
    rows = [{"value": v, "reason": reason, "created_at": now} for v in values]
    before = set(s.exec(select(Suppression.value).where(col(Suppression.value).in_(values))))
    upsert(s, Suppression, rows, ["value"], update=False)
    return len(set(values) - before)


def add_addresses(s: Session, values: list[str], reason: str, now: datetime) -> int:
    """`add`, for suppressions read from mail. Only an operator or an import may suppress a
    whole domain: a value that is not `local@domain` is refused, nothing is written."""
    for v in values:
        local, at, domain = v.rpartition("@")
        if not (local and at and domain):
            raise ValueError(f"suppression value {v!r} is not one address")
    return add(s, values, reason, now)


def remove(s: Session, values: list[str]) -> int:
    return rowcount(s.execute(delete(Suppression).where(col(Suppression.value).in_(values))))


def listing(s: Session, like: str = "", limit: int = 1000) -> list[Suppression]:
    q = select(Suppression).order_by(col(Suppression.created_at).desc()).limit(limit)
    if like:
        q = q.where(col(Suppression.value).contains(like.lower()))
    return list(s.exec(q))
