"""bot.mail.inbound.parse: machine mail (bounces, complaints, auto-replies) told apart from people,
against the shared real-world samples and synthetic ones in tests/data/mail/."""

from __future__ import annotations

import hashlib
import os
import re
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest

from bot.mail.inbound import parse as mailparse
from bot.mail.inbound.parse import parse
from bot.mail.text import return_date, strip_quotes

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared" / "testdata" / "mail"
LOCAL = Path(__file__).resolve().parents[1] / "data" / "mail"
REQUIRE_SHARED = os.environ.get("TWOLOOP_REQUIRE_SHARED") == "1"
SHARED_FILES = sorted(SHARED.glob("*.eml")) if SHARED.is_dir() else []
LOCAL_FILES = sorted(LOCAL.glob("*.eml"))

MSGID = re.compile(r"^<[^<>\s]+>$")


def _shared(path: Path | None) -> bytes:
    """The sample's bytes, or a skip (a failure under TWOLOOP_REQUIRE_SHARED=1)."""
    if path is None or not path.is_file():
        why = f"shared mail samples not found at {SHARED}"
        if REQUIRE_SHARED:
            pytest.fail(f"{why} (TWOLOOP_REQUIRE_SHARED=1)")
        pytest.skip(why)
    return path.read_bytes()


def _shared_params() -> list:
    if SHARED_FILES:
        return [pytest.param(p, id=p.stem) for p in SHARED_FILES]
    return [pytest.param(None, id="shared-mail-missing")]


def _invariants(p: mailparse.Parsed) -> None:
    """What holds for every message, whatever it is."""
    assert p.kind in ("human", "auto_reply", "bounce", "complaint")
    assert not p.diagnostic.startswith("unparsable"), p.diagnostic
    assert MSGID.match(p.message_id), p.message_id
    assert p.in_reply_to == "" or MSGID.match(p.in_reply_to)
    assert all(MSGID.match(r) for r in p.references)
    assert p.original_message_id == "" or MSGID.match(p.original_message_id)
    assert p.from_addr == p.from_addr.lower() and " " not in p.from_addr
    assert p.date is None or p.date.utcoffset() == timedelta(0)
    assert len(p.text) <= mailparse.MAX_TEXT
    assert len(p.diagnostic) <= mailparse.MAX_DIAGNOSTIC
    if p.kind == "bounce":
        assert re.fullmatch(r"[245]\.\d{1,3}\.\d{1,3}", p.bounce_status), p.bounce_status
        assert p.bounce_hard is {"5": True, "4": False}.get(p.bounce_status[0])
    else:
        assert (p.bounce_status, p.bounce_hard) == ("", None)
    if p.kind != "auto_reply":
        assert (p.return_date, p.permanent_absence, p.auto_reason) == (None, False, "")
    else:
        assert p.auto_reason


# --------------------------------------------------------------------------- real samples

PREFIX_KIND = {"rfc3464": "bounce", "arf": "complaint", "rfc3834": "auto_reply"}


@pytest.mark.parametrize("path", _shared_params())
def test_shared_sample_is_classified_by_its_family(path):
    raw = _shared(path)
    p = parse(raw)
    _invariants(p)
    assert p.kind == PREFIX_KIND[path.stem.split("-")[0]]
    text = raw.decode("utf-8", "replace")
    body = text.split("\n\n", 1)[-1]
    if p.kind == "bounce":
        if re.search(r"^Final-Recipient:", text, re.I | re.M):
            assert "@" in p.original_recipient
        statuses = re.findall(r"^Status:\s*(\d\.\d{1,3}\.\d{1,3})", text, re.I | re.M)
        if statuses:
            assert p.bounce_status in statuses
    if p.kind == "complaint":
        assert p.feedback_type
        declared = re.findall(r"^Feedback-Type:\s*([\w-]+)", text, re.I | re.M)
        if declared:
            assert p.feedback_type == declared[0].lower()
        embedded_ids = re.findall(r"^Message-I[Dd]:\s*<?([^<>\s]+)>?", body, re.I | re.M)
        if embedded_ids:  # the original is quoted in the report: we must have found it
            assert p.original_message_id.strip("<>") in embedded_ids


