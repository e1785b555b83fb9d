"""The outbox: the only way mail leaves.

A message is a row before it is anything else. A worker claims it (queued -> sending) and
reserves a slot in its mailbox's budget in one transaction, hands it to the transport
outside any transaction, then records the result. A crash after the claim leaves the row in
`sending`; `recover` later marks it `uncertain` for an operator to resolve, and it is never
sent again by itself: a message may be missing, never doubled.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot import deliverability, process, sequences
from bot.mailboxes import MailboxSpec
from bot.runtime import Runtime
from bot.transport import SendError
from storage import audit, prospects
from storage import outbox as store
from storage import reviews as review_store
from storage.models import AgentState, Contact, Draft, OutboxMessage

log = logging.getLogger(__name__)

# Folding a long List-Unsubscribe header can turn its URLs into RFC 2047 encoded words,
# which mail clients do not decode there; RFC 5322 allows lines up to 998 characters.
HEADERS_UNFOLDED = policy.default.clone(max_line_length=998)
MAX_BACKOFF = timedelta(hours=1)
HOLD = timedelta(minutes=15)  # how long a message waits when its mailbox or agent is paused
LEASE = timedelta(minutes=15)  # a claim older than this belongs to a process that died


def enqueue(
    s: Session,
    draft: Draft,
    mailbox: str,
    contact: Contact,
    now: datetime,
    *,
    step: int = 0,
    subject: str | None = None,
    body: str | None = None,
    in_reply_to: str = "",
    thread_refs: str = "",
) -> OutboxMessage:
    address = mailbox.lower()
    msg = OutboxMessage(
        draft_id=draft.id,
        step=step,
        agent_id=draft.agent_id,
        contact_id=contact.id,
        message_id=make_msgid(idstring=f"d{draft.id}s{step}", domain=address.rpartition("@")[2]),
        in_reply_to=in_reply_to,
        thread_refs=thread_refs,
        from_addr=address,
        to_addr=contact.email,
        subject=draft.subject if subject is None else subject,
        body=draft.body if body is None else body,
        created_at=now,
        next_attempt_at=now,
    )
    s.add(msg)
    if step == 0:
        review_store.set_draft_status(s, draft.id, "queued", now)
    s.flush()
    audit.record(
        s,
        "system",
        "outbox.queued",
        f"draft:{draft.id}",
        {"message_id": msg.message_id, "step": step},
        draft.config_version,
        agent_id=draft.agent_id,
    )
    return msg


def build_email(msg: OutboxMessage, mailbox: MailboxSpec, links, now: datetime) -> EmailMessage:
    """The message as sent: the approved text, then signature, unsubscribe line and the
    sender's postal address; RFC 8058 one-click unsubscribe headers; thread headers."""
    email = EmailMessage(policy=HEADERS_UNFOLDED)
    email["From"] = mailbox.from_header
    email["To"] = msg.to_addr
    email["Subject"] = msg.subject
    email["Date"] = format_datetime(now)
    email["Message-ID"] = msg.message_id
    if msg.in_reply_to:
        email["In-Reply-To"] = msg.in_reply_to
        email["References"] = msg.thread_refs or msg.in_reply_to
    for name, value in links.headers.items():
        email[name] = value
    email["X-Twoloop-Draft"] = f"{msg.draft_id}/{msg.step}"
    parts = [msg.body.rstrip()]
    if mailbox.signature:
        parts.append(mailbox.signature.rstrip())
    parts.append(f"--\n{links.body_line}\n{mailbox.postal_address}")
    email.set_content("\n\n".join(parts) + "\n")
    return email


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, ... capped at an hour (the exponent is capped before it can overflow)."""
    return min(timedelta(seconds=30 * 2 ** min(max(0, attempts - 1), 12)), MAX_BACKOFF)


def flush(
    rt: Runtime,
    limit: int = 200,
    stop: threading.Event | None = None,
    before_each: Callable[[], None] | None = None,
) -> dict[str, int]:
    """Send what is due and allowed. Safe to call from several threads or replicas at once.
    `stop` set (shutdown): the message in hand is finished, no new one is claimed.
    `before_each` runs before each message (`serve` lets pending Slack acks go first)."""
    counts = {"sent": 0, "retry": 0, "failed": 0, "deferred": 0}
    with rt.db.session() as s:
        due = [m.id for m in store.due(s, rt.now(), limit)]
    for message_id in due:
        if stop is not None and stop.is_set():
            break
        if before_each is not None:
            before_each()
        outcome = send_one(rt, message_id)
        if outcome:
            counts[outcome] += 1
    return counts


def send_one(rt: Runtime, message_id: int) -> str | None:
    now = rt.now()
    fleet = rt.fleet()
    with rt.db.session() as s:
        msg = store.lock_queued(s, message_id)  # another worker has it: skip, do not wait
        if msg is None:
            return None
        mailbox = fleet.mailboxes.get(msg.from_addr)
        if mailbox is None:
            store.defer(s, msg.id, now + HOLD, f"no mailbox {msg.from_addr} in mailboxes.yml")
            return "deferred"
        contact = s.get(Contact, msg.contact_id) if msg.contact_id else None
        opens = mailbox.next_open(now, contact.timezone if contact else None)
        if opens is not None:
            store.defer(s, msg.id, opens, "outside the sending window")
            return "deferred"
        held = _held(s, msg)
        if held:
            store.defer(s, msg.id, now + HOLD, held)
            return "deferred"
        if not store.claim(s, msg.id, now, process.owner()):
            return None
        suppressed = prospects.suppression_for(s, msg.to_addr)
        if suppressed:
            _blocked(s, msg, f"suppressed: {suppressed}", now)
            return "failed"
        if not _reserve(rt, s, msg, mailbox, now):
            return "deferred"
    links = rt.unsubscribe_links(msg.contact_id, msg.from_addr)
    try:
        rt.transport.send(build_email(msg, mailbox, links, now))
    except SendError as exc:
        return _failed(rt, msg, exc, now)
    with rt.db.session() as s:
        store.finish(s, msg.id, now)
        draft = s.get(Draft, msg.draft_id)
        if msg.step == 0:
            review_store.set_draft_status(s, draft.id, "sent", now)
        store.touch(s, draft.contact_id, draft.account_id, now)
        sequences.after_send(s, draft, msg.step, now)
        audit.record(
            s,
            "system",
            "outbox.sent",
            f"draft:{draft.id}",
            {
                "message_id": msg.message_id,
                "to": msg.to_addr,
                "step": msg.step,
                "mailbox": msg.from_addr,
            },
            draft.config_version,
            agent_id=draft.agent_id,
        )
    return "sent"


def _held(s: Session, msg: OutboxMessage) -> str:
    """Why an approved message must wait now (its agent is paused), or ''."""
    state = s.get(AgentState, msg.agent_id) if msg.agent_id else None
    return f"agent paused: {state.paused_reason}" if state and state.paused else ""


def _reserve(
    rt: Runtime, s: Session, msg: OutboxMessage, mailbox: MailboxSpec, now: datetime
) -> bool:
    """Take a slot in the mailbox's budget, or give the claim back and say when to retry."""
    state = store.mailbox_state(
        s, mailbox.address, ensure=mailbox.address not in rt.known_mailboxes
    )
    rt.known_mailboxes.add(mailbox.address)
    zone = ZoneInfo(mailbox.timezone)
    today = now.astimezone(zone).date()
    cap = mailbox.cap_on(today, state.first_send_on or today)
    gap = mailbox.min_gap_seconds + rt.rng.uniform(0, mailbox.jitter_seconds)
    if store.reserve_slot(s, mailbox.address, now, today, cap, now + timedelta(seconds=gap)):
        return True
    s.rollback()  # gives the claim back
    s.refresh(state)
    if state.paused:
        at, why = now + HOLD, f"mailbox paused: {state.paused_reason}"
    elif state.day == today and state.sent_on_day >= cap:
        tomorrow = datetime.combine(today + timedelta(days=1), mailbox.window.start, zone)
        at, why = tomorrow.astimezone(now.tzinfo), f"daily cap of {cap} reached"
    else:
        at, why = max(state.next_send_at or now, now), "pacing: minimum gap between sends"
    store.defer(s, msg.id, at, why)
    return False


