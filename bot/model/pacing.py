"""Model calls paced by the provider's own limits, one pacer per endpoint in the process.

Every caller of one base URL (drafts, reply answers, reply triage) shares a pacer, because the
provider counts them together. The pacer

- bounds calls in flight by a limit that starts at the configured maximum and moves by AIMD:
  +1 after a window of successes (as many as the limit), halved by a 429 that asks us to slow
  down, at most once per window: calls already in flight when it halved do not halve it again;
- reads OpenAI's rate-limit headers (x-ratelimit-remaining-requests / -tokens and their
  resets, Retry-After) and, when what is left is about to run out, holds new calls until the
  reset instead of sending calls that will be refused;
- owns the retries (the SDK's are off): 408, 409, 429, 5xx, timeouts and dropped connections
  are retried a bounded number of times with backoff honouring Retry-After, outside any slot,
  so a backoff never holds a slot and every 429 reaches the limit logic.

A 429 saying "retry now" (Retry-After: 0) is a refusal of one call, not a sign of a limit
reached, so it is retried without slowing down. Clock, sleep and jitter are injected so tests
run without waiting.
"""

from __future__ import annotations

import logging
import random
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

import openai

log = logging.getLogger(__name__)

R = TypeVar("R")

DEFAULT_LIMIT = 32
RETRYABLE = (408, 409, 429)  # and every 5xx, as the SDK did
BACKOFF = 0.5  # seconds before the first retry without Retry-After; doubles, up to MAX_BACKOFF
MAX_BACKOFF = 8.0
MAX_RETRY_AFTER = 60.0  # a longer Retry-After is not waited for inside one call
# The clock and the wait of pacers made by `for_endpoint`; tests swap in a fake clock.
CLOCK: Callable[[], float] = time.monotonic
SLEEP: Callable[[float], None] = time.sleep
_UNIT = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001, "us": 1e-6, "µs": 1e-6, "ns": 1e-9}
_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|us|µs|ns|h|m|s)")


def duration(text: str | None) -> float | None:
    """Seconds in OpenAI's reset format ("1s", "6m0s", "20ms", "1h2m3.5s") or a plain number."""
    if text is None:
        return None
    text = text.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    parts = _PART.findall(text)
    if not parts or "".join(n + u for n, u in parts) != text:
        return None
    return sum(float(n) * _UNIT[u] for n, u in parts)


@dataclass(frozen=True)
class Limits:
    """What one response says of the provider's limits; None where it says nothing."""

    remaining_requests: int | None = None
    remaining_tokens: int | None = None
    reset_requests: float | None = None  # seconds until the request count is full again
    reset_tokens: float | None = None
    retry_after: float | None = None


def read(headers: Mapping[str, str] | None) -> Limits:
    """The rate-limit headers of a response (names are case-insensitive in httpx)."""
    if not headers:
        return Limits()
    retry_after = None
    ms = headers.get("retry-after-ms")
    if ms is not None:
        try:
            retry_after = max(0.0, float(ms) / 1000)
        except ValueError:
            retry_after = None
    if retry_after is None:
        retry_after = duration(headers.get("retry-after"))
    return Limits(
        remaining_requests=_int(headers.get("x-ratelimit-remaining-requests")),
        remaining_tokens=_int(headers.get("x-ratelimit-remaining-tokens")),
        reset_requests=duration(headers.get("x-ratelimit-reset-requests")),
        reset_tokens=duration(headers.get("x-ratelimit-reset-tokens")),
        retry_after=retry_after,
    )


def _int(text: str | None) -> int | None:
    try:
        return int(float(text)) if text is not None else None
    except ValueError:
        return None


@dataclass(frozen=True)
class Ticket:
    epoch: int  # the limit's epoch when the call started: one halving per epoch


