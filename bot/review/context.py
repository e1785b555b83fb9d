"""What a card (and `twoloop why`) says beyond the draft itself: who owns the account, what
the relationship's history means now, and the conversation so far, so the person deciding
never has to go and look it up."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime

from sqlmodel import Session

from bot.core.relationship import CUSTOMER, DECISION, Event, Policy, Standing, assess, line
from bot.memory import owners
from bot.memory.standing import account_history
from bot.ports import PAST, Relationship, ThreadMessage
from bot.runtime import Runtime
from storage import prospects, threads
from storage.models import Account, Contact, Draft

HISTORY_LINES = 5  # on a card, newest first; `why` shows them all
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Memory:
    """The account's history and a contact's standing at one moment (`at`)."""

    at: datetime
    standing: Standing | None  # None when the contact is not known
    events: list[Event]  # newest first
    names: dict[str, str]  # contact id -> name


def policy_for(rt: Runtime, agent_id: str) -> Policy:
    """The agent's relationship policy; the fleet's defaults for an agent no longer there."""
    agent = rt.fleet().agents.get(agent_id)
    return rt.relationship_policy(agent.spec if agent is not None else None)


def memory(
    rt: Runtime, s: Session, account: Account, contact: Contact | None, agent_id: str
) -> Memory:
    now = rt.now()
    events, names = account_history(s, account.id)
    standing = (
        assess(events, contact.id, contact.email, now, policy_for(rt, agent_id), names)
        if contact is not None
        else None
    )
    return Memory(now, standing, events, names)


def relationship(
    rt: Runtime,
    s: Session,
    account: Account | None,
    contact: Contact | None,
    agent_id: str,
    shown: tuple[str, ...] = (),
) -> Relationship:
    """The card's view: the owner, the standing's stops and flags except those already
    `shown` (the gate's reasons say them), and the newest lines of history."""
    if account is None:
        return Relationship()
    m = memory(rt, s, account, contact, agent_id)
    am = owner(rt, s, account)
    st = m.standing or Standing()
    return Relationship(
        owner=(am.user_id or am.key) if am else "",
        owner_name=am.name if am else "",
        stops=tuple(x for x in st.stops if x not in shown),
        flags=tuple(x for x in st.flags if x not in shown),
        history=tuple(history_line(e, m.names) for e in m.events[:HISTORY_LINES]),
        earlier=max(len(m.events) - HISTORY_LINES, 0),
    )


def owner(rt: Runtime, s: Session, account: Account) -> owners.Manager | None:
    """The account's owner AM as the cache and ams.yml know them (an owner named by address
    resolved to their chat user); the chat is not asked while a card is drawn."""
    key = account.owner_am.strip()
    return owners.manager(rt, s, key, rt.now(), ask=False) if key else None


def history_line(e: Event, names: dict[str, str]) -> str:
    """`line`, saying what a decision was and what a customer status became."""
    d = e.detail
    if e.kind == DECISION and d.get("action"):
        why = d.get("reason_label") or d.get("reason") or ""
        what = PAST.get(d["action"], d["action"]) + (f", {why}" if why else "")
        e = replace(e, kind=f"decision: {what}")
    elif e.kind == CUSTOMER and d.get("status"):
        was = f" (was {d['was']})" if d.get("was") else ""
        e = replace(e, kind=f"customer status: {d['status']}{was}")
    return line(e, names)


def signal_lines(s: Session, draft: Draft) -> tuple[str, ...]:
    """The signals that started a draft, one line each: kind, summary, date."""
    return tuple(
        f"{sig.kind.replace('_', ' ')}: {sig.summary} ({sig.observed_at:%Y-%m-%d})"
        for sig in prospects.signals_by_id(s, draft.signal_ids)
    )


def thread(s: Session, draft_id: int, current: int | None = None) -> tuple[ThreadMessage, ...]:
    """Every message of the draft's thread, ours and theirs, in the order they happened;
    `current`: the inbound message the card is about."""
    ours = [
        ThreadMessage(m.sent_at, True, _our_label(m.step), m.subject, m.body)
        for m in threads.sent_in(s, draft_id)
    ]
    theirs = [
        ThreadMessage(
            r.received_at, False, _their_label(r.kind, r.intent), r.subject, r.text, r.id == current
        )
        for r in threads.received_in(s, draft_id)
    ]
    # Ours before theirs at the same instant: a reply never precedes what it answers.
    return tuple(sorted(ours + theirs, key=lambda m: (m.at or EPOCH, not m.ours)))


def _our_label(step: int) -> str:
    if step == 0:
        return "first message"
    return f"follow-up {step}" if step > 0 else "our answer"


def _their_label(kind: str, intent: str) -> str:
    if kind in ("", "human"):
        return f"reply, read as {intent.replace('_', ' ')}" if intent else "reply"
    return kind.replace("_", "-")
