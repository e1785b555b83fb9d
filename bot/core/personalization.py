"""Personalization, measured on the draft's text: how much of it is about this prospect.

The gate sends a highly personalized draft to a person, because it makes specific claims
about the prospect that someone should check. So the number must come from what the email
says, the same way for the offline template and for a model, never from what a writer
reports about itself. Two readings of the text, blended half and half:

- about them: which facts about this prospect (slots `signal.*`, `contact.*`, `account.*`)
  the subject or body really carries (`grounding.appears`), weighted by kind (the signal
  weighs most: it is the claim most likely to be wrong);
- not template: the share of the body's words that are not the play's stock text (the
  template with our own slots filled and the prospect's slots removed: what every prospect
  of this play gets). A model's own new words count as not template on purpose: counting
  too little would let unchecked claims out without review.

A long signal summary or a model's extra sentences about the prospect raise the score; a
fact that the text does not carry counts for nothing.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher

from bot.config.agents import SLOT, PlaySpec
from bot.core.drafting import Fact
from bot.core.grounding import appears

PROSPECT = ("signal", "contact", "account")  # slot prefixes that are about the prospect
# How much each kind of fact about them personalizes a message (sums to 1).
WEIGHTS = {
    "signal": 0.5,
    "contact.title": 0.15,
    "account.name": 0.1,
    "account.industry": 0.1,
    "contact.first_name": 0.05,
    "contact.last_name": 0.05,
    "account.domain": 0.05,
}
# Found only as written: "acme-analytics.example" is not carried by "Acme Analytics" and
# an unrelated "example".
VERBATIM = frozenset(["account.domain"])
OTHER_WEIGHT = 0.05  # a prospect slot added later and not weighed above
ABOUT_SHARE = 0.5  # score = ABOUT_SHARE * about them + (1 - ABOUT_SHARE) * not template
MIN_RUN = 2  # template words count only in runs this long: a lone "the" is not the template
NAMES = {
    "signal": "the signal",
    "contact.title": "their title",
    "account.name": "the company",
    "account.industry": "their industry",
    "contact.first_name": "their first name",
    "contact.last_name": "their last name",
    "account.domain": "their domain",
}


@dataclass(frozen=True)
class Personalization:
    score: float  # 0..1, two places
    about_them: tuple[tuple[str, str], ...]  # (slot, fact id) of each prospect fact found
    specific_share: float  # share of the body's words that are not the play's template
    basis: str  # one line for the card and `twoloop why`


def kind(slot: str) -> str:
    return "signal" if slot.startswith("signal.") else slot


def is_prospect(slot: str) -> bool:
    return slot.split(".")[0] in PROSPECT


def words(text: str) -> list[str]:
    return re.findall(r"[^\W_]+", unicodedata.normalize("NFKC", text).casefold())


def spaced(text: str) -> str:
    """The text's words between single spaces, with one before and after: whole-word
    searches become substring searches."""
    return f" {' '.join(words(text))} "


def verbatim(fact: str, text: str) -> bool:
    """Whether `text` (as `spaced` gives it) has the fact's words, in order, as whole words."""
    wanted = " ".join(words(fact))
    return bool(wanted) and f" {wanted} " in text


def stock_text(template: str, facts: dict[str, Fact]) -> str:
    """The template as every prospect gets it: our own slots filled, theirs left out."""

    def fill(m: re.Match[str]) -> str:
        slot = m.group(1)
        if is_prospect(slot):
            return " "
        fact = facts.get(slot)
        return fact.text if fact else " "

    return SLOT.sub(fill, template)


def specific_share(body: str, play: PlaySpec, facts: dict[str, Fact]) -> float:
    """Share of the body's words that no run of the play's stock body accounts for."""
    mine = words(body)
    if not mine:
        return 0.0
    stock = words(stock_text(play.body, facts))
    matcher = SequenceMatcher(None, stock, mine, autojunk=False)
    common = sum(b.size for b in matcher.get_matching_blocks() if b.size >= MIN_RUN)
    return 1.0 - common / len(mine)


def measure(subject: str, body: str, play: PlaySpec, facts: dict[str, Fact]) -> Personalization:
    text = f"{subject}\n{body}"
    stock = spaced(f"{stock_text(play.subject, facts)}\n{stock_text(play.body, facts)}")
    written = spaced(text)
    # Words the stock text carries anyway (an industry named in our own summary) are not
    # about them, even when they match one of their facts.
    theirs = {
        slot: fact
        for slot, fact in sorted(facts.items())
        if is_prospect(slot) and fact.text.strip() and not verbatim(fact.text, stock)
    }
    exact = {slot for slot, fact in theirs.items() if verbatim(fact.text, written)}
    # A reworded fact is looked for in what the facts found as written leave over, so "Director
    # of Data Platform" is not found in "hiring a data platform lead" (that is the signal).
    rest = written
    for slot in sorted(exact, key=lambda s: -len(theirs[s].text)):
        rest = rest.replace(f" {' '.join(words(theirs[slot].text))} ", " | ")
    found = [
        fact
        for slot, fact in theirs.items()
        if slot in exact or (slot not in VERBATIM and appears(fact.text, rest))
    ]
    kinds = list(dict.fromkeys(kind(f.slot) for f in found))
    kinds.sort(key=lambda k: -WEIGHTS.get(k, OTHER_WEIGHT))
    about = min(1.0, sum(WEIGHTS.get(k, OTHER_WEIGHT) for k in kinds))
    share = specific_share(body, play, facts)
    score = round(ABOUT_SHARE * about + (1 - ABOUT_SHARE) * share, 2)
    named = ", ".join(NAMES.get(k, k) for k in kinds) or "nothing"
    basis = (
        f"{score:.2f}: about them: {named} ({about:.2f}); "
        f"{share:.0%} of the body is not the play's template"
    )
    return Personalization(
        score=score,
        about_them=tuple((f.slot, f.id) for f in found),
        specific_share=round(share, 2),
        basis=basis,
    )
