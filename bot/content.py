"""Hard rules a message must pass before it can be sent, whoever wrote it.

The gate uses them to send a draft to a human; an approval re-checks them on the exact text
(so "Approve" cannot send a draft with an unfilled slot) and an edit is checked before it
is accepted.
"""

from __future__ import annotations

import re

from bot.agents import AgentSpec
from bot.drafting import banned_phrases_in

MAX_SUBJECT = 120
URL = re.compile(r"https?://[^\s<>()\"']+", re.IGNORECASE)
UNFILLED = re.compile(r"\{\{[^}]*\}\}|\[missing: [^\]]+\]")


def problems(subject: str, body: str, spec: AgentSpec, fact_texts: list[str]) -> list[str]:
    """Everything that stops this text from going out as is (empty list: it may go)."""
    out: list[str] = []
    text = f"{subject}\n{body}"
    for slot in dict.fromkeys(UNFILLED.findall(text)):
        out.append(f"unfilled slot {slot}")
    for phrase in banned_phrases_in(text, spec.banned_phrases):
        out.append(f"banned phrase {phrase!r}")
    if not subject.strip():
        out.append("empty subject")
    if len(subject) > MAX_SUBJECT:
        out.append(f"subject is {len(subject)} characters (at most {MAX_SUBJECT})")
    if len(body) > spec.max_body_chars:
        out.append(f"body is {len(body)} characters (at most {spec.max_body_chars})")
    known = " ".join(fact_texts)
    for url in dict.fromkeys(URL.findall(text)):
        if url.rstrip(".,;:") not in known:
            out.append(f"link not taken from a stored fact: {url}")
    return out
