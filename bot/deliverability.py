"""The deliverability guard: bounce and complaint rates over a trailing window, per mailbox
and per agent. Over a limit, the mailbox or agent pauses itself, the operator channel is
alerted, and only an operator resumes it.

Google's bulk sender guidelines ask senders to keep spam complaints under 0.3%; a bounce
rate of 5% is a common point at which mailbox providers start to distrust a sender.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlmodel import Session

from bot import sequences
from bot.runtime import Runtime
from storage import audit, prospects
from storage import outbox as store
from storage.models import MailEvent, OutboxMessage, Suppression
from storage.upsert import upsert

log = logging.getLogger(__name__)


def record(
    s: Session, msg: OutboxMessage, kind: str, *, hard: bool, detail: str, now: datetime
) -> None:
    """A bounce or complaint for a sent (or refused) message. A hard bounce or a complaint
    suppresses the address and stops its sequences."""
    s.add(
        MailEvent(
            outbox_id=msg.id,
            mailbox=msg.from_addr,
            agent_id=msg.agent_id,
            contact_id=msg.contact_id,
            kind=kind,
            hard=hard,
            detail=detail,
            at=now,
        )
    )
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
    audit.record(
        s,
        "system",
        f"mail.{kind}",
        f"draft:{msg.draft_id}",
        {"hard": hard, "detail": detail, "mailbox": msg.from_addr},
        agent_id=msg.agent_id,
    )


def check(rt: Runtime, mailbox: str, agent_id: str) -> list[str]:
    """Pause the mailbox and/or the agent if a rate is over its limit. Returns what paused."""
    st = rt.settings
    now = rt.now()
    since = now - timedelta(days=st.guard_window_days)
    paused: list[str] = []
    with rt.db.session() as s:
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
    for line in paused:
        log.warning("deliverability guard paused %s", line)
        rt.tell_operators(
            f":rotating_light: Paused {line}. Nothing more goes out from it "
            "until an operator resumes it."
        )
    return paused


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
