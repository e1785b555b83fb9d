"""Promotion by a clean week (shadow evaluation): enough verdicts on enough working days, enough
drafts the gate would have sent on its own, and none of those killed; what `/twoloop status
AGENT` shows of it; and the operator's flag for an agent with no path to promotion."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from bot.agent import loop
from bot.decisions import Action, Request, decide
from bot.ops import scheduler as scheduling
from bot.review import control, no_path, trust
from bot.review import lifecycle as reviews
from bot.runtime import Runtime
from storage.models import AgentState, AuditEvent, Draft
from tests.conftest import OPERATOR, approve_plays, running_service, serve_settings
from tests.slack.test_commands import slash

AGENT = "data-platform"  # Europe/London, owner U0AMDANA01
OWNER = "U0AMDANA01"
MONDAY = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
OPS = "C0OPSROOM1"


def on(day: int, hour: int = 12) -> datetime:
    """A time `day` days after MONDAY (0 is Monday, 5 Saturday, 7 the next Monday)."""
    return MONDAY + timedelta(days=day, hours=hour - 12)


class Judge:
    """Drafts with a chosen shadow outcome, each reviewed and decided at a given time on the
    runtime's injected clock, through the real decision path."""

    def __init__(self, rt: Runtime, start: datetime | None = None):
        rt.clock = lambda: start or on(0, 8)
        approve_plays(rt)
        loop.tick(rt)
        with rt.db.session() as s:
            q = select(Draft).where(Draft.agent_id == AGENT, Draft.status == "review")
            self.template = s.exec(q).first()
        assert self.template is not None
        self.rt, self.spec, self.n = rt, rt.fleet().agents[AGENT].spec, 0

    def __call__(
        self,
        action: str,
        at: datetime,
        shadow: str = "review",
        reason: str = "off_brand",
        gate_reasons: list[dict] | None = None,
    ) -> None:
        self.n += 1
        at = at + timedelta(seconds=self.n)  # one after another, in order
        self.rt.clock = lambda: at
        with self.rt.db.session() as s:
            draft = Draft(
                **self.template.model_dump(
                    exclude={"id", "trigger_key", "created_at", "updated_at", "shadow"}
                    | ({"gate_reasons"} if gate_reasons is not None else set())
                ),
                **({"gate_reasons": gate_reasons} if gate_reasons is not None else {}),
                trigger_key=f"clean-week-{self.n}",
                shadow=shadow,
                created_at=at,
                updated_at=at,
            )
            s.add(draft)
            s.flush()
            review_id = reviews.open_draft_review(self.rt, s, draft, self.spec, at).id
        kw: dict = {"reason_code": reason} if action == "kill" else {}
        result = decide(self.rt, Request(review_id, OWNER, Action(action), **kw))
        assert result.status == "decided", result


def state_of(rt: Runtime) -> AgentState:
    with rt.db.session() as s:
        return s.get_one(AgentState, AGENT)


def evidence_of(rt: Runtime) -> trust.Evidence:
    with rt.db.session() as s:
        return trust.evidence(rt, s, state_of(rt))


def events(rt: Runtime, action: str) -> list[AuditEvent]:
    with rt.db.session() as s:
        q = select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        return list(s.exec(q))


def test_promoted_after_a_clean_week_of_working_days_and_not_before(rt):
    judge = Judge(rt)
    # Thursday to Tuesday: six days with verdicts, but the weekend is no working day.
    for day in (3, 4, 5, 6, 7, 8):
        for k in range(5):
            judge("approve", on(day), shadow="send" if k % 2 else "review")
    assert state_of(rt).trust == "probation"
    assert not events(rt, "trust.promoted")
    ev = evidence_of(rt)
    assert (ev.reviews, ev.days, ev.working_days, ev.shadow_sends) == (30, 6, 4, 12)
    assert ev.missing == ("1 more working day",) and not ev.blocked
    judge("approve", on(9))  # Wednesday: the fifth working day
    state = state_of(rt)
    assert (state.trust, state.trust_set_by) == ("supervised", "system")
    assert "31 reviewed drafts over 5 working days" in state.trust_reason
    assert "would have sent 12 of them on its own (39%) and 0 of those were killed" in (
        state.trust_reason
    )
    [event] = events(rt, "trust.promoted")
    assert event.detail["rule"] == "clean_week" and event.detail["shadow_kills"] == 0


