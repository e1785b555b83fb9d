"""A replica's work side: everything after the ack. Jobs (decisions, modals, App Home), the
outbox, and, on the replica that holds leadership, the scheduler.

`serve` runs it in a process of its own (handlers/hosting/work_process.py), so the process that
acks Slack's requests holds its GIL for acks alone. Tests run it in the serving process."""

from __future__ import annotations

import functools
import logging
import threading
import time

from slack_sdk import WebClient

from bot.mail.outbound import outbox
from bot.ops import scheduler as scheduling
from bot.ops import ticks
from bot.ops.leader import Leadership
from bot.runtime import Runtime
from handlers.hosting.ack_first import AckFirst
from handlers.jobs import Job, Jobs

log = logging.getLogger(__name__)


class Work:
    def __init__(
        self,
        rt: Runtime,
        client: WebClient,
        *,
        scheduler: bool,
        ack_first: AckFirst | None = None,
    ):
        """With `ack_first`, jobs and sends wait for a lull in acks (handlers/hosting/ack_first.py)."""
        self.rt = rt
        settings = rt.settings
        self.jobs = Jobs(rt, client, ack_first.wait if ack_first else None)
        self._stopping = False
        # Every replica decides and sends; only the leader runs scheduled jobs.
        self.leadership = (
            Leadership(
                rt.db.url, poll_seconds=settings.leader_poll_seconds, on_gain=self._took_over
            )
            if scheduler
            else None
        )
        self.gate = scheduling.LeaderOnlyExecutor(self._may_run_jobs) if scheduler else None
        self.scheduler = scheduling.build(rt, self.gate) if scheduler else None
        self.outbox = scheduling.OutboxWorker(
            rt,
            settings.outbox_poll_seconds,
            before_each=functools.partial(ack_first.wait, 1.0) if ack_first else None,
        )

    def submit(self, job: Job) -> None:
        self.jobs.submit(job)

    @property
    def alive(self) -> bool:
        return True  # in the serving process, it lives as long as that does

    @property
    def is_leader(self) -> bool:
        return self.leadership is not None and self.leadership.is_leader

    def start(self) -> None:
        self.outbox.start()
        if self.scheduler is not None:
            self.scheduler.start()
            self.leadership.start()

    def _may_run_jobs(self) -> bool:
        return not self._stopping and self.is_leader

    def _took_over(self) -> None:
        if self.scheduler is not None and not self._stopping:
            self.scheduler.add_job(
                scheduling.took_over,
                args=[self.rt, self.scheduler],
                id="took-over",
                replace_existing=True,
            )

    def stop(self, seconds: float) -> dict:
        """Finish what was taken within `seconds`, release what was not, hand leadership
        over. Says what it left behind."""
        deadline = time.monotonic() + seconds
        left = lambda: max(0.0, deadline - time.monotonic())  # noqa: E731
        self._stopping = True  # no new scheduled job starts from here on
        self.outbox.stopping.set()  # the message in hand is finished, no new one claimed
        done = {"scheduler": True, "decisions": True}
        if self.scheduler is not None and self.scheduler.running:
            done["scheduler"] = self.gate.wait_idle(left())  # no job starts from here on
            self.scheduler.shutdown(wait=False)
        done["decisions"] = within(self.jobs.shutdown, left())
        done["outbox"] = self.outbox.stop(timeout=left())
        left_over = {
            "ticks_failed": ticks.interrupt_running(self.rt),
            "mid_send": [] if done["outbox"] else outbox.in_flight(self.rt),
        }
        if self.leadership is not None and self.leadership.stop():
            log.info("released leadership")
        if left_over["ticks_failed"]:
            log.warning(
                "ticks still running at shutdown, marked failed: %s", left_over["ticks_failed"]
            )
        if left_over["mid_send"]:
            log.warning(
                "outbox ids %s were mid-send at shutdown; they will be flagged uncertain",
                left_over["mid_send"],
            )
        if not done["decisions"]:
            log.warning("decisions still running at shutdown; their reviews stay open")
        if not done["scheduler"]:
            log.warning("scheduled jobs still running at shutdown")
        return {"clean": all(done.values()), **done, **left_over}


def within(fn, seconds: float) -> bool:
    """Run `fn` but wait at most `seconds` for it; True if it finished."""
    t = threading.Thread(target=fn, name="shutdown", daemon=True)
    t.start()
    t.join(seconds)
    return not t.is_alive()
