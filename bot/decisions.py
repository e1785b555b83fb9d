"""A person's decision on a review: approve, edit, defer or kill.

First decision wins (one conditional UPDATE); only the owner AM or an operator may decide; an
approval binds to the exact text on the card. Every decision is stored as training signal
(`Decision`) and as an audit event.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.core import content
from bot.mail.inbound import replies
from bot.mail.outbound import outbox
from bot.mail.triage import INTENTS
from bot.ports import PAST, ReviewCard
from bot.review import learning, trust
from bot.review import lifecycle as reviews
from bot.review.cards import card_for
from storage import audit
from storage import reviews as store
from storage.models import Contact, Decision, Draft, PlayVersion, Review

if TYPE_CHECKING:
    from bot.runtime import Runtime

log = logging.getLogger(__name__)


class Action(StrEnum):
    APPROVE = "approve"
    EDIT = "edit"
    DEFER = "defer"
    KILL = "kill"
    SEND_REPLY = "send_reply"
    TAKE_OVER = "take_over"
    RECLASSIFY = "reclassify"


# What each kind of review can be decided with.
ALLOWED = {
    "draft": {Action.APPROVE, Action.EDIT, Action.DEFER, Action.KILL},
    "play": {Action.APPROVE, Action.KILL},
    "reply": {Action.SEND_REPLY, Action.EDIT, Action.TAKE_OVER, Action.RECLASSIFY},
}


KILL_REASONS = {
    "off_brand": "Off-brand",
    "wrong_account": "Wrong account",
    "current_customer": "Current customer",
    "bad_timing": "Bad timing",
    "factual_error": "Factual error",
    "other": "Other",
}


@dataclass(frozen=True)
class Request:
    review_id: int
    actor: str
    action: Action
    content_hash: str = ""
    subject: str = ""
    body: str = ""
    reason_code: str = ""
    reason_text: str = ""
    defer_until: date | None = None


@dataclass(frozen=True)
class Result:
    # decided | already_decided | forbidden | stale | blocked | not_found | invalid
    status: str
    review_id: int
    outcome: str = ""  # past tense of the winning action, for "already approved by ..."
    decided_by: str = ""
    detail: str = ""
    new_review_id: int | None = None


class Invalid(ValueError):
    """The request itself is wrong (missing reason, past date): tell the user, change nothing."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def validate(req: Request, today: date, kind: str = "draft") -> None:
    if req.action == Action.KILL:
        if req.reason_code not in KILL_REASONS:
            raise Invalid("reason", "choose a kill reason")
        if req.reason_code == "other" and not req.reason_text.strip():
            raise Invalid("note", "say why when the reason is Other")
    if req.action == Action.DEFER and (req.defer_until is None or req.defer_until <= today):
        raise Invalid("until", "pick a date after today")
    if req.action == Action.RECLASSIFY and req.reason_code not in INTENTS:
        raise Invalid("reason", "choose what the reply really is")
    if req.action == Action.EDIT and kind == "reply":
        if not req.body.strip():
            raise Invalid("body", "the reply cannot be empty")
    elif req.action == Action.EDIT:
        if not req.subject.strip():
            raise Invalid("subject", "the subject cannot be empty")
        if not req.body.strip():
            raise Invalid("body", "the body cannot be empty")


