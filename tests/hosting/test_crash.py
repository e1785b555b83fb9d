"""Crash safety with real processes: SIGKILL during a tick, during a send and during
decisions, then a restart; SIGTERM in the middle of a send. Afterwards everything converges:
no review lost, no message twice, what cannot be known is flagged for an operator."""

from __future__ import annotations

import signal
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx

from handlers.ids import APPROVE
from storage.models import AuditEvent, Draft, OutboxMessage, Review, TickRun
from tests.conftest import PROCESSES, child_time
from tests.fakes.llm import ModelServer
from tests.fakes.replicas import message_ids, wait_for
from tests.fakes.slack_requests import block_action, interaction_body, post_signed

pytestmark = PROCESSES


def statuses(c) -> Counter:
    return Counter(m.status for m in c.rows(OutboxMessage))


def test_sigkill_mid_send_leaves_one_uncertain_message_and_sends_the_rest_once(
    cluster, smtp_server, slack
):
    c = cluster()
    queued = c.approve_all()
    arrived = smtp_server.slow_data(3)  # the relay sits on DATA: the send is in flight
    a = c.replica("a").start()
    assert arrived.wait(20)
    a.kill(signal.SIGKILL)
    [mid] = c.rows(OutboxMessage, OutboxMessage.status == "sending")
    assert mid.claimed_by == a.owner

    smtp_server.slow_data(0)
    b = c.replica("b").start()
    wait_for(lambda: statuses(c) == {"sent": queued - 1, "uncertain": 1}, what="convergence")
    assert c.rows(OutboxMessage, OutboxMessage.status == "uncertain")[0].id == mid.id

    # Flagged for an operator at once (its process is gone), not after the 15-minute lease;
    # the alert follows the status change (it takes the channel's pace slot first).
    def alerted():
        return any(
            f"outbox ids {mid.id}" in call.args.get("text", "")
            for call in slack.of("chat.postMessage")
            if call.args.get("channel") == "C0OPS"
        )

    wait_for(alerted, what="the operator alert")
    ids = Counter(message_ids(smtp_server))
    assert max(ids.values()) == 1  # the one in flight reached the relay once, never again
    sent = {m.message_id for m in c.rows(OutboxMessage, OutboxMessage.status == "sent")}
    assert sent <= set(ids)
    assert b.kill(signal.SIGTERM) == 0


def test_sigterm_mid_send_finishes_that_send_and_claims_nothing_more(cluster, smtp_server):
    c = cluster()
    queued = c.approve_all()
    arrived = smtp_server.slow_data(2)
    a = c.replica("a").start()
    assert arrived.wait(20)
    assert a.kill(signal.SIGTERM) == 0
    assert "stopped cleanly" in a.text()
    # The message in hand went out and was recorded; the rest were never claimed.
    assert statuses(c) == {"sent": 1, "queued": queued - 1}
    assert len(smtp_server.messages) == 1

    smtp_server.slow_data(0)
    c.replica("b").start()
    wait_for(lambda: statuses(c) == {"sent": queued}, what="the rest sent")
    ids = message_ids(smtp_server)
    assert len(ids) == len(set(ids)) == queued


def test_sigkill_mid_tick_abandons_that_slot_and_the_next_slot_converges(cluster):
    model = ModelServer(delay=30)
    try:
        c = cluster(OPENAI_BASE_URL=model.url, TWOLOOP_TICK_EVERY_SECONDS=2)
        a = c.replica("a").start()
        assert model.called.wait(20)  # a tick is waiting on the model
        running = c.rows(TickRun, TickRun.status == "running")  # agents tick in parallel
        assert running and {r.owner for r in running} == {a.owner}
        a.kill(signal.SIGKILL)

        model.delay = 0
        b = c.replica("b").start()
        wait_for(
            lambda: c.rows(TickRun, TickRun.owner == b.owner, TickRun.status == "done"),
            what="b ticking",
        )
        ids = [r.id for r in running]
        assert {r.status for r in c.rows(TickRun, TickRun.id.in_(ids))} == {"abandoned"}
        assert c.rows(AuditEvent, AuditEvent.action == "tick.abandoned")

        # Converged: every draft is drafted once, and a later tick finds nothing new.
        def settled():
            drafts = c.rows(Draft)
            later = [
                e
                for e in c.rows(AuditEvent, AuditEvent.action == "tick")
                if e.detail.get("drafted") == 0
            ]
            return drafts and len(later) >= 2 and drafts

        drafts = wait_for(settled, timeout=30, what="a tick with nothing new")
        assert len({d.trigger_key for d in drafts}) == len(drafts)
        per_draft = Counter(r.subject_id for r in c.rows(Review, Review.kind == "draft"))
        assert not per_draft or max(per_draft.values()) == 1
        slots = Counter((r.agent_id, r.scheduled_for) for r in c.rows(TickRun))
        assert max(slots.values()) == 1
        assert b.kill(signal.SIGTERM) == 0
    finally:
        model.close()


def test_sigkill_during_decisions_loses_no_review_and_sends_nothing_twice(cluster, smtp_server):
    c = cluster()
    revs = c.draft_reviews()
    a = c.replica("a").start()

    def click(replica, review):
        payload = block_action(
            review.owner, APPROVE, f"{review.id}:{review.content_hash}", review.channel
        )
        with httpx.Client(base_url=replica.url, timeout=10) as http:
            return post_signed(
                http, "/slack/events", interaction_body(payload), timestamp=int(child_time())
            ).status_code

    with ThreadPoolExecutor(len(revs)) as pool:
        assert set(pool.map(lambda r: click(a, r), revs)) == {200}  # acked, decided later
    mine = Review.id.in_([r.id for r in revs])
    wait_for(lambda: c.rows(Review, mine, Review.status == "decided"), what="a first decision")
    a.kill(signal.SIGKILL)  # while the rest are being decided, sent, or still waiting

    def check_consistent():
        by_id = {r.id: r for r in c.rows(Review)}
        for r in revs:
            now = by_id[r.id]
            assert now.status in ("open", "decided"), now.status  # none lost
            rows = c.rows(OutboxMessage, OutboxMessage.draft_id == now.subject_id)
            # A decided approval always has its one message; an open review has none.
            assert len(rows) == (1 if now.status == "decided" else 0)
        ids = Counter(message_ids(smtp_server))
        assert not ids or max(ids.values()) == 1
        return by_id

    by_id = check_consistent()
    still_open = [r for r in revs if by_id[r.id].status == "open"]
    b = c.replica("b").start()
    check_consistent()
    # The AM clicks again on the cards that did not take; everything converges.
    for r in still_open:
        assert click(b, r) == 200
    wait_for(
        lambda: all(x.status == "decided" for x in c.rows(Review) if x.id in by_id),
        what="every review decided",
    )
    check_consistent()

    def settled():
        s = statuses(c)
        return sum(s.values()) == len(revs) and not s.keys() & {"queued", "sending"} and s

    outcome = wait_for(settled, what="every approved message settled")
    assert outcome.get("sent", 0) + outcome.get("uncertain", 0) == len(revs)
    ids = message_ids(smtp_server)
    assert len(ids) == len(set(ids))
    print(f"decided before the kill: {len(revs) - len(still_open)} of {len(revs)}")
