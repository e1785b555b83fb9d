"""Queries over accounts, contacts, signals, suppression and the graph."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import bindparam, func, literal, or_, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from storage.bulk import Bulk
from storage.db import rowcount
from storage.models import (
    Account,
    AgentState,
    Capability,
    Contact,
    Draft,
    Edge,
    FeedState,
    Node,
    PlayVersion,
    Signal,
    Suppression,
    session_now,
)
from storage.suppression import REPLY_HELD
from storage.upsert import dialect_insert, table_of, upsert


def contacts_for(s: Session, account_ids: Iterable[str]) -> dict[str, list[Contact]]:
    out: dict[str, list[Contact]] = defaultdict(list)
    ids = list(account_ids)
    for i in range(0, len(ids), 500):
        q = select(Contact).where(col(Contact.account_id).in_(ids[i : i + 500]))
        for c in s.exec(q.order_by(col(Contact.id))):
            out[c.account_id].append(c)
    return out


def accounts_by_id(s: Session, ids: Iterable[str]) -> dict[str, Account]:
    ids = list(ids)
    out: dict[str, Account] = {}
    for i in range(0, len(ids), 500):
        for a in s.exec(select(Account).where(col(Account.id).in_(ids[i : i + 500]))):
            out[a.id] = a
    return out


EdgeRow = tuple[str, str, str, float]


def knowledge_edges(s: Session) -> list[EdgeRow]:
    """The fixed part of the graph: every edge that does not start at an account."""
    q = select(Edge.src, Edge.rel, Edge.dst, Edge.weight)
    if s.get_bind().dialect.name == "sqlite":
        # Two ranges on the src index, not a scan of millions of account edges: SQLite
        # compares bytes. (PostgreSQL's locale collations skip the ':' — no ranges there.)
        q = q.where(or_(col(Edge.src) < "account:", col(Edge.src) >= "account;"))
    else:
        q = q.where(~col(Edge.src).startswith("account:"))
    return [(src, rel, dst, w) for src, rel, dst, w in s.exec(q).all()]


def account_edges(s: Session, account_ids: Iterable[str]) -> list[EdgeRow]:
    nodes = [f"account:{a}" for a in account_ids]
    rows: list[EdgeRow] = []
    for i in range(0, len(nodes), 500):
        q = select(Edge.src, Edge.rel, Edge.dst, Edge.weight).where(
            col(Edge.src).in_(nodes[i : i + 500])
        )
        rows.extend((src, rel, dst, w) for src, rel, dst, w in s.exec(q).all())
    return rows


def seen_triggers(s: Session, keys: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for i in range(0, len(keys), 500):
        q = select(Draft.trigger_key).where(col(Draft.trigger_key).in_(keys[i : i + 500]))
        found |= set(s.exec(q).all())
    return found


def tokens_since(s: Session, agent_id: str, since: datetime) -> int:
    q = select(func.coalesce(func.sum(Draft.tokens), 0)).where(
        Draft.agent_id == agent_id, Draft.created_at >= since
    )
    return int(s.exec(q).one())


def node_labels(s: Session, keys: Iterable[str]) -> dict[str, str]:
    keys = list(set(keys))
    if not keys:
        return {}
    return dict(s.exec(select(Node.key, Node.label).where(col(Node.key).in_(keys))).all())


def suppression_for(s: Session, email: str, *, holds: bool = True) -> str | None:
    """Why no mail may go to `email` (its own row or its domain's), or None; a stop before a
    hold. `holds=False` passes a hold (REPLY_HELD): it keeps agents' mail from someone whose
    reply waits for a person, never that person's answer."""
    email = email.strip().lower()
    domain = "@" + email.rpartition("@")[2]
    q = select(Suppression.reason).where(
        or_(col(Suppression.value) == email, col(Suppression.value) == domain)
    )
    if not holds:
        q = q.where(col(Suppression.reason) != REPLY_HELD)
    reasons = s.exec(q).all()
    return next((r for r in reasons if r != REPLY_HELD), reasons[0] if reasons else None)


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


# Asked for every draft a tick stores: a Core statement built once (see storage/relationships.py).
_DRAFTS = table_of(Draft)
_TRIGGER_SEEN = sa_select(_DRAFTS.c.id).where(_DRAFTS.c.trigger_key == bindparam("key")).limit(1)


def trigger_seen(s: Session, trigger_key: str) -> bool:
    return s.execute(_TRIGGER_SEEN, {"key": trigger_key}).first() is not None


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


def existing_accounts(s: Session, ids: Iterable[str]) -> set[str]:
    ids = list(ids)
    found: set[str] = set()
    for i in range(0, len(ids), 500):
        found |= set(s.exec(select(Account.id).where(col(Account.id).in_(ids[i : i + 500]))))
    return found


def nodes_with_prefix(s: Session, prefix: str) -> dict[str, tuple[str, list[str]]]:
    """Graph node keys (without the prefix) with label and aliases, e.g. all 'role:' nodes."""
    q = select(Node.key, Node.label, Node.aliases).where(col(Node.key).startswith(prefix))
    rows = s.exec(q).all()
    return {key.removeprefix(prefix): (label, list(aliases)) for key, label, aliases in rows}


def contact_ids_by_email(s: Session, emails: Iterable[str]) -> dict[str, str]:
    emails = list(emails)
    out: dict[str, str] = {}
    for i in range(0, len(emails), 500):
        q = select(Contact.email, Contact.id).where(col(Contact.email).in_(emails[i : i + 500]))
        out.update(dict(s.exec(q).all()))
    return out


def play_version(s: Session, play_id: str, content_hash: str) -> PlayVersion | None:
    q = select(PlayVersion).where(
        PlayVersion.play_id == play_id, PlayVersion.content_hash == content_hash
    )
    return s.exec(q).first()


def approved_plays(s: Session, hashes: dict[str, str]) -> set[str]:
    """Which of these plays (id -> current hash) have their current version approved."""
    if not hashes:
        return set()
    q = select(PlayVersion.play_id, PlayVersion.content_hash).where(
        col(PlayVersion.play_id).in_(list(hashes)), PlayVersion.status == "approved"
    )
    return {pid for pid, h in s.exec(q).all() if hashes.get(pid) == h}


def existing_dedupe_keys(s: Session, keys: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for i in range(0, len(keys), 500):
        q = select(Signal.dedupe_key).where(col(Signal.dedupe_key).in_(keys[i : i + 500]))
        found |= set(s.exec(q).all())
    return found


def feed_state(s: Session, url: str) -> FeedState:
    state = s.get(FeedState, url)
    if state is None:
        state = FeedState(url=url)
        s.add(state)
    return state


def accounts_by_domain(s: Session, domains: Iterable[str]) -> dict[str, str]:
    domains = list(set(domains))
    out: dict[str, str] = {}
    for i in range(0, len(domains), 500):
        q = select(Account.domain, Account.id).where(col(Account.domain).in_(domains[i : i + 500]))
        out.update(dict(s.exec(q).all()))
    return out


def all_labels(s: Session) -> dict[str, str]:
    """Every labelled node (the knowledge graph's: small, loaded once per tick)."""
    return dict(s.exec(select(Node.key, Node.label)).all())


def node_aliases(s: Session, keys: Iterable[str] | None = None) -> dict[str, list[str]]:
    """Node key -> the words that map text to it (a role's or tech's `matches`), for nodes
    that have any; all of them (the knowledge graph's: small) when `keys` is None."""
    q = select(Node.key, Node.aliases)
    if keys is not None:
        q = q.where(col(Node.key).in_(list(set(keys))))
    return {key: list(aliases) for key, aliases in s.exec(q).all() if aliases}


def all_capabilities(s: Session) -> dict[str, dict[str, str]]:
    return {
        c.id: {"name": c.name, "summary": c.summary, "proof": c.proof}
        for c in s.exec(select(Capability))
    }


def suppressions_for(s: Session, emails: Iterable[str]) -> dict[str, str]:
    """email -> suppression reason, for those of `emails` suppressed (address or domain)."""
    emails = [e.strip().lower() for e in emails]
    values = set(emails) | {"@" + e.rpartition("@")[2] for e in emails}
    reasons: dict[str, str] = {}
    vals = list(values)
    for i in range(0, len(vals), 500):
        q = select(Suppression.value, Suppression.reason).where(
            col(Suppression.value).in_(vals[i : i + 500])
        )
        reasons.update(dict(s.exec(q).all()))
    out = {}
    for e in emails:
        reason = reasons.get(e) or reasons.get("@" + e.rpartition("@")[2])
        if reason:
            out[e] = reason
    return out


def set_agent_paused(
    s: Session, agent_id: str, paused: bool, reason: str = "", by: str = ""
) -> bool:
    """Pause or resume an agent; True if this call changed it (a conditional UPDATE).
    `by`: the user who paused it, or "guard" for the deliverability guard."""
    s.execute(
        dialect_insert(s, AgentState)
        .values(agent_id=agent_id, overrides={})
        .on_conflict_do_nothing()
    )
    res = s.execute(
        update(AgentState)
        .where(col(AgentState.agent_id) == agent_id, col(AgentState.paused).is_(not paused))
        .values(
            paused=paused,
            paused_reason=reason if paused else "",
            paused_by=by if paused else "",
            updated_at=session_now(s),
        )
    )
    return rowcount(res) == 1


def upsert_accounts(s: Session, rows: Iterable[dict]) -> int:
    """Accounts from a file. What the CRM synced (owner, open deal) and a customer status set
    by the CRM, a person or a kill are kept: those sources are better than a typed column."""
    table = Account.__table__.c  # type: ignore[attr-defined]
    from_crm = table.crm_id != ""
    decided = table.customer_source != ""
    keep = {"owner_am": from_crm, "open_deal": from_crm, "customer_status": decided}
    return upsert(s, Account, rows, ["id"], keep=keep)


def bulk_accounts(s: Session, columns: Sequence[str]) -> Bulk:
    """`upsert_accounts` for a million rows: the same kept columns, as plain tuples."""
    keep = {
        "owner_am": "\"account\".crm_id != ''",
        "open_deal": "\"account\".crm_id != ''",
        "customer_status": "\"account\".customer_source != ''",
    }
    return Bulk(s, Account, columns, ["id"], keep={c: keep[c] for c in columns if c in keep})


def any_rows(s: Session, model: type[Account] | type[Contact]) -> bool:
    """Whether the table holds anything: an import into an empty one skips its lookups."""
    return s.exec(select(literal(1)).select_from(model).limit(1)).first() is not None
