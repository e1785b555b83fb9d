"""Modal submissions (view_submission): read the form, check it (an error is shown in the
modal, which stays open), ack, then hand off the decision."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import partial

from slack_bolt import Ack, App, BoltContext

from bot.decisions import Action, Invalid, Request, edit_problems, validate
from handlers.ids import (
    BODY,
    DEFER_VIEW,
    EDIT_VIEW,
    INPUT,
    KILL_VIEW,
    NOTE,
    REASON,
    RECLASSIFY_VIEW,
    REPLY_EDIT_VIEW,
    SUBJECT,
    UNTIL,
)
from handlers.jobs import DECIDE, Job
from handlers.listeners.deps import Deps
from handlers.redelivery import DELIVERY_KEY
from handlers.views.modals import parse_meta

Values = dict  # a submitted view's state.values: block id -> action id -> element state


@dataclass(frozen=True)
class Form:
    """What a modal decides, and how each of the Request's fields is read from its inputs."""

    action: Action
    fields: dict[str, Callable[[Values], object]]
    kind: str = "draft"


def _text(block: str) -> Callable[[Values], str]:
    return lambda v: (v.get(block, {}).get(INPUT, {}).get("value") or "").strip()


def _choice(v: Values) -> str:
    return (v[REASON][INPUT].get("selected_option") or {}).get("value", "")


def _date(v: Values) -> date | None:
    raw = v[UNTIL][INPUT].get("selected_date")
    return date.fromisoformat(raw) if raw else None


FORMS = {
    EDIT_VIEW: Form(Action.EDIT, {"subject": _text(SUBJECT), "body": _text(BODY)}),
    KILL_VIEW: Form(Action.KILL, {"reason_code": _choice, "reason_text": _text(NOTE)}),
    REPLY_EDIT_VIEW: Form(Action.EDIT, {"body": _text(BODY)}, "reply"),
    RECLASSIFY_VIEW: Form(
        Action.RECLASSIFY, {"reason_code": _choice, "reason_text": _text(NOTE)}, "reply"
    ),
    DEFER_VIEW: Form(Action.DEFER, {"defer_until": _date}),
}


def register(app: App, deps: Deps) -> None:
    for callback_id, form in FORMS.items():
        app.view(callback_id)(partial(submitted, deps=deps, form=form))


def submitted(ack: Ack, body: dict, context: BoltContext, deps: Deps, form: Form) -> None:
    review_id, content_hash, channel = parse_meta(body["view"]["private_metadata"])
    values = body["view"]["state"]["values"]
    req = Request(
        review_id,
        body["user"]["id"],
        form.action,
        content_hash=content_hash,
        **{name: read(values) for name, read in form.fields.items()},
    )
    try:
        validate(req, deps.rt.now().date(), form.kind)
    except Invalid as exc:
        ack(response_action="errors", errors={exc.field: str(exc)})
        return
    if form.action == Action.EDIT and form.kind == "draft":
        problems = edit_problems(deps.rt, review_id, req.subject, req.body)
        if problems:
            ack(response_action="errors", errors={BODY: "; ".join(problems)[:150]})
            return
    ack()
    home = bool(json.loads(body["view"]["private_metadata"]).get("home"))
    deps.hand_off(Job(DECIDE, context.get(DELIVERY_KEY), (channel, req, home)))
