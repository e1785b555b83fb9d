"""Structured output on the servers people run (bot/model/structured.py): strict json_schema,
else json_object with the schema, else JSON asked for in the prompt; the mode that answers is
remembered (in the database, for a restart), and output that does not validate gets one repair.

respx routes stand in for the servers, as in tests/agent/test_llm_writer.py (a plain
`httpx.Client` handed to the SDK); the Runtime test needs the SDK's own client, so it talks to
a loopback server instead. Backoff sleeps are zero.
"""

from __future__ import annotations

import json
import logging
import threading
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import openai
import pytest
import respx

from bot.mail.triage import routing as triage
from bot.mail.triage.model import TRIAGE_SCHEMA, LLMClassifier
from bot.mail.triage.rules import RuleClassifier
from bot.model.structured import Modes
from bot.model.writer import DRAFT_SCHEMA, OpenAIWriter
from bot.runtime import Runtime
from storage import model_endpoints
from tests.agent.test_llm_writer import BASE, GOOD, KEY, MAX_RETRIES, request
from tests.conftest import make_settings
from tests.fakes import llm as fake_llm
from tests.mail.test_triage import verdict

TODAY = date(2025, 3, 10)
NOW = datetime(2025, 3, 10, 9, 30, tzinfo=UTC)
ENDPOINT = f"{BASE} gpt-4o-mini"
SCHEMA_RULE = json.dumps(DRAFT_SCHEMA, separators=(",", ":"))


@pytest.fixture(autouse=True)
def instant_backoff(monkeypatch) -> None:
    monkeypatch.setattr(openai.OpenAI, "_calculate_retry_timeout", lambda self, *a, **k: 0.0)


@pytest.fixture
def api():
    with respx.mock(base_url=BASE, assert_all_called=False) as router:
        yield router


class MemoryStore:
    """A `ModeStore` that records what would be persisted."""

    def __init__(self, known: dict[str, str] | None = None):
        self.known = dict(known or {})
        self.saved: list[tuple[str, str, str]] = []

    def load(self) -> dict[str, str]:
        return dict(self.known)

    def save(self, endpoint: str, mode: str, detail: str) -> None:
        self.saved.append((endpoint, mode, detail))
        self.known[endpoint] = mode


def make_writer(store: MemoryStore | None = None) -> OpenAIWriter:
    return OpenAIWriter.from_settings(
        KEY,
        BASE,
        "gpt-4o-mini",
        timeout=5,
        max_retries=MAX_RETRIES,
        http_client=httpx.Client(),
        modes=Modes(store),
    )


def make_classifier(store: MemoryStore | None = None) -> LLMClassifier:
    return LLMClassifier.from_settings(
        KEY,
        BASE,
        "gpt-4o-mini",
        timeout=5,
        max_retries=MAX_RETRIES,
        http_client=httpx.Client(),
        modes=Modes(store),
    )


def body(call: Any) -> dict:
    return json.loads(call.request.content)


def mode_of(payload: dict) -> str:
    fmt = payload.get("response_format")
    return fmt["type"] if fmt else "prompt"


def server(refuse: dict[str, httpx.Response], content: Any = GOOD):
    """A respx side effect: modes in `refuse` get that error, the others a completion."""

    def answer(req: httpx.Request) -> httpx.Response:
        error = refuse.get(mode_of(json.loads(req.content)))
        return error if error is not None else fake_llm.ok(content)

    return answer


# --- falling back, and remembering where -----------------------------------------------------


