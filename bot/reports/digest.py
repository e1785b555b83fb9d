"""Daily digests: one per AM in their channel at their local morning, one for the fleet in the
operator channel, and `/twoloop digest` on demand.

A scheduled digest reports the AM's previous local day (complete) against the day before,
with what is open right now; an on-demand one reports today so far. Each scheduled post is
claimed first (`storage.scheduled_posts`), so it happens once a day across replicas and
restarts, and a post missed while the process was down goes out late the same day.

An AM who owns agents in several channels gets one digest, in the channel of their first
agent (by agent id): one message a morning, not one per channel.
"""

from __future__ import annotations

import logging
import weakref
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.ports import Channel, Notice
from bot.readouts import AgentDigest, DayCounts, Digest, ReplyTargets
from bot.reports import load
from bot.reports.chart import trend_png
from bot.runtime import Runtime
from storage import digest as q
from storage import scheduled_posts, slack_users
from storage.models import AuditEvent

log = logging.getLogger(__name__)
# Runtimes that already logged the missing operator channel: once each, not every minute.
_told_no_channel: weakref.WeakSet[Runtime] = weakref.WeakSet()

SERIES_DAYS = 14  # the trend chart's span
RATE_DAYS = 7  # bounce and complaint rates: the last week up to the digest's day
TZ_REFRESH = timedelta(days=1)
TZ_RETRY = timedelta(hours=1)  # after Slack failed to say


def zone(name: str | None, fallback: str) -> ZoneInfo:
    try:
        return ZoneInfo(name or fallback)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(fallback)


def day_bounds(first: date, days: int, tz: ZoneInfo) -> list[datetime]:
    """UTC instants of local midnights from `first` to `first + days` (days + 1 bounds)."""
    return [
        datetime.combine(first + timedelta(days=i), time(0), tz).astimezone(UTC)
        for i in range(days + 1)
    ]


