"""The grounding check every model-written text goes through (outbound drafts and drafted
answers alike), so the two writers cannot drift apart.

A model lists its factual claims with the ids of the facts behind them; none of that is
evidence until the text is read. A claim that cites nothing, or an id we never gave, is
ungrounded; a text with no claims at all is unchecked, so it is a problem too; a claim counts
as held only when its facts really appear in the text; a link must be text of some fact.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from bot.core import grounding
from bot.core.drafting import Fact

URL = re.compile(r"https?://[^\s<>()\"']+", re.IGNORECASE)
NO_CLAIMS = "model cited no facts: nothing in the draft is checked"


class Claim(Protocol):
    @property
    def text(self) -> str: ...

    @property
    def fact_ids(self) -> list[str]: ...


@dataclass(frozen=True)
class Grounded:
    """What the claims are worth: `problems` a person must see; `unheld`, the well-cited
    claims whose facts the text does not carry (the writer discounts them, an answer is
    refused for them); `held`, how many claims the text bears out."""

    problems: list[str] = field(default_factory=list)
    unheld: list[str] = field(default_factory=list)
    held: int = 0


def check(claims: Sequence[Claim], facts: Iterable[Fact], text: str) -> Grounded:
    by_id = {f.id: f for f in facts}
    problems: list[str] = []
    unheld: list[str] = []
    held = 0
    for claim in claims:
        known = [by_id[i] for i in claim.fact_ids if i in by_id]
        if not claim.fact_ids or len(known) < len(claim.fact_ids):
            problems.append(f"ungrounded claim: {quote(claim.text)}")
        elif all(grounding.appears(f.text, text) for f in known):
            held += 1
        else:
            unheld.append(claim.text)
    if not claims:
        problems.append(NO_CLAIMS)
    fact_text = " ".join(f.text for f in by_id.values())
    for link in dict.fromkeys(URL.findall(text)):
        if link.rstrip(".,;:!?") not in fact_text:
            problems.append(f"link not in any fact: {link}")
    return Grounded(problems, unheld, held)


def quote(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return "'" + (text if len(text) <= limit else text[: limit - 1] + "…") + "'"
