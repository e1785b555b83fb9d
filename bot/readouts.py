"""What people read, as plain data: the daily digest and the weekly tuning report, and the
kill reasons as people name them. Like the cards in `ports`, `bot/reports` builds them and
`handlers/` (Slack) or the console renders them; nothing here reads the database."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

KILL_REASONS = {
    "off_brand": "Off-brand",
    "wrong_account": "Wrong account",
    "current_customer": "Current customer",
    "bad_timing": "Bad timing",
    "factual_error": "Factual error",
    "other": "Other",
}


# --- the daily digest


@dataclass
class DayCounts:
    drafted: int = 0
    auto_sent: int = 0  # the gate sent it without a person
    to_review: int = 0  # the gate asked a person
    stopped: int = 0  # a hard stop (suppressed, cap, paused, ...)
    reviewed: int = 0  # decisions people made on drafts and replies
    approved: int = 0
    edited: int = 0
    deferred: int = 0
    killed: int = 0
    sent: int = 0  # messages that left (auto-sent, approved, follow-ups, replies)
    bounces: int = 0
    complaints: int = 0
    replies: int = 0
    kill_reasons: Counter = field(default_factory=Counter)
    intents: Counter = field(default_factory=Counter)

    def add(self, other: DayCounts) -> None:
        for name in NUMBERS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.kill_reasons.update(other.kill_reasons)
        self.intents.update(other.intents)


NUMBERS = (
    "drafted",
    "auto_sent",
    "to_review",
    "stopped",
    "reviewed",
    "approved",
    "edited",
    "deferred",
    "killed",
    "sent",
    "bounces",
    "complaints",
    "replies",
)


@dataclass
class AgentDigest:
    agent_id: str
    name: str
    owner: str
    channel: str
    trust: str
    paused: bool
    paused_reason: str
    day: DayCounts
    before: DayCounts  # the day before, for "since yesterday"
    open_reviews: int
    oldest_open_hours: float | None
    bounce_rate: float | None  # over RATE_DAYS; None when nothing was sent
    complaint_rate: float | None
    changes: list[str]  # trust, pause and configuration changes on the day
    series: list[DayCounts]  # SERIES_DAYS days ending with `day`

    @property
    def top_kill_reasons(self) -> list[tuple[str, int]]:
        return [(KILL_REASONS.get(k, k or "no reason"), n) for k, n in _top(self.day.kill_reasons)]

    @property
    def intents(self) -> list[tuple[str, int]]:
        return [(k.replace("_", " "), n) for k, n in _top(self.day.intents, 8)]


@dataclass(frozen=True)
class ReplyTargets:
    """Replies whose target fell in a digest's period: answered in time, answered late,
    still open past it (those due later in the period are not counted yet)."""

    within: int = 0
    late: int = 0
    open_past: int = 0

    @property
    def due(self) -> int:
        return self.within + self.late + self.open_past

    def line(self) -> str:
        """'7 of 8 answered within target; 1 still open past target'."""
        text = f"{self.within} of {self.due} answered within target"
        if self.late:
            text += f"; {self.late} answered late"
        if self.open_past:
            text += f"; {self.open_past} still open past target"
        return text


@dataclass
class Digest:
    scope: str  # am | fleet
    owner: str  # the AM for an AM digest; '' for the fleet
    day: date
    tz: str
    partial: bool  # today so far (on demand) rather than a complete day
    generated_at: datetime
    agents: list[AgentDigest]
    total: DayCounts
    total_before: DayCounts
    series: list[tuple[date, DayCounts]]  # fleet/AM totals per day, oldest first
    open_reviews: int
    oldest_open_hours: float | None
    load: QueueLoad | None = None  # review time on `day`, measured from clicks
    reply_targets: ReplyTargets = ReplyTargets()  # replies due on `day` (bot/review/sla.py)

    @property
    def title(self) -> str:
        who = "Fleet digest" if self.scope == "fleet" else "Your agents"
        when = f"{self.day:%a %d %b}" + (" (so far)" if self.partial else "")
        return f"{who}: {when}"

    @property
    def worth_charting(self) -> bool:
        """A chart says more than numbers only when there is a trend: activity on 3+ days."""
        active = [d for _, d in self.series if d.drafted or d.approved or d.killed]
        return len(active) >= 3


def _top(counter: Counter, n: int = 3) -> list[tuple[str, int]]:
    return sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:n]


# --- the operator's load (measured from clicks: bot/reports/load.py)


@dataclass(frozen=True)
class ReviewerLoad:
    reviewer: str  # the chat user who pressed the buttons
    minutes: float
    clicks: int


@dataclass(frozen=True)
class QueueLoad:
    """One day of review work on a set of agents (the fleet, an AM's, one)."""

    day: date  # the local day measured (so far, when it is today)
    target_minutes: float  # TWOLOOP_QUEUE_TARGET_MINUTES
    minutes: float
    clicks: int
    decisions: int
    reviewers: tuple[ReviewerLoad, ...] = ()  # most minutes first
    agents: tuple[tuple[str, float], ...] = ()  # (agent id, minutes), most first
    median_to_decision: float | None = None  # minutes from card posted to decided
    p90_to_decision: float | None = None

    @property
    def clicks_per_decision(self) -> float | None:
        return self.clicks / self.decisions if self.decisions else None

    @property
    def over_target(self) -> bool:
        return self.minutes > self.target_minutes


@dataclass(frozen=True)
class LoadWeek:
    """One week of review work, per day on which anyone reviewed."""

    week: date  # the Monday (or the report's start) the week begins
    days: int  # days with at least one press
    reviews: int  # decisions
    minutes: float
    clicks: int
    median_to_decision: float | None = None  # minutes from card posted to decided

    @property
    def reviews_per_day(self) -> float:
        return self.reviews / self.days if self.days else 0.0

    @property
    def minutes_per_day(self) -> float:
        return self.minutes / self.days if self.days else 0.0

    @property
    def clicks_per_decision(self) -> float | None:
        return self.clicks / self.reviews if self.reviews else None


# --- the weekly tuning report


@dataclass(frozen=True)
class Count:
    code: str
    count: int
    share: float


@dataclass(frozen=True)
class Phrase:
    text: str
    count: int  # edits in which it was removed (or added)
    example: str  # one edit's change around it: "before → after"
    draft_id: int | None


@dataclass(frozen=True)
class LowDraft:
    draft_id: int
    agent_id: str
    subject: str
    confidence: float
    status: str
    created_at: datetime


@dataclass(frozen=True)
class Rates:
    decisions: int = 0
    kills: int = 0
    edits: int = 0

    @property
    def kill_rate(self) -> float:
        return self.kills / self.decisions if self.decisions else 0.0

    @property
    def edit_rate(self) -> float:
        return self.edits / self.decisions if self.decisions else 0.0

    def __add__(self, other: Rates) -> Rates:
        return Rates(
            self.decisions + other.decisions, self.kills + other.kills, self.edits + other.edits
        )


@dataclass(frozen=True)
class VersionWeek:
    config_version: str
    rates: Rates
    new: bool  # first seen this week in the window: the markdown (or a play) changed


@dataclass(frozen=True)
class AgentWeek:
    week: date  # the Monday (or the report's start) the week begins
    rates: Rates
    versions: tuple[VersionWeek, ...]


@dataclass(frozen=True)
class AgentTrend:
    agent_id: str
    weeks: tuple[AgentWeek, ...]


@dataclass(frozen=True)
class TuningReport:
    agent: str | None
    since: datetime
    until: datetime
    weeks: tuple[date, ...]
    kill_reasons: tuple[Count, ...]
    removed: tuple[Phrase, ...]
    added: tuple[Phrase, ...]
    edits_read: int
    lowest: tuple[LowDraft, ...]
    fleet: tuple[AgentWeek, ...]
    agents: tuple[AgentTrend, ...]
    load: tuple[LoadWeek, ...] = ()  # review time by week, measured from clicks
