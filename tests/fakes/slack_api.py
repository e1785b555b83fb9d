"""A fake Slack Web API on loopback that records every call (the pattern bolt-python's own
tests use). Point slack_sdk at it with SLACK_API_URL."""

from __future__ import annotations

import itertools
import json
import random
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs


@dataclass
class Call:
    method: str
    args: dict
    headers: dict
    at: float = 0.0  # time.monotonic() when it arrived
    status: int = 0  # the HTTP status it was answered with
    ok: bool = False  # the answer's "ok"
    ts: str = ""  # the message ts it answered with, if any


@dataclass
class Faults:
    """Answer a seeded random `rate` of one method's calls with a failure: 429 with
    Retry-After, or 500."""

    rate: float
    statuses: tuple[int, ...] = (429, 500)
    retry_after: int = 1
    rng: random.Random = field(default_factory=random.Random)

    def pick(self) -> tuple[int, dict, dict] | None:
        if self.rng.random() >= self.rate:
            return None
        status = self.rng.choice(self.statuses)
        if status == 429:
            return (
                429,
                {"ok": False, "error": "ratelimited"},
                {"Retry-After": str(self.retry_after)},
            )
        return status, {"ok": False, "error": "internal_error"}, {}


# Slack's Block Kit and message limits (api.slack.com/reference/block-kit, chat.postMessage):
# what the real API refuses, the fake refuses too, with the same error codes.
MESSAGE_METHODS = {"chat.postMessage", "chat.update", "chat.postEphemeral", "chat.scheduleMessage"}
VIEW_METHODS = {"views.open", "views.push", "views.update", "views.publish"}
MAX_TEXT = 40_000


def _text_problems(obj, where: str, limit: int, kinds=("plain_text", "mrkdwn")) -> list[str]:
    if not isinstance(obj, dict) or obj.get("type") not in kinds:
        return [f"{where}: must be a text object of type {'/'.join(kinds)}"]
    text = obj.get("text")
    if not isinstance(text, str) or not text:
        return [f"{where}: must have non-empty text"]
    if len(text) > limit:
        return [f"{where}: {len(text)} characters, more than {limit}"]
    return []


def _max(value, where: str, limit: int) -> list[str]:
    return (
        [f"{where}: {len(value)} long, more than {limit}"] if value and len(value) > limit else []
    )


def _confirm_problems(c, where: str) -> list[str]:
    return (
        _text_problems(c.get("title"), f"{where}.title", 100, ("plain_text",))
        + _text_problems(c.get("text"), f"{where}.text", 300)
        + _text_problems(c.get("confirm"), f"{where}.confirm", 30, ("plain_text",))
        + _text_problems(c.get("deny"), f"{where}.deny", 30, ("plain_text",))
    )


def _element_problems(e, where: str) -> list[str]:
    out = _max(e.get("action_id"), f"{where}.action_id", 255)
    kind = e.get("type")
    if kind == "button":
        out += _text_problems(e.get("text"), f"{where}.text", 75, ("plain_text",))
        out += _max(e.get("value"), f"{where}.value", 2000)
        out += _max(e.get("url"), f"{where}.url", 3000)
    elif kind == "static_select":
        options = e.get("options") or []
        if not 1 <= len(options) <= 100:
            out.append(f"{where}.options: {len(options)} options, 1 to 100 allowed")
        for i, o in enumerate(options):
            out += _text_problems(o.get("text"), f"{where}.options[{i}].text", 75)
            out += _max(o.get("value"), f"{where}.options[{i}].value", 150)
    elif kind == "plain_text_input":
        limit = min(int(e.get("max_length") or 3000), 3000)
        if int(e.get("max_length") or 0) > 3000:
            out.append(f"{where}.max_length: more than 3000")
        out += _max(e.get("initial_value"), f"{where}.initial_value", limit)
    if e.get("placeholder") is not None:
        out += _text_problems(e["placeholder"], f"{where}.placeholder", 150, ("plain_text",))
    if e.get("confirm"):
        out += _confirm_problems(e["confirm"], f"{where}.confirm")
    return out


