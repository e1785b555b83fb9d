"""Agents and plays as markdown files; the fleet is whatever the folders hold right now.

Files are re-read at every tick, so an edit takes effect without a restart. An agent's config
version is the hash of its file, its includes and its plays: every draft records it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from email.utils import parseaddr
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from bot.config.cron import cron_trigger
from bot.config.frontmatter import FileError, read_document, validate
from bot.config.mailboxes import MailboxSpec, load_mailboxes

SIGNAL_KINDS = (
    "hiring",
    "funding",
    "tech_adoption",
    "leadership_change",
    "product_launch",
    "intent",
    "custom",
)
SignalKind = Literal[
    "hiring", "funding", "tech_adoption", "leadership_change", "product_launch", "intent", "custom"
]

SLOT = re.compile(r"\{\{\s*([a-z_]+\.[a-z_]+)\s*\}\}")
SLOTS = {
    "contact.first_name",
    "contact.last_name",
    "contact.title",
    "account.name",
    "account.industry",
    "signal.summary",
    "signal.detail",
    "problem.name",
    "capability.name",
    "capability.summary",
    "capability.proof",
    "sender.name",
}


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Segment(Strict):
    industries: list[str] = []
    countries: list[str] = []
    min_employees: int = Field(0, ge=0)
    max_employees: int | None = Field(None, ge=1)


class Persona(Strict):
    titles: list[str] = Field(min_length=1)


class Thresholds(Strict):
    personalization: float = Field(0.7, ge=0, le=1)
    confidence: float = Field(0.6, ge=0, le=1)
    min_match_score: float = Field(0.1, ge=0, le=1)
    second_check: float = Field(0.9, ge=0, le=1)  # below this, a human approves
    # At or above this predicted chance that the AM kills it, a draft is not written (0: off).
    predicted_kill: float = Field(0.75, ge=0, le=1)


class Relationship(Strict):
    """History's hold on outreach, per agent; unset fields take the fleet's defaults
    (TWOLOOP_NOT_INTERESTED_DAYS, ...; see bot/core/relationship.py)."""

    not_interested_days: int | None = Field(None, ge=0)
    handoff_days: int | None = Field(None, ge=0)
    recent_kill_days: int | None = Field(None, ge=0)
    one_conversation_per: Literal["contact", "account"] | None = None


class AgentSpec(Strict):
    id: str
    name: str
    owner: str = Field(pattern=r"^[UW][A-Z0-9]{2,}$")
    channel: str = Field(pattern=r"^[CGD][A-Z0-9]{2,}$")
    goal: str
    segment: Segment = Segment()
    signals: dict[SignalKind, float] = Field(min_length=1)
    max_signal_age_days: int = Field(90, ge=1)
    persona: Persona
    plays: list[str] = Field(min_length=1)
    capabilities: list[str] = []  # what this agent may pitch; empty means any capability
    thresholds: Thresholds = Thresholds()
    touch_window_days: int = Field(30, ge=0)
    audit_rate: float = Field(0.0, ge=0, le=1)
    schedule: str = "0 9 * * 1-5"
    timezone: str = "UTC"
    daily_cap: int = Field(20, ge=0)
    mailbox: str  # the address of a mailbox in mailboxes.yml
    includes: list[str] = []
    banned_phrases: list[str] = []
    max_body_chars: int = Field(1500, ge=100)
    writer: Literal["auto", "offline", "llm"] = "auto"  # auto: the model when one is configured
    daily_token_budget: int = Field(200_000, ge=0)
    active: bool = True
    relationship: Relationship = Relationship()
    # Who decides this agent's reviews: the account's owner AM (default), or the agent's owner.
    review_by: Literal["account_owner", "agent_owner"] | None = None
    instructions: str = ""

    @field_validator("signals")
    @classmethod
    def _weights(cls, v: dict[str, float]) -> dict[str, float]:
        for kind, w in v.items():
            if not 0 <= w <= 1:
                raise ValueError(f"weight of {kind!r} must be between 0 and 1")
        return v

    @field_validator("schedule")
    @classmethod
    def _schedule(cls, v: str) -> str:
        cron_trigger(v, "UTC")  # raises ValueError with what is wrong
        return v

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {v!r} (use an IANA name like Europe/London)"
            ) from None
        return v


class Step(Strict):
    """A follow-up: sent in the same thread, `after_days` after the message before it."""

    after_days: int = Field(ge=1, le=90)
    body: str = Field(min_length=1)


class PlaySpec(Strict):
    id: str
    name: str
    subject: str
    trigger: list[SignalKind] = Field(min_length=1)
    targets_customers: bool = False
    steps: list[Step] = Field(default=[], max_length=5)
    body: str

    @model_validator(mode="after")
    def _slots(self) -> PlaySpec:
        for name in SLOT.findall(self.subject + self.body + "".join(s.body for s in self.steps)):
            if name not in SLOTS:
                raise ValueError(f"unknown slot {{{{{name}}}}}; known: {', '.join(sorted(SLOTS))}")
        return self

    @property
    def slots(self) -> list[str]:
        return list(dict.fromkeys(SLOT.findall(self.subject + "\n" + self.body)))


@dataclass
class Agent:
    spec: AgentSpec
    plays: list[PlaySpec]
    config_version: str
    path: Path
    mailbox: MailboxSpec
    play_hashes: dict[str, str] = field(default_factory=dict)  # play id -> version hash

    @property
    def id(self) -> str:
        return self.spec.id

    def play(self, play_id: str) -> PlaySpec | None:
        return next((p for p in self.plays if p.id == play_id), None)


@dataclass
class Fleet:
    agents: dict[str, Agent] = field(default_factory=dict)
    plays: dict[str, PlaySpec] = field(default_factory=dict)
    mailboxes: dict[str, MailboxSpec] = field(default_factory=dict)
    errors: list[FileError] = field(default_factory=list)


def load_play(path: Path) -> tuple[PlaySpec, bytes]:
    doc = read_document(path)
    return validate(PlaySpec, doc, id=path.stem, body=doc.body), doc.raw


def load_agent(
    path: Path,
    plays: dict[str, tuple[PlaySpec, bytes]],
    mailboxes: dict[str, MailboxSpec],
    raw: bytes | None = None,
) -> Agent:
    """`raw`: the file's bytes as they would be, to check a proposed edit before writing it."""
    doc = read_document(path, raw)
    digest = hashlib.sha256(doc.raw)
    instructions = [doc.body]
    for i, inc in enumerate(doc.meta.get("includes") or []):
        inc_path = (path.parent / str(inc)).resolve()
        if not inc_path.is_file():
            line = doc.lines.get(("includes", i))
            raise FileError(path, line, f"includes.{i}", f"no such file: {inc_path}")
        digest.update(inc_path.read_bytes())
        instructions.append(inc_path.read_text("utf-8"))
    spec = validate(AgentSpec, doc, id=path.stem, instructions="\n".join(instructions))
    chosen, hashes = [], {}
    for i, play_id in enumerate(spec.plays):
        if play_id not in plays:
            line = doc.lines.get(("plays", i))
            raise FileError(path, line, f"plays.{i}", f"no play named {play_id!r} in plays/")
        play, raw = plays[play_id]
        digest.update(raw)
        chosen.append(play)
        hashes[play_id] = play_hash(raw)
    address = parseaddr(spec.mailbox)[1].lower()
    if address not in mailboxes:
        known = ", ".join(sorted(mailboxes)) or "none: add mailboxes.yml"
        raise FileError(
            path,
            doc.lines.get(("mailbox",)),
            "mailbox",
            f"no mailbox {address or spec.mailbox!r} in mailboxes.yml ({known})",
        )
    return Agent(spec, chosen, digest.hexdigest()[:12], path, mailboxes[address], hashes)


def play_hash(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()[:16]


def load_fleet(agents_dir: Path, plays_dir: Path, mailboxes_path: Path | None = None) -> Fleet:
    """Load every agent and play; a broken file is reported and skipped, never half-used."""
    fleet = Fleet()
    try:
        fleet.mailboxes = load_mailboxes(mailboxes_path or agents_dir.parent / "mailboxes.yml")
    except FileError as err:
        fleet.errors.append(err)
    loaded: dict[str, tuple[PlaySpec, bytes]] = {}
    for path in sorted(plays_dir.glob("*.md")) if plays_dir.is_dir() else []:
        try:
            loaded[path.stem] = load_play(path)
            fleet.plays[path.stem] = loaded[path.stem][0]
        except FileError as err:
            fleet.errors.append(err)
    for path in sorted(agents_dir.glob("*.md")) if agents_dir.is_dir() else []:
        try:
            fleet.agents[path.stem] = load_agent(path, loaded, fleet.mailboxes)
        except FileError as err:
            fleet.errors.append(err)
    return fleet
