"""The deliverability guard: bounce and complaint rates over a trailing window, per mailbox
and per agent. Over a limit, the mailbox or agent pauses itself, the operator channel is
alerted, and only an operator resumes it.

Google's bulk sender guidelines ask senders to keep spam complaints under 0.3%; a bounce
rate of 5% is a common point at which mailbox providers start to distrust a sender.

Reports are not authenticated, so a rate only moves on reports that name a message of ours,
and by at most one bounce and one complaint per message: twenty copies of a (forged) report
about one message count once. Reports about no message of ours are kept and counted for the
operators, never toward a rate.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlmodel import Session

from bot.core import relationship as rel
from bot.mail.outbound import sequences
from bot.memory import events as memory
from bot.ports import Notice
from bot.runtime import Runtime
from storage import audit, inbound, prospects
from storage import outbox as store
from storage.models import OutboxMessage, Suppression
from storage.upsert import upsert

log = logging.getLogger(__name__)


def record(
    s: Session, msg: OutboxMessage, kind: str, *, hard: bool, detail: str, now: datetime
) -> bool:
    """A bounce or complaint for a sent (or refused) message. A hard bounce or a complaint
    suppresses the address and stops its sequences. Returns whether it counted: only the
    first of its kind for the message does (a hard bounce after a soft one makes the stored
    bounce hard, still one)."""
    if msg.id is None:
        raise ValueError(f"outbox message {msg.message_id} was never stored")
    counted = inbound.add_mail_event(
        s,
        {
            "outbox_id": msg.id,
            "mailbox": msg.from_addr,
            "agent_id": msg.agent_id,
            "contact_id": msg.contact_id,
            "kind": kind,
            "hard": hard,
            "detail": detail,
            "at": now,
        },
    )
    hardened = not counted and hard and inbound.harden_bounce(s, msg.id, detail)
    if hard or kind == "complaint":
        reason = "complaint" if kind == "complaint" else "hard bounce"
        upsert(
            s,
            Suppression,
            [{"value": msg.to_addr.lower(), "reason": reason, "created_at": now}],
            ["value"],
            update=False,
        )
        sequences.stop_contact(s, msg.contact_id, reason, now)
    if (counted or hardened) and (hard or kind == "complaint"):
        memory.on_contact(
            s,
            msg.contact_id,
            rel.COMPLAINT if kind == "complaint" else rel.HARD_BOUNCE,
            now,
            agent_id=msg.agent_id,
            draft_id=msg.draft_id,
            summary=detail[:140],
            detail={"address": msg.to_addr.lower()},
        )
    if counted or hardened:
        audit.record(
            s,
            "system",
            f"mail.{kind}",
            f"draft:{msg.draft_id}",
            {"hard": hard, "detail": detail, "mailbox": msg.from_addr},
            agent_id=msg.agent_id,
        )
    return counted


def check(rt: Runtime, mailbox: str, agent_id: str) -> list[str]:
    """Pause the mailbox and/or the agent if a rate is over its limit. Returns what paused."""
    st = rt.settings
    now = rt.now()
    since = now - timedelta(days=st.guard_window_days)
    paused: list[str] = []
    about: list[str] = []  # the agent each pause is about ("" for a mailbox)
    with rt.db.session() as s:
        unmatched = inbound.unmatched_reports(s, since)
        for scope, key in (("mailbox", mailbox), ("agent", agent_id)):
            if not key:
                continue
            kw = {"mailbox": key} if scope == "mailbox" else {"agent_id": key}
            sent, bounces, complaints = store.sent_and_events(s, since, **kw)
            reason = over_limit(
                sent, bounces, complaints, st.bounce_rate, st.complaint_rate, st.guard_min_sent
            )
            if not reason:
                continue
            why = f"{reason} over the last {st.guard_window_days:g} days"
            done = (
                store.pause_mailbox(s, key, why, now)
                if scope == "mailbox"
                else prospects.set_agent_paused(s, key, True, why, by="guard")
            )
            if done:
                audit.record(
                    s,
                    "system",
                    f"{scope}.paused",
                    f"{scope}:{key}",
                    {"reason": why, "sent": sent, "bounces": bounces, "complaints": complaints},
                    agent_id=key if scope == "agent" else "",
                )
                paused.append(f"{scope} {key}: {why}")
                about.append(key if scope == "agent" else "")
    aside = (
        f" ({unmatched} bounce/complaint report(s) in that window matched no message of ours "
        "and were not counted.)"
        if unmatched
        else ""
    )
    for line, agent in zip(paused, about, strict=True):
        log.warning("deliverability guard paused %s", line)
        rt.tell_operators(
            Notice.of(
                f"Paused {line}. Nothing more goes out from it "
                f"until an operator resumes it.{aside}",
                tone="alarm",
                agent_id=agent,
            )
        )
    return paused


def unmatched_report(rt: Runtime, kind: str, sender: str, subject: str) -> int:
    """A bounce or complaint that matched no message of ours was stored: it moves no rate.
    The operators hear of the 1st, 10th, 100th, ... in the guard's window (a flood of forged
    reports is news; one notice per report would be a flood too). Returns the count."""
    st = rt.settings
    with rt.db.session() as s:
        count = inbound.unmatched_reports(s, rt.now() - timedelta(days=st.guard_window_days))
    if count >= 1 and 10 ** (len(str(count)) - 1) == count:
        rt.tell_operators(
            Notice.of(
                f"{count} bounce/complaint report(s) in the last "
                f"{st.guard_window_days:g} days matched no message of ours; they are stored "
                "but count toward no bounce or complaint rate (forged, or about mail sent "
                f"outside Twoloop). Latest: a {kind} from {sender or '(no sender)'} "
                f"({subject[:80]!r}).",
                tone="warning",
            )
        )
    return count


def over_limit(
    sent: int,
    bounces: int,
    complaints: int,
    bounce_rate: float,
    complaint_rate: float,
    min_sent: int,
) -> str:
    """'' when fine; else which rate is over. Few sends say little: wait for `min_sent`."""
    base = max(sent, bounces + complaints)
    if base < min_sent:
        return ""
    if complaints / base >= complaint_rate:
        return f"complaint rate {complaints / base:.1%} ({complaints}/{base}) at or over {complaint_rate:.1%}"
    if bounces / base >= bounce_rate:
        return f"bounce rate {bounces / base:.1%} ({bounces}/{base}) at or over {bounce_rate:.1%}"
    return ""
