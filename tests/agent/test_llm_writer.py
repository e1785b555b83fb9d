"""OpenAIWriter against respx routes that answer with the real shapes of the OpenAI API.

The SDK (openai>=3) talks through httpx2, which respx does not patch, so the writer is built
with a plain `httpx.Client` (`from_settings(..., http_client=...)`); the SDK's retry logic is
the same for both. Backoff sleeps are patched to zero, and the delays the SDK computed are
recorded so a test can check that Retry-After is honoured.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import asdict

import httpx
import pytest
import respx

from bot.config.agents import AgentSpec, PlaySpec
from bot.core.drafting import DraftRequest, Fact, Written
from bot.model.writer import OpenAIWriter
from tests.fakes import llm as fake_llm
from tests.fakes.llm import claim, draft_content

BASE = "http://llm.test/v1"
KEY = "sk-test-Zq9fXw3Lr8Tn2Vb7Km4Hs6Jd"
MAX_RETRIES = 2

AGENT = AgentSpec(
    id="data-platform",
    name="Data Platform",
    owner="U0AM00001",
    channel="C0CHAN001",
    goal="Book a call with heads of data who are scaling their team.",
    signals={"hiring": 1.0},
    persona={"titles": ["Head of Data"]},
    plays=["hiring-data"],
    mailbox="Sam Lee <sam@vendor.test>",
    banned_phrases=["synergy"],
    instructions="Short, concrete, no hype.",
)
PLAY = PlaySpec(
    id="hiring-data",
    name="Hiring data engineers",
    subject="{{ account.name }} and {{ signal.summary }}",
    trigger=["hiring"],
    body="Hi {{ contact.first_name }},\n\n{{ signal.detail }}\n\n{{ capability.proof }}\n\n"
    "{{ sender.name }}",
)
FACTS = [
    Fact("contact:c-7:first_name", "contact.first_name", "Ana"),
    Fact("account:a-1:name", "account.name", "Acme"),
    Fact("signal:12", "signal.summary", "hiring 4 data engineers"),
    Fact("signal:12:detail", "signal.detail", "Acme posted 4 data engineer roles on May 2."),
    Fact("capability:pipes:proof", "capability.proof", "Cut pipeline costs 30% at Globex."),
    Fact("agent:data-platform:sender", "sender.name", "Sam Lee"),
]


def request(budget: int | None = 10_000, facts: list[Fact] = FACTS) -> DraftRequest:
    return DraftRequest(AGENT, PLAY, {f.slot: f for f in facts}, 0.8, token_budget_left=budget)


GOOD = draft_content(
    subject="Acme's data team",
    body="Hi Ana,\n\nSaw Acme posted 4 data engineer roles. We cut pipeline costs 30% at Globex."
    "\n\nSam Lee",
    claims=[
        claim("Acme posted 4 data engineer roles", "signal:12:detail", "account:a-1:name"),
        claim("We cut pipeline costs 30% at Globex", "capability:pipes:proof"),
    ],
    confidence=0.82,
)


@pytest.fixture
def backoff_delays(pacing_clock) -> list[float]:
    """The pacer's retry delays, waited on a fake clock (tests/conftest.py)."""
    return pacing_clock.slept


@pytest.fixture
def api():
    with respx.mock(base_url=BASE, assert_all_called=False) as router:
        yield router


@pytest.fixture
def writer() -> OpenAIWriter:
    return make_writer()


def make_writer(concurrency: int = 16, api_key: str | None = KEY) -> OpenAIWriter:
    return OpenAIWriter.from_settings(
        api_key,
        BASE,
        "gpt-4o-mini",
        timeout=5,
        max_retries=MAX_RETRIES,
        concurrency=concurrency,
        http_client=httpx.Client(),
    )


def sent(route: respx.Route) -> dict:
    return json.loads(route.calls.last.request.content)


