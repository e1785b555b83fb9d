"""Reviews from the terminal (`twoloop reviews list|show|decide`), for scripts and incidents.

Deciding goes through the same `decisions.decide` as a Slack click, so first decision wins,
only the owner or an operator may decide, and the decision is audited the same way; the
terminal adds one audit event saying the decision was asked for here, and as whom."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot import decisions
from bot.decisions import ALLOWED, Action, Invalid, Request, Result
from bot.ports import Card
from bot.review.cards import card_for
from bot.runtime import Runtime
from storage import audit, review_queue
from storage.models import Draft, Review
from storage.review_queue import QueuedReview

# What a person types, and the action it means ("send" is a reply card's Send reply).
ACTIONS = {
    "approve": Action.APPROVE,
    "edit": Action.EDIT,
    "defer": Action.DEFER,
    "kill": Action.KILL,
    "send": Action.SEND_REPLY,
    "send-reply": Action.SEND_REPLY,
    "take-over": Action.TAKE_OVER,
    "reclassify": Action.RECLASSIFY,
}
WORDS = {
    Action.APPROVE: "approve",
    Action.EDIT: "edit",
    Action.DEFER: "defer",
    Action.KILL: "kill",
    Action.SEND_REPLY: "send",
    Action.TAKE_OVER: "take-over",
    Action.RECLASSIFY: "reclassify",
}


@dataclass(frozen=True)
class Item:
    id: int
    kind: str
    agent_id: str
    owner: str
    channel: str
    posted: bool  # its card is in Slack (else `twoloop serve` posts it)
    created_at: datetime
    expires_at: datetime
    age: timedelta
    summary: str


@dataclass(frozen=True)
class Choice:
    """What the person asked for, before it becomes a `Request`."""

    action: Action
    subject: str | None = None  # an edit's new subject; None keeps the draft's
    body: str = ""
    until: date | None = None
    reason: str = ""
    note: str = ""


def action_for(word: str) -> Action:
    action = ACTIONS.get(word.strip().lower().replace("_", "-"))
    if action is None:
        raise Invalid("action", f"{word!r} is not an action (one of: {', '.join(ACTIONS)})")
    return action


def queue(
    rt: Runtime,
    *,
    kind: str | None = None,
    owner: str | None = None,
    agent: str | None = None,
    limit: int = 200,
) -> list[Item]:
    now = rt.now()
    with rt.db.session() as s:
        rows = review_queue.open_queue(s, kind=kind, owner=owner, agent=agent, limit=limit)
    return [_item(row, now) for row in rows]


def _item(row: QueuedReview, now: datetime) -> Item:
    review = row.review
    assert review.id is not None  # a row read from the database has its id
    return Item(
        id=review.id,
        kind=review.kind,
        agent_id=review.agent_id,
        owner=review.owner,
        channel=review.channel,
        posted=bool(review.message_ts),
        created_at=review.created_at,
        expires_at=review.expires_at,
        age=now - review.created_at,
        summary=row.summary,
    )


def card(rt: Runtime, review_id: int) -> Card | None:
    with rt.db.session() as s:
        if s.get(Review, review_id) is None:
            return None
        return card_for(rt, s, review_id)


def parse_edit(text: str) -> tuple[str | None, str]:
    """An edit file: the new body, optionally after a `Subject: ...` line and a blank line
    (the draft keeps its subject without one)."""
    first, _, rest = text.partition("\n")
    if first.lower().startswith("subject:"):
        return first.split(":", 1)[1].strip(), rest.removeprefix("\n")
    return None, text


def decide(rt: Runtime, review_id: int, actor: str, choice: Choice) -> Result:
    """Raises `Invalid` (naming the field) for a request that cannot be right, as the Slack
    modal refuses it before it is sent; everything else is `decisions.decide`'s Result."""
    with rt.db.session() as s:
        review = s.get(Review, review_id)
        if review is None:
            return Result("not_found", review_id)
        draft = s.get(Draft, review.subject_id) if review.kind == "draft" else None
    if choice.action not in ALLOWED[review.kind]:
        allowed = sorted(WORDS[a] for a in ALLOWED[review.kind])
        raise Invalid("action", f"a {review.kind} review takes {', '.join(allowed)}")
    subject = choice.subject
    if subject is None:
        subject = draft.subject if draft is not None else ""
    req = Request(
        review_id,
        actor,
        choice.action,
        # Binds an approval to the text the card shows, as the button's value does.
        content_hash=review.content_hash,
        subject=subject if choice.action == Action.EDIT else "",
        body=choice.body if choice.action == Action.EDIT else "",
        reason_code=choice.reason,
        reason_text=choice.note,
        defer_until=choice.until,
    )
    decisions.validate(req, rt.now().date(), review.kind)
    result = decisions.decide(rt, req)
    with rt.db.session() as s:
        audit.record(
            s,
            "cli",
            "review.decided_in_terminal",
            f"review:{review_id}",
            {"as": actor, "action": choice.action.value, "result": result.status},
            agent_id=review.agent_id,
        )
    return result
