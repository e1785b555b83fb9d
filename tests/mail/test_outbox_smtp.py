"""The outbox against a real SMTP server (aiosmtpd on loopback), on both databases:
exactly once, retried on 4xx, given up on 5xx, suppression checked at the last moment."""

from __future__ import annotations

from datetime import UTC, timedelta
from email.utils import parseaddr

import pytest
from sqlmodel import select

from bot.agent import loop
from bot.decisions import Action, Request, decide
from bot.mail.outbound import outbox
from bot.mail.transport import SmtpTransport
from bot.review import lifecycle as reviews
from storage.models import AuditEvent, Draft, OutboxMessage, Review, Suppression
from tests.conftest import approve_plays


def approved(rt) -> OutboxMessage:
    """Tick, approve the first draft review as its owner; return its queued outbox row.

    Leaves `rt.clock` stopped, so backoff times can be compared exactly."""
    approve_plays(rt)
    loop.tick(rt)
    reviews.post_pending(rt)
    with rt.db.session() as s:
        review = s.exec(
            select(Review)
            .where(Review.status == "open", Review.kind == "draft")
            .order_by(Review.id)
        ).first()
    assert review is not None, "the sample data should produce a draft review"
    result = decide(
        rt, Request(review.id, review.owner, Action.APPROVE, content_hash=review.content_hash)
    )
    assert result.status == "decided"
    with rt.db.session() as s:
        [row] = s.exec(select(OutboxMessage)).all()
    assert row.status == "queued" and row.draft_id == review.subject_id
    later(rt, timedelta(0))  # from here on the clock only moves when a test moves it
    return row


def row_of(rt, row: OutboxMessage) -> OutboxMessage:
    with rt.db.session() as s:
        return s.get(OutboxMessage, row.id)


def draft_of(rt, row: OutboxMessage) -> Draft:
    with rt.db.session() as s:
        return s.get(Draft, row.draft_id)


def audit_actions(rt, row: OutboxMessage) -> list[str]:
    with rt.db.session() as s:
        q = select(AuditEvent.action).where(AuditEvent.subject == f"draft:{row.draft_id}")
        return list(s.exec(q.order_by(AuditEvent.id)))


def later(rt, delta: timedelta) -> None:
    at = rt.now() + delta
    rt.clock = lambda: at


def aware(dt):
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


@pytest.fixture
def smtp_rt(rt, smtp_server):
    rt.transport = SmtpTransport(smtp_server.url, timeout=5)
    return rt


def test_approved_draft_is_delivered_once_with_matching_headers(smtp_rt, smtp_server):
    rt = smtp_rt
    row = approved(rt)
    assert outbox.flush(rt) == {"sent": 1, "retry": 0, "failed": 0, "deferred": 0, "blocked": 0}

    [got] = smtp_server.received
    msg = got.message
    assert msg["Message-ID"] == row.message_id
    assert msg["From"] == "Dana Cole <dana@northwind.example>"
    assert parseaddr(msg["From"])[1] == row.from_addr
    assert msg["To"] == row.to_addr
    assert msg["Subject"] == row.subject
    assert got.mail_from == row.from_addr
    assert got.rcpt_tos == [row.to_addr]
    draft = draft_of(rt, row)
    assert row.subject == draft.subject
    body = msg.get_content().replace("\r\n", "\n")
    # the approved text, then signature, the unsubscribe line and the postal address
    assert body.startswith(draft.body.strip() + "\n\nAccount Executive, Northwind")
    assert "Unsubscribe with one click: http://localhost:3000/u/" in body
    assert body.rstrip().endswith("San Francisco, CA 94105, USA")
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert msg["List-Unsubscribe"].startswith("<http://localhost:3000/u/")

    sent = row_of(rt, row)
    assert (sent.status, sent.attempts, sent.last_error) == ("sent", 1, "")
    assert sent.sent_at is not None
    assert draft.status == "sent"
    assert "outbox.sent" in audit_actions(rt, row)

    assert outbox.flush(rt) == {"sent": 0, "retry": 0, "failed": 0, "deferred": 0, "blocked": 0}
    later(rt, timedelta(days=1))
    assert outbox.flush(rt)["sent"] == 0
    assert len(smtp_server.received) == 1


def test_transient_451_is_retried_after_backoff(smtp_rt, smtp_server):
    rt = smtp_rt
    row = approved(rt)
    smtp_server.fail_next(1, code=451)

    assert outbox.flush(rt) == {"sent": 0, "retry": 1, "failed": 0, "deferred": 0, "blocked": 0}
    queued = row_of(rt, row)
    assert queued.status == "queued"
    assert queued.attempts == 1
    assert aware(queued.next_attempt_at) > rt.now()
    assert "451" in queued.last_error
    assert smtp_server.received == []
    assert draft_of(rt, row).status == "queued"

    # not due yet: nothing is tried
    assert outbox.flush(rt) == {"sent": 0, "retry": 0, "failed": 0, "deferred": 0, "blocked": 0}
    assert row_of(rt, row).attempts == 1

    due = aware(queued.next_attempt_at) + timedelta(seconds=1)
    rt.clock = lambda: due
    assert outbox.flush(rt) == {"sent": 1, "retry": 0, "failed": 0, "deferred": 0, "blocked": 0}
    assert len(smtp_server.received) == 1
    assert smtp_server.received[0].message["Message-ID"] == row.message_id
    done = row_of(rt, row)
    assert (done.status, done.attempts) == ("sent", 2)
    assert draft_of(rt, row).status == "sent"

    assert outbox.flush(rt)["sent"] == 0
    assert len(smtp_server.received) == 1


