"""The tuning report: what AMs kill and why, what they rewrite, where agents are unsure, and
whether last week's edit to an agent's markdown moved this week's kill and edit rates."""

from __future__ import annotations

import dataclasses
import difflib
import json
import logging
import re
from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.readouts import (
    AgentTrend,
    AgentWeek,
    Count,
    LoadWeek,
    LowDraft,
    Phrase,
    Rates,
    TuningReport,
    VersionWeek,
)
from bot.reports import load
from bot.runtime import Runtime
from storage import scheduled_posts
from storage import tuning as store
from storage.models import Draft

log = logging.getLogger(__name__)

WEEKS = 8  # the default window: this week and the seven before it
EDITS_READ = 500  # the phrase analysis reads at most this many recent edits
TOP = 10
WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")
# A phrase made only of these says nothing about tone or content.
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "for",
        "from",
        "has",
        "have",
        "i",
        "if",
        "in",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "our",
        "so",
        "that",
        "the",
        "their",
        "them",
        "there",
        "this",
        "to",
        "was",
        "we",
        "were",
        "will",
        "with",
        "you",
        "your",
        "me",
        "my",
        "us",
        "it's",
        "i'm",
    ]
)


def week_bounds(since: datetime, until: datetime, tz: ZoneInfo) -> list[datetime]:
    """[since, next Monday 00:00 local, the Monday after, ..., until]."""
    bounds = [since]
    local = since.astimezone(tz).date()
    monday = local + timedelta(days=7 - local.weekday())
    while True:
        b = datetime.combine(monday, time(0), tz)
        if b >= until:
            break
        bounds.append(b)
        monday += timedelta(days=7)
    return [*bounds, until]


def default_since(now: datetime, tz: ZoneInfo, weeks: int = WEEKS) -> datetime:
    local = now.astimezone(tz).date()
    monday = local - timedelta(days=local.weekday()) - timedelta(weeks=weeks - 1)
    return datetime.combine(monday, time(0), tz)


def build(
    rt: Runtime,
    agent: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    *,
    edits: int = EDITS_READ,
    top: int = TOP,
) -> TuningReport:
    tz = ZoneInfo(rt.settings.timezone)
    if until is None:  # the end of today: what happened a moment ago is in
        today = rt.now().astimezone(tz).date()
        until = datetime.combine(today + timedelta(days=1), time(0), tz)
    since = since or default_since(until - timedelta(seconds=1), tz)
    bounds = week_bounds(since, until, tz)
    with rt.db.session() as s:
        weekly = store.weekly_counts(s, bounds, agent)
        recent = store.recent_edits(s, since, until, agent, edits)
        lowest = store.lowest_confidence(s, since, until, agent, top)
    ranked: Counter[str] = Counter()
    for _week, _agent, _version, action, reason, n in weekly:
        if action == "kill":
            ranked[reason or "unspecified"] += n
    reasons = sorted(ranked.items(), key=lambda kv: (-kv[1], kv[0]))
    kills = sum(ranked.values())
    removed, added = edit_phrases(recent, top)
    fleet, trends = _trends(weekly, [b.astimezone(tz).date() for b in bounds[:-1]])
    return TuningReport(
        agent=agent,
        since=since,
        until=until,
        weeks=tuple(b.astimezone(tz).date() for b in bounds[:-1]),
        kill_reasons=tuple(Count(c, n, round(n / kills, 3)) for c, n in reasons),
        removed=removed,
        added=added,
        edits_read=len(recent),
        lowest=tuple(_low(d) for d in lowest),
        fleet=fleet,
        agents=trends,
        load=load.weekly(rt, bounds, tz, agent),
    )


def _low(d: Draft) -> LowDraft:
    assert d.id is not None  # a row read from the database has its id
    return LowDraft(d.id, d.agent_id, d.subject, d.confidence, d.status, d.created_at)


def _trends(
    rows: list[tuple[int, str, str, str, str, int]], weeks: list[date]
) -> tuple[tuple[AgentWeek, ...], tuple[AgentTrend, ...]]:
    per: dict[tuple[str, int], dict[str, Rates]] = {}
    for week_index, agent_id, version, action, _reason, n in rows:
        cell = per.setdefault((agent_id, int(week_index)), {})
        one = Rates(n, n if action == "kill" else 0, n if action == "edit" else 0)
        cell[version] = cell.get(version, Rates()) + one
    fleet = [Rates() for _ in weeks]
    trends = []
    for agent_id in sorted({a for a, _ in per}):
        seen: set[str] = set()
        out = []
        for i, week in enumerate(weeks):
            versions = []
            total = Rates()
            for v, r in sorted(per.get((agent_id, i), {}).items()):
                versions.append(VersionWeek(v, r, new=bool(seen) and v not in seen))
                total += r
            seen.update(v.config_version for v in versions)
            fleet[i] += total
            out.append(AgentWeek(week, total, tuple(versions)))
        trends.append(AgentTrend(agent_id, tuple(out)))
    return tuple(AgentWeek(w, r, ()) for w, r in zip(weeks, fleet, strict=True)), tuple(trends)