SHARED_KNOWN = {
    # Sendmail DSN: the textbook case.
    "rfc3464-01": {
        "bounce_status": "5.1.1",
        "bounce_hard": True,
        "original_recipient": "userunknown@bouncehammer.jp",
        "original_message_id": "<E1C50F1B-1C83-4820-BC36-AC6FBFBE8568@example.org>",
        "diagnostic": "550 5.1.1 <userunknown@bouncehammer.jp>... User Unknown",
    },
    # multipart/report without a report-type, headers-only original.
    "rfc3464-07": {
        "bounce_status": "4.4.0",
        "bounce_hard": False,
        "original_recipient": "kijitora@example.net",
        "original_message_id": "<000000000000000@list.example.jp>",
    },
    # multipart/mixed carrying a message/delivery-status; Original-Recipient is preferred
    # over the forwarded Final-Recipient, because it is the address we wrote to.
    "rfc3464-09": {
        "bounce_status": "4.3.0",
        "bounce_hard": False,
        "original_recipient": "kijitora-nyaaaaaan@example.co.jp",
    },
    # a nested bounce: the first attached message is the one that came back.
    "rfc3464-26": {"original_message_id": "<ALSMTP02OCIIZS2TRqf0001e76b@example.net>"},
    # a success DSN ("deliverable", 2.1.5): a delivery report, not a failure.
    "rfc3464-28": {"bounce_status": "2.1.5", "bounce_hard": None},
    # no MIME at all: Postfix text with the DSN fields inline.
    "rfc3464-34": {
        "bounce_status": "4.4.1",
        "bounce_hard": False,
        "original_recipient": "kijitora@example.com",
        "original_message_id": "<20170429233445.FFFFFFFF02@smtp.neko.example.org>",
    },
    # broken boundary, three recipients: the first failed one is reported.
    "rfc3464-35": {
        "bounce_status": "5.0.0",
        "bounce_hard": True,
        "original_recipient": "kijitora@nyaan.example.com",
    },
    # Action: failed with Status 4.0.0: the class decides (soft).
    "rfc3464-36": {"bounce_status": "4.0.0", "bounce_hard": False, "from_addr": ""},
    # Exim 3 text bounce, no status anywhere: "unknown host".
    "rfc3464-37": {
        "bounce_status": "5.1.2",
        "bounce_hard": True,
        "original_recipient": "kijitora@neko.nyaan.example.com",
        "original_message_id": "<ffffffffffff000000002222000000000@e3.example.com>",
    },
    # "User's mailbox is full": soft.
    "rfc3464-38": {
        "bounce_status": "4.2.2",
        "bounce_hard": False,
        "original_recipient": "kijitora-nyaan@example.jp",
    },
    # Exchange-ish "Undeliverable:" text, nothing but "Did not reach".
    "rfc3464-39": {
        "bounce_status": "5.0.0",
        "bounce_hard": True,
        "original_recipient": "kijitora@nyaan.example.net",
    },
    "rfc3464-63": {
        "bounce_status": "5.1.1",
        "original_recipient": "libsisimai-2@googlegroups.com",
        "original_message_id": "<144493c0-8548-4b2b-987f-ae719df82545@Spark>",
    },
    "arf-02": {
        "feedback_type": "abuse",
        "original_recipient": "this-local-part-does-not-exist-on-yahoo@yahoo.com",
        "original_message_id": "<000000000000000000000000.smtp@example.com>",
    },
    # a bare Message-ID in the original gets its angle brackets.
    "arf-11": {"original_message_id": "<ffffffffffffffffffffffffff0000000000@example.net>"},
    # opt-out report with a text/rfc822-header (sic) part and a Removal-Recipient.
    "arf-12": {
        "feedback_type": "opt-out",
        "original_recipient": "user@example.com",
        "original_message_id": "<0000000000000000000000000@example.net>",
    },
    "arf-18": {
        "feedback_type": "auth-failure",
        "original_recipient": "kijitora@example.com",
        "original_message_id": "<000000002.2222222.1500000000022@example.net>",
    },
    # Microsoft JMRP: multipart/mixed, no ARF part, X-HmXmrOriginalRecipient.
    "arf-22": {
        "feedback_type": "abuse",
        "original_recipient": "kijitora@example.com",
        "original_message_id": "<0000000000fffffffff0000000000000@example.com>",
    },
    # Apple Mail's one-click unsubscribe by mail.
    "arf-26": {"feedback_type": "opt-out", "original_recipient": "example@icloud.com"},
    "rfc3834-01": {"return_date": date(2005, 5, 5), "permanent_absence": False},
    "rfc3834-02": {"auto_reason": "subject: Automatic reply", "return_date": None},
    # Apple vacation: X-Apple-Criteria endDate=2020-01-10T14:59:59Z (end of the 10th, JST).
    "rfc3834-03": {"return_date": date(2020, 1, 11)},
    "rfc3834-06": {"permanent_absence": True},
}


