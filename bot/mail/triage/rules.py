"""The offline reply classifier, the default: regular expressions over the new part of the
reply, no model, deterministic. English first, with German, French and Spanish basics.

Quoted history, legal disclaimers and sentences that try to instruct the system are left out
of the reading. Safety: nothing in a reply's text ever becomes an instruction to the system.
The text only ever produces labels from fixed lists (intent, triggers), a date, a display name
for a referral and a short rationale; text that tries to instruct the system is itself an
escalation trigger (`instruction_injection`), and those sentences are dropped before the rules
read the intent, so they cannot steer it either.

On instruction_injection we deliberately err on the side of flagging: imperatives that could be
meant for a machine ("please reply with the deck", "please forward this to Dana", "delete the
data you hold") are flagged even from a genuine human. A flagged reply just goes to a person
with a warning on the card, which costs little; a missed one could steer an automatic
decision. The price is that a flagged sentence is also ignored when the rules read the intent.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from bot.mail.text import (
    auto_reply_wording,
    lower,
    normalize,
    own_subject,
    resolve_date,
    split_reply,
    without_disclaimers,
    without_signature,
)
from bot.mail.triage import stop_requests
from bot.mail.triage.cues import (
    CLOSING,
    COMPATIBLE,
    CUES,
    EMAIL,
    FILLER,
    GREETING,
    INJECTION_STRONG,
    INJECTION_WEAK,
    NAME,
    NEGATED,
    NO,
    POSITIVE,
    PRIORITY,
    REFERRAL_AFTER,
    REFERRAL_BEFORE,
    ROLE_WORDS,
    SOFTENER,
    STOP_SENTENCE,
    STOPWORDS,
    TRIGGER_PATTERNS,
    UNEXPLAINED_MAX,
    YES,
    M,
    S,
    W,
)
from bot.mail.triage.vocabulary import INTENTS, TRIGGERS, Classification


def _sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[.!?])\s+|\n+", text)
    return [p.strip() for p in parts if p and p.strip()]


def _any(patterns: Iterable[re.Pattern[str]], text: str) -> bool:
    return any(p.search(text) for p in patterns)


def fresh_text(text: str, *, stripped: bool = False) -> str:
    """The new text of a reply, in the normal form the rules read. `stripped`: the text is
    already a reply's new text (`Parsed.text`), and is not split again."""
    text = normalize(text)
    return text if stripped else split_reply(text)[0]


def _shouting(text: str) -> bool:
    words = re.findall(r"[^\W\d_]{2,}", text)
    if len(words) < 3:
        return False
    upper = [w for w in words if w.isupper()]
    return len(upper) >= 3 and len(upper) / len(words) >= 0.8


def _injection_sentence(sentence: str) -> bool:
    low = lower(sentence)
    return _any(INJECTION_STRONG, low) or _any(INJECTION_WEAK, low)


def detect_triggers(text: str, subject: str = "", *, stripped: bool = False) -> tuple[str, ...]:
    """The locked list, rule based, used by both classifiers. Looks at the new text of the
    reply (and forwarded messages in it) and at a subject the sender wrote; instruction
    injection is looked for everywhere, quoted history and our own subject included.
    `stripped` as for `fresh_text`."""
    return _triggers(fresh_text(text, stripped=stripped), normalize(text), subject)


def _triggers(fresh: str, everything: str, subject: str) -> tuple[str, ...]:
    body = lower(without_disclaimers(fresh) + "\n" + own_subject(subject))
    everything = lower(everything + "\n" + normalize(subject))
    found = set()
    for name, patterns in TRIGGER_PATTERNS.items():
        if _any(patterns, body):
            found.add(name)
    if _shouting(without_disclaimers(fresh)):
        found.add("anger_complaint")
    # Exclamation marks alone are enthusiasm as often as anger; with a request to stop, anger.
    if re.search(r"!{2,}", body) and (
        any(p.search(body) for w, p in CUES["unsubscribe"] if w == S)
        or stop_requests.asks_to_stop(body)
    ):
        found.add("anger_complaint")
    if _any(INJECTION_STRONG, everything) or _any(INJECTION_WEAK, body):
        found.add("instruction_injection")
    return tuple(t for t in TRIGGERS if t in found)


