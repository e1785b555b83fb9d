"""Build requests the way Slack sends them: form-encoded, signed with the signing secret."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from urllib.parse import urlencode

import httpx

SIGNING_SECRET = "test-signing-secret-0123456789"
_triggers = itertools.count(1)


def sign(body: str, timestamp: int | None = None, secret: str = SIGNING_SECRET) -> dict:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    base = f"v0:{ts}:{body}".encode()
    sig = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": sig,
        "Content-Type": "application/x-www-form-urlencoded",
    }


def interaction_body(payload: dict) -> str:
    return urlencode({"payload": json.dumps(payload)})


def block_action(user: str, action_id: str, value: str, channel: str = "C0REVIEWS01") -> dict:
    return {
        "type": "block_actions",
        "team": {"id": "T0TEAM", "domain": "test"},
        "user": {"id": user, "username": user.lower(), "team_id": "T0TEAM"},
        "api_app_id": "A0APP",
        "token": "legacy-unused",
        "trigger_id": f"trigger-{user}-{time.monotonic_ns()}",
        "channel": {"id": channel, "name": "reviews"},
        "container": {"type": "message", "channel_id": channel, "message_ts": "1700000000.000001"},
        "message": {"ts": "1700000000.000001", "text": "card"},
        "response_url": "http://127.0.0.1:9/unused",
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": "review",
                "value": value,
                "action_ts": str(time.time()),
            }
        ],
    }


def view_submission(user: str, callback_id: str, private_metadata: str, values: dict) -> dict:
    return {
        "type": "view_submission",
        "team": {"id": "T0TEAM", "domain": "test"},
        "user": {"id": user, "username": user.lower(), "team_id": "T0TEAM"},
        "api_app_id": "A0APP",
        "token": "legacy-unused",
        "trigger_id": f"trigger-{time.monotonic_ns()}",
        "view": {
            "id": "V0VIEW",
            "type": "modal",
            "callback_id": callback_id,
            "private_metadata": private_metadata,
            "team_id": "T0TEAM",
            "state": {"values": values},
            "hash": "h",
            "app_id": "A0APP",
        },
    }


def post_signed(client: httpx.Client, url: str, body: str, **sign_kw) -> httpx.Response:
    return client.post(url, content=body, headers=sign(body, **sign_kw))


def wait_for(check, timeout: float = 10.0, what: str = "condition"):
    """Poll `check` until it returns something truthy (the hand-off runs after the ack)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"{what} not met within {timeout} s")


def slash_command(user: str, text: str, channel: str = "C0OPS") -> str:
    """A /twoloop invocation, form-encoded as Slack posts it (sign it with post_signed). Each
    invocation has a trigger_id of its own, as Slack's do: the same words typed twice are two
    requests; only a replay of one (same body, signature and timestamp) is the same."""
    return urlencode(
        {
            "command": "/twoloop",
            "text": text,
            "user_id": user,
            "channel_id": channel,
            "team_id": "T0TEAM",
            "trigger_id": f"{time.monotonic_ns()}.{next(_triggers)}",
            "response_url": "http://127.0.0.1:9/x",
            "token": "legacy",
        }
    )
