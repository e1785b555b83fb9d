"""Read-only views of the fleet for operators and AMs (slash command, App Home)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.agent.loop import start_of_day
from bot.readouts import QueueLoad
from bot.reports import load
from bot.review import control, targets, trust
from bot.review.trust import Evidence
from bot.runtime import Runtime
from storage import control as store
from storage import prospects, stats
from storage.control import Tally


@dataclass(frozen=True)
class AgentStatus:
    id: str
    name: str
    owner: str
    trust: str
    paused: bool
    open_reviews: int
    drafted_today: int
    sent_today: int
    config_version: str
    paused_reason: str = ""
    overrides: dict = field(default_factory=dict)  # operator overrides in force (/twoloop set)


@dataclass(frozen=True)
class QueueItem:
    review_id: int
    agent: str
    account: str
    subject: str
    age_hours: float
    channel: str
    message_ts: str
    kind: str = "draft"  # draft | reply | play
    # A reply with a target: when it is due, and "due 10:30 (Europe/Berlin)" or
    # "overdue by 2 h" (bot/review/targets.py).
    respond_by: datetime | None = None
    due: str = ""
    overdue: bool = False


@dataclass(frozen=True)
class Queue:
    items: list[QueueItem]  # replies with a target first (hot on top), then oldest
    total: int  # all open reviews, listed or not


def fleet(rt: Runtime) -> list[AgentStatus]:
    agents = rt.fleet().agents
    now = rt.now()
    since, until = now - timedelta(days=1), now + timedelta(hours=1)  # a replica's clock may lead
    with rt.db.session() as s:
        states = stats.agent_states(s)
        open_reviews = stats.open_reviews_by_agent(s)
        drafts = stats.drafts_by_agent_status(s, since, until)
    rows = []
    for agent in agents.values():
        state = states.get(agent.id)
        rows.append(
            AgentStatus(
                id=agent.id,
                name=agent.spec.name,
                owner=agent.spec.owner,
                trust=state.trust if state else "probation",
                paused=bool(state and state.paused),
                open_reviews=open_reviews.get(agent.id, 0),
                drafted_today=sum(n for (a, _), n in drafts.items() if a == agent.id),
                sent_today=drafts.get((agent.id, "sent"), 0),
                config_version=agent.config_version,
                paused_reason=state.paused_reason if state and state.paused else "",
                overrides=dict(state.overrides or {}) if state else {},
            )
        )
    return rows


def queue_for(rt: Runtime, user: str | None, limit: int = 20) -> list[QueueItem]:
    """Open reviews of every kind owned by `user` (all of them for None): replies with a
    target first (hot, then escalation, then other, each by the earliest target), then the
    rest oldest first."""
    return queue(rt, user, limit).items


def queue(rt: Runtime, user: str | None, limit: int = 20) -> Queue:
    agents = rt.fleet().agents
    now = rt.now()
    with rt.db.session() as s:
        rows = stats.open_queue(s, user, limit)
        total = stats.open_count(s, user)
        due = {r.review.id: targets.due_line(rt, s, r.review, now) for r in rows}
    items = []
    for row in rows:
        review = row.review
        assert review.id is not None  # a row read from the database has its id
        items.append(
            QueueItem(
                review_id=review.id,
                agent=agents[review.agent_id].spec.name
                if review.agent_id in agents
                else review.agent_id,
                account=row.account,
                subject=row.subject,
                age_hours=round((now - review.created_at).total_seconds() / 3600, 1),
                channel=review.channel,
                message_ts=review.message_ts,
                kind=review.kind,
                respond_by=review.respond_by,
                due=due.get(review.id, ""),
                overdue=review.respond_by is not None and review.respond_by <= now,
            )
        )
    return Queue(items, max(total, len(items)))


@dataclass(frozen=True)
class AgentDetail:
    """One agent as an operator checks it: effective settings, trust, pause, today, queue."""

    id: str
    name: str
    owner: str
    channel: str
    config_version: str
    settings: list  # control.Setting: effective value, the file's, and whether overridden
    trust: str
    trust_since: datetime | None
    trust_reason: str
    trust_set_by: str
    paused: bool
    paused_reason: str
    paused_by: str
    day_start: datetime  # "today" is the agent's own day, as its daily cap counts it
    today: dict[str, int]  # drafts created today by status
    open_reviews: int
    oldest_open_hours: float | None
    stretch: Tally  # verdicts counted toward promotion
    needs: tuple[int, int, float]  # what promotion takes: verdicts, days, highest kill rate
    # Shadow evaluation: over the stretch on probation (with what promotion still needs),
    # over the last 30 days of verdicts when supervised.
    evidence: Evidence | None = None
    # On probation, when a kill restarted the clean week: the same since the last trust
    # change, so status still says how many drafts the gate would have sent were killed.
    probation_evidence: Evidence | None = None
    rule: str = "clean_week"  # TWOLOOP_PROMOTION_RULE
    shadow_needs: tuple[int, int] = (10, 0)  # drafts the gate would send; most of them killed
    review_today: QueueLoad | None = None  # minutes AMs spent on its cards today (operator's day)


def detail(rt: Runtime, agent_id: str) -> AgentDetail:
    agent = control.find_agent(rt, agent_id)
    now = rt.now()
    day = start_of_day(now, agent.spec.timezone)
    with rt.db.session() as s:
        state = prospects.agent_state(s, agent.id, agent.config_version)
        counts = store.agent_counts(s, agent.id, day)
        stretch = trust.stretch(s, state)
        evidence = trust.evidence(rt, s, state)
        whole = trust.probation_evidence(rt, s, state) if evidence.restart else None
    oldest = counts.oldest_open
    return AgentDetail(
        id=agent.id,
        name=agent.spec.name,
        owner=agent.spec.owner,
        channel=agent.spec.channel,
        config_version=agent.config_version,
        settings=control.settings_of(agent, state.overrides),
        trust=state.trust,
        trust_since=state.trust_changed_at,
        trust_reason=state.trust_reason,
        trust_set_by=state.trust_set_by,
        paused=state.paused,
        paused_reason=state.paused_reason,
        paused_by=state.paused_by,
        day_start=day,
        today=counts.by_status,
        open_reviews=counts.open_reviews,
        oldest_open_hours=round((now - oldest).total_seconds() / 3600, 1) if oldest else None,
        stretch=stretch,
        needs=(
            rt.settings.trust_min_reviews,
            rt.settings.trust_min_days,
            rt.settings.trust_max_kill_rate,
        ),
        evidence=evidence,
        probation_evidence=whole,
        rule=rt.settings.promotion_rule,
        shadow_needs=(rt.settings.trust_min_shadow_sends, rt.settings.trust_max_shadow_kills),
        review_today=load.today(rt, [agent.id]),
    )
