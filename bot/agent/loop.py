"""One pass of the agent loop: discovery -> matching -> drafting -> gate -> outbox or review.

Candidates are ranked by signal strength and walked in chunks, so an agent with a cap of 25
touches a few hundred accounts, not the whole segment. Writers run outside any database
transaction and in parallel (a slow model must not hold SQLite's write lock), then each
draft is gated and stored in a transaction of its own.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.agent import plays, scope
from bot.agent.book import Book
from bot.agent.facts import Candidate, facts_for, pick_contact
from bot.agent.routing import Routing
from bot.config.agents import SLOT, Agent, PlaySpec
from bot.core import content, gate, grounding, injection, personalization
from bot.core.audits import AuditRate
from bot.core.drafting import (
    DraftRequest,
    Fact,
    OfflineWriter,
    Writer,
    Written,
)
from bot.core.gate import GateInput
from bot.core.gate import decide as gate_decide
from bot.core.matching import Graph, Match, best_match, signal_strength
from bot.core.relationship import Event, Standing, referred_contact
from bot.core.second_check import Current, sigmoid
from bot.core.second_check import features as check_features
from bot.mail.outbound import outbox
from bot.memory import budgets, standing
from bot.review import control, learning, second_check
from bot.review import lifecycle as reviews
from bot.review.trust import audit_rate
from bot.runtime import Runtime
from storage import audit, candidates, prospects, relationships
from storage.candidates import Segment
from storage.models import Account, Contact, Draft, Signal
from storage.rows import insert_row

log = logging.getLogger(__name__)

# Candidates whose contacts and edges are loaded together. The chunk is ranked by match score
# and the AM's lean before the cap's slots are given out, so it is kept wide even for a cap of
# 25: four candidates per slot made the tick about 10% cheaper, but the simulated operator's
# queue 5-17 minutes a day longer (benchmarks/operator_load.py), as worse fits were drafted.
CHUNK = 200
PAGE = 5000  # ranked account ids read at once; a full tick rarely needs a second page
RANK_AHEAD = 2  # agents ranked ahead of the one drafting, each on its own connection
AGENTS_AT_ONCE = 4  # agents ticking in parallel when drafting waits on a model


@dataclass
class TickReport:
    agent_id: str
    skipped: str = ""
    scope: str = ""  # "full: why" or "incremental: N changed or waiting accounts"
    # CPU seconds (of the threads doing it) spent choosing and ranking accounts, and on
    # drafting: what a tick costs, apart from waiting on a model or another thread.
    choosing_cpu: float = 0.0
    drafting_cpu: float = 0.0
    candidates: int = 0
    drafted: int = 0
    outcomes: Counter = field(default_factory=Counter)
    dropped: Counter = field(default_factory=Counter)
    samples: list = field(default_factory=list)  # a few (account, reason) drops, for the audit

    def drop(self, account_id: str, reason: str) -> None:
        self.dropped[reason] += 1
        if len(self.samples) < 20:
            self.samples.append({"account": account_id, "reason": reason})

    def line(self) -> str:
        if self.skipped:
            return f"{self.agent_id}: skipped ({self.skipped})"
        out = ", ".join(f"{k} {v}" for k, v in sorted(self.outcomes.items())) or "nothing new"
        drop = ", ".join(f"{k} {v}" for k, v in sorted(self.dropped.items()))
        return (
            f"{self.agent_id}: {self.candidates} candidates, {self.drafted} drafted ({out})"
            + (f"; dropped: {drop}" if drop else "")
            + (f" [{self.scope}]" if self.scope else "")
        )


PREDICTED_KILL = "predicted_kill"  # the gate's stop for a draft the AM would surely kill


@dataclass
class TickContext:
    """What one agent's tick reads once and every chunk shares."""

    knowledge: list  # edges that do not start at an account
    learned: dict[str, float]  # relation type -> learned factor
    decisions: dict[str, int]  # relation type -> AM decisions behind that factor
    labels: dict[str, str]  # node key -> label
    capabilities: dict[str, dict[str, str]]
    ready: list[PlaySpec]  # the agent's plays whose current version is approved
    # The second check's model (retrained first if stale) and this agent's edit history.
    second_check: Current = field(default_factory=Current)
    edits: tuple[float, float] = (0.0, 0.0)
    audit: AuditRate = field(default_factory=lambda: AuditRate(0.0))  # its random audit
    aliases: dict[str, list[str]] = field(default_factory=dict)  # node key -> words for it
    graph: Graph | None = None  # the knowledge edges' graph, built once per tick
    routing: Routing = field(default_factory=Routing)  # deciding AMs and review routes
    book: Book = field(default_factory=Book)  # the accounts' rows, read once per tick
    matched: dict[str, Match | None] = field(default_factory=dict)  # account -> its best match


