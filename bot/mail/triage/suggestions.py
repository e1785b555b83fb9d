"""A short, safe suggested answer for a reply's card: templates only."""

from __future__ import annotations

import re

from bot.mail.triage.vocabulary import Classification, should_suppress

_SAFE_NAME = re.compile(r"[^\w .'-]", re.UNICODE)


def _safe(name: str, fallback: str) -> str:
    name = _SAFE_NAME.sub("", name or "").strip()
    return " ".join(name.split())[:40] or fallback


def suggest_response(c: Classification, first_name: str, sender_name: str) -> str:
    """A short, safe suggested reply for the card: templates only, nothing from the reply's
    text but a referral's plain name and a month; never a price, a contract term or a
    promise. With a trigger, a holding reply that a person will follow up."""
    hi = f"Hi {_safe(first_name, 'there')},"
    me = _safe(sender_name, "")
    sign = f"\n\nBest,\n{me}" if me else "\n\nBest regards"
    if c.triggers:
        if "anger_complaint" in c.triggers and should_suppress(c):
            body = (
                "Sorry for the unwanted emails. You will not hear from us again, and a colleague "
                "will look at what you wrote personally."
            )
        elif "compliance_data_request" in c.triggers:
            body = (
                "Thank you for your message. We take data requests seriously; a member of our "
                "team will respond to you personally."
            )
        else:
            body = (
                "Thanks for getting back to me. I have passed your note to a colleague who will "
                "follow up with you personally."
            )
        return f"{hi}\n\n{body}{sign}"
    if c.intent == "unsubscribe" or (c.also_unsubscribe and c.intent == "not_interested"):
        return f"{hi}\n\nUnderstood, you will not receive further emails from us.{sign}"
    if c.intent == "not_interested":
        return f"{hi}\n\nThanks for letting me know, I won't follow up. All the best.{sign}"
    if c.intent == "not_now":
        when = f"around {c.not_now_until.strftime('%B %Y')}" if c.not_now_until else "in a while"
        return f"{hi}\n\nThanks, understood. I'll check back {when}.{sign}"
    if c.intent == "meeting_request":
        return (
            f"{hi}\n\nGreat, thank you. Which times suit you best? I'll send an invite for one "
            f"of them.{sign}"
        )
    if c.intent == "interested":
        return (
            f"{hi}\n\nGlad this is relevant. I'll send a short overview; would a brief call "
            f"afterwards be useful?{sign}"
        )
    if c.intent == "question":
        return f"{hi}\n\nGood question. I'll come back to you with a precise answer shortly.{sign}"
    if c.intent == "referral":
        name = c.referral_to.split("<")[0].strip()
        if name and re.fullmatch(r"[^\W\d_][\w .'-]{0,39}", name):
            who = _safe(name.split()[0], "")
            return (
                f"{hi}\n\nThank you for pointing me to {who}. I'll reach out to them and leave "
                f"you out of it.{sign}"
            )
        return f"{hi}\n\nThank you, and apologies for the misdirected note.{sign}"
    return f"{hi}\n\nThanks for your reply.{sign}"
