"""Ephemeral answers as Slack text: `/twoloop status` and `queue`, and a refused click."""

from __future__ import annotations

from bot.reports import status
from bot.review import control
from handlers.views.limits import FALLBACK_LIMIT
from handlers.views.text import channel_mention, clip, esc, md, mention


def _fmt(value: float | int) -> str:
    return f"{value:g}"


def status_text(rows: list[status.AgentStatus]) -> str:
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
    lines = [head, "```" + "\n".join(table) + "```"]
    for r in paused:
        lines.append(
            md(":double_vertical_bar: `{}` paused: {}", r.id, r.paused_reason or "no reason")
        )
    lines.append("`/twoloop status <agent>` for one agent in detail.")
    return "\n".join(lines)


def _who(by: str, system: str) -> str:
    return mention(by) if by and by not in control.GUARD + ("system",) else system


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
    if d.trust == "probation" and d.trust_set_by not in ("", "system"):
        lines.append("  held on probation by hand: only a person promotes it")
    elif d.trust == "probation":
        lines.append(
            f"  toward supervised: {t.reviews}/{reviews} reviewed drafts, {t.days}/{days} days, "
            f"{t.kill_rate:.0%} killed (at most {rate:.0%}), {t.critical} critical kills"
        )
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
    return "\n".join(lines)


def queue_text(items: list[status.QueueItem], total: int | None = None) -> str:
    """Every kind of review (drafts, replies, plays); `total` counts the ones not listed."""
    total = len(items) if total is None else total
    if not items:
        return "No open reviews."
    lines = [f"*{total} open reviews*, oldest first"]
    for i in items:
        kind = "" if i.kind == "draft" else f"_{i.kind}_ "
        lines.append(
            f"• #{i.review_id} {kind}"
            + md("{} → {}: {}", i.agent, i.account or "—", i.subject, limit=300)
            + f" ({i.age_hours:g} h)"
        )
    if total > len(items):
        lines.append(f"…and {total - len(items)} more (App Home lists them with their buttons).")
    return clip("\n".join(lines), FALLBACK_LIMIT * 3)


def refusal_text(status: str, outcome: str = "", decided_by: str = "", detail: str = "") -> str:
    """An ephemeral answer to a click; `detail` may carry outside text, so it is escaped."""
    if status == "already_decided":
        return f"Already {esc(outcome)} by {mention(decided_by)}."
    if status == "forbidden" and outcome == "account_owner":
        return f"This account's owner {mention(detail)} decides this review (or an operator)."
    if status == "forbidden":
        return f"Only the owner ({mention(detail)}) or an operator can decide this review."
    if status == "blocked":
        return md("This draft cannot be sent as is ({}). Use Edit to fix it.", detail)
    if status == "invalid":
        return md("{}.", detail[:1].upper() + detail[1:])
    if status == "stale":
        return "The draft changed since this card was posted; a fresh card is below."
    if status == "not_found":
        return "This review no longer exists."
    return md("{}", detail) if detail else "That did not work."