def test_backoff_grows_and_is_capped():
    assert outbox.backoff(1) < outbox.backoff(2) < outbox.backoff(3)
    assert outbox.backoff(30) == outbox.MAX_BACKOFF


def test_backoff_stays_capped_after_many_attempts():
    assert outbox.backoff(43) == outbox.MAX_BACKOFF


def test_long_outage_keeps_the_message_queued(smtp_rt, smtp_server):
    rt = smtp_rt
    row = approved(rt)
    with rt.db.session() as s:
        stored = s.get(OutboxMessage, row.id)
        stored.attempts = 42  # a relay down for about a day and a half, retried hourly
        s.add(stored)
    smtp_server.fail_next(1, code=451)
    assert outbox.flush(rt) == {"sent": 0, "retry": 1, "failed": 0, "deferred": 0, "blocked": 0}
    queued = row_of(rt, row)
    assert (queued.status, queued.attempts) == ("queued", 43)
    assert aware(queued.next_attempt_at) - rt.now() == outbox.MAX_BACKOFF


def test_permanent_550_fails_and_is_never_retried(smtp_rt, smtp_server):
    rt = smtp_rt
    row = approved(rt)
    smtp_server.fail_next(1, code=550)

    assert outbox.flush(rt) == {"sent": 0, "retry": 0, "failed": 1, "deferred": 0, "blocked": 0}
    failed = row_of(rt, row)
    assert failed.status == "failed" and failed.attempts == 1
    assert "550" in failed.last_error
    assert draft_of(rt, row).status == "failed"
    with rt.db.session() as s:
        event = s.exec(
            select(AuditEvent).where(
                AuditEvent.action == "outbox.failed", AuditEvent.subject == f"draft:{row.draft_id}"
            )
        ).one()
    assert event.detail["code"] == 550

    for hours in (1, 24):
        later(rt, timedelta(hours=hours))
        assert outbox.flush(rt) == {"sent": 0, "retry": 0, "failed": 0, "deferred": 0, "blocked": 0}
    assert smtp_server.received == []
    assert row_of(rt, row).attempts == 1


def test_server_down_then_back_delivers_once(smtp_rt, smtp_server):
    rt = smtp_rt
    row = approved(rt)
    smtp_server.stop()

    assert outbox.flush(rt) == {"sent": 0, "retry": 1, "failed": 0, "deferred": 0, "blocked": 0}
    queued = row_of(rt, row)
    assert queued.status == "queued" and queued.attempts == 1
    assert aware(queued.next_attempt_at) > rt.now()

    smtp_server.start()
    assert outbox.flush(rt)["sent"] == 0, "waits for its backoff even when the server is back"
    later(rt, outbox.MAX_BACKOFF + timedelta(seconds=1))
    assert outbox.flush(rt) == {"sent": 1, "retry": 0, "failed": 0, "deferred": 0, "blocked": 0}
    assert [m["Message-ID"] for m in smtp_server.messages] == [row.message_id]
    assert outbox.flush(rt)["sent"] == 0
    assert len(smtp_server.received) == 1


@pytest.mark.parametrize("by", ["address", "domain"])
def test_suppressed_after_approval_is_not_delivered(smtp_rt, smtp_server, by):
    rt = smtp_rt
    row = approved(rt)
    address = parseaddr(row.to_addr)[1].lower()
    value = address if by == "address" else "@" + address.rpartition("@")[2]
    with rt.db.session() as s:
        s.add(Suppression(value=value, reason="unsubscribed"))

    assert outbox.flush(rt) == {"sent": 0, "retry": 0, "failed": 1, "deferred": 0, "blocked": 0}
    blocked = row_of(rt, row)
    assert blocked.status == "failed"
    assert "suppressed" in blocked.last_error
    assert draft_of(rt, row).status == "failed"
    assert "outbox.blocked" in audit_actions(rt, row)
    later(rt, timedelta(days=1))
    assert outbox.flush(rt)["sent"] == 0
    assert smtp_server.received == []


def test_starttls_and_auth(rt, smtp_tls_server):
    rt.transport = SmtpTransport(
        smtp_tls_server.url_with(), ssl_context=smtp_tls_server.ssl_context, timeout=5
    )
    row = approved(rt)
    assert outbox.flush(rt) == {"sent": 1, "retry": 0, "failed": 0, "deferred": 0, "blocked": 0}
    [got] = smtp_tls_server.received
    assert got.tls
    assert got.auth_login == smtp_tls_server.username
    assert got.message["Message-ID"] == row.message_id
    assert row_of(rt, row).status == "sent"


def test_wrong_password_is_not_delivered_and_not_lost(rt, smtp_tls_server):
    rt.transport = SmtpTransport(
        smtp_tls_server.url_with(password="wrong"),
        ssl_context=smtp_tls_server.ssl_context,
        timeout=5,
    )
    row = approved(rt)
    counts = outbox.flush(rt)
    assert counts["sent"] == 0 and counts["retry"] + counts["failed"] == 1
    assert smtp_tls_server.received == []
    assert smtp_tls_server.auth_attempts
    assert all(ok is False for _, ok in smtp_tls_server.auth_attempts)
    assert row_of(rt, row).status in ("queued", "failed")
