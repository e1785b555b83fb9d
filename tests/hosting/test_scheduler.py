"""One APScheduler job per agent, following the files; no overlap; misfires coalesced."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from apscheduler.schedulers.background import BackgroundScheduler

from bot.ops import scheduler as scheduling


def test_one_job_per_agent_following_the_files(rt):
    sched = BackgroundScheduler(timezone=UTC, job_defaults=scheduling.JOB_DEFAULTS)
    scheduling.sync_agent_jobs(rt, sched)
    jobs = {j.id: j for j in sched.get_jobs()}
    assert set(jobs) == {"tick:data-platform", "tick:security-expansion"}
    saturday = datetime(2026, 11, 21, 10, tzinfo=UTC)
    nxt = jobs["tick:data-platform"].trigger.get_next_fire_time(None, saturday)
    assert nxt.strftime("%a %H:%M %Z") == "Mon 09:00 GMT"  # '0 9 * * 1-5' in Europe/London

    path = rt.settings.agents_dir / "data-platform.md"
    path.write_text(path.read_text().replace('schedule: "0 9 * * 1-5"', 'schedule: "30 7 * * *"'))
    (rt.settings.agents_dir / "security-expansion.md").unlink()
    scheduling.sync_agent_jobs(rt, sched)
    jobs = {j.id: j for j in sched.get_jobs()}
    assert set(jobs) == {"tick:data-platform"}
    assert (
        jobs["tick:data-platform"].trigger.get_next_fire_time(None, saturday).strftime("%a %H:%M")
        == "Sun 07:30"
    )


def test_jobs_never_overlap_and_coalesce_misfires(rt):
    sched = scheduling.build(rt)
    sched.start(paused=True)  # jobs get their defaults when the scheduler starts
    try:
        scheduling.sync_agent_jobs(rt, sched)
        jobs = sched.get_jobs()
        assert {"sync-agents", "post-reviews", "sweep-reviews", "feeds", "tick:data-platform"} <= {
            j.id for j in jobs
        }
        for job in jobs:
            assert job.max_instances == 1 and job.coalesce is True
    finally:
        sched.shutdown(wait=False)


def test_stopping_waits_out_a_running_job_that_edits_the_schedule(rt):
    """`shutdown(wait=True)` would wait holding the job store's lock, which this job needs."""
    leading = threading.Event()
    leading.set()
    gate = scheduling.LeaderOnlyExecutor(leading.is_set)
    sched = BackgroundScheduler(timezone=UTC, executors={"default": gate})
    entered, go, finished = threading.Event(), threading.Event(), threading.Event()

    def edits_the_schedule():
        entered.set()
        go.wait(10)
        sched.get_jobs()  # takes the job store's lock
        finished.set()

    sched.add_job(edits_the_schedule, id="edits")
    sched.start()
    try:
        assert entered.wait(5)
        leading.clear()  # stopping: no job starts from here on
        threading.Timer(0.2, go.set).start()  # it edits the schedule while we wait
        assert gate.wait_idle(10)
        assert finished.is_set()
    finally:
        sched.shutdown(wait=False)
