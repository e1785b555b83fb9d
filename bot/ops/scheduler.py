"""The agent loop's clock: one APScheduler job per agent (its cron), plus housekeeping."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.agent import proposals
from bot.crm import sync as crm_sync
from bot.intake import feeds
from bot.mail.inbound import receive as mailin
from bot.mail.inbound import replies, suggested
from bot.mail.outbound import followups, outbox
from bot.ops import redelivery, ticks
from bot.reports import digest, tuning
from bot.review import lifecycle as reviews
from bot.review import no_path, second_check
from bot.runtime import Runtime

if TYPE_CHECKING:
    from apscheduler.job import Job

log = logging.getLogger(__name__)

JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 600}


def tick_and_post(rt: Runtime, agent_id: str) -> None:
    try:
        ticks.run_due(rt, agent_id)  # claims the slot first: no slot runs twice
    finally:
        reviews.post_pending(rt)


def took_over(rt: Runtime, scheduler: BackgroundScheduler) -> None:
    """Just became leader: build the tick jobs now (not at the next sync), and run the slot
    that fell between the old leader and us, if nobody claimed it."""
    sync_agent_jobs(rt, scheduler)
    # Interval jobs (housekeeping) came due while we stood by and were skipped: run each once
    # now, e.g. outbox-recover flags what the old leader left mid-send. Cron jobs keep their
    # times; a digest must not go out just because leadership moved. "Now" on APScheduler's
    # own clock, which it compares run times with (see build).
    now = datetime.now(UTC)
    for job in scheduler.get_jobs():
        if isinstance(job.trigger, IntervalTrigger) and not job.id.startswith("tick:"):
            job.modify(next_run_time=now)
    if ticks.catch_up(rt):
        reviews.post_pending(rt)


def poll_replies(rt: Runtime, source: mailin.ImapSource) -> int:
    """Read new mail from the IMAP folder; each message is triaged as it arrives."""
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
        trigger = ticks.trigger_for(rt.settings, cron, tz)
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


class LeaderOnlyExecutor(ThreadPoolExecutor):
    """Runs a due job only while this replica leads. Every replica keeps its scheduler (and
    its clock) running, and leadership is asked at the moment a job would start: no
    start/stop of the scheduler on every flip, no job added while standing by that a later
    start would forget, and a job added by anyone is gated without knowing about it."""

    def __init__(self, is_leader: Callable[[], bool], max_workers: int = 10):
        super().__init__(max_workers)
        self.is_leader = is_leader

    def submit_job(self, job: Job, run_times: list[datetime]) -> None:
        if self.is_leader():
            super().submit_job(job, run_times)
        else:
            log.debug("standby: skipping %s", job.id)

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no job runs (none starts once `is_leader` says no); True if so in
        time. Stopping waits here, not in the scheduler's `shutdown(wait=True)`: that waits
        holding the job store's lock, and a running job that edits the schedule
        (`sync_agent_jobs`) would wait on the lock until the grace ran out."""
        until = time.monotonic() + timeout
        while True:
            with self._lock:
                if not any(self._instances.values()):
                    return True
            if time.monotonic() >= until:
                return False
            time.sleep(0.05)


