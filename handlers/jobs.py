"""What an acked click or event sets in motion: a decision, a modal, App Home.

A job is plain data, so it can cross to the work process (handlers/hosting/work_process.py)
as well as run beside the listener. Whichever process runs it checks the delivery's key first: a
redelivered click or event is dropped there, off the ack."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from slack_sdk import WebClient

from bot.decisions import Action, Request, Result, decide, precheck
from bot.ops.redelivery import first_time
from bot.reports.home import home_for
from bot.review import cards, clicks
from bot.runtime import Runtime
from handlers.ids import DEFER, EDIT, KILL, RECLASSIFY, REPLY_EDIT
from handlers.views.answers import refusal_text
from handlers.views.cards import parse_value
from handlers.views.home import home_view
from handlers.views.modals import (
    defer_modal,
    edit_modal,
    full_text_modal,
    kill_modal,
    reclassify_modal,
    reply_edit_modal,
)

log = logging.getLogger(__name__)

DECIDE, MODAL, HOME, FULL = "decide", "modal", "home", "full"

# Buttons that open a modal: the action it leads to (checked before it opens), and the view.
MODALS = {
    EDIT: (Action.EDIT, lambda card, today: edit_modal(card)),
    DEFER: (Action.DEFER, defer_modal),
    KILL: (Action.KILL, lambda card, today: kill_modal(card)),
    REPLY_EDIT: (Action.EDIT, lambda card, today: reply_edit_modal(card)),
    RECLASSIFY: (Action.RECLASSIFY, lambda card, today: reclassify_modal(card)),
}


@dataclass(frozen=True)
class Job:
    kind: str  # DECIDE (channel, Request, from_home) | MODAL | FULL (body,) | HOME (user,)
    key: str | None  # the delivery's name (handlers/redelivery.py); None: always run
    args: tuple


class Jobs:
    """Runs jobs: decisions on one pool, modals and Home on another, because a modal must
    open within 3 s of its click however many decisions are queued."""

    def __init__(
        self, rt: Runtime, client: WebClient, before_each: Callable[[], object] | None = None
    ):
        """`before_each` runs on the job's thread before it starts: the host's wait for a
        lull in acks (handlers/hosting/ack_first.py)."""
        self.rt, self.client, self.before_each = rt, client, before_each
        # Few decision threads: in the serving process each one competes with the acks for
        # the GIL. Decisions queue; they are not lost.
        self.decisions = ThreadPoolExecutor(max_workers=4, thread_name_prefix="decide")
        self.quick = ThreadPoolExecutor(max_workers=4, thread_name_prefix="modal")

    def submit(self, job: Job) -> None:
        (self.decisions if job.kind == DECIDE else self.quick).submit(self._run, job)

    def shutdown(self) -> None:
        """Wait for every job taken so far."""
        for pool in (self.quick, self.decisions):
            pool.shutdown(wait=True)

    def _run(self, job: Job) -> None:
        if self.before_each is not None:
            self.before_each()
        if job.key is not None and not first_time(self.rt, job.key):
            log.info("dropped a repeated delivery %s", job.key)
            return
        try:
            run = {DECIDE: self.decide, MODAL: self.modal, HOME: self.home, FULL: self.full_text}
            run[job.kind](*job.args)
        except Exception:  # one job's failure must not stop the pool
            log.exception("%s job failed", job.kind)

    def decide(self, channel: str, req: Request, from_home: bool = False) -> None:
        try:
            result = decide(self.rt, req)
        except Exception:
            log.exception("decision on review %s failed", req.review_id)
            result = Result("error", req.review_id, detail="Something went wrong; try again.")
        if from_home:  # Home has no channel: redraw it, with the refusal if there is one
            self.home(req.actor, _refusal(result))
        else:
            self.tell(channel, req.actor, result)

    def modal(self, body: dict) -> None:
        action, build = MODALS[body["actions"][0]["action_id"]]
        review_id, _ = parse_value(body["actions"][0]["value"])
        user = body["user"]["id"]
        found = precheck(self.rt, review_id, user, action)
        if isinstance(found, Result):
            if from_home(body):
                self.home(user, _refusal(found))
            else:
                self.tell(channel_of(body), user, found)
            return
        view = build(found, self.rt.now().date())
        if from_home(body):  # the submission then redraws Home instead of an ephemeral
            view.private_metadata = json.dumps({**json.loads(view.private_metadata), "home": 1})
        self.client.views_open(trigger_id=body["trigger_id"], view=view)
        clicks.press(self.rt, review_id, user, clicks.opened(action))  # after: 3 s to open

    def full_text(self, body: dict) -> None:
        """What a card had to shorten, whole, in a modal: reading needs no decision rights."""
        review_id, _ = parse_value(body["actions"][0]["value"])
        card = cards.load(self.rt, review_id)
        if card is None:
            result = Result("not_found", review_id)
            self.tell(channel_of(body), body["user"]["id"], result)
            return
        self.client.views_open(trigger_id=body["trigger_id"], view=full_text_modal(card))
        clicks.press(self.rt, review_id, body["user"]["id"], clicks.SHOW_FULL)

    def home(self, user: str, notice: str = "") -> None:
        try:
            view = home_view(home_for(self.rt, user, notice=notice))
            self.client.views_publish(user_id=user, view=view)
        except Exception:  # Home is redrawn on the next open
            log.exception("publishing App Home for %s failed", user)

    def tell(self, channel: str, user: str, result: Result) -> None:
        if result.status == "decided" or not channel:
            return
        text = refusal_text(result.status, result.outcome, result.decided_by, result.detail)
        try:
            self.client.chat_postEphemeral(channel=channel, user=user, text=text)
        except Exception as exc:  # noqa: BLE001 - a lost ephemeral is cosmetic
            log.warning("ephemeral to %s failed: %s", user, type(exc).__name__)


def from_home(body: dict) -> bool:
    """A click on the App Home tab: it comes with the Home view and no channel."""
    return (body.get("view") or {}).get("type") == "home" or (
        (body.get("container") or {}).get("type") == "view" and not channel_of(body)
    )


def channel_of(body: dict) -> str:
    return (body.get("channel") or {}).get("id", "")


def _refusal(result: Result) -> str:
    if result.status == "decided":
        return ""
    return refusal_text(result.status, result.outcome, result.decided_by, result.detail)