def collect(
    rt: Runtime, bounds: list[datetime], agent_ids: list[str] | None
) -> dict[str, list[DayCounts]]:
    """Per agent, one DayCounts per day in `bounds`; five grouped queries in all."""
    days = len(bounds) - 1
    out: dict[str, list[DayCounts]] = defaultdict(lambda: [DayCounts() for _ in range(days)])
    with rt.db.session() as s:
        drafts = q.drafts(s, bounds, agent_ids)
        decisions = q.decisions(s, bounds, agent_ids)
        sent = q.sent(s, bounds, agent_ids)
        events = q.mail_events(s, bounds, agent_ids)
        replies = q.replies(s, bounds, agent_ids)
    for agent, i, outcome, n in drafts:
        if i < 0:
            continue
        d = out[agent][i]
        d.drafted += n
        if outcome == "send":
            d.auto_sent += n
        elif outcome == "review":
            d.to_review += n
        elif outcome == "stop":
            d.stopped += n
    for agent, i, action, reason, n in decisions:
        if i < 0:
            continue
        d = out[agent][i]
        d.reviewed += n
        if action in ("approve", "send_reply"):
            d.approved += n
        elif action == "edit":
            d.edited += n
        elif action == "defer":
            d.deferred += n
        elif action == "kill":
            d.killed += n
            d.kill_reasons[reason] += n
    for agent, i, n in sent:
        if i >= 0:
            out[agent][i].sent += n
    for agent, i, kind, n in events:
        if i < 0:
            continue
        if kind == "bounce":
            out[agent][i].bounces += n
        elif kind == "complaint":
            out[agent][i].complaints += n
    for agent, i, kind, intent, n in replies:
        if i < 0:
            continue
        out[agent][i].replies += n
        out[agent][i].intents["auto_reply" if kind == "auto_reply" else intent or "other"] += n
    return out


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def digest_for(
    rt: Runtime,
    day: date,
    agent_ids: list[str] | None = None,
    *,
    tz: str | None = None,
    scope: str = "fleet",
    owner: str = "",
    partial: bool = False,
) -> Digest:
    """The digest of `day` (a local date in `tz`, default TWOLOOP_TIMEZONE) for the given
    agents (default: the whole fleet)."""
    local_zone = zone(tz, rt.settings.timezone)
    fleet = rt.fleet().agents
    ids = sorted(fleet) if agent_ids is None else sorted(agent_ids)
    first = day - timedelta(days=SERIES_DAYS - 1)
    bounds = day_bounds(first, SERIES_DAYS, local_zone)
    now = rt.now()
    per_agent = collect(rt, bounds, None if agent_ids is None else ids)
    with rt.db.session() as s:
        states = q.agent_states(s, ids)
        open_reviews = q.open_reviews(s, None if agent_ids is None else ids)
        changes = q.changes(s, bounds[-2], bounds[-1], ids)
        # An AM answers the replies routed to them (the accounts' owner), whichever agent's.
        by_owner = scope == "am" and bool(owner)
        targets = ReplyTargets(
            *q.reply_targets(
                s,
                bounds[-2],
                bounds[-1],
                now,
                None if agent_ids is None or by_owner else ids,
                owner if by_owner else None,
            )
        )
    changed: dict[str, list[str]] = defaultdict(list)
    for ev in changes:
        agent = ev.agent_id or ev.subject.removeprefix("agent:")
        changed[agent].append(describe_change(ev, local_zone))
    agents: list[AgentDigest] = []
    for agent_id in ids:
        spec = fleet[agent_id].spec if agent_id in fleet else None
        series = per_agent[agent_id]
        state = states.get(agent_id)
        n_open, oldest = open_reviews.get(agent_id, (0, None))
        week = DayCounts()
        for d in series[-RATE_DAYS:]:
            week.add(d)
        agents.append(
            AgentDigest(
                agent_id=agent_id,
                name=spec.name if spec else agent_id,
                owner=spec.owner if spec else "",
                channel=spec.channel if spec else "",
                trust=state.trust if state else "probation",
                paused=bool(state and state.paused),
                paused_reason=state.paused_reason if state else "",
                day=series[-1],
                before=series[-2],
                open_reviews=n_open,
                oldest_open_hours=_hours(now, oldest),
                bounce_rate=_rate(week.bounces, week.sent),
                complaint_rate=_rate(week.complaints, week.sent),
                changes=changed.get(agent_id, []),
                series=series,
            )
        )
    total_series = []
    for i in range(SERIES_DAYS):
        t = DayCounts()
        for a in agents:
            t.add(a.series[i])
        total_series.append((first + timedelta(days=i), t))
    ages = [a.oldest_open_hours for a in agents if a.oldest_open_hours is not None]
    return Digest(
        scope=scope,
        owner=owner,
        day=day,
        tz=local_zone.key,
        partial=partial,
        generated_at=now,
        agents=agents,
        total=total_series[-1][1],
        total_before=total_series[-2][1],
        series=total_series,
        open_reviews=sum(a.open_reviews for a in agents),
        oldest_open_hours=max(ages) if ages else None,
        load=load.for_day(rt, day, local_zone.key, None if agent_ids is None else ids),
        reply_targets=targets,
    )


def _hours(now: datetime, then: datetime | None) -> float | None:
    if then is None:
        return None
    if then.tzinfo is None:  # SQLite hands back naive UTC from aggregates
        then = then.replace(tzinfo=UTC)
    return round(max(0.0, (now - then).total_seconds() / 3600), 1)


def describe_change(ev: AuditEvent, tz: ZoneInfo) -> str:
    """One line: when, what, who, and the detail that matters (from/to, reason)."""
    at = ev.at if ev.at.tzinfo else ev.at.replace(tzinfo=UTC)
    who = ev.actor.removeprefix("user:")
    detail = ev.detail or {}
    bits = [str(detail["setting"])] if detail.get("setting") else []
    if detail.get("before") not in (None, "") or detail.get("after") not in (None, ""):
        bits.append(f"{detail.get('before', '—')} → {detail.get('after', '—')}")
    reason = detail.get("reason") or detail.get("why") or ""
    text = f"{at.astimezone(tz):%H:%M} {ev.action.replace('.', ' ')} by {who}"
    if bits:
        text += " (" + " ".join(bits) + ")"
    if reason:
        text += f": {reason}"
    return text


# --- scheduling --------------------------------------------------------------------------


@dataclass(frozen=True)
class Due:
    key: str
    scope: str
    owner: str
    channel: str
    agent_ids: list[str] | None
    tz: str
    day: date  # the local day the digest reports (yesterday, when posted in the morning)


def _digest_time(rt: Runtime) -> time:
    hh, mm = rt.settings.digest_time.split(":")
    return time(int(hh), int(mm))


def owners(rt: Runtime) -> dict[str, list]:
    """AM -> their agents (by id), from the agent files."""
    by_owner: dict[str, list] = defaultdict(list)
    for agent_id in sorted(rt.fleet().agents):
        agent = rt.fleet().agents[agent_id]
        if agent.spec.owner:
            by_owner[agent.spec.owner].append(agent)
    return dict(by_owner)