def assert_no_draft(w: Written) -> None:
    assert (w.subject, w.body, w.used, w.confidence) == ("", "", [], 0.0)


# --- success and grounding -------------------------------------------------------------------


def test_grounded_draft_uses_the_cited_facts(api, writer):
    route = api.post("/chat/completions").mock(return_value=fake_llm.ok(GOOD))
    w = writer.write(request())
    assert route.call_count == 1
    assert w.subject == "Acme's data team"
    assert w.body.startswith("Hi Ana,") and w.body.endswith("Sam Lee\n")
    # Every fact the text carries, claimed or not (measured, not the model's list).
    assert [f.id for f in w.used] == [
        "contact:c-7:first_name",
        "account:a-1:name",
        "signal:12",
        "signal:12:detail",
        "capability:pipes:proof",
        "agent:data-platform:sender",
    ]
    assert w.problems == [] and w.wait == "" and w.missing == []
    assert w.provider == "openai:gpt-4o-mini"
    assert w.tokens == 412 + 96
    # Measured: match 0.8 x every slot filled x both claims in the body; 0.82 was self-rated.
    assert w.confidence == 0.8 and w.self_rating == 0.82


def test_request_carries_model_schema_and_every_fact_id(api, writer):
    route = api.post("/chat/completions").mock(return_value=fake_llm.ok(GOOD))
    writer.write(request())
    body = sent(route)
    assert body["model"] == "gpt-4o-mini"
    fmt = body["response_format"]
    assert fmt["type"] == "json_schema"
    assert fmt["json_schema"]["name"] == "draft" and fmt["json_schema"]["strict"] is True
    schema = fmt["json_schema"]["schema"]
    assert set(schema["required"]) == {"subject", "body", "claims", "confidence"}
    assert schema["additionalProperties"] is False
    system, user = body["messages"]
    assert system["role"] == "system" and user["role"] == "user"
    assert AGENT.goal in system["content"] and "synergy" in system["content"]
    assert "Short, concrete, no hype." in system["content"]
    fenced = user["content"].split("<facts>\n", 1)[1].split("\n</facts>", 1)[0]
    assert json.loads(fenced) == [{"id": f.id, "slot": f.slot, "text": f.text} for f in FACTS]
    assert "{{ signal.detail }}" in user["content"]
    assert route.calls.last.request.headers["authorization"] == f"Bearer {KEY}"


def test_claim_citing_no_fact_or_an_unknown_fact_is_flagged(api, writer):
    content = draft_content(
        claims=[
            claim("Acme posted 4 data engineer roles", "signal:12:detail"),
            claim("Acme just raised a Series C"),
            claim("Acme's CTO loves Rust", "signal:99", "account:a-1:name"),
        ]
    )
    api.post("/chat/completions").mock(return_value=fake_llm.ok(content))
    w = writer.write(request())
    assert w.problems == [
        "ungrounded claim: 'Acme just raised a Series C'",
        "ungrounded claim: 'Acme's CTO loves Rust'",
    ]
    assert [f.id for f in w.used] == ["contact:c-7:first_name", "signal:12"]
    assert w.confidence == 0.0  # the one well-cited claim is not in the body
    assert w.subject and w.body  # the human sees the draft and the reasons


def test_no_claims_and_invented_links_are_flagged(api, writer):
    content = draft_content(body="Hi Ana, see https://vendor.test/case-study.", claims=[])
    api.post("/chat/completions").mock(return_value=fake_llm.ok(content))
    w = writer.write(request())
    assert w.problems == [
        "model cited no facts: nothing in the draft is checked",
        "link not in any fact: https://vendor.test/case-study.",
    ]


@pytest.mark.parametrize(("rated", "kept"), [(1.7, 1.0), (-0.3, 0.0), (1, 1.0)])
def test_self_rating_is_clipped_and_not_the_confidence(api, writer, rated, kept):
    api.post("/chat/completions").mock(return_value=fake_llm.ok({**GOOD, "confidence": rated}))
    w = writer.write(request())
    assert w.self_rating == kept and w.confidence == 0.8


