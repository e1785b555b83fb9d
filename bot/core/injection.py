"""Outside text that reads like instructions rather than facts.

Signals (the webhook, RSS titles) and imported records reach the model's prompt. Fencing them
as data is the first defence; this is the second: text shaped like a prompt injection is
flagged so a person sees it before anything goes out. The signs follow how injection
detectors describe attacks (OWASP LLM01, the heuristic scanners): attempts to override the
model's instructions, role and delimiter spoofing, imperatives aimed at the assistant or at
what the email must say, hidden characters, and payment or credential lures. Pure.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from bot.core.grounding import links, payment_problems

_I = re.IGNORECASE
SIGNS: list[tuple[str, re.Pattern[str]]] = [
    (
        "tries to override the writer's instructions",
        re.compile(
            r"\b(?:ignore|disregard|forget|override|bypass)\s+(?:(?:all|any|of|the|your|my|these|"
            r"those|every|everything|what\s+was\s+said)\s+)*(?:(?:previous|prior|above|earlier|"
            r"preceding|original|existing|system|safety|other|former)\s+)?(?:instructions?|"
            r"prompts?|rules?|guidelines?|directions?|directives?|constraints?|guardrails?|"
            r"messages?|above|before)\b"
            r"|\b(?:new|updated|revised|real|actual|important|additional)\s+instructions?\s*[:!-]"
            r"|\binstead\s*,?\s+(?:you\s+)?(?:must|should|will)\b",
            _I,
        ),
    ),
    (
        "spoofs a chat role or prompt delimiter",
        re.compile(
            r"(?:(?m:^)|(?<=[.!?;]))\s*(?:#+\s*|\*\*|\[)?(?:system|assistant|user|developer|"
            r"human|ai|model|instructions?)\s*(?:\]|\*\*)?\s*:"
            r"|\b(?-i:SYSTEM|ASSISTANT|DEVELOPER|INSTRUCTIONS?)\s*:"
            r"|<\|[^|>\n]{1,40}\|>"
            r"|\[/?(?:INST|SYS|SYSTEM)\]"
            r"|<<\s*/?\s*SYS\s*>>"
            r"|</?\s*(?:system|assistant|user|developer|instructions?|prompt|facts?|data|context|"
            r"im_start|im_end)\s*/?>"
            r"|```\s*(?:system|instructions?|prompt)"
            r"|(?m:^\s*#{1,6}\s*(?:system|instructions?|new\s+instructions|prompt|task|rules)\b)"
            r"|\b(?:begin|end)\s+(?:of\s+)?(?:the\s+)?(?:system\s+prompt|instructions|"
            r"(?:untrusted\s+)?data|facts|context)\b",
            _I,
        ),
    ),
    (
        "speaks to the assistant",
        re.compile(
            r"\b(?:as|you\s+are|you're)\s+(?:an?|the)\s+(?:ai|a\.i\.|assistant|language\s+model|"
            r"llm|chatbot|model|(?:email\s+)?writer|copywriter)\b"
            r"|\b(?:dear|hey|hi|attention|note\s+to(?:\s+the)?|message\s+to(?:\s+the)?)\s+"
            r"(?:ai|assistant|llm|model|gpt|chatgpt|bot|language\s+model|email\s+(?:writer|"
            r"generator))\b"
            r"|\b(?:you\s+are\s+now|from\s+now\s+on|act\s+as\s+(?:if|an?|the)|pretend\s+(?:to\s+be|"
            r"you\s+are)|role-?play|jailbreak|developer\s+mode|do\s+anything\s+now)\b"
            r"|\b(?:reveal|print|repeat|show|output|leak)\s+(?:me\s+)?(?:your|the)\s+(?:system\s+)?"
            r"(?:prompt|instructions)\b",
            _I,
        ),
    ),
    (
        "tells the writer what the email must say",
        re.compile(
            r"\b(?:you|the\s+(?:ai|assistant|model|writer))\s+(?:must|should|shall|need\s+to|"
            r"have\s+to|are\s+required\s+to|will)\s+(?:always\s+|also\s+)?(?:include|add|insert|"
            r"mention|write|say|tell|ask|use|put|append|send|reply|respond|link|direct|"
            r"instruct|request|state)\b"
            r"|\b(?:be\s+sure|make\s+sure|remember|don't\s+forget|do\s+not\s+forget)\s+to\s+"
            r"(?:include|add|insert|mention|write|tell|ask|put|append|send|link|say)\b"
            r"|\b(?:include|insert|add|append|put|paste|use|send|write|say|output)\s+"
            r"(?:this|the\s+following|these|exactly|verbatim)\b"
            r"|\b(?:reply|respond|answer)\s+(?:only\s+)?with\b"
            r"|\b(?:in|into|at\s+the\s+end\s+of)\s+your\s+(?:email|e-mail|reply|response|message|"
            r"output|answer|draft)\b"
            r"|\b(?:the|this|your)\s+(?:email|e-mail|message|reply)\s+(?:must|should|shall)\s+"
            r"(?:include|contain|say|mention|link|ask)\b"
            r"|\b(?:tell|ask|instruct|urge|direct|remind)\s+(?:the\s+)?(?:recipient|reader|"
            r"prospect|customer|contact|client|them|him|her)\s+to\b",
            _I,
        ),
    ),
]
# Words that make a link a lure: credentials, billing, payment. A host is held to the strong
# ones only, so a prospect's own domain ("fjordbank.example") is not a lure.
LURE_HOST = re.compile(
    r"verif|login|log-in|signin|sign-in|logon|billing|payment|wallet|passw|credential|"
    r"secure-?(?:account|update|login)|account-?(?:update|verif)",
    _I,
)
LURE_PATH = re.compile(
    LURE_HOST.pattern + r"|invoice|bank|wire|refund|unlock|reset|confirm|2fa|otp|\bpay\b", _I
)
# Zero-width, bidirectional and tag characters hide text from a reader but not from a model.
HIDDEN = re.compile(
    "[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\U000e0000-\U000e007f]"
)


def signs(text: str) -> list[str]:
    """Why this outside text reads like instructions (empty: it reads like a fact)."""
    return list(_signs(text))


@functools.lru_cache(maxsize=8192)
def _signs(text: str) -> tuple[str, ...]:
    # The same facts (a capability's proof, a signal's words) are read for every draft of a
    # tick: remembered, a thousand drafts cost a thousand regex passes less.
    plain = unicodedata.normalize("NFKC", text)
    out = [why for why, pattern in SIGNS if pattern.search(plain)]
    if HIDDEN.search(text) or any(
        unicodedata.category(c) == "Cc" and c not in "\n\t" for c in text
    ):
        out.append("hides invisible or control characters")
    lures = [
        link.text
        for link in links(plain)
        if LURE_HOST.search(link.host) or LURE_PATH.search(link.path)
    ]
    if lures:
        out.append(f"links to a credential or payment page ({lures[0]})")
    if payment_problems(plain):
        out.append("carries payment details")
    return tuple(out)


def suspicious(text: str) -> bool:
    return bool(signs(text))