@pytest.mark.parametrize("name", sorted(SHARED_KNOWN))
def test_shared_sample_known_values(name):
    p = parse(_shared(SHARED / f"{name}.eml"))
    for field, expected in SHARED_KNOWN[name].items():
        assert getattr(p, field) == expected, field


# --------------------------------------------------------------------------- synthetic

LOCAL_KIND = {
    "bounce": "bounce",
    "ooo": "auto_reply",
    "left": "auto_reply",
    "human": "human",
    "malformed": "human",
}


def _local(name: str, **kw) -> mailparse.Parsed:
    return parse((LOCAL / f"{name}.eml").read_bytes(), **kw)


@pytest.mark.parametrize("path", [pytest.param(p, id=p.stem) for p in LOCAL_FILES])
def test_synthetic_sample_parses_and_is_classified(path):
    p = parse(path.read_bytes())
    _invariants(p)
    assert p.kind == LOCAL_KIND[path.stem.split("-")[0]]


SYNTHETIC = {
    "bounce-postfix-hard": {
        "bounce_status": "5.1.1",
        "bounce_hard": True,
        "original_recipient": "j.doe@acme-widgets.example",
        "original_message_id": "<177253284512.4711.d12s1@brightpath.example>",
        "diagnostic": "550 5.1.1 <j.doe@acme-widgets.example>: Recipient address rejected: "
        "User unknown in virtual mailbox table (in reply to RCPT TO command)",
    },
    "bounce-exim-hard": {
        "bounce_status": "5.1.1",  # "No Such User Here"
        "bounce_hard": True,
        "original_recipient": "k.olsen@nordfjord-logistics.example",
        "original_message_id": "<177253644102.4711.d31s1@brightpath.example>",
        "diagnostic": "550 No Such User Here",
    },
    "bounce-exim-soft": {
        "bounce_status": "4.2.2",  # "452 Mailbox over quota" on a delay warning
        "bounce_hard": False,
        "original_recipient": "ops@slowmail-hosting.example",
    },
    "bounce-qmail-hard": {
        "bounce_status": "5.1.1",  # "(#5.1.1)"
        "bounce_hard": True,
        "original_recipient": "r.tanaka@oldcorp.example",
        "original_message_id": "<177254191703.4711.d44s2@brightpath.example>",
    },
    "bounce-qmail-soft": {
        "bounce_status": "4.2.2",
        "bounce_hard": False,
        "original_recipient": "m.lee@fullbox.example",
        "original_message_id": "<177243121201.4711.d52s1@brightpath.example>",
    },
    "bounce-gmail-hard": {
        "bounce_status": "5.1.1",
        "bounce_hard": True,
        "original_recipient": "pat.nguyen@gone-startup.example",
        "original_message_id": "<177253391001.4711.d61s1@brightpath.example>",
    },
    "bounce-gmail-soft": {
        "bounce_status": "4.0.0",  # a delay notice without any code
        "bounce_hard": False,
        "original_recipient": "sam.okafor@flaky-host.example",
    },
    "bounce-exchange-de": {
        "bounce_status": "5.1.10",
        "bounce_hard": True,
        "original_recipient": "k.schmidt@kunde-gmbh.example",
        "original_message_id": "<177254310201.4711.d70s1@brightpath.example>",
    },
    "ooo-en": {
        "return_date": date(2026, 3, 2),  # "from Monday 23 February ... back on Monday 2 March"
        "auto_reason": "subject: Automatic reply",
        "in_reply_to": "<177192450101.4711.d12s1@brightpath.example>",
        "from_addr": "jamie.doe@acme-widgets.example",
    },
    "ooo-en-us-numeric": {"return_date": date(2026, 4, 3)},  # 04/03, English, UTC-6
    "ooo-en-uk-numeric": {"return_date": date(2026, 3, 4)},  # 04/03, UTC+0
    "ooo-de": {"return_date": date(2026, 3, 15), "auto_reason": "Auto-Submitted: auto-replied"},
    "ooo-fr": {
        "return_date": date(2026, 3, 4),
        "subject": "Réponse automatique : Votre bureau de Lyon",
    },
    "ooo-es": {"return_date": date(2026, 3, 10), "auto_reason": "X-Autorespond: Yes"},
    "ooo-year-rollover": {"return_date": date(2026, 1, 5)},
    "left-en": {"permanent_absence": True, "return_date": None},
    "left-de": {"permanent_absence": True, "auto_reason": "subject: Automatische Antwort"},
    "left-fr": {"permanent_absence": True, "return_date": None},
    "human-mentions-ooo": {"kind": "human", "auto_reason": "", "return_date": None},
}