def words(text: str) -> list[str]:
    return WORD.findall(text.lower().replace("’", "'"))


def _ngrams(tokens: list[str], most: int = 3, whole: int = 8) -> set[tuple[str, ...]]:
    """Word 1-3-grams, and the whole run when it is short enough to read as one phrase
    ("i hope this email finds you well" rather than five overlapping 3-grams)."""
    grams = set()
    for n in range(1, most + 1):
        for i in range(len(tokens) - n + 1):
            grams.add(tuple(tokens[i : i + n]))
    if most < len(tokens) <= whole:
        grams.add(tuple(tokens))
    return {g for g in grams if not all(t in STOPWORDS for t in g)}


def _snippet(tokens: list[str], limit: int = 8) -> str:
    return " ".join(tokens[:limit]) + (" …" if len(tokens) > limit else "")


def edit_phrases(
    edits: Iterable[tuple[int | None, str, str, str, str]], top: int = TOP
) -> tuple[tuple[Phrase, ...], tuple[Phrase, ...]]:
    """Word 1-3-grams an edit took out or put in (difflib opcodes over normalised words),
    counted once per edit, with one example of the change around each."""
    counts: dict[str, Counter[tuple[str, ...]]] = {"removed": Counter(), "added": Counter()}
    examples: dict[str, dict[tuple[str, ...], tuple[str, int | None]]] = {
        "removed": {},
        "added": {},
    }
    for draft_id, b_subject, b_body, a_subject, a_body in edits:
        got: dict[str, set[tuple[str, ...]]] = {"removed": set(), "added": set()}
        for before, after in ((b_subject, a_subject), (b_body, a_body)):
            a, b = words(before), words(after)
            ops = difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes()
            for tag, i1, i2, j1, j2 in ops:
                if tag == "equal":
                    continue
                change = f"{_snippet(a[i1:i2]) or '∅'} → {_snippet(b[j1:j2]) or '∅'}"
                for side, tokens in (("removed", a[i1:i2]), ("added", b[j1:j2])):
                    for gram in _ngrams(tokens):
                        got[side].add(gram)
                        examples[side].setdefault(gram, (change, draft_id))
        for side in counts:
            counts[side].update(got[side])
    return (
        _top(counts["removed"], examples["removed"], top),
        _top(counts["added"], examples["added"], top),
    )


def _top(
    counts: Counter[tuple[str, ...]],
    examples: dict[tuple[str, ...], tuple[str, int | None]],
    top: int,
) -> tuple[Phrase, ...]:
    """The most frequent phrases, leaving out a phrase that only ever changed inside a longer
    one that is listed as often ("finds you" when "hope this finds you" says it)."""
    candidates = counts.most_common(top * 20)
    kept = []
    for gram, n in candidates:
        if any(
            len(other) > len(gram) and m >= n and _inside(gram, other)
            for other, m in candidates
            if m >= n
        ):
            continue
        kept.append(gram)
    kept.sort(key=lambda g: (-counts[g], -len(g), g))
    return tuple(Phrase(" ".join(g), counts[g], examples[g][0], examples[g][1]) for g in kept[:top])


def _inside(short: tuple[str, ...], long: tuple[str, ...]) -> bool:
    n = len(short)
    return any(long[i : i + n] == short for i in range(len(long) - n + 1))


# --- output ------------------------------------------------------------------------------


def pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def delta(now: float, before: float | None) -> str:
    """The change in points between two rates as printed, so 20% -> 19% reads (-1)."""
    if before is None:
        return ""
    points = int(f"{100 * now:.0f}") - int(f"{100 * before:.0f}")
    return f" ({'+' if points > 0 else ''}{points})" if points else " (=)"


def week_line(week: AgentWeek, previous: AgentWeek | None) -> str:
    r = week.rates
    prev = previous.rates if previous and previous.rates.decisions else None
    line = (
        f"{r.decisions:>6} decided  kill {pct(r.kill_rate):>4}"
        f"{delta(r.kill_rate, prev.kill_rate if prev else None):6}  "
        f"edit {pct(r.edit_rate):>4}{delta(r.edit_rate, prev.edit_rate if prev else None):6}"
    )
    if week.versions:
        line += "  config " + ", ".join(
            f"{v.config_version or '?'}{' (new)' if v.new else ''}: "
            f"{v.rates.decisions} kill {pct(v.rates.kill_rate)} edit {pct(v.rates.edit_rate)}"
            for v in week.versions
        )
    return line


