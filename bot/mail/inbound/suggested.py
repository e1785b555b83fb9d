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
from bot.memory import owners
from bot.model.answers import BOOKING_SLOT, PRICING_SLOT, ReplyRequest, person_triggers
from bot.runtime import Runtime
from storage import knowledge
from storage import outbox as outbox_store
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
    """The detail keys for the card of this reply (in the caller's transaction)."""
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
    facts, labels = _facts(rt, s, draft, agent, contact)
    pricing = [f.text for f in facts if f.slot == PRICING_SLOT]
    booking = next((f.text for f in facts if f.slot == BOOKING_SLOT), "")
    out["cover"] = suggestions.cover_notes(c, one_line(row.text, EXCERPT), pricing, booking)
    if rt.reply_writer is None or c.intent not in MODEL_INTENTS or person_triggers(c.triggers):
        return out
    request = ReplyRequest(
        agent=agent.spec,
        sender=agent.mailbox.name,
        first_name=first,
        subject=row.subject,
        text=row.text,
        sent=tuple(
            f"Subject: {m.subject}\n\n{m.body}" for m in outbox_store.thread_of(s, draft.id or 0)
        ),
        intent=c.intent,
        triggers=tuple(c.triggers),
        facts=tuple(facts),
    )
    answer = rt.reply_writer.answer(request)
    out["suggestion_tokens"] = answer.tokens
    if answer.body:
        out.update(
            suggestion=answer.body,
            suggestion_source="model",
            suggestion_facts=[labels[f.id] for f in answer.used],
        )
    else:
        out["suggestion_problems"] = list(answer.problems) or [answer.wait]
        log.info("no drafted answer for inbound %s: %s", row.id, out["suggestion_problems"])
    return out


def _facts(
    rt: Runtime, s: Session, draft: Draft, agent: Agent, contact: Contact | None
) -> tuple[list[Fact], dict[str, str]]:
    """What an answer may use, and how the card names each fact."""
    facts: list[tuple[Fact, str]] = []

    def add(fid: str, slot: str, text: str, label: str) -> None:
        if text.strip():
            facts.append((Fact(fid, slot, " ".join(text.split())), label))

    allowed = set(agent.spec.capabilities or ())
    for cap in knowledge.capabilities(s, first=draft.capability_id):
        if allowed and cap.id not in allowed:
            continue
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
