"""The agent loop's clock: one APScheduler job per agent (its cron), plus housekeeping."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime

from apscheduler.schedulers.background import BackgroundScheduler

from bot import feeds, loop, mailin, outbox, reviews, sequences
from bot.cron import cron_trigger
from bot.runtime import Runtime

log = logging.getLogger(__name__)

JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 600}


def tick_and_post(rt: Runtime, agent_id: str) -> None:
    try:
        loop.tick(rt, agent_id)
    finally:
        reviews.post_pending(rt)


def poll_replies(rt: Runtime, source) -> int:
    """Read new mail from the IMAP folder; each message is triaged as it arrives."""
    from bot import replies

    return source.fetch_new(rt, lambda raw, where: replies.ingest(rt, raw, where))


def sync_agent_jobs(rt: Runtime, scheduler: BackgroundScheduler) -> None:
    """Make the per-agent jobs match the files: an edited schedule applies without a restart."""
    fleet = rt.fleet()
    wanted = {}
    for agent in fleet.agents.values():
        if agent.spec.active:
            wanted[f"tick:{agent.id}"] = (agent.id, agent.spec.schedule, agent.spec.timezone)
    for job in scheduler.get_jobs():
        if job.id.startswith("tick:") and job.id not in wanted:
            job.remove()
    for job_id, (agent_id, cron, tz) in wanted.items():
        trigger = cron_trigger(cron, tz)
        job = scheduler.get_job(job_id)
        if job is not None and repr(job.trigger) == repr(trigger):
            continue
        scheduler.add_job(
            tick_and_post,
            trigger,
            args=[rt, agent_id],
            id=job_id,
            replace_existing=True,
            name=f"tick {agent_id}",
        )
        log.info("scheduled %s at '%s' (%s)", agent_id, cron, tz)


def build(rt: Runtime) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(timezone=UTC, job_defaults=JOB_DEFAULTS)
    now = datetime.now(UTC)
    scheduler.add_job(
        sync_agent_jobs,
        "interval",
        seconds=60,
        args=[rt, scheduler],
        id="sync-agents",
        next_run_time=now,
    )
    scheduler.add_job(
        reviews.post_pending,
        "interval",
        seconds=15,
        args=[rt],
        id="post-reviews",
        next_run_time=now,
    )
    scheduler.add_job(
        reviews.sweep, "interval", seconds=60, args=[rt], id="sweep-reviews", next_run_time=now
    )
    scheduler.add_job(feeds.fetch_due, "interval", minutes=1, args=[rt], id="feeds")
    scheduler.add_job(sequences.advance, "interval", minutes=1, args=[rt], id="sequences")
    source = mailin.source_for(rt.settings)
    if source is not None:
        scheduler.add_job(
            poll_replies,
            "interval",
            seconds=rt.settings.imap_poll_seconds,
            args=[rt, source],
            id="imap",
            next_run_time=now,
        )
    scheduler.add_job(
        outbox.recover, "interval", minutes=1, args=[rt], id="outbox-recover", next_run_time=now
    )
    return scheduler


class OutboxWorker(threading.Thread):
    """Sends as soon as something is approved (woken by rt.outbox_wakeup), else every 10 s."""

    def __init__(self, rt: Runtime, interval: float = 10.0):
        super().__init__(name="outbox", daemon=True)
        self.rt, self.interval = rt, interval
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            self.rt.outbox_wakeup.wait(self.interval)
            self.rt.outbox_wakeup.clear()
            if self.stopping.is_set():
                break
            try:
                outbox.flush(self.rt)
            except Exception:  # noqa: BLE001 - keep the worker alive; the row stays queued
                log.exception("outbox flush failed")

    def stop(self) -> None:
        self.stopping.set()
        self.rt.outbox_wakeup.set()
        self.join(timeout=30)
