"""The operator's load: how many minutes the review queue takes, measured from the presses on
cards (bot/review/clicks.py) rather than asked of anyone.

The estimate is the usual active-time reading of an interaction log. Per reviewer per day,
their presses in time order: a press cost the gap since their previous one when that gap is
at most TWOLOOP_REVIEW_GAP_SECONDS (they were reading the card); after a longer gap they were
doing something else, so the press costs what a press usually costs them, the median of their
in-session gaps that day (30 s when there is none), and so does their first press of the day.
A press's time belongs to the agent of the card pressed, so a reviewer's day splits across
agents and adds up to the fleet's.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.readouts import LoadWeek, QueueLoad, ReviewerLoad
from bot.runtime import Runtime
from storage import clicks as store

FIRST_CLICK_SECONDS = 30.0  # a press after a break, when the reviewer has no gap of the day
DEFAULT_GAP_SECONDS = 300.0  # TWOLOOP_REVIEW_GAP_SECONDS' default


@dataclass(frozen=True)
class Click:
    actor: str
    agent_id: str
    at: datetime


def seconds(
    clicks: Sequence[Click], gap_limit: float, day_of: Callable[[datetime], date]
) -> list[float]:
    """What each press cost, in seconds, in the order given (see the module's docstring)."""
    out = [0.0] * len(clicks)
    sessions: dict[tuple[str, date], list[int]] = defaultdict(list)
    for i, c in enumerate(clicks):
        sessions[(c.actor, day_of(c.at))].append(i)
    for members in sessions.values():
        members.sort(key=lambda i: clicks[i].at)
        gaps = [(clicks[b].at - clicks[a].at).total_seconds() for a, b in pairwise(members)]
        inside = [g for g in gaps if g <= gap_limit]
        first = statistics.median(inside) if inside else FIRST_CLICK_SECONDS
        out[members[0]] = first
        for i, gap in zip(members[1:], gaps, strict=True):
            out[i] = gap if gap <= gap_limit else first
    return out


def percentile(values: Iterable[float], q: float) -> float | None:
    """The nearest-rank percentile (q in 0..1): a value that occurred, None for none."""
    ordered = sorted(values)
    if not ordered:
        return None
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def _local_day(tz: ZoneInfo) -> Callable[[datetime], date]:
    return lambda at: at.astimezone(tz).date()


def _clicks(rows: Iterable[tuple[str, str, datetime]]) -> list[Click]:
    return [Click(actor, agent, at) for actor, agent, at in rows]


def _minutes_to_decision(rows: Iterable[tuple[str, datetime | None, datetime]]) -> list[float]:
    return [
        max(0.0, (decided - posted).total_seconds() / 60) for _, posted, decided in rows if posted
    ]


def measure(
    clicks: Sequence[Click],
    decided: Sequence[tuple[str, datetime | None, datetime]],
    *,
    day: date,
    tz: ZoneInfo,
    gap_limit: float,
    target: float,
    agent_ids: Iterable[str] | None = None,
) -> QueueLoad:
    """One day's load on `agent_ids` (None: every agent), from that day's presses of every
    agent (a reviewer's gaps run across agents) and its decisions on those agents."""
    wanted = None if agent_ids is None else set(agent_ids)
    costs = seconds(clicks, gap_limit, _local_day(tz))
    by_reviewer: dict[str, list[float]] = defaultdict(list)
    by_agent: dict[str, float] = defaultdict(float)
    for c, cost in zip(clicks, costs, strict=True):
        if wanted is None or c.agent_id in wanted:
            by_reviewer[c.actor].append(cost)
            by_agent[c.agent_id] += cost
    waits = _minutes_to_decision(d for d in decided if wanted is None or d[0] in wanted)
    reviewers = sorted(
        (ReviewerLoad(who, sum(cs) / 60, len(cs)) for who, cs in by_reviewer.items()),
        key=lambda r: (-r.minutes, r.reviewer),
    )
    return QueueLoad(
        day=day,
        target_minutes=target,
        minutes=sum(r.minutes for r in reviewers),
        clicks=sum(r.clicks for r in reviewers),
        decisions=sum(1 for d in decided if wanted is None or d[0] in wanted),
        reviewers=tuple(reviewers),
        agents=tuple(
            sorted(((a, s / 60) for a, s in by_agent.items()), key=lambda kv: (-kv[1], kv[0]))
        ),
        median_to_decision=statistics.median(waits) if waits else None,
        p90_to_decision=percentile(waits, 0.9),
    )


def day_window(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), tz)
    return start, datetime.combine(day + timedelta(days=1), time(0), tz)


