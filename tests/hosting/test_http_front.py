"""The HTTP front `serve` runs (handlers/hosting/asgi.py): body limits on every path, clicks that do
not queue behind a slow command, a clear error for a port in use, and answers for requests
in flight when the service stops."""

from __future__ import annotations

import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlmodel import select

from bot.agent import loop
from bot.review import lifecycle as reviews
from bot.settings import SettingsError
from handlers.hosting.ack_first import AckFirst
from handlers.hosting.serve import Service
from handlers.hosting.web import MAX_BODY
from handlers.listeners import commands as command_listener
from storage.models import Decision, Review
from tests.conftest import OPERATOR, SIGNALS_TOKEN, approve_plays, make_settings
from tests.fakes.slack_requests import (
    SIGNING_SECRET,
    block_action,
    interaction_body,
    post_signed,
    sign,
    slash_command,
)


@pytest.fixture
def stuck_command(monkeypatch):
    """`/twoloop` answers stay inside their database read until `release` is set."""
    entered, release = threading.Event(), threading.Event()
    real = command_listener.run_command

    def slow(*args, **kwargs):
        entered.set()
        release.wait(20)
        return real(*args, **kwargs)

    monkeypatch.setattr(command_listener, "run_command", slow)
    yield entered, release
    release.set()


def http_mode(home, db_url, slack):
    return make_settings(
        home,
        db_url,
        SLACK_BOT_TOKEN="xoxb-t",
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=slack.url,
    )


def chunks(body: bytes, size: int = 64 * 1024):
    """A body sent with Transfer-Encoding: chunked: no Content-Length to refuse it by."""
    for i in range(0, len(body), size):
        yield body[i : i + size]


def test_a_chunked_body_over_the_limit_is_refused_on_every_path(service, http):
    big = b"x" * (MAX_BODY + 1)
    slack = http.post("/slack/events", content=chunks(big), headers=sign(big.decode()))
    assert slack.status_code == 413
    assert str(MAX_BODY) in slack.json()["error"]
    hook = http.post(
        "/signals",
        content=chunks(big),
        headers={"Authorization": f"Bearer {SIGNALS_TOKEN}", "Content-Type": "application/json"},
    )
    assert hook.status_code == 413


def test_a_chunked_body_under_the_limit_reaches_the_app(service, http):
    body = b'{"signals": []}'
    resp = http.post(
        "/signals",
        content=chunks(body, 4),
        headers={"Authorization": f"Bearer {SIGNALS_TOKEN}", "Content-Type": "application/json"},
    )
    assert resp.status_code in (200, 422), resp.text  # read whole: JSON parsed, not cut
    assert "must be JSON" not in resp.text


def test_slack_path_takes_posts_only(service, http):
    resp = http.get("/slack/events")
    assert resp.status_code == 405
    assert resp.headers["allow"] == "POST"


def test_a_click_is_acked_while_a_slash_command_waits_on_the_database(service, http, stuck_command):
    approve_plays(service.rt)
    loop.tick(service.rt)
    reviews.post_pending(service.rt)
    with service.rt.db.session() as s:
        review = s.exec(select(Review).where(Review.status == "open")).first()
    entered, release = stuck_command
    with ThreadPoolExecutor(1) as pool, httpx.Client(base_url=service.url, timeout=30) as other:
        command = pool.submit(
            post_signed, other, "/slack/events", slash_command(OPERATOR, "status", "C0OPS")
        )
        assert entered.wait(10)
        click = block_action(review.owner, "review_approve", f"{review.id}:{review.content_hash}")
        assert post_signed(http, "/slack/events", interaction_body(click)).status_code == 200
        assert not command.done()  # the command is still waiting, the click was answered
        release.set()
        answer = command.result(timeout=20)
    assert answer.status_code == 200 and answer.json()["text"]
    service.work.jobs.shutdown()
    with service.rt.db.session() as s:
        assert s.exec(select(Decision).where(Decision.review_id == review.id)).first()


def test_a_port_in_use_is_named(home, db_url, slack):
    settings = http_mode(home, db_url, slack)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(SettingsError, match=f"--port: cannot listen on 127.0.0.1:{port}"):
            Service(settings, port=port, scheduler=False)


def test_a_request_in_flight_gets_its_answer_when_the_service_stops(
    home, db_url, slack, stuck_command
):
    settings = http_mode(home, db_url, slack)
    svc = Service(settings, port=0, scheduler=False)
    svc.start()
    address = svc.socket.getsockname()[:2]
    entered, release = stuck_command
    with ThreadPoolExecutor(2) as pool, httpx.Client(base_url=svc.url, timeout=30) as client:
        command = pool.submit(
            post_signed, client, "/slack/events", slash_command(OPERATOR, "help", "C0OPS")
        )
        assert entered.wait(10)
        stopped = pool.submit(svc.stop)
        # Once stopping, the port takes no new connection...
        refused = False
        for _ in range(200):
            try:
                socket.create_connection(address, timeout=1).close()
            except OSError:
                refused = True
                break
            threading.Event().wait(0.02)
        assert refused
        release.set()
        # ...and the request it had already taken is answered before it closes.
        answer = command.result(timeout=20)
        assert answer.status_code == 200 and "twoloop" in answer.json()["text"].lower()
        assert stopped.result(timeout=40)["clean"]


def test_background_work_waits_for_acks_but_not_forever():
    first = AckFirst(max_wait=0.2, quiet=0.02, poll=0.001)
    start = time.monotonic()
    first.wait()  # nothing answered yet: no wait
    assert time.monotonic() - start < first.quiet
    first.answered()
    answered_at = time.monotonic()
    first.wait()  # returns once the loop has been quiet for `quiet`
    assert time.monotonic() - answered_at >= first.quiet

    stop = threading.Event()

    def busy_loop():  # acks keep coming: work still starts after max_wait
        while not stop.is_set():
            first.answered()
            time.sleep(0.001)

    acks = threading.Thread(target=busy_loop)
    acks.start()
    try:
        start = time.monotonic()
        first.wait(at_most=0.1)
        waited = time.monotonic() - start
    finally:
        stop.set()
        acks.join()
    assert waited >= 0.1
