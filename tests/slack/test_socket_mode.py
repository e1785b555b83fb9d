"""Socket Mode, as Slack uses it: `serve` with SLACK_APP_TOKEN opens the WebSocket that
apps.connections.open names (tests/fakes/socket_mode.py), acks every envelope on it, and
does the same work as in HTTP mode: a click decides, a slash command answers in its ack, a
redelivered event is taken once."""

from __future__ import annotations

from urllib.parse import parse_qsl

import pytest
from sqlmodel import select

from bot.agent import loop
from bot.review import lifecycle as reviews
from handlers.hosting.serve import Service
from handlers.ids import APPROVE
from storage.models import Decision, Review
from tests.conftest import OPERATOR, approve_plays, make_settings
from tests.fakes.slack_requests import block_action, slash_command, wait_for
from tests.fakes.socket_mode import FakeSocketMode


@pytest.fixture
def socket_mode(slack):
    fake = FakeSocketMode()
    slack.socket_url = fake.url
    yield fake
    fake.close()


@pytest.fixture
def service(home, db_url, slack, socket_mode):
    from bot.intake.importer import load

    settings = make_settings(
        home,
        db_url,
        SLACK_BOT_TOKEN="xoxb-test-token",
        SLACK_APP_TOKEN="xapp-1-test-token",  # Socket Mode: no signing secret needed
        SLACK_API_URL=slack.url,
        TWOLOOP_SLACK_POST_INTERVAL="0",
    )
    svc = Service(settings, port=0, scheduler=False)
    load(svc.rt.db, sorted((home / "data").iterdir()))
    svc.start()
    socket_mode.connected()
    yield svc
    svc.stop()


def cards(service) -> list[Review]:
    approve_plays(service.rt)
    loop.tick(service.rt)
    reviews.post_pending(service.rt)
    with service.rt.db.session() as s:
        q = select(Review).where(Review.status == "open", Review.kind == "draft")
        return list(s.exec(q.order_by(Review.id)))


def test_serve_connects_over_the_socket_it_is_given(service, slack):
    [opened] = slack.of("apps.connections.open")
    assert opened.headers["Authorization"] == "Bearer xapp-1-test-token"  # the app token


def test_a_click_is_acked_on_the_socket_and_decided(service, slack, socket_mode):
    review = cards(service)[0]
    click = block_action(review.owner, APPROVE, f"{review.id}:{review.content_hash}")
    envelope = socket_mode.send("interactive", click)
    assert socket_mode.ack(envelope)["envelope_id"] == envelope
    wait_for(lambda: slack.of("chat.update"), what="the card updated")
    with service.rt.db.session() as s:
        assert s.get(Review, review.id).outcome == "approve"
        assert s.exec(select(Decision).where(Decision.review_id == review.id)).one().actor == (
            review.owner
        )


def test_a_slash_command_answers_in_its_ack(service, socket_mode):
    command = dict(parse_qsl(slash_command(OPERATOR, "status")))
    ack = socket_mode.ack(socket_mode.send("slash_commands", command))
    assert ack["payload"]["response_type"] == "ephemeral"
    assert "data-platform" in str(ack["payload"])  # the fleet status, agent by agent


def test_a_redelivered_event_is_acked_again_but_taken_once(service, slack, socket_mode):
    event = {
        "type": "event_callback",
        "team_id": "T0TEAM",
        "api_app_id": "A0APP",
        "event_id": "Ev0HOME1",
        "event_time": 1700000000,
        "event": {"type": "app_home_opened", "user": OPERATOR, "tab": "home"},
    }
    first = socket_mode.send("events_api", event)
    again = socket_mode.send("events_api", event, retry=1)
    assert socket_mode.ack(first) and socket_mode.ack(again)
    wait_for(lambda: slack.of("views.publish"), what="App Home published")
    service.work.jobs.shutdown()  # both deliveries' jobs have run
    assert len(slack.of("views.publish")) == 1
