"""The clean week is a rolling window: a killed draft the gate would have sent restarts it, and
promotion follows five clean working days later. A supervised agent is judged on what the gate
lets through: kills of drafts the gate held for review are the gate working and never demote;
a critical kill of an audited would-send draft does, and so does the would-send kill rate."""

from __future__ import annotations

import pytest

from bot.review import no_path, trust
from tests.review.test_clean_week import AGENT, OWNER, Judge, events, evidence_of, on, state_of
from tests.slack.test_commands import slash

AUDIT = [{"code": "audit_sample", "text": "picked for a random audit"}]
HELD = [{"code": "second_check", "text": "second check 0.41 below threshold 0.90 (from 40)"}]


def promote(judge: Judge) -> None:
    """A clean week Monday to Friday: 20 verdicts, 10 of them drafts the gate would send."""
    for day in range(5):
        for k in range(4):
            judge("approve", on(day), shadow="send" if k % 2 else "review")
    assert state_of(judge.rt).trust == "supervised"


def evidence_of_probation(rt) -> trust.Evidence:
    with rt.db.session() as s:
        return trust.probation_evidence(rt, s, state_of(rt))


def test_a_killed_would_send_draft_restarts_the_week_and_five_working_days_later_it_is_promoted(
    rt,
):
    judge = Judge(rt)
    for day in (2, 3, 4):  # Wednesday to Friday: clean
        for k in range(4):
            judge("approve", on(day), shadow="send" if k % 2 else "review")
    for _ in range(3):  # the next Monday morning
        judge("approve", on(7, hour=9), shadow="send")
    judge("kill", on(7), shadow="send", reason="bad_timing")  # Monday 12:00
    ev = evidence_of(rt)
    assert ev.restart == (
        "a would-send draft was killed on 2026-11-09: the clean week restarts from then"
    )
    assert (ev.reviews, ev.working_days, ev.shadow_sends) == (0, 0, 0)
    whole = evidence_of_probation(rt)
    assert (whole.reviews, whole.shadow_sends, whole.shadow_kills) == (16, 10, 1)

    for day in (7, 8, 9, 10):  # Monday afternoon to Thursday
        for k in range(4):
            if (day, k) == (9, 0):  # the gate held this one: its kill restarts nothing
                judge("kill", on(day, hour=15), shadow="review", reason="off_brand")
            else:
                judge("approve", on(day, hour=15), shadow="send" if k % 2 else "review")
    ev = evidence_of(rt)
    assert (ev.reviews, ev.working_days, ev.shadow_sends, ev.shadow_kills) == (16, 4, 8, 0)
    assert ev.missing == (
        "4 more reviewed drafts",
        "1 more working day",
        "2 more drafts the gate would send",
    )
    for _ in range(3):  # Friday
        judge("approve", on(11), shadow="send")
    assert state_of(rt).trust == "probation"  # 19 verdicts
    judge("approve", on(11), shadow="send")
    state = state_of(rt)
    assert (state.trust, state.trust_set_by) == ("supervised", "system")
    assert "20 reviewed drafts over 5 working days" in state.trust_reason
    assert "would have sent 12 of them on its own (60%) and 0 of those were killed" in (
        state.trust_reason
    )
    [promoted] = events(rt, "trust.promoted")
    assert promoted.detail["since"].startswith("2026-11-09T12:00")


@pytest.mark.parametrize("reason", ["wrong_account", "current_customer", "factual_error"])
def test_a_held_critical_kill_restarts_the_week_unless_only_would_send_ones_count(rt, reason):
    judge = Judge(rt)
    for day in range(5):  # Monday to Friday: 20 verdicts, 10 the gate would have sent
        for k in range(4):
            if (day, k) == (2, 0):  # the gate held this one for review
                judge("kill", on(day), shadow="review", reason=reason)
            else:
                judge("approve", on(day), shadow="send" if k % 2 else "review")
    ev = evidence_of(rt)  # by default any critical kill restarts the week
    assert state_of(rt).trust == "probation"
    assert ev.restart == (
        "a draft was killed for a critical reason on 2026-11-04: the clean week restarts from then"
    )
    rt.settings.trust_critical_restarts = "would_send"  # the gate was right to hold it
    assert evidence_of(rt).promotable
    judge("approve", on(4), shadow="send")  # the next verdict promotes it
    assert state_of(rt).trust == "supervised"
    assert "21 reviewed drafts over 5 working days" in state_of(rt).trust_reason

    # Demoted by hand, the same week again, but the critical kill is of a would-send draft:
    # allowed kills or not, the week restarts there.
    with rt.db.session() as s:
        trust.set_by_operator(rt, s, OWNER, AGENT, "probation", "checking")
    rt.settings.trust_max_shadow_kills = 3
    for day in range(7, 12):
        for k in range(4):
            if (day, k) == (9, 1):
                judge("kill", on(day), shadow="send", reason=reason)
            else:
                judge("approve", on(day), shadow="send" if k % 2 else "review")
    ev = evidence_of(rt)
    assert ev.restart == (
        "a would-send draft was killed for a critical reason on 2026-11-11: "
        "the clean week restarts from then"
    )
    assert (ev.reviews, ev.working_days) == (10, 3)


