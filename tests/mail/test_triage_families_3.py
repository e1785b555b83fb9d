"""Issue 17, third blind set: the families its misses belonged to, each in wordings written
here (none is a blind-set sentence), in the languages the family exists in, with replies that
use the same words in another sense and must not suppress. Machine mail is built in the test
with email.message.EmailMessage."""

from __future__ import annotations

import json
from datetime import date
from email.message import EmailMessage

import pytest

from bot.mail.inbound.parse import parse
from bot.mail.triage.routing import route
from bot.mail.triage.rules import RuleClassifier
from bot.mail.triage.vocabulary import should_suppress

TODAY = date(2026, 3, 10)
RULES = RuleClassifier()


def _suppressed(text: str) -> bool:
    return should_suppress(RULES.classify(text, "Re: a quick question", today=TODAY))


def _reaches_person(text: str) -> bool:
    c = RULES.classify(text, "Re: a quick question", today=TODAY)
    return route("human", c, sample=0.5)[0] == "review"


STOPS = {
    # a reply that is nothing but a stop word, in any covered language
    "bare token": [
        "Stopp!",
        "Abmelden, danke",
        "Baja, gracias.",
        "Cancelar suscripción por favor",
        "Désinscription svp",
        "Cancellami grazie",
        "Descadastrar, obrigado",
        "Afmelden graag",
        "Avregistrera mig, tack",
        "Afmeld mig venligst",
        "Wypisz mnie, dziękuję",
    ],
    # our mail called spam / junk / phishing / harassment
    "spam verdict": [
        "Your messages are pure spam.",
        "This is unsolicited marketing and I did not ask for it.",
        "Das ist doch Spam.",
        "C'est clairement du spam.",
        "Esto es puro spam.",
        "Questo è spam.",
        "Isso é spam.",
        "Dit is gewoon spam.",
        "To jest spam.",
        "Det här är spam.",
    ],
    # the writer blocked, reported or marked our mail, or will
    "blocked or reported": [
        "Your sender address has been blocked on our mail server.",
        "We've blacklisted your company's domain.",
        "I'm flagging everything you send as phishing from now on.",
        "Just reported your last three mails as junk.",
        "Ich habe Ihre Domain blockiert.",
        "Ich werde das als Spam melden.",
        "J'ai signalé votre message comme spam.",
        "He marcado sus correos como spam.",
        "Ho segnalato la vostra mail come spam.",
        "Ik heb uw domein geblokkeerd.",
        "Any future message from you will go straight to junk.",
        "We have set up a rule that deletes anything from your domain.",
    ],
    # asked in a modal, a wish, a passive or a question
    "modal or passive": [
        "Would you please not write to me again.",
        "I'd prefer you didn't contact us.",
        "Make sure this address is never emailed again.",
        "We would like to be removed from your database.",
        "I'd like to be left alone, thanks.",
        "We don't want any more of these.",
        "Pourriez-vous cesser de nous relancer ?",
        "Kannst du aufhören, mich anzuschreiben?",
    ],
    # the imperative of a verb of contacting, negated, in every person
    "negated imperative": [
        "Bitte rufen Sie mich nicht mehr an und schreiben Sie mir nie wieder.",
        "Schick mir keine Mails mehr.",
        "No nos mandéis más correos.",
        "Deja de escribirnos, por favor.",
        "Non mandatemi più niente.",
        "Não me enviem mais nada.",
        "Stuur me niet meer zulke mails.",
    ],
    # sv / da / no / pl basics
    "nordic and polish": [
        "Sluta mejla oss.",
        "Ta bort min adress från era listor.",
        "Hold op med at kontakte os.",
        "Fjern min adresse fra jeres system.",
        "Slutt å sende meg e-post.",
        "Proszę usunąć moje dane z waszej bazy.",
        "Nie wysyłajcie mi już nic więcej.",
        "Przestańcie do nas pisać.",
    ],
    # placement: after a greeting, in a P.S., above a quoted copy of our mail
    "placement": [
        "Hi Sam,\n\nwe are not a fit. Sluta mejla mig.\n\nBest, Jo",
        "Thanks,\nJo\n\nP.S. this is spam, please stop.",
        "Das ist doch Spam.\n\nAm 02.03.2026 schrieb Alex <a@x.example>:\n> Hallo",
    ],
    # a colleague's removal (the writer is suppressed: suppression is per sender)
    "third person": [
        "Please remove my colleague Dana Ruiz from your mailing list, she has left.",
        "Dana left us last year, please delete her from your database.",
        "Remove Piotr Nowak from your mailing list, he retired.",
        "Kindly take my former manager off your lists.",
    ],
}

