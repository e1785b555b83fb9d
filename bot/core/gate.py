"""The gate: ordered rules between a draft and the outbox (README, "How an agent decides").

1. hard stops: no send, no review;
2. a predicted kill: the second check is sure the AM would kill it, so it is not written
   (unless picked for the random audit, which then says so);
3. review: a human decides;
4. otherwise send.

Every outcome carries all the reasons that applied, not just the first, so the card and the
audit trail show the whole picture.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Literal

Outcome = Literal["send", "review", "stop"]


@dataclass(frozen=True)
class Reason:
    code: str
    text: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "text": self.text}


@dataclass(frozen=True)
class GateInput:
    now: datetime
    suppressed: str | None = None
    do_not_contact: bool = False
    customer: bool = False
    play_targets_customers: bool = False
    last_touch_at: datetime | None = None
    touch_window_days: int = 30
    paused: bool = False
    play_approved: bool = True
    cap_reached: bool = False
    trust: str = "probation"
    relationship_stops: tuple[str, ...] = ()  # what the history says: no outreach now
    relationship_flags: tuple[str, ...] = ()
    personalization: float = 0.0
    personalization_threshold: float = 0.7
    confidence: float = 1.0
    confidence_threshold: float = 0.6
    # The second check: a model of this AM's own decisions (bot/core/second_check.py). None
    # means no trained check applies yet, which never clears.
    second_check: float | None = None
    second_check_threshold: float = 0.9
    second_check_basis: str = ""  # what it rests on, e.g. "from 212 decisions"
    # Its chance that the AM kills the draft (None: no tested kill model yet). At or above
    # the threshold the draft is not written: the AM's time is not spent on a sure kill.
    predicted_kill: float | None = None
    predicted_kill_threshold: float = 0.75
    # What in the draft none of its AM's sent drafts had (bot/core/second_check.py
    # `unfamiliar`): the second check's number there is a guess, so a person decides.
    unfamiliar: tuple[str, ...] = ()
    missing_facts: tuple[str, ...] = ()
    writer_problems: tuple[str, ...] = ()
    content_problems: tuple[str, ...] = ()
    untrusted_facts: tuple[str, ...] = ()  # outside text that reads like instructions, and why
    audit_sample: bool = False
    audit_note: str = ""  # how often this agent is audited, when not as configured


@dataclass(frozen=True)
class GateResult:
    outcome: Outcome
    reasons: tuple[Reason, ...] = field(default_factory=tuple)


def hard_stops(i: GateInput) -> list[Reason]:
    out = []
    if i.suppressed:
        out.append(Reason("suppressed", f"address is suppressed ({i.suppressed})"))
    if i.do_not_contact:
        out.append(Reason("do_not_contact", "marked do-not-contact"))
    if i.customer and not i.play_targets_customers:
        out.append(Reason("current_customer", "account is a current customer"))
    if i.last_touch_at and i.now - i.last_touch_at < timedelta(days=i.touch_window_days):
        days = (i.now - i.last_touch_at).days
        out.append(
            Reason("recently_touched", f"touched {days} days ago (window {i.touch_window_days})")
        )
    for stop in i.relationship_stops:
        out.append(Reason("relationship", stop))
    if i.paused:
        out.append(Reason("paused", "agent is paused"))
    if not i.play_approved:
        out.append(Reason("play_not_approved", "play is not approved yet"))
    if i.cap_reached:
        out.append(Reason("cap_reached", "daily cap reached; waits for tomorrow"))
    return out


def review_reasons(i: GateInput) -> list[Reason]:
    out = []
    if i.trust == "probation":
        out.append(Reason("probation", "agent is on probation: every draft is reviewed"))
    for flag in i.relationship_flags:
        out.append(Reason("relationship", flag))
    for note in i.untrusted_facts:
        out.append(Reason("untrusted_signal", note))
    if i.personalization > i.personalization_threshold:
        out.append(
            Reason(
                "personalization",
                f"personalization {i.personalization:.2f} above threshold "
                f"{i.personalization_threshold:.2f}",
            )
        )
    if i.confidence < i.confidence_threshold:
        out.append(
            Reason(
                "low_confidence",
                f"confidence {i.confidence:.2f} below threshold {i.confidence_threshold:.2f}",
            )
        )
    if i.second_check_threshold <= 0:
        pass  # an operator turned the second check off for this agent
    elif i.second_check is None:
        why = f" ({i.second_check_basis})" if i.second_check_basis else ""
        out.append(Reason("second_check", f"no second check yet{why}"))
    elif i.second_check < i.second_check_threshold:
        out.append(
            Reason(
                "second_check",
                f"second check {i.second_check:.2f} below threshold "
                f"{i.second_check_threshold:.2f} ({i.second_check_basis})",
            )
        )
    if i.second_check_threshold > 0:
        for what in i.unfamiliar:
            out.append(Reason("unfamiliar", f"unlike what its AM has sent: {what}"))
    for slot in i.missing_facts:
        out.append(Reason("ungrounded", f"no stored fact for {{{{{slot}}}}}: what should it say?"))
    for problem in i.writer_problems:
        out.append(Reason("writer", problem))
    for problem in i.content_problems:
        out.append(Reason("content", f"cannot be sent as is: {problem}"))
    if i.audit_sample:
        if predicts_kill(i):
            out.append(
                Reason(
                    "audit_sample",
                    f"picked for a random audit of the kill prediction: the second check "
                    f"says {i.predicted_kill:.0%} you would kill it ({i.second_check_basis})",
                )
            )
        else:
            note = f" ({i.audit_note})" if i.audit_note else ""
            out.append(Reason("audit_sample", f"picked for a random audit{note}"))
    return out


def predicts_kill(i: GateInput) -> bool:
    return (
        i.predicted_kill_threshold > 0
        and i.predicted_kill is not None
        and i.predicted_kill >= i.predicted_kill_threshold
    )


def shadow(i: GateInput) -> Outcome:
    """What the gate would do were the agent trusted: probation and the random audit set
    aside. Compared with the AM's verdicts, this is the evidence promotion rests on."""
    return decide(replace(i, trust="supervised", audit_sample=False)).outcome


def decide(i: GateInput) -> GateResult:
    stops = hard_stops(i)
    if stops:
        return GateResult("stop", tuple(stops))
    if predicts_kill(i) and not i.audit_sample:
        # Learned from this AM's own kills; the random audit still shows some of these to
        # them, so a taste that changed is seen and the prediction is kept honest.
        return GateResult(
            "stop",
            (
                Reason(
                    "predicted_kill",
                    f"not written: the second check says {i.predicted_kill:.0%} the AM would "
                    f"kill it (threshold {i.predicted_kill_threshold:.0%}; "
                    f"{i.second_check_basis})",
                ),
            ),
        )
    reviews = review_reasons(i)
    if reviews:
        return GateResult("review", tuple(reviews))
    return GateResult("send", (Reason("clear", "below every threshold"),))
