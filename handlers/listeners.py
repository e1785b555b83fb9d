"""Bolt listeners. Each one parses the payload, acks at once, calls one function in `bot/`,
and renders the result. Decisions run on a separate work pool so a burst of clicks never
delays the next ack.

Click and event listeners run on the HTTP server's event loop (handlers/asgi.py `ON_LOOP`):
before their ack they must not touch the database or the network, or every other ack waits.
Slash commands and modal submissions run on a thread and may read before they answer."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from datetime import date

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.decisions import (
    Action,
    Invalid,
    Request,
    Result,
    decide,
    edit_problems,
    precheck,
    validate,
)
from bot.home import home_for
from bot.redelivery import first_time
from bot.runtime import Runtime
from handlers.ack_first import AckFirst
from handlers.blocks import (
    APPROVE,
    DEFER,
    DEFER_VIEW,
    EDIT,
    EDIT_VIEW,
    KILL,
    KILL_VIEW,
    RECLASSIFY,
    RECLASSIFY_VIEW,
    REPLY_EDIT,
    REPLY_EDIT_VIEW,
    SEND_REPLY,
    TAKE_OVER,
    defer_modal,
    edit_modal,
    kill_modal,
    parse_meta,
    parse_value,
    reclassify_modal,
    refusal_text,
    reply_edit_modal,
)
from handlers.commands import run_command
from handlers.home_blocks import home_view
from handlers.redelivery import DELIVERY_KEY

log = logging.getLogger(__name__)

MODALS = {
    EDIT: (Action.EDIT, lambda card, today: edit_modal(card)),
    DEFER: (Action.DEFER, defer_modal),
    KILL: (Action.KILL, lambda card, today: kill_modal(card)),
    REPLY_EDIT: (Action.EDIT, lambda card, today: reply_edit_modal(card)),
    RECLASSIFY: (Action.RECLASSIFY, lambda card, today: reclassify_modal(card)),
}
# Buttons that decide at once (their confirmation, if any, is Slack's confirm dialog).
DIRECT = {APPROVE: Action.APPROVE, SEND_REPLY: Action.SEND_REPLY, TAKE_OVER: Action.TAKE_OVER}


@dataclass
class Pools:
    decide: Executor  # decisions and what follows them (card update, ephemerals, mail)
    modal: Executor  # opening modals and App Home: quick, and due within Slack's 3 s
    ack_first: AckFirst = field(default_factory=AckFirst)  # their work waits for acks

    def shutdown(self) -> None:
        for pool in (self.modal, self.decide):
            pool.shutdown(wait=True)


def register(app: App, rt: Runtime, pools: Pools) -> None:
    def once(executor: Executor, context: BoltContext, work: Callable, *args) -> None:
        """Hand `work` off; it runs unless this delivery was taken before (a redelivered
        event, a repeated request). The check is a database write, so it happens here, off
        the ack: the ack only parses and queues."""
        key = context.get(DELIVERY_KEY)

        def run() -> None:
            pools.ack_first.wait()
            if key is None or first_time(rt, key):
                work(*args)
            else:
                log.info("dropped a repeated delivery %s", key)

        executor.submit(run)

    def tell(client: WebClient, channel: str, user: str, result: Result) -> None:
        if result.status == "decided" or not channel:
            return
        text = refusal_text(result.status, result.outcome, result.decided_by, result.detail)
        try:
            client.chat_postEphemeral(channel=channel, user=user, text=text)
        except Exception as exc:  # noqa: BLE001 - a lost ephemeral is cosmetic
            log.warning("ephemeral to %s failed: %s", user, type(exc).__name__)

    def decide_and_tell(
        client: WebClient, channel: str, req: Request, from_home: bool = False
    ) -> None:
        try:
            result = decide(rt, req)
        except Exception:
            log.exception("decision on review %s failed", req.review_id)
            result = Result("error", req.review_id, detail="Something went wrong; try again.")
        if from_home:  # Home has no channel: redraw it, with the refusal if there is one
            publish_home(client, req.actor, _refusal(result))
        else:
            tell(client, channel, req.actor, result)

    def decide_now(ack: Ack, body: dict, client: WebClient, context: BoltContext) -> None:
        ack()
        action = body["actions"][0]
        review_id, content_hash = parse_value(action["value"])
        req = Request(
            review_id, body["user"]["id"], DIRECT[action["action_id"]], content_hash=content_hash
        )
        once(pools.decide, context, decide_and_tell, client, _channel(body), req, _from_home(body))

    for action_id in DIRECT:
        app.action(action_id)(decide_now)

    def show_modal(client: WebClient, body: dict) -> None:
        action, build = MODALS[body["actions"][0]["action_id"]]
        review_id, _ = parse_value(body["actions"][0]["value"])
        user = body["user"]["id"]
        found = precheck(rt, review_id, user, action)
        if isinstance(found, Result):
            if _from_home(body):
                publish_home(client, user, _refusal(found))
            else:
                tell(client, _channel(body), user, found)
            return
        view = build(found, rt.now().date())
        if _from_home(body):  # the submission then redraws Home instead of an ephemeral
            view.private_metadata = json.dumps({**json.loads(view.private_metadata), "home": 1})
        client.views_open(trigger_id=body["trigger_id"], view=view)

    def open_modal(ack: Ack, body: dict, client: WebClient, context: BoltContext) -> None:
        ack()
        once(pools.modal, context, show_modal, client, body)

    for action_id in MODALS:
        app.action(action_id)(open_modal)

    def submit(action: Action, fields: dict, kind: str = "draft"):
        def handler(ack: Ack, body: dict, client: WebClient, context: BoltContext) -> None:
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
            once(pools.decide, context, decide_and_tell, client, channel, req, home)

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
    def command(ack: Ack, command: dict, client: WebClient) -> None:
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
            **run_command(rt, user, command.get("text", ""), later=pools.decide.submit, tell=tell),
        )

    def publish_home(client: WebClient, user: str, notice: str = "") -> None:
        try:
            client.views_publish(user_id=user, view=home_view(home_for(rt, user, notice=notice)))
        except Exception:  # noqa: BLE001 - Home is redrawn on the next open
            log.exception("publishing App Home for %s failed", user)

    @app.event("app_home_opened")
    def home(ack: Ack, event: dict, client: WebClient, context: BoltContext) -> None:
        ack()
        if event.get("tab", "home") == "home":
            once(pools.modal, context, publish_home, client, event["user"])


def _from_home(body: dict) -> bool:
    """A click on the App Home tab: it comes with the Home view and no channel."""
    return (body.get("view") or {}).get("type") == "home" or (
        (body.get("container") or {}).get("type") == "view" and not _channel(body)
    )


def _refusal(result: Result) -> str:
    if result.status == "decided":
        return ""
    return refusal_text(result.status, result.outcome, result.decided_by, result.detail)


def _channel(body: dict) -> str:
    return (body.get("channel") or {}).get("id", "")


def _text(values: dict, block: str) -> str:
    return (values.get(block, {}).get("value", {}).get("value") or "").strip()


def _date(raw: str | None) -> date | None:
    return date.fromisoformat(raw) if raw else None
