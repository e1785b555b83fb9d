"""A draft unlike anything its AM has sent goes to them, whatever the second check says: the
model's number there is a guess from other AMs' and other drafts' weights."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.core import gate
from bot.core.second_check import envelope, score, unfamiliar

NOW = datetime(2031, 3, 3, 10, 0, tzinfo=UTC)


def _x(industry: str, age_days: float, lead: str = "signalled>event:hiring", kind="hiring"):
    return {
        "bias": 1.0,
        f"industry={industry}": 1.0,
        f"lead={lead}": 1.0,
        f"signal={kind}": 1.0,
        "signal_age_days/30": round(age_days / 30, 4),
        "title=cto": 1.0,
    }


VERDICTS = [
    ("U1", _x("software", 3), "approve"),
    ("U1", _x("software", 21), "edit"),  # edited still went out
    ("U1", _x("fintech", 5), "kill"),  # a kill widens nothing
    ("U1", _x("software", 40), "kill"),
    ("U2", _x("healthcare", 2, kind="funding"), "approve"),
]


def test_the_envelope_is_what_each_am_sent():
    seen = envelope(VERDICTS)
    assert round(seen["U1"]["age"] * 30) == 21
    assert seen["U1"]["values"] == [
        "industry=software",
        "lead=signalled>event:hiring",
        "signal=hiring",
    ]
    assert "industry=healthcare" in seen["U2"]["values"]


def test_within_it_nothing_is_unfamiliar():
    model = {"seen": envelope(VERDICTS)}
    assert unfamiliar(model, _x("software", 20.5), "U1") == ()


def test_an_older_signal_and_a_new_industry_are_named():
    model = {"seen": envelope(VERDICTS)}
    found = unfamiliar(model, _x("fintech", 30, kind="funding"), "U1")
    assert found == (
        "signal 30 days old (the oldest sent: 21)",
        "industry fintech (none sent yet)",
        "signal funding (none sent yet)",
    )
    # Another AM's envelope is theirs: U2 sent healthcare, U1 did not.
    assert unfamiliar(model, _x("healthcare", 1, kind="funding"), "U2") == ()
    assert "industry healthcare (none sent yet)" in unfamiliar(model, _x("healthcare", 1), "U1")


def test_an_am_who_sent_nothing_yet_and_a_model_from_before_envelopes():
    assert unfamiliar({"seen": envelope(VERDICTS)}, _x("software", 1), "U9") == (
        "no draft sent yet",
    )
    assert unfamiliar({"intercept": 3.0}, _x("software", 1), "U9") == ()


def test_the_score_carries_it_and_the_gate_reviews_for_it():
    model = {"intercept": 4.0, "coef": {}, "decisions": 5, "seen": envelope(VERDICTS)}
    check = score(model, _x("fintech", 3), "a1", "U1")
    assert check.p is not None and check.p > 0.9  # the model alone would send it
    base = gate.GateInput(now=NOW, trust="supervised", personalization=0.1, second_check=check.p)
    assert gate.decide(base).outcome == "send"
    held = gate.decide(gate.GateInput(**{**base.__dict__, "unfamiliar": check.unfamiliar}))
    assert held.outcome == "review"
    assert [r.text for r in held.reasons] == [
        "unlike what its AM has sent: industry fintech (none sent yet)"
    ]
    # An operator who turned the second check off turned this off with it.
    off = gate.GateInput(**{**base.__dict__, "unfamiliar": check.unfamiliar})
    off = gate.GateInput(**{**off.__dict__, "second_check_threshold": 0.0})
    assert gate.decide(off).outcome == "send"
