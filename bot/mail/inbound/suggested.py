"""What a reply card offers to send: a safe acknowledgement, a drafted answer checked against
our stored facts, or nothing to send and notes on what a person should cover.

Stored on InboundMessage.detail: "suggestion" (the sendable text, or ""), "suggestion_source"
("template" | "model" | ""), "suggestion_facts" (what a drafted answer was written from),
"cover" (notes for the person), "suggestion_problems" (why a model answer was not used) and
"suggestion_tokens".
"""

from __future__ import annotations

import logging
from typing import Any

from sqlmodel import Session

from bot.config.agents import Agent
from bot.core.drafting import Fact
from bot.mail.text import one_line
from bot.mail.triage import suggestions
from bot.mail.triage.vocabulary import Classification
from bot.memory import budgets, owners
from bot.model.answers import (
    BOOKING_SLOT,
    PRICING_SLOT,
    ReplyRequest,
    Suggested,
    person_triggers,
)
from bot.review.lifecycle import content_hash, redraw
from bot.runtime import Runtime
from storage import inbound as inbound_store
from storage import knowledge
from storage import outbox as outbox_store
from storage import reviews as review_store
from storage.models import Account, Contact, Draft, InboundMessage

log = logging.getLogger(__name__)

MODEL_INTENTS = ("interested", "meeting_request", "question", "other")
EXCERPT = 160  # characters of their reply quoted in a cover note


def suggest(
    rt: Runtime,
    s: Session,
    row: InboundMessage,
    c: Classification,
    draft: Draft,
    agent: Agent,
) -> dict[str, Any]:
    """The detail keys for the card of this reply, without the model (in the caller's
    transaction): a template acknowledgement, or notes on what to cover. `wants_answer` says
    whether `draft_answer` should ask the model once the transaction is over."""
    contact = s.get(Contact, row.contact_id) if row.contact_id else None
    first = contact.first_name if contact else ""
    out: dict[str, Any] = {
        "suggestion": suggestions.suggest_response(c, first, agent.mailbox.name),
        "suggestion_source": "",
        "suggestion_facts": [],
        "cover": [],
        "suggestion_problems": [],
    }
    if out["suggestion"]:
        out["suggestion_source"] = "template"
        return out
    facts, _ = _facts(rt, s, draft, agent, contact)
    pricing = [f.text for f in facts if f.slot == PRICING_SLOT]
    booking = next((f.text for f in facts if f.slot == BOOKING_SLOT), "")
    out["cover"] = suggestions.cover_notes(c, one_line(row.text, EXCERPT), pricing, booking)
    out["wants_answer"] = (
        rt.reply_writer is not None
        and c.intent in MODEL_INTENTS
        and not person_triggers(c.triggers)
    )
    return out