def render_text(report: TuningReport) -> str:
    who = f"agent {report.agent}" if report.agent else "all agents"
    out = [
        f"Tuning report · {who} · {report.since:%Y-%m-%d %H:%M} → {report.until:%Y-%m-%d %H:%M %Z}",
        "",
        "Kill reasons",
    ]
    out += [f"  {c.code:18} {c.count:>7}  {pct(c.share):>4}" for c in report.kill_reasons] or [
        "  no kills"
    ]
    for title, phrases in (("removed", report.removed), ("added", report.added)):
        out += ["", f"Phrases most often {title} in edits (last {report.edits_read} edits)"]
        out += [
            f"  {p.count:>5}×  {p.text!r:34}  e.g. draft {p.draft_id}: {p.example}" for p in phrases
        ] or ["  none"]
    out += ["", "Lowest-confidence drafts"]
    out += [
        f"  #{d.draft_id:<8} {d.confidence:.2f}  {d.agent_id:20} {d.status:9} {d.subject[:60]}"
        for d in report.lowest
    ] or ["  none"]
    out += ["", "Week over week (decisions on drafts; change in points against the week before)"]
    for label, weeks in [("fleet", report.fleet)] + [(t.agent_id, t.weeks) for t in report.agents]:
        out.append(f"  {label}")
        for i, week in enumerate(weeks):
            prev = weeks[i - 1] if i else None
            out.append(f"    {week.week:%Y-%m-%d}  {week_line(week, prev)}")
    out += ["", "Review load by week (per day on which anyone reviewed; time measured from clicks)"]
    out += [f"  {w.week:%Y-%m-%d}  {load_week_line(w)}" for w in report.load] or ["  none"]
    return "\n".join(out)


def load_week_line(w: LoadWeek) -> str:
    per = w.clicks_per_decision
    return (
        f"{w.reviews_per_day:5.1f} reviews/day  {w.minutes_per_day:5.1f} min/day  "
        f"posted→decided median {load.wait_text(w.median_to_decision):>7}  "
        f"{'—' if per is None else f'{per:.1f}'} clicks/decision  ({w.days} days)"
    )


def to_json(report: TuningReport) -> str:
    def rates(obj: object) -> object:
        if isinstance(obj, Rates):
            return {
                **dataclasses.asdict(obj),
                "kill_rate": obj.kill_rate,
                "edit_rate": obj.edit_rate,
            }
        if isinstance(obj, LoadWeek):
            return {
                **{f.name: rates(getattr(obj, f.name)) for f in dataclasses.fields(obj)},
                "reviews_per_day": obj.reviews_per_day,
                "minutes_per_day": obj.minutes_per_day,
                "clicks_per_decision": obj.clicks_per_decision,
            }
        if dataclasses.is_dataclass(obj):
            return {f.name: rates(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
        if isinstance(obj, (tuple, list)):
            return [rates(x) for x in obj]
        if isinstance(obj, (date, datetime)):
            return obj.isoformat()
        return obj

    return json.dumps(rates(report))


# --- weekly in Slack ---------------------------------------------------------------------


def weekly_key(rt: Runtime) -> tuple[str, datetime]:
    """The ISO week being reported ('tuning:2026-W47') and where it ends: this Monday 00:00."""
    tz = ZoneInfo(rt.settings.timezone)
    local = rt.now().astimezone(tz).date()
    monday = local - timedelta(days=local.weekday())
    year, week, _ = (monday - timedelta(days=7)).isocalendar()
    return f"tuning:{year}-W{week:02d}", datetime.combine(monday, time(0), tz)


def due(rt: Runtime) -> bool:
    """From Monday at TWOLOOP_DIGEST_TIME on, last week's report is due (a replica that was
    down on Monday catches up later in the week)."""
    tz = ZoneInfo(rt.settings.timezone)
    local = rt.now().astimezone(tz)
    hour, minute = map(int, rt.settings.digest_time.split(":"))
    return local.weekday() > 0 or local.time() >= time(hour, minute)


def post_weekly(rt: Runtime) -> bool:
    """Post last week's report to the operator channel, once per week across replicas."""
    channel = rt.settings.operator_channel
    if not channel or rt.humans is None or not due(rt):
        return False
    key, until = weekly_key(rt)
    with rt.db.session() as s:
        done = scheduled_posts.get(s, key)
        if done is not None and done.posted_at is not None:
            return False
        if not scheduled_posts.claim(s, key, rt.now()):
            return False
    try:
        report = build(rt, until=until)
        ts = rt.humans.post_report(channel, report)
    except Exception:
        with rt.db.session() as s:
            scheduled_posts.release(s, key)
        raise
    with rt.db.session() as s:
        scheduled_posts.done(s, key, channel, ts, rt.now())
    log.info("posted %s to %s", key, channel)
    return True
