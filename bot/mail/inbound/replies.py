"""Everything that comes back: threaded to what we sent, machine mail handled first, the
clear cases handled without a person, everything that needs judgment handed to the AM.

Safety: a reply's text is data. It is classified, shown and stored; nothing in it is ever
executed, and a reply changes no agent's config and sends nothing by itself beyond the
automatic cases (suppress, park, stop, close).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session

from bot.core import relationship as rel
from bot.mail.inbound import parse as mailparse
from bot.mail.inbound import suggested
from bot.mail.outbound import deliverability, sequences
from bot.mail.triage import routing
from bot.mail.triage.vocabulary import Classification
from bot.memory import events as memory
from bot.ports import Notice, User
from bot.review import lifecycle as reviews
from bot.runtime import Runtime
from storage import audit, suppression
from storage import inbound as store
from storage import outbox as outbox_store
from storage import reviews as review_store
from storage.models import Contact, Draft, InboundMessage, OutboxMessage
from storage.suppression import REPLY_STOP
from storage.suppression import add_addresses as suppress

log = logging.getLogger(__name__)

HANDOFF_INTENTS = ("interested", "meeting_request")
MACHINE_KINDS = ("bounce", "complaint", "auto_reply")
DEFAULT_PARK = timedelta(days=7)  # an out-of-office with no return date
UNREADABLE = "the sender's address could not be read: not suppressed, a person decides"
HELD = f"{suppression.HELD_MARK} until a person decides this card"


@dataclass(frozen=True)
class Ingested:
    status: str  # stored | duplicate
    inbound_id: int | None = None
    kind: str = ""
    route: str = ""
    action: str = ""
    review_id: int | None = None


def our_domains(rt: Runtime) -> frozenset[str]:
    """The domains of the fleet's mailboxes: mail from them is ours, never a prospect's."""
    return frozenset(address.rpartition("@")[2] for address in rt.fleet().mailboxes)


def ingest(rt: Runtime, raw: bytes, source: str) -> Ingested:
    """Store, classify and route one inbound message. Idempotent on its Message-ID."""
    parsed = mailparse.parse(raw, today=rt.now().date(), our_domains=our_domains(rt))
    now = rt.now()
    reading = None
    if parsed.kind not in MACHINE_KINDS:
        # Read before the transaction opens: a slow model never holds the write lock.
        with rt.db.session() as s:
            if store.seen(s, parsed.message_id):
                return Ingested("duplicate")
        reading = classify(rt, parsed.text, parsed.subject, reply_day(parsed, now))
    with rt.db.session() as s:
        if store.seen(s, parsed.message_id):
            return Ingested("duplicate")
        msg = thread(s, parsed)
        draft = s.get(Draft, msg.draft_id) if msg else None
        row = InboundMessage(
            message_id=parsed.message_id,
            in_reply_to=parsed.in_reply_to,
            thread_refs=" ".join(parsed.references),
            from_addr=parsed.from_addr,
            subject=parsed.subject[:500],
            text=parsed.text,
            received_at=now,
            source=source,
            kind=parsed.kind,
            outbox_id=msg.id if msg else None,
            draft_id=msg.draft_id if msg else None,
            contact_id=msg.contact_id if msg else "",
            agent_id=msg.agent_id if msg else "",
        )
        if parsed.kind in ("bounce", "complaint"):
            handle_machine(s, row, parsed, msg, now)
        elif parsed.kind == "auto_reply":
            handle_auto_reply(s, row, parsed, now)
        else:
            assert reading is not None  # read above for every kind but machine mail
            handle_human(rt, s, row, parsed, draft, now, reading)
        s.add(row)
        s.flush()
        review_id = None
        # The draft whose thread an AM took over: its owner is told, no review is opened.
        taken_over = draft if draft is not None and draft.status == "taken_over" else None
        if taken_over is not None:
            row.action = (row.action + ", " if row.action else "") + "owner told (taken over)"
        elif row.route == "review" and draft is not None:
            review_id = open_reply_review(rt, s, row, draft, now)
        audit.record(
            s,
            f"contact:{row.contact_id}" if row.contact_id else "system",
            f"inbound.{row.kind}",
            f"inbound:{row.id}",
            {
                "route": row.route,
                "action": row.action,
                "intent": row.intent,
                "triggers": row.triggers,
                "draft": row.draft_id,
            },
            agent_id=row.agent_id,
        )
        result = Ingested("stored", row.id, row.kind, row.route, row.action, review_id)
    if row.kind in ("bounce", "complaint"):
        if msg is not None:
            deliverability.check(rt, msg.from_addr, msg.agent_id)
        else:
            deliverability.unmatched_report(rt, parsed.kind, parsed.from_addr, parsed.subject)
    if taken_over is not None:
        notify_owner(rt, taken_over.agent_id, parsed)
    elif result.route == "review" and review_id is None:
        notify_unmatched(rt, parsed, row.action)
    if review_id is not None:
        # The card goes out at once with notes on what to cover; a drafted answer, when a
        # model is configured, replaces them when it comes (a slow model never delays it).
        reviews.post_pending(rt)
        assert row.id is not None  # stored above
        if suggested.draft_answer(rt, row.id, review_id):
            reviews.redraw(rt, review_id)
    return result


def thread(s: Session, parsed: mailparse.Parsed) -> OutboxMessage | None:
    """The message of ours this answers: by In-Reply-To/References (or, for bounces and
    complaints, the embedded original), then by the sender's address.

    A bounce or complaint that names a Message-ID which is none of ours matches nothing: it is
    about someone else's mail (or forged), and must not count against ours by address."""
    ids = [i for i in (parsed.in_reply_to, *reversed(parsed.references)) if i]
    report = parsed.kind in ("bounce", "complaint")
    if report and parsed.original_message_id:
        ids.append(parsed.original_message_id)
    found = outbox_store.by_message_ids(s, ids)
    if found is not None or (report and ids):
        return found
    address = parsed.original_recipient if report else ""
    return outbox_store.latest_sent_to(s, (address or parsed.from_addr).lower())