def decide(rt: Runtime, req: Request) -> Result:
    now = rt.now()
    with rt.db.session() as s:
        review = s.get(Review, req.review_id)
        if review is None:
            return Result("not_found", req.review_id)
        if not rt.may_decide(req.actor, review.owner):
            audit.record(
                s,
                f"user:{req.actor}",
                "decision.refused",
                f"review:{review.id}",
                {"action": req.action.value, "owner": review.owner},
                agent_id=review.agent_id,
            )
            return Result("forbidden", review.id, detail=review.owner)
        if review.status != "open":
            return _already(review)
        try:
            validate(req, now.date(), review.kind)
        except Invalid as exc:
            return Result("invalid", req.review_id, detail=str(exc))
        if req.action not in ALLOWED[review.kind]:
            return Result("invalid", review.id, detail=f"not an action for a {review.kind} card")
        if review.kind in ("play", "reply"):
            draft, stale = None, False
            blocked = replies.blocked(rt, s, req, review) if review.kind == "reply" else []
            if blocked:
                return Result("blocked", review.id, detail="; ".join(blocked))
        else:
            draft = s.get(Draft, review.subject_id)
            stale = _is_stale(req, review, draft)
            blocked = _blocked(rt, req, draft)
            if blocked and not stale:
                return Result("blocked", review.id, detail="; ".join(blocked))
        if stale:
            pass  # handled below, outside this transaction
        elif store.close(
            s, review.id, status="decided", outcome=req.action.value, actor=req.actor, now=now
        ):
            if review.kind == "play":
                _record_play(s, req, review, now)
            elif review.kind == "reply":
                replies.record_decision(rt, s, req, review, now)
            else:
                _record(rt, s, req, review, draft, now)
        else:
            s.rollback()
            return _already(s.get(Review, req.review_id))
    if stale:
        return _supersede(rt, req.review_id, req, now)
    reviews.redraw(rt, req.review_id)
    if req.action in (Action.APPROVE, Action.EDIT, Action.SEND_REPLY):
        rt.outbox_wakeup.set()
    return Result("decided", req.review_id, PAST[req.action.value], req.actor)


def edit_problems(rt: Runtime, review_id: int, subject: str, body: str) -> list[str]:
    """What stops an edited text from being sent (checked while the editor is still open)."""
    with rt.db.session() as s:
        review = s.get(Review, review_id)
        draft = s.get(Draft, review.subject_id) if review and review.kind == "draft" else None
    if draft is None:
        return []
    return _blocked(rt, Request(review_id, "", Action.EDIT, subject=subject, body=body), draft)


def _blocked(rt: Runtime, req: Request, draft: Draft) -> list[str]:
    """Content rules on the text that would be sent: Approve sends the draft as it stands,
    Edit sends the new text. A failing text must be edited first."""
    if req.action not in (Action.APPROVE, Action.EDIT):
        return []
    agent = rt.fleet().agents.get(draft.agent_id)
    if agent is None:
        return [f"agent {draft.agent_id!r} no longer exists (its file was removed)"]
    subject, body = (
        (req.subject, req.body) if req.action == Action.EDIT else (draft.subject, draft.body)
    )
    return content.problems(subject, body, agent.spec, [f["text"] for f in draft.facts])


def _record_play(s, req: Request, review: Review, now: datetime) -> None:
    version = s.get(PlayVersion, review.subject_id)
    version.status = "approved" if req.action == Action.APPROVE else "rejected"
    version.decided_by, version.decided_at = req.actor, now
    s.add(version)
    s.add(
        Decision(
            review_id=review.id,
            kind="play",
            play_version_id=version.id,
            agent_id=review.agent_id,
            action=req.action.value,
            reason_code=req.reason_code,
            reason_text=req.reason_text.strip(),
            actor=req.actor,
            decided_at=now,
        )
    )
    audit.record(
        s,
        f"user:{req.actor}",
        f"play.{version.status}",
        f"play:{version.play_id}",
        {"hash": version.content_hash, "review": review.id, "reason": req.reason_code},
        agent_id=review.agent_id,
    )


def _already(review: Review) -> Result:
    return Result(
        "already_decided", review.id, PAST.get(review.outcome, review.outcome), review.decided_by
    )


def _is_stale(req: Request, review: Review, draft: Draft) -> bool:
    """An approval or edit binds to the text on the card: refuse if either moved since."""
    if req.action not in (Action.APPROVE, Action.EDIT) or not req.content_hash:
        return False
    current = reviews.content_hash(draft.subject, draft.body, draft.followups)
    return req.content_hash != review.content_hash or current != review.content_hash