def timezones(rt: Runtime, users: list[str]) -> dict[str, str]:
    """Each user's IANA time zone: from the SlackUser cache, refreshed from Slack once a day,
    else TWOLOOP_TIMEZONE. A Slack error keeps what we had."""
    now = rt.now()
    fallback = rt.settings.timezone
    with rt.db.session() as s:
        cached = {u: (row.tz, row.fetched_at) for u, row in slack_users.cached(s, users).items()}
    out: dict[str, str] = {}
    ask = getattr(rt.humans, "user_timezone", None)
    for user in users:
        tz, fetched = cached.get(user, ("", None))
        if fetched is not None and fetched.tzinfo is None:
            fetched = fetched.replace(tzinfo=UTC)
        if ask is not None and (fetched is None or now - fetched >= TZ_REFRESH):
            try:
                tz = ask(user) or ""
            except Exception as exc:  # noqa: BLE001 - Slack down: keep the cached zone
                log.warning("time zone of %s unknown: %s", user, type(exc).__name__)
                with rt.db.session() as s:  # and ask again in an hour, not every run
                    slack_users.save(s, user, tz, now - TZ_REFRESH + TZ_RETRY)
            else:
                with rt.db.session() as s:
                    slack_users.save(s, user, tz, now)
        out[user] = zone(tz, fallback).key
    return out


def due(rt: Runtime) -> list[Due]:
    """Digests whose local time has come today (posted or not; the claim decides)."""
    at = _digest_time(rt)
    now = rt.now()
    out: list[Due] = []
    by_owner = owners(rt)
    zones = timezones(rt, sorted(by_owner))
    for owner, agents in sorted(by_owner.items()):
        local = now.astimezone(ZoneInfo(zones[owner]))
        if local.time() >= at:
            out.append(
                Due(
                    key=f"digest:am:{owner}:{local.date().isoformat()}",
                    scope="am",
                    owner=owner,
                    channel=agents[0].spec.channel,
                    agent_ids=[a.id for a in agents],
                    tz=zones[owner],
                    day=local.date() - timedelta(days=1),
                )
            )
    channel = rt.settings.operator_channel
    if not channel:
        if rt not in _told_no_channel:
            log.info("fleet digest skipped: TWOLOOP_OPERATOR_CHANNEL is not set")
            _told_no_channel.add(rt)
        return out
    local = now.astimezone(zone(rt.settings.timezone, "UTC"))
    if local.time() >= at:
        out.append(
            Due(
                key=f"digest:fleet:{local.date().isoformat()}",
                scope="fleet",
                owner="",
                channel=channel,
                agent_ids=None,
                tz=rt.settings.timezone,
                day=local.date() - timedelta(days=1),
            )
        )
    return out


def build(rt: Runtime, item: Due, *, partial: bool = False) -> tuple[Digest, bytes | None]:
    digest = digest_for(
        rt,
        item.day,
        item.agent_ids,
        tz=item.tz,
        scope=item.scope,
        owner=item.owner,
        partial=partial,
    )
    return digest, trend_png(digest) if digest.worth_charting else None


def post_due(rt: Runtime) -> list[str]:
    """The scheduler's job: post every digest that is due and not yet claimed. Returns the
    keys posted by this call."""
    if rt.humans is None:
        return []
    posted = []
    for item in due(rt):
        with rt.db.session() as s:
            if not scheduled_posts.claim(s, item.key, rt.now()):
                continue
        try:
            digest, chart = build(rt, item)
            ts = rt.humans.post_digest(item.channel, digest, chart)
        except Exception as exc:  # noqa: BLE001 - give the claim back; the next run retries
            log.warning("digest %s failed: %s", item.key, type(exc).__name__)
            with rt.db.session() as s:
                scheduled_posts.release(s, item.key)
            continue
        with rt.db.session() as s:
            scheduled_posts.done(s, item.key, item.channel, ts, rt.now())
        posted.append(item.key)
    return posted