def handle_machine(
    s: Session,
    row: InboundMessage,
    parsed: mailparse.Parsed,
    msg: OutboxMessage | None,
    now: datetime,
) -> None:
    row.route = "auto"
    row.detail = {
        "status": parsed.bounce_status,
        "hard": parsed.bounce_hard,
        "diagnostic": parsed.diagnostic,
        "feedback_type": parsed.feedback_type,
        "recipient": parsed.original_recipient,
    }
    if msg is None:
        row.action = "unmatched (no message of ours found)"
        return
    if parsed.kind == "bounce" and parsed.bounce_status.startswith("2."):
        row.action = "delivery report: delivered"  # a success notice, not a bounce
        return
    if parsed.kind == "complaint" and parsed.feedback_type == "auth-failure":
        row.action = "authentication failure report (DMARC): noted, not a complaint"
        return
    if parsed.kind == "complaint" and parsed.feedback_type == "opt-out":
        suppress(s, [msg.to_addr.lower()], "unsubscribe (opt-out report)", now)
        memory.on_contact(
            s, msg.contact_id, rel.UNSUBSCRIBE, now, summary="opt-out report", agent_id=msg.agent_id
        )
        sequences.stop_contact(s, msg.contact_id, "unsubscribed", now)
        row.action = "suppressed (opt-out report)"
        return
    hard = bool(parsed.bounce_hard) if parsed.kind == "bounce" else False
    counted = deliverability.record(
        s,
        msg,
        parsed.kind,
        hard=hard,
        detail=f"{parsed.bounce_status} {parsed.diagnostic}".strip()[:300],
        now=now,
    )
    row.action = {"complaint": "suppressed (complaint)"}.get(
        parsed.kind, "suppressed (hard bounce)" if hard else "noted (soft bounce)"
    )
    if not counted:
        row.action += f"; not counted again (a {parsed.kind} for this message is counted)"