def _blocked(s: Session, msg: OutboxMessage, why: str, now: datetime) -> None:
    store.fail(s, msg.id, why)
    if msg.step == 0:
        review_store.set_draft_status(s, msg.draft_id, "failed", now)
    sequences.stop_contact(s, msg.contact_id, why, now)
    audit.record(
        s,
        "system",
        "outbox.blocked",
        f"draft:{msg.draft_id}",
        {"reason": why, "step": msg.step},
        agent_id=msg.agent_id,
    )


def _failed(rt: Runtime, msg: OutboxMessage, exc: SendError, now: datetime) -> str:
    log.warning("send of draft %s step %s failed: %s", msg.draft_id, msg.step, exc)
    with rt.db.session() as s:
        if not exc.permanent:
            store.retry_later(s, msg.id, now + backoff(msg.attempts + 1), str(exc))
            return "retry"
        store.fail(s, msg.id, str(exc))
        if msg.step == 0:
            review_store.set_draft_status(s, msg.draft_id, "failed", now)
        audit.record(
            s,
            "system",
            "outbox.failed",
            f"draft:{msg.draft_id}",
            {"error": str(exc), "code": exc.code, "step": msg.step},
            agent_id=msg.agent_id,
        )
        # A 5xx is the receiving server's "no": it counts as a bounce. Refused at RCPT, the
        # address itself is bad (a hard bounce): never write to it again.
        hard = bool(exc.refused) and all(code >= 500 for code, _ in exc.refused.values())
        deliverability.record(s, msg, "bounce", hard=hard, detail=str(exc)[:300], now=now)
    deliverability.check(rt, msg.from_addr, msg.agent_id)
    return "failed"


