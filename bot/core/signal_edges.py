"""Which account edges a signal adds: the one rule the importer writes edges by and the
opener reads them back by, so a draft can cite the signal its match path came from."""

from __future__ import annotations

from collections.abc import Iterable

# A signal kind that names a role or a tech: the relation it adds and the node kind it points at.
NAMED = {
    "hiring": ("hiring_for", "role"),
    "leadership_change": ("appointed", "role"),
    "tech_adoption": ("uses", "tech"),
}


def mentions(summary: str, detail: str, words: Iterable[str]) -> bool:
    """Whether a signal's text names one of a node's words (a role's or tech's `matches`)."""
    text = f"{detail} {summary}".lower()
    return any(w.lower() in text for w in words if w)


def adds(kind: str, summary: str, detail: str, rel: str, dst: str, words: Iterable[str]) -> bool:
    """Whether a signal of this kind and text adds the account edge `rel -> dst`; `words` are
    the node's matches (or its name when it has none), as the knowledge file gives them."""
    if rel == "signalled":
        return dst == f"event:{kind}"
    named = NAMED.get(kind)
    if named is None or named[0] != rel or not dst.startswith(f"{named[1]}:"):
        return False
    return mentions(summary, detail, words)
