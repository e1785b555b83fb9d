"""Which structured-output mode each model endpoint answers to (bot/model/structured.py)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from storage.models import ModelEndpoint
from storage.upsert import upsert


def modes(s: Session) -> dict[str, ModelEndpoint]:
    return {row.endpoint: row for row in s.exec(select(ModelEndpoint))}


def save(s: Session, endpoint: str, mode: str, detail: str, now: datetime) -> None:
    upsert(
        s,
        ModelEndpoint,
        [{"endpoint": endpoint, "mode": mode, "detail": detail, "updated_at": now}],
        ["endpoint"],
    )
