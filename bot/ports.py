"""How the agent loop talks to people, without knowing it is Slack.

`handlers/` implements `Humans` for Slack; `bot/console.py` implements it for the terminal
(demo) and tests can implement it in memory.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

# A review's outcome in the past tense, as people read it ("already approved by ...").
PAST = {
    "approve": "approved",
    "edit": "edited",
    "defer": "deferred",
    "kill": "killed",
    "expired": "expired",
    "superseded": "superseded",
    "send_reply": "answered",
    "take_over": "taken over",
    "reclassify": "reclassified",
}


@dataclass(frozen=True)
class PathStep:
    src: str
    rel: str
    dst: str
    weight: float
    learned: float


@dataclass(frozen=True)
class MatchPath:
    steps: tuple[PathStep, ...]
    score: float


@dataclass(frozen=True)
class ReviewCard:
    """Everything a person needs to decide, as plain data."""

    review_id: int
    kind: str
    status: str
    agent_id: str
    agent_name: str
    owner: str
    channel: str
    message_ts: str
    content_hash: str
    account: str
    contact_name: str
    contact_title: str
    contact_email: str
    signals: tuple[str, ...]
    paths: tuple[MatchPath, ...]
    match_score: float
    subject: str
    body: str
    personalization: float
    personalization_threshold: float
    personalization_basis: str
    confidence: float
    confidence_threshold: float
    reasons: tuple[str, ...]
    relationship: tuple[str, ...]
    config_version: str
    expires_at: datetime
    outcome: str = ""
    decided_by: str = ""
    decided_at: datetime | None = None
    outcome_detail: str = ""
    followups: tuple[tuple[int, str], ...] = ()  # (after days, body) of each later step


@dataclass(frozen=True)
class PlaySample:
    to: str
    subject: str
    body: str


@dataclass(frozen=True)
class PlayCard:
    """A new or changed play, shown with sample drafts, for a human to approve or reject."""

    review_id: int
    status: str
    play_id: str
    play_name: str
    agent_name: str
    owner: str
    channel: str
    message_ts: str
    content_hash: str
    trigger: tuple[str, ...]
    targets_customers: bool
    subject_template: str
    body_template: str
    samples: tuple[PlaySample, ...]
    expires_at: datetime
    outcome: str = ""
    decided_by: str = ""
    decided_at: datetime | None = None
    outcome_detail: str = ""
    kind: str = "play"


@dataclass(frozen=True)
class ReplyCard:
    """A reply that needs a person: the thread, how it was read, and a suggested answer."""

    review_id: int
    status: str
    agent_name: str
    owner: str
    channel: str
    message_ts: str
    content_hash: str
    expires_at: datetime
    contact_name: str
    contact_title: str
    account: str
    from_addr: str
    our_subject: str
    our_body: str
    their_subject: str
    their_text: str
    intent: str
    confidence: float
    triggers: tuple[str, ...]
    rationale: str
    suggestion: str
    reasons: tuple[str, ...]
    handled: str  # what was already done without a person (sequence stopped, suppressed)
    outcome: str = ""
    decided_by: str = ""
    decided_at: datetime | None = None
    outcome_detail: str = ""
    kind: str = "reply"


Card = ReviewCard | PlayCard | ReplyCard


class Humans(Protocol):
    def post_review(self, card: Card) -> str:
        """Show a new card; return the message reference (Slack ts) it was posted as."""

    def update_review(self, card: Card) -> None:
        """Redraw a posted card in place (after a decision or expiry)."""

    def remind(self, card: Card) -> None:
        """Nudge the owner once that a review is about to expire."""

    def notify(self, channel: str, text: str) -> None:
        """A plain message to a channel (alerts, summaries)."""