def in_flight(rt: Runtime) -> list[int]:
    """Messages this process claimed and has not finished (at shutdown: still mid-send)."""
    me = process.owner()
    with rt.db.session() as s:
        return [m.id for m in store.claims(s) if m.claimed_by == me]


def recover(rt: Runtime, lease: timedelta = LEASE) -> list[int]:
    """Claims older than the lease belong to a process that died between handing the
    message to SMTP and recording it. Whether it went out is unknown: mark it `uncertain`
    for an operator, and never send it again by itself."""
    now = rt.now()
    found = []
    with rt.db.session() as s:
        # A claim by a process on this machine that is gone is as dead as a stale one, and
        # is flagged at once instead of after the lease (a restart finds it straight away).
        dead = {m.id: m for m in store.claims(s) if process.is_dead(m.claimed_by)}
        dead.update({m.id: m for m in store.stale_claims(s, now - lease)})
        for msg in dead.values():
            if store.mark_uncertain(s, msg.id):
                found.append(msg.id)
                audit.record(
                    s,
                    "system",
                    "outbox.uncertain",
                    f"draft:{msg.draft_id}",
                    {
                        "message_id": msg.message_id,
                        "claimed_at": str(msg.claimed_at),
                        "claimed_by": msg.claimed_by,
                    },
                    agent_id=msg.agent_id,
                )
    if found:
        rt.tell_operators(
            f":warning: {len(found)} message(s) may or may not have been sent (the process "
            f"stopped mid-send): outbox ids {', '.join(map(str, found))}. They will not be "
            "retried by themselves; check the mail server's log, then "
            "`twoloop outbox resolve ID sent|unsent`."
        )
    return found
