"""Trust moves with AM verdicts: promotion after a clean stretch, demotion on a critical kill or
a rising kill rate; the owner is told and every change is audited."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from bot.agent import loop
from bot.decisions import Action, Request, decide
from bot.review import control
from bot.review import lifecycle as reviews
from storage.models import AgentState, AuditEvent, Draft
from tests.conftest import OPERATOR, approve_plays

AGENT = "data-platform"
OWNER = "U0AMDANA01"
CHANNEL = "C0REVIEWS01"
START = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)  # a Monday


@pytest.fixture(autouse=True)
def kill_rate_rule(rt):
    """These tests hold the older rule (TWOLOOP_PROMOTION_RULE=kill_rate), chosen by setting;
    the default clean week is tested in test_clean_week.py."""
    rt.settings.promotion_rule = "kill_rate"


@pytest.fixture
def judge(rt):
    """Open draft reviews on the agent and decide them, one verdict at a time, on given days."""
    approve_plays(rt)
    loop.tick(rt)
    with rt.db.session() as s:
        q = select(Draft).where(Draft.agent_id == AGENT, Draft.status == "review")
        template = s.exec(q).first()
    spec = rt.fleet().agents[AGENT].spec
    count = [0]

    def verdict(action: str, reason: str = "", day: int = 0) -> None:
        count[0] += 1
        at = START + timedelta(days=day, minutes=count[0])
        rt.clock = lambda: at
        with rt.db.session() as s:
            draft = Draft(
                **template.model_dump(exclude={"id", "trigger_key", "created_at", "updated_at"}),
                trigger_key=f"trust-test-{count[0]}",
                created_at=at,
                updated_at=at,
            )
            s.add(draft)
            s.flush()
            review_id = reviews.open_draft_review(rt, s, draft, spec, at).id
        kw = {}
        if action == "kill":
            kw = {"reason_code": reason or "off_brand"}
        if action == "edit":
            kw = {"subject": template.subject, "body": template.body + "\nBest,"}
        if action == "defer":
            kw = {"defer_until": (at + timedelta(days=3)).date()}
        result = decide(rt, Request(review_id, OWNER, Action(action), **kw))
        assert result.status == "decided", result

    return verdict


def trust_of(rt) -> AgentState:
    with rt.db.session() as s:
        return s.get(AgentState, AGENT)


def trust_events(rt) -> list[AuditEvent]:
    with rt.db.session() as s:
        q = select(AuditEvent).where(AuditEvent.action.startswith("trust."))
        return list(s.exec(q.order_by(AuditEvent.id)))


def promote(judge) -> None:
    for i in range(20):
        judge("approve", day=i % 5)


def test_promotion_after_20_reviews_over_5_days_not_before(rt, judge):
    for i in range(19):
        judge("approve" if i % 4 else "edit", day=i % 5)
    assert trust_of(rt).trust == "probation"
    assert not trust_events(rt)
    judge("approve", day=4)
    state = trust_of(rt)
    assert state.trust == "supervised" and state.trust_set_by == "system"
    assert "20 reviewed drafts over 5 days" in state.trust_reason
    [event] = trust_events(rt)
    assert event.action == "trust.promoted" and event.agent_id == AGENT
    assert event.actor == "system"
    assert (event.detail["before"], event.detail["after"]) == ("probation", "supervised")
    notes = [text for channel, text in rt.humans.notes if channel == CHANNEL]
    assert len(notes) == 1 and f"@{OWNER} " in notes[0] and "*supervised*" in notes[0]


def test_not_promoted_on_fewer_than_5_days(rt, judge):
    for i in range(30):
        judge("approve", day=i % 4)
    assert trust_of(rt).trust == "probation"


def test_kill_rate_over_10_percent_blocks_promotion_and_defers_do_not_count(rt, judge):
    for i in range(20):
        judge("kill" if i in (3, 9, 15) else "approve", day=i % 5)  # 15% killed
    assert trust_of(rt).trust == "probation"
    for _ in range(10):
        judge("defer", day=5)  # not a verdict on quality: changes nothing
    assert trust_of(rt).trust == "probation"
    for _ in range(9):
        judge("approve", day=5)  # 3 of 29: still over 10%
    assert trust_of(rt).trust == "probation"
    judge("approve", day=5)  # 3 of 30 = 10%
    assert trust_of(rt).trust == "supervised"


def test_critical_kill_demotes_and_restarts_the_stretch(rt, judge):
    promote(judge)
    assert trust_of(rt).trust == "supervised"
    judge("kill", "bad_timing", day=5)  # not critical, and 1 of the last 20: stays
    assert trust_of(rt).trust == "supervised"
    rt.humans.notes.clear()
    judge("kill", "factual_error", day=5)
    state = trust_of(rt)
    assert state.trust == "probation" and "critical kill (factual error)" in state.trust_reason
    demoted = trust_events(rt)[-1]
    assert demoted.action == "trust.demoted"
    assert (demoted.detail["before"], demoted.detail["after"]) == ("supervised", "probation")
    [(channel, text)] = rt.humans.notes
    assert channel == CHANNEL and "*probation*" in text and f"@{OWNER} " in text
    # The clean stretch starts again after the critical kill.
    for i in range(19):
        judge("approve", day=6 + i % 5)
    assert trust_of(rt).trust == "probation"
    judge("approve", day=10)
    assert trust_of(rt).trust == "supervised"


@pytest.mark.parametrize("reason", ["current_customer", "wrong_account"])
def test_every_critical_reason_demotes(rt, judge, reason):
    promote(judge)
    judge("kill", reason, day=5)
    assert trust_of(rt).trust == "probation"


def test_kill_rate_over_25_percent_in_last_20_demotes(rt, judge):
    promote(judge)
    for _ in range(5):
        judge("kill", "off_brand", day=5)  # 5 of the last 20: 25%, not over
    assert trust_of(rt).trust == "supervised"
    judge("kill", "bad_timing", day=5)  # 6 of 20: 30%
    state = trust_of(rt)
    assert state.trust == "probation"
    assert "6 of the last 20 drafts killed" in state.trust_reason
    assert [e.action for e in trust_events(rt)] == ["trust.promoted", "trust.demoted"]


def test_a_manual_demotion_holds_until_a_person_promotes(rt, judge):
    control.set_trust(rt, OPERATOR, AGENT, "supervised", "")
    assert trust_of(rt).trust == "supervised"
    control.set_trust(rt, OPERATOR, AGENT, "probation", "tone drifted")
    state = trust_of(rt)
    assert (state.trust, state.trust_set_by, state.trust_reason) == (
        "probation",
        OPERATOR,
        "tone drifted",
    )
    for i in range(30):
        judge("approve", day=i % 6)
    assert trust_of(rt).trust == "probation"  # the rules do not overrule the operator
    events = trust_events(rt)
    assert [e.actor for e in events] == [f"user:{OPERATOR}"] * 2
    assert events[-1].detail["reason"] == "tone drifted"
    control.set_trust(rt, OPERATOR, AGENT, "supervised", "")
    assert trust_of(rt).trust == "supervised"
    judge("kill", "wrong_account", day=7)  # a manual promotion still yields to the rules
    assert trust_of(rt).trust == "probation"


def test_the_gate_reviews_everything_on_probation_and_lets_supervised_agents_send(rt):
    """Same overrides on both agents (nothing over a threshold, no audit sample): the one on
    probation still has every draft reviewed; the supervised one sends."""
    for agent_id in (AGENT, "security-expansion"):
        for name, value in (
            ("personalization", "1"),
            ("confidence", "0"),
            ("audit_rate", "0"),
            ("second_check", "0"),  # off
        ):
            control.set_value(rt, OPERATOR, agent_id, name, value)
    control.set_trust(rt, OPERATOR, "security-expansion", "supervised", "")
    approve_plays(rt)
    loop.tick(rt)
    with rt.db.session() as s:
        drafts = s.exec(select(Draft).where(Draft.status != "stopped")).all()
    mine = [d for d in drafts if d.agent_id == AGENT]
    theirs = [d for d in drafts if d.agent_id == "security-expansion"]
    assert mine and all(d.gate_outcome == "review" for d in mine)
    assert all("probation" in {r["code"] for r in d.gate_reasons} for d in mine)
    clear = [d for d in theirs if not any(r["code"] == "relationship" for r in d.gate_reasons)]
    assert clear and all(d.gate_outcome == "send" for d in clear)
    assert not any(r["code"] == "probation" for d in theirs for r in d.gate_reasons)
