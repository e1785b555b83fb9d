"""`/twoloop` as Slack sends it: signed slash commands to the running app, answered in an
ephemeral; changes by operators only, audited with before and after, live at the next tick."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.agent import loop
from bot.ports import Notice
from bot.reports import status
from storage import prospects
from storage.models import AgentState, AuditEvent, Draft
from tests.conftest import OPERATOR, approve_plays
from tests.fakes.slack_requests import post_signed, slash_command
from tests.slack.test_slack_http import wait_for

AM = "U0AMDANA01"  # owns data-platform (channel C0REVIEWS01)
OTHER_AM = "U0AMLEO002"  # owns security-expansion
STRANGER = "U0STRANGER9"
FAILED = "Something went wrong; the operators can find it in the logs."


def slash(http, user: str, text: str) -> str:
    body = slash_command(user, text, "C0OPS")
    resp = post_signed(http, "/slack/events", body)
    assert resp.status_code == 200
    answer = resp.json()
    assert answer["response_type"] == "ephemeral"
    return answer["text"]


def state(service, agent_id: str) -> AgentState:
    with service.rt.db.session() as s:
        return s.get(AgentState, agent_id)


def events(service, action: str) -> list[AuditEvent]:
    with service.rt.db.session() as s:
        q = select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        return list(s.exec(q))


def outcomes(service, agent_id: str) -> dict[str, int]:
    with service.rt.db.session() as s:
        rows = s.exec(select(Draft.gate_outcome).where(Draft.agent_id == agent_id)).all()
    return {o: rows.count(o) for o in set(rows)}


def posts_to(slack, channel: str) -> list[str]:
    return [c.args["text"] for c in slack.of("chat.postMessage") if c.args["channel"] == channel]


def test_everyone_reads_status_and_queue(service, slack, http):
    approve_plays(service.rt)
    loop.tick(service.rt)
    for user in (OPERATOR, AM, STRANGER):
        fleet = slash(http, user, "status")
        assert "data-platform" in fleet and "security-expansion" in fleet
        assert "probation" in fleet
    one = slash(http, AM, "status data-platform")
    assert "personalization 0.7" in one and "daily_cap 25" in one
    assert "toward supervised: 0/20" in one and "*State*: active" in one
    assert "Open reviews*: 4" in one
    mine = slash(http, AM, "queue")
    assert "4 open reviews" in mine and "Security" not in mine
    everything = slash(http, OPERATOR, "queue")
    assert "7 open reviews" in everything
    assert "Usage: `/twoloop status [agent]`" in slash(http, AM, "status a b")


def test_operator_pause_and_resume_take_effect_and_are_audited(service, slack, http):
    approve_plays(service.rt)
    text = slash(http, OPERATOR, "pause data-platform bounce spike on the new domain")
    assert "Paused `data-platform`: bounce spike on the new domain" in text
    st = state(service, "data-platform")
    assert st.paused and st.paused_by == OPERATOR
    assert st.paused_reason == "bounce spike on the new domain"
    [ev] = events(service, "agent.paused")
    assert ev.actor == f"user:{OPERATOR}" and ev.agent_id == "data-platform"
    assert ev.detail["before"]["paused"] is False and ev.detail["after"]["paused"] is True
    notice = wait_for(lambda: posts_to(slack, "C0REVIEWS01"))
    assert f"<@{AM}>" in notice[0] and "paused by" in notice[0]
    fleet = slash(http, OPERATOR, "status")
    assert "PAUSED" in fleet and "bounce spike" in fleet
    assert "paused by <@U0OPERATOR1>" in slash(http, OPERATOR, "status data-platform")

    reports = {r.agent_id: r for r in loop.tick(service.rt)}
    assert reports["data-platform"].skipped.startswith("paused")
    assert reports["security-expansion"].drafted > 0
    assert "already paused" in slash(http, OPERATOR, "pause data-platform")

    text = slash(http, OPERATOR, "resume data-platform")
    assert "Resumed `data-platform`" in text and "guard" not in text
    [ev] = events(service, "agent.resumed")
    assert ev.detail["before"]["paused"] is True and ev.detail["after"]["paused"] is False
    assert not state(service, "data-platform").paused
    assert loop.tick(service.rt, "data-platform")[0].drafted > 0
    assert "is not paused" in slash(http, OPERATOR, "resume data-platform")


def test_pause_all_and_resume_all_leave_guard_pauses_to_a_person(service, slack, http):
    with service.rt.db.session() as s:
        prospects.set_agent_paused(s, "security-expansion", True, "bounce rate 9%", by="guard")
    text = slash(http, OPERATOR, "pause all quarter-end freeze")
    assert "Paused 1 agents (1 already paused)" in text
    assert state(service, "data-platform").paused
    text = slash(http, OPERATOR, "resume all")
    assert "Resumed 1 agents" in text and "`security-expansion` (bounce rate 9%)" in text
    assert not state(service, "data-platform").paused
    assert state(service, "security-expansion").paused
    text = slash(http, OPERATOR, "resume security-expansion")
    assert "deliverability guard (bounce rate 9%)" in text and "pauses it again" in text
    assert not state(service, "security-expansion").paused
    last = events(service, "agent.resumed")[-1]
    assert last.agent_id == "security-expansion" and last.detail["cleared_guard_pause"] is True


@pytest.mark.parametrize("user", [AM, STRANGER])
def test_only_operators_change_anything_and_refusals_are_audited(service, slack, http, user):
    for command in (
        "pause data-platform",
        "pause all",
        "resume data-platform",
        "set data-platform daily_cap 0",
        "trust data-platform supervised",
    ):
        text = slash(http, user, command)
        verb = command.split()[0]
        assert text.startswith(f"Only operators can `{verb}`") and f"<@{OPERATOR}>" in text
    st = state(service, "data-platform")
    assert st is None or (not st.paused and st.overrides == {} and st.trust == "probation")
    refused = events(service, "command.refused")
    assert len(refused) == 5 and {e.actor for e in refused} == {f"user:{user}"}
    assert refused[0].agent_id == "data-platform" and refused[0].detail["text"] == (
        "pause data-platform"
    )


def test_an_override_changes_the_next_ticks_gate_and_default_reverts(service, slack, http):
    rt = service.rt
    assert "*supervised*" in slash(http, OPERATOR, "trust data-platform supervised")
    slash(http, OPERATOR, "set data-platform audit_rate 0")  # no random audit samples
    slash(http, OPERATOR, "set data-platform second_check 0")  # no trained model here: off
    text = slash(http, OPERATOR, "set data-platform personalization 0.8")
    assert "0.7 → *0.8*" in text
    [ev] = [e for e in events(service, "agent.set") if e.detail["setting"] == "personalization"]
    assert ev.agent_id == "data-platform" and ev.actor == f"user:{OPERATOR}"
    assert (ev.detail["before"], ev.detail["after"], ev.detail["file"]) == (0.7, 0.8, 0.7)
    one = slash(http, OPERATOR, "status data-platform")
    assert "personalization 0.8 (override, file: 0.7)" in one
    assert "audit_rate 0 (override, file: 0.05)" in one
    assert "personalization=0.8" in slash(http, OPERATOR, "status")

    approve_plays(rt)
    loop.tick(rt)
    # Drafts scoring 0.75 would be reviewed under the file's 0.7; under 0.8 they are sent.
    got = outcomes(service, "data-platform")
    assert got.get("send", 0) >= 2 and got.get("review", 0) <= 1
    with rt.db.session() as s:
        sent = s.exec(select(Draft).where(Draft.gate_outcome == "send")).all()
    assert all(d.explain["personalization_threshold"] == 0.8 for d in sent)
    # The other agent keeps its file's thresholds, and nothing of it goes out unreviewed. One
    # of its drafts may stop as recently touched: data-platform's sends can reach a shared
    # account first (the outbox worker sends while the tick goes on).
    with rt.db.session() as s:
        theirs = s.exec(select(Draft).where(Draft.agent_id == "security-expansion")).all()
    assert theirs and {d.gate_outcome for d in theirs} <= {"review", "stop"}
    for d in theirs:
        if d.gate_outcome == "stop":
            assert {r["code"] for r in d.gate_reasons} == {"recently_touched"}
        else:
            assert d.explain["personalization_threshold"] == 0.75

    text = slash(http, OPERATOR, "set data-platform personalization default")
    assert "back to the file's 0.7 (the override was 0.8)" in text
    assert state(service, "data-platform").overrides == {"audit_rate": 0, "second_check": 0}
    last = events(service, "agent.set")[-1]
    assert (last.detail["before"], last.detail["after"]) == (0.8, 0.7)
    assert last.detail["override_after"] is None
    assert "nothing changed" in slash(http, OPERATOR, "set data-platform personalization default")


def test_daily_cap_override_stops_the_next_tick_and_default_lets_it_run(service, slack, http):
    rt = service.rt
    approve_plays(rt)
    slash(http, OPERATOR, "set data-platform daily_cap 0")
    [report] = loop.tick(rt, "data-platform")
    assert report.skipped == "daily cap reached; waits for tomorrow" and report.drafted == 0
    slash(http, OPERATOR, "set data-platform daily_cap default")
    assert loop.tick(rt, "data-platform")[0].drafted > 0


def test_trust_command_sets_audits_and_tells_the_owner(service, slack, http):
    text = slash(http, OPERATOR, "trust data-platform supervised clean month")
    assert "probation → *supervised*" in text
    st = state(service, "data-platform")
    assert (st.trust, st.trust_set_by, st.trust_reason) == ("supervised", OPERATOR, "clean month")
    [ev] = events(service, "trust.promoted")
    assert (ev.detail["before"], ev.detail["after"]) == ("probation", "supervised")
    notice = wait_for(lambda: posts_to(slack, "C0REVIEWS01"))
    assert "*supervised*" in notice[0] and f"<@{AM}>" in notice[0]
    text = slash(http, OPERATOR, "trust data-platform probation")
    assert "the rules will not promote it" in text
    assert "held on probation by hand" in slash(http, OPERATOR, "status data-platform")


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("pause", "Usage: `/twoloop pause <agent|all> [reason]`"),
        ("resume", "Usage: `/twoloop resume <agent|all>`"),
        ("resume a b", "Usage: `/twoloop resume <agent|all>`"),
        ("set data-platform daily_cap", "Usage: `/twoloop set <agent>"),
        ("trust data-platform", "Usage: `/twoloop trust <agent> <probation|supervised>"),
        ("queue everything", "Usage: `/twoloop queue`"),
        ("digest now please", "Usage: `/twoloop digest`"),
        ("set data-platform personalization 1.5", "personalization must be a number from 0 to 1"),
        ("set data-platform daily_cap -1", "daily_cap must be a whole number &gt;= 0"),
        ("set data-platform daily_cap 2.5", "daily_cap must be a whole number &gt;= 0"),
        ("set data-platform confidence nan", "confidence must be a number from 0 to 1"),
        ("set data-platform tone warm", "Cannot set `tone`; settable: personalization"),
        ("trust data-platform trusted", "Trust is `probation` or `supervised`"),
        ("pause data-platfrom", "No agent named `data-platfrom`. Did you mean `data-platform`?"),
        ("status nobody-like-this", "No agent named `nobody-like-this`. Agents: `data-platform`"),
        ("frobnicate", "Unknown command `frobnicate`."),
    ],
)
def test_a_wrong_command_gets_a_usage_line(service, slack, http, command, expected):
    text = slash(http, OPERATOR, command)
    assert text.startswith(expected) or expected in text
    assert "Traceback" not in text
    st = state(service, "data-platform")
    assert st is None or (not st.paused and st.overrides == {})


def test_a_failure_answers_without_a_stack_trace(service, slack, http, monkeypatch, caplog):
    def broken(rt):
        raise RuntimeError("database on fire")

    monkeypatch.setattr(status, "fleet", broken)
    text = slash(http, OPERATOR, "status")
    assert text == FAILED
    assert "database on fire" in caplog.text  # the operators' log has it


def test_digest_command_reaches_the_digest(service, slack, http, monkeypatch):
    digest = pytest.importorskip("bot.reports.digest")
    asked = []

    def post_now(rt, requested_by):
        asked.append(requested_by)
        return Notice.of("Posted the digest of your agents.")

    monkeypatch.setattr(digest, "post_now", post_now)
    text = slash(http, AM, "digest")
    assert text.startswith("Posting the digest")
    wait_for(lambda: asked == [AM])
    told = wait_for(lambda: [c for c in slack.of("chat.postEphemeral") if c.args.get("user") == AM])
    assert told[0].args["text"] == "Posted the digest of your agents."