@pytest.mark.parametrize("name", sorted(SYNTHETIC))
def test_synthetic_sample_known_values(name):
    p = _local(name)
    for field, expected in SYNTHETIC[name].items():
        assert getattr(p, field) == expected, field


def test_ooo_without_permanent_phrases_is_not_permanent():
    for name in ("ooo-en", "ooo-de", "ooo-fr", "ooo-es", "ooo-year-rollover"):
        assert _local(name).permanent_absence is False, name


def test_today_decides_the_year_of_a_date_without_one():
    # "back on Monday 2 March", from a notice that arrives on 24 February 2026 ...
    assert _local("ooo-en").return_date == date(2026, 3, 2)
    # ... read a few days late it is still this year's (they are back already) ...
    assert _local("ooo-en", today=date(2026, 3, 5)).return_date == date(2026, 3, 2)
    # ... but weeks later it can only mean next year's.
    assert _local("ooo-en", today=date(2026, 4, 1)).return_date == date(2027, 3, 2)


def test_quoted_history_and_signature_are_stripped_from_a_reply():
    p = _local("human-quoted")
    assert p.text == (
        "Hi Alex,\n\nThanks — yes, we are still hiring for the data platform team. "
        "Could you send me pricing for 50 seats?\n\nBest,\nJamie"
    )
    for gone in ("wrote:", "VP Operations", "onboard new hires", ">"):
        assert gone not in p.text
    assert p.references == (
        "<177192450101.4711.d12s1@brightpath.example>",
        "<177243432001.4711.d12s2@brightpath.example>",
    )


def test_outlook_german_header_block_is_stripped():
    p = _local("human-outlook-de")
    assert p.text.startswith("Hallo Herr Rivera,")
    assert p.text.endswith("Viele Grüße\nKatrin Schmidt")
    assert "Gesendet" not in p.text and "Von:" not in p.text and "____" not in p.text


def test_french_attribution_and_mobile_signature_are_stripped():
    p = _local("human-fr-quoted")
    assert p.text == (
        "Bonjour Alex,\n\nMerci, mais ce n'est pas le bon moment pour nous. "
        "Recontactez-moi en septembre."
    )


def test_html_only_reply_becomes_text_without_quote_script_or_style():
    p = _local("human-html-only")
    assert p.kind == "human"
    assert p.from_addr == "morgan.lee@orbit-analytics.example"
    assert p.text == (
        "Hi Alex,\n\nInteresting & timely — can you do a call next Tuesday at 3pm?\n\nMorgan"
    )