KEEPS = [
    # spam as a topic, a filter, a folder, a vendor's problem
    "Your email went to my spam folder, glad I found it. Call on Tuesday?",
    "Is this spam or a real offer? What does your tool do?",
    "We keep getting spam from our vendors - can your product filter it?",
    "Das ist im Spam-Ordner gelandet, schicken Sie mir bitte die Preise.",
    # counterfactuals: what nearly happened
    "I almost reported this as spam, but we need exactly this. Pricing?",
    "I was going to unsubscribe, but the webinar looks useful. When is it?",
    "Ich hätte fast als Spam gemeldet, aber das Thema passt. Was kostet es?",
    # blocking something else
    "I blocked out Thursday morning for our call.",
    "Our firewall blocked the link in your mail, can you resend the deck?",
    "Your domain is blocked by our firewall, can you send the deck from another address?",
    # not wanting to stop
    "I don't want to unsubscribe, just fewer emails. Monthly would be fine.",
    "Wir möchten nicht abbestellen, sondern mehr Lizenzen. Preis?",
    "No queremos darnos de baja, queremos el plan anual. ¿Precio?",
    # the word used as the writer's own feature
    "The unsubscribe buttons on our landing pages are broken. Can your tool fix that?",
    "How does opt-out syncing work with HubSpot?",
    "Notre outil actuel ne gère pas les désabonnements. Le vôtre le fait ?",
    # removal from a thread is not a stop
    "Please remove Tom from the thread, I'll handle this. Call Monday?",
    "We need to be removed from our legacy vendor's contract. Interested.",
]


@pytest.mark.parametrize(
    "text",
    [pytest.param(t, id=f"{family}-{i}") for family, ts in STOPS.items() for i, t in enumerate(ts)],
)
def test_requests_to_stop_are_suppressed(text):
    assert _suppressed(text), text


@pytest.mark.parametrize("text", KEEPS)
def test_same_words_in_another_sense_are_not_suppressed(text):
    assert not _suppressed(text), text
    assert _reaches_person(text), text


@pytest.mark.parametrize("text", STOPS["third person"])
def test_a_colleagues_removal_reaches_a_person(text):
    """Suppression is per sender: the writer is suppressed, and a person removes the
    colleague, so the reply must reach one."""
    assert _reaches_person(text)


# --------------------------------------------------------------------------- machine mail


def _msg(headers: dict[str, str], body: str) -> bytes:
    m = EmailMessage()
    for name, value in {"Date": "Tue, 3 Mar 2026 10:00:00 +0000", **headers}.items():
        m[name] = value
    m.set_content(body)
    return m.as_bytes()


OURS = {"To": "sam@sender.example", "Message-ID": "<reply.1@them.example>"}
THREADED = {**OURS, "In-Reply-To": "<ours.1@sender.example>"}


@pytest.mark.parametrize(
    ("sender", "subject", "body", "complainant"),
    [
        (
            "abuse@hoster.example",
            "Abuse report #5512 for 203.0.113.9",
            "Hello,\n\nwe received a complaint about unsolicited email sent from your IP.\n"
            "Please stop.\n\nReported message:\n> From: Sam <sam@sender.example>\n"
            "> To: lena@customer.example\n> Subject: Hello\n",
            "lena@customer.example",
        ),
        (
            "noc@isp.example",
            "Plainte pour spam - dossier 88",
            "Bonjour,\n\nnous avons reçu une plainte pour courrier non sollicité.\n\n"
            "From: sam@sender.example\nTo: marc@client.example\nSubject: Bonjour\n",
            "marc@client.example",
        ),
        (
            "Abuse Desk <desk@provider.example>",
            "Ticket 1234",
            "Dear customer, a recipient complained about spam from your account.\n\n"
            "From: sam@sender.example\nTo: <ana@cliente.example>\n",
            "ana@cliente.example",
        ),
        (
            "missbrauch@hoster.example",
            "[Ticket#77] Spam-Beschwerde",
            "Wir haben eine Beschwerde über unerwünschte Werbung erhalten.\n\n"
            "> From: sam@sender.example\n> To: jonas@kunde.example\n",
            "jonas@kunde.example",
        ),
    ],
)
def test_an_abuse_desks_ticket_is_a_complaint_about_the_quoted_recipient(
    sender, subject, body, complainant
):
    p = parse(_msg({"From": sender, "Subject": subject, **OURS}, body))
    assert (p.kind, p.original_recipient) == ("complaint", complainant)


