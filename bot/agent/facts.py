"""The facts a draft may use, and whom to write to: the loop and a play's samples share them."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.config.agents import Agent, PlaySpec
from bot.core.drafting import Fact
from bot.core.matching import Match
from bot.core.signal_edges import adds
from storage.models import Account, Contact, Signal

# Log-odds another persona match must add over the persona's first choice (about twice the
# odds the AM approves the draft as is) before the agent writes to them instead.
LEAN_MARGIN = 0.7


@dataclass
class Candidate:
    account_id: str
    signals: list[tuple[int, str, datetime]]  # (signal id, kind, observed_at)
    strength: float


def pick_contact(
    contacts: list[Contact],
    titles: list[str],
    lean: Callable[[str], float] | None = None,
) -> Contact | None:
    """The contact whose title matches the earliest persona title (the persona's priority),
    unless the AM's verdicts lean clearly to another that matches the persona: `lean` gives
    the log-odds of "approved as is" a title adds (the second check's title weights), and
    another contact must beat the persona's first choice by LEAN_MARGIN to be chosen."""
    ranked: list[tuple[int, str, Contact]] = []
    for c in contacts:
        if c.do_not_contact:
            continue
        title = c.title.lower()
        for rank_, wanted in enumerate(titles):
            if wanted.lower() in title:
                ranked.append((rank_, c.id, c))
                break
    if not ranked:
        return None
    ranked.sort(key=lambda r: r[:2])
    first = ranked[0][2]
    if lean is None or len(ranked) < 2:
        return first
    floor = lean(first.title) + LEAN_MARGIN
    best = max(ranked[1:], key=lambda r: (lean(r[2].title), -r[0]))[2]
    return best if lean(best.title) >= floor else first


def opener(
    signals: list[Signal],
    match: Match,
    play: PlaySpec,
    labels: Mapping[str, str],
    aliases: Mapping[str, Sequence[str]],
) -> tuple[Signal, str]:
    """The signal a draft opens with, and the problem it names: those of the match's best path
    whose first step (the account's own edge) a signal of the play's trigger kinds added, so
    the opener cites why this account matched, not merely its newest news. Edges do not record
    their signal, so a signal is behind an edge when the importer's rule would add that edge
    for it (bot/core/signal_edges.py). With no such path: the newest trigger-kind signal."""
    for path in match.paths:
        step = path.steps[0]
        if not step.src.startswith("account:"):
            continue
        words = aliases.get(step.dst) or [labels.get(step.dst, step.dst.partition(":")[2])]
        behind = (
            s
            for s in signals
            if s.kind in play.trigger
            and adds(s.kind, s.summary, s.detail, step.rel, step.dst, words)
        )
        found = next(behind, None)
        if found is not None:
            return found, path.steps[-1].dst
    trig = [s for s in signals if s.kind in play.trigger] or signals
    return trig[0], match.problem


def facts_for(
    agent: Agent,
    account: Account,
    contact: Contact,
    signals: list[Signal],
    match: Match,
    play: PlaySpec,
    labels: dict[str, str],
    capability: dict[str, str],
    aliases: Mapping[str, Sequence[str]] | None = None,
) -> dict[str, Fact]:
    """`signals` newest first; `aliases`: node key -> the knowledge file's words for it."""
    sig, problem = opener(signals, match, play, labels, aliases or {})
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
