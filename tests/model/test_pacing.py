"""The endpoint pacer on an injected clock: AIMD on 429, holds until the provider's limits
reset, Retry-After, retries, and OpenAI's header formats."""

from __future__ import annotations

import queue
import threading
import time

import httpx
import openai
import pytest

from bot.model import pacing
from bot.model.pacing import Pacer, duration, read


class Clock:
    def __init__(self) -> None:
        self.t = 0.0
        self.slept: list[float] = []

    def now(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 6))
        self.t += seconds


@pytest.fixture
def clock() -> Clock:
    return Clock()


def make(clock: Clock, limit: int = 8) -> Pacer:
    return Pacer(limit, clock=clock.now, sleep=clock.sleep)


def error(status: int, headers: dict[str, str] | None = None) -> openai.APIStatusError:
    response = httpx.Response(
        status, headers=headers or {}, request=httpx.Request("POST", "http://llm.test/v1")
    )
    kind = {429: openai.RateLimitError, 400: openai.BadRequestError}.get(
        status, openai.InternalServerError
    )
    return kind(f"status {status}", response=response, body=None)


class Raw:
    def __init__(self, headers: dict[str, str] | None = None) -> None:
        self.headers = httpx.Headers(headers or {})


# --- OpenAI's formats --------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,seconds",
    [
        ("1s", 1.0),
        ("6m0s", 360.0),
        ("20ms", 0.02),
        ("1h2m3.5s", 3723.5),
        ("0.5", 0.5),
        ("7", 7.0),
        ("250us", 0.00025),
    ],
)
def test_durations_in_openais_formats(text, seconds):
    assert duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["", "soon", "1x", "s1", "1s later"])
def test_a_duration_it_cannot_read_is_none(text):
    assert duration(text) is None


def test_rate_limit_headers_are_read():
    limits = read(
        httpx.Headers(
            {
                "X-RateLimit-Remaining-Requests": "59",
                "x-ratelimit-remaining-tokens": "149984",
                "x-ratelimit-reset-requests": "1s",
                "x-ratelimit-reset-tokens": "6m0s",
                "retry-after": "2",
            }
        )
    )
    assert limits == pacing.Limits(59, 149984, 1.0, 360.0, 2.0)
    assert read(httpx.Headers({"retry-after-ms": "20", "retry-after": "3"})).retry_after == 0.02
    assert read(None) == pacing.Limits()


# --- AIMD --------------------------------------------------------------------------------


def test_a_429_halves_the_limit_once_for_the_calls_already_in_flight(clock):
    p = make(clock, 8)
    tickets = [p.acquire() for _ in range(4)]
    p.release(tickets[0], 429, {})
    assert p.limit == 4
    for t in tickets[1:]:  # in flight when it halved: no second halving
        p.release(t, 429, {})
    assert p.limit == 4 and p.refused == 4
    p.release(p.acquire(), 429, {})  # a call started since: halves again
    assert p.limit == 2
    for _ in range(5):
        p.release(p.acquire(), 429, {})
    assert p.limit == 1  # never below one


def test_successes_add_one_per_window_up_to_the_maximum(clock):
    p = make(clock, 8)
    p.release(p.acquire(), 429, {})
    assert p.limit == 4
    for _ in range(3):
        p.release(p.acquire(), 200, {})
    assert p.limit == 4
    p.release(p.acquire(), 200, {})  # a window of 4 successes
    assert p.limit == 5
    for _ in range(100):
        p.release(p.acquire(), 200, {})
    assert p.limit == 8


def test_a_429_saying_retry_now_does_not_slow_down(clock):
    p = make(clock, 8)
    p.release(p.acquire(), 429, {"retry-after": "0"})
    assert p.limit == 8 and p.refused == 1


def test_calls_wait_for_a_free_slot():
    p = Pacer(1)
    order: list[str] = []
    first = p.acquire()

    def second() -> None:
        p.acquire()
        order.append("acquired")

    thread = threading.Thread(target=second)
    thread.start()
    order.append("released")
    p.release(first, 200, {})
    thread.join(timeout=10)
    assert order == ["released", "acquired"] and p.in_flight == 1


# --- holds until the provider's limits reset ----------------------------------------------


