"""The HTTP surface besides Slack's: health, the signals webhook and unsubscribe (Slack's
requests go to Bolt, see handlers/hosting/asgi.py). Thin: authenticate, parse, call `bot/`, answer
with a status code and a message a person can act on."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from html import escape

from flask import Flask, Response, jsonify, request

from bot.intake import signals
from bot.mail.outbound import unsubscribe
from bot.runtime import Runtime

MAX_BODY = 1024 * 1024  # Slack payloads and signal batches are far smaller
MAX_DEPTH = 8  # a signal batch nests three deep; anything far deeper is hostile or a mistake
SLACK_PATH = "/slack/events"


def build_web(rt: Runtime) -> Flask:
    web = Flask("twoloop")  # behind handlers/hosting/asgi.py, which enforces MAX_BODY on every path

    @web.get("/healthz")
    def healthz():
        ok, detail = signals.health(rt)
        extra = {}
        if rt.work is not None:  # acks without their work behind them would decide nothing
            extra["work"] = "running" if rt.work.alive else "down"
            ok = ok and rt.work.alive
        if rt.leadership is not None:  # which replica runs the scheduler, for the operator
            extra["role"] = "leader" if rt.leadership.is_leader else "standby"
        return jsonify(ok=ok, database=detail, **extra), 200 if ok else 503

    @web.post("/signals")
    def post_signals():
        token = rt.settings.secret("signals_token")
        if token is None:
            return _error(404, "the signals webhook is off: set TWOLOOP_SIGNALS_TOKEN")
        if not hmac.compare_digest(
            _bearer(request.headers.get("Authorization", "")), token.encode()
        ):
            resp = _error(401, "missing or wrong bearer token (Authorization: Bearer TOKEN)")
            resp[0].headers["WWW-Authenticate"] = 'Bearer realm="twoloop"'
            return resp
        if not request.is_json:
            return _error(400, "the body must be JSON (Content-Type: application/json)")
        try:
            body = _json_body(request.get_data(cache=False))
        except ValueError as exc:
            return _error(400, str(exc))
        try:
            counts = signals.ingest(rt, body)
        except signals.Rejected as exc:
            return jsonify(error="nothing was stored", problems=exc.problems), 422
        return jsonify(counts), 200

    @web.get("/u/<token>")
    def unsubscribe_page(token: str):
        # Never unsubscribes: link scanners and previews GET every URL in a message.
        found = unsubscribe.preview(rt, token)
        if found.status == "invalid":
            return _page(404, "Link not recognised", _INVALID)
        masked = escape(unsubscribe.mask(found.email))
        if found.status == "already":
            return _page(200, "You're unsubscribed", _ALREADY.format(masked=masked))
        return _page(200, "Unsubscribe?", _CONFIRM.format(masked=masked))

    @web.post("/u/<token>")
    def unsubscribe_post(token: str):
        # RFC 8058 one-click: the mail client's POST (body List-Unsubscribe=One-Click, no
        # cookies, no CSRF token) or our page's button. Either way, unsubscribe at once.
        via = "page" if request.form.get("via") == "page" else "one-click"
        done = unsubscribe.unsubscribe(rt, token, via)
        html = request.accept_mimetypes.best_match(["text/plain", "text/html"]) == "text/html"
        if done.status == "invalid":
            if html:
                return _page(404, "Link not recognised", _INVALID)
            return _text(404, "This unsubscribe link is not valid.")
        masked = unsubscribe.mask(done.email)
        if html:
            return _page(200, "You're unsubscribed", _DONE.format(masked=escape(masked)))
        return _text(200, f"You're unsubscribed: {masked} will get no more email from us.")

    return web


def _error(status: int, message: str):
    return jsonify(error=message), status


def _bearer(header: str) -> bytes:
    """The token of `Bearer TOKEN` (the scheme name is case-insensitive, RFC 7235); b"" for
    any other header, so a bare token or another scheme never matches."""
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer":
        return b""
    return token.strip().encode()


def _json_body(raw: bytes) -> object:
    """Parse a request body, refusing deep nesting before anything recurses over it."""
    try:
        body = json.loads(raw)
    except RecursionError:
        raise ValueError(f"the body nests deeper than {MAX_DEPTH} levels") from None
    except ValueError as exc:  # also UnicodeDecodeError
        raise ValueError(f"the body is not valid JSON ({exc})") from None
    level = [body]
    for _depth in range(MAX_DEPTH + 1):
        level = [
            child
            for item in level
            if isinstance(item, (dict, list))
            for child in (item.values() if isinstance(item, dict) else item)
        ]
        if not level:
            return body
    raise ValueError(f"the body nests deeper than {MAX_DEPTH} levels")


# The unsubscribe pages: self-contained (no external assets, no script), escaped, and kept
# out of caches, search indexes, referrers and frames (the URL carries the token).
_CSS = (
    "body{margin:0;font:1.0625rem/1.5 system-ui,-apple-system,'Segoe UI',sans-serif;"
    "color:#1a1a1a;background:#f6f6f4}"
    "main{max-width:32rem;margin:12vh auto;padding:2rem;background:#fff;border-radius:8px;"
    "box-shadow:0 1px 3px rgba(0,0,0,.15)}"
    "h1{font-size:1.5rem;margin:0 0 1rem}"
    "button{font:inherit;font-weight:600;padding:.7rem 1.4rem;border:0;border-radius:6px;"
    "color:#fff;background:#1f4fd1;cursor:pointer}"
    "button:hover{background:#173da6}"
    "button:focus-visible{outline:3px solid #f5b400;outline-offset:2px}"
    ".note{color:#555;font-size:.9375rem}"
)
_CSP = (
    "default-src 'none'; "
    f"style-src 'sha256-{base64.b64encode(hashlib.sha256(_CSS.encode()).digest()).decode()}'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
_HTML = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<meta name="referrer" content="no-referrer">
<title>{title}</title>
<style>{css}</style>
</head>
<body>
<main>
<h1>{title}</h1>
{body}
</main>
</body>
</html>
"""
_CONFIRM = """<p>Press the button to stop all email from us to <strong>{masked}</strong>.</p>
<form method="post">
<input type="hidden" name="List-Unsubscribe" value="One-Click">
<input type="hidden" name="via" value="page">
<button type="submit">Unsubscribe</button>
</form>
<p class="note">Nothing changes until you press the button.</p>"""
_DONE = "<p>We won't email <strong>{masked}</strong> again.</p>"
_ALREADY = "<p><strong>{masked}</strong> is already unsubscribed; we won't email it again.</p>"
_INVALID = """<p>This unsubscribe link is not valid. It may have been cut short when it was
copied: try the link in the email again, or reply to the email and ask us to stop.</p>"""
_PRIVATE = {
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}


def _page(status: int, title: str, body: str) -> Response:
    """`body` is trusted markup whose variable parts the caller escaped."""
    html = _HTML.format(title=escape(title), css=_CSS, body=body)
    resp = Response(html, status=status, mimetype="text/html")
    resp.headers.update(_PRIVATE)
    resp.headers["Content-Security-Policy"] = _CSP
    resp.headers["X-Frame-Options"] = "DENY"
    return resp


def _text(status: int, message: str) -> Response:
    resp = Response(message + "\n", status=status, mimetype="text/plain")
    resp.headers.update(_PRIVATE)
    return resp
