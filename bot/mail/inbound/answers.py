"""Decisions on a reply card: send the suggested answer or an edited one (in the thread, through
the outbox), take the thread over, or say what the reply really is. bot/decisions.py does the
steps common to every kind."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.core import content
from bot.mail.inbound import parse as mailparse
from bot.mail.outbound import outbox, sequences
from bot.memory import events as memory
from bot.review import lifecycle
from bot.review.actions import Action, Check, Request
from bot.runtime import Runtime
from storage import audit, prospects, suppression
from storage import outbox as outbox_store
from storage import reviews as review_store
from storage.models import Contact, Decision, Draft, InboundMessage, Review
from storage.suppression import add_addresses as suppress

ANSWERS = (Action.SEND_REPLY, Action.EDIT)  # decisions that send a text in the thread


def check(rt: Runtime, s: Session, req: Request, review: Review) -> Check:
    """Why an answer cannot go out: the contact is suppressed, or the text breaks a rule.
    Send reply binds to the suggestion the owner saw: a drafted answer lands on the card after
    it opens, so a click on the text from before is stale. Edit sends the owner's own text."""
    if req.action not in ANSWERS:
        return Check()
    row = s.get_one(InboundMessage, review.subject_id)
    suggestion = (row.detail or {}).get("suggestion", "")
    bound = lifecycle.content_hash("", suggestion) if req.action == Action.SEND_REPLY else None
    suppressed = prospects.suppression_for(s, row.from_addr, holds=False)
    if suppressed:
        return Check(
            [
                f"{row.from_addr} is suppressed ({suppressed}); answer from your own mailbox "
                "if you must"
            ],
            bound,
        )
    agent = rt.fleet().agents.get(review.agent_id)
    if agent is None:
        return Check([f"agent {review.agent_id!r} no longer exists"], bound)
    body = req.body if req.action == Action.EDIT else suggestion
    if req.action == Action.SEND_REPLY and not body.strip():
        # Offline, or the model's draft was rejected: there are notes, not a text to send.
        return Check(
            ["nothing is drafted to send for this reply: write the answer with Edit"], bound
        )
    return Check(content.problems(f"Re: {row.subject}", body, agent.spec, [body]), bound)


def record(rt: Runtime, s: Session, req: Request, review: Review, now: datetime) -> None:
    row = s.get_one(InboundMessage, review.subject_id)
    draft = s.get_one(Draft, row.draft_id)
    assert review.id is not None  # a row read from the database has its id
    assert draft.id is not None  # a row read from the database has its id
    if ((row.detail or {}).get("suppressed") or {}).get("held"):
        _settle_hold(s, req, row, now)
    detail = dict(row.detail or {})
    body = req.body if req.action == Action.EDIT else detail.get("suggestion", "")
    s.add(
        Decision(
            review_id=review.id,
            kind="reply",
            draft_id=draft.id,
            agent_id=review.agent_id,
            action=req.action.value,
            reason_code=req.reason_code,
            reason_text=req.reason_text.strip(),
            before_body=detail.get("suggestion", ""),
            after_body=body if req.action in ANSWERS else "",
            actor=req.actor,
            config_version=draft.config_version,
            decided_at=now,
        )
    )
    if req.action in ANSWERS:
        _answer(rt, s, review, row, draft, body, now)
    elif req.action == Action.TAKE_OVER:
        sequences.stop_contact(s, row.contact_id, f"taken over by {req.actor}", now)
        review_store.set_draft_status(s, draft.id, "taken_over", now)
    elif req.action == Action.RECLASSIFY:
        _reclassify(s, req, row, draft, detail, now)
    memory.decision(
        s,
        row.contact_id,
        req.action.value,
        req.actor,
        now,
        agent_id=draft.agent_id,
        draft_id=draft.id,
        reason=req.reason_code,
        note=body if req.action in ANSWERS else req.reason_text,
    )
    audit.record(
        s,
        f"user:{req.actor}",
        f"reply.{req.action.value}",
        f"inbound:{row.id}",
        {"draft": draft.id, "intent": row.intent, "reason": req.reason_code},
        draft.config_version,
        agent_id=draft.agent_id,
    )


def _answer(
    rt: Runtime,
    s: Session,
    review: Review,
    row: InboundMessage,
    draft: Draft,
    body: str,
    now: datetime,
) -> None:
    """Queue the answer in the thread: Re: subject, In-Reply-To and References set."""
    agent = rt.fleet().agents[review.agent_id]
    contact = s.get_one(Contact, row.contact_id)
    assert draft.id is not None  # a row read from the database has its id
    ids = [m.message_id for m in outbox_store.thread_of(s, draft.id)] + [row.message_id]
    subject = row.subject if row.subject.lower().startswith("re:") else f"Re: {row.subject}"
    step = -(outbox_store.replies_in_thread(s, draft.id) + 1)
    outbox.enqueue(
        s,
        draft,
        agent.mailbox.address,
        contact,
        now,
        step=step,
        subject=subject,
        body=body.rstrip() + "\n",
        in_reply_to=row.message_id,
        thread_refs=" ".join(ids),
    )


