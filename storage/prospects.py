"""Queries over accounts, contacts, signals, suppression and the graph."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from storage.models import (
    Account,
    AgentState,
    Capability,
    Contact,
    Draft,
    Edge,
    LearnedWeight,
    Node,
    Signal,
    Suppression,
)


def candidate_signals(
    s: Session,
    kinds: Sequence[str],
    since: datetime,
    industries: Sequence[str] = (),
    countries: Sequence[str] = (),
    min_employees: int = 0,
    max_employees: int | None = None,
) -> dict[str, tuple[Account, list[Signal]]]:
    """Accounts in the segment with signals of the given kinds since `since`."""
    q = (
        select(Account, Signal)
        .join(Signal, col(Signal.account_id) == col(Account.id))
        .where(col(Signal.kind).in_(kinds), col(Signal.observed_at) >= since)
        .where(col(Account.do_not_contact).is_(False))
        .where(col(Account.employees) >= min_employees)
    )
    if max_employees is not None:
        q = q.where(col(Account.employees) <= max_employees)
    if industries:
        q = q.where(func.lower(Account.industry).in_([i.lower() for i in industries]))
    if countries:
        q = q.where(func.upper(Account.country).in_([c.upper() for c in countries]))
    out: dict[str, tuple[Account, list[Signal]]] = {}
    for account, signal in s.exec(q.order_by(col(Signal.observed_at).desc())):
        out.setdefault(account.id, (account, []))[1].append(signal)
    return out


def contacts_for(s: Session, account_ids: Iterable[str]) -> dict[str, list[Contact]]:
    out: dict[str, list[Contact]] = defaultdict(list)
    ids = list(account_ids)
    for i in range(0, len(ids), 500):
        q = select(Contact).where(col(Contact.account_id).in_(ids[i : i + 500]))
        for c in s.exec(q.order_by(col(Contact.id))):
            out[c.account_id].append(c)
    return out


def edges_for(s: Session, account_ids: Iterable[str]) -> list[tuple[str, str, str, float]]:
    """Every knowledge edge (not starting at an account) plus the given accounts' edges."""
    rows = s.exec(
        select(Edge.src, Edge.rel, Edge.dst, Edge.weight).where(
            ~col(Edge.src).startswith("account:")
        )
    ).all()
    nodes = [f"account:{a}" for a in account_ids]
    for i in range(0, len(nodes), 500):
        q = select(Edge.src, Edge.rel, Edge.dst, Edge.weight).where(
            col(Edge.src).in_(nodes[i : i + 500])
        )
        rows.extend(s.exec(q).all())
    return [tuple(r) for r in rows]


def node_labels(s: Session, keys: Iterable[str]) -> dict[str, str]:
    keys = list(set(keys))
    if not keys:
        return {}
    return dict(s.exec(select(Node.key, Node.label).where(col(Node.key).in_(keys))).all())


def learned_weights(s: Session, agent_id: str) -> dict[str, tuple[float, float]]:
    q = select(LearnedWeight).where(LearnedWeight.agent_id == agent_id)
    return {w.rel: (w.alpha, w.beta) for w in s.exec(q)}


def suppression_for(s: Session, email: str) -> str | None:
    email = email.strip().lower()
    domain = "@" + email.rpartition("@")[2]
    row = s.exec(
        select(Suppression).where(or_(Suppression.value == email, Suppression.value == domain))
    ).first()
    return row.reason if row else None


def agent_state(s: Session, agent_id: str, config_version: str) -> AgentState:
    """The agent's row, created on first sight (new agents start on probation)."""
    state = s.get(AgentState, agent_id)
    if state is None:
        state = AgentState(agent_id=agent_id, config_version=config_version)
        s.add(state)
        s.flush()
    elif state.config_version != config_version:
        state.config_version = config_version
        s.add(state)
    return state


def trigger_seen(s: Session, trigger_key: str) -> bool:
    return s.exec(select(Draft.id).where(Draft.trigger_key == trigger_key)).first() is not None


def drafts_since(s: Session, agent_id: str, since: datetime) -> int:
    """Drafts that count against the daily cap (hard-stopped ones do not)."""
    q = select(func.count()).where(
        Draft.agent_id == agent_id, Draft.created_at >= since, Draft.status != "stopped"
    )
    return s.exec(q).one()


def signals_by_id(s: Session, ids: Iterable[int]) -> list[Signal]:
    ids = list(ids)
    if not ids:
        return []
    return list(s.exec(select(Signal).where(col(Signal.id).in_(ids))))


def capability(s: Session, capability_id: str) -> dict[str, str]:
    row = s.get(Capability, capability_id)
    return {"name": row.name, "summary": row.summary, "proof": row.proof} if row else {}