def test_missing_message_id_gets_a_stable_synthetic_one():
    raw = (LOCAL / "human-no-message-id.eml").read_bytes()
    first, second = parse(raw), parse(raw)
    expected = f"<{hashlib.sha256(raw).hexdigest()[:32]}@twoloop.invalid>"
    assert first.message_id == second.message_id == expected
    assert parse(raw + b"\n").message_id != expected
    assert first.in_reply_to == "<177279840001.4711.d130s1@brightpath.example>"
    assert first.text == "Not interested, thanks. Please remove us from your list."


def test_mentioning_out_of_office_in_passing_stays_human():
    p = _local("human-mentions-ooo")
    assert p.kind == "human"
    assert "out of office last week" in p.text


def test_malformed_mime_parses_without_errors():
    p = _local("malformed-mime")
    assert p.kind == "human"
    assert p.message_id == "<broken.1@broken-mailer.example>"
    assert p.in_reply_to == "<177290000001.4711.d140s1@brightpath.example>"  # brackets added
    assert p.references == ("<a@x>", "<b@y>")  # de-duplicated
    assert p.from_addr == "weird@broken-mailer.example"
    assert p.subject.startswith("Re: ")
    assert p.date is None  # "Someday in March, around noon"


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"\x00\xff\xfe garbage without headers",
        b"Content-Type: multipart/report; report-type=delivery-status\n\n",
        b"Content-Type: multipart/report; report-type=feedback-report; boundary=x\n\n--x\n",
        b"From: MAILER-DAEMON@x.example\nSubject: Undelivered Mail Returned to Sender\n\n",
        b"Content-Type: text/html\n\n<p><b><i>unclosed <blockquote>quoted",
        b"Auto-Submitted: auto-replied\nSubject: =?utf-8?q?broken\n\nback on 31 February",
    ],
)
def test_hostile_input_never_raises(raw):
    _invariants(parse(raw))


def test_an_internal_error_degrades_to_a_human_message(monkeypatch):
    def boom(raw, today, our_domains):
        raise RuntimeError("bug")

    monkeypatch.setattr(mailparse, "_parse", boom)
    raw = b"Message-ID: <x@y.example>\nSubject: hi\n\nHello there"
    p = parse(raw)
    assert (p.kind, p.message_id, p.text) == ("human", "<x@y.example>", "Hello there")
    assert p.diagnostic.startswith("unparsable: RuntimeError")


def test_text_is_capped():
    raw = b"Message-ID: <big@x.example>\nSubject: Re: hi\n\n" + b"word " * 10_000
    assert len(parse(raw).text) == mailparse.MAX_TEXT


# --------------------------------------------------------------------------- building blocks