def _unexplained(low: str) -> int:
    """How many words of the reply no cue, no negation and no politeness accounts for: with
    several, the reply says something the rules did not read, and a person should."""
    rest = low
    patterns = [p for cues in CUES.values() for _, p in cues]
    for p in [*patterns, *stop_requests.STOP_CLAUSES, *NEGATED, *FILLER, STOP_SENTENCE, SOFTENER]:
        rest = p.sub(" ", rest)
    words = re.findall(r"[^\W\d_][\w'-]*", rest)
    return sum(1 for w in words if w not in STOPWORDS and len(w) > 1)


@dataclass
class _Reading:
    scores: dict[str, float]
    hits: dict[str, int]


def _read(body: str) -> _Reading:
    low = lower(body)
    positive_text = low
    for p in NEGATED:
        positive_text = p.sub(" ", positive_text)
    scores: dict[str, float] = dict.fromkeys(INTENTS, 0.0)
    hits: dict[str, int] = dict.fromkeys(INTENTS, 0)
    # "how do your users unsubscribe", "don't drop me from your list": not a stop
    stop_text = stop_requests.without_vetoed(low)
    for intent, cues in CUES.items():
        if intent == "referral":
            text = body  # names need their capitals
        elif intent in ("interested", "meeting_request", "question"):
            text = positive_text
        elif intent == "unsubscribe":
            text = stop_text
        else:
            text = low
        for weight, pattern in cues:
            if pattern.search(text):
                scores[intent] = max(scores[intent], weight)
                hits[intent] += 1
    # A no with "right now" / "for now" / "at this time" keeps the door open: not now.
    if scores["not_interested"] and SOFTENER.search(low):
        scores["not_now"] = max(scores["not_now"], S)
    # Two concrete scheduling details (a day and a time, a call and a day) make a meeting.
    if hits["meeting_request"] >= 2:
        scores["meeting_request"] = max(scores["meeting_request"], S)
    whole = low.strip()
    if YES.match(whole):
        scores["interested"] = max(scores["interested"], M)
        hits["interested"] += 1
    if NO.match(whole):
        scores["not_interested"] = max(scores["not_interested"], M)
        hits["not_interested"] += 1
    if any(STOP_SENTENCE.match(s.strip(" .!")) for s in _sentences(stop_text)):
        scores["unsubscribe"] = max(scores["unsubscribe"], S)
        hits["unsubscribe"] += 1
    if stop_requests.asks_to_stop(low):
        scores["unsubscribe"] = max(scores["unsubscribe"], S)
        hits["unsubscribe"] += 1
    # A question that is really the start of a deal is still a question; a bare "?" is weak.
    if scores["question"] and re.search(
        r"(?:^|[.!?\n]\s*)(?:how|what|which|who|where|when|why|is|are|do|does|did|can|could|would|"
        r"will|should|have|has|any|wie|was|welche|gibt es|quel|quelle|comment|combien|est-ce|"
        r"cuánto|cuanto|cómo|como|qué|cuál|dónde|hay|¿)\b[^?]*\?",
        low,
    ):
        scores["question"] = 0.8
    return _Reading(scores, hits)


def _body_for_intent(fresh: str) -> tuple[str, bool]:
    """The new text without disclaimers, greetings, sign-offs and sentences that try to
    instruct the system; and whether such sentences were dropped."""
    fresh = without_signature(without_disclaimers(fresh))
    lines = [ln.strip() for ln in fresh.split("\n")]
    while lines and (not lines[0] or GREETING.match(lines[0])):
        lines.pop(0)
    # Drop a closing line and the name(s) after it ("Thanks,\nMaria").
    for i in range(len(lines) - 1, max(-1, len(lines) - 5), -1):
        if CLOSING.match(lines[i]) and i > 0 and all(len(x.split()) <= 4 for x in lines[i + 1 :]):
            lines = lines[:i]
            break
    kept, dropped = [], False
    for sentence in _sentences("\n".join(lines)):
        if _injection_sentence(sentence):
            dropped = True
            continue
        kept.append(sentence)
    return "\n".join(kept).strip(), dropped


