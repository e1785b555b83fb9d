"""The outbox: the only way mail leaves.

A message is a row before it is anything else. A worker builds it first (one that cannot be
built fails there, never claimed, and operators hear it was not sent), then claims it
(queued -> sending) and reserves a slot in its mailbox's budget in one transaction, hands it
to the transport outside any transaction, and marks it sent before anything a send sets off.
A crash after the claim leaves the row in `sending`; `recover` later marks it `uncertain`
for an operator to resolve, and it is never sent again by itself: a message may be missing,
never doubled.
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

from bot import process
from bot.config.mailboxes import MailboxSpec
from bot.core import gate
from bot.core import relationship as rel
from bot.mail.outbound import deliverability, sequences, unsubscribe
from bot.mail.transport import SendError
from bot.memory import events as memory
from bot.memory import standing
from bot.ports import Notice
from bot.runtime import Runtime
from storage import audit, prospects, relationships
from storage import outbox as store
from storage import reviews as review_store
from storage.models import Account, AgentState, Contact, Draft, OutboxMessage
from storage.suppression import REPLY_HELD

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
    if draft.id is None:
        raise ValueError("a draft must be stored before its mail is queued")
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


class BuildError(ValueError):
    """The message cannot be put together (a malformed header or body). No retry can help,
    and nothing reached the transport, so the row fails at once instead of waiting as sent."""


def build_email(
    msg: OutboxMessage, mailbox: MailboxSpec, links: unsubscribe.Links, now: datetime
) -> EmailMessage:
    """The message as sent: the approved text, then signature, unsubscribe line and the
    sender's postal address; RFC 8058 one-click unsubscribe headers; thread headers.
    Raises BuildError naming the header (or the body) that cannot be sent."""
    email = EmailMessage(policy=HEADERS_UNFOLDED)
    headers = [
        ("From", mailbox.from_header),
        ("To", msg.to_addr),
        ("Subject", msg.subject),
        ("Date", format_datetime(now)),
        ("Message-ID", msg.message_id),
    ]
    if msg.in_reply_to:
        headers.append(("In-Reply-To", msg.in_reply_to))
        headers.append(("References", msg.thread_refs or msg.in_reply_to))
    headers.extend(links.headers.items())
    headers.append(("X-Twoloop-Draft", f"{msg.draft_id}/{msg.step}"))
    for name, value in headers:
        if "\r" in value or "\n" in value:
            # Left in, a line break would end the header and start another (header injection).
            raise BuildError(f"{name} header contains a line break (CR or LF)")
        try:
            email[name] = value
        except Exception as exc:  # the email package raises several types for a bad header
            raise BuildError(f"{name} header is malformed ({_why(exc)})") from exc
    parts = [msg.body.rstrip()]
    if mailbox.signature:
        parts.append(mailbox.signature.rstrip())
    parts.append(f"--\n{links.body_line}\n{mailbox.postal_address}")
    try:
        email.set_content("\n\n".join(parts) + "\n")
    except Exception as exc:
        raise BuildError(f"body cannot be encoded ({_why(exc)})") from exc
    try:
        email.as_bytes()  # what the transport does first: fail here, before any claim
    except Exception as exc:
        raise BuildError(f"message cannot be serialised ({_why(exc)})") from exc
    return email


def _id(msg: OutboxMessage) -> int:
    """The id of a message read from the table (only a row never stored has none)."""
    if msg.id is None:
        raise ValueError(f"outbox message {msg.message_id} was never stored")
    return msg.id


def _why(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:300]


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
    counts = {"sent": 0, "retry": 0, "failed": 0, "deferred": 0, "blocked": 0}
    with rt.db.session() as s:
        due = [_id(m) for m in store.due(s, rt.now(), limit)]
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
        peek = s.get(OutboxMessage, message_id)
    if peek is None or peek.status != "queued":
        return None
    mailbox = fleet.mailboxes.get(peek.from_addr)
    # Built before the claim and outside any transaction (the unsubscribe key may be stored
    # on first use): a message that cannot be built fails alone, and never reaches SMTP.
    email, problem = _build(rt, peek, mailbox, now) if mailbox else (None, "")
    with rt.db.session() as s:
        msg = store.lock_queued(s, message_id)  # another worker has it: skip, do not wait
        if msg is None:
            return None
        if mailbox is None:
            store.defer(s, message_id, now + HOLD, f"no mailbox {msg.from_addr} in mailboxes.yml")
            return "deferred"
        if problem:
            _unbuildable(s, msg, problem, now)
        else:
            contact = s.get(Contact, msg.contact_id) if msg.contact_id else None
            opens = mailbox.next_open(now, contact.timezone if contact else None)
            if opens is not None:
                store.defer(s, message_id, opens, "outside the sending window")
                return "deferred"
            held = _held(s, msg)
            if held:
                store.defer(s, message_id, now + HOLD, held)
                return "deferred"
            if not store.claim(s, message_id, now, process.owner()):
                return None
            # A hold keeps agents away while a reply waits for a person, never the answer a
            # person approved (a negative step).
            suppressed = prospects.suppression_for(s, msg.to_addr, holds=msg.step >= 0)
            if suppressed == REPLY_HELD:
                _blocked(s, msg, f"{msg.to_addr} is {suppressed}", now, status="stopped")
                return "blocked"
            if suppressed:
                _blocked(s, msg, f"suppressed: {suppressed}", now)
                return "failed"
            stops = still_allowed(rt, s, msg, now)
            if stops:
                _blocked(s, msg, "; ".join(stops), now, status="stopped")
                return "blocked"
            if not _reserve(rt, s, msg, mailbox, now):
                return "deferred"
    if email is None:  # it could not be built: `problem` says why
        _tell(
            rt,
            Notice.of(
                f"Outbox message {msg.id} (draft {msg.draft_id}, step {msg.step}) to "
                f"{msg.to_addr} was NOT sent: it could not be built ({problem}). Nothing "
                "reached the mail server, and it will not be retried by itself.",
                tone="failed",
                agent_id=msg.agent_id,
            ),
        )
        return "failed"
    try:
        rt.transport.send(email)
    except SendError as exc:
        return _failed(rt, msg, exc, now)
    with rt.db.session() as s:
        # Recorded first and alone: whatever fails afterwards, the message is sent, never
        # sent again, and never left looking uncertain.
        store.finish(s, message_id, now)
        draft = s.get_one(Draft, msg.draft_id)
        if msg.step == 0:
            review_store.set_draft_status(s, msg.draft_id, "sent", now)
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
    _after_sent(rt, msg, now)
    return "sent"


def _build(
    rt: Runtime, msg: OutboxMessage, mailbox: MailboxSpec, now: datetime
) -> tuple[EmailMessage | None, str]:
    """The message ready for the transport, or why it cannot be built."""
    try:
        links = unsubscribe.links(rt, msg.contact_id, msg.from_addr)
    except Exception as exc:  # noqa: BLE001 - whatever breaks, this message alone is not sent
        return None, f"unsubscribe links cannot be made ({_why(exc)})"
    try:
        return build_email(msg, mailbox, links, now), ""
    except BuildError as exc:
        return None, str(exc)


def _unbuildable(s: Session, msg: OutboxMessage, problem: str, now: datetime) -> None:
    log.warning("draft %s step %s not sent, cannot be built: %s", msg.draft_id, msg.step, problem)
    store.refuse(s, _id(msg), f"not sent: {problem}")
    if msg.step == 0:
        review_store.set_draft_status(s, msg.draft_id, "failed", now)
    audit.record(
        s,
        "system",
        "outbox.failed",
        f"draft:{msg.draft_id}",
        {"error": problem, "stage": "build", "step": msg.step, "smtp_reached": False},
        agent_id=msg.agent_id,
    )


def _after_sent(rt: Runtime, msg: OutboxMessage, now: datetime) -> None:
    """What a send sets off: the last touch, the next follow-up. The message is recorded as
    sent already; a failure here is logged, audited and told, and holds up no other message."""
    try:
        with rt.db.session() as s:
            draft = s.get_one(Draft, msg.draft_id)
            store.touch(s, draft.contact_id, draft.account_id, now)
            sequences.after_send(s, draft, msg.step, now)
            memory.on_contact(
                s,
                draft.contact_id,
                rel.SENT,
                now,
                actor=f"agent:{draft.agent_id}" if msg.step >= 0 else "system",
                agent_id=draft.agent_id,
                draft_id=draft.id,
                summary=msg.subject,
                detail={"message_id": msg.message_id, "step": msg.step},
            )
    except Exception as exc:
        log.exception(
            "draft %s step %s was sent; what follows a send failed", msg.draft_id, msg.step
        )
        problem = _why(exc)
        try:
            with rt.db.session() as s:
                audit.record(
                    s,
                    "system",
                    "outbox.after_send_failed",
                    f"draft:{msg.draft_id}",
                    {"message_id": msg.message_id, "step": msg.step, "error": problem},
                    agent_id=msg.agent_id,
                )
        except Exception:
            log.exception("could not audit the failure after sending draft %s", msg.draft_id)
        _tell(
            rt,
            Notice.of(
                f"Outbox message {msg.id} (draft {msg.draft_id}, step {msg.step}) was "
                f"sent, but what follows a send failed ({problem}): its contact's last "
                "touch and follow-ups may not be recorded. It will not be sent again.",
                tone="warning",
                agent_id=msg.agent_id,
            ),
        )


def _tell(rt: Runtime, notice: Notice) -> None:
    """Operators are told; a chat outage must not hold up the rest of the batch."""
    try:
        rt.tell_operators(notice)
    except Exception:
        log.exception("could not tell the operators: %s", notice.plain()[:200])


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
    store.defer(s, _id(msg), at, why)
    return False


def still_allowed(rt: Runtime, s: Session, msg: OutboxMessage, now: datetime) -> list[str]:
    """The gate's hard stops again, just before sending: what happened since the draft was
    gated (a reply, a bounce, another agent's mail to them, a "current customer" kill, the
    account handed to its owner) wins over an approval given before it. The touch window
    counts mail to the person (to anyone at the account with `one_conversation_per:
    account`): two approved messages to two people at one company both go. An AM's own answer
    in a thread (a negative step) is theirs to send."""
    if msg.step < 0:
        return []
    draft = s.get_one(Draft, msg.draft_id)
    contact = s.get(Contact, draft.contact_id)
    account = s.get(Account, draft.account_id)
    agent = rt.fleet().agents.get(draft.agent_id)
    if contact is None or account is None or agent is None:
        return []  # nothing to check against; the approval stands
    spec = agent.spec
    policy = rt.relationship_policy(spec)
    play = agent.play(draft.play_id)
    now_standing = standing.standing(s, contact, account, now, policy)
    i = gate.GateInput(
        now=now,
        do_not_contact=contact.do_not_contact or account.do_not_contact,
        customer=account.customer_status == "customer",
        play_targets_customers=play.targets_customers if play else False,
        # The same scope as "one conversation": the person by default, or their account.
        last_touch_at=relationships.last_sent_to(
            s,
            **(
                {"account_id": account.id}
                if policy.one_conversation_per == "account"
                else {"contact_id": contact.id}
            ),
            exclude_draft=draft.id,
        ),
        touch_window_days=spec.touch_window_days,
        relationship_stops=now_standing.stops,
    )
    return [r.text for r in gate.hard_stops(i)]


def _blocked(
    s: Session, msg: OutboxMessage, why: str, now: datetime, status: str = "failed"
) -> None:
    store.fail(s, _id(msg), why)
    if msg.step == 0:
        review_store.set_draft_status(s, msg.draft_id, status, now)
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
            store.retry_later(s, _id(msg), now + backoff(msg.attempts + 1), str(exc))
            return "retry"
        store.fail(s, _id(msg), str(exc))
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
        return [_id(m) for m in store.claims(s) if m.claimed_by == me]


def recover(rt: Runtime, lease: timedelta = LEASE) -> list[int]:
    """Claims older than the lease belong to a process that died between handing the
    message to SMTP and recording it. Whether it went out is unknown: mark it `uncertain`
    for an operator, and never send it again by itself."""
    now = rt.now()
    found: list[int] = []
    with rt.db.session() as s:
        # A claim by a process on this machine that is gone is as dead as a stale one, and
        # is flagged at once instead of after the lease (a restart finds it straight away).
        dead = {_id(m): m for m in store.claims(s) if process.is_dead(m.claimed_by)}
        dead.update({_id(m): m for m in store.stale_claims(s, now - lease)})
        for message_id, msg in dead.items():
            if store.mark_uncertain(s, message_id):
                found.append(message_id)
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
            Notice.of(
                f"{len(found)} message(s) may or may not have been sent (the process "
                f"stopped mid-send): outbox ids {', '.join(map(str, found))}. They will not be "
                "retried by themselves; check the mail server's log, then "
                "`twoloop outbox resolve ID sent|unsent`.",
                tone="warning",
            )
        )
    return found
