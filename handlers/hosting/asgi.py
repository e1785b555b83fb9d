"""The one HTTP front: Slack's requests go to Bolt, everything else to the Flask app.

Served by uvicorn (httptools, uvloop): its HTTP layer costs a fraction of a thread-per-request
WSGI server's, and an ack is almost all HTTP layer. Clicks and events are dispatched on the
event loop itself: their listeners only parse, ack and queue (handlers/listeners/), and a
hop to a thread and back costs more than the ack (measured at 200 concurrent clicks: 2,385 vs
4,149 acks/s). Slash commands and modal submissions answer from the database, so they go to a
thread pool: a slow read must not hold every other ack behind it. Every body is read in full,
up to MAX_BODY, before any app sees it, so the limit holds for every path, chunked or not."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from concurrent.futures import Executor

from a2wsgi import WSGIMiddleware
from slack_bolt import App, BoltResponse

from handlers.hosting.ack_first import AckFirst
from handlers.hosting.web import MAX_BODY, SLACK_PATH
from handlers.slack_request import SlackRequest

Scope = dict
Receive = Callable[[], Awaitable[dict]]
Send = Callable[[dict], Awaitable[None]]


# Payload types whose listeners never wait on I/O before the ack (the request parses the body
# on construction, so the type costs nothing more to read).
ON_LOOP = frozenset({"block_actions", "event_callback", "url_verification", "ssl_check"})


class TooLarge(Exception):
    pass


class Front:
    """The ASGI app `serve` runs."""

    def __init__(self, web, bolt: App | None, *, acks: Executor, threads: int, ack_first: AckFirst):
        self.bolt = bolt  # None in Socket Mode: Slack's requests come over the socket
        self.acks = acks
        self.ack_first = ack_first
        self.web = WSGIMiddleware(web, workers=threads)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return  # lifespan is off; websockets are not served
        try:
            body = await _read_body(scope, receive)
        except TooLarge:
            await _respond(send, 413, {"error": f"request body over {MAX_BODY} bytes"})
            return
        if self.bolt is not None and scope["path"] == SLACK_PATH:
            await self._slack(scope, body, send)
            self.ack_first.answered()
            return
        await self.web(_with_length(scope, len(body)), _replay(body), send)

    async def _slack(self, scope: Scope, body: bytes, send: Send) -> None:
        if scope["method"] != "POST":
            await _respond(send, 405, {"error": "Slack's requests are POSTs"}, allow="POST")
            return
        req = SlackRequest(
            body=body.decode("utf-8", errors="replace"),
            query=scope["query_string"].decode("latin-1"),
            headers=_headers(scope),
        )
        if req.body.get("type") in ON_LOOP:
            resp: BoltResponse = self.bolt.dispatch(req)
        else:
            loop = asyncio.get_running_loop()
            resp = await loop.run_in_executor(self.acks, self.bolt.dispatch, req)
        payload = resp.body.encode() if isinstance(resp.body, str) else resp.body
        headers = [
            (name.encode("latin-1"), value.encode("latin-1"))
            for name, values in resp.headers.items()
            if name.lower() != "content-length"
            for value in values
        ]
        headers.append((b"content-length", str(len(payload)).encode()))
        await send({"type": "http.response.start", "status": resp.status, "headers": headers})
        await send({"type": "http.response.body", "body": payload})


async def _read_body(scope: Scope, receive: Receive) -> bytes:
    for name, value in scope["headers"]:
        if name == b"content-length" and value.isdigit() and int(value) > MAX_BODY:
            raise TooLarge  # refused before a byte of it is read
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] != "http.request":  # the client went away
            return b""
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY:
            raise TooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _with_length(scope: Scope, length: int) -> Scope:
    """The body is read whole: say how long it is (a chunked one has no Content-Length,
    and without it the WSGI app would read nothing)."""
    headers = [
        (name, value)
        for name, value in scope["headers"]
        if name not in (b"content-length", b"transfer-encoding")
    ]
    headers.append((b"content-length", str(length).encode()))
    return {**scope, "headers": headers}


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> dict:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    return receive


def _headers(scope: Scope) -> dict[str, list[str]]:
    headers: dict[str, list[str]] = {}
    for name, value in scope["headers"]:
        headers.setdefault(name.decode("latin-1"), []).append(value.decode("latin-1"))
    return headers


async def _respond(send: Send, status: int, answer: dict, **extra: str) -> None:
    payload = json.dumps(answer).encode()
    headers = [(b"content-type", b"application/json")]
    headers += [(b"content-length", str(len(payload)).encode())]
    headers += [(k.encode(), v.encode()) for k, v in extra.items()]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})
