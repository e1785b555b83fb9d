"""Account managers as the chat knows them (cached, so routing a review asks Slack at most
once a day per AM), the accounts each one owns, and reviews that went to another AM."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, update
from sqlmodel import Session, col, select

from storage.db import rowcount
from storage.models import Account, AccountManager, Review
from storage.upsert import upsert


def managers(s: Session, keys: Iterable[str] | None = None) -> dict[str, AccountManager]:
    """Cached AMs by user id (all of them when `keys` is None)."""
    q = select(AccountManager)
    if keys is not None:
        wanted = list(keys)
        if not wanted:
            return {}
        q = q.where(col(AccountManager.user_id).in_(wanted))
    return {m.user_id: m for m in s.exec(q)}


def by_email(s: Session, email: str) -> AccountManager | None:
    """The AM a chat lookup found at this address (a row keyed by the address itself is the
    record that nobody was found)."""
    if not email:
        return None
    rows = list(s.exec(select(AccountManager).where(AccountManager.email == email.lower())))
    found = [r for r in rows if r.user_id != email.lower()] or rows
    return found[0] if found else None


def save(s: Session, rows: Iterable[dict[str, Any]]) -> int:
    """Insert or update AMs by user id; only the columns given change."""
    by_columns: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        by_columns.setdefault(tuple(sorted(row)), []).append(row)
    return sum(upsert(s, AccountManager, group, ["user_id"]) for group in by_columns.values())


def claim_missing_notice(s: Session, user_id: str, now: datetime) -> bool:
    """Mark that the operators were told this AM is gone; True for exactly one caller."""
    res = s.execute(
        update(AccountManager)
        .where(
            col(AccountManager.user_id) == user_id,
            col(AccountManager.missing_told_at).is_(None),
        )
        .values(missing_told_at=now)
    )
    return rowcount(res) == 1


def owner_keys(s: Session) -> list[str]:
    """Every distinct owner AM the accounts name (chat user ids, or email addresses)."""
    q = select(Account.owner_am).where(Account.owner_am != "").distinct()
    return sorted(s.exec(q))


def accounts_owned(s: Session, keys: Iterable[str], limit: int = 50) -> list[Account]:
    """Accounts owned by any of these keys (an AM's user id and email), by name."""
    wanted = sorted({k.lower() for k in keys if k})  # an address may be written in any case
    if not wanted:
        return []
    q = (
        select(Account)
        .where(func.lower(col(Account.owner_am)).in_(wanted))
        .order_by(col(Account.name))
    )
    return list(s.exec(q.limit(limit)))


# One column, not the account's row: a tick asks this for every draft it routes.
_OWNER = select(Account.owner_am).where(col(Account.id) == bindparam("id"))


def owner_of(s: Session, account_id: str) -> str:
    if not account_id:
        return ""
    return s.execute(_OWNER, {"id": account_id}).scalar() or ""


def open_elsewhere(
    s: Session, agent_ids: Iterable[str], user: str, limit: int = 20
) -> tuple[list[Review], int]:
    """Open reviews of these agents that someone other than `user` decides, oldest first,
    and how many there are in all."""
    ids = list(agent_ids)
    if not ids:
        return [], 0
    where = (
        Review.status == "open",
        col(Review.agent_id).in_(ids),
        Review.owner != user,
        col(Review.kind).in_(("draft", "reply")),
    )
    q = select(Review).where(*where).order_by(col(Review.created_at), col(Review.id))
    rows = list(s.exec(q.limit(limit)))
    if len(rows) < limit:
        return rows, len(rows)
    return rows, s.exec(select(func.count()).select_from(Review).where(*where)).one()