def test_slots_without_a_fact_are_missing(api, writer):
    api.post("/chat/completions").mock(return_value=fake_llm.ok(GOOD))
    facts = [f for f in FACTS if f.slot != "signal.detail"]
    w = writer.write(request(facts=facts))
    assert w.missing == ["signal.detail"]
    # The model cited the detail we did not give it: that claim is not backed.
    assert w.problems == ["ungrounded claim: 'Acme posted 4 data engineer roles'"]
    assert [f.id for f in w.used] == [
        "contact:c-7:first_name",
        "account:a-1:name",
        "signal:12",
        "capability:pipes:proof",
        "agent:data-platform:sender",
    ]


# --- output we will not use ----------------------------------------------------------------


def test_refusal_goes_to_a_human(api, writer):
    api.post("/chat/completions").mock(return_value=fake_llm.refused())
    w = writer.write(request())
    assert_no_draft(w)
    assert w.problems == ["model refused: I'm sorry, I can't help with that request."]
    assert w.wait == "" and w.tokens == 508


def test_malformed_json_is_rejected_after_one_repair_and_both_calls_count(api, writer):
    bad = '{"subject": "Hi", "body": '
    route = api.post("/chat/completions").mock(return_value=fake_llm.ok(bad))
    w = writer.write(request())
    assert_no_draft(w)
    assert route.call_count == 2  # the answer, then one repair request
    assert w.problems == [
        "model output rejected: not JSON (Expecting value at char 25) (after one repair)"
    ]
    assert w.tokens == 2 * 508 and w.wait == ""
    first = json.loads(route.calls[0].request.content)["messages"]
    repair = sent(route)["messages"]
    assert repair[:2] == first
    assert repair[2] == {"role": "assistant", "content": bad}
    assert repair[3]["role"] == "user"
    assert "not JSON (Expecting value at char 25)" in repair[3]["content"]


@pytest.mark.parametrize(
    ("content", "where"),
    [
        ({"subject": "Hi", "body": "Hello"}, "claims"),
        ({**GOOD, "confidence": "high"}, "confidence"),
        ({**GOOD, "claims": [{"text": "x", "fact_ids": "signal:12"}]}, "claims.0.fact_ids"),
        ({**GOOD, "tone": "warm"}, "tone"),
        ([GOOD], "result"),
    ],
)
def test_schema_mismatch_is_rejected(api, writer, content, where):
    raw = json.dumps(content)
    api.post("/chat/completions").mock(return_value=fake_llm.ok(raw))
    w = writer.write(request())
    assert_no_draft(w)
    assert w.problems[0].startswith(f"model output rejected: schema mismatch at {where}")


def test_empty_body_is_rejected(api, writer):
    api.post("/chat/completions").mock(return_value=fake_llm.ok({**GOOD, "body": "  "}))
    assert writer.write(request()).problems == [
        "model output rejected: empty subject or body (after one repair)"
    ]


def test_output_cut_at_the_token_limit_is_rejected(api, writer):
    truncated = json.dumps(GOOD)[:80]
    api.post("/chat/completions").mock(
        return_value=fake_llm.ok(truncated, finish_reason="length", completion_tokens=64)
    )
    w = writer.write(request())
    assert_no_draft(w)
    assert w.problems == ["model output rejected: cut off at the token limit"]
    assert w.tokens == 412 + 64


def test_code_fenced_json_from_a_local_server_is_accepted(api, writer):
    fenced = "```json\n" + json.dumps(GOOD) + "\n```"
    api.post("/chat/completions").mock(return_value=fake_llm.ok(fenced))
    w = writer.write(request())
    assert w.problems == [] and w.subject == "Acme's data team"


# --- API errors, retries, budget -------------------------------------------------------------