class Pacer:
    """The calls in flight to one endpoint, and when the next may start. Thread-safe."""

    def __init__(
        self,
        limit: int = DEFAULT_LIMIT,
        *,
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], None] | None = None,
        rng: random.Random | None = None,
    ):
        self.max = max(1, limit)
        self.limit = self.max
        self.in_flight = 0
        self.refused = 0  # 429s seen, for benchmarks and status
        self.clock = clock or CLOCK
        self.sleep = sleep or SLEEP
        self._rng = rng or random.Random()
        self._cond = threading.Condition()
        self._epoch = 0
        self._successes = 0
        self._hold_until = 0.0  # no call starts before this (Retry-After)
        # What the provider said is left, counted down by each call started since.
        self._requests_left: int | None = None
        self._requests_reset = 0.0
        self._tokens_left: int | None = None
        self._tokens_reset = 0.0

    def set_max(self, limit: int) -> None:
        with self._cond:
            self.max = max(1, limit)
            self.limit = min(self.limit, self.max) if self._epoch else self.max
            self._cond.notify_all()

    # --- slots ---------------------------------------------------------------------------

    def acquire(self, cost: int = 0) -> Ticket:
        """Wait for a slot, and past any hold the provider's limits call for."""
        while True:
            with self._cond:
                now = self.clock()
                until = self._held(now, cost)
                if until <= now:
                    if self.in_flight < self.limit:
                        self.in_flight += 1
                        if self._requests_left is not None:
                            self._requests_left -= 1
                        if self._tokens_left is not None:
                            self._tokens_left -= cost
                        return Ticket(self._epoch)
                    self._cond.wait()
                    continue
            self.sleep(until - now)  # outside the lock: others may finish meanwhile

    def _held(self, now: float, cost: int) -> float:
        """When a call costing `cost` tokens may start (now or earlier: at once)."""
        until = self._hold_until
        if now >= self._requests_reset:
            self._requests_left = None  # the window reset: what we knew is stale
        if now >= self._tokens_reset:
            self._tokens_left = None
        if self._requests_left is not None and self._requests_left <= 0:
            until = max(until, self._requests_reset)
        # A call costing more than a full window could never start: let it go when empty.
        if self._tokens_left is not None and self._tokens_left < cost and self.in_flight:
            until = max(until, self._tokens_reset)
        return until

    def release(self, ticket: Ticket, status: int | None, headers: Mapping[str, str] | None):
        """Account one finished call: its status (None: no answer) and its headers."""
        limits = read(headers)
        with self._cond:
            now = self.clock()
            self.in_flight -= 1
            if limits.remaining_requests is not None and limits.reset_requests is not None:
                self._requests_left = limits.remaining_requests
                self._requests_reset = now + limits.reset_requests
            if limits.remaining_tokens is not None and limits.reset_tokens is not None:
                self._tokens_left = limits.remaining_tokens
                self._tokens_reset = now + limits.reset_tokens
            if status == 429:
                self.refused += 1
                if limits.retry_after:
                    # Held at most MAX_RETRY_AFTER: a longer wait is the caller's to make
                    # (a draft waits for a later tick), not every caller's of this endpoint.
                    hold = min(limits.retry_after, MAX_RETRY_AFTER)
                    self._hold_until = max(self._hold_until, now + hold)
                if limits.retry_after != 0 and ticket.epoch == self._epoch:
                    self.limit = max(1, self.limit // 2)
                    self._epoch += 1
                    self._successes = 0
                    log.info("model endpoint refused a call: %d calls at once now", self.limit)
            elif status is not None and status < 400:
                self._successes += 1
                if self._successes >= self.limit:
                    self._successes = 0
                    self.limit = min(self.max, self.limit + 1)
            # Wake as many waiters as there are free slots, not all of them: with a few
            # hundred drafting threads, waking every waiter on every answer cost more
            # interpreter time than the answers.
            self._cond.notify(max(0, self.limit - self.in_flight))

    # --- calls ---------------------------------------------------------------------------

    def call(self, send: Callable[[], R], *, cost: int = 0, retries: int = 2) -> R:
        """`send()` in a slot, retried up to `retries` times when the provider is unavailable.
        `send` returns a raw response (with `.headers`) or raises the SDK's errors."""
        attempt = 0
        while True:
            ticket = self.acquire(cost)
            try:
                raw = send()
            except openai.APIStatusError as exc:
                self.release(ticket, exc.status_code, exc.response.headers)
                if attempt >= retries or not retryable(exc.status_code):
                    raise
                delay = self.backoff(attempt, read(exc.response.headers).retry_after)
            except (openai.APITimeoutError, openai.APIConnectionError):
                self.release(ticket, None, None)
                if attempt >= retries:
                    raise
                delay = self.backoff(attempt, None)
            except BaseException:
                self.release(ticket, None, None)
                raise
            else:
                self.release(ticket, 200, getattr(raw, "headers", None))
                return raw
            attempt += 1
            self.sleep(delay)

    def backoff(self, attempt: int, retry_after: float | None) -> float:
        """Retry-After when the server gave a usable one, else jittered exponential."""
        if retry_after is not None and retry_after <= MAX_RETRY_AFTER:
            return retry_after
        return min(MAX_BACKOFF, BACKOFF * 2**attempt) * (1 - 0.25 * self._rng.random())


def retryable(status: int) -> bool:
    return status in RETRYABLE or status >= 500


_pacers: dict[str, Pacer] = {}
_lock = threading.Lock()


def for_endpoint(base_url: str, limit: int | None = None) -> Pacer:
    """The process's pacer for this base URL; `limit` (when given) sets its maximum."""
    with _lock:
        pacer = _pacers.get(base_url)
        if pacer is None:
            pacer = _pacers[base_url] = Pacer(limit or DEFAULT_LIMIT)
        elif limit is not None and limit != pacer.max:
            pacer.set_max(limit)
        return pacer
