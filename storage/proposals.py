"""Proposed changes to agent files, and the draft decisions they are mined from."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from storage.db import rowcount
from storage.models import Account, Contact, Decision, Draft, Proposal, Signal

VERDICTS = ("approve", "edit", "kill")


def verdicts(
    s: Session, agent_id: str, since: datetime
) -> list[tuple[Decision, Draft, Account, Contact]]:
    """The agent's draft verdicts since `since`, oldest first, with their drafts."""
    q = (
        select(Decision, Draft, Account, Contact)
        .join(Draft, col(Draft.id) == col(Decision.draft_id))
        .join(Account, col(Account.id) == col(Draft.account_id))
        .join(Contact, col(Contact.id) == col(Draft.contact_id))
        .where(
            Decision.agent_id == agent_id,
            Decision.kind == "draft",
            col(Decision.action).in_(VERDICTS),
            col(Decision.decided_at) >= since,
        )
        .order_by(col(Decision.decided_at), col(Decision.id))
    )
    return list(s.exec(q).all())


def signal_times(s: Session, ids: list[int]) -> dict[int, datetime]:
    if not ids:
        return {}
    q = select(Signal.id, Signal.observed_at).where(col(Signal.id).in_(ids))
    return {i: at for i, at in s.exec(q).all() if i is not None}


def by_key(s: Session, agent_id: str, key: str) -> Proposal | None:
    q = select(Proposal).where(Proposal.agent_id == agent_id, Proposal.key == key)
    return s.exec(q).first()


def listing(
    s: Session, agent_id: str | None = None, statuses: tuple[str, ...] = ("open",)
) -> list[Proposal]:
    q = select(Proposal).where(col(Proposal.status).in_(statuses))
    if agent_id:
        q = q.where(Proposal.agent_id == agent_id)
    return list(s.exec(q.order_by(col(Proposal.agent_id), col(Proposal.id))))


def decide(
    s: Session, proposal_id: int, status: str, actor: str, now: datetime, base_hash: str
) -> bool:
    """open -> applied | dismissed, only if it is still open and computed from `base_hash`."""
    res = s.execute(
        update(Proposal)
        .where(
            col(Proposal.id) == proposal_id,
            col(Proposal.status) == "open",
            col(Proposal.base_hash) == base_hash,
        )
        .values(status=status, decided_by=actor, decided_at=now)
    )
    return rowcount(res) == 1


def dismiss(s: Session, proposal_id: int, actor: str, now: datetime) -> bool:
    """Never proposed again: its key stays taken."""
    res = s.execute(
        update(Proposal)
        .where(col(Proposal.id) == proposal_id, col(Proposal.status).in_(("open", "stale")))
        .values(status="dismissed", decided_by=actor, decided_at=now)
    )
    return rowcount(res) == 1


def stale_siblings(s: Session, agent_id: str, base_hash: str, except_id: int) -> int:
    """Open proposals computed from a file that is about to change: stale. Their rows are
    written (and so locked) by the first Apply, so a second Apply on the same file version
    cannot also write it."""
    res = s.execute(
        update(Proposal)
        .where(
            col(Proposal.agent_id) == agent_id,
            col(Proposal.status) == "open",
            col(Proposal.base_hash) == base_hash,
            col(Proposal.id) != except_id,
        )
        .values(status="stale")
    )
    return rowcount(res)
