"""Bolt listeners. Each one parses the payload, acks at once, calls one function in `bot/`,
and renders the result. Decisions run on a separate work pool so a burst of clicks never
delays the next ack."""

from __future__ import annotations

import logging
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import date

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot import status
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
from bot.runtime import Runtime
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
    home_view,
    kill_modal,
    parse_meta,
    parse_value,
    reclassify_modal,
    refusal_text,
    reply_edit_modal,
)
from handlers.commands import run_command

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

    def shutdown(self) -> None:
        for pool in (self.modal, self.decide):
            pool.shutdown(wait=True)


def register(app: App, rt: Runtime, pools: Pools) -> None:
    pool = pools.decide

    def tell(client: WebClient, channel: str, user: str, result: Result) -> None:
        if result.status == "decided" or not channel:
            return
        text = refusal_text(result.status, result.outcome, result.decided_by, result.detail)
        try:
            client.chat_postEphemeral(channel=channel, user=user, text=text)
        except Exception as exc:  # noqa: BLE001 - a lost ephemeral is cosmetic
            log.warning("ephemeral to %s failed: %s", user, type(exc).__name__)

    def decide_and_tell(client: WebClient, channel: str, req: Request) -> None:
        try:
            tell(client, channel, req.actor, decide(rt, req))
        except Exception:
            log.exception("decision on review %s failed", req.review_id)
            tell(
                client,
                channel,
                req.actor,
                Result("error", req.review_id, detail="Something went wrong; try again."),
            )

    def decide_now(ack: Ack, body: dict, client: WebClient) -> None:
        ack()
        action = body["actions"][0]
        review_id, content_hash = parse_value(action["value"])
        req = Request(
            review_id, body["user"]["id"], DIRECT[action["action_id"]], content_hash=content_hash
        )
        pool.submit(decide_and_tell, client, _channel(body), req)

    for action_id in DIRECT:
        app.action(action_id)(decide_now)

    def show_modal(client: WebClient, body: dict) -> None:
        action, build = MODALS[body["actions"][0]["action_id"]]
        review_id, _ = parse_value(body["actions"][0]["value"])
        user = body["user"]["id"]
        found = precheck(rt, review_id, user, action)
        if isinstance(found, Result):
            tell(client, _channel(body), user, found)
            return
        client.views_open(trigger_id=body["trigger_id"], view=build(found, rt.now().date()))

    def open_modal(ack: Ack, body: dict, client: WebClient) -> None:
        ack()
        pools.modal.submit(show_modal, client, body)

    for action_id in MODALS:
        app.action(action_id)(open_modal)

    def submit(action: Action, fields: dict, kind: str = "draft"):
        def handler(ack: Ack, body: dict, client: WebClient) -> None:
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
            pool.submit(decide_and_tell, client, channel, req)

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
    def command(ack: Ack, command: dict) -> None:
        # Read-only answers are quick (one grouped query), so they ride on the ack itself.
        ack(
            response_type="ephemeral",
            **run_command(rt, command["user_id"], command.get("text", "")),
        )

    def publish_home(client: WebClient, user: str) -> None:
        client.views_publish(user_id=user, view=home_view(user, status.queue_for(rt, user)))

    @app.event("app_home_opened")
    def home(ack: Ack, event: dict, client: WebClient) -> None:
        ack()
        if event.get("tab", "home") == "home":
            pools.modal.submit(publish_home, client, event["user"])


def _channel(body: dict) -> str:
    return (body.get("channel") or {}).get("id", "")


def _text(values: dict, block: str) -> str:
    return (values.get(block, {}).get("value", {}).get("value") or "").strip()


def _date(raw: str | None) -> date | None:
    return date.fromisoformat(raw) if raw else None
