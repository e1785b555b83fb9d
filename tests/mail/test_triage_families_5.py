"""Issue 17, fifth blind set: the families its misses belonged to, each in wordings written
here (none is a blind-set sentence), in the languages the family exists in; for each family
the same words in another sense, which must not suppress anyone; and machine mail built in
the test with email.message.EmailMessage."""

from __future__ import annotations

import json
from datetime import date
from email.message import EmailMessage

import pytest

from bot.mail.inbound.parse import parse
from bot.mail.triage.rules import RuleClassifier
from bot.mail.triage.vocabulary import should_suppress

TODAY = date(2026, 3, 10)
RULES = RuleClassifier()


def _classify(text: str):
    return RULES.classify(text, "Re: a quick question", today=TODAY)


def _suppressed(text: str) -> bool:
    return should_suppress(_classify(text))


STOPS = {
    # the address the writer writes from, or "here"
    "this address": [
        "Kindly forget this address.",
        "Scrub this email address from your database.",
        "Get this address off your mailing list please.",
        "Never email here again.",
    ],
    # a purpose or hope of not hearing again
    "so I never hear again": [
        "Fix your list so that we never hear from you again.",
        "Do whatever it takes so I don't get these anymore.",
    ],
    # a wish not to receive
    "rather not receive": [
        "We'd prefer not to receive your newsletters.",
        "I would rather not get any more of them.",
        "Not interested in receiving these.",
        "No more of your pitches, thanks.",
    ],
    # removal in the passive
    "passive removal": [
        "I'd like being removed from upcoming campaigns.",
        "Can we get taken off the distribution list?",
        "I do not wish to be contacted again.",
    ],
    # ceasing with no object
    "cease": ["Discontinue, please.", "Cease immediately.", "Please refrain from further emails."],
    # a subscription or consent withdrawn
    "withdrawn": [
        "End my subscription to your newsletter.",
        "We hereby withdraw our consent.",
        "Hiermit widerrufe ich meine Einwilligung.",
        "Je retire mon consentement.",
        "Revoco il mio consenso.",
    ],
    # out, muted
    "out": ["We want out of your mailing list.", "Mute us for good."],
    # a stop asked for before
    "asked before": [
        "I have asked you three times to remove me.",
        "We already requested to be unsubscribed.",
        "Wir haben bereits um Abmeldung gebeten.",
        "Ya hemos pedido la baja dos veces.",
        "Ho già chiesto la cancellazione.",
        "Ik heb al twee keer gevraagd om uitschrijving.",
    ],
    # de / fr / es / pt / nl / da: the same intents in their own constructions
    "other languages": [
        "Bitte sehen Sie künftig davon ab, uns zu kontaktieren.",
        "Ich verbitte mir weitere Zusendungen.",
        "Halte aux sollicitations !",
        "Vergessen Sie meine E-Mail-Adresse.",
        "Olviden mi correo, gracias.",
        "Nos damos de baja de su boletín.",
        "Removam o meu e-mail da lista, obrigado.",
        "We willen niet langer benaderd worden.",
        "La være å sende meg e-post.",
    ],
    # fi / cs / ru / pl, which earlier rounds did not cover
    "fi cs ru pl": [
        "Älä lähetä minulle mitään.",
        "Poistakaa osoitteeni listalta.",
        "Emme halua enää uutiskirjeitänne.",
        "Přestaňte nám psát.",
        "Vymažte můj e-mail, děkuji.",
        "Нам больше не пишите.",
        "Отпишите меня, пожалуйста.",
        "Nie życzymy sobie kolejnych ofert.",
    ],
}

KEEPS = {
    # "this address" and "here" about something else
    "this address, other sense": [
        "Please delete this address from the invoice and use our PO box.",
        "Don't email here about invoices, use billing.",
    ],
    # not receiving something that is not our mail
    "rather not receive, other sense": [
        "I'd rather not receive a paper invoice.",
        "I don't want to be contacted by phone, email is best.",
    ],
    # stopping or halting something else
    "cease, other sense": [
        "Halt! The contract needs another look first.",
        "Please discontinue the old SKU in the quote.",
    ],
    # subscriptions and consent that are not about our mail
    "subscription, other sense": [
        "How do we cancel the subscription for the trial seats?",
        "Our users can withdraw consent in the app, is that enough for GDPR?",
    ],
    # someone else's past request, a mistaken report, no need to remove
    "someone else or no stop": [
        "Our CFO asked to be removed from your list, but I'm the buyer. Keep me posted.",
        "I flagged your email as spam by accident, sorry. Can you resend the deck?",
        "No need to take me off anything, just busy. Talk in May.",
        "Opt-out rates on our campaigns doubled; can your tool help?",
        "We'd like to opt out of our current provider's renewal. Can you help us switch?",
    ],
    # the same verbs in other languages about other objects
    "other languages, other sense": [
        "Poistakaa yhteyshenkilö Matti tilauksesta, hän lopetti.",
        "Odstraňte prosím tu chybu ve smlouvě.",
        "Quiero la baja del contrato actual para cambiarme a ustedes.",
        "Wir sind schon abgemeldet beim alten Anbieter? Nein, noch nicht, bitte Angebot schicken.",
    ],
}


@pytest.mark.parametrize("text", [t for texts in STOPS.values() for t in texts])
def test_requests_to_stop_are_suppressed(text):
    assert _suppressed(text)


