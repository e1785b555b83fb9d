"""The HTTP surface besides Slack's: health and the signals webhook. Thin: authenticate,
parse, call `bot/`, answer with a status code and a message a person can act on."""

from __future__ import annotations

import hmac

from flask import Flask, jsonify, request
from slack_bolt import App
from slack_bolt.adapter.flask import SlackRequestHandler

from bot import signals
from bot.runtime import Runtime

MAX_BODY = 1024 * 1024  # Slack payloads and signal batches are far smaller


def build_web(rt: Runtime, bolt: App | None) -> Flask:
    web = Flask("twoloop")
    web.config["MAX_CONTENT_LENGTH"] = MAX_BODY
    if bolt is not None:
        handler = SlackRequestHandler(bolt)

        @web.post("/slack/events")
        def slack_events():
            return handler.handle(request)

    @web.get("/healthz")
    def healthz():
        ok, detail = signals.health(rt)
        return jsonify(ok=ok, database=detail), 200 if ok else 503

    @web.post("/signals")
    def post_signals():
        token = rt.settings.secret("signals_token")
        if token is None:
            return _error(404, "the signals webhook is off: set TWOLOOP_SIGNALS_TOKEN")
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(given.encode(), token.encode()):
            resp = _error(401, "missing or wrong bearer token")
            resp[0].headers["WWW-Authenticate"] = 'Bearer realm="twoloop"'
            return resp
        body = request.get_json(silent=True)
        if body is None:
            return _error(400, "the body must be JSON (Content-Type: application/json)")
        try:
            counts = signals.ingest(rt, body)
        except signals.Rejected as exc:
            return jsonify(error="nothing was stored", problems=exc.problems), 422
        return jsonify(counts), 200

    @web.errorhandler(413)
    def too_large(_exc):
        return _error(413, f"request body over {MAX_BODY} bytes")

    return web


def _error(status: int, message: str):
    return jsonify(error=message), status
