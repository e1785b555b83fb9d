"""The work side (handlers/hosting/work.py) in a child process of the serving one.

A process has one GIL. Decisions and sends cost milliseconds of CPU each (the ORM, building
the mail); beside the acks, every one of them made the acks behind it wait. At 200 concurrent
clicks on PostgreSQL the ack p99 was 131 ms with them in the serving process and 88 ms with
them here (median of two runs each, benchmarks/ack_latency.py). Here they share only the
machine's cores, and the serving process's GIL is the acks'.

Jobs cross a pipe in batches, sent by a feeder thread, so the event loop only puts them on a
queue. The child stops when the pipe closes: when the serving process asks it to (SIGTERM
reaches the serving process, which stops taking requests first), and when the serving
process dies. It ignores SIGTERM and SIGINT itself, so a signal sent to the whole process
group cannot stop it while the serving process is still handing it jobs. If the child dies,
it is started again; the jobs it had taken are lost as they would be in any crash (their
reviews stay open, the click can be made again), the ones still queued go to the new one."""

from __future__ import annotations

import contextlib
import gc
import logging
import multiprocessing
import os
import queue
import signal
import threading
import time

from bot import logs
from bot.runtime import Runtime
from bot.settings import Settings, SettingsError
from handlers.hosting.ack_first import AckFirst
from handlers.hosting.work import Work
from handlers.jobs import Job
from handlers.slack_clients import humans, web_client

log = logging.getLogger(__name__)

_STOP = object()
# When the cores are busy, the kernel gives the acks (Slack times them) about ten times the
# work's share of CPU; when they are not, the work runs at full speed all the same.
NICE = 10


class WorkProcess:
    """The same face as Work (submit, start, stop, is_leader), across a process boundary."""

    def __init__(self, settings: Settings, *, scheduler: bool, start_timeout: float = 60.0):
        self.settings, self.scheduler, self.start_timeout = settings, scheduler, start_timeout
        self._ctx = multiprocessing.get_context("spawn")  # no threads or connections cross
        self._leader = self._ctx.RawValue("b", 0)  # written by the child, read by /healthz
        # Written by the serving process's acks, read by the child's work (ack_first.py).
        self.ack_first = AckFirst(last=self._ctx.RawValue("d", 0.0))
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._feeder = threading.Thread(target=self._feed, name="work-feed", daemon=True)
        self._proc = None
        self._conn = None
        self.restarts = 0

    @property
    def is_leader(self) -> bool:
        return bool(self._leader.value)

    @property
    def alive(self) -> bool:
        return self._proc is not None and self._proc.is_alive()

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def submit(self, job: Job) -> None:
        self._queue.put(job)  # from the event loop: no I/O, no lock held for long

    def start(self) -> None:
        self._spawn()
        self._feeder.start()

    def _spawn(self) -> None:
        ours, theirs = self._ctx.Pipe()
        proc = self._ctx.Process(
            target=_child,
            args=(
                self.settings,
                theirs,
                self._leader,
                self.ack_first.last,
                self.scheduler,
                logging.getLogger().level,
            ),
            name="twoloop-work",
        )
        proc.start()
        theirs.close()  # the child's end lives in the child only: its death closes the pipe
        if not ours.poll(self.start_timeout):
            proc.kill()
            raise RuntimeError(f"the work process did not start within {self.start_timeout:.0f} s")
        try:
            hello = ours.recv()
        except EOFError:
            proc.join(5)
            raise RuntimeError(f"the work process exited at start ({proc.exitcode})") from None
        if hello != "ready":
            proc.join(5)
            raise SettingsError(hello)
        self._proc, self._conn = proc, ours

    def _feed(self) -> None:
        """Sends what is queued, a batch per wake-up; starts the child again if it died."""
        batch: list[Job] = []
        while True:
            try:
                item = self._queue.get(timeout=0.5)
            except queue.Empty:
                item = None
            while item is not None:
                if item is _STOP:
                    if batch:
                        self._send(batch)
                    return
                batch.append(item)
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    item = None
            if not self._proc.is_alive():
                self._respawn()
            if batch and self._send(batch):
                batch = []

    def _send(self, batch: list[Job]) -> bool:
        try:
            self._conn.send(batch)
            return True
        except OSError:  # the child is gone; the batch waits for the next one
            return False

    def _respawn(self) -> None:
        log.error(
            "the work process (pid %s) exited with %s; starting it again",
            self._proc.pid,
            self._proc.exitcode,
        )
        self._conn.close()
        self._leader.value = 0  # its leader lock died with it
        self.restarts += 1
        time.sleep(min(5.0, 0.5 * self.restarts))  # a child that dies at once must not spin
        try:
            self._spawn()
        except Exception:  # try again on the next round
            log.exception("starting the work process again failed")

    def stop(self, seconds: float) -> dict:
        """Hand over what is queued, then let the child finish within `seconds`; its own
        account of what it left behind comes back over the pipe."""
        deadline = time.monotonic() + seconds
        self._queue.put(_STOP)
        self._feeder.join(max(0.0, deadline - time.monotonic()))
        report = {"clean": False, "work_process": "gone"}
        try:
            if not self._feeder.is_alive():  # else it still holds the pipe: no second writer
                self._conn.send(("stop", max(0.0, deadline - time.monotonic())))
                if self._conn.poll(max(0.0, deadline - time.monotonic()) + 5):
                    report = self._conn.recv()
        except (OSError, EOFError):
            pass
        self._proc.join(5)
        if self._proc.is_alive():
            log.warning("the work process did not stop in time; killing it")
            self._proc.kill()
            self._proc.join(5)
        self._conn.close()
        return report


def _child(settings: Settings, conn, leader, last_ack, scheduler: bool, level: int) -> None:
    logs.setup(settings, level)
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, signal.SIG_IGN)  # the serving process says when (module doc)
    if hasattr(os, "nice"):
        os.nice(NICE)
    try:
        rt = Runtime(settings)
        client = web_client(settings)
        rt.humans = humans(rt, client)
        work = Work(rt, client, scheduler=scheduler, ack_first=AckFirst(last=last_ack))
        gc.collect()
        gc.freeze()  # start-up's objects live as long as the process: keep collections short
        work.start()
    except Exception:  # logged here (secrets scrubbed); the serving process fails
        log.exception("the work process could not start")
        conn.send("the work process could not start (its error is above)")
        return
    conn.send("ready")
    seconds = settings.shutdown_grace_seconds
    while True:
        leader.value = work.is_leader
        try:
            if not conn.poll(0.5):
                continue
            message = conn.recv()
        except (EOFError, OSError):
            log.warning("the serving process is gone; the work process stops")
            break
        if isinstance(message, tuple):  # ("stop", seconds)
            seconds = message[1]
            break
        for job in message:
            work.submit(job)
    report = work.stop(seconds)
    leader.value = 0
    close = getattr(rt.transport, "close", None)
    if close is not None:
        close()
    rt.db.dispose()
    with contextlib.suppress(OSError):  # the serving process is gone: nobody to tell
        conn.send(report)
    # What was left is released or flagged (the report says so): threads still stuck in it
    # must not keep an orphaned work process alive.
    logging.shutdown()
    os._exit(0)
