"""Where a reply goes: the two readings combined, and the route ("auto" | "review").

`combine` keeps the escalation triggers of both (a locked list: no confidence removes one),
the more confident intent wins, and disagreement lowers the confidence so the reply goes to a
person. A request to stop that only the model reads is not a suppression: the rules' recall is
the guarantee, a model's wrong label must not silence a buyer, so a person decides (Reclassify
suppresses). `route` parks out-of-office replies, suppresses on unsubscribe and bounces, and
closes a clear not-interested (a sampled share of those still goes to review); everything else
is a card.
"""

from __future__ import annotations

from datetime import date

from bot.mail.text import one_line
from bot.mail.triage.model import LLMClassifier
from bot.mail.triage.rules import RuleClassifier
from bot.mail.triage.vocabulary import TRIGGERS, Classification, should_suppress


def combine(rules: Classification, llm: Classification | None) -> Classification:
    """Both readings into one. Triggers are the union (no confidence removes one), the more
    confident intent wins (the rules' when the reply tries to instruct the system: the model
    may have been steered), and disagreement lowers the confidence to min(...) * 0.6 so the
    reply goes to a person. A request to stop the rules read is kept; one only the model reads
    is flagged (`model_only_stop`) and never wins the intent, so it suppresses nobody."""
    if llm is None:
        return rules
    found = set(rules.triggers) | set(llm.triggers)
    triggers = tuple(t for t in TRIGGERS if t in found)
    injected = "instruction_injection" in found
    model_only_stop = should_suppress(llm) and not should_suppress(rules)
    if injected or (model_only_stop and llm.intent == "unsubscribe"):
        winner, other = rules, llm
    elif llm.confidence >= rules.confidence:
        winner, other = llm, rules
    else:
        winner, other = rules, llm
    agree = rules.intent == llm.intent
    if agree:
        confidence = max(rules.confidence, llm.confidence)
    else:
        confidence = min(rules.confidence, llm.confidence) * 0.6
    return Classification(
        intent=winner.intent,
        confidence=round(confidence, 4),
        triggers=triggers,
        not_now_until=winner.not_now_until or (other.not_now_until if agree else None),
        referral_to=winner.referral_to or other.referral_to,
        also_unsubscribe=rules.also_unsubscribe,
        rationale=one_line(
            f"{llm.rationale or llm.intent} (rules: {rules.intent}"
            + ("" if agree else f", model: {llm.intent}, they disagree")
            + ")",
            300,
        ),
        provider=f"rules+{llm.provider}",
        intents=(rules.intent, llm.intent),
        model_only_stop=model_only_stop,
    )


def route(
    kind: str,
    c: Classification | None,
    *,
    sample: float,
    audit_rate: float = 0.1,
    not_interested_min: float = 0.9,
    unsubscribe_min: float = 0.6,
) -> tuple[str, str]:
    """("auto" | "review", reason). `sample` is a number in [0, 1) the caller draws.

    Automatic: auto-replies (park), bounces and complaints (suppress), a request to stop with
    nothing else in it (suppress), a clear not-interested at or above `not_interested_min`
    with no trigger (close) unless the sample falls in the audit share. Everything else is a
    card. The caller suppresses on every request to stop (`should_suppress`), whatever the
    route: a review never delays a suppression. A stop only the model reads is a card too.
    """
    if kind == "auto_reply":
        return "auto", "automatic reply: park the sequence until the sender is back"
    if kind == "bounce":
        return "auto", "bounce: suppress the address"
    if kind == "complaint":
        return "auto", "spam complaint: suppress the address"
    if kind != "human":
        return "review", f"unknown kind {kind!r}: a person looks"
    if c is None:
        return "review", "not classified: a person looks"
    stop = should_suppress(c)
    anyway = "; suppressed anyway" if stop else ""
    if c.triggers:
        why = "escalation: " + ", ".join(c.triggers) + anyway
        return "review", f"{why}; {MODEL_ONLY_STOP}" if c.model_only_stop else why
    if c.model_only_stop:
        return "review", MODEL_ONLY_STOP
    if stop:
        if c.intent not in ("unsubscribe", "not_interested"):
            return "review", f"{_label(c.intent)} that also asks to stop emails" + anyway
        if c.confidence < unsubscribe_min:
            return (
                "review",
                f"request to stop read with low confidence ({c.confidence:.2f})" + anyway,
            )
        return "auto", "asks to stop emails: suppress"
    if c.intent == "not_interested":
        if c.confidence < not_interested_min:
            return (
                "review",
                f"not interested, confidence {c.confidence:.2f} below {not_interested_min:.2f}",
            )
        if sample < audit_rate:
            return "review", f"audit sample ({audit_rate:.0%} of clear not-interested replies)"
        return "auto", f"clear not interested ({c.confidence:.2f}): close"
    return "review", f"{_label(c.intent)}: needs a person"


def holds(c: Classification | None, route: str) -> bool:
    """Whether a person's reply holds its sender: every reply a person must decide that
    triage did not read as a request to stop (that one is suppressed outright). Any of them
    may be a stop in words no rule knows ("which list am I on?" reads as a question), and no
    agent should write to someone whose reply nobody has read; the hold lasts until a person
    decides its card (bot/mail/inbound/replies.py, answers.py)."""
    return c is not None and route == "review" and not should_suppress(c)


MODEL_ONLY_STOP = "the model reads a request to stop; the rules do not: a person decides"


def _label(intent: str) -> str:
    return intent.replace("_", " ")


def classify(
    text: str,
    subject: str = "",
    *,
    today: date,
    llm: LLMClassifier | None = None,
    rules: RuleClassifier | None = None,
    stripped: bool = False,
) -> Classification:
    """Rules, plus the model when one is given, combined. `today` as for `RuleClassifier`:
    never the wall clock, so a reply reads the same on any day. `stripped`: the text is a
    parsed reply's new text, not split again."""
    reader = rules or RuleClassifier()
    rules_result = reader.classify(text, subject, today=today, stripped=stripped)
    if llm is None:
        return rules_result
    return combine(rules_result, llm.classify(text, subject, today=today, stripped=stripped))
