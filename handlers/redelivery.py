"""Naming each Slack delivery, so a repeat can be dropped (see bot/ops/redelivery.py).

The middleware only computes the key and leaves it in the context; the listeners' hand-off
checks it off the ack path (handlers/jobs.py `Jobs`), so an ack never waits on the
database. Whichever delivery inserts the key first is carried out, on any replica."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable

from slack_bolt import BoltContext, BoltRequest

log = logging.getLogger(__name__)


def delivery_key(body: dict) -> str | None:
    """What makes a delivery the same one again; None for what is safe to repeat (or, for a
    slash command, what only its request can say: `command_key`)."""
    kind = body.get("type")
    if kind == "event_callback":
        return f"event:{body['event_id']}" if body.get("event_id") else None
    user = (body.get("user") or {}).get("id", "")
    if kind == "block_actions":
        actions = body.get("actions") or [{}]
        ts = actions[0].get("action_ts")
        return f"action:{user}:{actions[0].get('action_id', '')}:{ts}" if ts else None
    if kind == "view_submission":
        view = body.get("view") or {}
        # Each submission gets its own trigger_id, so a corrected resubmission (after a
        # validation error, same view id and hash) is not taken for a repeat.
        again = (
            body.get("trigger_id")
            or hashlib.sha256(json.dumps(view.get("state"), sort_keys=True).encode()).hexdigest()[
                :16
            ]
        )
        return f"view:{user}:{view.get('id', '')}:{view.get('hash', '')}:{again}"
    return None


def command_key(req: BoltRequest) -> str | None:
    """A slash command carries no id of its own, but its signature is an HMAC of its
    timestamp and body: the same signed request replayed (within the 5 minutes the signature
    is accepted) has the same one, while the same words typed again are signed anew. None
    without a signature (Socket Mode)."""
    sig = (req.headers.get("x-slack-signature") or [""])[0]
    ts = (req.headers.get("x-slack-request-timestamp") or [""])[0]
    return f"command:{ts}:{sig}" if sig and ts else None


DELIVERY_KEY = "twoloop_delivery_key"


def name_deliveries(req: BoltRequest, body: dict, context: BoltContext, next: Callable) -> None:
    key = command_key(req) if body.get("command") else delivery_key(body)
    if key is not None:
        context[DELIVERY_KEY] = key[:255]
        retry = (req.headers.get("x-slack-retry-num") or [""])[0]
        if retry:
            reason = (req.headers.get("x-slack-retry-reason") or [""])[0]
            log.info("Slack redelivered %s (retry %s, %s)", key, retry, reason or "no reason")
    next()
