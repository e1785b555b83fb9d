"""Scheduled ticks, claimed before they run.

A tick's slot is the latest time its schedule fired at or before now, so every replica
that looks at the clock names the same slot; the slot is claimed in TickRun (first insert
wins) and only the claimer ticks. Two leaders that overlap for a moment, or a new leader
catching up on a slot the dead one may have started, cannot run a slot twice. A slot whose
tick died with its process stays claimed ("abandoned") and is not rerun: the next slot
covers its accounts, because drafting is idempotent per trigger.
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime, timedelta

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot import process
from bot.agent import loop
from bot.config.cron import cron_trigger
from bot.runtime import Runtime
from bot.settings import Settings
from storage import audit
from storage import ticks as store

log = logging.getLogger(__name__)

# How late a slot may still run (a leader taking over, a restart): APScheduler's misfire grace.
GRACE = timedelta(seconds=600)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

_running: set[int] = set()  # TickRun ids this process is running now
_lock = threading.Lock()


def trigger_for(settings: Settings, cron: str, tz: str) -> BaseTrigger:
    """The agent's cron; with TWOLOOP_TICK_EVERY_SECONDS, every N seconds since the epoch
    (the same instants on every replica) for drills and tests."""
    every = settings.tick_every_seconds
    if every:
        return IntervalTrigger(seconds=every, start_date=EPOCH, timezone=UTC)
    return cron_trigger(cron, tz)


def latest_slot(trigger: BaseTrigger, now: datetime, grace: timedelta = GRACE) -> datetime | None:
    """The last fire time in (now - grace, now], or None."""
    last, t = None, trigger.get_next_fire_time(None, now - grace)
    while t is not None and t <= now:
        last = t
        t = trigger.get_next_fire_time(t, t + timedelta(microseconds=1))
    return last


def run_due(rt: Runtime, agent_id: str) -> loop.TickReport | None:
    """Tick the agent for its latest slot, unless some process already claimed that slot."""
    agent = rt.fleet().agents.get(agent_id)
    if agent is None or not agent.spec.active:
        return None
    now = rt.now()
    slot = latest_slot(trigger_for(rt.settings, agent.spec.schedule, agent.spec.timezone), now)
    if slot is None:
        return None
    with rt.db.session() as s:
        run_id = store.claim(s, agent_id, slot, process.owner(), now)
    if run_id is None:
        log.info("tick %s for %s: already claimed", agent_id, slot.isoformat())
        return None
    with _lock:
        _running.add(run_id)
    status = "failed"
    try:
        report = loop.tick(rt, agent_id)[0]
        status = "done"
        return report
    finally:
        with rt.db.session() as s:
            store.finish(s, run_id, status, rt.now())
        with _lock:
            _running.discard(run_id)


def catch_up(rt: Runtime) -> list[str]:
    """On becoming leader: flag ticks the previous leader left running, then run any slot
    of the last GRACE that nobody claimed (it fell between two leaders)."""
    now = rt.now()
    with rt.db.session() as s:
        for run in store.abandon_others(s, process.owner(), now):
            log.warning(
                "tick %s for %s was left running by %s; marked abandoned (the next slot covers it)",
                run.agent_id,
                run.scheduled_for.isoformat(),
                run.owner,
            )
            audit.record(
                s,
                "system",
                "tick.abandoned",
                f"agent:{run.agent_id}",
                {"scheduled_for": run.scheduled_for.isoformat(), "owner": run.owner},
                agent_id=run.agent_id,
            )
    ran = []
    for agent_id, agent in rt.fleet().agents.items():
        if agent.spec.active and run_due(rt, agent_id) is not None:
            ran.append(agent_id)
    return ran


def interrupt_running(rt: Runtime) -> list[int]:
    """At shutdown, mark the ticks still running here as failed, so nobody waits on them."""
    with _lock:
        ids = sorted(_running)
    if ids:
        with rt.db.session() as s:
            store.interrupt(s, ids, rt.now())
    return ids
