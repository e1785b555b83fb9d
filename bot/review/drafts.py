"""Decisions on a draft card: approve or edit (sent through the outbox), defer (back on a later
day), kill (with a reason). Every verdict teaches the matcher and judges the agent's trust.

An approval binds to the exact text on the card, so this kind reports the text's hash for the
stale check; bot/decisions.py does the steps common to every kind."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.core import content
from bot.mail.outbound import outbox
from bot.memory import events as memory
from bot.review import learning, trust
from bot.review import lifecycle as reviews
from bot.review.actions import Action, Check, Request
from bot.runtime import Runtime
from storage import audit
from storage import reviews as store
from storage.models import Contact, Decision, Draft, Review

TEXT_BOUND = (Action.APPROVE, Action.EDIT)  # decisions that send a text, so bind to it


def check(rt: Runtime, s: Session, req: Request, review: Review) -> Check:
    if req.action not in TEXT_BOUND:
        return Check()
    draft = s.get_one(Draft, review.subject_id)
    now_hash = reviews.content_hash(draft.subject, draft.body, draft.followups)
    return Check(_problems(rt, req, draft), now_hash)


def _problems(rt: Runtime, req: Request, draft: Draft) -> list[str]:
    """Content rules on the text that would be sent: Approve sends the draft as it stands,
    Edit sends the new text. A failing text must be edited first."""
    agent = rt.fleet().agents.get(draft.agent_id)
    if agent is None:
        return [f"agent {draft.agent_id!r} no longer exists (its file was removed)"]
    subject, body = (
        (req.subject, req.body) if req.action == Action.EDIT else (draft.subject, draft.body)
    )
    return content.problems(subject, body, agent.spec, [f["text"] for f in draft.facts])


def record(rt: Runtime, s: Session, req: Request, review: Review, now: datetime) -> None:
    assert review.id is not None  # a row read from the database has its id
    draft = s.get_one(Draft, review.subject_id)
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
    memory.decision(
        s,
        draft.contact_id,
        req.action.value,
        req.actor,
        now,
        agent_id=draft.agent_id,
        draft_id=draft.id,
        reason=req.reason_code,
        note=req.reason_text,
    )
    if req.action == Action.KILL and req.reason_code == "current_customer":
        # The AM says so: every agent now treats the account as a customer (an operator
        # can set it back: `/twoloop account ACCOUNT prospect`).
        memory.set_customer(
            s,
            draft.account_id,
            "customer",
            f"user:{req.actor}",
            now,
            f"draft {draft.id} killed as 'current customer'",
        )
    trust.after_decision(rt, s, decision)


def _apply(rt: Runtime, s: Session, req: Request, draft: Draft, now: datetime) -> None:
    assert draft.id is not None  # a row read from the database has its id
    if req.action in TEXT_BOUND:
        if req.action == Action.EDIT:
            draft.subject, draft.body = req.subject.strip(), req.body.rstrip() + "\n"
            draft.updated_at = now
            s.add(draft)
            s.flush()
        agent = rt.fleet().agents[draft.agent_id]  # `check` refused drafts of a removed agent
        outbox.enqueue(s, draft, agent.mailbox.address, s.get_one(Contact, draft.contact_id), now)
    elif req.action == Action.DEFER:
        assert req.defer_until is not None  # validate() refuses a deferral without a date
        found = rt.fleet().agents.get(draft.agent_id)
        tz = ZoneInfo(found.spec.timezone if found else "UTC")
        back = datetime.combine(req.defer_until, time(9, 0), tz).astimezone(now.tzinfo)
        store.set_draft_status(s, draft.id, "deferred", now, deferred_until=back)
    elif req.action == Action.KILL:
        store.set_draft_status(s, draft.id, "killed", now)


def renew(rt: Runtime, s: Session, review: Review, now: datetime) -> Review | None:
    return reviews.reopen(rt, s, s.get_one(Draft, review.subject_id), now)