def test_status_says_what_was_killed_and_when_the_week_restarted(service, slack, http):
    rt = service.rt
    judge = Judge(rt)
    for k in range(4):  # Monday: 2 of 4 the gate would send
        judge("approve", on(0), shadow="send" if k % 2 else "review")
    judge("kill", on(2), shadow="send", reason="off_brand")  # Wednesday 2026-11-04
    for day in (2, 3):  # Wednesday afternoon and Thursday
        for k in range(4):
            judge("approve", on(day, hour=15), shadow="send" if k % 2 else "review")
    text = slash(http, OWNER, f"status {AGENT}")
    assert (
        "toward supervised: 8/20 reviewed drafts, 2/5 working days, 4/10 drafts the gate "
        "would send, 0 of those killed (at most 0)"
    ) in text
    # Since it went on probation the kill still shows: 13 verdicts, 7 would-send, 1 killed.
    assert "if promoted today: would auto-send 54% of drafts; of those, 1 of 7 were killed" in (
        text
    )
    assert (
        "a would-send draft was killed on 2026-11-04: the clean week restarts from then; "
        "needs 12 more reviewed drafts, needs 3 more working days, "
        "needs 6 more drafts the gate would send"
    ) in text


def test_kills_of_drafts_the_gate_held_never_demote_a_supervised_agent(rt):
    judge = Judge(rt)
    promote(judge)
    for i, reason in enumerate(trust.CRITICAL * 3 + ("off_brand",)):  # 10 of the last 20
        judge("kill", on(7, hour=9 + i % 8), shadow="review", reason=reason, gate_reasons=HELD)
    assert state_of(rt).trust == "supervised"
    assert not events(rt, "trust.demoted")
    # TWOLOOP_PROMOTION_RULE=kill_rate keeps the older rule: any critical kill demotes.
    rt.settings.promotion_rule = "kill_rate"
    judge("kill", on(8), shadow="review", reason="wrong_account", gate_reasons=HELD)
    state = state_of(rt)
    assert state.trust == "probation"
    assert state.trust_reason.startswith("critical kill (wrong account) of draft ")
    assert "gate would have sent" not in state.trust_reason


@pytest.mark.parametrize("reason", trust.CRITICAL)
def test_a_critical_kill_of_an_audited_would_send_draft_demotes(rt, reason):
    judge = Judge(rt)
    promote(judge)
    judge("kill", on(7), shadow="send", reason="off_brand", gate_reasons=AUDIT)  # not critical
    assert state_of(rt).trust == "supervised"
    judge("kill", on(7), shadow="send", reason=reason, gate_reasons=AUDIT)
    state = state_of(rt)
    assert (state.trust, state.trust_set_by) == ("probation", "system")
    assert f"critical kill ({reason.replace('_', ' ')}) of draft " in state.trust_reason
    assert state.trust_reason.endswith(", which the gate would have sent")
    [demoted] = events(rt, "trust.demoted")
    assert (demoted.detail["before"], demoted.detail["after"]) == ("supervised", "probation")


def test_the_would_send_kill_rate_demotes_and_held_verdicts_do_not_dilute_it(rt):
    judge = Judge(rt)
    promote(judge)  # 10 would-send approvals so far
    for i in range(10):  # 5 kills of 20 would-send verdicts: 25%, not over
        judge("kill" if i % 2 else "approve", on(7), shadow="send", gate_reasons=AUDIT)
    for _ in range(20):  # approvals of held drafts change nothing in that measure
        judge("approve", on(8), shadow="review", gate_reasons=HELD)
    assert state_of(rt).trust == "supervised"
    judge("kill", on(9), shadow="send", reason="bad_timing", gate_reasons=AUDIT)
    state = state_of(rt)
    assert state.trust == "probation"
    assert state.trust_reason == (
        "6 of the last 20 drafts the gate would have sent killed (30%, limit 25%)"
    )
    detail = events(rt, "trust.demoted")[-1].detail
    assert (detail["kills"], detail["window"]) == (6, 20)


def test_promotion_waits_while_the_would_send_kill_rate_is_over_the_demotion_rate(rt):
    judge = Judge(rt)
    for _ in range(6):  # Monday: six would-send drafts killed
        judge("kill", on(0), shadow="send", reason="off_brand")
    for day in range(1, 6):  # Tuesday to the next Monday (Saturday is no working day)
        for k in range(4):
            judge("approve", on(day + (day == 5) * 2), shadow="send" if k % 2 else "review")
    ev = evidence_of(rt)
    assert (ev.reviews, ev.working_days, ev.shadow_sends, ev.shadow_kills) == (20, 5, 10, 0)
    assert ev.missing == (
        "at most 25% of its last 16 verdicts on would-send drafts killed (now 6)",
    )
    assert state_of(rt).trust == "probation"
    for _ in range(4):  # the last 20 would-send verdicts: 6 kills, 14 approvals (30%)
        judge("approve", on(8), shadow="send")
    assert state_of(rt).trust == "probation"
    judge("approve", on(8), shadow="send")  # 5 kills, 15 approvals: 25%, not over
    assert state_of(rt).trust == "supervised"


def test_the_no_path_flag_names_the_kills_that_keep_restarting_the_week(rt):
    judge = Judge(rt)
    for k in range(4):  # Monday: 2 of 4 the gate would send
        judge("approve", on(0), shadow="send" if k % 2 else "review")
    judge("kill", on(2), shadow="send", reason="wrong_account")  # Wednesday 2026-11-04
    judge("approve", on(3), shadow="review")
    rt.clock = lambda: on(30, hour=9)
    [flag] = [f for f in no_path.sweep(rt) if f.agent_id == AGENT]
    assert flag.why[0] == (
        "1 of 3 drafts it would have sent was killed (wrong account 1); a would-send draft "
        "was killed on 2026-11-04: the clean week restarts from then"
    )
    assert "reviews on only 1 working days" in flag.why
