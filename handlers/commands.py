"""`/twoloop` for operators and AMs: parse the text, call `bot/`, answer in one ephemeral.

Reading verbs (help, status, queue, digest) are for everyone; AMs see their own queue and
digest. Change verbs
are for operators. A wrong command gets the usage line of its verb, and an error the
operators' log, never a stack trace.
"""

from __future__ import annotations

import importlib.util
import logging
from collections.abc import Callable
from typing import Any

from bot.ops.redelivery import first_time
from bot.reports import status
from bot.review import control
from bot.runtime import Runtime
from handlers.blocks import FALLBACK_LIMIT, clip, esc, md, mention

log = logging.getLogger(__name__)

USAGE = {
    "help": "`/twoloop help`: this list",
    "status": "`/twoloop status [agent]`: the fleet, or one agent in detail",
    "queue": "`/twoloop queue`: open reviews, oldest first (yours, or all for operators)",
    "pause": "`/twoloop pause <agent|all> [reason]`: stop drafting and sending",
    "resume": "`/twoloop resume <agent|all>`: let it draft and send again",
    "set": (
        "`/twoloop set <agent> <personalization|confidence|audit_rate|daily_cap> "
        "<value|default>`: override the agent file until set back to `default`"
    ),
    "trust": "`/twoloop trust <agent> <probation|supervised> [reason]`: set trust by hand",
    "digest": "`/twoloop digest`: post the digest now (the fleet's for operators, yours for AMs)",
}
CHANGES = {"pause", "resume", "set", "trust"}
HELP = (
    "*/twoloop* commands:\n"
    + "\n".join(f"• {line}" for line in USAGE.values())
    + "\nEveryone can use `status`, `queue` and `digest`; the others are for operators."
)
FAILED = "Something went wrong; the operators can find it in the logs."
REPEATED = "This exact request was already received and carried out; nothing was done again."

Later = Callable[[Callable[[], None]], Any]


class Usage(Exception):
    def __init__(self, verb: str):
        super().__init__(verb)
        self.verb = verb


def run_command(
    rt: Runtime,
    user: str,
    text: str,
    *,
    later: Later | None = None,
    tell: Callable[[str], None] | None = None,
    once: str | None = None,
) -> dict:
    """The ephemeral answer. `later` runs slow work after the ack (notices to owners, the
    digest); `tell` sends the user a later ephemeral. Without them, everything runs now.
    `once` names the request (handlers/redelivery.py): a change whose request was seen
    before, on any replica, is not applied again."""
    text = as_typed(text)
    words = text.split()
    verb = words[0].lower() if words else "help"
    try:
        if verb in CHANGES:
            control.require_operator(rt, user, verb, text)
            if once is not None and not first_time(rt, once):
                log.info("repeated /twoloop %s request dropped", verb)
                return {"text": REPEATED}
        if verb == "digest" and len(words) == 1 and later is not None and tell is not None:
            later(lambda: tell(_safely(lambda: _digest(rt, user))))
            return {"text": "Posting the digest now; I will tell you here when it is out."}
        done = dispatch(rt, user, verb, words[1:])
    except Usage as exc:
        return {"text": f"Usage: {USAGE[exc.verb]}"}
    except control.Refused as exc:
        return {"text": str(exc)}
    except Exception:
        log.exception("/twoloop %s by %s failed", verb, user)
        return {"text": FAILED}
    if done.notes and rt.humans is not None:
        (later or _now)(lambda: _post_notes(rt, done.notes))
    return {"text": done.text}


def as_typed(text: str) -> str:
    """Slack sends a command's text with &, < and > escaped; a reason is stored as the user
    typed it (and escaped again wherever it is shown)."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def dispatch(rt: Runtime, user: str, verb: str, args: list[str]) -> control.Done:
    if verb == "help":
        return control.Done(HELP)
    if verb == "status":
        if len(args) > 1:
            raise Usage(verb)
        if args:
            return control.Done(detail_text(status.detail(rt, args[0])))
        return control.Done(status_text(status.fleet(rt)))
    if verb == "queue":
        if args:
            raise Usage(verb)
        queue = status.queue(rt, None if rt.is_operator(user) else user)
        return control.Done(queue_text(queue.items, queue.total))
    if verb == "pause":
        if not args:
            raise Usage(verb)
        return control.pause(rt, user, args[0], " ".join(args[1:]))
    if verb == "resume":
        if len(args) != 1:
            raise Usage(verb)
        return control.resume(rt, user, args[0])
    if verb == "set":
        if len(args) != 3:
            raise Usage(verb)
        return control.set_value(rt, user, *args)
    if verb == "trust":
        if len(args) < 2:
            raise Usage(verb)
        return control.set_trust(rt, user, args[0], args[1], " ".join(args[2:]))
    if verb == "digest":
        if args:
            raise Usage(verb)
        return control.Done(_digest(rt, user))
    return control.Done(f"Unknown command `{verb}`.\n{HELP}")


def _digest(rt: Runtime, user: str) -> str:
    if importlib.util.find_spec("bot.reports.digest") is None:
        return "Digests are not available in this version."
    from bot.reports import digest

    return digest.post_now(rt, user)


def _safely(fn: Callable[[], str]) -> str:
    try:
        return fn()
    except Exception:
        log.exception("/twoloop background work failed")
        return FAILED


def _now(fn: Callable[[], None]) -> None:
    fn()


def _post_notes(rt: Runtime, notes: list[tuple[str, str]]) -> None:
    for channel, text in notes:
        try:
            rt.humans.notify(channel, text)
        except Exception:  # noqa: BLE001 - the change stands and is audited; a notice is lost
            log.exception("notice to %s failed", channel)


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
        + f"{mention(d.owner)} · <#{d.channel}> · config v{d.config_version}",
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
