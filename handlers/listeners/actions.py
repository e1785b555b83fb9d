"""Button clicks (block_actions): ack, then hand off a decision, a modal or the full text."""

from __future__ import annotations

from functools import partial

from slack_bolt import Ack, App, BoltContext

from bot.decisions import Action, Request
from handlers.ids import (
    APPROVE,
    FULL_TEXT,
    PROPOSAL_APPLY,
    PROPOSAL_DISMISS,
    SEND_REPLY,
    TAKE_OVER,
)
from handlers.jobs import DECIDE, FULL, MODAL, MODALS, Job, channel_of, from_home
from handlers.listeners.deps import Deps
from handlers.redelivery import DELIVERY_KEY
from handlers.views.cards import parse_value

# Buttons that decide at once (their confirmation, if any, is Slack's confirm dialog).
DIRECT = {
    APPROVE: Action.APPROVE,
    SEND_REPLY: Action.SEND_REPLY,
    TAKE_OVER: Action.TAKE_OVER,
    PROPOSAL_APPLY: Action.APPLY,
    PROPOSAL_DISMISS: Action.DISMISS,
}


def register(app: App, deps: Deps) -> None:
    for action_id in DIRECT:
        app.action(action_id)(partial(decide_now, deps=deps))
    for action_id in MODALS:
        app.action(action_id)(partial(open_modal, deps=deps))
    app.action(FULL_TEXT)(partial(full_text, deps=deps))


def decide_now(ack: Ack, body: dict, context: BoltContext, deps: Deps) -> None:
    ack()
    action = body["actions"][0]
    review_id, content_hash = parse_value(action["value"])
    req = Request(
        review_id, body["user"]["id"], DIRECT[action["action_id"]], content_hash=content_hash
    )
    args = (channel_of(body), req, from_home(body))
    deps.hand_off(Job(DECIDE, context.get(DELIVERY_KEY), args))


def open_modal(ack: Ack, body: dict, context: BoltContext, deps: Deps) -> None:
    ack()
    deps.hand_off(Job(MODAL, context.get(DELIVERY_KEY), (body,)))


def full_text(ack: Ack, body: dict, context: BoltContext, deps: Deps) -> None:
    ack()
    deps.hand_off(Job(FULL, context.get(DELIVERY_KEY), (body,)))