@pytest.mark.parametrize("text", [t for texts in KEEPS.values() for t in texts])
def test_same_words_in_another_sense_are_not_suppressed(text):
    assert not _suppressed(text)


def test_a_bare_cease_above_a_quoted_outlook_thread_is_a_stop():
    text = (
        "Discontinue please.\n\n-----Original Message-----\nFrom: Sam\nSubject: Following up\n\n"
        "Just checking in on my last note."
    )
    assert _suppressed(text)


def test_a_long_hostile_reply_is_read_without_catastrophic_backtracking():
    for text in (
        "so i don't " * 2000 + "hear",
        "i have asked " + "already " * 3000 + "you",
        "sehen sie " * 2000 + "ab",
        "no more of " * 3000,
        "please " * 4000 + "discontinue",
    ):
        _classify(text)


# --- machine mail ----------------------------------------------------------------------


def _msg(headers: dict[str, str], body: str) -> EmailMessage:
    m = EmailMessage()
    for name, value in {"Date": "Tue, 3 Mar 2026 10:00:00 +0000", **headers}.items():
        m[name] = value
    m.set_content(body)
    return m


OURS = {"To": "ops@sender.example", "Message-ID": "<n.1@relay.example>"}


@pytest.mark.parametrize(
    ("sender", "event"),
    [
        ("hooks@sender.example", {"event": "dropped", "email": "kim@them.example"}),
        (
            "Postmark relay <ops@sender.example>",
            {"RecordType": "Bounce", "Email": "kim@them.example", "Status": "5.2.2"},
        ),
        ("noreply@sender.example", [{"type": "hard_bounce", "email": "kim@them.example"}]),
    ],
)
def test_an_esp_bounce_event_relayed_as_mail_is_a_bounce(sender, event):
    raw = _msg({"From": sender, "Subject": "Fwd: webhook", **OURS}, json.dumps(event))
    p = parse(raw.as_bytes(), today=TODAY)
    assert (p.kind, p.original_recipient) == ("bounce", "kim@them.example")
    assert p.bounce_status


def test_a_person_pasting_a_bounce_event_is_not_a_bounce():
    event = {"event": "bounce", "email": "kim@them.example", "status": "5.1.1"}
    raw = _msg({"From": "lena@customer.example", "Subject": "Re: our webhooks"}, json.dumps(event))
    assert parse(raw.as_bytes(), today=TODAY).kind == "human"


def test_a_spam_reporting_services_report_is_a_complaint_that_guesses_nobody():
    body = (
        "Email from 203.0.113.9 / Mon, 2 Mar 2026\n\n[ Offending message ]\n"
        "From: Sam <sam@sender.example>\nTo: x\nSubject: Hello\n\nHi there"
    )
    raw = _msg({"From": "1234@reports.spamcop.net", "Subject": "[SpamCop (id:1234)] Hello"}, body)
    p = parse(raw.as_bytes(), today=TODAY)
    assert (p.kind, p.original_recipient) == ("complaint", "")


@pytest.mark.parametrize(
    ("subject", "body"),
    [
        ("sales-talk Digest, Vol 14, Issue 2", "Today's Topics:\n 1. Pricing pages"),
        ("[buyers] Weekly digest", "You are receiving this digest because you joined."),
        ("Abridged summary of buyers@groups.example - 4 updates", "Topics in this summary"),
    ],
)
def test_a_list_digest_is_machine_mail(subject, body):
    headers = {
        "From": "buyers@groups.example",
        "Subject": subject,
        "List-Id": "<buyers.groups.example>",
        "To": "buyers@groups.example",
    }
    assert parse(_msg(headers, body).as_bytes(), today=TODAY).kind == "auto_reply"


def test_a_persons_post_through_a_list_is_still_human():
    headers = {
        "From": "Ines <ines@them.example>",
        "Subject": "Re: digest of vendor options",
        "List-Id": "<buyers.groups.example>",
        "In-Reply-To": "<a.1@groups.example>",
    }
    body = "Sam, can you send me a quote for 30 seats? We read the digest of options you sent."
    assert parse(_msg(headers, body).as_bytes(), today=TODAY).kind == "human"


@pytest.mark.parametrize(
    "sender",
    [
        "events@acme.example",
        "feedback@acme.example",
        "ana@sendgrid.com",
        '"Ana (Mailchimp)" <ana@gmail.example>',
    ],
)
@pytest.mark.parametrize("kind", ["bounce", "complaint"])
def test_a_reply_in_our_thread_that_quotes_an_esp_event_is_a_person(sender, kind):
    """A relay never replies to our mail: a person who does, pasting what their webhook got,
    is not read as a bounce or complaint (which would suppress them and hide the reply)."""
    event = {"event": kind, "email": "dana@acme.example", "status": "5.1.1"}
    body = f"This is what our webhook gets:\n{json.dumps(event)}\nHappy to talk Thursday."
    headers = {"From": sender, "Subject": "Re: deliverability", "In-Reply-To": "<o.1@us.example>"}
    assert parse(_msg(headers, body).as_bytes(), today=TODAY).kind == "human"
    # Marked Auto-Submitted, the same mail is software's.
    auto = _msg({**headers, "Auto-Submitted": "auto-generated"}, body)
    assert parse(auto.as_bytes(), today=TODAY).kind == kind