def block_problems(blocks, limit: int) -> list[str]:
    """Why Slack would refuse these blocks; empty when it would take them."""
    if not isinstance(blocks, list):
        return ["blocks: must be a list"]
    out = [f"blocks: {len(blocks)} blocks, more than {limit}"] if len(blocks) > limit else []
    for n, b in enumerate(blocks):
        where, kind = f"blocks[{n}]", b.get("type")
        out += _max(b.get("block_id"), f"{where}.block_id", 255)
        if kind == "section":
            fields = b.get("fields") or []
            if b.get("text") is None and not fields:
                out.append(f"{where}: a section needs text or fields")
            if b.get("text") is not None:
                out += _text_problems(b["text"], f"{where}.text", 3000)
            if len(fields) > 10:
                out.append(f"{where}.fields: {len(fields)} fields, more than 10")
            for i, f in enumerate(fields):
                out += _text_problems(f, f"{where}.fields[{i}]", 2000)
            if b.get("accessory"):
                out += _element_problems(b["accessory"], f"{where}.accessory")
        elif kind == "header":
            out += _text_problems(b.get("text"), f"{where}.text", 150, ("plain_text",))
        elif kind == "context":
            elements = b.get("elements") or []
            if not 1 <= len(elements) <= 10:
                out.append(f"{where}.elements: {len(elements)} elements, 1 to 10 allowed")
            for i, e in enumerate(elements):
                if e.get("type") in ("plain_text", "mrkdwn"):
                    out += _text_problems(e, f"{where}.elements[{i}]", 3000)
        elif kind == "actions":
            elements = b.get("elements") or []
            if not 1 <= len(elements) <= 25:
                out.append(f"{where}.elements: {len(elements)} elements, 1 to 25 allowed")
            for i, e in enumerate(elements):
                out += _element_problems(e, f"{where}.elements[{i}]")
        elif kind == "input":
            out += _text_problems(b.get("label"), f"{where}.label", 2000, ("plain_text",))
            out += _element_problems(b.get("element") or {}, f"{where}.element")
        elif kind not in ("divider", "image", "rich_text", "file"):
            out.append(f"{where}: unknown block type {kind!r}")
    return out


def call_problems(method: str, args: dict) -> tuple[str, list[str]] | None:
    """(error, messages) as Slack answers a call it refuses; None when it would take it."""
    if method in MESSAGE_METHODS:
        if len(args.get("text") or "") > MAX_TEXT:
            return "msg_too_long", [f"text: more than {MAX_TEXT} characters"]
        if args.get("blocks") is not None:
            problems = block_problems(args["blocks"], 50)
            return ("invalid_blocks", problems) if problems else None
        return None
    if method in VIEW_METHODS:
        view = args.get("view") or {}
        limit = 100
        problems = block_problems(view.get("blocks") or [], limit)
        if view.get("type") == "modal":
            problems += _text_problems(view.get("title"), "view.title", 24, ("plain_text",))
            for k in ("submit", "close"):
                if view.get(k) is not None:
                    problems += _text_problems(view[k], f"view.{k}", 24, ("plain_text",))
        problems += _max(view.get("private_metadata"), "view.private_metadata", 3000)
        problems += _max(view.get("callback_id"), "view.callback_id", 255)
        return ("invalid_arguments", problems) if problems else None
    return None