def build(rt: Runtime, gate: LeaderOnlyExecutor | None = None) -> BackgroundScheduler:
    """With `gate`, jobs run only while it says this replica leads (replicas share a
    database)."""
    executors = {"default": gate} if gate is not None else None
    scheduler = BackgroundScheduler(
        timezone=UTC, job_defaults=JOB_DEFAULTS, **({"executors": executors} if executors else {})
    )
    # "Run at once", on APScheduler's own clock (it reads datetime.now): from the runtime's
    # clock, an injected past would be a misfire and a future a delay. What a job does reads
    # rt.now().
    now = datetime.now(UTC)
    scheduler.add_job(
        sync_agent_jobs,
        "interval",
        seconds=60,
        args=[rt, scheduler],
        id="sync-agents",
        next_run_time=now,
    )
    # Each run drains the card queue for up to 4 s at the channels' pace (bot/review/posting.py), so
    # a backlog keeps moving with a run every 5 s and a run never overlaps the next.
    scheduler.add_job(
        reviews.post_pending,
        "interval",
        seconds=5,
        args=[rt],
        kwargs={"budget": 4.0},
        id="post-reviews",
        next_run_time=now,
    )
    # Slack redeliveries come within minutes; a day of delivery keys is plenty.
    scheduler.add_job(redelivery.prune, "interval", hours=1, args=[rt], id="prune-deliveries")
    scheduler.add_job(
        reviews.sweep, "interval", seconds=60, args=[rt], id="sweep-reviews", next_run_time=now
    )
    scheduler.add_job(feeds.fetch_due, "interval", minutes=1, args=[rt], id="feeds")
    scheduler.add_job(suggested.retry_waiting, "interval", minutes=5, args=[rt], id="reply-answers")
    scheduler.add_job(followups.queue_due, "interval", minutes=1, args=[rt], id="sequences")
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
    # CRM sync (owners, customers, deals in; sends, replies, decisions out), when configured.
    if rt.settings.hubspot_access_token is not None:
        scheduler.add_job(
            crm_sync.run,
            "interval",
            minutes=rt.settings.crm_sync_minutes,
            args=[rt],
            id="crm-sync",
            next_run_time=now,
        )
    # The second check learns from new verdicts here, never inside a click's transaction.
    scheduler.add_job(
        second_check.refresh,
        "interval",
        minutes=rt.settings.second_check_minutes,
        args=[rt],
        id="second-check",
        next_run_time=now,
    )
    # Due from Monday at TWOLOOP_DIGEST_TIME; the week's key makes it once across replicas.
    scheduler.add_job(tuning.post_weekly, "interval", minutes=15, args=[rt], id="tuning-report")
    # Each AM's digest at TWOLOOP_DIGEST_TIME in their time zone, the fleet's in the operator
    # channel; the day's key makes each one once across replicas, and late after downtime.
    scheduler.add_job(
        digest.post_due, "interval", minutes=5, args=[rt], id="digests", next_run_time=now
    )
    # Agents on probation for TWOLOOP_NO_PATH_DAYS with no path to promotion, named to the
    # operators; its audit event makes each one once per period, whatever the run count.
    scheduler.add_job(no_path.sweep, "interval", hours=1, args=[rt], id="trust-no-path")
    # What AMs' edits and kills say the agent files should change, proposed to the operators
    # once a day (a change is never proposed twice, so a second run adds nothing).
    scheduler.add_job(proposals.run, "cron", hour=6, minute=0, args=[rt], id="proposals")
    return scheduler


class OutboxWorker(threading.Thread):
    """Sends as soon as something is approved (woken by rt.outbox_wakeup), else every 10 s."""

    def __init__(
        self,
        rt: Runtime,
        interval: float = 10.0,
        before_each: Callable[[], None] | None = None,
    ):
        super().__init__(name="outbox", daemon=True)
        self.rt, self.interval, self.before_each = rt, interval, before_each
        self.stopping = threading.Event()

    def run(self) -> None:
        self.rt.outbox_wakeup.set()  # a (re)start sends what is due at once
        while not self.stopping.is_set():
            self.rt.outbox_wakeup.wait(self.interval)
            self.rt.outbox_wakeup.clear()
            if self.stopping.is_set():
                break
            try:
                outbox.flush(self.rt, stop=self.stopping, before_each=self.before_each)
            except Exception:  # keep the worker alive; the row stays queued
                log.exception("outbox flush failed")

    def stop(self, timeout: float = 30) -> bool:
        """Finish the message in hand, claim no new one; False if still sending at timeout."""
        self.stopping.set()
        self.rt.outbox_wakeup.set()
        self.join(timeout=timeout)
        return not self.is_alive()
