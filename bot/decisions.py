"""A person's decision on a review: the one entry point, for Slack, the CLI and the demo.

The steps every kind shares happen here, once: load the review, check who may decide (only the
owner AM or an operator), validate, refuse a decision bound to text that moved since the card
was shown, the conditional UPDATE (first decision wins), audit a refusal or a stale card, and
redraw the card. What a decision does is its kind's handler's: drafts (bot/review/drafts.py),
replies (bot/mail/inbound/answers.py), plays (bot/agent/play_decisions.py).
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.agent import play_decisions, proposal_decisions
from bot.mail.inbound import answers
from bot.ports import PAST, Card
from bot.readouts import KILL_REASONS
from bot.review import clicks, drafts
from bot.review import lifecycle as reviews
from bot.review.actions import ALLOWED, SENDS, Action, Handler, Invalid, Request, Result, validate
from bot.review.cards import card_for
from bot.runtime import Runtime
from storage import audit
from storage import reviews as store
from storage.models import Review

# The API of a decision, as the surfaces import it (the words live in bot/review/actions.py).
__all__ = [
    "ALLOWED",
    "KILL_REASONS",
    "Action",
    "Invalid",
    "Request",
    "Result",
    "decide",
    "edit_problems",
    "precheck",
    "validate",
]

HANDLERS: dict[str, Handler] = {
    "draft": drafts,
    "reply": answers,
    "play": play_decisions,
    "proposal": proposal_decisions,
}


def decide(rt: Runtime, req: Request) -> Result:
    now = rt.now()
    with rt.db.session() as s:
        review = s.get(Review, req.review_id)
        if review is None:
            return Result("not_found", req.review_id)
        refused = _refusal(rt, s, review, req.actor, req.action)
        if refused is not None:
            return refused
        try:
            validate(req, now.date(), review.kind)
        except Invalid as exc:
            return Result("invalid", req.review_id, detail=str(exc))
        if req.action not in ALLOWED[review.kind]:
            return Result(
                "invalid", req.review_id, detail=f"not an action for a {review.kind} card"
            )
        handler = HANDLERS[review.kind]
        check = handler.check(rt, s, req, review)
        stale = _is_stale(req, review, check.text_hash)
        if check.blocked and not stale:
            return Result("blocked", req.review_id, detail="; ".join(check.blocked))
        if not stale:  # a stale card is retired below, in a transaction of its own
            if not store.close(
                s,
                req.review_id,
                status="decided",
                outcome=req.action.value,
                actor=req.actor,
                now=now,
            ):
                s.rollback()
                return _already(s.get_one(Review, req.review_id))
            handler.record(rt, s, req, review, now)
            clicks.record(s, req.review_id, req.actor, req.action.value, now)
    if stale:
        return _supersede(rt, req, now)
    reviews.redraw(rt, req.review_id)
    if req.action in SENDS:
        rt.outbox_wakeup.set()
    return Result("decided", req.review_id, PAST[req.action.value], req.actor)


def precheck(rt: Runtime, review_id: int, actor: str, action: Action) -> Result | Card:
    """Before a modal opens: refuse early (and audit) or return the card to prefill it."""
    with rt.db.session() as s:
        review = s.get(Review, review_id)
        if review is None:
            return Result("not_found", review_id)
        return _refusal(rt, s, review, actor, action) or card_for(rt, s, review_id)


def edit_problems(rt: Runtime, review_id: int, subject: str, body: str) -> list[str]:
    """What stops an edited text from being sent (checked while the editor is still open)."""
    with rt.db.session() as s:
        review = s.get(Review, review_id)
        if review is None:
            return []
        req = Request(review_id, "", Action.EDIT, subject=subject, body=body)
        return HANDLERS[review.kind].check(rt, s, req, review).blocked


def _refusal(rt: Runtime, s: Session, review: Review, actor: str, action: Action) -> Result | None:
    """Not this person's to decide (audited), or decided already; else None."""
    assert review.id is not None  # a row read from the database has its id
    # A change to an agent's file is the operators' alone (not the agent's owner AM's).
    operators_only = review.kind == "proposal"
    if not (rt.is_operator(actor) if operators_only else rt.may_decide(actor, review.owner)):
        audit.record(
            s,
            f"user:{actor}",
            "decision.refused",
            f"review:{review.id}",
            {"action": action.value, "owner": review.owner},
            agent_id=review.agent_id,
        )
        # An account's owner AM decides its reviews, not the agent's owner: say whose it is.
        agent = rt.fleet().agents.get(review.agent_id)
        whose = (
            "operators"
            if operators_only
            else "account_owner"
            if review.kind != "play" and agent is not None and agent.spec.owner != review.owner
            else ""
        )
        return Result("forbidden", review.id, outcome=whose, detail=review.owner)
    if review.status != "open":
        return _already(review)
    return None


def _already(review: Review) -> Result:
    assert review.id is not None  # a row read from the database has its id
    return Result(
        "already_decided", review.id, PAST.get(review.outcome, review.outcome), review.decided_by
    )


def _is_stale(req: Request, review: Review, text_hash: str | None) -> bool:
    """A decision bound to the text on the card: refuse if either moved since."""
    if text_hash is None or not req.content_hash:
        return False
    return req.content_hash != review.content_hash or text_hash != review.content_hash


def _supersede(rt: Runtime, req: Request, now: datetime) -> Result:
    """The text changed since the card was shown: refuse, retire the card, post a fresh one."""
    review_id = req.review_id
    with rt.db.session() as s:
        if not store.close(
            s, review_id, status="superseded", outcome="superseded", actor="system", now=now
        ):
            return _already(s.get_one(Review, review_id))
        old = s.get_one(Review, review_id)
        new = HANDLERS[old.kind].renew(rt, s, old, now)
        audit.record(
            s,
            f"user:{req.actor}",
            "decision.stale",
            f"review:{review_id}",
            {old.kind: old.subject_id, "new_review": new.id if new else None},
            agent_id=old.agent_id,
        )
        new_id = new.id if new else None
        kind = old.kind
    reviews.redraw(rt, review_id)
    reviews.post_pending(rt)
    return Result(
        "stale",
        review_id,
        outcome=kind,
        detail=f"the {kind} changed since this card was posted",
        new_review_id=new_id,
    )