def test_json_schema_refused_with_500_falls_back_to_json_object_and_remembers(api):
    route = api.post("/chat/completions").mock(
        side_effect=server({"json_schema": fake_llm.format_refused()})
    )
    store = MemoryStore()
    writer = make_writer(store)
    w = writer.write(request())
    assert w.problems == [] and w.wait == "" and w.subject == "Acme's data team"
    # json_schema with the SDK's retries (llama.cpp answers 500), then json_object once.
    assert [mode_of(body(c)) for c in route.calls] == ["json_schema"] * (MAX_RETRIES + 1) + [
        "json_object"
    ]
    second = body(route.calls.last)
    assert second["response_format"] == {"type": "json_object", "schema": DRAFT_SCHEMA}
    assert SCHEMA_RULE in second["messages"][0]["content"]
    assert second["messages"][0]["role"] == "system"
    assert [(e, m) for e, m, _ in store.saved] == [(ENDPOINT, "json_object")]
    assert "json_schema: 500" in store.saved[0][2]

    w = writer.write(request())
    assert w.problems == [] and w.subject == "Acme's data team"
    assert route.call_count == MAX_RETRIES + 1 + 2  # the second draft: one call, no probe
    assert mode_of(body(route.calls.last)) == "json_object"
    assert len(store.saved) == 1


def test_both_formats_refused_with_400_asks_in_the_prompt_and_remembers(api):
    refused = fake_llm.bad_request("response_format is not supported")
    route = api.post("/chat/completions").mock(
        side_effect=server({"json_schema": refused, "json_object": refused})
    )
    store = MemoryStore()
    writer = make_writer(store)
    w = writer.write(request())
    assert w.problems == [] and w.subject == "Acme's data team"
    assert [mode_of(body(c)) for c in route.calls] == ["json_schema", "json_object", "prompt"]
    last = body(route.calls.last)
    assert "response_format" not in last
    assert SCHEMA_RULE in last["messages"][0]["content"]
    assert writer.structured.modes.get(ENDPOINT) == "prompt"
    assert store.saved == [
        (
            ENDPOINT,
            "prompt",
            "json_schema: 400 response_format is not supported; "
            "json_object: 400 response_format is not supported",
        )
    ]
    writer.write(request())
    assert route.call_count == 4 and "response_format" not in body(route.calls.last)


def test_a_known_mode_is_used_from_the_store_without_probing(api):
    route = api.post("/chat/completions").mock(return_value=fake_llm.ok(verdict()))
    llm = make_classifier(MemoryStore({ENDPOINT: "json_object"}))
    assert llm.classify("Not right now. Ping me in Q3.", today=TODAY).intent == "not_now"
    assert route.call_count == 1
    assert body(route.calls.last)["response_format"] == {
        "type": "json_object",
        "schema": TRIAGE_SCHEMA,
    }


@pytest.mark.parametrize(
    "failure",
    [fake_llm.rate_limited("0"), httpx.ReadTimeout("read timed out")],
    ids=["429", "timeout"],
)
def test_429_or_timeout_while_probing_is_a_wait_and_nothing_is_remembered(api, failure):
    kw = {"side_effect": failure} if isinstance(failure, Exception) else {"return_value": failure}
    route = api.post("/chat/completions").mock(**kw)
    store = MemoryStore()
    writer = make_writer(store)
    w = writer.write(request())
    assert w.wait.startswith("model unavailable: ") and w.problems == []
    assert (w.subject, w.body) == ("", "")
    # The server is busy, not refusing json_schema: no other mode was tried.
    assert route.call_count == MAX_RETRIES + 1
    assert {mode_of(body(c)) for c in route.calls} == {"json_schema"}
    assert writer.structured.modes.get(ENDPOINT) is None and store.saved == []

    route.mock(side_effect=None, return_value=fake_llm.ok(GOOD))
    assert writer.write(request()).problems == []
    assert mode_of(body(route.calls.last)) == "json_schema"
    assert store.saved == [(ENDPOINT, "json_schema", "")]