def test_working_days_are_counted_in_the_agents_time_zone(rt, home):
    path = home / "agents" / f"{AGENT}.md"
    path.write_text(
        path.read_text().replace("timezone: Europe/London", "timezone: Pacific/Auckland")
    )
    judge = Judge(rt)
    judge("approve", on(4, hour=13))  # Friday 13:00 UTC is Saturday 02:00 in Auckland
    judge("approve", on(6, hour=13))  # Sunday 13:00 UTC is Monday 02:00 in Auckland
    ev = evidence_of(rt)
    assert (ev.days, ev.working_days) == (2, 1)


def test_a_killed_draft_the_gate_would_send_restarts_the_week_unless_allowed(rt):
    judge = Judge(rt)
    for day in range(5):  # Monday to Friday, 25 verdicts, 13 the gate would have sent
        for k in range(5):
            shadow = "send" if (day * 5 + k) % 2 else "review"
            if (day, k) == (1, 1):
                judge("kill", on(day), shadow="send", reason="off_brand")
            elif (day, k) == (2, 0):
                judge("kill", on(day), shadow="review", reason="bad_timing")  # the gate asked
            else:
                judge("approve", on(day), shadow=shadow)
    state = state_of(rt)
    assert state.trust == "probation" and state.trust_changed_at is None
    assert not events(rt, "trust.promoted") and not events(rt, "trust.demoted")
    ev = evidence_of(rt)  # the clean week restarted on Tuesday, after the kill
    assert (ev.reviews, ev.working_days, ev.shadow_sends, ev.shadow_kills) == (18, 4, 9, 0)
    assert ev.restart == (
        "a would-send draft was killed on 2026-11-03: the clean week restarts from then"
    )
    assert ev.missing == (
        "2 more reviewed drafts",
        "1 more working day",
        "1 more draft the gate would send",
    )
    assert not ev.blocked
    rt.settings.trust_max_shadow_kills = 1  # an operator who allows one: the stretch stands
    ev = evidence_of(rt)
    assert (ev.reviews, ev.working_days, ev.shadow_sends, ev.shadow_kills) == (25, 5, 13, 1)
    assert ev.restart == "" and ev.promotable
    judge("approve", on(4), shadow="send")
    assert state_of(rt).trust == "supervised"
    assert "26 reviewed drafts over 5 working days" in state_of(rt).trust_reason
    assert "14 of them on its own (54%) and 1 of those were killed" in state_of(rt).trust_reason


def test_the_kill_rate_rule_still_works_when_chosen(rt):
    judge = Judge(rt)
    for i in range(20):  # nothing the gate would send alone, 2 of 20 killed, over 5 days
        judge("kill" if i in (4, 13) else "approve", on(i % 5), shadow="review")
    assert state_of(rt).trust == "probation"
    assert evidence_of(rt).missing == ("10 more drafts the gate would send",)
    rt.settings.promotion_rule = "kill_rate"
    judge("approve", on(5))
    state = state_of(rt)
    assert state.trust == "supervised"
    assert "21 reviewed drafts over 6 days, 10% killed, no critical kill" in state.trust_reason
    assert events(rt, "trust.promoted")[-1].detail["rule"] == "kill_rate"