def draft_answer(rt: Runtime, inbound_id: int, review_id: int) -> bool:
    """Ask the model for an answer to a stored reply and put it on its open card. Called after
    the reply's transaction commits, so a slow model never holds the database's write lock;
    the card shows the notes until then. True when the card changed (an answer, or why the
    model's was not used), so it is redrawn."""
    if rt.reply_writer is None:
        return False
    with rt.db.session() as s:
        row = s.get(InboundMessage, inbound_id)
        draft = s.get(Draft, row.draft_id) if row is not None and row.draft_id else None
        if row is None or draft is None or not (row.detail or {}).get("wants_answer"):
            return False
        agent = rt.fleet().agents.get(draft.agent_id)
        if agent is None:
            return False
        contact = s.get(Contact, row.contact_id) if row.contact_id else None
        facts, labels = _facts(rt, s, draft, agent, contact)
        request = ReplyRequest(
            agent=agent.spec,
            sender=agent.mailbox.name,
            first_name=contact.first_name if contact else "",
            subject=row.subject,
            text=row.text,
            sent=tuple(
                f"Subject: {m.subject}\n\n{m.body}"
                for m in outbox_store.thread_of(s, draft.id or 0)
            ),
            intent=row.intent,
            triggers=tuple(row.triggers),
            facts=tuple(facts),
        )
    # Answer tokens count against the owning agent's daily budget, like its drafts.
    held = budgets.reserve(rt, agent.spec, rt.reply_writer.worst_case(request))
    if held is None:
        answer = Suggested(wait=budgets.SPENT)  # asked again by retry_waiting
    else:
        used = 0
        try:
            answer = rt.reply_writer.answer(request)
            used = answer.tokens
        finally:
            budgets.settle(rt, held, used)
    with rt.db.session() as s:
        row = s.get_one(InboundMessage, inbound_id)
        detail = dict(row.detail or {})
        if not answer.wait:  # a model that was away is asked again (retry_waiting)
            detail.pop("wants_answer", None)
        detail["suggestion_tokens"] = detail.get("suggestion_tokens", 0) + answer.tokens
        # A Send reply binds to the text on the card: the answer is that text now, but only on
        # a card still open and undecided (one conditional update; a click meanwhile wins).
        shown = bool(answer.body) and review_store.rebind(
            s, review_id, content_hash("", answer.body)
        )
        if shown:
            detail.update(
                suggestion=answer.body,
                suggestion_source="model",
                suggestion_facts=[labels[f.id] for f in answer.used],
            )
        elif answer.body:
            detail["suggestion_problems"] = ["the card was decided before the answer was drafted"]
        else:
            detail["suggestion_problems"] = list(answer.problems) or [answer.wait or "no answer"]
            log.info(
                "no drafted answer for inbound %s: %s", inbound_id, detail["suggestion_problems"]
            )
        row.detail = detail
        s.add(row)
    return True  # the card shows the answer, or why there is none


def retry_waiting(rt: Runtime) -> int:
    """Ask again for the answers a model was away for, on cards still open. A scheduler job:
    the card carries its notes meanwhile, and a decision ends the wait."""
    if rt.reply_writer is None:
        return 0
    with rt.db.session() as s:
        waiting = inbound_store.waiting_for_answer(s)
    redrawn = 0
    for inbound_id, review_id in waiting:
        if draft_answer(rt, inbound_id, review_id):
            redraw(rt, review_id)
            redrawn += 1
    return redrawn


def _facts(
    rt: Runtime, s: Session, draft: Draft, agent: Agent, contact: Contact | None
) -> tuple[list[Fact], dict[str, str]]:
    """What an answer may use, and how the card names each fact."""
    facts: list[tuple[Fact, str]] = []

    def add(fid: str, slot: str, text: str, label: str) -> None:
        if text.strip():
            facts.append((Fact(fid, slot, " ".join(text.split())), label))

    allowed = agent.spec.capabilities or ()
    for cap in knowledge.capabilities(s, first=draft.capability_id, allowed=allowed):
        key = f"capability:{cap.id}"
        add(key, "capability.name", cap.name, cap.name)
        add(f"{key}:summary", "capability.summary", cap.summary, f"{cap.name} summary")
        add(f"{key}:proof", "capability.proof", cap.proof, f"{cap.name} proof")
        add(f"{key}:pricing", PRICING_SLOT, cap.pricing, f"{cap.name} pricing")
    account = s.get(Account, draft.account_id)
    if account is not None:
        add(f"account:{account.id}:name", "account.name", account.name, "account name")
    if contact is not None:
        add(f"contact:{contact.id}:first_name", "contact.first_name", contact.first_name, "name")
        add(f"contact:{contact.id}:title", "contact.title", contact.title, "their title")
    add(f"agent:{agent.spec.id}:sender", "sender.name", agent.mailbox.name, "sender")
    owner = owners.route(rt, s, agent.spec, draft.account_id).owner
    manager = owners.managers_file(rt).get(owner)
    if manager is not None and manager.booking_link:
        add(f"am:{owner}:booking_link", BOOKING_SLOT, manager.booking_link, "booking link")
    return [f for f, _ in facts], {f.id: label for f, label in facts}