@dataclass
class FakeSlack:
    calls: list[Call] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    # method -> list of (status, body) to answer with before answering normally
    scripted: dict[str, list[tuple[int, dict, dict]]] = field(default_factory=dict)
    faults: dict[str, Faults] = field(default_factory=dict)  # method -> injected failures
    _ts: itertools.count = field(default_factory=lambda: itertools.count(1))
    server: ThreadingHTTPServer | None = None
    # files.getUploadURLExternal hands out a URL on this server; the bytes POSTed there land
    # here by file id, and files.completeUploadExternal shares them.
    uploads: dict[str, bytes] = field(default_factory=dict)
    # users.info answers by user id (anyone else is user_not_found); a departed user has
    # "deleted": True. users.lookupByEmail finds them by profile email.
    users: dict[str, dict] = field(default_factory=dict)
    socket_url: str = ""  # apps.connections.open's answer: tests/fakes/socket_mode.py

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

    def inject(
        self,
        method: str,
        rate: float,
        *,
        seed: int = 0,
        statuses: tuple[int, ...] = (429, 500),
        retry_after: int = 1,
    ) -> None:
        """From now on, fail `rate` of `method`'s calls (after any scripted answers)."""
        self.faults[method] = Faults(rate, statuses, retry_after, random.Random(seed))

    def accepted(self, method: str = "chat.postMessage") -> list[Call]:
        """Calls Slack would have acted on (answered 200 with ok)."""
        return [c for c in self.of(method) if c.status == 200 and c.ok]

    def answer(self, method: str, args: dict) -> tuple[int, dict, dict]:
        with self.lock:
            queue = self.scripted.get(method)
            if queue:
                return queue.pop(0)
            fault = self.faults.get(method)
            failure = fault.pick() if fault else None
            if failure:
                return failure
            ts = f"1700000000.{next(self._ts):06d}"
        refused = call_problems(method, args)
        if refused is not None:
            error, messages = refused
            return (
                200,
                {"ok": False, "error": error, "response_metadata": {"messages": messages}},
                {},
            )
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
        if method == "chat.getPermalink":
            channel, at = args.get("channel", ""), str(args.get("message_ts", ""))
            link = f"https://test.slack.com/archives/{channel}/p{at.replace('.', '')}"
            return 200, {"ok": True, "channel": channel, "permalink": link}, {}
        if method == "files.getUploadURLExternal":
            file_id = f"F{ts.replace('.', '')[-8:]}"
            host, port = self.server.server_address[:2]
            upload_url = f"http://{host}:{port}/upload/{file_id}"
            return 200, {"ok": True, "file_id": file_id, "upload_url": upload_url}, {}
        if method == "files.completeUploadExternal":
            files = [
                {
                    "id": f["id"],
                    "title": f.get("title"),
                    "size": len(self.uploads.get(f["id"], b"")),
                }
                for f in args.get("files", [])
            ]
            if any(f["id"] not in self.uploads for f in files):
                return 200, {"ok": False, "error": "file_not_found"}, {}
            return 200, {"ok": True, "files": files}, {}
        if method == "apps.connections.open":
            if not self.socket_url:
                return 200, {"ok": False, "error": "invalid_auth"}, {}
            return 200, {"ok": True, "url": self.socket_url}, {}
        if method == "users.info":  # a departed user answers with "deleted": true
            user = self.users.get(args.get("user", ""))
            if user is None:
                return 200, {"ok": False, "error": "user_not_found"}, {}
            return 200, {"ok": True, "user": {"id": args["user"], **user}}, {}
        if method == "users.lookupByEmail":  # by the profile's email (or a top-level "email")
            wanted = (args.get("email") or "").lower()
            for user_id, user in self.users.items():
                address = (user.get("profile") or {}).get("email") or user.get("email") or ""
                if wanted and address.lower() == wanted:
                    return 200, {"ok": True, "user": {"id": user_id, **user}}, {}
            return 200, {"ok": False, "error": "users_not_found"}, {}
        return 200, {"ok": True}, {}


def start() -> FakeSlack:
    fake = FakeSlack()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # keep test output quiet
            pass

        def do_GET(self):  # a few read methods (users.info) are GETs with a query string
            path, _, query = self.path.partition("?")
            args = {k: v[0] for k, v in parse_qs(query).items()}
            self._answer(path.rsplit("/", 1)[-1], args)

        def do_POST(self):
            if self.path.startswith("/upload/"):
                self._upload()
                return
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode("utf-8")
            ctype = self.headers.get("Content-Type", "")
            if "json" in ctype:
                args = json.loads(raw or "{}")
            else:
                args = {k: v[0] for k, v in parse_qs(raw).items()}
            for k in ("blocks", "view", "files", "metadata"):
                if isinstance(args.get(k), str):
                    args[k] = json.loads(args[k])
            self._answer(self.path.rsplit("/", 1)[-1], args)

        def _answer(self, method: str, args: dict) -> None:
            call = Call(method, args, dict(self.headers), at=time.monotonic())
            with fake.lock:
                fake.calls.append(call)
            status, body, headers = fake.answer(method, args)
            call.status, call.ok, call.ts = status, bool(body.get("ok")), body.get("ts") or ""
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for k, v in headers.items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)

        def _upload(self):
            data = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            file_id = self.path.rsplit("/", 1)[-1]
            with fake.lock:
                fake.uploads[file_id] = data
                fake.calls.append(Call("upload", {"file_id": file_id, "size": len(data)}, {}))
            body = b"OK - " + str(len(data)).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    fake.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.server.daemon_threads = True
    threading.Thread(
        target=fake.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    ).start()
    return fake
