"""Several `twoloop serve` processes on one PostgreSQL: one leader runs the scheduler, the
others stand by and take over when it dies; ticks and sends are claimed, so nothing runs or
goes out twice. Real processes, a real SMTP server, a fake Slack on loopback."""

from __future__ import annotations

import signal
import threading
import time
from collections import Counter
from pathlib import Path

import psycopg
from sqlmodel import select

from bot.ops import ticks
from storage.leader import lock_for
from storage.models import AuditEvent, OutboxMessage, TickRun
from storage.ticks import claim
from tests.conftest import PG_URL, PROCESSES
from tests.fakes.replicas import POLL, START_TIMEOUT, message_ids, wait_for

pytestmark = PROCESSES
EVERY = 1  # TWOLOOP_TICK_EVERY_SECONDS: every agent ticks every second


def tick_events(c) -> Counter:
    return Counter(e.subject for e in c.rows(AuditEvent, AuditEvent.action == "tick"))


def test_one_leader_claims_every_tick_and_every_send_once_then_fails_over(cluster, smtp_server):
    c = cluster(TWOLOOP_TICK_EVERY_SECONDS=EVERY)
    queued = c.approve_all()
    assert queued >= 5
    before = tick_events(c)  # the tick approve_all ran here, outside any replica
    a, b = c.replica("a").start(), c.replica("b").start()

    wait_for(lambda: sorted([a.role(), b.role()]) == ["leader", "standby"], what="one leader")
    leader, standby = (a, b) if a.role() == "leader" else (b, a)

    # Both replicas send (each runs an outbox worker); every message arrives exactly once.
    wait_for(lambda: len(smtp_server.messages) >= queued, what="all queued mail sent")
    time.sleep(1.5)  # room for a second copy to show up, if there were one
    ids = message_ids(smtp_server)
    assert len(ids) == len(set(ids)) == queued
    sent = c.rows(OutboxMessage, OutboxMessage.status == "sent")
    assert {m.message_id for m in sent} == set(ids)
    assert {m.claimed_by for m in sent} <= {a.owner, b.owner}

    # Only the leader ticks, once per agent per slot.
    wait_for(lambda: len(c.rows(TickRun)) >= 6, what="a few ticks")
    assert {r.owner for r in c.rows(TickRun)} == {leader.owner}

    # Failover: the leader dies; the standby takes over within a few polls.
    killed_at = time.monotonic()
    leader.kill(signal.SIGKILL)
    wait_for(lambda: standby.role() == "leader", timeout=10, what="takeover")
    took = time.monotonic() - killed_at
    wait_for(
        lambda: any(r.owner == standby.owner for r in c.rows(TickRun, TickRun.status == "done")),
        what="the new leader ticking",
    )
    assert standby.proc.returncode is None
    assert "now runs the scheduler" in standby.text()
    print(f"takeover after SIGKILL: {took:.2f} s (leader poll {POLL} s)")

    # Stop the survivor gracefully, then count: one tick event per claimed slot, no slot twice.
    assert standby.kill(signal.SIGTERM) == 0
    runs = c.rows(TickRun)
    slots = Counter((r.agent_id, r.scheduled_for) for r in runs)
    assert max(slots.values()) == 1
    assert {r.status for r in runs} <= {"done", "abandoned"}
    events = tick_events(c) - before
    done = Counter(f"agent:{r.agent_id}" for r in runs if r.status == "done")
    # A run killed with its leader may or may not have written its event before dying.
    abandoned = Counter(f"agent:{r.agent_id}" for r in runs if r.status == "abandoned")
    for agent, n in done.items():
        assert n <= events[agent] <= n + abandoned[agent]
    assert len(message_ids(smtp_server)) == queued