def handle_auto_reply(
    s: Session, row: InboundMessage, parsed: mailparse.Parsed, now: datetime
) -> None:
    row.route = "auto"
    row.detail = {
        "return_date": parsed.return_date.isoformat() if parsed.return_date else None,
        "permanent": parsed.permanent_absence,
        "why": parsed.auto_reason,
    }
    if not row.contact_id:
        row.action = "ignored (no thread)"
        return
    if parsed.permanent_absence:
        # The notice may come from noreply@: suppress the address we wrote to.
        contact = s.get(Contact, row.contact_id)
        address = mailparse.mailbox_address(contact.email if contact else row.from_addr)
        if address:
            suppress(s, [address], "left the company", now)
        memory.on_contact(
            s,
            row.contact_id,
            rel.LEFT_COMPANY,
            now,
            summary=memory.excerpt(parsed.text),
            agent_id=row.agent_id,
        )
        sequences.stop_contact(s, row.contact_id, "no longer with the company", now)
        row.action = (
            "suppressed (no longer with the company)"
            if address
            else "sequence stopped (no longer with the company; no valid address to suppress)"
        )
        return
    back = (
        datetime.combine(parsed.return_date, time(9, 0), UTC)
        if parsed.return_date
        else now + DEFAULT_PARK
    )
    sequences.park_contact(s, row.contact_id, back, "out of office", now)
    row.action = f"parked until {back:%Y-%m-%d}"


def handle_human(
    rt: Runtime,
    s: Session,
    row: InboundMessage,
    parsed: mailparse.Parsed,
    draft: Draft | None,
    now: datetime,
    c: Classification,
) -> None:
    row.intent, row.confidence, row.triggers = c.intent, round(c.confidence, 3), list(c.triggers)
    row.detail = {
        "rationale": c.rationale,
        "provider": c.provider,
        "not_now_until": c.not_now_until.isoformat() if c.not_now_until else None,
        "referral_to": c.referral_to,
        "also_unsubscribe": c.also_unsubscribe,
        "intents": list(c.intents),  # every reader's: the reply target takes the most urgent
        "model_only_stop": c.model_only_stop,
    }
    row.route, reason = routing.route("human", c, sample=rt.rng.random())
    stop = c.intent == "unsubscribe" or c.also_unsubscribe
    address = mailparse.mailbox_address(row.from_addr)
    if stop and not address:
        # '@example.com' is the suppression list's whole-domain syntax: never from a From.
        row.route, reason = "review", f"asks to stop, but {UNREADABLE}"
    agent = rt.fleet().agents.get(draft.agent_id) if draft is not None else None
    # A thread taken over gets no card (its owner is told), nor does a stranger's mail. The
    # same test as `ingest` before `open_reply_review`.
    card = (
        row.route == "review"
        and agent is not None  # a removed agent's thread opens no card either
        and draft is not None
        and draft.status != "taken_over"
    )
    if agent is not None and draft is not None and card:  # the card's suggested answer
        row.detail.update(suggested.suggest(rt, s, row, c, draft, agent))
    row.detail["route_reason"] = reason
    actions = []
    # Any human answer ends the automatic follow-ups on this contact.
    if sequences.stop_contact(s, row.contact_id, f"replied ({c.intent})", now):
        actions.append("sequence stopped")
    if stop and address:
        if suppress(s, [address], REPLY_STOP, now) or suppression.harden(
            s, address, REPLY_STOP, now
        ):
            # This reply's own: a person who reads it as no request to stop lifts it.
            row.detail["suppressed"] = {"address": address, "at": now.isoformat()}
        actions.append("suppressed")
    elif stop:
        actions.append(UNREADABLE)
    elif address and routing.holds(c, row.route) and card:
        actions.append(hold(s, row, address, now))
    if row.route == "auto" and c.intent == "not_interested" and draft is not None:
        assert draft.id is not None  # a row read from the database has its id
        review_store.set_draft_status(s, draft.id, "closed", now)
        actions.append("closed")
    account_id = memory.reply(
        s,
        row.contact_id,
        c.intent,
        parsed.text,
        now,
        agent_id=row.agent_id,
        draft_id=row.draft_id,
        referral_to=c.referral_to,
        until=c.not_now_until,
    )
    if account_id and c.intent in HANDOFF_INTENTS:
        # Interest or a meeting request: the account is its owner's now; every agent's
        # follow-ups to anyone there stop (the outbox re-checks what is already queued).
        stopped = sequences.stop_account(s, account_id, f"handed to its owner ({c.intent})", now)
        actions.append(
            "account handed to its owner" + (f", {stopped} sequence(s) stopped" if stopped else "")
        )
    row.action = ", ".join(actions)