@dataclass
class Work:
    """One draft to write: everything the writer and the gate need, read before writing."""

    agent: Agent
    account: Account
    contact: Contact
    signals: list[Signal]
    match: Match
    play: PlaySpec
    key: str
    facts: dict[str, Fact]
    labels: dict[str, str]
    suppressed: str | None = None  # the suppression's reason, if the address is suppressed
    standing: Standing = field(default_factory=Standing)  # what the history says of them
    second_check: Current = field(default_factory=Current)
    edits: tuple[float, float] = (0.0, 0.0)  # the agent's recent edit share and mean size
    routing: Routing = field(default_factory=Routing)  # the tick's, shared by its drafts
    audit: AuditRate = field(default_factory=lambda: AuditRate(0.0))


def tick(rt: Runtime, agent_id: str | None = None, *, full: bool = False) -> list[TickReport]:
    """Tick the fleet (or one agent). Each agent reads only what changed since its last tick
    unless its rules changed or `full` asks for a re-match of the whole segment."""
    fleet = rt.fleet()
    for err in fleet.errors:
        log.error("agent config error: %s", err)
    if agent_id is not None and agent_id not in fleet.agents:
        raise KeyError(f"no agent {agent_id!r} (have: {', '.join(sorted(fleet.agents))})")
    chosen = [fleet.agents[agent_id]] if agent_id else list(fleet.agents.values())
    chosen = [a for a in chosen if a.spec.active or agent_id]
    if len(chosen) < 2:
        return [tick_agent(rt, a, full=full) for a in chosen]
    if not rt.uses_model:
        # Ranking is the database's work (it releases the GIL): agents further down the
        # list are ranked on other cores while the one in front drafts.
        return _ranked_ahead(rt, chosen, full)
    # With a model, agents spend their time waiting on it: tick enough at once that their
    # drafts keep every call the endpoint's pacer allows (bot/model/pacing.py) in flight,
    # not one agent's slowest draft; a quarter of them, as each has many drafts to write.
    workers = min(len(chosen), max(AGENTS_AT_ONCE, rt.draft_concurrency // 4))
    memo = scope.Memo()
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="tick") as pool:
        return list(pool.map(lambda a: tick_agent(rt, a, full=full, memo=memo), chosen))


def _ranked_ahead(rt: Runtime, chosen: list[Agent], full: bool) -> list[TickReport]:
    """Tick agents in order while the next RANK_AHEAD are planned on other threads (a plan
    holds the knowledge graph: only a few are kept at once)."""
    reports = []
    memo = scope.Memo()
    with ThreadPoolExecutor(max_workers=RANK_AHEAD, thread_name_prefix="rank") as ahead:
        queued = deque(ahead.submit(plan_tick, rt, a, full, memo) for a in chosen[:RANK_AHEAD])
        for i, agent in enumerate(chosen):
            plan = queued.popleft().result()
            if i + RANK_AHEAD < len(chosen):
                nxt = chosen[i + RANK_AHEAD]
                queued.append(ahead.submit(plan_tick, rt, nxt, full, memo))
            reports.append(tick_agent(rt, agent, plan=plan))
    return reports


def start_of_day(now: datetime, tz: str) -> datetime:
    local = now.astimezone(ZoneInfo(tz))
    return local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(now.tzinfo)


def tick_agent(
    rt: Runtime,
    agent: Agent,
    *,
    full: bool = False,
    plan: Plan | None = None,
    memo: scope.Memo | None = None,
) -> TickReport:
    report = TickReport(agent.id)
    try:
        _tick(rt, plan or plan_tick(rt, agent, full, memo), report)
    finally:
        if not report.skipped or report.skipped.startswith("paused"):
            with rt.db.session() as s:
                audit.record(
                    s,
                    f"agent:{agent.id}",
                    "tick",
                    f"agent:{agent.id}",
                    {
                        "candidates": report.candidates,
                        "drafted": report.drafted,
                        "outcomes": dict(report.outcomes),
                        "dropped": dict(report.dropped),
                        "samples": report.samples,
                        "skipped": report.skipped,
                        "scope": report.scope,
                        "cpu_seconds": {
                            "choosing": round(report.choosing_cpu, 3),
                            "drafting": round(report.drafting_cpu, 3),
                        },
                    },
                    agent.config_version,
                )
    if report.outcomes.get("send"):
        rt.outbox_wakeup.set()
    log.info("tick %s", report.line())
    return report


@dataclass
class Plan:
    """What a tick decided before drafting: whether it runs, over which accounts, in what
    order. Made ahead of the drafting, possibly on another thread."""

    agent: Agent  # as the tick sees it: the file with the operator's overrides
    now: datetime
    skipped: str = ""
    trust: str = "probation"
    budget: int = 0
    tokens_left: int = 0
    approved: set[str] = field(default_factory=set)
    ctx: TickContext | None = None
    what: scope.Scope | None = None
    segment: Segment | None = None
    page: list[tuple[str, float]] = field(default_factory=list)
    total: int = 0
    cpu: float = 0.0  # CPU seconds the plan took


def plan_tick(rt: Runtime, agent: Agent, full: bool, memo: scope.Memo | None = None) -> Plan:
    started = time.thread_time()
    plan = _plan(rt, agent, full, memo or scope.Memo())
    plan.cpu = time.thread_time() - started
    return plan


def _plan(rt: Runtime, agent: Agent, full: bool, memo: scope.Memo) -> Plan:
    spec = agent.spec
    now = rt.now()
    day = start_of_day(now, spec.timezone)
    with rt.db.session() as s:
        state = prospects.agent_state(s, agent.id, agent.config_version)
        # An operator's live overrides (/twoloop set) win over the file from this tick on.
        agent = control.effective(agent, state.overrides)
        spec = agent.spec
        trust, paused = state.trust, state.paused
        if paused:
            return Plan(agent, now, f"paused: {state.paused_reason or 'no reason given'}")
        budget = spec.daily_cap - prospects.drafts_since(s, agent.id, day)
        if budget <= 0:
            return Plan(agent, now, "daily cap reached; waits for tomorrow")
    # Reads only from here on: on SQLite the ranking (seconds over a big book) must not hold
    # the write lock that other agents' drafts and every click wait on.
    with rt.db.reading() as s:
        approved = prospects.approved_plays(s, agent.play_hashes)
        tokens_left = spec.daily_token_budget - prospects.tokens_since(s, agent.id, day)
        learned, decided = learning.factors(s, agent.id)
        ctx = TickContext(
            knowledge=memo.get("knowledge", lambda: prospects.knowledge_edges(s)),
            learned=learned,
            decisions=decided,
            labels=memo.get("labels", lambda: prospects.all_labels(s)),
            aliases=memo.get("aliases", lambda: prospects.node_aliases(s)),
            capabilities=memo.get("capabilities", lambda: prospects.all_capabilities(s)),
            ready=[p for p in agent.plays if p.id in approved],
            edits=second_check.edits(s, agent.id),
            audit=audit_rate(
                s, agent.id, spec.audit_rate, fixed="audit_rate" in (state.overrides or {})
            ),
        )
        # The knowledge's own graph, shared: a chunk's graph lays its accounts' edges over it
        # with this agent's learned factors.
        ctx.graph = memo.get("graph", lambda: Graph(ctx.knowledge, {}))
        ctx.book = memo.get("book", Book)
        knowledge = memo.get(
            "knowledge version", lambda: scope.knowledge_version(ctx.knowledge, ctx.capabilities)
        )
        rules = scope.rules_version(agent, approved, state.overrides, knowledge)
        what = scope.choose(
            s, state, rules, now, rt.full_tick_every, full, memo, spec.segment.industries
        )
        segment = scope.segment_of(spec, now)
        page, total = candidates.ranked(s, segment, now, accounts=what.accounts, limit=PAGE)
    return Plan(
        agent, now, "", trust, budget, tokens_left, approved, ctx, what, segment, page, total
    )


def _tick(rt: Runtime, plan: Plan, report: TickReport) -> None:
    report.choosing_cpu = plan.cpu
    if plan.skipped:
        report.skipped = plan.skipped
        return
    started = time.thread_time()
    try:
        _draft(rt, plan, report)
    finally:
        report.drafting_cpu = time.thread_time() - started


def _draft(rt: Runtime, plan: Plan, report: TickReport) -> None:
    assert plan.ctx is not None and plan.what is not None and plan.segment is not None
    agent, now, trust, budget = plan.agent, plan.now, plan.trust, plan.budget
    ctx, what, segment, approved = plan.ctx, plan.what, plan.segment, plan.approved
    tokens_left, page, total, spec = plan.tokens_left, plan.page, plan.total, agent.spec
    learned = ctx.learned
    report.scope = what.describe()
    report.candidates = total
    # Outside the tick's transaction: training (when new verdicts came in) holds none.
    ctx.second_check = second_check.current(rt)

    ids = [a for a, _ in page]
    pending = [p for p in agent.plays if p.id not in approved]
    if pending:
        first = load_candidates(rt, ctx.book, segment, ids[:CHUNK], now)
        plays.request_approval(rt, agent, pending, first, ctx.knowledge, learned, now)
    writer = rt.writer_for(spec)
    pos = 0
    waited: list[str] = []  # accounts whose draft waits for the model
    skipped = 0  # drafts not written because the AM would surely kill them
    elsewhere: list[str] = []
    while pos < len(ids) and budget > 0:
        chunk = load_candidates(rt, ctx.book, segment, ids[pos : pos + CHUNK], now)
        work, used = prepare(rt, agent, ctx, chunk, report, limit=budget)
        ids[pos : pos + CHUNK] = [c.account_id for c in chunk]  # now in match order
        pos += used
        results = write_and_gate(rt, agent, writer, trust, work, tokens_left, now)
        for w, (outcome, tokens) in zip(work, results, strict=True):
            tokens_left -= tokens
            if outcome is None:
                elsewhere.append(w.account.id)  # another agent or replica is on it: later
                continue
            if outcome.startswith("wait:"):
                report.dropped[outcome] += 1
                waited.append(w.account.id)
                continue
            report.drafted += 1
            report.outcomes[outcome] += 1
            if outcome == PREDICTED_KILL:
                skipped += 1
            # A sure kill frees its slot, but only a cap's worth of them per tick: each was
            # written (a model call, with a model), so an agent whose matches the AM keeps
            # killing does not spend the day's tokens on drafts nobody sees.
            if outcome != "stop" and (outcome != PREDICTED_KILL or skipped > spec.daily_cap):
                budget -= 1
        if waited:
            break  # the model is down or the budget is spent: the rest waits for a later tick
        if pos >= len(ids) and len(ids) < total:
            ids += [a for a, _ in more_ranked(rt, segment, what.accounts, now, len(ids))]
    if pos < total and not waited:
        report.dropped["daily cap"] += total - pos
    if waited and what.full:
        # A re-match the model cut short is not done: the next tick starts it again.
        return
    with rt.db.session() as s:
        scope.remember(s, agent.id, what, now, waited + elsewhere + ids[pos:])


def load_candidates(
    rt: Runtime, book: Book, segment: Segment, account_ids: list[str], now: datetime
) -> list[Candidate]:
    """The ranked accounts' counted signals, strongest account first (ties by id)."""
    with rt.db.reading() as s:
        rows = book.signals(s, account_ids)
    by_account = {
        a: [
            (sid, kind, at)
            for sid, kind, at in rows.get(a, ())
            if kind in segment.weights and at >= segment.since
        ]
        for a in account_ids
    }
    out = [
        Candidate(
            account_id,
            sorted(sigs),
            signal_strength(
                [
                    (segment.weights.get(k, 0.0), (now - t).total_seconds() / 86400)
                    for _, k, t in sigs
                ],
                segment.max_age_days,
            ),
        )
        for account_id, sigs in by_account.items()
        if sigs
    ]
    out.sort(key=lambda c: (-c.strength, c.account_id))
    return out


def more_ranked(
    rt: Runtime, segment: Segment, accounts: frozenset[str] | None, now: datetime, offset: int
) -> list[tuple[str, float]]:
    """The next page of the ranking: only when the first page ran out."""
    with rt.db.reading() as s:
        return candidates.ranked(s, segment, now, accounts=accounts, limit=PAGE, offset=offset)[0]


def prepare(
    rt: Runtime,
    agent: Agent,
    ctx: TickContext,
    chunk: list[Candidate],
    report: TickReport,
    limit: int,
) -> tuple[list[Work], int]:
    """Contacts, matches and facts for up to `limit` drafts from a chunk of candidates, in
    one read transaction. Returns the work and how many candidates it looked at.

    The chunk is reordered in place by match score (signal strength times the graph score,
    which carries the learned weights) times how the AM's verdicts lean on the chosen
    contact's title, so AM feedback decides who gets the daily cap's slots; ties keep the
    signal-strength order the chunk came in."""
    spec = agent.spec
    policy = rt.relationship_policy(spec)
    chosen: list[tuple[Candidate, Contact, str, Account, Match, PlaySpec]] = []
    used = 0
    with rt.db.session() as s:
        ids = [c.account_id for c in chunk]
        accounts, contacts, edges = ctx.book.rows(s, ids)
        history = standing.histories(s, ids)
        base = ctx.graph or Graph(ctx.knowledge, {})
        graph = Graph(edges, ctx.learned, ctx.decisions, base=base)
        keyed = []
        welcome: dict[str, float] = {}  # account -> how the AM's verdicts lean on its contact
        for cand in chunk:
            people = contacts.get(cand.account_id, [])
            account = accounts.get(cand.account_id)
            lean = leaning(rt, s, ctx, agent, account) if account else None
            contact = referred(people, history.get(cand.account_id, [])) or pick_contact(
                people, spec.persona.titles, lean
            )
            if lean is not None and contact is not None:
                welcome[cand.account_id] = 2 * sigmoid(lean(contact.title))
            key = trigger_key(agent.id, contact.id, cand.signals) if contact else None
            keyed.append((cand, contact, key))
        seen = prospects.seen_triggers(s, [k for _, _, k in keyed if k])
        busy = relationships.open_conversations(
            s,
            [c.id for _, c, k in keyed if c is not None and k not in seen],
            [cand.account_id for cand, _, k in keyed if k and k not in seen]
            if policy.one_conversation_per == "account"
            else (),
        )
        caps = frozenset(spec.capabilities)
        matches = {}
        for c, _, k in keyed:
            if k and k not in seen:
                if c.account_id not in ctx.matched:  # a later chunk holds most of this one
                    ctx.matched[c.account_id] = best_match(graph, c.account_id, c.strength, caps)
                matches[c.account_id] = ctx.matched[c.account_id]
        # Match score first; where the AM rewrites drafts to this kind of contact anyway
        # (their edits taught the second check), the slot goes to an account they would not.
        keyed.sort(
            key=lambda e: (
                -getattr(matches.get(e[0].account_id), "score", 0.0)
                * welcome.get(e[0].account_id, 1.0)
            )
        )
        chunk[:] = [c for c, _, _ in keyed]
        for cand, contact, key in keyed:
            if len(chosen) >= limit:
                break
            used += 1
            if contact is None or key is None:  # no contact, so no key
                report.drop(cand.account_id, "no contact matching persona")
                continue
            if key in seen:
                continue  # drafted by an earlier tick
            conversation = busy.get(contact.id) or busy.get(cand.account_id)
            if conversation is not None:
                # One contact, one conversation: it is tried again once that one ends.
                report.drop(cand.account_id, "open conversation")
                continue
            account = accounts[cand.account_id]
            match = matches[account.id]
            if match is None:
                report.drop(account.id, "no graph path to a capability")
                continue
            if match.score < spec.thresholds.min_match_score:
                report.drop(account.id, "match score under min_match_score")
                continue
            kinds = {k for _, k, _ in cand.signals}
            play = pick_play(ctx.ready, kinds, account)
            if play is None:
                waiting = any(kinds & set(p.trigger) for p in agent.plays)
                report.drop(account.id, "play awaiting approval" if waiting else "no play")
                continue
            chosen.append((cand, contact, key, account, match, play))
        wanted = [sid for cand, *_ in chosen for sid, _, _ in cand.signals]
        signals = {x.id: x for x in prospects.signals_by_id(s, wanted)}
        suppressed = prospects.suppressions_for(s, [c.email for _, c, *_ in chosen])
        standings = standing.standings(
            s, [(contact, account) for _, contact, _, account, _, _ in chosen], rt.now(), policy
        )
    work = []
    for cand, contact, key, account, match, play in chosen:
        sigs = sorted(
            (signals[sid] for sid, _, _ in cand.signals), key=lambda x: x.observed_at, reverse=True
        )
        cap = ctx.capabilities.get(match.capability, {})
        facts = facts_for(agent, account, contact, sigs, match, play, ctx.labels, cap, ctx.aliases)
        work.append(
            Work(
                agent,
                account,
                contact,
                sigs,
                match,
                play,
                key,
                facts,
                ctx.labels,
                suppressed.get(contact.email.lower()),
                standings[contact.id],
                second_check=ctx.second_check,
                edits=ctx.edits,
                routing=ctx.routing,
                audit=ctx.audit,
            )
        )
    return work, used


def leaning(
    rt: Runtime, s: Session, ctx: TickContext, agent: Agent, account: Account
) -> Callable[[str], float] | None:
    """How the deciding AM's verdicts lean on a contact's title, for `pick_contact`; None
    while there is no second check to learn it from."""
    model = ctx.second_check
    if model.model is None:
        return None
    am = ctx.routing.deciding_am(rt, s, agent.spec, account)
    return lambda title: model.title_lean(title, agent.id, am)


def write_and_gate(
    rt: Runtime,
    agent: Agent,
    writer: Writer,
    trust: str,
    work: list[Work],
    tokens_left: int,
    now: datetime,
) -> list[tuple[str | None, int]]:
    """Write drafts in parallel (no transaction held across a model call), gating and storing
    each one as it is written. Returns each draft's outcome (None: drafted elsewhere
    meanwhile) and the tokens it cost."""
    if not work:
        return []

    per_account = rt.relationship_policy(agent.spec).one_conversation_per == "account"
    claimed: list[list[str]] = []  # what this call holds in `_writing`, released at the end
    offline = isinstance(writer, OfflineWriter)
    requests = [
        DraftRequest(
            agent.spec,
            w.play,
            w.facts,
            w.match.graph_score,
            token_budget_left=tokens_left if not offline else None,
        )
        for w in work
    ]
    stopped = [hard_stops(agent, w, now) for w in work]
    # The chunk's model calls reserve their worst cases together, in one transaction.
    worst = None if offline else getattr(writer, "worst_case", None)
    calls = [i for i, stop in enumerate(stopped) if not stop]
    block = (
        budgets.reserve_block(rt, agent.spec, [worst(requests[i]) for i in calls])
        if (worst is not None and calls)
        else None
    )
    in_block = {i: n for n, i in enumerate(calls)}

    def write(i: int) -> Written:
        w, request = work[i], requests[i]
        if stopped[i]:
            # Stopped whatever the text says: record the stop, spend no model call on it.
            return Written(subject="", body="", used=[], provider="not written (hard stop)")
        if offline:
            written = writer.write(request)
        else:
            held = block if block is not None and block.holds(in_block[i]) else None
            tokens = 0
            try:
                keys = _claim_keys(w, per_account)
                if not _writing.take(keys):
                    return Written(subject="", body="", used=[], provider=ELSEWHERE)
                claimed.append(keys)
                written = _model_write(rt, agent, writer, request, w, per_account, held)
                tokens = written.tokens
            finally:
                if held is not None and held.finish(tokens):
                    _settle_soon(rt, held)
            if written.provider == ELSEWHERE:
                return written
        if written.problems and not written.body.strip():
            # The model gave nothing usable: show the human the template draft to edit.
            fallback = OfflineWriter().write(request)
            fallback.problems, fallback.tokens = written.problems, written.tokens
            fallback.provider = f"{written.provider} (fell back to template)"
            fallback.confidence = 0.0
            return fallback
        return written

    def write_and_store(i: int) -> tuple[str | None, int]:
        written = write(i)
        if written.provider == ELSEWHERE:
            return None, 0
        return store_draft(rt, agent, trust, work[i], written, now), written.tokens

    try:
        if offline or len(work) == 1:
            return [write_and_store(i) for i in range(len(work))]
        # Each draft is gated and stored as soon as it is written, while the chunk's other
        # calls are still out: a chunk waits for its slowest call, not for that and then
        # every store in turn.
        with ThreadPoolExecutor(max_workers=min(len(work), rt.draft_concurrency)) as pool:
            return list(pool.map(write_and_store, range(len(work))))
    finally:
        if block is not None:
            budgets.settle_block(rt, block)
        for keys in claimed:
            _writing.release(keys)


def _settle_soon(rt: Runtime, block: budgets.Block) -> None:
    """Settle the block as its last call ends; a failure here must not lose a paid draft:
    it is logged, and the chunk's end settles it again."""
    try:
        budgets.settle_block(rt, block)
    except Exception:
        log.exception("settling a chunk's token reservation failed; retried at the chunk's end")


ELSEWHERE = "not written (another agent is writing to them)"


class _Claims:
    """Contacts and accounts a draft is being written to in this process: a second agent
    ticking at the same time skips them instead of paying for a draft it would drop."""

    def __init__(self) -> None:
        self._held: set[str] = set()
        self._lock = threading.Lock()

    def take(self, keys: list[str]) -> bool:
        with self._lock:
            if any(k in self._held for k in keys):
                return False
            self._held.update(keys)
            return True

    def release(self, keys: list[str]) -> None:
        with self._lock:
            self._held.difference_update(keys)


_writing = _Claims()


def _claim_keys(w: Work, per_account: bool) -> list[str]:
    return [f"contact:{w.contact.id}"] + ([f"account:{w.account.id}"] if per_account else [])


def _model_write(
    rt: Runtime,
    agent: Agent,
    writer: Writer,
    request: DraftRequest,
    w: Work,
    per_account: bool,
    block: budgets.Block | None,
) -> Written:
    """One model draft, unless another agent has written to them since the chunk was
    prepared, or the agent's daily token budget (held in the database, for every replica)
    cannot cover its worst case. `block`: the chunk's reservation, when it holds this call."""
    worst = getattr(writer, "worst_case", None)
    held = None
    with rt.db.reading() as s:  # a read: no write lock, and nothing held across the call
        if prospects.trigger_seen(s, w.key) or relationships.open_draft_with(
            s, w.contact.id, w.account.id if per_account else ""
        ):
            return Written(subject="", body="", used=[], provider=ELSEWHERE)
    if worst is not None and block is None:
        held = budgets.reserve_soon(rt, agent.spec, worst(request))
        if held is None:
            provider = getattr(writer, "provider", "model")
            return Written(subject="", body="", used=[], provider=provider, wait=budgets.SPENT)
    used = 0
    try:
        written = writer.write(request)
        used = written.tokens
    finally:
        if held is not None:
            budgets.settle(rt, held, used)
    return written


def trigger_key(agent_id: str, contact_id: str, signals: list[tuple[int, str, datetime]]) -> str:
    ids = ",".join(str(sid) for sid in sorted(sig[0] for sig in signals))
    return hashlib.sha256(f"{agent_id}|{contact_id}|{ids}".encode()).hexdigest()[:32]


def pick_play(ready: list[PlaySpec], kinds: set[str], account: Account) -> PlaySpec | None:
    customer = account.customer_status == "customer"
    triggered = [p for p in ready if kinds & set(p.trigger)]
    # A customer account falls through to the first triggered play; the gate stops it.
    return next((p for p in triggered if p.targets_customers or not customer), None) or next(
        iter(triggered), None
    )


def relationship_flags(account: Account, now: datetime) -> list[str]:
    flags = []
    if account.open_deal:
        flags.append(f"open deal: {account.open_deal}")
    recent = account.last_touch_at and now - account.last_touch_at < timedelta(days=90)
    if account.last_thread and recent:
        flags.append(f"recent thread: {account.last_thread}")
    if account.am_notes:
        flags.append(f"AM note: {account.am_notes}")
    return flags


def referred(people: list[Contact], events: list[Event]) -> Contact | None:
    """The colleague a reply pointed us to, when they are a contact we may write to."""
    wanted = referred_contact(events)
    return next((c for c in people if c.id == wanted and not c.do_not_contact), None)


def gate_input(agent: Agent, w: Work, now: datetime) -> GateInput:
    """What the gate knows before any text exists: who, where, when, and the thresholds."""
    spec = agent.spec
    touched = [t for t in (w.contact.last_touch_at, w.account.last_touch_at) if t]
    return GateInput(
        now=now,
        suppressed=w.suppressed,
        do_not_contact=w.contact.do_not_contact or w.account.do_not_contact,
        customer=w.account.customer_status == "customer",
        play_targets_customers=w.play.targets_customers,
        last_touch_at=max(touched, default=None),
        touch_window_days=spec.touch_window_days,
        relationship_stops=w.standing.stops,
        relationship_flags=(*relationship_flags(w.account, now), *w.standing.flags),
        untrusted_facts=tuple(untrusted_facts(w.facts)),
        personalization_threshold=spec.thresholds.personalization,
        confidence_threshold=spec.thresholds.confidence,
        second_check_threshold=spec.thresholds.second_check,
        predicted_kill_threshold=spec.thresholds.predicted_kill,
    )


def untrusted_facts(facts: dict[str, Fact]) -> list[str]:
    """A note for each fact (a signal's words above all) that reads like instructions: the
    model saw it, so a person must see the draft."""
    out = []
    for f in facts.values():
        why = injection.signs(f.text)
        if why:
            shown = "".join(c if c.isprintable() else " " for c in f.text)
            shown = " ".join(shown.split())
            shown = shown if len(shown) <= 160 else shown[:159] + "…"
            out.append(
                f"{f.id} ({f.slot}) reads like instructions, not a fact: {'; '.join(why)}. "
                f"Text: '{shown}'"
            )
    return out


def hard_stops(agent: Agent, w: Work, now: datetime) -> bool:
    return bool(gate.hard_stops(gate_input(agent, w, now)))


def store_draft(
    rt: Runtime, agent: Agent, trust: str, w: Work, written: Written, now: datetime
) -> str | None:
    """Gate one written draft and store it with its review or outbox row, atomically."""
    if written.wait:
        return f"wait: {written.wait}"
    spec = agent.spec
    # Measured on the text: a fact counts only if the subject or body really carries it.
    text = f"{written.subject}\n{written.body}"
    verified = [f for f in written.used if grounding.appears(f.text, text)]
    personal = personalization.measure(written.subject, written.body, w.play, w.facts)
    problems = content.problems(
        written.subject, written.body, spec, [f.text for f in w.facts.values()]
    )
    with rt.db.session() as s:
        # The contact's row lock first: a replica drafting the same trigger commits before
        # this one reads it, so the check below sees its draft instead of a duplicate key.
        relationships.lock_contact(s, w.contact.id)
        if prospects.trigger_seen(s, w.key):
            return None  # another replica drafted this trigger meanwhile
        per_account = rt.relationship_policy(spec).one_conversation_per == "account"
        if relationships.open_draft_with(s, w.contact.id, w.account.id if per_account else ""):
            return None  # another agent opened a conversation with them meanwhile
        thresholds = spec.thresholds
        seen = replace(
            gate_input(agent, w, now),
            trust=trust,
            personalization=personal.score,
            confidence=written.confidence,
            missing_facts=tuple(written.missing),
            writer_problems=tuple(written.problems),
            content_problems=tuple(
                p for p in problems if not p.startswith("unfilled") or not written.missing
            ),
        )
        draw = rt.rng.random() if w.audit.configured > 0 else 1.0
        am = w.routing.deciding_am(rt, s, spec, w.account)
        x = draft_features(w, written, seen.personalization, now)
        check = w.second_check.check(x, agent.id, am)
        seen = replace(
            seen,
            second_check=check.p,
            second_check_basis=check.basis,
            predicted_kill=check.p_kill,
            unfamiliar=check.unfamiliar,
        )
        killed = gate.predicts_kill(seen)  # audited at the full rate (bot/core/audits.py)
        seen = replace(
            seen,
            audit_sample=w.audit.picks(draw, killed),
            audit_note="" if killed else w.audit.note(),
        )
        result = gate_decide(seen)
        status = {"send": "approved", "review": "review", "stop": "stopped"}[result.outcome]
        draft = Draft(
            agent_id=agent.id,
            account_id=w.account.id,
            contact_id=w.contact.id,
            play_id=w.play.id,
            capability_id=w.match.capability,
            trigger_key=w.key,
            subject=written.subject,
            body=written.body,
            facts=[{"id": f.id, "slot": f.slot, "text": f.text} for f in verified],
            signal_ids=sorted(sig.id for sig in w.signals),
            match=_match_json(w.match, w.labels),
            personalization=personal.score,
            confidence=written.confidence,
            tokens=written.tokens,
            explain={
                "personalization_threshold": thresholds.personalization,
                "confidence_threshold": thresholds.confidence,
                "second_check_threshold": thresholds.second_check,
                "second_check_basis": check.basis,
                "predicted_kill": check.p_kill,
                "predicted_kill_threshold": thresholds.predicted_kill,
                "personalization_basis": personal.basis,
                "personalization_about_them": [fid for _, fid in personal.about_them],
                "personalization_specific_share": personal.specific_share,
                "provider": written.provider,
                "missing": written.missing,
                **(
                    {"writer_self_rating": written.self_rating}
                    if written.self_rating is not None
                    else {}
                ),
            },
            followups=render_followups(w, written.subject),
            config_version=agent.config_version,
            gate_outcome=result.outcome,
            gate_reasons=[r.as_dict() for r in result.reasons],
            shadow=gate.shadow(seen),
            features={"agent": agent.id, "am": am, "x": x},
            second_check=check.p,
            status=status,
            created_at=now,
            updated_at=now,
        )
        insert_row(s, draft)
        audit.record(
            s,
            f"agent:{agent.id}",
            f"draft.{result.outcome}",
            f"draft:{draft.id}",
            {
                "reasons": [r.as_dict() for r in result.reasons],
                "match_score": w.match.score,
                "tokens": written.tokens,
                "provider": written.provider,
            },
            agent.config_version,
        )
        if result.outcome == "review":
            route = w.routing.route(rt, s, spec, w.account.id)
            reviews.open_draft_review(rt, s, draft, spec, now, route)
        elif result.outcome == "send":
            outbox.enqueue(s, draft, agent.mailbox.address, w.contact, now)
    if result.reasons[0].code == PREDICTED_KILL:
        return PREDICTED_KILL  # a stop of its own in the tick's line: learning at work
    return result.outcome


def draft_features(w: Work, written: Written, personalization: float, now: datetime) -> dict:
    """What the second check reads of a draft, stored with it so training sees the same."""
    return check_features(
        match=_match_json(w.match, {}),
        signals=[(sig.kind, sig.observed_at) for sig in w.signals],
        now=now,
        play_id=w.play.id,
        capability=w.match.capability,
        personalization=personalization,
        body=written.body,
        confidence=written.confidence,
        industry=w.account.industry,
        country=w.account.country,
        employees=w.account.employees,
        customer_status=w.account.customer_status,
        title=w.contact.title,
        edits=w.edits,
    )


def render_followups(w: Work, subject: str) -> list[dict]:
    """The play's follow-up steps, filled from the same facts as the first message."""
    out = []
    for step in w.play.steps:
        filled = SLOT.sub(
            lambda m: (
                w.facts[m.group(1)].text if m.group(1) in w.facts else f"[missing: {m.group(1)}]"
            ),
            step.body,
        )
        out.append(
            {
                "after_days": step.after_days,
                "subject": f"Re: {subject}",
                "body": filled.strip() + "\n",
            }
        )
    return out


def _match_json(match: Match, labels: dict[str, str]) -> dict:
    return {
        "capability": match.capability,
        "score": match.score,
        "graph_score": match.graph_score,
        "signal_strength": match.signal_strength,
        "paths": [
            {
                "score": round(p.score, 4),
                "steps": [
                    {
                        "src": st.src,
                        "rel": st.rel,
                        "dst": st.dst,
                        "weight": st.weight,
                        "learned": round(st.learned, 4),
                        "decisions": st.decisions,
                    }
                    for st in p.steps
                ],
            }
            for p in match.paths
        ],
        # only the nodes on the shown paths: the card names them, nothing else needs them
        "labels": {
            n: labels[n]
            for p in match.paths
            for st in p.steps
            for n in (st.src, st.dst)
            if n in labels
        },
    }