def _referral_to(body: str) -> str:
    """A display name and/or address for the person the reply points to, from the text; only
    characters a name or an address may hold survive."""
    name, email, at = "", "", -1
    for m in REFERRAL_BEFORE.finditer(body):
        window = body[m.end() : m.end() + 80]
        window = re.split(r"[.!?;\n](?:\s|$)", window, maxsplit=1)[0]
        found = _name_in(window)
        mail = EMAIL.search(window)
        if found or mail:
            name = found
            if mail and (not found or mail.start() < window.find(found) + len(found) + 40):
                email = mail.group(0)
            at = m.end() + (window.find(found) if found else 0)
            break
    if not name:
        for m in NAME.finditer(body):
            if REFERRAL_AFTER.match(body, m.end()) and _clean_name(m.group(0)):
                name, at = _clean_name(m.group(0)), m.start()
                break
    if name and not email:
        near = EMAIL.search(body, at, at + len(name) + 60) if at >= 0 else None
        if near:
            email = near.group(0)
    if not name and not email:
        mails = [
            m
            for m in EMAIL.finditer(body)
            if not re.search(r"\bmy (?:\w+ )?(?:e-?mail|address)\W*$", body[: m.start()], re.I)
        ]
        if len(mails) == 1:
            email = mails[0].group(0)
    email = email.strip(".'")
    if name and email:
        return f"{name} <{email}>"
    return name or email


def _clean_name(raw: str) -> str:
    words = raw.split()
    honorific = words[0].rstrip(".") in ("Mr", "Mrs", "Ms", "Dr", "Frau", "Herr", "Mme", "Mlle")
    core = words[1:] if honorific else words
    while core and core[0].lower().strip("'") in ROLE_WORDS:
        core = core[1:]
    cut = []
    for w in core:
        if w.lower().strip("'") in ROLE_WORDS:
            break
        cut.append(w)
    if not cut:
        return ""
    name = " ".join(([words[0]] if honorific else []) + cut)
    name = re.sub(r"'s$", "", name)
    return name[:60]


def _name_in(window: str) -> str:
    for m in NAME.finditer(window):
        name = _clean_name(m.group(0))
        if name:
            return name
    return ""


def asks_to_stop(text: str) -> bool:
    """A person's own request to stop, in text the intent reading left out (or in mail that
    otherwise looks automatic). The bare keyword is what an injected label or a notice's
    footer says ("this is an unsubscribe", "to unsubscribe, click"), so it does not count."""
    low = lower(normalize(text))
    own = (p for _, p in CUES["unsubscribe"] if not p.pattern.startswith(r"\bunsub"))
    kept = stop_requests.without_vetoed(low)
    return (
        _any(own, kept)
        or any(STOP_SENTENCE.match(s.strip(" .!")) for s in _sentences(kept))
        or stop_requests.asks_to_stop(low)
    )


def _other_addresses(body: str) -> bool:
    return bool(EMAIL.search(body))


