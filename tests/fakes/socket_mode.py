"""Slack's Socket Mode end, on loopback: the WebSocket that apps.connections.open points to.

Each connection is greeted with `hello`, as Slack greets it; the test then sends envelopes
(an interaction, a slash command, an event) down the socket and reads the acks the app
sends back, with any response payload in them."""

from __future__ import annotations

import json
import queue
import threading
import uuid

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import ServerConnection, serve

KINDS = {"interactive", "slash_commands", "events_api"}


class FakeSocketMode:
    def __init__(self) -> None:
        self.acks: dict[str, dict] = {}
        self._acked = threading.Condition()
        self._connections: queue.Queue[ServerConnection] = queue.Queue()
        self._live: ServerConnection | None = None
        self.server = serve(self._session, "127.0.0.1", 0)
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        host, port = self.server.socket.getsockname()[:2]
        return f"ws://{host}:{port}/link/?ticket=test"

    def _session(self, ws: ServerConnection) -> None:
        ws.send(
            json.dumps(
                {
                    "type": "hello",
                    "num_connections": 1,
                    "connection_info": {"app_id": "A0APP"},
                    "debug_info": {"host": "fake", "approximate_connection_time": 3600},
                }
            )
        )
        self._connections.put(ws)
        try:
            for raw in ws:
                message = json.loads(raw)
                with self._acked:
                    self.acks[message["envelope_id"]] = message
                    self._acked.notify_all()
        except ConnectionClosed:
            pass

    def connected(self, timeout: float = 10) -> ServerConnection:
        """The app's connection (the latest, once it has been greeted)."""
        while True:
            try:
                self._live = self._connections.get(timeout=timeout if self._live is None else 0)
            except queue.Empty:
                if self._live is None:
                    raise AssertionError(
                        "the app never opened its Socket Mode connection"
                    ) from None
                return self._live

    def send(self, kind: str, payload: dict, envelope_id: str = "", retry: int = 0) -> str:
        assert kind in KINDS, kind
        envelope_id = envelope_id or str(uuid.uuid4())
        envelope = {
            "envelope_id": envelope_id,
            "type": kind,
            "payload": payload,
            "accepts_response_payload": kind != "events_api",
            "retry_attempt": retry,
            "retry_reason": "timeout" if retry else "",
        }
        self.connected().send(json.dumps(envelope))
        return envelope_id

    def ack(self, envelope_id: str, timeout: float = 10) -> dict:
        with self._acked:
            if not self._acked.wait_for(lambda: envelope_id in self.acks, timeout):
                raise AssertionError(f"no ack for envelope {envelope_id} within {timeout} s")
            return self.acks[envelope_id]

    def close(self) -> None:
        self.server.shutdown()
        self._thread.join(5)
