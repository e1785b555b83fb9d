"""A reply card's safe parts: acknowledgements that promise nothing we don't do, the
starter Edit opens, and notes on what a person's answer should cover."""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.mail.triage.vocabulary import Classification, should_suppress
from bot.model.answers import person_triggers

_SAFE_NAME = re.compile(r"[^\w .'-]", re.UNICODE)


def _safe(name: str, fallback: str) -> str:
    name = _SAFE_NAME.sub("", name or "").strip()
    return " ".join(name.split())[:40] or fallback


def suggest_response(c: Classification, first_name: str, sender_name: str) -> str:
    """A short acknowledgement that promises only what the system does (stop, close, check
    back, leave the referrer out), or "" when no template can answer this reply: interest, a
    meeting, a question or anything a person must handle gets a drafted answer or notes on
    what to cover, never a promise nothing keeps. Templates only: nothing from the reply's
    text but a referral's plain name and a month; never a price or a contract term."""
    hi = f"Hi {_safe(first_name, 'there')},"
    me = _safe(sender_name, "")
    sign = f"\n\nBest,\n{me}" if me else "\n\nBest regards"
    if person_triggers(c.triggers):
        return ""
    if should_suppress(c):
        return f"{hi}\n\nUnderstood, you will not receive further emails from us.{sign}"
    if c.intent == "not_interested":
        return f"{hi}\n\nThanks for letting me know, I won't follow up. All the best.{sign}"
    if c.intent == "not_now":
        when = f"around {c.not_now_until.strftime('%B %Y')}" if c.not_now_until else "in a while"
        return f"{hi}\n\nThanks, understood. I'll check back {when}.{sign}"
    if c.intent == "referral":
        name = c.referral_to.split("<")[0].strip()
        if name and re.fullmatch(r"[^\W\d_][\w .'-]{0,39}", name):
            who = _safe(name.split()[0], "")
            return f"{hi}\n\nThank you for pointing me to {who}, that helps.{sign}"
        return f"{hi}\n\nThank you, and apologies for the misdirected note.{sign}"
    return ""


def starter(first_name: str) -> str:
    """What Edit opens when nothing is drafted: a greeting to write under."""
    return f"Hi {_safe(first_name, 'there')},\n\n"


def cover_notes(
    c: Classification, excerpt: str, pricing: Sequence[str], booking_link: str
) -> list[str]:
    """What a person's answer should cover, for a card with nothing drafted to send. Plain
    text (the card escapes it); `excerpt` is one line of their reply."""
    held = person_triggers(c.triggers)
    notes = []
    if held:
        raised = ", ".join(t.replace("_", " ") for t in held)
        notes.append(f"A person writes this answer: it raises {raised}. Nothing is drafted.")
    if "pricing" in c.triggers:
        if pricing:
            notes += [f"Pricing (the only price to quote): {p}" for p in pricing]
        else:
            notes.append("Pricing: no pricing fact is configured; answer the price yourself.")
    if c.intent == "meeting_request":
        notes.append(
            f"Propose two times, or send your booking link {booking_link}"
            if booking_link
            else "Propose two times (no booking link of yours is in ams.yml)."
        )
    elif c.intent == "interested":
        notes.append(
            "Ask what they want to see first, or offer a short call"
            + (f" (your booking link: {booking_link})" if booking_link else "")
            + "; promise only what you will send yourself."
        )
    elif c.intent == "question":
        notes.append(f"Answer their question: \u201c{excerpt}\u201d")
    elif c.intent == "other" or (held and excerpt):
        notes.append(f"Read what they wrote and answer it: \u201c{excerpt}\u201d")
    return notes
