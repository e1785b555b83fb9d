"""Every kind of message through the real send path to a real SMTP server (aiosmtpd on
loopback), on both databases: first touches of plays with and without follow-ups, follow-up
steps, an AM's reply in the thread (Send reply, Edit). Each goes out exactly once with the
right thread headers and ends `sent`; nothing is left `sending` or `uncertain`; the rest of
the batch goes on. A message that cannot be built fails alone, before SMTP, and says why."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

import pytest
from sqlmodel import select

from bot.agent import loop
from bot.cli.scaffold import init
from bot.decisions import Action, Request, decide
from bot.intake.importer import load
from bot.mail.inbound import replies
from bot.mail.outbound import followups, outbox, sequences
from bot.mail.transport import SmtpTransport
from bot.runtime import Runtime
from storage.models import AuditEvent, Draft, InboundMessage, OutboxMessage, Review, Sequence
from tests.conftest import RecordingHumans, approve_plays, make_settings, unpaced

T0 = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)  # any instant works: mailboxes are unpaced
OPS = "C0OPS"
WITH_STEPS = "data-platform"  # its play has two follow-up steps
NO_STEPS = "security-expansion"  # its plays have none


class Clock:
    def __init__(self, at: datetime):
        self.at = at

    def __call__(self) -> datetime:
        return self.at


@pytest.fixture
def rt(tmp_path, db_url, smtp_server):
    home = tmp_path / "home"
    init(home, now=T0)  # sample signals dated from the injected clock, not from today
    unpaced(home)
    runtime = Runtime(make_settings(home, db_url), humans=RecordingHumans(), clock=Clock(T0))
    runtime.settings.operator_channel = OPS
    runtime.transport = SmtpTransport(smtp_server.url, timeout=5)
    runtime.db.upgrade()
    load(runtime.db, sorted((home / "data").iterdir()))
    approve_plays(runtime)
    loop.tick(runtime)
    yield runtime
    runtime.db.dispose()


def draft_reviews(rt, agent_id: str) -> list[Review]:
    with rt.db.session() as s:
        q = select(Review).where(
            Review.status == "open", Review.kind == "draft", Review.agent_id == agent_id
        )
        return list(s.exec(q.order_by(Review.id)))


def approve(rt, review: Review) -> OutboxMessage:
    """Approve a draft card; its first touch is queued."""
    req = Request(review.id, review.owner, Action.APPROVE, content_hash=review.content_hash)
    assert decide(rt, req).status == "decided"
    return row_for(rt, review.subject_id, 0)


def first_touch(rt, agent_id: str) -> OutboxMessage:
    return approve(rt, draft_reviews(rt, agent_id)[0])


def row_for(rt, draft_id: int, step: int) -> OutboxMessage:
    with rt.db.session() as s:
        q = select(OutboxMessage).where(
            OutboxMessage.draft_id == draft_id, OutboxMessage.step == step
        )
        return s.exec(q).one()


def fresh(rt, row: OutboxMessage) -> OutboxMessage:
    with rt.db.session() as s:
        return s.get(OutboxMessage, row.id)


def rows(rt) -> list[OutboxMessage]:
    with rt.db.session() as s:
        return list(s.exec(select(OutboxMessage).order_by(OutboxMessage.id)))


def sequence_of(rt, draft_id: int) -> Sequence | None:
    with rt.db.session() as s:
        return s.get(Sequence, draft_id)


def later(rt, delta: timedelta) -> None:
    rt.clock.at += delta


def received(smtp_server, row: OutboxMessage) -> EmailMessage:
    """The one copy of `row` the server got (exactly one, or the test fails)."""
    copies = [m for m in smtp_server.messages if m["Message-ID"] == row.message_id]
    assert len(copies) == 1, f"{row.message_id} arrived {len(copies)} times"
    return copies[0]


def body_of(mail: EmailMessage) -> str:
    return mail.get_content().replace("\r\n", "\n")


def assert_settled(rt, smtp_server) -> None:
    """Nothing mid-send, nothing uncertain (even past the lease), and every sent row arrived
    exactly once."""
    assert [r.id for r in rows(rt) if r.status in ("sending", "uncertain")] == []
    later(rt, outbox.LEASE + timedelta(seconds=1))
    assert outbox.recover(rt) == []
    sent = [r for r in rows(rt) if r.status == "sent"]
    for row in sent:
        received(smtp_server, row)
    assert len(smtp_server.received) == len(sent)
    assert not [t for ch, t in rt.humans.notes if ch == OPS and "may or may not" in t]


def after_send_failures(rt) -> list[AuditEvent]:
    with rt.db.session() as s:
        q = select(AuditEvent).where(AuditEvent.action == "outbox.after_send_failed")
        return list(s.exec(q))


def prospect_replies(rt, ours: OutboxMessage, text: str) -> tuple[InboundMessage, Review]:
    """The contact answers our message; the answer needs judgment, so it becomes a card."""
    msg = EmailMessage()
    msg["From"] = ours.to_addr
    msg["To"] = ours.from_addr
    msg["Subject"] = f"Re: {ours.subject}"
    msg["Date"] = format_datetime(rt.now())
    msg["Message-ID"] = make_msgid(domain="prospect.example")
    msg["In-Reply-To"] = ours.message_id
    msg["References"] = ours.message_id
    msg.set_content(f"{text}\n\nOn Wednesday, you wrote:\n> {ours.body.splitlines()[0]}\n")
    got = replies.ingest(rt, msg.as_bytes(), "test")
    assert got.review_id is not None, got
    with rt.db.session() as s:
        return s.get(InboundMessage, got.inbound_id), s.get(Review, got.review_id)


def answer(rt, review: Review, action: Action, edited: str) -> None:
    """Send reply (the suggestion as is) or Edit (the AM's text) on a reply card."""
    if action == Action.EDIT:
        req = Request(review.id, review.owner, Action.EDIT, body=edited)
    else:
        req = Request(review.id, review.owner, action, content_hash=review.content_hash)
    assert decide(rt, req).status == "decided"


@pytest.mark.parametrize("action", [Action.SEND_REPLY, Action.EDIT], ids=["send", "edit"])
def test_first_touches_then_replies_in_their_threads_in_one_batch(rt, smtp_server, action):
    no_steps = first_touch(rt, NO_STEPS)
    with_steps = first_touch(rt, WITH_STEPS)
    assert outbox.flush(rt) == {"sent": 2, "retry": 0, "failed": 0, "deferred": 0, "blocked": 0}
    for row in (no_steps, with_steps):
        mail = received(smtp_server, row)
        assert mail["In-Reply-To"] is None and mail["References"] is None
        assert fresh(rt, row).status == "sent"
    assert sequence_of(rt, no_steps.draft_id) is None, "a play without steps has no sequence"
    seq = sequence_of(rt, with_steps.draft_id)
    assert (seq.status, seq.next_step) == ("active", 1)

    # Both contacts answer; the AM answers each from its card, in the same thread.
    threads = []
    for ours in (no_steps, with_steps):
        # A not-now has a sendable acknowledgement offline (interest gets notes, no text).
        theirs, card = prospect_replies(rt, fresh(rt, ours), "Not right now. Ping me in Q3.")
        answer(rt, card, action, f"Here it is, {ours.id}. Talk Tuesday?")
        threads.append((fresh(rt, ours), theirs, row_for(rt, ours.draft_id, -1)))
    next_in_batch = first_touch(rt, NO_STEPS)  # queued behind both replies
    assert outbox.flush(rt) == {"sent": 3, "retry": 0, "failed": 0, "deferred": 0, "blocked": 0}

    for ours, theirs, reply in threads:
        mail = received(smtp_server, reply)
        assert mail["In-Reply-To"] == theirs.message_id
        assert mail["References"].split() == [ours.message_id, theirs.message_id]
        assert mail["Subject"] == f"Re: {ours.subject}"
        if action == Action.EDIT:
            assert body_of(mail).startswith(f"Here it is, {ours.id}. Talk Tuesday?\n")
        else:
            assert body_of(mail).startswith(theirs.detail["suggestion"].strip())
        assert (fresh(rt, reply).status, fresh(rt, reply).attempts) == ("sent", 1)
    assert fresh(rt, next_in_batch).status == "sent"
    received(smtp_server, next_in_batch)
    assert sequence_of(rt, no_steps.draft_id) is None, "a reply starts no sequence"
    seq = sequence_of(rt, with_steps.draft_id)
    assert (seq.status, seq.next_step) == ("stopped", 1), "the reply moves no step"
    assert after_send_failures(rt) == []
    assert_settled(rt, smtp_server)


def test_follow_up_steps_go_out_in_the_thread_until_the_sequence_ends(rt, smtp_server):
    ours = first_touch(rt, WITH_STEPS)
    other = first_touch(rt, NO_STEPS)
    outbox.flush(rt)
    theirs, card = prospect_replies(rt, fresh(rt, other), "Not right now. Ping me in Q3.")
    answer(rt, card, Action.SEND_REPLY, "")

    later(rt, timedelta(days=3, minutes=1))
    assert followups.queue_due(rt) == 1
    step1 = row_for(rt, ours.draft_id, 1)
    reply = row_for(rt, other.draft_id, -1)
    assert reply.id < step1.id, "the batch holds the reply first, then the follow-up"
    assert outbox.flush(rt) == {"sent": 2, "retry": 0, "failed": 0, "deferred": 0, "blocked": 0}
    mail = received(smtp_server, step1)
    assert mail["In-Reply-To"] == ours.message_id
    assert mail["References"].split() == [ours.message_id]
    assert "floating this back up" in body_of(mail)
    assert fresh(rt, reply).status == "sent" and fresh(rt, step1).status == "sent"
    seq = sequence_of(rt, ours.draft_id)
    assert (seq.status, seq.next_step) == ("active", 2)

    later(rt, timedelta(days=7, minutes=1))
    assert followups.queue_due(rt) == 1
    step2 = row_for(rt, ours.draft_id, 2)
    assert outbox.flush(rt)["sent"] == 1
    mail = received(smtp_server, step2)
    assert mail["In-Reply-To"] == step1.message_id
    assert mail["References"].split() == [ours.message_id, step1.message_id]
    seq = sequence_of(rt, ours.draft_id)
    assert (seq.status, seq.due_at) == ("done", None), "the last step ends the sequence"
    later(rt, timedelta(days=30))
    assert followups.queue_due(rt) == 0
    assert after_send_failures(rt) == []
    assert_settled(rt, smtp_server)


def test_a_failure_after_the_smtp_handoff_leaves_the_message_sent(rt, smtp_server, monkeypatch):
    first = first_touch(rt, WITH_STEPS)
    second = first_touch(rt, WITH_STEPS)

    def broken(s, draft, step, now):
        raise RuntimeError("sequence bookkeeping broke")

    monkeypatch.setattr(sequences, "after_send", broken)
    assert outbox.flush(rt) == {"sent": 2, "retry": 0, "failed": 0, "deferred": 0, "blocked": 0}
    for row in (first, second):
        received(smtp_server, row)
        assert fresh(rt, row).status == "sent"
        with rt.db.session() as s:
            assert s.get(Draft, row.draft_id).status == "sent"
    failures = after_send_failures(rt)
    assert sorted(e.subject for e in failures) == [
        f"draft:{first.draft_id}",
        f"draft:{second.draft_id}",
    ]
    assert all("sequence bookkeeping broke" in e.detail["error"] for e in failures)
    notes = [t for ch, t in rt.humans.notes if ch == OPS]
    assert any(f"Outbox message {first.id} " in t and "was sent" in t for t in notes)
    monkeypatch.undo()
    later(rt, timedelta(days=1))
    assert outbox.flush(rt)["sent"] == 0, "never sent twice"
    assert_settled(rt, smtp_server)


@pytest.mark.parametrize(
    ("field", "value", "problem"),
    [
        (
            "subject",
            "Hello\r\nBcc: everyone@victim.example",
            "Subject header contains a line break",
        ),
        ("to_addr", "Ann <ann@", "To header is malformed"),
        ("in_reply_to", "<a@x.example>\n<b@x.example>", "In-Reply-To header contains a line break"),
    ],
)
def test_a_message_that_cannot_be_built_fails_alone_and_clearly(
    rt, smtp_server, field, value, problem
):
    before = first_touch(rt, NO_STEPS)
    bad = first_touch(rt, NO_STEPS)
    after = first_touch(rt, WITH_STEPS)
    with rt.db.session() as s:  # straight into the row: past any content rule
        row = s.get(OutboxMessage, bad.id)
        setattr(row, field, value)
        s.add(row)

    assert outbox.flush(rt) == {"sent": 2, "retry": 0, "failed": 1, "deferred": 0, "blocked": 0}
    failed = fresh(rt, bad)
    assert failed.status == "failed"
    assert failed.last_error.startswith(f"not sent: {problem}")
    assert failed.attempts == 0 and failed.claimed_at is None, "never claimed for SMTP"
    assert bad.message_id not in [m["Message-ID"] for m in smtp_server.messages]
    with rt.db.session() as s:
        assert s.get(Draft, bad.draft_id).status == "failed"
        event = s.exec(
            select(AuditEvent).where(
                AuditEvent.action == "outbox.failed", AuditEvent.subject == f"draft:{bad.draft_id}"
            )
        ).one()
    assert event.detail["stage"] == "build" and event.detail["smtp_reached"] is False
    [note] = [t for ch, t in rt.humans.notes if ch == OPS and f"message {bad.id} " in t]
    assert "was NOT sent" in note and problem in note and "Nothing reached the mail server" in note
    for row in (before, after):
        assert fresh(rt, row).status == "sent"
    later(rt, timedelta(days=1))
    assert outbox.flush(rt) == {"sent": 0, "retry": 0, "failed": 0, "deferred": 0, "blocked": 0}
    assert fresh(rt, bad).status == "failed"
    assert_settled(rt, smtp_server)
