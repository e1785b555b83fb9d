"""One pass of the agent loop: discovery -> matching -> drafting -> gate -> outbox or review."""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot import outbox, reviews
from bot.agents import Agent, PlaySpec
from bot.drafting import DraftRequest, Fact, banned_phrases_in, personalization
from bot.gate import GateInput, GateResult
from bot.gate import decide as gate_decide
from bot.matching import Graph, Match, best_match, learned_factor, signal_strength
from bot.runtime import Runtime
from storage import audit, prospects
from storage.models import Account, Contact, Draft, Signal

log = logging.getLogger(__name__)


@dataclass
class TickReport:
    agent_id: str
    skipped: str = ""
    candidates: int = 0
    drafted: int = 0
    outcomes: Counter = field(default_factory=Counter)
    dropped: Counter = field(default_factory=Counter)

    def line(self) -> str:
        if self.skipped:
            return f"{self.agent_id}: skipped ({self.skipped})"
        out = ", ".join(f"{k} {v}" for k, v in sorted(self.outcomes.items())) or "nothing new"
        drop = ", ".join(f"{k} {v}" for k, v in sorted(self.dropped.items()))
        return f"{self.agent_id}: {self.candidates} candidates, {self.drafted} drafted ({out})" + (
            f"; dropped: {drop}" if drop else ""
        )


def tick(rt: Runtime, agent_id: str | None = None) -> list[TickReport]:
    fleet = rt.fleet()
    for err in fleet.errors:
        log.error("agent config error: %s", err)
    if agent_id is not None and agent_id not in fleet.agents:
        raise KeyError(f"no agent {agent_id!r} (have: {', '.join(sorted(fleet.agents))})")
    chosen = [fleet.agents[agent_id]] if agent_id else list(fleet.agents.values())
    return [tick_agent(rt, a) for a in chosen if a.spec.active or agent_id]


def start_of_day(now: datetime, tz: str) -> datetime:
    local = now.astimezone(ZoneInfo(tz))
    return local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(now.tzinfo)


def tick_agent(rt: Runtime, agent: Agent) -> TickReport:
    spec = agent.spec
    report = TickReport(agent.id)
    now = rt.now()
    with rt.db.session() as s:
        state = prospects.agent_state(s, agent.id, agent.config_version)
        trust, paused = state.trust, state.paused
        if paused:
            report.skipped = f"paused: {state.paused_reason or 'no reason given'}"
            return report
        budget = spec.daily_cap - prospects.drafts_since(
            s, agent.id, start_of_day(now, spec.timezone)
        )
        if budget <= 0:
            report.skipped = "daily cap reached; waits for tomorrow"
            return report
        found = prospects.candidate_signals(
            s,
            list(spec.signals),
            now - timedelta(days=spec.max_signal_age_days),
            spec.segment.industries,
            spec.segment.countries,
            spec.segment.min_employees,
            spec.segment.max_employees,
        )
        contacts = prospects.contacts_for(s, found)
        learned = {
            rel: learned_factor(a, b)
            for rel, (a, b) in prospects.learned_weights(s, agent.id).items()
        }
        graph = Graph(prospects.edges_for(s, found), learned)

    report.candidates = len(found)
    ranked = sorted(
        found.values(),
        key=lambda pair: -_strength(agent, pair[1], now),
    )
    for account, signals in ranked:
        if budget <= 0:
            report.dropped["daily cap"] += 1
            continue
        contact = pick_contact(contacts.get(account.id, []), spec.persona.titles)
        if contact is None:
            report.dropped["no contact matching persona"] += 1
            continue
        key = trigger_key(agent.id, contact.id, signals)
        strength = _strength(agent, signals, now)
        match = best_match(graph, account.id, strength, frozenset(spec.capabilities))
        if match is None:
            report.dropped["no graph path to a capability"] += 1
            continue
        if match.score < spec.thresholds.min_match_score:
            report.dropped["match score under min_match_score"] += 1
            continue
        play = pick_play(agent, signals, account)
        if play is None:
            report.dropped["no play for these signals"] += 1
            continue
        outcome = draft_one(rt, agent, trust, account, contact, signals, match, play, key, now)
        if outcome is None:
            continue  # another replica or an earlier tick already drafted this trigger
        report.drafted += 1
        report.outcomes[outcome] += 1
        if outcome != "stop":
            budget -= 1
    if report.outcomes.get("send"):
        rt.outbox_wakeup.set()
    log.info("tick %s", report.line())
    return report


def _strength(agent: Agent, signals: list[Signal], now: datetime) -> float:
    pairs = [
        (agent.spec.signals.get(sig.kind, 0.0), (now - sig.observed_at).total_seconds() / 86400)
        for sig in signals
    ]
    return signal_strength(pairs, agent.spec.max_signal_age_days)


def trigger_key(agent_id: str, contact_id: str, signals: list[Signal]) -> str:
    ids = ",".join(str(sid) for sid in sorted(sig.id for sig in signals))
    return hashlib.sha256(f"{agent_id}|{contact_id}|{ids}".encode()).hexdigest()[:32]


def pick_contact(contacts: list[Contact], titles: list[str]) -> Contact | None:
    """The contact whose title matches the earliest persona title (the persona's priority)."""
    best: tuple[int, str] | None = None
    chosen = None
    for c in contacts:
        if c.do_not_contact:
            continue
        title = c.title.lower()
        for rank, wanted in enumerate(titles):
            if wanted.lower() in title:
                if best is None or (rank, c.id) < best:
                    best, chosen = (rank, c.id), c
                break
    return chosen