class RuleClassifier:
    """The offline default: regular expressions, no model, deterministic."""

    provider = "rules"

    def classify(
        self, text: str, subject: str = "", *, today: date, stripped: bool = False
    ) -> Classification:
        """`today`: the day the reply was written (its Date header) or the runtime's date;
        "in March" and "next quarter" count from it. `stripped` as for `fresh_text`."""
        fresh = fresh_text(text, stripped=stripped)
        triggers = _triggers(fresh, normalize(text), subject)
        body, dropped = _body_for_intent(fresh)
        own = own_subject(subject)
        if auto_reply_wording(fresh, subject):
            back = resolve_date(body, today, latest=True)
            return Classification(
                intent="other",
                confidence=0.8,
                triggers=triggers,
                not_now_until=back,
                rationale="reads like an automatic out-of-office reply"
                + (f", back {back.isoformat()}" if back else ""),
                provider=self.provider,
                # "I'm not out of office, I'm ignoring you. Take me off your list.": out-of-
                # office words do not hide a person's own request to stop.
                also_unsubscribe=asks_to_stop(body),
            )
        reading_text = body if not own else f"{own}\n{body}"
        if not reading_text.strip():
            return Classification(
                "other",
                0.3,
                triggers,
                rationale="no text of its own" + (" besides instructions" if dropped else ""),
                provider=self.provider,
                also_unsubscribe=dropped and asks_to_stop(without_disclaimers(fresh)),
            )
        r = _read(reading_text)
        scores = r.scores
        unsub = scores["unsubscribe"] > 0
        positives = {i: scores[i] for i in POSITIVE if scores[i] >= S and i != "question"}
        if unsub and not positives:
            intent = "unsubscribe"
        elif unsub:
            intent = max(positives, key=lambda i: (positives[i], -PRIORITY.index(i)))
        elif scores["not_now"] and scores["not_now"] >= max(
            scores["not_interested"], scores["interested"], scores["question"]
        ):
            intent = "not_now"
        else:
            ranked = [i for i in INTENTS if scores[i] > 0]
            intent = (
                max(ranked, key=lambda i: (scores[i], -PRIORITY.index(i))) if ranked else "other"
            )
        # "Let's talk in two weeks" is a meeting, "talk again in Q3" is a deferral.
        when = resolve_date(reading_text, today)
        if (
            intent == "not_now"
            and scores["meeting_request"] >= S
            and when
            and (when - today).days <= 14
        ):
            intent = "meeting_request"

        confidence = scores[intent] if scores[intent] else 0.35
        confidence += 0.03 * min(r.hits[intent] - 1, 2)
        for other, score in scores.items():
            if other == intent or score < W:
                continue
            if other == "unsubscribe" and intent in POSITIVE:
                continue  # the request to stop is handled apart (also_unsubscribe)
            if frozenset((intent, other)) in COMPATIBLE:
                confidence -= 0.03
            else:
                confidence -= 0.15 * score / S
        words = len(reading_text.split())
        if words <= 12 and sum(1 for s in scores.values() if s >= W) == 1:
            confidence += 0.03
        if words > 60:
            confidence -= 0.1
        if words > 150:
            confidence -= 0.1
        if intent in ("not_interested", "unsubscribe"):
            if "?" in reading_text:
                confidence -= 0.15
            # Handled without a person only when every part of the reply is accounted for.
            if _unexplained(lower(reading_text)) >= UNEXPLAINED_MAX:
                confidence = min(confidence - 0.1, 0.55)
            if _other_addresses(reading_text):
                # An address in a request to stop may be someone else's: a person decides.
                confidence -= 0.35
        confidence = round(min(0.97, max(0.05, confidence)), 2)

        # A request to stop counts even inside a sentence dropped as an instruction ("mark me
        # as not interested so I stop getting these"): suppressing the sender is the one
        # reading that cannot be turned against anyone but the sender.
        also_unsubscribe = unsub or (dropped and asks_to_stop(without_disclaimers(fresh)))
        not_now_until = when if intent == "not_now" else None
        referral_to = _referral_to(body) if intent == "referral" or scores["referral"] >= S else ""
        return Classification(
            intent=intent,
            confidence=confidence,
            triggers=triggers,
            not_now_until=not_now_until,
            referral_to=referral_to,
            also_unsubscribe=also_unsubscribe,
            rationale=_rationale(intent, scores, triggers, also_unsubscribe),
            provider=self.provider,
        )


def _rationale(
    intent: str, scores: dict[str, float], triggers: tuple[str, ...], unsub: bool
) -> str:
    others = [i for i in PRIORITY if i != intent and scores[i] >= W]
    parts = [f"reads as {intent.replace('_', ' ')}"]
    if others:
        parts.append("also " + ", ".join(o.replace("_", " ") for o in others))
    if unsub and intent != "unsubscribe":
        parts.append("asks to stop emails")
    if triggers:
        parts.append("triggers: " + ", ".join(triggers))
    return "; ".join(parts)