@pytest.mark.parametrize(
    "event",
    [
        {"event-data": {"event": "complained", "recipient": "kim@them.example"}},
        [{"email": "kim@them.example", "event": "spamreport"}],
        {"RecordType": "SpamComplaint", "Email": "kim@them.example"},
        {"msys": {"message_event": {"type": "spam_complaint", "rcpt_to": "kim@them.example"}}},
    ],
)
def test_an_esp_complaint_event_relayed_as_mail_is_a_complaint(event):
    raw = _msg(
        {"From": "alerts@ops.sender.example", "Subject": "webhook", **OURS},
        "Forwarded event:\n" + json.dumps(event, indent=2),
    )
    p = parse(raw)
    assert (p.kind, p.original_recipient) == ("complaint", "kim@them.example")


@pytest.mark.parametrize(
    ("sender", "subject", "body"),
    [
        # a person at an abuse mailbox asking something, quoting nothing
        ("abuse@hoster.example", "Question", "Hi, could you tell me about your pricing?"),
        # a person who mentions a spam complaint but is no abuse desk
        ("lena@customer.example", "Re: Hello", "Our users complained about spam. Can you help?"),
        # a webhook that is a delivery, not a complaint
        (
            "alerts@ops.sender.example",
            "webhook",
            '{"event": "delivered", "recipient": "a@b.example"}',
        ),
    ],
)
def test_mail_about_complaints_is_not_a_complaint(sender, subject, body):
    assert parse(_msg({"From": sender, "Subject": subject, **OURS}, body)).kind != "complaint"


@pytest.mark.parametrize(
    ("subject", "body"),
    [
        (
            "退信通知：Hello",
            "您好，\n\n您发送的邮件被退回了。\n收件人：li@them.example\n退信原因：收件人地址不存在",
        ),
        ("Nedoručitelná zpráva: Hello", "Zprávu nelze doručit na adresu li@them.example."),
        (
            "Niedostarczona wiadomość: Hello",
            "Wiadomość nie została dostarczona do li@them.example.",
        ),
        ("Недоставленное сообщение", "Сообщение не может быть доставлено: li@them.example"),
    ],
)
def test_bounces_in_more_languages(subject, body):
    p = parse(_msg({"From": "system@notice.them.example", "Subject": subject, **OURS}, body))
    assert (p.kind, p.original_recipient) == ("bounce", "li@them.example")


@pytest.mark.parametrize(
    "subject",
    [
        "Nepřítomnost: Hello",
        "Automatyczna odpowiedź: Hello",
        "Frånvaro: Hello",
        "Automatisk svar: Hello",
        "Automaattinen vastaus: Hello",
    ],
)
def test_out_of_office_subjects_in_more_languages(subject):
    raw = _msg({"From": "p@them.example", "Subject": subject, **THREADED}, "Jsem pryč.")
    assert parse(raw).kind == "auto_reply"


@pytest.mark.parametrize(
    ("headers", "body"),
    [
        # a notice that signs itself as automatic, with Exchange's do-not-answer header
        (
            {"X-Auto-Response-Suppress": "All"},
            "We got your note and will answer within two days.\n\n- The Sales Desk (auto-reply)",
        ),
        # an out-of-office by its parts, no header at all, with a "Re:" subject
        (
            {},
            "Thank you for your message. I am away on sabbatical until September and will not"
            " be reading email. For anything urgent please contact ops@them.example.",
        ),
    ],
)
def test_threaded_automatic_replies_without_rfc3834_headers(headers, body):
    raw = _msg({"From": "p@them.example", "Subject": "Re: Hello", **THREADED, **headers}, body)
    assert parse(raw).kind == "auto_reply"


@pytest.mark.parametrize(
    ("headers", "body"),
    [
        # a CRM puts Precedence: bulk on a person's reply
        ({"Precedence": "bulk", "X-Mailer": "Some CRM"}, "Good timing. Wednesday 3pm works?"),
        # a person away, who still answers
        ({}, "I'm away until Friday and won't be checking email, but yes, interested. Call?"),
        # Exchange's header alone, on a person's reply
        ({"X-Auto-Response-Suppress": "All"}, "Thanks, send the deck please."),
    ],
)
def test_people_replying_stay_human(headers, body):
    raw = _msg({"From": "p@them.example", "Subject": "Re: Hello", **THREADED, **headers}, body)
    assert parse(raw).kind == "human"