def _settle_hold(s: Session, req: Request, row: InboundMessage, now: datetime) -> None:
    """A person decided a held reply's card. Read as a request to stop, the hold becomes a
    stop; any other decision (an answer, taking it over, another reading) is a person's
    reading that it is none, and lifts it, unless anyone has asked to stop since."""
    detail = dict(row.detail or {})
    own = detail["suppressed"]
    assert row.id is not None  # a row read from the database has its id
    if req.action == Action.RECLASSIFY and req.reason_code == "unsubscribe":
        suppression.harden(s, own["address"], "unsubscribe (reclassified)", now)
        lifted = ""
    else:
        written = datetime.fromisoformat(own["at"])
        lifted = suppression.lift_own(
            s, own["address"], suppression.REPLY_HELD, written, row.id, row.contact_id
        )
    _note_lift(detail, own["address"], lifted)
    # Decided, lifted or not: this reply holds the address no longer (another may).
    done = suppression.LIFTED if lifted else suppression.SETTLED
    row.detail, row.action = detail, f"{row.action}; {done} by {req.actor}"
    s.add(row)


def _note_lift(detail: dict, address: str, lifted: str) -> None:
    """What the card says: the address is free, or still held by another unread reply."""
    if lifted:
        detail["suppression_lifted"] = address
        detail["still_held"] = lifted == "held"


def _reclassify(
    s: Session, req: Request, row: InboundMessage, draft: Draft, detail: dict, now: datetime
) -> None:
    detail["original_intent"] = row.intent
    own = detail.get("suppressed")
    if row.intent == "unsubscribe" and req.reason_code != "unsubscribe" and own:
        # Triage read a request to stop that the person says is not one: the suppression it
        # wrote goes, unless anyone has asked to stop since. A reply read as something else
        # that also asks to stop keeps it: the person corrected the intent, not the stop.
        assert row.id is not None  # a row read from the database has its id
        written = datetime.fromisoformat(own["at"])
        lifted = suppression.lift_own(
            s, own["address"], suppression.REPLY_STOP, written, row.id, row.contact_id
        )
        if lifted:
            _note_lift(detail, own["address"], lifted)
            row.action = f"{row.action}; {suppression.LIFTED} by {req.actor}"
    row.intent, row.detail = req.reason_code, detail
    s.add(row)
    # The person's reading is now where the conversation stands (newer than triage's).
    memory.reply(
        s,
        row.contact_id,
        req.reason_code,
        row.text,
        now,
        agent_id=draft.agent_id,
        draft_id=draft.id,
        inbound_id=row.id,
        referral_to=detail.get("referral_to") or "",
        actor=f"user:{req.actor}",
    )
    if req.reason_code == "unsubscribe":
        # A person decided: an unreadable From stops mail to the contact we wrote to.
        contact = s.get(Contact, row.contact_id)
        address = mailparse.mailbox_address(row.from_addr) or mailparse.mailbox_address(
            contact.email if contact else ""
        )
        if address:
            suppress(s, [address], "unsubscribe (reclassified)", now)
    elif req.reason_code == "not_interested":
        assert draft.id is not None  # a row read from the database has its id
        review_store.set_draft_status(s, draft.id, "closed", now)


def renew(rt: Runtime, s: Session, review: Review, now: datetime) -> Review | None:
    """A Send reply on text the card no longer shows: the same reply gets a fresh card with
    the suggestion as it is now. Its response target stays the retired card's (the prospect
    has been waiting since then)."""
    row = s.get_one(InboundMessage, review.subject_id)
    draft = s.get(Draft, row.draft_id) if row.draft_id else None
    agent = rt.fleet().agents.get(review.agent_id)
    if row.id is None or draft is None or agent is None or draft.status == "taken_over":
        return None
    fresh = lifecycle.new_review(
        rt,
        s,
        "reply",
        row.id,
        agent.spec,
        lifecycle.content_hash("", (row.detail or {}).get("suggestion", "")),
        list(review.reasons),
        now,
        account_id=draft.account_id,
        reply=row,
    )
    fresh.sla, fresh.respond_by, fresh.remind_at = review.sla, review.respond_by, review.remind_at
    s.add(fresh)
    return fresh