def test_an_auth_error_while_probing_pins_no_mode(api):
    """A 401 says nothing about response formats: once the key is fixed, the probe runs and
    finds what the server takes (pinning json_schema would make a llama.cpp server wait
    forever)."""
    route = api.post("/chat/completions").mock(return_value=fake_llm.unauthorized("sk-****"))
    store = MemoryStore()
    writer = make_writer(store)
    w = writer.write(request())
    assert route.call_count == 1
    assert w.problems == [
        "model error 401: Incorrect API key provided: sk-****. You can find your API key at "
        "https://platform.openai.com/account/api-keys."
    ]
    assert store.saved == [] and writer.structured.modes.get(ENDPOINT) is None

    route.mock(side_effect=server({"json_schema": fake_llm.format_refused()}))
    assert writer.write(request()).problems == []
    assert store.saved[0][:2] == (ENDPOINT, "json_object")


def test_the_api_key_echoed_in_a_refusal_is_kept_out_of_logs_and_the_store(api, caplog):
    caplog.set_level(logging.DEBUG)
    echo = fake_llm.bad_request(f"json_schema unsupported (key {KEY})")
    api.post("/chat/completions").mock(side_effect=server({"json_schema": echo}, verdict()))
    store = MemoryStore()
    llm = make_classifier(store)
    assert llm.classify("Not right now. Ping me in Q3.", today=TODAY).intent == "not_now"
    assert store.saved == [
        (ENDPOINT, "json_object", "json_schema: 400 json_schema unsupported (key [redacted])")
    ]
    assert "json_object mode" in caplog.text and KEY not in caplog.text


def test_the_api_key_echoed_in_an_error_is_kept_out_of_the_triage_log(api, caplog):
    caplog.set_level(logging.DEBUG)
    api.post("/chat/completions").mock(return_value=fake_llm.unauthorized(KEY))
    assert make_classifier().classify("Not now", today=TODAY) is None
    assert "model error 401" in caplog.text and KEY not in caplog.text


# --- persisted across a restart ----------------------------------------------------------------


class ModeServer:
    """An OpenAI-compatible endpoint on loopback that answers 500 to the formats in `refuse`
    (as llama.cpp does to json_schema) and `content` otherwise; each request body is kept."""

    def __init__(self, refuse: set[str], content: Any = GOOD):
        self.refuse, self.content = refuse, content
        self.requests: list[dict[str, Any]] = []
        lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                payload = json.loads(raw or b"{}")
                with lock:
                    outer.requests.append(payload)
                if mode_of(payload) in outer.refuse:
                    status = 500
                    answer = fake_llm.error_body(fake_llm.FORMAT_REFUSED, "internal_server_error")
                else:
                    status, answer = 200, fake_llm.completion(outer.content)
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def modes(self) -> list[str]:
        return [mode_of(r) for r in self.requests]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def llama():
    m = ModeServer({"json_schema"})
    yield m
    m.close()


def test_a_learned_mode_survives_a_restart(home, tmp_path, llama):
    settings = make_settings(home, f"sqlite:///{tmp_path / 'modes.db'}", OPENAI_BASE_URL=llama.url)
    first = Runtime(settings, clock=lambda: NOW)
    try:
        first.db.upgrade()
        w = first.writer.write(request())
        assert w.problems == [] and w.subject == "Acme's data team"
        retries = 4  # the writer's own max_retries
        assert llama.modes() == ["json_schema"] * (retries + 1) + ["json_object"]
        with first.db.session() as s:
            rows = model_endpoints.modes(s)
        row = rows[f"{llama.url} gpt-4o-mini"]
        assert row.mode == "json_object" and row.detail.startswith("json_schema: 500")
        assert row.updated_at.replace(tzinfo=UTC) == NOW
    finally:
        first.db.dispose()

    llama.requests.clear()
    second = Runtime(settings, clock=lambda: NOW)
    try:
        assert second.writer.write(request()).problems == []
        assert llama.modes() == ["json_object"]  # straight to what the first one learned
        # The reply classifier shares the endpoint, and so what was learned.
        llama.content = verdict()
        c = second.reply_model.classify("Not right now. Ping me in Q3.", today=TODAY)
        assert c is not None and c.intent == "not_now"
        assert llama.modes() == ["json_object", "json_object"]
    finally:
        second.db.dispose()


