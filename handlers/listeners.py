"""Bolt listeners. Each one parses the payload, acks at once and hands the rest off as a
job (handlers/jobs.py), so a burst of clicks never delays the next ack.

Click and event listeners run on the HTTP server's event loop (handlers/asgi.py `ON_LOOP`):
before their ack they must not touch the database or the network, or every other ack waits.
Slash commands and modal submissions run on a thread and may read before they answer."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import date

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.decisions import Action, Invalid, Request, edit_problems, validate
from bot.runtime import Runtime
from handlers.blocks import (
    APPROVE,
    DEFER_VIEW,
    EDIT_VIEW,
    FULL_TEXT,
    KILL_VIEW,
    RECLASSIFY_VIEW,
    REPLY_EDIT_VIEW,
    SEND_REPLY,
    TAKE_OVER,
    parse_meta,
    parse_value,
)
from handlers.commands import run_command
from handlers.jobs import DECIDE, FULL, HOME, MODAL, MODALS, Job, channel_of, from_home
from handlers.redelivery import DELIVERY_KEY

log = logging.getLogger(__name__)

# Buttons that decide at once (their confirmation, if any, is Slack's confirm dialog).
DIRECT = {APPROVE: Action.APPROVE, SEND_REPLY: Action.SEND_REPLY, TAKE_OVER: Action.TAKE_OVER}


def register(
    app: App,
    rt: Runtime,
    hand_off: Callable[[Job], None],
    later: Callable[..., object],
) -> None:
    """`hand_off` takes the jobs clicks and events set off (handlers/jobs.py), to run after
    the ack, here or in the work process; `later` runs a slash command's follow-ups."""

    def decide_now(ack: Ack, body: dict, context: BoltContext) -> None:
        ack()
        action = body["actions"][0]
        review_id, content_hash = parse_value(action["value"])
        req = Request(
            review_id, body["user"]["id"], DIRECT[action["action_id"]], content_hash=content_hash
        )
        args = (channel_of(body), req, from_home(body))
        hand_off(Job(DECIDE, context.get(DELIVERY_KEY), args))

    for action_id in DIRECT:
        app.action(action_id)(decide_now)

    def open_modal(ack: Ack, body: dict, context: BoltContext) -> None:
        ack()
        hand_off(Job(MODAL, context.get(DELIVERY_KEY), (body,)))

    for action_id in MODALS:
        app.action(action_id)(open_modal)

    @app.action(FULL_TEXT)
    def full_text(ack: Ack, body: dict, context: BoltContext) -> None:
        ack()
        hand_off(Job(FULL, context.get(DELIVERY_KEY), (body,)))

    def submit(action: Action, fields: dict, kind: str = "draft"):
        def handler(ack: Ack, body: dict, context: BoltContext) -> None:
            review_id, content_hash, channel = parse_meta(body["view"]["private_metadata"])
            values = body["view"]["state"]["values"]
            req = Request(
                review_id,
                body["user"]["id"],
                action,
                content_hash=content_hash,
                **{k: read(values) for k, read in fields.items()},
            )
            try:
                validate(req, rt.now().date(), kind)
            except Invalid as exc:
                ack(response_action="errors", errors={exc.field: str(exc)})
                return
            if action == Action.EDIT and kind == "draft":
                problems = edit_problems(rt, review_id, req.subject, req.body)
                if problems:
                    ack(response_action="errors", errors={"body": "; ".join(problems)[:150]})
                    return
            ack()
            home = bool(json.loads(body["view"]["private_metadata"]).get("home"))
            hand_off(Job(DECIDE, context.get(DELIVERY_KEY), (channel, req, home)))

        return handler

    app.view(EDIT_VIEW)(
        submit(
            Action.EDIT,
            {
                "subject": lambda v: _text(v, "subject"),
                "body": lambda v: _text(v, "body"),
            },
        )
    )
    app.view(KILL_VIEW)(
        submit(
            Action.KILL,
            {
                "reason_code": lambda v: (v["reason"]["value"].get("selected_option") or {}).get(
                    "value", ""
                ),
                "reason_text": lambda v: _text(v, "note"),
            },
        )
    )
    app.view(REPLY_EDIT_VIEW)(submit(Action.EDIT, {"body": lambda v: _text(v, "body")}, "reply"))
    app.view(RECLASSIFY_VIEW)(
        submit(
            Action.RECLASSIFY,
            {
                "reason_code": lambda v: (v["reason"]["value"].get("selected_option") or {}).get(
                    "value", ""
                ),
                "reason_text": lambda v: _text(v, "note"),
            },
            "reply",
        )
    )
    app.view(DEFER_VIEW)(
        submit(
            Action.DEFER,
            {
                "defer_until": lambda v: _date(v["until"]["value"].get("selected_date")),
            },
        )
    )

    @app.command("/twoloop")
    def command(ack: Ack, command: dict, client: WebClient, context: BoltContext) -> None:
        # Answers are quick (a grouped query or one small write), so they ride on the ack;
        # notices to owners and the digest go to the work pool after it.
        user, channel = command["user_id"], command.get("channel_id", "")

        def tell(text: str) -> None:
            try:
                client.chat_postEphemeral(channel=channel, user=user, text=text)
            except Exception as exc:  # noqa: BLE001 - a lost ephemeral is cosmetic
                log.warning("ephemeral to %s failed: %s", user, type(exc).__name__)

        ack(
            response_type="ephemeral",
            **run_command(
                rt,
                user,
                command.get("text", ""),
                later=later,
                tell=tell,
                once=context.get(DELIVERY_KEY),
            ),
        )

    @app.event("app_home_opened")
    def home(ack: Ack, event: dict, context: BoltContext) -> None:
        ack()
        if event.get("tab", "home") == "home":
            hand_off(Job(HOME, context.get(DELIVERY_KEY), (event["user"],)))


def _text(values: dict, block: str) -> str:
    return (values.get(block, {}).get("value", {}).get("value") or "").strip()


def _date(raw: str | None) -> date | None:
    return date.fromisoformat(raw) if raw else None
