"""The words triage speaks in: intents, escalation triggers, message kinds, routes, and the
classification every reader returns. Small and without dependencies, so that cards, commands
and decisions can name an intent without loading the classifiers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

INTENTS = (
    "interested",
    "meeting_request",
    "question",
    "referral",
    "not_now",
    "not_interested",
    "unsubscribe",
    "other",
)
TRIGGERS = (
    "pricing",
    "executive_request",
    "contract_legal",
    "compliance_data_request",
    "anger_complaint",
    "instruction_injection",
)
KINDS = ("human", "auto_reply", "bounce", "complaint")
ROUTES = ("auto", "review")


@dataclass(frozen=True)
class Classification:
    intent: str
    confidence: float
    triggers: tuple[str, ...]
    not_now_until: date | None = None  # not_now: "reach out in March" -> the date, from `today`
    referral_to: str = ""  # "Dana <dana@acme.com>", "Dana" or "dana@acme.com"
    also_unsubscribe: bool = False  # the reply asks to stop emails, whatever else it says
    rationale: str = ""  # short, for the card
    provider: str = "rules"  # "rules" | "openai:<model>" | "rules+openai:<model>"
    # Combined readings only: each reader's intent, the rules' first, so a reply target can
    # take the most urgent of them (the winning intent alone may be the wrong one).
    intents: tuple[str, ...] = ()
    # The model reads a request to stop and the rules do not: not suppressed, a person decides.
    model_only_stop: bool = False


def should_suppress(c: Classification | None) -> bool:
    """Whether the caller must suppress the address: on any request to stop, at once, even
    when the reply also says something else and goes to a person."""
    return c is not None and (c.intent == "unsubscribe" or c.also_unsubscribe)