def for_day(
    rt: Runtime, day: date, tz: str | None = None, agent_ids: Iterable[str] | None = None
) -> QueueLoad:
    """The load of the local `day` in `tz` (default TWOLOOP_TIMEZONE, the operator's)."""
    zone = ZoneInfo(tz or rt.settings.timezone)
    ids = None if agent_ids is None else sorted(agent_ids)
    start, end = day_window(day, zone)
    with rt.db.session() as s:
        clicks = _clicks(store.between(s, start, end))
        decided = store.decided(s, start, end, ids)
    return measure(
        clicks,
        decided,
        day=day,
        tz=zone,
        gap_limit=rt.settings.review_gap_seconds,
        target=rt.settings.queue_target_minutes,
        agent_ids=ids,
    )


def today(rt: Runtime, agent_ids: Iterable[str] | None = None) -> QueueLoad:
    """Today so far in the operator's time zone, on the injected clock."""
    zone = ZoneInfo(rt.settings.timezone)
    return for_day(rt, rt.now().astimezone(zone).date(), zone.key, agent_ids)


def fleet_minutes(s: Session, day: date, tz: str, gap_limit: float = DEFAULT_GAP_SECONDS) -> float:
    """The fleet's review minutes on a local day, read in the caller's session (simulations)."""
    zone = ZoneInfo(tz)
    start, end = day_window(day, zone)
    costs = seconds(_clicks(store.between(s, start, end)), gap_limit, _local_day(zone))
    return sum(costs) / 60


def weekly(
    rt: Runtime, bounds: Sequence[datetime], tz: ZoneInfo, agent: str | None = None
) -> tuple[LoadWeek, ...]:
    """Weeks [bounds[i], bounds[i+1]): reviews, review minutes and clicks, per day on which
    anyone reviewed, and the median wait from card posted to decided."""
    ids = None if agent is None else [agent]
    with rt.db.session() as s:
        clicks = _clicks(store.between(s, bounds[0], bounds[-1]))
        decided = store.decided(s, bounds[0], bounds[-1], ids)
    day_of = _local_day(tz)
    costs = seconds(clicks, rt.settings.review_gap_seconds, day_of)
    weeks = len(bounds) - 1

    def week_of(at: datetime) -> int:
        return next((i for i in range(weeks) if at < bounds[i + 1]), weeks - 1)

    minutes = [0.0] * weeks
    presses = [0] * weeks
    days: list[set[date]] = [set() for _ in range(weeks)]
    for c, cost in zip(clicks, costs, strict=True):
        if agent is None or c.agent_id == agent:
            i = week_of(c.at)
            minutes[i] += cost / 60
            presses[i] += 1
            days[i].add(day_of(c.at))
    reviews = [0] * weeks
    waits: list[list[float]] = [[] for _ in range(weeks)]
    for row in decided:
        i = week_of(row[2])
        reviews[i] += 1
        days[i].add(day_of(row[2]))
        waits[i] += _minutes_to_decision([row])
    return tuple(
        LoadWeek(
            week=bounds[i].astimezone(tz).date(),
            days=len(days[i]),
            reviews=reviews[i],
            minutes=minutes[i],
            clicks=presses[i],
            median_to_decision=statistics.median(waits[i]) if waits[i] else None,
        )
        for i in range(weeks)
    )


# --- text (no outside text in it: safe in the terminal and in Slack as it is) -------------


def minutes_text(minutes: float) -> str:
    if 0 < minutes < 1:
        return "<1 min"
    return f"{minutes:.0f} min"


def wait_text(minutes: float | None) -> str:
    if minutes is None:
        return "—"
    if minutes < 90:
        return f"{minutes:.0f} min"
    return f"{minutes / 60:.1f} h" if minutes < 48 * 60 else f"{minutes / 1440:.1f} d"


def when_text(load: QueueLoad, now: datetime, tz: str) -> str:
    """'today', 'yesterday' or the date: how a digest names the day it measured."""
    local = now.astimezone(ZoneInfo(tz)).date()
    if load.day == local:
        return "today"
    if load.day == local - timedelta(days=1):
        return "yesterday"
    return f"on {load.day:%a %d %b}"


def queue_line(load: QueueLoad, when: str = "today") -> str:
    """'queue today: 14 min (target 20)', then the clicks and the wait behind it."""
    line = (
        f"queue {when}: {minutes_text(load.minutes)} (target {load.target_minutes:g})"
        + (" · over target" if load.over_target else "")
        + f" · {load.clicks} click{'s' if load.clicks != 1 else ''}, {load.decisions} decided"
    )
    if load.clicks_per_decision is not None:
        line += f" ({load.clicks_per_decision:.1f} clicks each)"
    if load.median_to_decision is not None:
        line += (
            f" · card to decision: median {wait_text(load.median_to_decision)}, "
            f"90% within {wait_text(load.p90_to_decision)}"
        )
    return line


def reviewers_text(load: QueueLoad, name: Callable[[str], str] = str) -> str:
    """'by reviewer: Dana 8 min, Leo 6 min'; `name` renders a reviewer (a mention in Slack)."""
    return "by reviewer: " + ", ".join(
        f"{name(r.reviewer)} {minutes_text(r.minutes)}" for r in load.reviewers
    )
