"""Ephemeral answers as Slack text: `/twoloop status` and `queue`, and a refused click."""

from __future__ import annotations

from bot.readouts import QueueLoad
from bot.reports import load, status
from bot.review import control, trust
from handlers.views.limits import FALLBACK_LIMIT
from handlers.views.text import channel_mention, clip, esc, md, mention


def _fmt(value: float | int) -> str:
    return f"{value:g}"


def status_text(rows: list[status.AgentStatus], today: QueueLoad | None = None) -> str:
    if not rows:
        return "No agents. Add a markdown file under agents/."
    paused = [r for r in rows if r.paused]
    head = (
        f"*Fleet*: {len(rows)} agents · {len(paused)} paused · "
        f"{sum(r.open_reviews for r in rows)} open reviews · "
        f"{sum(r.drafted_today for r in rows)} drafted / {sum(r.sent_today for r in rows)} sent "
        "in the last 24 h"
    )
    width = max(len("agent"), *(len(r.id) for r in rows))
    table = [
        f"{'agent':<{width}}  {'trust':<10}  {'state':<6}  {'open':>4}  {'drafted':>7}  "
        f"{'sent':>4}  overrides"
    ]
    for r in rows:
        over = " ".join(f"{k}={_fmt(v)}" for k, v in sorted(r.overrides.items())) or "-"
        table.append(
            f"{esc(r.id):<{width}}  {r.trust:<10}  {'PAUSED' if r.paused else 'active':<6}  "
            f"{r.open_reviews:>4}  {r.drafted_today:>7}  {r.sent_today:>4}  {over}"
        )
    lines = [head]
    if today is not None:
        lines.append(f"*Review time*: {load.queue_line(today)}")
        if today.reviewers:
            lines.append(load.reviewers_text(today, mention))
    lines.append("```" + "\n".join(table) + "```")
    for r in paused:
        lines.append(
            md(":double_vertical_bar: `{}` paused: {}", r.id, r.paused_reason or "no reason")
        )
    lines.append("`/twoloop status <agent>` for one agent in detail.")
    return "\n".join(lines)


def _who(by: str, system: str) -> str:
    return mention(by) if by and by not in control.GUARD + ("system",) else system


def _shadow(ev: trust.Evidence) -> str:
    """Shadow evaluation in one line: what the gate would send alone, and how that fared."""
    if not ev.reviews:
        return "no reviewed drafts yet"
    return (
        f"would auto-send {ev.send_share:.0%} of drafts; of those, "
        f"{ev.shadow_kills} of {ev.shadow_sends} were killed"
    )


def _still_needs(ev: trust.Evidence) -> list[str]:
    out = []
    if ev.blocked:
        out.append("  promotion blocked: " + esc(ev.blocked))
    # E.g. "a would-send draft was killed on 2026-11-04: the clean week restarts from then;
    # needs 3 more working days".
    restart = f"{esc(ev.restart)}; " if ev.restart else ""
    if ev.missing:
        out.append("  " + restart + ", ".join(f"needs {esc(m)}" for m in ev.missing))
    if ev.promotable:
        out.append("  " + restart + "meets the promotion rule: its next verdict promotes it")
    return out


