"""A fake Slack Web API on loopback that records every call (the pattern bolt-python's own
tests use). Point slack_sdk at it with SLACK_API_URL."""

from __future__ import annotations

import itertools
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs


@dataclass
class Call:
    method: str
    args: dict
    headers: dict


@dataclass
class FakeSlack:
    calls: list[Call] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    # method -> list of (status, body) to answer with before answering normally
    scripted: dict[str, list[tuple[int, dict, dict]]] = field(default_factory=dict)
    _ts: itertools.count = field(default_factory=lambda: itertools.count(1))
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/api/"

    def of(self, method: str) -> list[Call]:
        with self.lock:
            return [c for c in self.calls if c.method == method]

    def fail_next(
        self,
        method: str,
        status: int,
        body: dict | None = None,
        headers: dict | None = None,
        times: int = 1,
    ) -> None:
        self.scripted.setdefault(method, []).extend(
            [(status, body or {"ok": False, "error": "fatal_error"}, headers or {})] * times
        )

    def answer(self, method: str, args: dict) -> tuple[int, dict, dict]:
        with self.lock:
            queue = self.scripted.get(method)
            if queue:
                return queue.pop(0)
            ts = f"1700000000.{next(self._ts):06d}"
        if method == "auth.test":
            return (
                200,
                {
                    "ok": True,
                    "user_id": "UBOT",
                    "team_id": "T0TEAM",
                    "bot_id": "B0BOT",
                    "user": "twoloop",
                    "team": "Test",
                },
                {},
            )
        if method == "chat.postMessage":
            return (
                200,
                {"ok": True, "channel": args.get("channel"), "ts": ts, "message": {"ts": ts}},
                {},
            )
        if method == "chat.update":
            return 200, {"ok": True, "channel": args.get("channel"), "ts": args.get("ts")}, {}
        if method == "chat.postEphemeral":
            return 200, {"ok": True, "message_ts": ts}, {}
        return 200, {"ok": True}, {}


def start() -> FakeSlack:
    fake = FakeSlack()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # keep test output quiet
            pass

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode("utf-8")
            ctype = self.headers.get("Content-Type", "")
            if "json" in ctype:
                args = json.loads(raw or "{}")
            else:
                args = {k: v[0] for k, v in parse_qs(raw).items()}
            for k in ("blocks", "view"):
                if isinstance(args.get(k), str):
                    args[k] = json.loads(args[k])
            method = self.path.rsplit("/", 1)[-1]
            with fake.lock:
                fake.calls.append(Call(method, args, dict(self.headers)))
            status, body, headers = fake.answer(method, args)
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for k, v in headers.items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)

    fake.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.server.daemon_threads = True
    threading.Thread(
        target=fake.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    ).start()
    return fake
