"""Mail in from people who mean harm (or from broken software), on both databases: a From
that is no full address, forged bounce and complaint reports, NUL characters, Slack markup
in a Subject; and a not-now reply's date read from the reply's own day."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from alembic import command
from sqlalchemy import text
from sqlmodel import func, select

from bot.decisions import Action, Request, decide
from bot.mail.inbound import parse as mailparse
from bot.mail.inbound import replies
from bot.mail.inbound.receive import ImapSource
from bot.storable import storable
from handlers.views.text import render_notice
from storage import inbound as inbound_store
from storage import outbox as outbox_store
from storage.db import alembic_config, upgrade
from storage.models import (
    AgentState,
    InboundMessage,
    MailboxState,
    MailEvent,
    OutboxMessage,
    Review,
    Signal,
    Suppression,
)
from tests.conftest import SIGNALS_TOKEN, sent_first

pytest_plugins = ["tests.fakes.imap"]

OPS = "C0OPS"


def raw_reply(
    ours: OutboxMessage,
    from_header: str,
    text: str,
    *,
    n: int = 1,
    subject: str | None = None,
    date: datetime | None = None,
    threaded: bool = True,
) -> bytes:
    """A reply as raw bytes: headers exactly as given, which a message builder would fix."""
    lines = [
        f"From: {from_header}",
        f"To: {ours.from_addr}",
        f"Subject: {subject if subject is not None else 'Re: ' + ours.subject}",
        f"Date: {format_datetime(date or ours.sent_at)}",
        f"Message-ID: <reply-{n}@prospect.example>",
    ]
    if threaded:
        lines += [f"In-Reply-To: {ours.message_id}", f"References: {ours.message_id}"]
    lines += ["MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8", "", text, ""]
    return "\r\n".join(lines).encode()


def notes(rt) -> list[str]:
    return [text for channel, text in rt.humans.notes if channel == OPS]


def suppressed(rt) -> dict[str, str]:
    with rt.db.session() as s:
        return {row.value: row.reason for row in s.exec(select(Suppression))}


# --- 1. a From that is no full address never suppresses anything --------------------------


@pytest.mark.parametrize(
    "from_header",
    ['"@{domain}"', "@{domain}", "x@@{domain}", '""@{domain}', "Dana <@{domain}>"],
    ids=["quoted-domain", "bare-domain", "double-at", "empty-quoted-local", "angle-domain"],
)
def test_an_unreadable_from_suppresses_nothing_and_goes_to_a_person(rt, from_header):
    ours = sent_first(rt)
    domain = ours.to_addr.rpartition("@")[2]
    before = suppressed(rt)
    raw = raw_reply(ours, from_header.format(domain=domain), "Please unsubscribe me.")
    got = replies.ingest(rt, raw, "test")

    added = set(suppressed(rt)) - set(before)
    assert added == set(), f"{from_header!r} suppressed {added}"
    assert not any(v.startswith("@") for v in suppressed(rt))
    assert got.route == "review" and got.review_id is not None, "a person decides"
    row = replies_row(rt, got.inbound_id)
    assert "could not be read" in row.action
    card = rt.humans.posted[-1]
    assert card.review_id == got.review_id
    assert any("could not be read" in reason for reason in card.reasons)


def test_a_full_address_is_suppressed_as_the_address_quoted_or_not(rt):
    ours = sent_first(rt)
    local, _, domain = ours.to_addr.partition("@")
    got = replies.ingest(rt, raw_reply(ours, f'"{local}"@{domain}', "Unsubscribe me."), "test")
    assert got.route == "auto" and "suppressed" in got.action
    # Quotes that change nothing are dropped, so the suppression stops mail to the contact.
    assert suppressed(rt).get(ours.to_addr) == "unsubscribe (reply)"
    assert f"@{domain}" not in suppressed(rt)

    other = f"someone.else@{domain}"
    raw = raw_reply(ours, f"Someone <{other}>", "Unsubscribe me.", n=2, threaded=False)
    assert replies.ingest(rt, raw, "test").status == "stored"
    assert suppressed(rt).get(other) == "unsubscribe (reply)"
    assert f"@{domain}" not in suppressed(rt), "a whole domain only ever by an operator"


def test_mailbox_address_accepts_only_one_full_address():
    ok = mailparse.mailbox_address
    assert ok("Dana@Example.COM") == "dana@example.com"
    assert ok('"dana"@example.com') == "dana@example.com"
    assert ok('"dana smith"@example.com') == '"dana smith"@example.com'
    for bad in (
        "@example.com",
        '""@example.com',
        '"@example.com"',
        "x@@example.com",
        "x@localhost",
        "x@[10.0.0.1]",
        "x@-bad.com",
        "x@1.2.3.4",
        "a@b.com, c@d.com",
        "",
    ):
        assert ok(bad) == "", bad


def replies_row(rt, inbound_id) -> InboundMessage:
    with rt.db.session() as s:
        return s.get(InboundMessage, inbound_id)


# --- 2. copies of a (forged) report count once ---------------------------------------------


def dsn(ours: OutboxMessage, n: int, original_id: str, recipient: str | None = None) -> bytes:
    return f"""From: MAILER-DAEMON@mx{n}.forger.example