def test_429_is_retried_by_the_sdk_then_drafts_once(api, writer, backoff_delays):
    route = api.post("/chat/completions").mock(
        side_effect=[fake_llm.rate_limited("0"), fake_llm.ok(GOOD)]
    )
    w = writer.write(request())
    assert route.call_count == 2
    assert w.problems == [] and w.wait == "" and w.subject == "Acme's data team"
    assert len(backoff_delays) == 1


def test_retry_after_is_honoured(api, writer, backoff_delays):
    api.post("/chat/completions").mock(side_effect=[fake_llm.rate_limited("7"), fake_llm.ok(GOOD)])
    writer.write(request())
    assert backoff_delays == [7.0]


def test_backoff_grows_between_retries(api, writer, backoff_delays):
    api.post("/chat/completions").mock(return_value=fake_llm.server_error())
    writer.write(request())
    assert len(backoff_delays) == MAX_RETRIES
    assert 0 < backoff_delays[0] < backoff_delays[1]


def test_a_plain_500_beyond_the_retries_waits_without_trying_other_modes(api, writer):
    route = api.post("/chat/completions").mock(return_value=fake_llm.server_error())
    w = writer.write(request())
    assert route.call_count == MAX_RETRIES + 1
    formats = [json.loads(c.request.content)["response_format"]["type"] for c in route.calls]
    assert formats == ["json_schema"] * (MAX_RETRIES + 1)
    assert w.wait == "model unavailable: InternalServerError"
    assert w.problems == [] and w.tokens == 0
    assert_no_draft(w)


def test_a_format_refused_on_every_mode_waits(api, writer):
    route = api.post("/chat/completions").mock(return_value=fake_llm.format_refused())
    w = writer.write(request())
    # A 500 naming the format is a refusal (llama.cpp's): every mode is tried, with retries.
    assert route.call_count == 3 * (MAX_RETRIES + 1)
    formats = [json.loads(c.request.content).get("response_format") for c in route.calls]
    assert [f["type"] if f else None for f in formats] == (
        ["json_schema"] * 3 + ["json_object"] * 3 + [None] * 3
    )
    error = "500 " + " ".join(fake_llm.FORMAT_REFUSED.split())
    assert w.wait == (
        f"model unavailable: every mode failed (json_schema: {error}; json_object: {error}; "
        f"prompt: {error})"
    )
    assert w.problems == [] and w.tokens == 0
    assert_no_draft(w)
    # Nothing was learned: the next draft probes from the top again.
    route.mock(return_value=fake_llm.ok(GOOD))
    assert writer.write(request()).problems == []
    assert sent(route)["response_format"]["type"] == "json_schema"


def test_500_once_the_mode_is_known_waits_without_probing(api, writer):
    route = api.post("/chat/completions").mock(return_value=fake_llm.ok(GOOD))
    writer.write(request())
    route.mock(return_value=fake_llm.server_error())
    w = writer.write(request())
    assert route.call_count == 1 + MAX_RETRIES + 1
    assert w.wait == "model unavailable: InternalServerError"


def test_429_beyond_the_retries_waits(api, writer):
    api.post("/chat/completions").mock(return_value=fake_llm.rate_limited("0"))
    assert writer.write(request()).wait == "model unavailable: RateLimitError"


def test_timeout_waits(api, writer):
    route = api.post("/chat/completions").mock(side_effect=httpx.ReadTimeout("read timed out"))
    w = writer.write(request())
    assert route.call_count == MAX_RETRIES + 1
    assert w.wait == "model unavailable: APITimeoutError"
    assert_no_draft(w)


def test_connection_refused_waits(api, writer):
    api.post("/chat/completions").mock(side_effect=httpx.ConnectError("connection refused"))
    assert writer.write(request()).wait == "model unavailable: APIConnectionError"


