"""The writer against respx routes with OpenAI's rate-limit headers: it waits out Retry-After
and an exhausted limit before calling again, halves its calls in flight on a 429, and shares
one pacer with every other caller of the same endpoint. Waits run on the fake pacing clock
(tests/conftest.py), never the wall clock."""

from __future__ import annotations

import httpx
import pytest
import respx

from bot.model import pacing
from bot.model.answers import ReplyWriter
from bot.model.structured import Modes
from bot.model.writer import OpenAIWriter
from tests.agent.test_llm_writer import GOOD, KEY, request
from tests.fakes import llm as fake_llm

BASE = "http://paced.test/v1"


@pytest.fixture
def api():
    with respx.mock(base_url=BASE, assert_all_called=False) as router:
        yield router


def make_writer(concurrency: int = 8, retries: int = 2) -> OpenAIWriter:
    return OpenAIWriter.from_settings(
        KEY,
        BASE,
        "gpt-4o-mini",
        timeout=5,
        max_retries=retries,
        concurrency=concurrency,
        http_client=httpx.Client(),
    )


def ok_with(headers: dict[str, str]) -> httpx.Response:
    response = fake_llm.ok(GOOD)
    response.headers.update(headers)
    return response


def test_retry_after_is_waited_before_the_retry(api, pacing_clock):
    route = api.post("/chat/completions").mock(
        side_effect=[fake_llm.rate_limited("7"), fake_llm.ok(GOOD)]
    )
    w = make_writer().write(request())
    assert w.problems == [] and w.subject == "Acme's data team"
    assert route.call_count == 2
    assert pacing_clock.slept == [7.0]


def test_a_spent_request_limit_holds_the_next_call_until_it_resets(api, pacing_clock):
    route = api.post("/chat/completions").mock(
        side_effect=[
            ok_with({"x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "3s"}),
            fake_llm.ok(GOOD),
        ]
    )
    writer = make_writer()
    writer.write(request())
    assert pacing_clock.slept == []
    writer.write(request())
    assert pacing_clock.slept == [3.0] and route.call_count == 2  # waited, never refused


def test_a_429_halves_the_calls_in_flight_and_successes_win_them_back(api):
    api.post("/chat/completions").mock(
        side_effect=[fake_llm.rate_limited("1"), *[fake_llm.ok(GOOD) for _ in range(6)]]
    )
    writer = make_writer(concurrency=8)
    writer.write(request())
    assert writer.pacer.limit == 4 and writer.pacer.refused == 1
    for _ in range(4):  # one success already counted; a window is 4
        writer.write(request())
    assert writer.pacer.limit == 5


def test_the_sdk_does_not_retry_behind_the_pacers_back(api):
    route = api.post("/chat/completions").mock(return_value=fake_llm.server_error())
    w = make_writer(retries=3).write(request())
    assert w.wait == "model unavailable: InternalServerError"
    assert route.call_count == 4  # the pacer's 3 retries, none of the SDK's on top


def test_every_caller_of_an_endpoint_shares_its_pacer(api):
    writer = make_writer(concurrency=12)
    answers = ReplyWriter(writer.client, "gpt-4o-mini", Modes())
    assert answers.structured.pacer is writer.pacer is pacing.for_endpoint(BASE + "/")
    assert writer.pacer.max == 12
