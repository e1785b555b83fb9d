"""Acks before background work.

One process has one GIL. While a burst of clicks is being acknowledged, a work thread that
holds the GIL makes every ack behind it wait up to the switch interval (5 ms): decisions
and sends kept the GIL about half the time and doubled the ack p99 at 200 concurrent
clicks. Slack times the ack; a decision only has to follow. So decisions, modal openings and
sends wait, before each one starts, until no Slack request has been answered for `quiet`
seconds, but never longer than `max_wait` (sends: 1 s), so they still progress under
sustained load.

"Answered recently" rather than "in flight": the event loop runs each ack start to finish
without yielding, so a count of requests inside the app is almost always zero even while
hundreds wait in the loop's queue."""

from __future__ import annotations

import time


class AckFirst:
    def __init__(self, max_wait: float = 0.1, quiet: float = 0.02, poll: float = 0.005):
        self.max_wait = max_wait
        # Longer than the GIL's switch interval (5 ms): a work thread that just held the GIL
        # for one interval must not read the gap it caused as quiet.
        self.quiet = quiet
        self.poll = poll
        self._last = 0.0

    def answered(self) -> None:
        """On the event loop, after each Slack request (one float store: no lock)."""
        self._last = time.monotonic()

    def wait(self, at_most: float | None = None) -> None:
        """On a work thread, before each piece of work starts."""
        until = time.monotonic() + (self.max_wait if at_most is None else at_most)
        while True:
            now = time.monotonic()
            if now - self._last >= self.quiet or now >= until:
                return
            time.sleep(self.poll)