def _auto(body: str, *, subject: str = "Out of Office", sent: str = "") -> bytes:
    sent = sent or format_datetime(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    return (
        f"From: someone@customer.example\nTo: alex@brightpath.example\nSubject: {subject}\n"
        f"Date: {sent}\nMessage-ID: <auto@customer.example>\nAuto-Submitted: auto-replied\n"
        f"Content-Type: text/plain; charset=utf-8\n\n{body}\n"
    ).encode()


MON_2026_03_02 = date(2026, 3, 2)


@pytest.mark.parametrize(
    ("text", "today", "us", "expected"),
    [
        ("I'm back on Monday 3 March.", date(2025, 2, 20), False, date(2025, 3, 3)),
        ("I am returning 03/03/2026.", MON_2026_03_02, False, date(2026, 3, 3)),
        ("Ich bin bis 15.03.2026 nicht im Büro.", MON_2026_03_02, False, date(2026, 3, 15)),
        ("Ich bin bis zum 15. März nicht erreichbar.", MON_2026_03_02, False, date(2026, 3, 15)),
        ("Je suis absent jusqu'au 15 mars.", MON_2026_03_02, False, date(2026, 3, 15)),
        ("Je serai de retour le 4 mars.", MON_2026_03_02, False, date(2026, 3, 4)),
        ("Estaré fuera hasta el 10 de marzo.", MON_2026_03_02, False, date(2026, 3, 10)),
        ("Estaré de vuelta el lunes 9 de marzo de 2026.", MON_2026_03_02, False, date(2026, 3, 9)),
        ("Sono fuori ufficio fino al 9 marzo.", MON_2026_03_02, False, date(2026, 3, 9)),
        ("Ab dem 16.3. bin ich wieder im Büro.", MON_2026_03_02, False, date(2026, 3, 16)),
        ("Ich bin vom 2. bis 13. März im Urlaub.", MON_2026_03_02, False, date(2026, 3, 13)),
        ("Away from 2 to 13 March.", MON_2026_03_02, False, date(2026, 3, 13)),
        ("Out from 1 March, back on 9 March.", MON_2026_03_02, False, date(2026, 3, 9)),
        ("Returning March 10th, 2026.", MON_2026_03_02, False, date(2026, 3, 10)),
        ("I will return on 2026-03-10.", MON_2026_03_02, False, date(2026, 3, 10)),
        ("Back on Monday.", MON_2026_03_02, False, date(2026, 3, 9)),  # a Monday: next week's
        ("Back on Friday.", MON_2026_03_02, False, date(2026, 3, 6)),
        ("I'll be back tomorrow.", MON_2026_03_02, False, date(2026, 3, 3)),
        ("Out until 04/03/2026.", MON_2026_03_02, False, date(2026, 3, 4)),  # day/month
        ("Out until 04/03/2026.", MON_2026_03_02, True, date(2026, 4, 3)),  # month/day
        ("Out until 13/03/2026.", MON_2026_03_02, True, date(2026, 3, 13)),  # unambiguous
        ("Back on 5 January.", date(2025, 12, 22), False, date(2026, 1, 5)),  # next year
        ("Back on 28 February.", MON_2026_03_02, False, date(2026, 2, 28)),  # stale notice
        ("I was in Berlin on 3 March, call me.", MON_2026_03_02, False, None),  # no return word
        ("I am away with limited access to email.", MON_2026_03_02, False, None),
    ],
)
def test_return_date_phrasings(text, today, us, expected):
    assert return_date(text, today, us_dates=us) == expected


def test_return_date_in_a_parsed_auto_reply_uses_the_message_date_by_default():
    p = parse(_auto("Thanks! I'm out until Friday 6 March with no email."))
    assert (p.kind, p.return_date) == ("auto_reply", date(2026, 3, 6))


def test_a_date_in_the_quoted_original_is_not_a_return_date():
    body = "I'm away.\n\n-----Original Message-----\nSent: 2 March\nBack on 20 March, you said."
    assert parse(_auto(body)).return_date is None


@pytest.mark.parametrize(
    "body",
    [
        "Dana Smith is no longer with the company.",
        "Dana no longer works here. Please contact sales@customer.example.",
        "This mailbox is no longer monitored.",
        "Herr Becker ist nicht mehr bei uns tätig.",
        "Frau Weber hat das Unternehmen verlassen.",
        "Cette personne ne fait plus partie de nos effectifs.",
        "M. Dupont n'est plus en poste chez nous.",
        "La Sra. Gómez ya no trabaja en la empresa.",
    ],
)
def test_permanent_absence_phrases(body):
    assert parse(_auto(body, subject="Automatic reply: hi")).permanent_absence is True


@pytest.mark.parametrize(
    "body",
    [
        "I am out of the office until 9 March.",
        "Ich bin ab heute nicht mehr im Büro und ab dem 16.3. wieder da.",
        "I'm no longer checking email on weekends.",
    ],
)
def test_temporary_absence_is_not_permanent(body):
    assert parse(_auto(body)).permanent_absence is False


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ("Auto-Submitted: auto-generated\n", "Auto-Submitted: auto-generated"),
        ("X-Autoreply: yes\n", "X-Autoreply: yes"),
        ("X-Autorespond: Out of office\n", "X-Autorespond: Out of office"),
        ("X-Auto-Response-Suppress: OOF, AutoReply\n", "X-Auto-Response-Suppress: OOF, AutoReply"),
        ("Precedence: junk\n", "Precedence: junk"),
        ("Subject: Abwesenheitsnotiz: Hallo\n", "subject: Abwesenheitsnotiz"),
        ("Subject: Respuesta automática: Hola\n", "subject: Respuesta automática"),
        ("Subject: Fuori ufficio\n", "subject: Fuori ufficio"),
        ("Subject: Absence du bureau\n", "subject: Absence du bureau"),
        ("Subject: Auto: Dana is away\n", "subject: Auto:"),
    ],
)
def test_auto_reply_signals(headers, reason):
    raw = f"From: a@b.example\nMessage-ID: <m@b.example>\n{headers}\nHello".encode()
    p = parse(raw)
    assert (p.kind, p.auto_reason) == ("auto_reply", reason)