def pick_play(agent: Agent, signals: list[Signal], account: Account) -> PlaySpec | None:
    kinds = {s.kind for s in signals}
    customer = account.customer_status == "customer"
    for play in agent.plays:
        if kinds & set(play.trigger) and (play.targets_customers or not customer):
            return play
    # A customer account falls through to the first triggered play; the gate stops it.
    return next((p for p in agent.plays if kinds & set(p.trigger)), None)


def facts_for(
    agent: Agent,
    account: Account,
    contact: Contact,
    signals: list[Signal],
    match: Match,
    play: PlaySpec,
    labels: dict[str, str],
    capability: dict[str, str],
) -> dict[str, Fact]:
    trig = [s for s in signals if s.kind in play.trigger] or signals
    sig = trig[0]
    problem = match.problem
    sender = agent.spec.mailbox.split("<")[0].strip().strip('"') or agent.spec.mailbox
    facts = [
        Fact(f"contact:{contact.id}:first_name", "contact.first_name", contact.first_name),
        Fact(f"contact:{contact.id}:last_name", "contact.last_name", contact.last_name),
        Fact(f"contact:{contact.id}:title", "contact.title", contact.title),
        Fact(f"account:{account.id}:name", "account.name", account.name),
        Fact(f"account:{account.id}:industry", "account.industry", account.industry),
        Fact(f"signal:{sig.id}", "signal.summary", sig.summary),
        Fact(f"signal:{sig.id}:detail", "signal.detail", sig.detail),
        Fact(problem, "problem.name", labels.get(problem, "")),
        Fact(f"capability:{match.capability}", "capability.name", capability.get("name", "")),
        Fact(
            f"capability:{match.capability}:summary",
            "capability.summary",
            capability.get("summary", ""),
        ),
        Fact(
            f"capability:{match.capability}:proof", "capability.proof", capability.get("proof", "")
        ),
        Fact(f"agent:{agent.id}:sender", "sender.name", sender),
    ]
    return {f.slot: f for f in facts if f.text}


def relationship_flags(account: Account, now: datetime) -> list[str]:
    flags = []
    if account.open_deal:
        flags.append(f"open deal: {account.open_deal}")
    if (
        account.last_thread
        and account.last_touch_at
        and now - account.last_touch_at < timedelta(days=90)
    ):
        flags.append(f"recent thread: {account.last_thread}")
    if account.am_notes:
        flags.append(f"AM note: {account.am_notes}")
    return flags


def draft_one(
    rt: Runtime,
    agent: Agent,
    trust: str,
    account: Account,
    contact: Contact,
    signals: list[Signal],
    match: Match,
    play: PlaySpec,
    key: str,
    now: datetime,
) -> str | None:
    spec = agent.spec
    with rt.db.session() as s:
        if prospects.trigger_seen(s, key):
            return None
        nodes = [st.dst for p in match.paths for st in p.steps] + [
            st.src for p in match.paths for st in p.steps
        ]
        labels = prospects.node_labels(s, nodes)
        cap = prospects.capability(s, match.capability)
        facts = facts_for(agent, account, contact, signals, match, play, labels, cap)
        written = rt.writer.write(DraftRequest(spec, play, facts, match.graph_score))
        score, basis = personalization(written.used)
        state = prospects.agent_state(s, agent.id, agent.config_version)
        thresholds = spec.thresholds
        result: GateResult = gate_decide(
            GateInput(
                now=now,
                suppressed=prospects.suppression_for(s, contact.email),
                do_not_contact=contact.do_not_contact or account.do_not_contact,
                customer=account.customer_status == "customer",
                play_targets_customers=play.targets_customers,
                last_touch_at=max(
                    (t for t in (contact.last_touch_at, account.last_touch_at) if t), default=None
                ),
                touch_window_days=spec.touch_window_days,
                paused=state.paused,
                trust=trust,
                relationship_flags=tuple(relationship_flags(account, now)),
                personalization=score,
                personalization_threshold=thresholds.personalization,
                confidence=written.confidence,
                confidence_threshold=thresholds.confidence,
                missing_facts=tuple(written.missing),
                banned_phrases=tuple(
                    banned_phrases_in(written.subject + "\n" + written.body, spec.banned_phrases)
                ),
                audit_sample=spec.audit_rate > 0 and rt.rng.random() < spec.audit_rate,
            )
        )
        status = {"send": "approved", "review": "review", "stop": "stopped"}[result.outcome]
        draft = Draft(
            agent_id=agent.id,
            account_id=account.id,
            contact_id=contact.id,
            play_id=play.id,
            capability_id=match.capability,
            trigger_key=key,
            subject=written.subject,
            body=written.body,
            facts=[{"id": f.id, "slot": f.slot, "text": f.text} for f in written.used],
            signal_ids=sorted(sig.id for sig in signals),
            match=_match_json(match, labels),
            personalization=score,
            confidence=written.confidence,
            explain={
                "personalization_threshold": thresholds.personalization,
                "confidence_threshold": thresholds.confidence,
                "personalization_basis": basis,
                "provider": written.provider,
                "missing": written.missing,
            },
            config_version=agent.config_version,
            gate_outcome=result.outcome,
            gate_reasons=[r.as_dict() for r in result.reasons],
            status=status,
            created_at=now,
            updated_at=now,
        )
        s.add(draft)
        s.flush()
        audit.record(
            s,
            f"agent:{agent.id}",
            f"draft.{result.outcome}",
            f"draft:{draft.id}",
            {"reasons": [r.as_dict() for r in result.reasons], "match_score": match.score},
            agent.config_version,
        )
        if result.outcome == "review":
            reviews.open_draft_review(rt, s, draft, spec, now)
        elif result.outcome == "send":
            outbox.enqueue(s, draft, spec.mailbox, contact.email, now)
    return result.outcome


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
                    }
                    for st in p.steps
                ],
            }
            for p in match.paths
        ],
        "labels": {k: v for k, v in labels.items()},
    }
