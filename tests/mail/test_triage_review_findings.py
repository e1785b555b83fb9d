"""Review findings on issue 17, both directions: a person's reply is not machine mail because
of one weak sign; requests to stop are read by phrase family, not by a stray word; a request to
stop that only the model reads suppresses nobody, and the reply target sees both readings."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from bot.decisions import Action, Request, decide
from bot.mail.inbound import replies
from bot.mail.inbound.parse import parse
from bot.mail.triage import routing
from bot.mail.triage.routing import MODEL_ONLY_STOP, combine, route
from bot.mail.triage.rules import RuleClassifier
from bot.mail.triage.vocabulary import Classification, should_suppress
from bot.review import sla
from bot.settings import load_settings
from storage.models import InboundMessage, Review, Sequence, Suppression
from storage.suppression import REPLY_HELD
from tests.mail.test_replies import reply_to
from tests.review.test_reply_sla import start

TODAY = date(2026, 3, 10)


def _mail(
    body: str,
    *,
    sender: str = "Bob Smith <bob@acme.example>",
    subject: str = "Re: Quick question",
    threaded: bool = True,
    headers: str = "",
    return_path: str = "<bob@acme.example>",
) -> bytes:
    thread = (
        "In-Reply-To: <out1@twoloop.example>\nReferences: <out1@twoloop.example>\n"
        if threaded
        else ""
    )
    return (
        f"From: {sender}\nTo: sam@twoloop.example\nSubject: {subject}\n"
        f"Message-ID: <r1@acme.example>\n{thread}Return-Path: {return_path}\n"
        "Date: Tue, 10 Mar 2026 10:00:00 +0000\n"
        f"{headers}Content-Type: text/plain; charset=utf-8\n\n{body}\n"
    ).encode()


def _kind(raw: bytes) -> str:
    return parse(raw, today=TODAY).kind


# --- 1. a person's reply is not machine mail --------------------------------------------------

PEOPLE = [
    ("Is this automated? If a real person reads this, yes, I'd love a demo", {}),
    ("Stop sending me this automated spam or I will report you.", {}),
    ("This automatic outreach is annoying, remove me from your list.", {}),
    ("I will report this to the FTC. This is automated garbage.", {}),
    (
        "Please don't reply to this email address, I'm leaving. Write to carl@acme.example, "
        "he is interested.",
        {},
    ),
    (
        "Yes, we are interested. Can we meet Tuesday?",
        {"sender": "Office Admin <office-admin@acme.example>"},
    ),
    (
        "Yes, we are interested. Can we meet Tuesday?",
        {"sender": '"Jane Doe, System Administrator" <jane@acme.example>'},
    ),
]


@pytest.mark.parametrize("threaded", [True, False], ids=["reply", "new-thread"])
@pytest.mark.parametrize(("body", "extra"), PEOPLE)
def test_a_persons_reply_is_human(body, extra, threaded):
    assert _kind(_mail(body, threaded=threaded, **extra)) == "human"


def test_one_weak_sign_does_not_override_a_reply_in_our_thread():
    # a no-reply sender or a notice-like sentence alone, on a reply to our message: a person
    assert _kind(_mail("Yes, interested.", sender="noreply@acme.example")) == "human"
    assert _kind(_mail("This is an automated message, right? Interested anyway.")) == "human"
    assert _kind(_mail("Interested.", return_path="<>")) == "human"


def test_a_hot_reply_that_mentions_automation_gets_a_card_and_is_not_parked(rt):
    ours, _ = start(rt)
    got = replies.ingest(
        rt,
        reply_to(ours, "Is this automated? If a real person reads this, yes, I'd love a demo"),
        "t",
    )
    assert (got.kind, got.route) == ("human", "review") and got.review_id is not None
    with rt.db.session() as s:
        seq = s.get_one(Sequence, ours.draft_id)
        assert s.get_one(Review, got.review_id).sla == "hot"
    assert seq.status == "stopped" and "out of office" not in seq.reason


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        # two independent signs on a reply in our thread
        (_mail("Thanks. This is an automated message.", sender="no-reply@help.example"),
         "no-reply sender"),
        # a departed person's mailbox: two statements about itself
        (_mail("Olivia is no longer with Acme. This mailbox is not monitored.\n\n"
               "This is an automated message."), "says it is automatic"),
        # a notice that says it is automatic, in out-of-office words
        (_mail("I'm on holiday until 20 March and will reply when I'm back.\n\n"
               "(This is an automated response.)"), "reads like an out-of-office"),
        # one sign is enough outside a thread (a ticket system's acknowledgement)
        (_mail("This is an automatically generated message. We will be in touch.",
               sender="service@firma.example", subject="[Ticket#1] Received", threaded=False),
         "says it is automatic"),
        # a list's role box with list headers, or writing a list notice
        (_mail("Yes, see below.", sender="team-admin@lists.example", threaded=False,
               headers="List-Id: <team.lists.example>\n"), "mailing-list manager"),
        (_mail("Your post awaits moderator approval.", sender="sales-request@lists.example",
               subject="Held message", threaded=False), "mailing-list manager"),
        # a subject the software wrote counts alone, as "Automatic reply:" does
        (_mail("Bin bis 16.3. nicht da.", subject="Automatische Antwort: Angebot"), "subject"),
    ],
)  # fmt: skip
def test_machine_mail_still_recognised(raw, reason):
    p = parse(raw, today=TODAY)
    assert p.kind == "auto_reply"
    assert reason in p.auto_reason


def test_standards_still_win_over_a_persons_wording():
    raw = _mail("Remove me from your list.", headers="Auto-Submitted: auto-replied\n")
    assert _kind(raw) == "auto_reply"


def test_automatic_by_weak_signs_only_but_asking_to_stop_is_a_persons_mail():
    """Decided: parking it would lose the request; as human mail, triage suppresses the sender
    and a person reads it."""
    raw = _mail(
        "This is an automated message. Stop emailing me and remove me from your list.",
        sender="no-reply@acme.example",
    )
    p = parse(raw, today=TODAY)
    assert p.kind == "human"
    c = routing.classify(p.text, p.subject, today=TODAY, stripped=True)
    assert should_suppress(c)


# --- 2. requests to stop, by phrase family ----------------------------------------------------


def _read(text: str) -> tuple[Classification, str]:
    c = routing.classify(text, "Re: Offer", today=TODAY)
    return c, route("human", c, sample=0.5)[0]


@pytest.mark.parametrize(
    "text",
    [
        "Interested. Today we report this manually in Excel, which takes days.",
        "If we get more budget next quarter, let's talk",
        "Could you send one more email with the legal terms?",
        "We sell anti-harassment training software to HR teams. Can we meet Tuesday?",
        "We need to be removed from our legacy vendor's lock-in. Interested",
        # the same families, other words
        "We report these numbers to the regulator by hand every quarter. Can you help?",
        "I'll forward this to our legal team to review the contract terms.",
        "If you send me the report, we will review it this week.",
        "If I get another quote from you this week, we can decide. Interested.",
    ],
)
def test_interested_prospects_are_not_suppressed(text):
    c, where = _read(text)
    assert not should_suppress(c), c.rationale
    assert where == "review"


@pytest.mark.parametrize(
    "text",
    [
        "Please stop, I am not interested!!",
        "Stop; we are not interested.",
        "Ne m'écrivez plus.",
        "Ne m’écrivez plus, merci.",
        "I'll be forwarding your emails to our abuse team",
        "Next time you email me I'm reporting it to the ICO",
        # the same families, other words
        "We will report you to the ICO.",
        "I'm forwarding this to our abuse desk.",
        "If I get one more email from you I'll report it as spam.",
        "If you contact me again I will block your domain and call my lawyer.",
        "Next email from you goes straight to our lawyers.",
        "I'd like to be removed.",
        "Please make sure I am removed from all of your mailing lists.",
        "You are harassing me.",
    ],
)
def test_requests_to_stop_are_suppressed(text):
    c, _ = _read(text)
    assert should_suppress(c), c.rationale


def test_a_stop_with_a_comma_reaches_a_person_and_is_not_closed():
    c, where = _read("Please stop, I am not interested!!")
    assert c.intent == "unsubscribe" and where == "review"


# --- 3. a model-only request to stop ----------------------------------------------------------

HOURS = sla.targets(load_settings(_env_file=None))
MODEL_STOP = Classification(
    "unsubscribe", 0.99, (), also_unsubscribe=True, rationale="asks to stop", provider="openai:m"
)


def _rules(text: str) -> Classification:
    return RuleClassifier().classify(text, "Re: Offer", today=TODAY)


def test_a_model_only_stop_does_not_suppress_and_stays_hot():
    r = _rules("Sounds good, can we talk on Thursday?")
    assert r.intent == "meeting_request" and not should_suppress(r)
    c = combine(r, MODEL_STOP)
    assert not should_suppress(c)
    assert c.intent == "meeting_request" and c.model_only_stop
    assert c.intents == ("meeting_request", "unsubscribe")
    assert route("human", c, sample=0.99) == ("review", MODEL_ONLY_STOP)
    assert sla.classify(c.intent, c.triggers, HOURS, c.intents) == "hot"


def test_a_model_only_stop_besides_another_intent_does_not_suppress():
    r = _rules("Interesting, tell me more.")
    model = Classification("interested", 0.99, (), also_unsubscribe=True, provider="openai:m")
    c = combine(r, model)
    assert not should_suppress(c) and c.model_only_stop
    assert route("human", c, sample=0.99)[0] == "review"


def test_a_stop_the_rules_read_is_kept_whatever_the_model_says():
    r = _rules("Please remove me from your list.")
    assert should_suppress(r)
    c = combine(r, Classification("interested", 0.99, (), provider="openai:m"))
    assert should_suppress(c) and not c.model_only_stop
    both = combine(r, MODEL_STOP)
    assert should_suppress(both) and not both.model_only_stop


def test_a_model_only_stop_with_a_trigger_names_both_reasons():
    r = _rules("Sounds good. What does it cost per seat?")
    where, why = route("human", combine(r, MODEL_STOP), sample=0.99)
    assert where == "review" and why.startswith("escalation: pricing") and MODEL_ONLY_STOP in why


def test_the_reply_target_takes_the_most_urgent_reading():
    assert sla.classify("other", (), HOURS, ("other", "interested")) == "hot"
    assert sla.classify("not_interested", (), HOURS, ("not_interested", "meeting_request")) == "hot"
    assert sla.classify("question", ("pricing",), HOURS, ("question", "not_now")) == "escalation"
    assert sla.classify("other", (), HOURS, ()) == "other"


class _SaysStop:
    """A model that reads every reply as a request to stop."""

    def classify(self, text, subject="", *, today, stripped=False):
        return MODEL_STOP


def test_model_only_stop_end_to_end_a_person_decides(rt):
    ours, _ = start(rt)
    rt.reply_model = _SaysStop()
    got = replies.ingest(rt, reply_to(ours, "Sounds good, can we talk on Thursday?"), "t")
    assert got.route == "review" and got.review_id is not None
    with rt.db.session() as s:
        row = s.get_one(InboundMessage, got.inbound_id)
        review = s.get_one(Review, got.review_id)
        # Not suppressed on the model's word alone; held, as every reply awaiting a person.
        [held] = s.exec(select(Suppression)).all()
        assert (held.value, held.reason) == (ours.to_addr, REPLY_HELD)
    assert row.intent == "meeting_request" and row.detail["route_reason"] == MODEL_ONLY_STOP
    assert row.detail["intents"] == ["meeting_request", "unsubscribe"]
    assert review.sla == "hot"
    # The owner agrees with the model: Reclassify suppresses.
    done = decide(
        rt, Request(review.id, review.owner, Action.RECLASSIFY, reason_code="unsubscribe")
    )
    assert done.status == "decided"
    with rt.db.session() as s:
        assert s.get_one(Suppression, ours.to_addr).reason == "unsubscribe (reclassified)"