To: {ours.from_addr}
Subject: Undelivered Mail Returned to Sender
Date: {format_datetime(ours.sent_at)}
Message-ID: <dsn-{n}@forger.example>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: text/plain

Your message could not be delivered.

--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mx{n}.forger.example

Final-Recipient: rfc822; {recipient or ours.to_addr}
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 User unknown

--B
Content-Type: text/rfc822-headers

From: {ours.from_addr}
To: {recipient or ours.to_addr}
Message-ID: {original_id}
Subject: {ours.subject}

--B--
""".encode()


def arf(ours: OutboxMessage, n: int, original_id: str) -> bytes:
    return f"""From: fbl@feedback{n}.forger.example
To: {ours.from_addr}
Subject: Abuse report
Date: {format_datetime(ours.sent_at)}
Message-ID: <arf-{n}@forger.example>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=feedback-report; boundary="B"

--B
Content-Type: text/plain

This is an email abuse report.

--B
Content-Type: message/feedback-report

Feedback-Type: abuse
User-Agent: Forger/1.0
Version: 1
Original-Rcpt-To: {ours.to_addr}

--B
Content-Type: text/rfc822-headers

From: {ours.from_addr}
To: {ours.to_addr}
Message-ID: {original_id}
Subject: {ours.subject}

--B--
""".encode()


def test_twenty_copies_of_a_bounce_and_a_complaint_count_once(rt):
    rt.settings.operator_channel = OPS
    ours = sent_first(rt)
    for n in range(20):
        bounce = replies.ingest(rt, dsn(ours, n, ours.message_id), "test")
        complaint = replies.ingest(rt, arf(ours, n, ours.message_id), "test")
        assert (bounce.kind, complaint.kind) == ("bounce", "complaint")
        assert bounce.status == complaint.status == "stored"
    assert "not counted again" in bounce.action and "not counted again" in complaint.action

    with rt.db.session() as s:
        events = s.exec(select(MailEvent)).all()
        assert sorted((e.kind, e.outbox_id) for e in events) == [
            ("bounce", ours.id),
            ("complaint", ours.id),
        ]
        since = rt.now() - timedelta(days=30)
        assert outbox_store.sent_and_events(s, since, mailbox=ours.from_addr)[1:] == (1, 1)
        mailbox = s.get(MailboxState, ours.from_addr)
        assert mailbox is None or not mailbox.paused, "one message cannot pause a mailbox"
        assert not s.get(AgentState, ours.agent_id).paused
        # The address itself is still suppressed: that is what a real report asks for.
        assert s.get(Suppression, ours.to_addr) is not None
    assert not any("Paused" in n for n in notes(rt))


def test_reports_about_no_message_of_ours_never_move_a_rate_and_operators_hear(rt):
    rt.settings.operator_channel = OPS
    rt.settings.guard_min_sent = 1
    ours = sent_first(rt)
    # They name our recipient, but a Message-ID that is none of ours: not ours to count.
    for n in range(10):
        got = replies.ingest(rt, dsn(ours, n, f"<forged-{n}@elsewhere.example>"), "test")
        assert got.status == "stored" and got.action.startswith("unmatched")
    with rt.db.session() as s:
        assert s.exec(select(func.count()).select_from(MailEvent)).one() == 0
        assert not s.get(AgentState, ours.agent_id).paused
        assert s.get(Suppression, ours.to_addr) is None
    said = [n for ch, n in rt.humans.notices if ch == OPS and "matched no message" in n.plain()]
    # The 1st and the 10th: news, without one notice per forged report.
    assert len(said) == 2 and said[-1].tone == "warning"
    assert said[-1].plain().startswith("10 bounce/complaint report")

    # A real bounce about our message still counts, and the pause says what was left out.
    replies.ingest(rt, dsn(ours, 99, ours.message_id), "test")
    paused = [n for n in notes(rt) if "Paused" in n]
    assert paused and all("10 bounce/complaint report(s)" in n for n in paused)


def test_a_hard_bounce_after_a_soft_one_is_one_hard_bounce(rt):
    ours = sent_first(rt)
    soft = dsn(ours, 1, ours.message_id).replace(b"5.1.1", b"4.2.2")
    assert replies.ingest(rt, soft, "test").action == "noted (soft bounce)"
    assert replies.ingest(rt, dsn(ours, 2, ours.message_id), "test").status == "stored"
    with rt.db.session() as s:
        event = s.exec(select(MailEvent)).one()
        assert (event.kind, event.hard) == ("bounce", True)
        assert s.get(Suppression, ours.to_addr).reason == "hard bounce"


def test_the_database_refuses_a_second_event_of_a_kind_for_one_message(rt):
    ours = sent_first(rt)
    values = {
        "outbox_id": ours.id,
        "mailbox": ours.from_addr,
        "agent_id": ours.agent_id,
        "kind": "complaint",
        "at": rt.now(),
    }
    with rt.db.session() as s:
        assert inbound_store.add_mail_event(s, values) is True
    with rt.db.session() as s:
        assert inbound_store.add_mail_event(s, values) is False
    with pytest.raises(Exception, match="(?i)unique"), rt.db.session() as s:
        s.add(MailEvent(**values))
        s.flush()


def test_the_migration_folds_copies_already_stored_into_one(rt):
    ours = sent_first(rt)
    command.downgrade(alembic_config(rt.db.engine), "0003")
    with rt.db.engine.begin() as conn:
        for hard in (False, True, False):  # a soft bounce, then copies of a hard one
            conn.execute(
                text(
                    "INSERT INTO mailevent (outbox_id, mailbox, agent_id, contact_id, kind, hard,"
                    " detail, at) VALUES (:o, :m, :a, '', 'bounce', :h, '', :at)"
                ),
                {"o": ours.id, "m": ours.from_addr, "a": ours.agent_id, "h": hard, "at": rt.now()},
            )
    upgrade(rt.db.engine)
    with rt.db.session() as s:
        event = s.exec(select(MailEvent)).one()
    assert (event.outbox_id, event.kind, event.hard) == (ours.id, "bounce", True)


# --- 3. NUL characters ----------------------------------------------------------------------


def test_a_reply_with_nul_is_stored_clean_and_the_next_one_in_the_same_poll(rt, imap_server):
    ours = sent_first(rt)
    nul = (
        f"From: =?utf-8?q?Dana=00_Smith?= <{ours.to_addr}>\r\n"
        f"To: {ours.from_addr}\r\n"
        "Subject: =?utf-8?q?Re=3A_hello=00there?=\r\n"
        "Message-ID: <nul-1@prospect.example>\r\n"
        f"In-Reply-To: {ours.message_id}\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
        "Who else=00 uses this? =ED=A0=80\r\n"
    ).encode()
    behind = raw_reply(ours, ours.to_addr, "And what does it cost?", n=2)
    imap_server.deliver(nul)
    imap_server.deliver(behind)
    src = ImapSource(imap_server.url(), ssl_context=imap_server.ssl_context, timeout=10)

    assert src.fetch_new(rt, lambda raw, where: replies.ingest(rt, raw, where)) == 2
    with rt.db.session() as s:
        rows = s.exec(select(InboundMessage).order_by(InboundMessage.id)).all()
    assert [r.message_id for r in rows] == [
        "<nul-1@prospect.example>",
        "<reply-2@prospect.example>",
    ]
    first = rows[0]
    assert first.subject == "Re: hellothere"
    assert first.text.startswith("Who else uses this?") and "\x00" not in first.text
    assert first.from_addr == ours.to_addr and first.draft_id == ours.draft_id


def test_storable_drops_nul_and_keeps_ordinary_text():
    assert storable("a\x00b") == "ab"
    assert storable("tab\tnew\nline ü € 😀") == "tab\tnew\nline ü € 😀"
    assert storable("lone \ud800 surrogate") == "lone \ufffd surrogate"


def test_post_signals_with_nul_is_stored_clean(service, http):
    item = {
        "account_id": "harbor",
        "kind": "hiring",
        "summary": "Harbor\u0000 is hiring an analytics engineer",
        "detail": "Analytics\u0000 Engineer",
        "observed_at": "2026-11-20T08:00:00Z",
        "dedupe_key": "harbor-nul\u0000-1",
    }
    resp = http.post("/signals", json=item, headers={"Authorization": f"Bearer {SIGNALS_TOKEN}"})
    assert resp.status_code == 200, resp.text
    assert resp.json()["stored"] == 1
    with service.rt.db.session() as s:
        row = s.exec(select(Signal).where(Signal.dedupe_key == "harbor-nul-1")).one()
    assert (row.summary, row.detail) == (
        "Harbor is hiring an analytics engineer",
        "Analytics Engineer",
    )


# --- 4. a not-now reply's date, from the reply's own day ------------------------------------


@pytest.mark.parametrize(
    ("written", "taken_in"),
    [
        (datetime(2027, 10, 14, 9, 30, tzinfo=UTC), datetime(2028, 3, 20, 8, 0, tzinfo=UTC)),
        (datetime(2027, 4, 12, 16, 0, tzinfo=UTC), datetime(2028, 3, 20, 8, 0, tzinfo=UTC)),
    ],
    ids=["october", "april"],
)
def test_not_now_date_counts_from_the_reply_not_from_when_it_is_read(rt, written, taken_in):
    ours = sent_first(rt)
    rt.clock = lambda: taken_in  # e.g. an old mailbox imported months later
    raw = raw_reply(ours, ours.to_addr, "Not right now. Reach out again in March.", date=written)
    got = replies.ingest(rt, raw, "test")
    row = replies_row(rt, got.inbound_id)
    assert row.intent == "not_now"
    assert row.detail["not_now_until"] == "2028-03-01", "the March after the reply was written"


def test_triage_cli_prints_the_not_now_date(rt, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from bot.cli.main import app

    ours = sent_first(rt)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    text = "Not right now. Reach out again in March."
    # Dates long past, so the test reads the same whatever the wall clock says.
    for name, written in (
        ("a.eml", datetime(2001, 10, 14, 9, 0, tzinfo=UTC)),
        ("b.eml", datetime(2001, 4, 12, 9, 0, tzinfo=UTC)),
    ):
        (inbox / name).write_bytes(raw_reply(ours, ours.to_addr, text, date=written))
    monkeypatch.setenv("TWOLOOP_HOME", str(rt.settings.home))
    out = CliRunner().invoke(app, ["triage", str(inbox), "--json"])
    assert out.exit_code == 0, out.output
    rows = [json.loads(line) for line in out.output.splitlines()]
    assert [(r["intent"], r["not_now_until"]) for r in rows] == [
        ("not_now", "2002-03-01"),
        ("not_now", "2002-03-01"),
    ]
    plain = CliRunner().invoke(app, ["triage", str(inbox / "a.eml")])
    assert "not_now_until=2002-03-01" in plain.output


# --- notices show outside text as typed ----------------------------------------------------

HOSTILE = "<!channel> <https://evil.example|Sign in again>"


def test_notices_escape_markup_from_a_subject(rt):
    rt.settings.operator_channel = OPS
    ours = sent_first(rt)
    stranger = raw_reply(
        ours, "who@nowhere.example", "What does it cost?", subject=HOSTILE, threaded=False
    )
    replies.ingest(rt, stranger, "test")
    forged = dsn(ours, 1, "<forged@elsewhere.example>").replace(
        b"Subject: Undelivered Mail Returned to Sender", f"Subject: {HOSTILE}".encode()
    )
    replies.ingest(rt, forged, "test")
    slack = [render_notice(n) for ch, n in rt.humans.notices if ch == OPS]  # as Slack shows it
    told = [n for n in slack if "matches no message" in n or "matched no message" in n]
    assert len(told) == 2
    for note in told:
        assert "<!channel>" not in note and "<https://" not in note
        assert "&lt;!channel&gt;" in note and "&lt;https://evil.example|Sign in again&gt;" in note

    # The owner's notice on a thread they took over.
    got = replies.ingest(rt, raw_reply(ours, ours.to_addr, "Can we talk?", n=3), "test")
    with rt.db.session() as s:
        review = s.get(Review, got.review_id)
    assert decide(rt, Request(review.id, review.owner, Action.TAKE_OVER)).status == "decided"
    replies.ingest(rt, raw_reply(ours, ours.to_addr, "Hello?", n=4, subject=HOSTILE), "test")
    owner = [render_notice(n) for _, n in rt.humans.notices if "took over" in n.plain()][-1]
    assert "<!channel>" not in owner and "&lt;!channel&gt;" in owner
    assert owner.startswith(f"<@{review.owner}>"), "our own mention stays markup"


def test_copies_taken_in_at_once_still_count_once(rt):
    ours = sent_first(rt)
    copies = [dsn(ours, n, ours.message_id) for n in range(6)]
    start = threading.Barrier(len(copies))

    def take(raw: bytes) -> str:
        start.wait()
        return replies.ingest(rt, raw, "test").status

    with ThreadPoolExecutor(len(copies)) as pool:
        assert list(pool.map(take, copies)) == ["stored"] * len(copies)
    with rt.db.session() as s:
        assert s.exec(select(func.count()).select_from(MailEvent)).one() == 1
