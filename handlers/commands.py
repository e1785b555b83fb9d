"""`/twoloop` for operators and AMs: parse the text, call `bot/`, answer in one ephemeral
(its listener is handlers/listeners/commands.py; the answers' text, handlers/views/answers.py).

Reading verbs (help, status, queue, digest) are for everyone; AMs see their own queue and
digest. Change verbs are for operators. A wrong command gets the usage line of its verb,
and an error the operators' log, never a stack trace.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.ops.redelivery import first_time
from bot.ports import Notice
from bot.reports import digest, load, status
from bot.review import accounts, control
from bot.runtime import Runtime
from handlers.views.answers import detail_text, queue_text, status_text
from handlers.views.text import esc, render_notice

log = logging.getLogger(__name__)

USAGE = {
    "help": "`/twoloop help`: this list",
    "status": "`/twoloop status [agent]`: the fleet, or one agent in detail",
    "queue": "`/twoloop queue`: open reviews, replies by their target first, then oldest first "
    "(yours, or all for operators)",
    "pause": "`/twoloop pause <agent|all> [reason]`: stop drafting and sending",
    "resume": "`/twoloop resume <agent|all>`: let it draft and send again",
    "set": (
        "`/twoloop set <agent> <personalization|confidence|audit_rate|daily_cap> "
        "<value|default>`: override the agent file until set back to `default`"
    ),
    "trust": "`/twoloop trust <agent> <probation|supervised> [reason]`: set trust by hand",
    "digest": "`/twoloop digest`: post the digest now (the fleet's for operators, yours for AMs)",
    "account": (
        "`/twoloop account <account> [prospect|customer|former_customer|release]`: what the "
        "agents remember of an account; operators correct its customer status, its owner "
        "gives it back to the agents (`release`)"
    ),
}
CHANGES = {"pause", "resume", "set", "trust"}
HELP = (
    "*/twoloop* commands:\n"
    + "\n".join(f"• {line}" for line in USAGE.values())
    + "\nEveryone can use `status`, `queue`, `digest` and `account`; the others are for "
    "operators (an account's owner may also `release` it)."
)
FAILED = "Something went wrong; the operators can find it in the logs."
REPEATED = "This exact request was already received and carried out; nothing was done again."

Later = Callable[[Callable[[], None]], Any]


@dataclass
class Answer:
    """The ephemeral's Slack text, and notices for other channels (posted after the ack)."""

    text: str
    notes: list[tuple[str, Notice]] = field(default_factory=list)

    @classmethod
    def of(cls, done: control.Done) -> Answer:
        return cls(render_notice(done.answer), done.notes)


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
        return {"text": render_notice(exc.notice)}
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


def dispatch(rt: Runtime, user: str, verb: str, args: list[str]) -> Answer:
    if verb == "help":
        return Answer(HELP)
    if verb == "status":
        if len(args) > 1:
            raise Usage(verb)
        if args:
            return Answer(detail_text(status.detail(rt, args[0])))
        return Answer(status_text(status.fleet(rt), load.today(rt)))
    if verb == "queue":
        if args:
            raise Usage(verb)
        queue = status.queue(rt, None if rt.is_operator(user) else user)
        return Answer(queue_text(queue.items, queue.total))
    if verb == "pause":
        if not args:
            raise Usage(verb)
        return Answer.of(control.pause(rt, user, args[0], " ".join(args[1:])))
    if verb == "resume":
        if len(args) != 1:
            raise Usage(verb)
        return Answer.of(control.resume(rt, user, args[0]))
    if verb == "set":
        if len(args) != 3:
            raise Usage(verb)
        return Answer.of(control.set_value(rt, user, *args))
    if verb == "trust":
        if len(args) < 2:
            raise Usage(verb)
        return Answer.of(control.set_trust(rt, user, args[0], args[1], " ".join(args[2:])))
    if verb == "digest":
        if args:
            raise Usage(verb)
        return Answer(_digest(rt, user))
    if verb == "account":
        if len(args) not in (1, 2):
            raise Usage(verb)
        if len(args) == 1:
            return Answer.of(accounts.show(rt, args[0]))
        if args[1].lower() == "release":
            return Answer.of(accounts.release(rt, user, args[0]))
        return Answer.of(accounts.set_status(rt, user, args[0], args[1].lower()))
    return Answer(f"Unknown command `{esc(verb)}`.\n{HELP}")


def _digest(rt: Runtime, user: str) -> str:
    return render_notice(digest.post_now(rt, user))


def _safely(fn: Callable[[], str]) -> str:
    try:
        return fn()
    except Exception:
        log.exception("/twoloop background work failed")
        return FAILED


def _now(fn: Callable[[], None]) -> None:
    fn()


def _post_notes(rt: Runtime, notes: list[tuple[str, Notice]]) -> None:
    for channel, notice in notes:
        try:
            rt.humans.notify(channel, notice)
        except Exception:  # the change stands and is audited; a notice is lost
            log.exception("notice to %s failed", channel)
