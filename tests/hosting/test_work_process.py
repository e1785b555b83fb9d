"""`serve` runs the work that follows an ack in a child process (handlers/hosting/work_process.py).
Real `twoloop serve` processes, on SQLite and PostgreSQL: clicks are decided there, a work
process that dies is started again, one whose serving process dies stops, and SIGTERM hands
every acked click over before the replica exits."""

from __future__ import annotations

import os
import signal
from collections import Counter
from pathlib import Path

import httpx
import pytest

from handlers.ids import APPROVE
from storage.models import OutboxMessage, Review
from tests.conftest import PROCESSES, child_time
from tests.fakes.replicas import START_TIMEOUT, Cluster, message_ids, wait_for
from tests.fakes.slack_requests import block_action, interaction_body, post_signed

pytestmark = PROCESSES


@pytest.fixture
def replica(home, db_url, slack, smtp_server, tmp_path):
    c = Cluster(home, db_url, slack, smtp_server, tmp_path)
    yield c, c.replica("a").start()
    c.close()


def click(replica, review) -> int:
    payload = block_action(
        review.owner, APPROVE, f"{review.id}:{review.content_hash}", review.channel
    )
    with httpx.Client(base_url=replica.url, timeout=10) as http:
        return post_signed(
            http, "/slack/events", interaction_body(payload), timestamp=int(child_time())
        ).status_code


def work_pid(replica) -> int:
    return int(replica.owner.rsplit(":", 1)[1])


def gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return True
    return state in ("Z", "X")  # exited; nobody has reaped it yet


def decided(c: Cluster, review) -> bool:
    [now] = c.rows(Review, Review.id == review.id)
    return now.status == "decided"


def test_a_click_is_decided_in_the_work_process_and_one_that_dies_is_replaced(replica, smtp_server):
    c, a = replica
    first, second, *_ = c.draft_reviews()
    pid = work_pid(a)
    assert pid != a.proc.pid

    assert click(a, first) == 200
    wait_for(lambda: decided(c, first), what="the first click decided")
    wait_for(lambda: len(smtp_server.messages) == 1, what="its mail sent")
    [sent] = c.rows(OutboxMessage)
    assert sent.claimed_by == a.owner  # sent by the work process, not the serving one

    os.kill(pid, signal.SIGKILL)
    # Until the new one is up, the replica says it cannot do its work (HTTP 503).
    wait_for(lambda: a.health() is None, timeout=5, what="/healthz to report the work down")
    wait_for(lambda: "starting it again" in a.text(), what="the work process restarted")
    assert click(a, second) == 200  # acked whether or not the new one is up yet
    wait_for(lambda: decided(c, second), START_TIMEOUT, "the next click decided by the new one")
    wait_for(lambda: len(smtp_server.messages) == 2, what="its mail sent")
    assert Counter(message_ids(smtp_server)).most_common(1)[0][1] == 1
    assert a.health()["work"] == "running"


def test_the_work_process_stops_when_its_serving_process_dies(replica):
    c, a = replica
    pid = work_pid(a)
    a.proc.send_signal(signal.SIGKILL)  # the serving process alone, not its group
    a.proc.wait(10)
    wait_for(lambda: gone(pid), timeout=30, what="the orphaned work process to exit")
    assert "the serving process is gone" in a.text()


def test_sigterm_decides_every_acked_click_before_the_replica_exits(replica, smtp_server):
    c, a = replica
    revs = c.draft_reviews()[:6]
    for r in revs:
        assert click(a, r) == 200
    assert a.kill(signal.SIGTERM) == 0  # at once: most decisions are still queued
    assert all(decided(c, r) for r in revs)
    assert "stopped cleanly" in a.text()
    assert gone(int(a.owner.rsplit(":", 1)[1]))
    sent = c.rows(OutboxMessage, OutboxMessage.status == "sent")
    ids = message_ids(smtp_server)
    assert len(ids) == len(set(ids)) == len(sent)
