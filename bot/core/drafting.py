"""Drafting: a play's template filled from grounded facts.

Writers sit behind one protocol. The offline writer (the embedded default) only ever copies
stored facts into the play's slots, so everything it says is grounded by construction; a
slot with no fact is left visibly missing and the draft goes to a human instead of out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Protocol

from bot.config.agents import SLOT, AgentSpec, PlaySpec


@dataclass(frozen=True)
class Fact:
    id: str  # where it came from, e.g. "signal:12" or "contact:c-7:title"
    slot: str  # the template slot it can fill, e.g. "signal.detail"
    text: str


@dataclass(frozen=True)
class DraftRequest:
    agent: AgentSpec
    play: PlaySpec
    facts: dict[str, Fact]  # by slot
    match_confidence: float
    token_budget_left: int | None = None  # None: no budget applies (offline writer)


@dataclass
class Written:
    """A writer's result. `problems` send the draft to a human; `wait` means: do not draft
    now (timeout, budget spent), the trigger stays available for a later tick. `used` and
    `confidence` are measured by our code from the text, never taken from a model."""

    subject: str
    body: str
    used: list[Fact]
    missing: list[str] = field(default_factory=list)
    confidence: float = 0.0
    provider: str = "offline"
    tokens: int = 0
    problems: list[str] = field(default_factory=list)
    wait: str = ""
    self_rating: float | None = None  # what a model said of its own draft: shown, never gated on


class Writer(Protocol):
    def write(self, request: DraftRequest) -> Written: ...


class OfflineWriter:
    """Fills slots from facts and nothing else."""

    def write(self, request: DraftRequest) -> Written:
        used: dict[str, Fact] = {}
        missing: list[str] = []

        def fill(m: re.Match[str]) -> str:
            slot = m.group(1)
            fact = request.facts.get(slot)
            if fact is None or not fact.text.strip():
                missing.append(slot)
                return f"[missing: {slot}]"
            used[fact.id] = fact
            return fact.text

        subject = SLOT.sub(fill, request.play.subject).strip()
        body = SLOT.sub(fill, request.play.body).strip() + "\n"
        slots = request.play.slots
        filled = (len(slots) - len(set(missing))) / len(slots) if slots else 1.0
        return Written(
            subject=subject,
            body=body,
            used=list(used.values()),
            missing=sorted(set(missing)),
            confidence=round(request.match_confidence * filled, 4),
        )


def banned_phrases_in(text: str, phrases: list[str]) -> list[str]:
    low = text.lower()
    return [p for p in phrases if p.lower() in low]
