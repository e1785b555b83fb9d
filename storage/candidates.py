"""Which accounts an agent's tick looks at, ranked by signal strength inside the database.

A million accounts carry millions of signals: fetching them to rank in Python costs more
than the whole rest of a tick. The database sums each account's signals (the noisy-or of
`bot.core.matching.signal_strength`, as a sum of logarithms) and hands back one page of
account ids in rank order; the tick loads signals only for the accounts it reaches.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Float, case, cast, desc, func, literal, update
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from storage.models import (
    Account,
    AgentState,
    Contact,
    RelationshipEvent,
    Signal,
)
from storage.models import Sequence as FollowUps

BATCH = 500  # ids per IN list
RANK_BATCH = 4000  # ids per ranking query (SQLite allows 32,766 parameters, PostgreSQL 65,535)
MOVED_MARGIN = timedelta(minutes=15)
FLOOR = 1e-12  # keeps ln() defined when a signal alone is certain


@dataclass(frozen=True)
class Segment:
    """The part of the book an agent may write to, and the signals it counts."""

    weights: Mapping[str, float]  # signal kind -> the agent's weight for it
    since: datetime  # signals observed before this are too old to count
    max_age_days: float
    industries: Sequence[str] = ()
    countries: Sequence[str] = ()
    min_employees: int = 0
    max_employees: int | None = None


@dataclass(frozen=True)
class Marks:
    """How far the stored signals and relationship events go: a tick records these before
    it reads, so whatever arrives while it runs is new to the next one."""

    signal: int
    event: int


def marks(s: Session) -> Marks:
    signal = s.exec(select(func.coalesce(func.max(Signal.id), 0))).one()
    event = s.exec(select(func.coalesce(func.max(RelationshipEvent.id), 0))).one()
    return Marks(int(signal or 0), int(event or 0))


def changed_accounts(s: Session, since: Marks, upto: Marks, touched_since: datetime) -> set[str]:
    """Accounts with a signal or a relationship event after `since` (up to `upto`), or a
    follow-up sequence that moved after `touched_since` (a conversation that ended frees its
    contact). Range reads on indexes: the cost follows what changed, not the book."""
    return marked_accounts(s, since, upto) | moved_accounts(s, touched_since)


def marked_accounts(s: Session, since: Marks, upto: Marks) -> set[str]:
    """Accounts with a signal or a relationship event after `since`, up to `upto`."""
    out: set[str] = set()
    q = select(Signal.account_id).where(
        col(Signal.id) > since.signal, col(Signal.id) <= upto.signal
    )
    out.update(s.exec(q.distinct()).all())
    q = select(RelationshipEvent.account_id).where(
        col(RelationshipEvent.id) > since.event, col(RelationshipEvent.id) <= upto.event
    )
    out.update(a for a in s.exec(q.distinct()).all() if a)
    return out


def moved_accounts(s: Session, touched_since: datetime) -> set[str]:
    """Accounts of contacts whose follow-up sequence moved after `touched_since` (less a
    margin: a change stamped just before that and committed after is read again, not lost)."""
    since = touched_since - MOVED_MARGIN
    moved = select(FollowUps.contact_id).where(col(FollowUps.updated_at) > since)
    q = select(Contact.account_id).where(col(Contact.id).in_(moved.scalar_subquery()))
    return set(s.exec(q.distinct()).all())


def industries_of(s: Session, account_ids: Collection[str]) -> dict[str, str]:
    """account id -> its industry (lower case, as stored), for the ids that exist."""
    ids = sorted(account_ids)
    out: dict[str, str] = {}
    for i in range(0, len(ids), BATCH):
        q = select(Account.id, Account.industry).where(col(Account.id).in_(ids[i : i + BATCH]))
        out.update((a, (industry or "").lower()) for a, industry in s.exec(q).all())
    return out


def ranked(
    s: Session,
    segment: Segment,
    now: datetime,
    *,
    accounts: Collection[str] | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> tuple[list[tuple[str, float]], int]:
    """(account id, strength) in rank order, strongest first (ties by id), and how many
    accounts in the segment have a counted signal. `accounts` narrows the ranking to those
    ids (an incremental tick); otherwise it covers the segment, one page at a time."""
    if not segment.weights:
        return [], 0
    if accounts is None:
        return _ranked_page(s, segment, now, None, limit, offset)
    ids = sorted(accounts)
    rows: list[tuple[str, float]] = []
    for i in range(0, len(ids), RANK_BATCH):
        rows.extend(_ranked_page(s, segment, now, ids[i : i + RANK_BATCH], None, 0)[0])
    rows.sort(key=lambda r: (-r[1], r[0]))
    page = rows[offset:] if limit is None else rows[offset : offset + limit]
    return page, len(rows)


def _ranked_page(
    s: Session,
    segment: Segment,
    now: datetime,
    ids: list[str] | None,
    limit: int | None,
    offset: int,
) -> tuple[list[tuple[str, float]], int]:
    weight = case(
        {k: literal(float(v), Float) for k, v in segment.weights.items()},
        value=col(Signal.kind),
        else_=literal(0.0, Float),
    )
    age = _age_days(s, now)
    faded = case(
        (age >= segment.max_age_days, literal(1.0, Float)),
        (age <= 0, literal(0.0, Float)),
        else_=age / segment.max_age_days,
    )
    chance = weight * (1.0 - 0.5 * faded)
    log_miss = func.ln(case((chance >= 1.0 - FLOOR, literal(FLOOR, Float)), else_=1.0 - chance))
    strength = cast(1.0 - func.exp(func.sum(log_miss)), Float).label("strength")
    q = (
        select(Signal.account_id, strength, func.count().over().label("n"))
        .select_from(Account)
        .join(Signal, col(Signal.account_id) == col(Account.id))
        .where(col(Signal.kind).in_(list(segment.weights)))
        .where(col(Signal.observed_at) >= segment.since)
        .where(col(Account.do_not_contact).is_(False))
        .where(col(Account.employees) >= segment.min_employees)
    )
    if segment.max_employees is not None:
        q = q.where(col(Account.employees) <= segment.max_employees)
    if segment.industries:
        # Over a list of ids the industry index is the wrong way in (it walks the whole
        # industry); lower() of an already lower-case column keeps SQLite off it.
        industry = col(Account.industry) if ids is None else func.lower(col(Account.industry))
        q = q.where(industry.in_([i.lower() for i in segment.industries]))
    if segment.countries:
        q = q.where(col(Account.country).in_([c.upper() for c in segment.countries]))
    if ids is not None:
        q = q.where(col(Account.id).in_(ids))
    q = q.group_by(col(Signal.account_id)).order_by(desc("strength"), col(Signal.account_id))
    if limit is not None:
        q = q.limit(limit)
    if offset:
        q = q.offset(offset)
    rows = s.exec(q).all()
    total = int(rows[0][2]) if rows else 0
    return [(a, float(st)) for a, st, _ in rows], total


def _age_days(s: Session, now: datetime) -> ColumnElement[Any]:
    """Days from each signal to `now`, in the database's own date arithmetic."""
    if s.get_bind().dialect.name == "sqlite":
        # Stored as 'YYYY-MM-DD HH:MM:SS.ffffff' in UTC, which julianday() reads as it is.
        stamp = now.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        return func.julianday(literal(stamp)) - func.julianday(col(Signal.observed_at))
    return cast(func.extract("epoch", literal(now) - col(Signal.observed_at)), Float) / 86400.0