def test_status_shows_what_the_gate_would_send_and_what_is_missing(service, slack, http):
    rt = service.rt
    judge = Judge(rt)
    for i in range(25):  # Monday to Wednesday; 16 the gate would send, none of those killed
        if i == 20:
            judge("kill", on(i // 9), shadow="review", reason="bad_timing")
        else:
            judge("approve", on(i // 9), shadow="send" if i < 16 else "review")
    text = slash(http, OWNER, f"status {AGENT}")
    assert (
        "toward supervised: 25/20 reviewed drafts, 3/5 working days, 16/10 drafts the gate "
        "would send, 0 of those killed (at most 0)"
    ) in text
    assert "if promoted today: would auto-send 64% of drafts; of those, 0 of 16 were killed" in (
        text
    )
    assert "needs 2 more working days" in text and "blocked" not in text
    # A supervised agent shows the same numbers over its last 30 days of reviewed drafts.
    assert "Trust set" not in slash(http, OPERATOR, f"trust {AGENT} supervised")
    text = slash(http, OWNER, f"status {AGENT}")
    assert (
        "last 30 days of reviewed drafts: would auto-send 64% of drafts; of those, 0 of 16 "
        "were killed"
    ) in text
    assert "if promoted today" not in text and "needs " not in text


SECOND = {"code": "second_check", "text": "second check 0.41 below threshold 0.90 (from 9)"}
PERSONAL = {"code": "personalization", "text": "personalization 0.80 above threshold 0.70"}
PROBATION = {"code": "probation", "text": "agent is on probation: every draft is reviewed"}


def test_an_agent_with_no_path_to_promotion_is_flagged_once_with_why(home, db_url, slack):
    settings = serve_settings(home, db_url, slack, TWOLOOP_OPERATOR_CHANNEL=OPS)
    with running_service(settings) as svc:
        rt = svc.rt
        judge = Judge(rt)  # the first drafts: Monday 08:00
        for i in range(25):  # 5 working days, only one draft the gate would send
            reasons = (
                [PROBATION] + ([SECOND] if i < 22 else []) + ([PERSONAL] if 14 <= i < 24 else [])
            )
            judge(
                "approve", on(i % 5), shadow="send" if i == 24 else "review", gate_reasons=reasons
            )

        def flags() -> list[str]:
            return [
                c.args["text"]
                for c in slack.of("chat.postMessage")
                if c.args["channel"] == OPS and "no path to promotion" in c.args["text"]
            ]

        rt.clock = lambda: on(29, hour=20)  # 29.5 days: not yet
        assert no_path.sweep(rt) == [] and flags() == []
        rt.clock = lambda: on(30, hour=9)
        flagged = {f.agent_id: f for f in no_path.sweep(rt)}
        assert set(flagged) == {AGENT, "security-expansion"}
        assert flagged[AGENT].why == (
            "would auto-send only 4% of drafts: second check below 0.90 on 88% of them, "
            "personalization above 0.70 on 40%",
        )
        assert flagged["security-expansion"].why == (
            "no reviewed drafts: nobody decided its cards",
        )
        [mine] = [t for t in flags() if AGENT in t]
        assert f"<@{OWNER}>" in mine and "on probation for 30 days" in mine
        assert "would auto-send only 4% of drafts: second check below 0.90 on 88%" in mine
        assert len(flags()) == 2
        rt.clock = lambda: on(45)
        assert no_path.sweep(rt) == []  # once per period
        assert len(flags()) == 2
        assert len([e for e in events(rt, "trust.no_path") if e.agent_id == AGENT]) == 1
        rt.clock = lambda: on(60, hour=10)  # the next period: flagged again
        assert {f.agent_id for f in no_path.sweep(rt)} == {AGENT, "security-expansion"}
        assert len(flags()) == 4


@pytest.mark.parametrize("level", ["supervised", "held"])
def test_no_flag_for_a_trusted_agent_or_one_held_by_hand(rt, level):
    Judge(rt)
    control.set_trust(rt, OPERATOR, AGENT, "supervised", "")
    if level == "held":
        control.set_trust(rt, OPERATOR, AGENT, "probation", "tone drifted")
    rt.clock = lambda: on(90)
    assert AGENT not in {f.agent_id for f in no_path.sweep(rt)}


def test_the_scheduler_runs_the_no_path_check(rt):
    jobs = {j.id: j for j in scheduling.build(rt).get_jobs()}
    assert jobs["trust-no-path"].func is no_path.sweep
