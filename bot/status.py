"""Read-only views of the fleet for operators and AMs (slash command, App Home)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot.runtime import Runtime
from storage import stats


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


@dataclass(frozen=True)
class QueueItem:
    review_id: int
    agent: str
    account: str
    subject: str
    age_hours: float
    channel: str
    message_ts: str


def fleet(rt: Runtime) -> list[AgentStatus]:
    agents = rt.fleet().agents
    since = rt.now() - timedelta(days=1)
    with rt.db.session() as s:
        states = stats.agent_states(s)
        open_reviews = stats.open_reviews_by_agent(s)
        drafts = stats.drafts_by_agent_status(s, since)
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
            )
        )
    return rows


def queue_for(rt: Runtime, user: str | None) -> list[QueueItem]:
    """Open reviews owned by `user` (all of them for None), oldest first."""
    agents = rt.fleet().agents
    now = rt.now()
    with rt.db.session() as s:
        rows = stats.open_queue(s, user)
    return [
        QueueItem(
            review_id=r.id,
            agent=agents[r.agent_id].spec.name if r.agent_id in agents else r.agent_id,
            account=a.name,
            subject=d.subject,
            age_hours=round((now - r.created_at).total_seconds() / 3600, 1),
            channel=r.channel,
            message_ts=r.message_ts,
        )
        for r, d, a in rows
    ]