def signals_of(
    s: Session,
    account_ids: Sequence[str],
    kinds: Collection[str] | None = None,
    since: datetime | None = None,
) -> list[tuple[str, int, str, datetime]]:
    """(account id, signal id, kind, observed_at) of the signals of these accounts: of these
    kinds and since then, or all of them."""
    out: list[tuple[str, int, str, datetime]] = []
    for i in range(0, len(account_ids), BATCH):
        q = select(Signal.account_id, Signal.id, Signal.kind, Signal.observed_at).where(
            col(Signal.account_id).in_(account_ids[i : i + BATCH])
        )
        if kinds is not None:
            q = q.where(col(Signal.kind).in_(list(kinds)))
        if since is not None:
            q = q.where(col(Signal.observed_at) >= since)
        out.extend((a, int(sid or 0), k, at) for a, sid, k, at in s.exec(q).all())
    return out


def remember_tick(
    s: Session,
    agent_id: str,
    since: Marks,
    upto: Marks,
    rules: str,
    now: datetime,
    *,
    full: bool,
    backlog: list[str],
) -> None:
    """Where the tick got to. A mark an import moved back meanwhile (`rewind_signal_marks`)
    stays back: the tick did not see that import's signals."""
    state = s.get(AgentState, agent_id, with_for_update=True)
    if state is None:
        return
    moved_back = state.signal_mark != since.signal
    state.signal_mark = min(state.signal_mark, upto.signal) if moved_back else upto.signal
    state.event_mark = upto.event
    state.rules_version, state.ticked_at, state.backlog = rules, now, backlog
    if full:
        state.full_at = now
    s.add(state)


def rewind_signal_marks(s: Session, below: int) -> None:
    """Signals were just committed with ids above `below`. On PostgreSQL ids are handed out
    at insert, not at commit: a tick that ran meanwhile may have marked past them unseen.
    Every agent's next tick reads from `below` again (reading a signal twice is harmless)."""
    s.execute(
        update(AgentState).where(col(AgentState.signal_mark) > below).values(signal_mark=below)
    )
