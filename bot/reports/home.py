"""What the App Home tab shows a user: their open reviews (decidable from there), their
agents' reviews that other AMs decide (the accounts' owners: seen, not decided, here), their
agents' health today, and the last 7 days. Operators see every review and agent."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlmodel import Session

from bot.ports import Card, ReplyCard
from bot.readouts import DayCounts
from bot.reports.digest import RATE_DAYS, collect, day_bounds, zone
from bot.review.cards import card_for
from bot.runtime import Runtime
from storage import digest as q
from storage import owners, reviews, slack_users
from storage.models import Review

DAYS = 7
ELSEWHERE = 10  # of the user's agents' reviews with other AMs, listed on Home


@dataclass(frozen=True)
class AgentHealth:
    agent_id: str
    name: str
    trust: str
    paused: bool
    paused_reason: str
    today: DayCounts
    open_reviews: int
    bounce_rate: float | None  # over RATE_DAYS


@dataclass(frozen=True)
class Elsewhere:
    """A review of one of the user's agents that another AM (the account's owner) decides."""

    review_id: int
    kind: str  # draft | reply
    agent_name: str
    account: str
    subject: str
    owner: str  # who decides it
    channel: str  # where its card is
    age_hours: float


@dataclass(frozen=True)
class Home:
    user: str
    operator: bool
    # At most `limit`: replies with a target first (hot, escalation, other, then the
    # earliest target; storage/reviews.py queue_order), then the oldest.
    cards: list[Card]
    open_total: int
    agents: list[AgentHealth]
    week: DayCounts  # the last 7 local days, today included
    tz: str
    notice: str = ""  # e.g. why a click from Home did not decide
    elsewhere: list[Elsewhere] = field(default_factory=list)  # oldest first, capped
    elsewhere_total: int = 0


def home_for(rt: Runtime, user: str, *, limit: int = 15, notice: str = "") -> Home:
    operator = rt.is_operator(user)
    owner = None if operator else user
    fleet = rt.fleet().agents
    ids = sorted(a for a in fleet if operator or fleet[a].spec.owner == user)
    with rt.db.session() as s:
        cached = slack_users.cached(s, [user]).get(user)
        cards = []
        for review in reviews.open_reviews(s, owner, limit):
            assert review.id is not None  # a row read from the database has its id
            cards.append(card_for(rt, s, review.id))
        total = q.open_count(s, owner)
        away, away_total = ([], 0) if operator else owners.open_elsewhere(s, ids, user, ELSEWHERE)
        elsewhere = [_elsewhere(rt, s, r) for r in away]
        states = q.agent_states(s, ids)
        open_by_agent = q.open_reviews(s, ids)
    tz = zone(cached.tz if cached else "", rt.settings.timezone)
    today = rt.now().astimezone(tz).date()
    span = max(DAYS, RATE_DAYS)
    per_agent = collect(rt, day_bounds(today - timedelta(days=span - 1), span, tz), ids)
    week = DayCounts()
    agents = []
    for agent_id in ids:
        series = per_agent[agent_id]
        rate_days = DayCounts()
        for d in series[-RATE_DAYS:]:
            rate_days.add(d)
        for d in series[-DAYS:]:
            week.add(d)
        state = states.get(agent_id)
        agents.append(
            AgentHealth(
                agent_id=agent_id,
                name=fleet[agent_id].spec.name,
                trust=state.trust if state else "probation",
                paused=bool(state and state.paused),
                paused_reason=state.paused_reason if state else "",
                today=series[-1],
                open_reviews=open_by_agent.get(agent_id, (0, None))[0],
                bounce_rate=rate_days.bounces / rate_days.sent if rate_days.sent else None,
            )
        )
    return Home(user, operator, cards, total, agents, week, tz.key, notice, elsewhere, away_total)


def _elsewhere(rt: Runtime, s: Session, review: Review) -> Elsewhere:
    assert review.id is not None  # a row read from the database has its id
    card = card_for(rt, s, review.id)
    subject = card.their_subject if isinstance(card, ReplyCard) else getattr(card, "subject", "")
    return Elsewhere(
        review_id=review.id,
        kind=review.kind,
        agent_name=getattr(card, "agent_name", review.agent_id),
        account=getattr(card, "account", ""),
        subject=subject,
        owner=review.owner,
        channel=review.channel,
        age_hours=round((rt.now() - review.created_at).total_seconds() / 3600, 1),
    )
