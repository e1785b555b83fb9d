"""What a contact's and an account's history means for the next message to them.

The memory is a list of dated events (our sends, their replies as triage read them, bounces,
unsubscribes, referrals, AM decisions, customer status changes). `assess` turns it into a
standing for one contact of one account at one moment: the hard stops the gate applies, the
flags that send a draft to review (each citing the earlier conversation), and whom a referral
moved the outreach to. Pure: no database, no clock of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

# Event kinds. Replies carry the intent triage read; "replied" is any other human answer.
SENT = "sent"
NOT_INTERESTED = "not_interested"
NOT_NOW = "not_now"  # detail: until (ISO date), when they said when
INTERESTED = "interested"
MEETING_REQUEST = "meeting_request"
REFERRAL = "referral"
REPLIED = "replied"
UNSUBSCRIBE = "unsubscribe"
COMPLAINT = "complaint"
HARD_BOUNCE = "hard_bounce"
LEFT_COMPANY = "left_company"
DECISION = "decision"  # an AM's approve / edit / defer / kill, or a reply's answer
CUSTOMER = "customer"  # the account's customer status changed (detail: status, was)
HANDOFF_RELEASED = "handoff_released"  # the owner gives the account back to the agents

HANDOFF = frozenset({INTERESTED, MEETING_REQUEST})  # the account goes to its owner
# What a person said back, as read: their latest answer is where the conversation stands (a
# "not interested" answered later with "actually, let's talk" no longer holds).
REPLIES = frozenset({NOT_INTERESTED, NOT_NOW, INTERESTED, MEETING_REQUEST, REFERRAL, REPLIED})
GONE = frozenset({UNSUBSCRIBE, COMPLAINT, LEFT_COMPANY})  # this contact, never again

ReviewBy = Literal["account_owner", "agent_owner"]
Scope = Literal["contact", "account"]


@dataclass(frozen=True)
class Policy:
    """How long history holds outreach back. Per agent file, with fleet defaults."""

    not_interested_days: int = 180  # after "not interested": no outreach to them, then review
    handoff_days: int = 90  # after interest / a meeting request: the owner's, then review
    recent_kill_days: int = 30  # an AM's kill of a draft to them: the next one is reviewed
    not_now_days: int = 90  # "not now" with no date said: how long to wait
    one_conversation_per: Scope = "contact"  # "account": one open thread per account
    review_by: ReviewBy = "account_owner"


@dataclass(frozen=True)
class Event:
    kind: str
    at: datetime
    contact_id: str = ""
    summary: str = ""
    actor: str = ""
    detail: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Standing:
    """A contact's standing now. `stops`: no new outreach (the gate's hard stops);
    `flags`: a person must see the draft, with why; `referred_by`: the event that pointed
    us to this contact; `history`: newest first, for the card and `why`."""

    stops: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    referred_by: Event | None = None
    history: tuple[Event, ...] = ()


def day(at: datetime) -> str:
    return f"{at:%Y-%m-%d}"


def quoted(e: Event) -> str:
    return f": {e.summary}" if e.summary else ""


def assess(
    events: list[Event],
    contact_id: str,
    email: str,
    now: datetime,
    policy: Policy,
    names: dict[str, str] | None = None,
) -> Standing:
    """`events`: the account's whole history (every contact), any order. `email`: the
    contact's address now (a bounce of an older address no longer holds). `names`: contact id
    -> name, to say who in the account said what."""
    names = names or {}
    ordered = sorted(events, key=lambda e: e.at, reverse=True)
    mine = [e for e in ordered if e.contact_id == contact_id]
    stops: list[str] = []
    flags: list[str] = []

    gone = next((e for e in mine if e.kind in GONE), None)
    if gone is not None:
        what = {UNSUBSCRIBE: "asked to stop", COMPLAINT: "complained", LEFT_COMPANY: "left"}
        stops.append(f"{what[gone.kind]} on {day(gone.at)}{quoted(gone)}")
    bounced = next((e for e in mine if e.kind == HARD_BOUNCE), None)
    if bounced is not None and bounced.detail.get("address", email).lower() == email.lower():
        stops.append(f"address invalid: hard bounce on {day(bounced.at)}{quoted(bounced)}")

    last = next((e for e in mine if e.kind in REPLIES), None)
    no = last if last is not None and last.kind == NOT_INTERESTED else None
    if no is not None:
        until = no.at + timedelta(days=policy.not_interested_days)
        if now < until:
            stops.append(
                f"said not interested on {day(no.at)}{quoted(no)}; no outreach until {day(until)}"
            )
        else:
            flags.append(f"said not interested on {day(no.at)}{quoted(no)}")

    if last is not None and last.kind == NOT_NOW:
        said = last.detail.get("until")
        until = (
            datetime.fromisoformat(said).replace(tzinfo=now.tzinfo)
            if said
            else last.at + timedelta(days=policy.not_now_days)
        )
        if now < until:
            stops.append(
                f"said not now on {day(last.at)}{quoted(last)}; waiting until {day(until)}"
            )
        else:
            flags.append(f"said not now on {day(last.at)}{quoted(last)}")

    referral = last if last is not None and last.kind == REFERRAL else None
    if referral is not None and referral.detail.get("to_contact") != contact_id:
        to = referral.detail.get("to_name") or "someone else"
        stops.append(f"referred us to {to} on {day(referral.at)}{quoted(referral)}")
    referred_by = next(
        (
            e
            for e in ordered
            if e.kind == REFERRAL
            and e.detail.get("to_contact") == contact_id
            and e.contact_id != contact_id
        ),
        None,
    )
    if referred_by is not None:
        who = names.get(referred_by.contact_id, "a colleague")
        flags.append(f"referred by {who} on {day(referred_by.at)}{quoted(referred_by)}")

    held, said = handoff(ordered, now, policy.handoff_days, names)
    if said:
        (stops if held else flags).append(
            f"handed to the account's owner: {said}" if held else f"earlier conversation: {said}"
        )

    taken = next(
        (e for e in mine if e.kind == DECISION and e.detail.get("action") == "take_over"), None
    )
    if taken is not None and now < taken.at + timedelta(days=policy.handoff_days):
        who = taken.actor.removeprefix("user:") or "an AM"
        stops.append(f"taken over by {who} on {day(taken.at)}: the agents stay out")

    kill = next(
        (e for e in mine if e.kind == DECISION and e.detail.get("action") == "kill"),
        None,
    )
    if kill is not None and now - kill.at < timedelta(days=policy.recent_kill_days):
        reason = kill.detail.get("reason_label") or kill.detail.get("reason") or "no reason"
        flags.append(f"a draft to them was killed on {day(kill.at)} ({reason}){quoted(kill)}")

    return Standing(tuple(stops), tuple(flags), referred_by, tuple(ordered))


def handoff(
    events: list[Event], now: datetime, days: int, names: dict[str, str]
) -> tuple[bool, str]:
    """Whether the account is with its owner now (interest or a meeting request less than
    `days` ago, not released since), and what was said; (False, "") when nothing was."""
    latest = max(
        (e for e in events if e.kind in HANDOFF | {HANDOFF_RELEASED}),
        key=lambda e: e.at,
        default=None,
    )
    if latest is None or latest.kind == HANDOFF_RELEASED:
        return False, ""
    who = names.get(latest.contact_id, "someone at the account")
    asked = "asked for a meeting" if latest.kind == MEETING_REQUEST else "was interested"
    return now < latest.at + timedelta(
        days=days
    ), f"{who} {asked} on {day(latest.at)}{quoted(latest)}"


def line(e: Event, names: dict[str, str] | None = None) -> str:
    """One line of history, as a card shows it: date, who, what."""
    who = (names or {}).get(e.contact_id, "")
    label = e.kind.replace("_", " ")
    return f"{day(e.at)} {label}" + (f" ({who})" if who else "") + quoted(e)


def referred_contact(events: list[Event]) -> str:
    """The contact the account's newest referral points to ('' when none does): outreach to
    the account goes to them, citing the reply that named them."""
    for e in sorted(events, key=lambda e: e.at, reverse=True):
        if e.kind == REFERRAL and e.detail.get("to_contact"):
            return str(e.detail["to_contact"])
    return ""
