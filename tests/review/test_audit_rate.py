"""Reduced audits (ISO 2859-1's switching rules): an agent whose last REDUCE_AFTER drafts it
would have sent on its own were all passed by a person is audited at 40% of its configured
rate; one kill among them restores the full rate."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.core.audits import REDUCE_AFTER, REDUCED, audit_rate
from bot.core.gate import GateInput, review_reasons
from bot.review import trust
from tests.review.test_clean_week import AGENT, Judge, on


@pytest.mark.parametrize(
    "newest, reduced",
    [
        (["approve"] * REDUCE_AFTER, True),
        (["approve", "edit"] * (REDUCE_AFTER // 2), True),  # an edit is no kill
        (["approve"] * (REDUCE_AFTER - 1), False),  # too few to judge
        (["kill"] + ["approve"] * REDUCE_AFTER, False),  # the newest was killed
        (["approve"] * (REDUCE_AFTER - 1) + ["kill"], False),  # the oldest in the window
        (["approve"] * REDUCE_AFTER + ["kill"], True),  # the kill is older than the window
    ],
)
def test_the_rate_is_reduced_only_after_a_run_of_would_send_drafts_with_no_kill(newest, reduced):
    got = audit_rate(0.05, newest)
    assert got.reduced is reduced
    assert got.rate == pytest.approx(0.05 * REDUCED if reduced else 0.05)


@pytest.mark.parametrize("configured", [0.0, 1.0])  # never audited; an operator's full review
def test_none_and_all_stay_as_configured(configured):
    assert audit_rate(configured, ["approve"] * REDUCE_AFTER) == audit_rate(configured, [])


def test_a_predicted_kill_is_audited_at_the_configured_rate():
    reduced = audit_rate(0.05, ["approve"] * REDUCE_AFTER)
    assert reduced.picks(0.01, predicted_kill=False) and reduced.picks(0.01, predicted_kill=True)
    assert not reduced.picks(0.03, predicted_kill=False)  # above 2%
    assert reduced.picks(0.03, predicted_kill=True)  # under 5%
    assert not reduced.picks(0.05, predicted_kill=True)


def test_the_card_says_when_and_why_the_audit_is_reduced():
    note = audit_rate(0.05, ["approve"] * REDUCE_AFTER).note()
    assert note == (
        f"2.0% of clear drafts, reduced: none of the last {REDUCE_AFTER} drafts it would have "
        "sent on its own was killed"
    )
    seen = GateInput(datetime(2026, 11, 2, tzinfo=UTC), audit_sample=True, audit_note=note)
    texts = [r.text for r in review_reasons(seen)]
    assert f"picked for a random audit ({note})" in texts
    assert audit_rate(0.05, []).note() == ""


def test_the_rate_follows_the_agents_verdicts_in_the_database(rt):
    judge = Judge(rt)
    for k in range(REDUCE_AFTER - 1):
        judge("approve", on(0, hour=9 + k % 8), shadow="send")
    judge("approve", on(1), shadow="review")  # held by the gate anyway: not a lot
    with rt.db.session() as s:
        assert not trust.audit_rate(s, AGENT, 0.05).reduced
    judge("approve", on(2), shadow="send")
    with rt.db.session() as s:
        assert trust.audit_rate(s, AGENT, 0.05).rate == pytest.approx(0.02)
    with rt.db.session() as s:  # an operator set the rate: it is what they set
        assert trust.audit_rate(s, AGENT, 0.05, fixed=True) == audit_rate(0.05, [])
    judge("kill", on(3), shadow="send", reason="bad_timing")
    with rt.db.session() as s:
        assert trust.audit_rate(s, AGENT, 0.05) == audit_rate(0.05, [])
