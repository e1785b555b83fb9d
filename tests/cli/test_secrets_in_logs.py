"""No secret reaches a log or an error: real `twoloop` processes at DEBUG, driven through the
paths that fail (Slack 5xx, a model that answers 401, an SMTP server that is not there, bad
signatures, a wrong webhook token, a malformed setting), with every byte they print scanned."""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from sqlmodel import select

from bot.cli.scaffold import init
from bot.intake.importer import load
from bot.runtime import Runtime
from handlers.ids import APPROVE
from storage.models import Review
from tests.conftest import (
    OPERATOR,
    RecordingHumans,
    approve_plays,
    child_time,
    make_settings,
)
from tests.fakes.slack_requests import block_action, interaction_body, sign

TWOLOOP = str(Path(sys.executable).with_name("twoloop"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RefusingModel(BaseHTTPRequestHandler):
    """An OpenAI-compatible endpoint that rejects every key, as a revoked one would be."""

    def log_message(self, *args):
        pass

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = json.dumps({"error": {"message": "Incorrect API key provided", "type": "auth"}})
        self.send_response(401)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body.encode())


@pytest.fixture
def model():
    server = ThreadingHTTPServer(("127.0.0.1", 0), RefusingModel)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()


def run(args: list[str], env: dict, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(
        [TWOLOOP, *args], env=env, capture_output=True, text=True, timeout=120, **kw
    )


@pytest.mark.xdist_group("processes")  # it starts `twoloop serve`: see PROCESSES
def test_no_secret_in_any_log_line(home, db_url, slack, model, tmp_path):
    password = "pw-" + secrets.token_hex(8) + "/+%"  # needs quoting in a URL
    secret_values = {
        "SLACK_BOT_TOKEN": "xoxb-" + secrets.token_hex(16),
        "SLACK_SIGNING_SECRET": secrets.token_hex(16),
        "OPENAI_API_KEY": "sk-" + secrets.token_hex(20),
        "TWOLOOP_SIGNALS_TOKEN": secrets.token_hex(16),
        "TWOLOOP_UNSUBSCRIBE_SECRET": secrets.token_hex(20),
        # Nothing listens there: every send fails and is retried.
        "SMTP_URL": f"smtp://twoloop:{quote(password, safe='')}@127.0.0.1:{free_port()}",
    }
    database_url = db_url
    if db_url.startswith("postgresql"):
        # The test server trusts loopback, so a password in the URL is accepted and ignored.
        db_password = "db-" + secrets.token_hex(8)
        database_url = db_url.replace("postgres@", f"postgres:{db_password}@", 1)
        assert database_url != db_url
        secret_values["DATABASE_URL"] = database_url
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "OPENAI_"))},
        **secret_values,
        "DATABASE_URL": database_url,
        "TWOLOOP_HOME": str(home),
        "TWOLOOP_OPERATORS": OPERATOR,
        "SLACK_API_URL": slack.url,
        "TWOLOOP_LOG_LEVEL": "DEBUG",
    }
    offline = {k: v for k, v in env.items() if not k.startswith("OPENAI_")}

    # Plays approved and drafts waiting for review, made offline by this test's own runtime.
    rt = Runtime(make_settings(home, db_url), humans=RecordingHumans())
    rt.db.upgrade()
    load(rt.db, sorted((home / "data").iterdir()))
    approve_plays(rt)
    outputs = [run(["tick"], offline)]
    with rt.db.session() as s:
        review = s.exec(
            select(Review).where(Review.kind == "draft", Review.status == "open")
        ).first()
    assert review is not None, outputs[0].stderr

    # A revoked bot token: one line naming the setting, no traceback, no token.
    slack.fail_next("auth.test", 200, {"ok": False, "error": "invalid_auth"})
    refused = run(["serve", "--host", "127.0.0.1", "--port", str(free_port())], env)
    assert refused.returncode == 2
    assert "SLACK_BOT_TOKEN: Slack did not accept it (invalid_auth)" in refused.stderr
    assert "Traceback" not in refused.stderr
    outputs.append(refused)

    slack.fail_next("chat.postMessage", 500, times=2)
    serve = subprocess.Popen(
        [TWOLOOP, "serve", "--host", "127.0.0.1", "--port", str(port)],
        env={**env, "OPENAI_BASE_URL": model},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []  # read as it comes: at DEBUG a full pipe would stall the server
    reader = threading.Thread(target=lambda: lines.extend(serve.stdout), daemon=True)
    reader.start()
    try:
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, timeout=10) as http:
            deadline = time.monotonic() + 90
            while True:
                try:
                    if http.get("/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, "serve did not come up:\n" + "".join(lines)
                time.sleep(0.1)
            while not [c for c in slack.of("chat.postMessage") if c.args.get("blocks")]:
                assert time.monotonic() < deadline, "no review was posted"
                time.sleep(0.1)

            click = interaction_body(
                block_action(review.owner, APPROVE, f"{review.id}:{review.content_hash}")
            )
            signing = secret_values["SLACK_SIGNING_SECRET"]
            assert http.post("/slack/events", content=click).status_code == 401
            bad = sign(click, secret=signing[::-1])
            assert http.post("/slack/events", content=click, headers=bad).status_code == 401
            stale = sign(click, timestamp=int(child_time()) - 3600, secret=signing)
            assert http.post("/slack/events", content=click, headers=stale).status_code == 401
            wrong = {"Authorization": "Bearer " + secret_values["TWOLOOP_SIGNALS_TOKEN"][:-1]}
            assert http.post("/signals", json={"signals": []}, headers=wrong).status_code == 401
            signed = sign(click, timestamp=int(child_time()), secret=signing)  # serve's clock
            ok = http.post("/slack/events", content=click, headers=signed)
            assert ok.status_code == 200
            # The approval reaches the outbox, whose SMTP server refuses the connection.
            while "send of draft" not in "".join(lines):
                assert time.monotonic() < deadline + 60, "the approval was not sent for"
                time.sleep(0.1)
    finally:
        serve.send_signal(signal.SIGTERM)
        serve.wait(timeout=60)
        reader.join(timeout=10)
    served = "".join(lines)
    outputs.append(subprocess.CompletedProcess(serve.args, serve.returncode, served, ""))

    # A model that refuses the key, on a second home whose plays are approved but undrafted.
    fresh = tmp_path / "fresh"
    init(fresh)
    settings = make_settings(fresh, f"sqlite:///{fresh / 'twoloop.db'}")
    rt2 = Runtime(settings, humans=RecordingHumans())
    rt2.db.upgrade()
    load(rt2.db, sorted((fresh / "data").iterdir()))
    approve_plays(rt2)
    rt2.db.dispose()
    with_model = {**env, "OPENAI_BASE_URL": model, "TWOLOOP_HOME": str(fresh)}
    with_model.pop("DATABASE_URL")
    outputs.append(run(["tick"], with_model))
    # A malformed setting that holds a password.
    malformed = {**env, "SMTP_URL": f"ftp://twoloop:{quote(password, safe='')}@127.0.0.1"}
    outputs.append(run(["tick"], malformed))
    assert outputs[-1].returncode != 0 and "SMTP_URL" in outputs[-1].stderr

    printed = "\n".join(o.stdout + o.stderr for o in outputs)
    # The scan is only worth something if the failure paths really ran and logged.
    assert " DEBUG " in printed
    assert "send of draft" in printed, served[-3000:]
    assert "401" in printed or "unavailable" in printed or "AuthenticationError" in printed
    leaks = {name for name, value in secret_values.items() if value in printed}
    for raw in (password, quote(password, safe=""), secret_values["SLACK_BOT_TOKEN"][5:]):
        if raw in printed:
            leaks.add(f"password or token fragment {raw[:4]}…")
    assert not leaks, f"secrets in the logs: {sorted(leaks)}"
