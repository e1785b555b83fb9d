"""A captured signed `/twoloop` request replayed within the signature's five minutes is
answered but not applied again, on any replica (the request is recorded in the database)."""

from __future__ import annotations

import time
from types import SimpleNamespace

from sqlmodel import select

from bot.runtime import Runtime
from handlers.commands import REPEATED, run_command
from handlers.redelivery import command_key
from storage.models import AgentState, AuditEvent
from tests.conftest import OPERATOR, make_settings
from tests.fakes.slack_requests import sign, slash_command, wait_for

REVIEWS = "C0REVIEWS01"  # data-platform's channel: where its owner is told


def events(rt, action: str) -> list[AuditEvent]:
    with rt.db.session() as s:
        return list(s.exec(select(AuditEvent).where(AuditEvent.action == action)))


def notices(slack) -> list[str]:
    return [c.args["text"] for c in slack.of("chat.postMessage") if c.args["channel"] == REVIEWS]


def test_a_replayed_pause_is_applied_once(service, slack, http):
    body = slash_command(OPERATOR, "pause data-platform bounce spike", "C0OPS")
    headers = sign(body)
    first = http.post("/slack/events", content=body, headers=headers)
    again = http.post("/slack/events", content=body, headers=headers)
    assert first.status_code == again.status_code == 200
    assert "Paused `data-platform`" in first.json()["text"]
    assert again.json()["text"] == REPEATED
    wait_for(lambda: notices(slack), what="the owner's notice")
    time.sleep(0.3)
    assert len(events(service.rt, "agent.paused")) == 1
    assert len(notices(slack)) == 1

    # The same words typed again are a new request (a new signature): carried out as asked.
    answer = http.post(
        "/slack/events",
        content=(body2 := slash_command(OPERATOR, "pause data-platform bounce spike", "C0OPS")),
        headers=sign(body2),
    )
    assert "already paused" in answer.json()["text"]


def test_a_replayed_resume_is_not_applied_after_a_later_pause(service, slack, http):
    """Replaying a captured `resume` must not undo a pause made after it."""
    resume = slash_command(OPERATOR, "resume data-platform", "C0OPS")
    pause = slash_command(OPERATOR, "pause data-platform hold", "C0OPS")
    signed_resume = sign(resume)
    http.post("/slack/events", content=pause, headers=sign(pause))
    http.post("/slack/events", content=resume, headers=signed_resume)
    http.post("/slack/events", content=pause, headers=sign(pause, timestamp=int(time.time()) + 1))
    replay = http.post("/slack/events", content=resume, headers=signed_resume)
    assert replay.json()["text"] == REPEATED
    with service.rt.db.session() as s:
        assert s.get(AgentState, "data-platform").paused
    assert len(events(service.rt, "agent.resumed")) == 1


def test_a_replay_to_another_replica_is_not_applied_either(service, slack, http, home, db_url):
    body = slash_command(OPERATOR, "set data-platform daily_cap 7", "C0OPS")
    headers = sign(body)
    assert "*7*" in http.post("/slack/events", content=body, headers=headers).json()["text"]

    # What the other replica's Bolt request carries: the same signature and timestamp.
    replayed = SimpleNamespace(headers={k.lower(): [v] for k, v in headers.items()})
    other = Runtime(make_settings(home, db_url))
    try:
        again = run_command(
            other, OPERATOR, "set data-platform daily_cap 9", once=command_key(replayed)
        )
    finally:
        other.db.dispose()
    assert again == {"text": REPEATED}
    assert len(events(service.rt, "agent.set")) == 1