def post_now(rt: Runtime, requested_by: str) -> Notice:
    """`/twoloop digest`: the fleet digest to the operator channel for an operator, the
    requester's own digest to their channel for an AM; today so far. One line back."""
    if rt.humans is None:
        return Notice.of("Slack is not connected, so there is nowhere to post a digest.")
    now = rt.now()
    if rt.is_operator(requested_by):
        channel = rt.settings.operator_channel
        if not channel:
            return Notice.of("Set TWOLOOP_OPERATOR_CHANNEL to post the fleet digest.")
        tz = rt.settings.timezone
        item = Due("", "fleet", "", channel, None, tz, now.astimezone(ZoneInfo(tz)).date())
    else:
        agents = owners(rt).get(requested_by)
        if not agents:
            return Notice.of("You own no agents, so there is no digest for you.")
        tz = timezones(rt, [requested_by])[requested_by]
        item = Due(
            "",
            "am",
            requested_by,
            agents[0].spec.channel,
            [a.id for a in agents],
            tz,
            now.astimezone(ZoneInfo(tz)).date(),
        )
    digest, chart = build(rt, item, partial=True)
    try:
        rt.humans.post_digest(item.channel, digest, chart)
    except Exception as exc:  # noqa: BLE001
        log.warning("digest for %s failed: %s", requested_by, type(exc).__name__)
        return Notice.of(f"Posting the digest failed ({type(exc).__name__}); try again.")
    what = "fleet digest" if item.scope == "fleet" else "digest of your agents"
    n = len(digest.agents)
    return Notice.of(
        f"Posted the {what} ({n} agent{'s' if n != 1 else ''}, today so far) to ",
        Channel(item.channel),
        ".",
    )


# --- text --------------------------------------------------------------------------------


def delta(now: int, before: int) -> str:
    """'+3', '-1' or '' (unchanged), for 'since yesterday'."""
    return "" if now == before else f"{now - before:+d}"


def pct(rate: float | None) -> str:
    return "—" if rate is None else f"{rate:.1%}"


def age(hours: float | None) -> str:
    if hours is None:
        return "—"
    return f"{hours:.0f} h" if hours < 48 else f"{hours / 24:.1f} d"


def counts_line(d: DayCounts, before: DayCounts | None = None) -> str:
    parts = []
    for name, label in (
        ("drafted", "drafted"),
        ("auto_sent", "auto-sent"),
        ("to_review", "to review"),
        ("reviewed", "reviewed"),
        ("approved", "approved"),
        ("edited", "edited"),
        ("killed", "killed"),
        ("sent", "sent"),
        ("replies", "replies"),
    ):
        n = getattr(d, name)
        change = delta(n, getattr(before, name)) if before is not None else ""
        parts.append(f"{n} {label}" + (f" ({change})" if change else ""))
    return ", ".join(parts)


def load_line(digest: Digest) -> str:
    """'queue yesterday: 14 min (target 20) · ...' for the digest's day."""
    assert digest.load is not None
    return load.queue_line(digest.load, load.when_text(digest.load, digest.generated_at, digest.tz))


def worth_naming_reviewers(digest: Digest) -> bool:
    """Who spent the time: always for the fleet; for an AM only when others helped."""
    if digest.load is None or not digest.load.reviewers:
        return False
    return digest.scope == "fleet" or len(digest.load.reviewers) > 1


def digest_text(digest: Digest) -> str:
    """The digest as plain text: the terminal, and Slack's notification fallback."""
    lines = [
        digest.title,
        f"Total: {counts_line(digest.total, digest.total_before)}",
        f"Open reviews: {digest.open_reviews}, oldest {age(digest.oldest_open_hours)}",
    ]
    if digest.reply_targets.due:
        lines.append(f"Replies: {digest.reply_targets.line()}")
    if digest.load is not None:
        lines.append(f"Review time: {load_line(digest)}")
        if worth_naming_reviewers(digest):
            lines.append(f"  {load.reviewers_text(digest.load)}")
    for a in digest.agents:
        state = a.trust
        if a.paused:
            state += " · PAUSED" + (f" ({a.paused_reason})" if a.paused_reason else "")
        lines += [
            "",
            f"{a.name} [{state}]",
            f"  {counts_line(a.day, a.before)}",
            f"  open {a.open_reviews}, oldest {age(a.oldest_open_hours)}; "
            f"bounce {pct(a.bounce_rate)}, complaints {pct(a.complaint_rate)} ({RATE_DAYS} days)",
        ]
        if a.top_kill_reasons:
            lines.append("  killed for: " + ", ".join(f"{k} {n}" for k, n in a.top_kill_reasons))
        if a.intents:
            lines.append("  replies: " + ", ".join(f"{k} {n}" for k, n in a.intents))
        lines += [f"  changed: {c}" for c in a.changes]
    return "\n".join(lines)