def hold(s: Session, row: InboundMessage, address: str, now: datetime) -> str:
    """The reply waits for a person (`routing.holds`): no mail goes to the address until they
    decide its card; any answer but "a request to stop" lifts the hold
    (bot/mail/inbound/answers.py). An address already held by an earlier reply shares that
    hold, which stays until every such card is decided."""
    written = suppression.hold(s, address, now)
    if written is None:
        return "already on the suppression list"  # not "suppressed": that reads as a stop
    row.detail["suppressed"] = {"address": address, "at": written.isoformat(), "held": True}
    return HELD


def reply_day(parsed: mailparse.Parsed, now: datetime) -> date:
    """The day a reply's own dates ("in March", "next quarter") count from: its Date header,
    unless it has none or one later than now (a wrong clock); else today."""
    if parsed.date is not None and parsed.date <= now + timedelta(days=1):
        return parsed.date.date()
    return now.date()


def classify(rt: Runtime, text: str, subject: str, today: date) -> Classification:
    """`text`: a parsed reply's new text (`Parsed.text`), already stripped: read as it is."""
    return routing.classify(text, subject, today=today, llm=rt.reply_model, stripped=True)


def open_reply_review(
    rt: Runtime, s: Session, row: InboundMessage, draft: Draft, now: datetime
) -> int | None:
    if row.id is None:
        raise ValueError("a reply is stored (flushed) before its review is opened")
    agent = rt.fleet().agents.get(draft.agent_id)
    if agent is None:
        return None
    suggestion = (row.detail or {}).get("suggestion", "")
    reasons = [f"escalation: {t.replace('_', ' ')}" for t in row.triggers]
    reasons = list(dict.fromkeys([*reasons, row.detail.get("route_reason", "needs a person")]))
    digest = reviews.content_hash("", suggestion)
    # The account's owner decides the answer too (bot/memory/owners.py), like the draft.
    return reviews.new_review(
        rt,
        s,
        "reply",
        row.id,
        agent.spec,
        digest,
        reasons,
        now,
        account_id=draft.account_id,
        reply=row,
    ).id


def notify_unmatched(rt: Runtime, parsed: mailparse.Parsed, action: str = "") -> None:
    note = f" Note: {UNREADABLE}." if UNREADABLE in action else ""
    rt.tell_operators(
        Notice.of(
            f"A reply from {parsed.from_addr} ({parsed.subject[:80]!r}) "
            f"matches no message we sent; it is stored, nobody owns it yet.{note}"
        )
    )


def notify_owner(rt: Runtime, agent_id: str, parsed: mailparse.Parsed) -> None:
    """A thread an AM took over: the agent only passes the news on, it suggests nothing."""
    agent = rt.fleet().agents.get(agent_id)
    if rt.humans is not None and agent is not None:
        rt.humans.notify(
            agent.spec.channel,
            Notice.of(
                User(agent.spec.owner),
                f" {parsed.from_addr} answered on a thread you took over "
                f"({parsed.subject[:80]!r}). The agent stays out of it.",
                agent_id=agent_id,
            ),
        )
