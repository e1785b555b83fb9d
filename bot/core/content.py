"""Hard rules a message must pass before it can be sent, whoever wrote it.

The gate uses them to send a draft to a human; an approval re-checks them on the exact text
(so "Approve" cannot send a draft with an unfilled slot) and an edit is checked before it
is accepted.
"""

from __future__ import annotations

import re
import unicodedata

from bot.config.agents import AgentSpec
from bot.core import grounding, injection
from bot.core.drafting import banned_phrases_in

MAX_SUBJECT = 120
UNFILLED = re.compile(r"\{\{[^}]*\}\}|\[missing: [^\]]+\]")
# Line and paragraph separators break a subject line as surely as CR/LF.
LINE_BREAKS = "\u2028\u2029\u0085"


def problems(subject: str, body: str, spec: AgentSpec, fact_texts: list[str]) -> list[str]:
    """Everything that stops this text from going out as is (empty list: it may go).

    Links and domains must come from a stored fact, and one that itself reads like
    instructions vouches for nothing: an injected signal cannot launder its own link."""
    out: list[str] = []
    text = f"{subject}\n{body}"
    out += control_characters("subject", subject, allowed="")
    out += control_characters("body", body, allowed="\n\t")
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
    sources = [t for t in fact_texts if not injection.suspicious(t)]
    out += grounding.link_problems(text, sources)
    out += grounding.payment_problems(text)
    return out


def control_characters(field: str, text: str, allowed: str) -> list[str]:
    """C0/C1 controls (and line separators) that would break a header or hide text.
    CRLF counts as an ordinary newline where newlines are allowed."""
    if "\n" in allowed:
        text = text.replace("\r\n", "\n")
    bad = dict.fromkeys(
        c
        for c in text
        if c not in allowed and (unicodedata.category(c) == "Cc" or c in LINE_BREAKS)
    )
    if not bad:
        return []
    codes = ", ".join(f"U+{ord(c):04X}" for c in bad)
    what = "line breaks or control characters" if field == "subject" else "control characters"
    return [f"{field} contains {what} ({codes})"]
