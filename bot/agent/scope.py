"""What one tick of an agent looks at: the whole segment when the matching rules changed,
otherwise only the accounts that changed since its last tick, plus those it did not reach.

A day in which 1% of accounts got new signals should cost about 1% of a full tick. What
decides a match is the agent file and its plays (and their approval), the operator's live
overrides and the knowledge graph: a change to any re-matches everything. A signal, a
relationship event (a send, a reply, a bounce, an AM's decision) or a follow-up sequence
that moved brings its account back; a re-match at least every `TWOLOOP_FULL_TICK_DAYS`
catches what nothing announces (an edited account, a lifted suppression).
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar, cast

from sqlmodel import Session

from bot.config.agents import Agent, AgentSpec
from storage import candidates
from storage.candidates import Marks, Segment
from storage.models import AgentState

T = TypeVar("T")

BACKLOG = 1000  # ranked account ids remembered for the next tick when the cap ran out


@dataclass(frozen=True)
class Scope:
    full: str  # why this tick re-matches the whole segment; "" when it is incremental
    accounts: frozenset[str] | None  # the accounts to rank; None: the whole segment
    upto: Marks  # where the stored signals and events stood when the tick began
    rules: str  # the matching rules' digest, remembered for the next tick
    since: Marks = Marks(0, 0)  # where the agent's previous tick had got to

    def describe(self) -> str:
        if self.full:
            return f"full: {self.full}"
        return f"incremental: {len(self.accounts or ())} changed or waiting accounts"


def segment_of(spec: AgentSpec, now: datetime) -> Segment:
    return Segment(
        weights=dict(spec.signals.items()),
        since=now - timedelta(days=spec.max_signal_age_days),
        max_age_days=spec.max_signal_age_days,
        industries=spec.segment.industries,
        countries=spec.segment.countries,
        min_employees=spec.segment.min_employees,
        max_employees=spec.segment.max_employees,
    )


def rules_version(agent: Agent, approved: set[str], overrides: dict, knowledge: str) -> str:
    """A digest of everything a match depends on except the accounts themselves;
    `knowledge` is `knowledge_version` of the graph."""
    parts = {
        "agent": agent.config_version,
        "plays": sorted(agent.play_hashes.items()),
        "approved": sorted(approved & set(agent.play_hashes)),
        "overrides": overrides,
        "knowledge": knowledge,
    }
    return _digest(parts)


def knowledge_version(knowledge: list, capabilities: dict[str, dict[str, str]]) -> str:
    """knowledge.yml's graph and capabilities. An AM's "won" edges come with customer
    accounts, which reach a tick as accounts with a relationship event, not as new rules."""
    return _digest(
        {
            "edges": sorted(list(e) for e in knowledge if not str(e[0]).startswith("am:")),
            "capabilities": sorted((k, sorted(v.items())) for k, v in capabilities.items()),
        }
    )


def _digest(parts: dict) -> str:
    blob = json.dumps(parts, sort_keys=True, default=str).encode()
    return hashlib.sha256(blob).hexdigest()[:32]


class Memo:
    """What the agents of one tick read alike (the knowledge graph, the accounts changed
    since a shared mark), read once: agents are planned on several threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values: dict[Hashable, Any] = {}

    def get(self, key: Hashable, make: Callable[[], T]) -> T:
        with self._lock:  # a second thread waits for the first's answer, not a second read
            if key not in self._values:
                self._values[key] = make()
            return cast(T, self._values[key])


def choose(
    s: Session,
    state: AgentState,
    rules: str,
    now: datetime,
    full_every: timedelta | None,
    asked: bool,
    memo: Memo | None = None,
    industries: Sequence[str] = (),
) -> Scope:
    upto = candidates.marks(s)
    since = Marks(state.signal_mark, state.event_mark)
    why = _why_full(state, rules, now, full_every, asked)
    if why:
        return Scope(why, None, upto, rules, since)
    touched = state.ticked_at or now
    memo = memo or Memo()
    # Agents that ticked together share their marks: what changed is read once per tick.
    changed: dict[str, str] = memo.get(
        ("changed", since, upto),
        lambda: candidates.industries_of(s, candidates.marked_accounts(s, since, upto)),
    )
    changed = changed | candidates.industries_of(s, candidates.moved_accounts(s, touched))
    # Every agent of a tick shares the changed accounts; each keeps those in its industries
    # (the ranking applies the whole segment; this only spares it the rest).
    wanted = {i.lower() for i in industries}
    mine = (a for a, industry in changed.items() if not wanted or industry in wanted)
    return Scope("", frozenset(mine) | frozenset(state.backlog), upto, rules, since)


def _why_full(
    state: AgentState, rules: str, now: datetime, full_every: timedelta | None, asked: bool
) -> str:
    if asked:
        return "asked for"
    if not state.rules_version or state.full_at is None:
        return "first tick"
    if state.rules_version != rules:
        return "agent file, plays, approvals, overrides or knowledge changed"
    if full_every is None:
        return "every tick re-matches (TWOLOOP_FULL_TICK_DAYS=0)"
    if now - _aware(state.full_at, now) >= full_every:
        days = full_every.total_seconds() / 86400
        return f"last full re-match over {days:g} day{'s' if days != 1 else ''} ago"
    return ""


def _aware(t: datetime, like: datetime) -> datetime:
    return t if t.tzinfo is not None else t.replace(tzinfo=like.tzinfo)


def remember(s: Session, agent_id: str, scope: Scope, now: datetime, left: list[str]) -> None:
    """Record where this tick got to; `left` is the ranked accounts it did not reach."""
    candidates.remember_tick(
        s,
        agent_id,
        scope.since,
        scope.upto,
        scope.rules,
        now,
        full=bool(scope.full),
        backlog=list(dict.fromkeys(left))[:BACKLOG],
    )
