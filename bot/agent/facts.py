"""The facts a draft may use, and whom to write to: the loop and a play's samples share them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.config.agents import Agent, PlaySpec
from bot.core.drafting import Fact
from bot.core.matching import Match
from storage.models import Account, Contact, Signal


@dataclass
class Candidate:
    account_id: str
    signals: list[tuple[int, str, datetime]]  # (signal id, kind, observed_at)
    strength: float


def pick_contact(contacts: list[Contact], titles: list[str]) -> Contact | None:
    """The contact whose title matches the earliest persona title (the persona's priority)."""
    best: tuple[int, str] | None = None
    chosen = None
    for c in contacts:
        if c.do_not_contact:
            continue
        title = c.title.lower()
        for rank_, wanted in enumerate(titles):
            if wanted.lower() in title:
                if best is None or (rank_, c.id) < best:
                    best, chosen = (rank_, c.id), c
                break
    return chosen


def facts_for(
    agent: Agent,
    account: Account,
    contact: Contact,
    signals: list[Signal],
    match: Match,
    play: PlaySpec,
    labels: dict[str, str],
    capability: dict[str, str],
) -> dict[str, Fact]:
    trig = [s for s in signals if s.kind in play.trigger] or signals
    sig = trig[0]
    problem = match.problem
    cap = f"capability:{match.capability}"
    sender = agent.mailbox.name
    facts = [
        Fact(f"contact:{contact.id}:first_name", "contact.first_name", contact.first_name),
        Fact(f"contact:{contact.id}:last_name", "contact.last_name", contact.last_name),
        Fact(f"contact:{contact.id}:title", "contact.title", contact.title),
        Fact(f"account:{account.id}:name", "account.name", account.name),
        Fact(f"account:{account.id}:industry", "account.industry", account.industry),
        # The recipient's and our own domains: links and addresses at them are grounded.
        Fact(f"account:{account.id}:domain", "account.domain", account.domain),
        Fact(f"signal:{sig.id}", "signal.summary", sig.summary),
        Fact(f"signal:{sig.id}:detail", "signal.detail", sig.detail),
        Fact(problem, "problem.name", labels.get(problem, "")),
        Fact(cap, "capability.name", capability.get("name", "")),
        Fact(f"{cap}:summary", "capability.summary", capability.get("summary", "")),
        Fact(f"{cap}:proof", "capability.proof", capability.get("proof", "")),
        Fact(f"agent:{agent.id}:sender", "sender.name", sender),
        Fact(f"agent:{agent.id}:sender_address", "sender.address", agent.mailbox.address),
    ]
    return {f.slot: f for f in facts if f.text}
