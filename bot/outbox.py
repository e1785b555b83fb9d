"""The outbox: the only way mail leaves.

A message is a row before it is anything else. A worker claims it (queued -> sending) with a
conditional update, hands it to the transport outside any transaction, then records the
result. A crash after the claim leaves the row in `sending`, which is never picked up again
automatically: at most once, never twice.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr

from sqlmodel import Session

from bot.runtime import Runtime
from bot.transport import SendError
from storage import audit, prospects
from storage import outbox as store
from storage import reviews as review_store
from storage.models import Draft, OutboxMessage

log = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(hours=1)


def enqueue(s: Session, draft: Draft, mailbox: str, to_addr: str, now: datetime) -> OutboxMessage:
    domain = parseaddr(mailbox)[1].rpartition("@")[2] or "twoloop.invalid"
    msg = OutboxMessage(
        draft_id=draft.id,
        message_id=make_msgid(idstring=f"d{draft.id}", domain=domain),
        from_addr=mailbox,
        to_addr=to_addr,
        subject=draft.subject,
        body=draft.body,
        created_at=now,
        next_attempt_at=now,
    )
    s.add(msg)
    review_store.set_draft_status(s, draft.id, "queued", now)
    s.flush()
    audit.record(
        s,
        "system",
        "outbox.queued",
        f"draft:{draft.id}",
        {"message_id": msg.message_id},
        draft.config_version,
    )
    return msg


def build_email(msg: OutboxMessage, now: datetime) -> EmailMessage:
    email = EmailMessage()
    email["From"] = msg.from_addr
    email["To"] = msg.to_addr
    email["Subject"] = msg.subject
    email["Date"] = format_datetime(now)
    email["Message-ID"] = msg.message_id
    email["X-Twoloop-Draft"] = str(msg.draft_id)
    email.set_content(msg.body)
    return email


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, ... capped at an hour (the exponent is capped before it can overflow)."""
    return min(timedelta(seconds=30 * 2 ** min(max(0, attempts - 1), 12)), MAX_BACKOFF)


def flush(rt: Runtime, limit: int = 50) -> dict[str, int]:
    """Send what is due. Safe to call from several threads or replicas at once."""
    counts = {"sent": 0, "retry": 0, "failed": 0}
    with rt.db.session() as s:
        due = [m.id for m in store.due(s, rt.now(), limit)]
    for message_id in due:
        with rt.db.session() as s:
            if not store.claim(s, message_id):
                continue
            msg = s.get(OutboxMessage, message_id)
            suppressed = prospects.suppression_for(s, msg.to_addr)
            if suppressed:
                store.fail(s, message_id, f"suppressed: {suppressed}")
                review_store.set_draft_status(s, msg.draft_id, "failed", rt.now())
                audit.record(
                    s,
                    "system",
                    "outbox.blocked",
                    f"draft:{msg.draft_id}",
                    {"reason": f"suppressed: {suppressed}"},
                )
                counts["failed"] += 1
                continue
        now = rt.now()
        try:
            rt.transport.send(build_email(msg, now))
        except SendError as exc:
            with rt.db.session() as s:
                if exc.permanent:
                    store.fail(s, message_id, str(exc))
                    review_store.set_draft_status(s, msg.draft_id, "failed", now)
                    audit.record(
                        s,
                        "system",
                        "outbox.failed",
                        f"draft:{msg.draft_id}",
                        {"error": str(exc), "code": exc.code},
                    )
                    counts["failed"] += 1
                else:
                    store.retry_later(s, message_id, now + backoff(msg.attempts), str(exc))
                    counts["retry"] += 1
            log.warning("send of draft %s failed: %s", msg.draft_id, exc)
            continue
        with rt.db.session() as s:
            store.finish(s, message_id, now)
            draft = s.get(Draft, msg.draft_id)
            review_store.set_draft_status(s, draft.id, "sent", now)
            store.touch(s, draft.contact_id, draft.account_id, now)
            audit.record(
                s,
                "system",
                "outbox.sent",
                f"draft:{draft.id}",
                {"message_id": msg.message_id, "to": msg.to_addr},
                draft.config_version,
            )
        counts["sent"] += 1
    return counts