@pytest.mark.parametrize(
    "headers",
    [
        "Auto-Submitted: no\nSubject: Re: Out of office next week?\n",
        "X-Auto-Response-Suppress: All\nSubject: Re: pricing\n",
        "Precedence: list\nSubject: AW: Automatische Antwort\n",
    ],
)
def test_not_auto_replies(headers):
    raw = f"From: a@b.example\nMessage-ID: <m@b.example>\n{headers}\nHello".encode()
    assert parse(raw).kind == "human"


@pytest.mark.parametrize(
    ("line", "status"),
    [
        ("550 Recipient address rejected: User unknown", "5.1.1"),
        ("450 Recipient address rejected: Greylisted, come back later", "4.0.0"),
        ("552 Mailbox full", "4.2.2"),
        ("Host or domain name not found. Name service error", "5.1.2"),
        ("554 Transaction failed", "5.0.0"),
        ("421 Too many connections", "4.0.0"),
        ("Your message could not be delivered.", "5.0.0"),
    ],
)
def test_nonstandard_bounce_status_from_codes_and_phrases(line, status):
    raw = (
        "From: MAILER-DAEMON@mx.brightpath.example\nTo: alex@brightpath.example\n"
        "Subject: Returned mail: see transcript for details\nMessage-ID: <b@mx.example>\n\n"
        f"<dana@customer.example>:\n{line}\n"
    ).encode()
    p = parse(raw)
    assert (p.kind, p.bounce_status, p.original_recipient) == (
        "bounce",
        status,
        "dana@customer.example",
    )
    assert p.bounce_hard is (status[0] == "5")


def test_a_forwarded_bounce_from_a_person_is_human():
    raw = (
        b"From: Dana <dana@customer.example>\nSubject: Fwd: Undelivered Mail Returned to Sender\n"
        b"Message-ID: <fwd@customer.example>\n\nDid you get this?\n\n"
        b"> This is the mail system at host mx.customer.example.\n> User unknown\n"
    )
    assert parse(raw).kind == "human"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Sounds good.\n\n-----Original Message-----\nFrom: Alex\nSent: Monday\n\nHi",
            "Sounds good.",
        ),
        (
            "Yes please.\n\nFrom: Alex Rivera <alex@brightpath.example>\n"
            "Sent: Monday, March 2, 2026 9:12 AM\nTo: Dana\nSubject: hi\n\nHi Dana",
            "Yes please.",
        ),
        (
            "Merci.\n\nDe : Alex Rivera\nEnvoyé : lundi 2 mars 2026 09:12\nÀ : Claire\n\nBonjour",
            "Merci.",
        ),
        ("Top.\n\n-----Ursprüngliche Nachricht-----\nVon: Alex\n\nHallo", "Top."),
        ("Am 02.03.2026 um 09:12 schrieb Alex Rivera <a@b.example>:\n> Hallo", ""),
        ("On Mon, Alex wrote:\n> question?\n\nMy answer below.\n-- \nDana", "My answer below."),
        (
            "> quoted line\nmy inline answer\n> another\nsecond answer",
            "my inline answer\nsecond answer",
        ),
        ("Thanks!\n--\nDana Smith\nCFO", "Thanks!"),
        ("Thanks!\n\nSent from my iPhone", "Thanks!"),
    ],
)
def test_strip_quotes(text, expected):
    assert strip_quotes(text) == expected