def test_a_tick_slot_is_claimed_by_one_of_many_racing_processes(cluster):
    """Two leaders overlapping (e.g. one cut off from the database but not yet aware) both
    try the same slot: the claim lets exactly one through."""
    c = cluster()
    slot = ticks.latest_slot(ticks.trigger_for(c.rt.settings, "* * * * *", "UTC"), c.rt.now())
    won: list[int | None] = []

    def race(owner: str) -> None:
        with c.session() as s:
            won.append(claim(s, "data-platform", slot, owner, c.rt.now()))

    threads = [threading.Thread(target=race, args=(f"h:{i}",)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(1 for w in won if w is not None) == 1
    with c.session() as s:
        assert len(list(s.exec(select(TickRun)))) == 1


def test_sigterm_hands_leadership_over_at_once(cluster):
    c = cluster(TWOLOOP_TICK_EVERY_SECONDS=EVERY)
    a = c.replica("a").start()
    wait_for(lambda: a.role() == "leader")
    b = c.replica("b").start()
    assert b.role() == "standby"
    assert a.kill(signal.SIGTERM) == 0  # graceful: exit status 0
    assert "released leadership" in a.text()
    assert "stopped cleanly" in a.text()
    wait_for(lambda: b.role() == "leader", timeout=5, what="takeover after SIGTERM")
    assert not c.rows(TickRun, TickRun.owner == a.owner, TickRun.status == "running")


def test_a_leader_whose_database_connection_breaks_stops_leading(cluster):
    c = cluster(TWOLOOP_TICK_EVERY_SECONDS=EVERY)
    a = c.replica("a").start()
    wait_for(lambda: a.role() == "leader")
    b = c.replica("b").start()
    # The database side drops the leader's lock connection (a failover, a network cut).
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        killed = conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s",
            (f"twoloop-leader {a.owner}",),
        ).fetchall()
    assert killed == [(True,)]
    wait_for(lambda: "leadership lost" in a.text(), timeout=10, what="a noticing")
    # Whoever wins the lock next, there is exactly one leader again, and no slot ran twice.
    wait_for(lambda: sorted([a.role(), b.role()]) == ["leader", "standby"], what="one leader")
    assert a.kill(signal.SIGTERM) == 0 and b.kill(signal.SIGTERM) == 0
    slots = Counter((r.agent_id, r.scheduled_for) for r in c.rows(TickRun))
    assert slots and max(slots.values()) == 1


def test_sqlite_replicas_take_turns_through_a_lock_file(tmp_path):
    """One machine, SQLite: the flock is what a second `serve` waits on, and the kernel
    drops it with the holder."""
    url = f"sqlite:///{tmp_path / 'twoloop.db'}"
    first, second = lock_for(url, "h:1"), lock_for(url, "h:2")
    assert first.try_acquire() and first.held()
    assert not second.try_acquire()
    first.close()
    assert second.try_acquire()
    assert (tmp_path / "twoloop.db.leader").read_text().strip().isdigit()
    second.close()


def _children(pid: int) -> set[int]:
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            cmdline = (stat.parent / "cmdline").read_bytes()
        except OSError:  # gone meanwhile
            continue
        if int(fields[1]) == pid and b"spawn_main" in cmdline:  # not multiprocessing's helper
            found.add(int(stat.parent.name))
    return found


def test_workers_share_one_port_one_leads_and_sigterm_stops_them_all(cluster, smtp_server):
    c = cluster()
    approved = c.approve_all()
    assert approved > 0
    # One `serve --workers 2`: two processes on one port, like two replicas on one machine.
    node = c.replica("workers", TWOLOOP_WORKERS=2).start()
    workers = wait_for(lambda: (k := _children(node.proc.pid)) and len(k) >= 2 and k, 30)
    roles: Counter = Counter()

    def both_answer():
        for _ in range(20):  # a new connection each time: the kernel picks the process
            roles[node.role()] += 1
        return roles["leader"] and roles["standby"]

    wait_for(both_answer, START_TIMEOUT, "a leader and a standby behind the one port")
    wait_for(lambda: len(smtp_server.messages) >= approved, 60, "every approval sent")
    time.sleep(1.0)  # both workers' outbox loops have had their chance to double-send
    ids = message_ids(smtp_server)
    assert len(ids) == approved and len(set(ids)) == approved

    assert node.kill(signal.SIGTERM) == 0
    assert not [p for p in workers if Path(f"/proc/{p}/stat").exists()], "a worker outlived it"
