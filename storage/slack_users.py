"""What Slack told us of users (time zones for local-time digests), cached in the database."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlmodel import Session, col, select

from storage.models import SlackUser
from storage.upsert import upsert


def cached(s: Session, user_ids: Iterable[str]) -> dict[str, SlackUser]:
    ids = list(user_ids)
    if not ids:
        return {}
    return {u.user_id: u for u in s.exec(select(SlackUser).where(col(SlackUser.user_id).in_(ids)))}


def save(s: Session, user_id: str, tz: str, now: datetime) -> None:
    """`tz` '' records that Slack had none (or did not answer), so we do not ask again today."""
    upsert(
        s, SlackUser, [{"user_id": user_id, "name": "", "tz": tz, "fetched_at": now}], ["user_id"]
    )