def test_400_on_every_mode_is_a_problem_naming_the_modes_not_a_retry(api, writer):
    route = api.post("/chat/completions").mock(return_value=fake_llm.bad_request())
    w = writer.write(request())
    assert route.call_count == 3  # one per mode; the SDK does not retry a 400
    error = "400 Invalid schema for response_format 'draft'."
    assert w.problems == [
        f"the server refused every structured-output mode (json_schema: {error}; "
        f"json_object: {error}; prompt: {error})"
    ]
    assert w.wait == ""
    assert_no_draft(w)


def test_unknown_model_is_a_problem_at_once(api, writer):
    route = api.post("/chat/completions").mock(return_value=fake_llm.not_found("gpt-4o-mini"))
    w = writer.write(request())
    assert route.call_count == 1  # a 404 is not a refused mode: no fallback
    assert w.problems == [
        "model error 404: The model `gpt-4o-mini` does not exist or you do not have access to it."
    ]


def test_api_key_never_appears_in_a_result_or_a_log(api, writer, caplog):
    caplog.set_level(logging.DEBUG)
    route = api.post("/chat/completions")
    outcomes = [
        fake_llm.unauthorized(KEY),
        fake_llm.bad_request(f"response_format not supported for key {KEY}"),
        fake_llm.unauthorized("sk-test-Zq9f***************Hs6Jd"),
        fake_llm.refused(f"No. Your key is {KEY}"),
        fake_llm.ok(draft_content(claims=[claim(f"key {KEY}")])),
        fake_llm.server_error(),
    ]
    for response in outcomes:
        route.mock(return_value=response)
        w = writer.write(request())
        assert w.problems or w.wait
        assert KEY not in repr(asdict(w))
        assert "Zq9f" not in repr(asdict(w))
    assert KEY not in caplog.text


def test_spent_budget_makes_no_call(api, writer):
    route = api.post("/chat/completions").mock(return_value=fake_llm.ok(GOOD))
    for left in (0, -120):
        w = writer.write(request(budget=left))
        assert w.wait == "daily token budget spent"
        assert w.tokens == 0 and w.problems == []
    assert not route.called
    assert writer.write(request(budget=None)).problems == []
    assert writer.write(request(budget=1)).problems == []
    assert route.call_count == 2


def test_local_server_needs_no_key(api):
    route = api.post("/chat/completions").mock(return_value=fake_llm.ok(GOOD))
    w = make_writer(api_key=None).write(request())
    assert w.problems == [] and route.call_count == 1


def test_no_key_and_no_base_url_is_a_clear_error():
    with pytest.raises(ValueError, match="OPENAI_API_KEY"):
        OpenAIWriter.from_settings(None, None, "gpt-4o-mini")


# --- concurrency -----------------------------------------------------------------------------


def test_at_most_concurrency_calls_in_flight(api):
    lock = threading.Lock()
    state = {"now": 0, "max": 0}

    def slow(req: httpx.Request) -> httpx.Response:
        with lock:
            state["now"] += 1
            state["max"] = max(state["max"], state["now"])
        time.sleep(0.05)
        with lock:
            state["now"] -= 1
        return fake_llm.ok(GOOD)

    route = api.post("/chat/completions").mock(side_effect=slow)
    writer = make_writer(concurrency=2)
    results: list[Written] = []
    threads = [
        threading.Thread(target=lambda: results.append(writer.write(request()))) for _ in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert route.call_count == 8 and len(results) == 8
    assert all(w.problems == [] for w in results)
    assert state["max"] == 2


def test_completion_cap_is_sent_only_when_set(api, writer):
    route = api.post("/chat/completions").mock(return_value=fake_llm.ok(GOOD))
    writer.write(request())
    assert "max_completion_tokens" not in sent(route)
    capped = OpenAIWriter.from_settings(
        KEY, BASE, "gpt-4o-mini", max_completion_tokens=600, http_client=httpx.Client()
    )
    capped.write(request())
    assert sent(route)["max_completion_tokens"] == 600