class CountingCondition(threading.Condition):
    """A condition that counts its waiters' wakeups."""

    def __init__(self) -> None:
        super().__init__()
        self.wakeups = 0

    def wait(self, timeout: float | None = None) -> bool:
        woke = super().wait(timeout)
        self.wakeups += 1
        return woke

    def waiting(self) -> int:
        return len(self._waiters)  # type: ignore[attr-defined]  # CPython's own list


def test_a_finished_call_wakes_one_waiter_per_free_slot_not_every_waiter():
    p = Pacer(2)
    cond = p._cond = CountingCondition()
    held = [p.acquire(), p.acquire()]
    acquired: queue.Queue[pacing.Ticket] = queue.Queue()
    waiters = [threading.Thread(target=lambda: acquired.put(p.acquire())) for _ in range(30)]
    for t in waiters:
        t.start()
    deadline = time.monotonic() + 10
    while cond.waiting() < 30 and time.monotonic() < deadline:
        time.sleep(0.001)
    for _ in range(30):  # each call that ends frees one slot, which one waiter takes
        p.release(held.pop(0), 200, {})
        held.append(acquired.get(timeout=10))
    for t in waiters:
        t.join(timeout=10)
    assert p.in_flight == 2 and acquired.empty()
    # Waking every waiter whenever a call ends: 30 + 29 + ... + 1 = 465 wakeups.
    assert cond.wakeups <= 2 * 30


def test_no_call_is_sent_when_no_request_is_left_until_the_reset(clock):
    p = make(clock)
    p.release(
        p.acquire(),
        200,
        {"x-ratelimit-remaining-requests": "1", "x-ratelimit-reset-requests": "2s"},
    )
    p.release(p.acquire(), 200, {})  # the last request of the window: no wait
    assert clock.slept == []
    p.acquire()  # none left: held until the reset
    assert clock.slept == [2.0] and clock.t == 2.0


def test_a_call_bigger_than_the_tokens_left_waits_for_the_token_reset(clock):
    p = make(clock)
    other = p.acquire()
    p.release(
        p.acquire(),
        200,
        {"x-ratelimit-remaining-tokens": "1000", "x-ratelimit-reset-tokens": "500ms"},
    )
    p.acquire(cost=600)
    assert clock.slept == []  # 1000 left
    p.acquire(cost=600)  # 400 left now
    assert clock.slept == [0.5]
    p.release(other, 200, {})


def test_retry_after_holds_every_new_call(clock):
    p = make(clock)
    p.release(p.acquire(), 429, {"retry-after": "3"})
    p.acquire()
    assert clock.slept == [3.0]


def test_known_limits_go_stale_at_their_reset(clock):
    p = make(clock)
    p.release(
        p.acquire(),
        200,
        {"x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "1s"},
    )
    clock.t += 5
    p.acquire()
    assert clock.slept == []


# --- retries -----------------------------------------------------------------------------


def test_unavailable_calls_are_retried_with_backoff_then_succeed(clock):
    p = make(clock)
    answers: list[object] = [error(500), error(429, {"retry-after": "2"}), Raw()]

    def send() -> object:
        a = answers.pop(0)
        if isinstance(a, Exception):
            raise a
        return a

    assert isinstance(p.call(send, retries=3), Raw)
    assert len(clock.slept) == 2
    assert 0.375 <= clock.slept[0] <= 0.5  # jittered first backoff
    assert clock.slept[1] == 2.0  # Retry-After; its hold is over by then
    assert p.in_flight == 0


def test_retries_are_bounded(clock):
    p = make(clock)
    calls = 0

    def send() -> object:
        nonlocal calls
        calls += 1
        raise openai.APITimeoutError(request=httpx.Request("POST", "http://llm.test/v1"))

    with pytest.raises(openai.APITimeoutError):
        p.call(send, retries=2)
    assert calls == 3 and p.in_flight == 0


def test_a_refusal_is_not_retried(clock):
    p = make(clock)
    calls = 0

    def send() -> object:
        nonlocal calls
        calls += 1
        raise error(400)

    with pytest.raises(openai.BadRequestError):
        p.call(send, retries=4)
    assert calls == 1 and clock.slept == []


def test_one_pacer_per_base_url():
    a = pacing.for_endpoint("http://a.test/v1", 16)
    assert pacing.for_endpoint("http://a.test/v1") is a and a.max == 16
    assert pacing.for_endpoint("http://b.test/v1") is not a
    pacing.for_endpoint("http://a.test/v1", 4)
    assert a.max == 4 and a.limit == 4