def _record(rt: Runtime, s, req: Request, review: Review, draft: Draft, now: datetime) -> None:
    """The winner's side effects, in the same transaction as the winning UPDATE."""
    decision = Decision(
        review_id=review.id,
        kind="draft",
        draft_id=draft.id,
        agent_id=draft.agent_id,
        action=req.action.value,
        reason_code=req.reason_code,
        reason_text=req.reason_text.strip(),
        before_subject=draft.subject,
        before_body=draft.body,
        after_subject=req.subject if req.action == Action.EDIT else "",
        after_body=req.body if req.action == Action.EDIT else "",
        defer_until=req.defer_until,
        actor=req.actor,
        config_version=draft.config_version,
        decided_at=now,
    )
    s.add(decision)
    _apply(rt, s, req, draft, now)
    learning.learn(s, draft, req.action, req.reason_code, now)
    audit.record(
        s,
        f"user:{req.actor}",
        f"decision.{req.action.value}",
        f"review:{review.id}",
        {
            "draft": draft.id,
            "reason": req.reason_code,
            "text": req.reason_text.strip(),
            "defer_until": req.defer_until.isoformat() if req.defer_until else None,
        },
        draft.config_version,
        agent_id=draft.agent_id,
    )
    trust.after_decision(rt, s, decision)


def _apply(rt: Runtime, s, req: Request, draft: Draft, now: datetime) -> None:
    if req.action in (Action.APPROVE, Action.EDIT):
        if req.action == Action.EDIT:
            draft.subject, draft.body = req.subject.strip(), req.body.rstrip() + "\n"
            draft.updated_at = now
            s.add(draft)
            s.flush()
        agent = rt.fleet().agents[draft.agent_id]  # _blocked refused drafts of a removed agent
        outbox.enqueue(s, draft, agent.mailbox.address, s.get(Contact, draft.contact_id), now)
    elif req.action == Action.DEFER:
        agent = rt.fleet().agents.get(draft.agent_id)
        tz = ZoneInfo(agent.spec.timezone if agent else "UTC")
        back = datetime.combine(req.defer_until, time(9, 0), tz).astimezone(now.tzinfo)
        store.set_draft_status(s, draft.id, "deferred", now, deferred_until=back)
    elif req.action == Action.KILL:
        store.set_draft_status(s, draft.id, "killed", now)


def _supersede(rt: Runtime, review_id: int, req: Request, now: datetime) -> Result:
    """The text changed since the card was shown: refuse, retire the card, post a fresh one."""
    with rt.db.session() as s:
        if not store.close(
            s, review_id, status="superseded", outcome="superseded", actor="system", now=now
        ):
            return _already(s.get(Review, review_id))
        old = s.get(Review, review_id)
        draft = s.get(Draft, old.subject_id)
        new = reviews.reopen(rt, s, draft, now)
        audit.record(
            s,
            f"user:{req.actor}",
            "decision.stale",
            f"review:{review_id}",
            {"draft": draft.id, "new_review": new.id if new else None},
            agent_id=draft.agent_id,
        )
        new_id = new.id if new else None
    reviews.redraw(rt, review_id)
    reviews.post_pending(rt)
    return Result(
        "stale",
        review_id,
        detail="the draft changed since this card was posted",
        new_review_id=new_id,
    )


def precheck(rt: Runtime, review_id: int, actor: str, action: Action) -> Result | ReviewCard:
    """Before a modal opens: refuse early (and audit) or return the card to prefill it."""
    with rt.db.session() as s:
        review = s.get(Review, review_id)
        if review is None:
            return Result("not_found", review_id)
        if not rt.may_decide(actor, review.owner):
            audit.record(
                s,
                f"user:{actor}",
                "decision.refused",
                f"review:{review.id}",
                {"action": action.value, "owner": review.owner},
                agent_id=review.agent_id,
            )
            return Result("forbidden", review.id, detail=review.owner)
        if review.status != "open":
            return _already(review)
        return card_for(rt, s, review_id)
