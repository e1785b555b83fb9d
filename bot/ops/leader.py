"""Which replica runs the scheduler's jobs.

Every replica serves HTTP, handles decisions and sends mail (claims make that safe); only
the leader runs scheduled jobs. Leadership is a lock that dies with its holder (storage/
leader.py). A background thread tries for it every TWOLOOP_LEADER_POLL_SECONDS, and while
it holds it, checks it on the same interval; a failed check (the database connection
broke, or the lock is gone) drops leadership at once, so a cut-off leader stops starting
jobs before another replica can have taken over for long. Tick claims (bot/ops/ticks.py)
cover the overlap that remains.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from bot import process
from storage.leader import lock_for

log = logging.getLogger(__name__)


class Leadership:
    def __init__(
        self,
        db_url: str,
        *,
        poll_seconds: float = 5.0,
        on_gain: Callable[[], None] | None = None,
        on_loss: Callable[[], None] | None = None,
    ):
        self.owner = process.owner()
        self.poll = poll_seconds
        self.lock = lock_for(db_url, self.owner, timeout=max(2.0, poll_seconds))
        self.on_gain, self.on_loss = on_gain, on_loss
        self._leader = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="leader", daemon=True)

    @property
    def is_leader(self) -> bool:
        return self._leader.is_set() and not self._stop.is_set()

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        waiting_logged = False
        while not self._stop.is_set():
            try:
                if self._leader.is_set():
                    if not self.lock.held():
                        self._lose("the lock is no longer held")
                elif self.lock.try_acquire():
                    self._gain()
                elif not waiting_logged:
                    log.info("standby: another replica runs the scheduler")
                    waiting_logged = True
            except Exception as exc:  # noqa: BLE001 - a broken connection is a lost lock
                if self._leader.is_set():
                    self._lose(f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}")
                else:
                    log.warning("leader lock unavailable: %s", type(exc).__name__)
                self.lock.reset()
            self._stop.wait(self.poll)

    def _gain(self) -> None:
        self._leader.set()
        log.info("leader: %s now runs the scheduler", self.owner)
        if self.on_gain is not None:
            try:
                self.on_gain()
            except Exception:
                log.exception("after becoming leader")

    def _lose(self, why: str) -> None:
        self._leader.clear()
        self.lock.reset()
        log.error("leadership lost (%s): scheduled jobs stop here", why)
        if self.on_loss is not None:
            try:
                self.on_loss()
            except Exception:
                log.exception("after losing leadership")

    def stop(self, timeout: float = 5.0) -> bool:
        """Release the lock (another replica takes over on its next poll); True if we held it."""
        self._stop.set()
        self._thread.join(timeout)
        was = self._leader.is_set()
        self._leader.clear()
        try:
            if was:
                self.lock.release()
        except Exception:  # noqa: BLE001 - closing the connection releases it anyway
            self.lock.reset()
        self.lock.close()
        return was