def detail_text(d: status.AgentDetail) -> str:
    since = f" since {d.trust_since:%Y-%m-%d %H:%M} UTC" if d.trust_since else " since it started"
    set_by = _who(d.trust_set_by, "the trust rules")
    lines = [
        md("*{}* (`{}`) · owner ", d.name, d.id)
        + f"{mention(d.owner)} · {channel_mention(d.channel)} · config v{d.config_version}",
        f"*Trust*: {d.trust}{since}"
        + (f", set by {set_by}: {esc(d.trust_reason)}" if d.trust_reason else ""),
    ]
    t, (reviews, days, rate) = d.stretch, d.needs
    ev = d.evidence
    by_hand = d.trust == "probation" and d.trust_set_by not in ("", "system")
    if by_hand:
        lines.append("  held on probation by hand: only a person promotes it")
    elif d.trust == "probation" and (d.rule == "kill_rate" or ev is None):
        lines.append(
            f"  toward supervised: {t.reviews}/{reviews} reviewed drafts, {t.days}/{days} days, "
            f"{t.kill_rate:.0%} killed (at most {rate:.0%}), {t.critical} critical kills"
        )
    elif d.trust == "probation" and ev is not None:
        sends, most = d.shadow_needs
        lines.append(
            f"  toward supervised: {ev.reviews}/{reviews} reviewed drafts, "
            f"{ev.working_days}/{days} working days, {ev.shadow_sends}/{sends} drafts the gate "
            f"would send, {ev.shadow_kills} of those killed (at most {most})"
        )
    if ev is not None and d.trust == "probation":
        # Since the last trust change: a kill that restarted the clean week still shows here.
        lines.append(f"  if promoted today: {_shadow(d.probation_evidence or ev)}")
        if not by_hand:
            lines.extend(_still_needs(ev))
    elif ev is not None:
        lines.append(f"  last 30 days of reviewed drafts: {_shadow(ev)}")
    if d.paused:
        lines.append(
            f"*State*: :double_vertical_bar: paused by "
            f"{_who(d.paused_by, 'the deliverability guard')}: "
            + esc(d.paused_reason or "no reason")
        )
    else:
        lines.append("*State*: active")
    lines.append("*Settings*:")
    for st in d.settings:
        mark = f" (override, file: {_fmt(st.file)})" if st.overridden else ""
        lines.append(f"• {st.name} {_fmt(st.value)}{mark}")
    drafted = sum(d.today.values())
    by_status = ", ".join(f"{n} {k}" for k, n in sorted(d.today.items()))
    lines.append(
        f"*Today* (since {d.day_start:%Y-%m-%d %H:%M} UTC): {drafted} drafted"
        + (f" ({by_status})" if by_status else "")
    )
    oldest = f", oldest {d.oldest_open_hours:g} h" if d.oldest_open_hours is not None else ""
    lines.append(f"*Open reviews*: {d.open_reviews}{oldest}")
    if d.review_today is not None:
        lines.append(f"*Review time*: {agent_minutes_text(d.review_today)}")
    return "\n".join(lines)


def agent_minutes_text(today: QueueLoad) -> str:
    """One agent's share of today's queue: its minutes, and the whole target for scale."""
    line = (
        f"{load.minutes_text(today.minutes)} on its cards today "
        f"({today.clicks} click{'s' if today.clicks != 1 else ''}, {today.decisions} decided; "
        f"the whole queue's target is {today.target_minutes:g} min a day)"
    )
    if today.median_to_decision is not None:
        line += f"; card to decision: median {load.wait_text(today.median_to_decision)}"
    return line


def queue_text(items: list[status.QueueItem], total: int | None = None) -> str:
    """Every kind of review (drafts, replies, plays); `total` counts the ones not listed."""
    total = len(items) if total is None else total
    if not items:
        return "No open reviews."
    first = "replies with a target first, then oldest first"
    lines = [f"*{total} open reviews*, " + (first if items[0].due else "oldest first")]
    for i in items:
        kind = "" if i.kind == "draft" else f"_{i.kind}_ "
        due = ""
        if i.due:
            due = (" :rotating_light: *{}*" if i.overdue else " · {}").format(esc(i.due))
        lines.append(
            f"• #{i.review_id} {kind}"
            + md("{} → {}: {}", i.agent, i.account or "—", i.subject, limit=300)
            + f" ({i.age_hours:g} h)"
            + due
        )
    if total > len(items):
        lines.append(f"…and {total - len(items)} more (App Home lists them with their buttons).")
    return clip("\n".join(lines), FALLBACK_LIMIT * 3)


def refusal_text(status: str, outcome: str = "", decided_by: str = "", detail: str = "") -> str:
    """An ephemeral answer to a click; `detail` may carry outside text, so it is escaped."""
    if status == "already_decided":
        return f"Already {esc(outcome)} by {mention(decided_by)}."
    if status == "forbidden" and outcome == "operators":
        return "Only an operator can apply or dismiss a proposed change to an agent's file."
    if status == "forbidden" and outcome == "account_owner":
        return f"This account's owner {mention(detail)} decides this review (or an operator)."
    if status == "forbidden":
        return f"Only the owner ({mention(detail)}) or an operator can decide this review."
    if status == "blocked":
        return md("This draft cannot be sent as is ({}). Use Edit to fix it.", detail)
    if status == "invalid":
        return md("{}.", detail[:1].upper() + detail[1:])
    if status == "stale" and outcome == "proposal":
        return (
            "Not applied: the agent's file changed since this change was proposed. The "
            "proposal is stale; a fresh one, made from the file as it is now, comes instead."
        )
    if status == "stale":
        return "The draft changed since this card was posted; a fresh card is below."
    if status == "not_found":
        return "This review no longer exists."
    return md("{}", detail) if detail else "That did not work."
