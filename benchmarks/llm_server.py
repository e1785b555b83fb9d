"""A stand-in OpenAI-compatible Chat Completions server on loopback, for load runs.

It answers POST /v1/chat/completions after a fixed delay with a valid structured draft that
cites every fact id it finds in the prompt (the `- id [slot]: text` lines bot.model.writer sends),
and fails a share of requests the way the real API does: half 429 with Retry-After: 0, half
500, both with OpenAI's error envelope. With `rpm` / `tpm` it also enforces a rate limit the
way OpenAI does (token buckets refilled continuously, `window` seconds deep): every answer
carries x-ratelimit-limit/remaining/reset-requests and -tokens, and a call over the limit is
refused with 429 and Retry-After (counted in `over_limit`). One thread per connection, a deep listen backlog, and
HTTP/1.1 keep-alive, so 50+ concurrent clients are served in parallel.

As a module:

    url, stop, stats = start(delay=0.5, failure_rate=0.1, rpm=None, tpm=None)   # url: /v1
    ...  # OpenAIWriter.from_settings("sk-bench", url, "bench-model")
    stop(); print(stats.snapshot())

`start_process` takes the same arguments and serves from a process of its own, as a real
provider would: the benchmarks use it, so the stand-in's CPU is not counted as the client's.

As a script:

    .venv/bin/python benchmarks/llm_server.py --port 8001 [--delay 0.5] [--failure-rate 0.1]
        [--rpm 600] [--tpm 200000] [--window 60]
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import random
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

FACTS = re.compile(r"<facts>\s*(\[.*?\])\s*</facts>", re.DOTALL)


@dataclass
class Stats:
    """What the server saw; safe to read while it runs (use snapshot())."""

    requests: int = 0
    ok: int = 0
    failures: int = 0
    rate_limited: int = 0
    server_errors: int = 0
    bad_requests: int = 0
    in_flight: int = 0
    max_in_flight: int = 0
    tokens: int = 0
    over_limit: int = 0  # refused by the rpm / tpm limit
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return {k: v for k, v in vars(self).items() if not k.startswith("_")}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # the default backlog of 5 resets connections under a burst
    allow_reuse_address = True

    def __init__(
        self,
        addr: tuple[str, int],
        delay: float,
        failure_rate: float,
        seed: int | None,
        limits: Limits | None = None,
    ):
        super().__init__(addr, _Handler)
        self.delay = delay
        self.failure_rate = failure_rate
        self.limits = limits
        self.rng = random.Random(seed)
        self.rng_lock = threading.Lock()
        self.stats = Stats()
        self.ids = itertools.count(1)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # stdlib signature
        pass  # a thousand access lines would drown the benchmark's output

    def do_GET(self) -> None:  # stdlib naming
        if self.path.rstrip("/") == "/v1/models":
            self._send(200, {"object": "list", "data": [_model("bench-model")]})
        elif self.path.rstrip("/") == "/stats":  # for a client in another process
            self._send(200, self.server.stats.snapshot())
        else:
            self._send(404, _error("Not found", "invalid_request_error"))

    def do_POST(self) -> None:  # stdlib naming
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b""
        if self.path.rstrip("/") != "/v1/chat/completions":
            self._send(404, _error(f"Unknown path {self.path}", "invalid_request_error"))
            return
        stats = self.server.stats
        limits = self.server.limits
        headers: dict[str, str] = {}
        self.extra: dict[str, str] = {}  # the rate-limit headers of this answer
        if limits is not None:
            admitted, headers = limits.admit(_estimate(raw))
            if not admitted:
                with stats._lock:
                    stats.requests += 1
                    stats.over_limit += 1
                body = _error(
                    "Rate limit reached for bench-model on requests or tokens per min. "
                    f"Please try again in {headers['retry-after']}s.",
                    "requests",
                    code="rate_limit_exceeded",
                )
                self._send(429, body, headers)
                return
        self.extra = headers
        with stats._lock:
            stats.requests += 1
            stats.in_flight += 1
            stats.max_in_flight = max(stats.max_in_flight, stats.in_flight)
        try:
            time.sleep(self.server.delay)
            self._answer(raw)
        finally:
            with stats._lock:
                stats.in_flight -= 1

    def _answer(self, raw: bytes) -> None:
        stats = self.server.stats
        try:
            req = json.loads(raw)
            prompt = "\n".join(str(m.get("content") or "") for m in req["messages"])
            model = str(req.get("model") or "bench-model")
        except (ValueError, KeyError, TypeError, AttributeError):
            with stats._lock:
                stats.bad_requests += 1
            self._send(400, _error("Could not parse the JSON body.", "invalid_request_error"))
            return
        with self.server.rng_lock:
            roll = self.server.rng.random()
        rate = self.server.failure_rate
        if roll < rate / 2:
            with stats._lock:
                stats.failures += 1
                stats.rate_limited += 1
            body = _error(
                f"Rate limit reached for {model} on requests per min (RPM). Please try again.",
                "requests",
                code="rate_limit_exceeded",
            )
            self._send(429, body, {"retry-after": "0"})
            return
        if roll < rate:
            with stats._lock:
                stats.failures += 1
                stats.server_errors += 1
            body = _error(
                "The server had an error while processing your request. Sorry about that!",
                "server_error",
            )
            self._send(500, body)
            return
        content, prompt_tokens, completion_tokens = _draft(prompt)
        with stats._lock:
            stats.ok += 1
            stats.tokens += prompt_tokens + completion_tokens
        self._send(
            200,
            {
                "id": f"chatcmpl-bench{next(self.server.ids):010d}",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": model,
                "choices": [
                    {
                        "index": 0,
                        "message": {
                            "role": "assistant",
                            "content": content,
                            "refusal": None,
                            "annotations": [],
                        },
                        "logprobs": None,
                        "finish_reason": "stop",
                    }
                ],
                "usage": {
                    "prompt_tokens": prompt_tokens,
                    "completion_tokens": completion_tokens,
                    "total_tokens": prompt_tokens + completion_tokens,
                },
                "system_fingerprint": "fp_bench",
            },
        )

    def _send(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.send_header("x-request-id", f"req_bench{next(self.server.ids):010d}")
        for k, v in {**getattr(self, "extra", {}), **(headers or {})}.items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)


class Limits:
    """OpenAI-style rate limits: a request bucket and a token bucket, each holding `window`
    seconds of the per-minute limit and refilled continuously."""

    def __init__(self, rpm: int | None, tpm: int | None, window: float = 60.0):
        self.rpm, self.tpm = rpm, tpm
        self.cap_r = rpm * window / 60 if rpm else 0.0
        self.cap_t = tpm * window / 60 if tpm else 0.0
        self.level_r, self.level_t = self.cap_r, self.cap_t
        self.at = time.monotonic()
        self.lock = threading.Lock()

    def admit(self, tokens: int) -> tuple[bool, dict[str, str]]:
        """Take one request of `tokens` if both buckets hold it; the headers to send."""
        with self.lock:
            now = time.monotonic()
            gap, self.at = now - self.at, now
            if self.rpm:
                self.level_r = min(self.cap_r, self.level_r + gap * self.rpm / 60)
            if self.tpm:
                self.level_t = min(self.cap_t, self.level_t + gap * self.tpm / 60)
            short_r = 1 - self.level_r if self.rpm and self.level_r < 1 else 0.0
            short_t = tokens - self.level_t if self.tpm and self.level_t < tokens else 0.0
            ok = short_r <= 0 and short_t <= 0
            if ok:
                self.level_r -= 1 if self.rpm else 0
                self.level_t -= tokens if self.tpm else 0
            headers: dict[str, str] = {}
            if self.rpm:
                headers["x-ratelimit-limit-requests"] = str(self.rpm)
                headers["x-ratelimit-remaining-requests"] = str(max(0, int(self.level_r)))
                full = (self.cap_r - self.level_r) * 60 / self.rpm
                headers["x-ratelimit-reset-requests"] = _duration(full)
            if self.tpm:
                headers["x-ratelimit-limit-tokens"] = str(self.tpm)
                headers["x-ratelimit-remaining-tokens"] = str(max(0, int(self.level_t)))
                full = (self.cap_t - self.level_t) * 60 / self.tpm
                headers["x-ratelimit-reset-tokens"] = _duration(full)
            if not ok:
                wait = max(short_r * 60 / (self.rpm or 1), short_t * 60 / (self.tpm or 1))
                headers["retry-after"] = str(max(1, math.ceil(wait)))
                headers["retry-after-ms"] = str(max(1, math.ceil(wait * 1000)))
            return ok, headers


def _duration(seconds: float) -> str:
    """OpenAI's reset format: "20ms", "1s", "6m0s", "1.5s"."""
    if seconds < 1:
        return f"{max(0, math.ceil(seconds * 1000))}ms"
    minutes, rest = divmod(seconds, 60)
    rest = round(rest, 3)
    tail = f"{rest:g}s"
    return f"{int(minutes)}m{tail}" if minutes else tail


