"""How the agent loop talks to people, without knowing it is Slack.

`handlers/` implements `Humans` for Slack; `bot/cli/console.py` implements it for the terminal
(demo) and tests can implement it in memory.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol

from bot.readouts import Digest, TuningReport

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
    "apply": "applied",
    "dismiss": "dismissed",
}


@dataclass(frozen=True)
class PathStep:
    src: str
    rel: str
    dst: str
    weight: float
    learned: float  # the agent's learned factor for this step when matched (1.0: no feedback)
    decisions: int = 0  # how many AM decisions that factor was learned from


@dataclass(frozen=True)
class MatchPath:
    steps: tuple[PathStep, ...]
    score: float


@dataclass(frozen=True)
class ThreadMessage:
    """One message of a conversation as a card lists it: ours or theirs, when, and what."""

    at: datetime | None
    ours: bool
    label: str  # "first message", "follow-up 1", "our answer", "reply", "auto-reply", ...
    subject: str
    body: str
    current: bool = False  # the reply this card is about


@dataclass(frozen=True)
class Relationship:
    """What we know of the account and this contact, as a card shows it: the account's owner
    AM, the standing now (`stops`: no outreach; `flags`: a person must look) and its history,
    newest first, `earlier` more lines left off."""

    owner: str = ""  # the account owner AM's chat user id
    owner_name: str = ""  # their name, when known
    stops: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    history: tuple[str, ...] = ()
    earlier: int = 0


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
    memory: Relationship = Relationship()  # owner, standing and history (not in `reasons`)
    # The second check: its score (None: no model yet), threshold (0: off) and what it rests on.
    second_check: float | None = None
    second_check_threshold: float = 0.0
    second_check_basis: str = ""


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
    thread: tuple[ThreadMessage, ...] = ()  # every message of the draft's thread, in order
    signals: tuple[str, ...] = ()  # what started the conversation, as the draft card says
    paths: tuple[MatchPath, ...] = ()
    relationship: tuple[str, ...] = ()  # the account: status, open deal, notes
    memory: Relationship = Relationship()
    # The reply target (bot/review/sla.py): None without one; `target` says it in words
    # ("reply within 1 working hour: due 10:30 (Europe/Berlin)", or "...: overdue by 2 h").
    respond_by: datetime | None = None
    target: str = ""
    overdue: bool = False  # past the target when the card was drawn
    # Where `suggestion` came from: "model" (a drafted answer, written from `drafted_from`),
    # "template" (a safe acknowledgement) or "" (nothing to send: `cover` says what to write,
    # `suggestion_problems` why the model's draft was not used, `starter` is what Edit opens).
    suggestion_source: str = ""
    drafted_from: tuple[str, ...] = ()
    cover: tuple[str, ...] = ()
    suggestion_problems: tuple[str, ...] = ()
    starter: str = ""
    # It waits for a person: no mail to the sender until the card is decided (a hold).
    held: bool = False


@dataclass(frozen=True)
class ProposalCard:
    """A change to an agent's file that AMs' edits and kills point to, for an operator to
    apply or dismiss: what it changes, why (`evidence`, one line each) and the diff."""

    review_id: int
    status: str
    agent_id: str
    agent_name: str
    owner: str
    channel: str
    message_ts: str
    content_hash: str
    expires_at: datetime
    proposal_id: int
    proposal_kind: str  # banned_phrase | instruction | threshold | segment
    summary: str
    evidence: tuple[str, ...]
    path: str  # the agent file, as named in the diff
    diff: str
    outcome: str = ""
    decided_by: str = ""
    decided_at: datetime | None = None
    outcome_detail: str = ""
    kind: str = "proposal"


Card = ReviewCard | PlayCard | ReplyCard | ProposalCard


class PostFailed(Exception):
    """A card was not shown, and why, in the chat's own words (e.g. "ratelimited",
    "not_in_channel", "http 503"). `retry_after` (seconds) is set when the chat asked us to
    hold off: the channel waits that long, the card is not at fault. `uncertain` means the
    request may have reached the chat (e.g. a read timeout), so a retry could duplicate it."""

    def __init__(self, error: str, retry_after: float | None = None, uncertain: bool = False):
        super().__init__(error)
        self.error, self.retry_after, self.uncertain = error, retry_after, uncertain


@dataclass(frozen=True)
class User:
    """A person named in a notice (a chat user id); each surface shows them its own way."""

    id: str


@dataclass(frozen=True)
class Channel:
    """A channel named in a notice (a chat channel id)."""

    id: str


@dataclass(frozen=True)
class CardRef:
    """A review's card named in a notice: Slack links the message, the console names it."""

    review_id: int
    channel: str
    message_ts: str  # "" while the card is not posted yet


# What kind of news a notice is; each surface picks its own icon for it.
Tone = Literal["info", "warning", "alarm", "failed", "paused", "resumed", "promoted", "demoted"]


@dataclass(frozen=True)
class Notice:
    """A message to people, as data: `parts` is plain text, as written or as received (a
    sender's Subject stays exactly as typed), with the people and channels it names between.
    Slack escapes every text part and turns `User`/`Channel` into mentions; the console
    prints names. `tone` picks an icon; `agent_id` says which agent it is about, when one is.
    `thread` (a message reference in the channel it goes to, e.g. a card's) puts it under that
    message, beside what it is about."""

    parts: tuple[str | User | Channel | CardRef, ...]
    tone: Tone = "info"
    agent_id: str = ""
    thread: str = ""

    @classmethod
    def of(
        cls,
        *parts: str | User | Channel | CardRef,
        tone: Tone = "info",
        agent_id: str = "",
        thread: str = "",
    ) -> Notice:
        return cls(tuple(parts), tone, agent_id, thread)

    def plain(self) -> str:
        """The notice as plain text (logs, tests, the console): people and channels by id."""
        return "".join(_plain(p) for p in self.parts)


def _plain(p: str | User | Channel | CardRef) -> str:
    if isinstance(p, CardRef):
        return f"review #{p.review_id} (#{p.channel})"
    return p if isinstance(p, str) else f"@{p.id}" if isinstance(p, User) else f"#{p.id}"


class Humans(Protocol):
    # Optional attribute `post_interval` (seconds): how far apart two cards in one channel
    # must be. Absent means no pacing (console, tests).

    def post_review(self, card: Card) -> str:
        """Show a new card; return the message reference (Slack ts) it was posted as.
        Raises PostFailed (or any exception) when the card was not shown."""

    def update_review(self, card: Card) -> None:
        """Redraw a posted card in place (after a decision or expiry)."""

    def remind(self, card: Card) -> None:
        """Nudge the owner once that a review is about to expire."""

    def notify(self, channel: str, notice: Notice) -> None:
        """A message to a channel (alerts, summaries), rendered the surface's own way."""

    def post_report(self, channel: str, report: TuningReport) -> str:
        """Post the weekly tuning report; return the message reference (Slack ts)."""

    def post_digest(self, channel: str, digest: Digest, chart_png: bytes | None) -> str:
        """Post a daily digest (and its trend chart, when given); return its message ts.
        Raises when the digest itself was not posted; a lost chart is only logged."""

    def user_timezone(self, user: str) -> str | None:
        """The user's IANA time zone as their chat profile says, or None if unknown."""

    def user_by_email(self, email: str) -> str | None:
        """The chat user with this address, or None when nobody has it. Raises when the
        chat did not answer (a rate limit, an outage): that is no "nobody"."""

    def user_status(self, user: str) -> str:
        """'active', 'deactivated' or 'unknown' (no such user). Raises when the chat did
        not answer, so a blip never makes an AM look gone."""
