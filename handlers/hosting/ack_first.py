"""Acks before background work.

A decision or a send that holds a CPU while a burst of clicks is being acknowledged makes
the acks behind it wait: for the GIL when the work runs in the serving process (tests), for
a core when it runs in the work process (`serve`) and the cores are busy. Slack times the
ack; a decision only has to follow. So decisions, modal openings and sends wait, before each
one starts, until no Slack request has been answered for `quiet` seconds, but never longer
than `max_wait` (sends: 1 s), so they still progress under sustained load.

"Answered recently" rather than "in flight": the event loop runs each ack start to finish
without yielding, so a count of requests inside the app is almost always zero even while
hundreds wait in the loop's queue. The time of the last answer is one double, in memory the
work process shares (`last`), on the monotonic clock, which is the machine's, not the
process's."""

from __future__ import annotations

import ctypes
import time


class AckFirst:
    def __init__(
        self,
        max_wait: float = 0.1,
        quiet: float = 0.02,
        poll: float = 0.005,
        last: ctypes.c_double | None = None,
    ):
        self.max_wait = max_wait
        # Longer than the GIL's switch interval (5 ms): a work thread that just held the GIL
        # for one interval must not read the gap it caused as quiet.
        self.quiet = quiet
        self.poll = poll
        # A multiprocessing RawValue("d") to share with the work process, else a plain one.
        self.last = last if last is not None else ctypes.c_double(0.0)

    def answered(self) -> None:
        """On the event loop, after each Slack request (one store of a double: no lock)."""
        self.last.value = time.monotonic()

    def wait(self, at_most: float | None = None) -> None:
        """On a work thread, before each piece of work starts."""
        until = time.monotonic() + (self.max_wait if at_most is None else at_most)
        while True:
            now = time.monotonic()
            if now - self.last.value >= self.quiet or now >= until:
                return
            time.sleep(self.poll)