def _estimate(raw: bytes) -> int:
    """What a request counts against the token limit: its prompt and the answer's cap, as
    OpenAI counts it before answering."""
    try:
        req = json.loads(raw)
        cap = int(req.get("max_completion_tokens") or req.get("max_tokens") or 0)
    except (ValueError, TypeError, AttributeError):
        return 1
    return max(1, len(raw) // 4) + cap


def _draft(prompt: str) -> tuple[str, int, int]:
    """A plausible grounded draft: one claim per fact in the prompt's <facts> fence."""
    found = FACTS.search(prompt)
    try:
        items = json.loads(found.group(1)) if found else []
    except ValueError:
        items = []
    facts = [
        (str(i.get("id")), str(i.get("slot")), str(i.get("text")))
        for i in items
        if isinstance(i, dict)
    ]
    by_slot = {slot: text for _, slot, text in facts}
    name = by_slot.get("contact.first_name", "there")
    account = by_slot.get("account.name", "your team")
    lines = [text for _, slot, text in facts if slot.split(".")[0] in ("signal", "capability")]
    sender = by_slot.get("sender.name", "")
    body = f"Hi {name},\n\n" + "\n\n".join(lines or ["A quick note."]) + f"\n\n{sender}".rstrip()
    content = json.dumps(
        {
            "subject": f"{account}: a quick idea",
            "body": body,
            "claims": [{"text": text, "fact_ids": [fid]} for fid, _, text in facts],
            "confidence": 0.85,
        }
    )
    return content, max(1, len(prompt) // 4), max(1, len(content) // 4)


def _error(message: str, type_: str, param: str | None = None, code: str | None = None) -> dict:
    return {"error": {"message": message, "type": type_, "param": param, "code": code}}


def _model(name: str) -> dict[str, Any]:
    return {"id": name, "object": "model", "created": 0, "owned_by": "bench"}


def start(
    delay: float = 0.5,
    failure_rate: float = 0.1,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    seed: int | None = None,
    rpm: int | None = None,
    tpm: int | None = None,
    window: float = 60.0,
) -> tuple[str, Callable[[], None], Stats]:
    """Serve in a background thread; returns (base url ending in /v1, stop, stats)."""
    if not 0 <= failure_rate <= 1:
        raise ValueError("failure_rate must be between 0 and 1")
    limits = Limits(rpm, tpm, window) if rpm or tpm else None
    server = _Server((host, port), delay, failure_rate, seed, limits)
    thread = threading.Thread(target=server.serve_forever, name="llm-server", daemon=True)
    thread.start()

    def stop() -> None:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)

    return f"http://{host}:{server.server_address[1]}/v1", stop, server.stats


class RemoteStats:
    """`Stats.snapshot()` of a server running in another process, read over its /stats."""

    def __init__(self, url: str):
        self.url = url.removesuffix("/v1") + "/stats"

    def snapshot(self) -> dict[str, int]:
        with urllib.request.urlopen(self.url, timeout=10) as answer:
            return json.loads(answer.read())


def start_process(
    delay: float = 0.5,
    failure_rate: float = 0.1,
    *,
    seed: int | None = None,
    rpm: int | None = None,
    tpm: int | None = None,
    window: float = 60.0,
) -> tuple[str, Callable[[], None], RemoteStats]:
    """`start`, in a process of its own. A real provider's work is not done on the client's
    CPU: served from a thread of the benchmark's own process, the stand-in's parsing and JSON
    would take the client's interpreter lock and count as the product's time."""
    argv = [sys.executable, __file__, "--port", "0", "--delay", str(delay)]
    argv += ["--failure-rate", str(failure_rate), "--window", str(window)]
    for flag, value in (("--seed", seed), ("--rpm", rpm), ("--tpm", tpm)):
        if value is not None:
            argv += [flag, str(value)]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    first = proc.stdout.readline()
    found = re.search(r"OPENAI_BASE_URL=(\S+?)\)", first)
    if found is None:
        proc.kill()
        proc.wait()
        proc.stdout.close()
        raise RuntimeError(f"the stand-in model server did not start: {first!r}")
    url = found.group(1)

    def stop() -> None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        assert proc.stdout is not None
        proc.stdout.close()

    return url, stop, RemoteStats(url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--delay", type=float, default=0.5, help="seconds before each answer")
    parser.add_argument("--failure-rate", type=float, default=0.1, help="0..1; half 429, half 500")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--rpm", type=int, default=None, help="requests per minute limit")
    parser.add_argument("--tpm", type=int, default=None, help="tokens per minute limit")
    parser.add_argument("--window", type=float, default=60.0, help="seconds of burst a limit holds")
    args = parser.parse_args()
    url, stop, stats = start(
        args.delay,
        args.failure_rate,
        host=args.host,
        port=args.port,
        seed=args.seed,
        rpm=args.rpm,
        tpm=args.tpm,
        window=args.window,
    )
    done = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: done.set())
    print(f"OpenAI-compatible server at {url} (OPENAI_BASE_URL={url}); Ctrl-C stops", flush=True)
    done.wait()
    stop()
    print(json.dumps(stats.snapshot()), flush=True)


if __name__ == "__main__":
    main()