# --- one repair ------------------------------------------------------------------------------


def test_a_wrong_intent_is_repaired_and_the_second_answer_used(api):
    route = api.post("/chat/completions").mock(
        side_effect=[fake_llm.ok(verdict(intent="hot_lead")), fake_llm.ok(verdict())]
    )
    c = make_classifier().classify("Not right now. Ping me in Q3.", today=TODAY)
    assert c is not None and c.intent == "not_now" and c.not_now_until == date(2025, 7, 1)
    assert route.call_count == 2
    first, repair = body(route.calls[0]), body(route.calls[1])
    assert repair["response_format"] == first["response_format"]  # the same mode
    assert repair["messages"][:2] == first["messages"]
    assert json.loads(repair["messages"][2]["content"])["intent"] == "hot_lead"
    complaint = repair["messages"][3]
    assert complaint["role"] == "user" and "schema mismatch at intent" in complaint["content"]


def test_two_bad_answers_are_no_answer_and_the_rules_stand(api):
    route = api.post("/chat/completions").mock(
        return_value=fake_llm.ok(verdict(intent="hot_lead", confidence=0.99))
    )
    text = "Not right now. Ping me in Q3."
    llm = make_classifier()
    assert llm.classify(text, today=TODAY) is None
    c = triage.classify(text, today=TODAY, llm=llm)
    assert c == RuleClassifier().classify(text, today=TODAY)
    assert c.provider == "rules" and c.intent == "not_now"
    assert route.call_count == 4  # two questions, each answered and repaired once


def test_a_draft_that_fails_validation_is_repaired_into_a_grounded_draft(api):
    unfinished = {k: v for k, v in GOOD.items() if k != "claims"}
    route = api.post("/chat/completions").mock(
        side_effect=[fake_llm.ok(unfinished), fake_llm.ok(GOOD)]
    )
    w = make_writer().write(request())
    assert w.problems == [] and w.wait == ""
    assert w.subject == "Acme's data team" and w.confidence == 0.8
    assert w.tokens == 2 * 508  # both calls count
    assert "schema mismatch at claims" in body(route.calls.last)["messages"][-1]["content"]


def test_a_json_fence_is_accepted_in_prompt_mode(api):
    refused = fake_llm.bad_request("unsupported")
    fenced = "```json\n" + json.dumps(GOOD) + "\n```"
    route = api.post("/chat/completions").mock(
        side_effect=server({"json_schema": refused, "json_object": refused}, fenced)
    )
    w = make_writer().write(request())
    assert w.problems == [] and w.subject == "Acme's data team"
    assert route.call_count == 3  # no repair needed


def test_a_remembered_mode_the_server_now_refuses_is_probed_again(api):
    """Another server behind the same address (vLLM swapped for llama.cpp): the remembered
    json_schema is refused, the modes are tried again, and the one that answers replaces it."""
    store = MemoryStore({ENDPOINT: "json_schema"})
    writer = make_writer(store)
    route = api.post("/chat/completions")
    route.mock(side_effect=server({"json_schema": fake_llm.format_refused()}))
    w = writer.write(request())
    assert w.problems == [] and w.wait == ""
    assert store.saved and store.saved[-1][:2] == (ENDPOINT, "json_object")
    calls = len(route.calls)
    writer.write(request())
    assert len(route.calls) == calls + 1
    assert mode_of(json.loads(route.calls[-1].request.content)) == "json_object"


def test_a_remembered_mode_stays_when_no_mode_answers(api):
    store = MemoryStore({ENDPOINT: "json_schema"})
    writer = make_writer(store)
    api.post("/chat/completions").mock(return_value=fake_llm.bad_request("context too long"))
    assert writer.write(request()).problems
    assert store.saved == [] and writer.structured.modes.get(ENDPOINT) == "json_schema"
