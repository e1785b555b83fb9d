"""Issue 17, tenth blind set: the families its misses belonged to, each in wordings written
here (none is a blind-set sentence), in the languages the family exists in; for each family
the same words in another sense, which must not suppress anyone; and the machine mail it
missed, by format (an ESP's spam event relayed as mail, an out-of-office in Galician and
Catalan without any auto-reply header)."""

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


def _suppressed(text: str) -> bool:
    return should_suppress(RULES.classify(text, "Re: a quick question", today=TODAY))


STOPS = {
    # an end verb with our run of mail as its object
    "ending our run of mail": [
        "Please call off the follow-ups, we're set.",
        "Kindly wind down the sequence for this address.",
        "Time to pull the plug on these emails.",
        "Could you kill the remaining follow-ups?",
        "Shelve the outreach, please.",
    ],
    # keeping away from the writer's inbox, said to us
    "away from my inbox": [
        "Please stay out of my inbox.",
        "Kindly keep away from my mailbox from now on.",
        "Just steer clear of my inbox, thanks.",
        "Leave my inbox alone.",
    ],
    # "drop me" said alone
    "drop me": [
        "Honestly, just drop me.",
        "Please drop me, thanks.",
        "Not a fit; ditch me.",
    ],
    # no mail of a kind "here", a private or family address
    "not here": [
        "Don't send work emails here, this is my personal inbox.",
        "Please do not send marketing mail to this address.",
        "This is a private family inbox, not for business.",
        "Never send newsletters to my personal address.",
    ],
    # no further one, said as "make sure there isn't another"
    "not another": [
        "Please make sure there isn't another one.",
        "Ensure there won't be a follow-up.",
    ],
    # joining a list of people who do not want our mail
    "join the no-contact list": [
        "Add me to the list of people who don't want your emails.",
        "You must have a list of folks who'd rather not hear from you. Put me on it.",
        "Is there a do-not-contact list? I want to be on it.",
    ],
    # a third person's wish, said on their behalf
    "on somebody's behalf": [
        "Frau Meyer wünscht keinen Kontakt per E-Mail.",
        "Mi socio no desea recibir comunicaciones comerciales.",
        "Mon associé ne souhaite pas recevoir vos e-mails.",
        "La titolare non vuole essere contattata.",
        "Mijn collega wil geen mails ontvangen.",
        "Il direttore non vuole ricevere ulteriori offerte commerciali.",
    ],
    # a third person's address out of our systems (the writer is suppressed, a person reads it)
    "a colleague's address removed": [
        "Scrub their details from your systems, they left.",
        "Schrap haar gegevens uit jullie administratie.",
        "Entfernen Sie dessen Daten aus Ihrem System.",
        "Retirez leur adresse de votre système, svp.",
    ],
    # de: out of the mailing; es/it: "do not write again"
    "out of the mailing, not again": [
        "Könnten Sie uns aus dem Versand nehmen?",
        "Nehmen Sie mich doch aus Ihrem Versand.",
        "Les ruego que no vuelvan a contactarnos.",
        "No vuelvas a escribirme, por favor.",
        "Vi chiedo di non tornare a contattarmi.",
    ],
    # what the clause splitter parts: future versions, no new ones, the thread ended, "no"
    # to every step
    "said across a sentence": [
        "I'll pass on this, and on any future iteration of it.",
        "No to this, and no to any future rounds.",
        "Close this thread, and make sure no new ones are started.",
        "If this thread could end here, with no new ones started, I'd be grateful.",
        "I'd really prefer that this conversation ended here.",
        "Please let this thread end here.",
        "Consider this my reply to every follow-up: no.",
        "My answer to all of your emails is no thanks.",
    ],
    # a pronoun of stopping whose antecedent is our run of mail
    "end it, the run of mail before": [
        "This looks like a drip campaign. Please end it.",
        "If a bot is sending these, switch it off.",
        "Whatever cadence this is, I want to exit it.",
        "How many more of your follow-ups are queued? Cancel them all.",
    ],
}

KEEPS = {
    "ending, other sense": [
        "Please cancel the follow-up call on Friday.",
        "Can we kill the newsletter to our customers and run it through you?",
        "We had to shelve our sequences last quarter; can yours do A/B tests?",
    ],
    "inbox, other sense": [
        "I'll stay away from my inbox over the holidays, so expect a slow reply.",
        "Can you keep the invoices out of my inbox and send them to accounts@?",
    ],
    "drop me, other sense": [
        "Drop me a line next week.",
        "Could you drop me at the station after the demo?",
    ],
    "here, other sense": [
        "Please don't send the contract here, legal uses DocuSign.",
        "This is a shared inbox, so please address the quote to Dana.",
    ],
    "not another, other sense": [
        "Please make sure there isn't another outage before the launch.",
    ],
    "list, other sense": [
        "I'd like to join the list of beta testers.",
        "Add me to the list of people who get the release notes.",
    ],
    "on behalf, other sense": [
        "Er möchte keinen Kontakt per Telefon, lieber per E-Mail.",
        "Mi jefe no quiere recibir la factura en papel.",
    ],
    "colleague, other sense": [
        "Please remove her address from the invoice header.",
        "Verwijder haar naam uit de presentatie.",
    ],
    "again, other sense": [
        "No vuelvan a enviarme la factura en PDF, mejor en papel.",
    ],
    "across a sentence, other sense": [
        "We'll pass on this version, but any future version with SSO we'd buy.",
        "Let's end this thread here and jump on a call.",
        "My answer to every question in your survey is no.",
    ],
    "pronoun, other sense": [
        "The sequence booked a demo for Tuesday; please cancel it.",
        "We run our own nurture sequence and want to exit it in Q3 for yours.",
    ],
}


@pytest.mark.parametrize("text", [t for texts in STOPS.values() for t in texts])
def test_requests_to_stop_are_suppressed(text):
    assert _suppressed(text)


@pytest.mark.parametrize("text", [t for texts in KEEPS.values() for t in texts])
def test_same_words_in_another_sense_are_not_suppressed(text):
    assert not _suppressed(text)


# --- the stop word about something else: each veto has a near miss that still stops --------
NOT_OUR_MAIL = {
    "a part of the writer's record corrected": [
        "Please remove the middle initial from my name in your system; the demo is still on.",
        "Could you drop the 'Jr.' from my name? Otherwise, let's talk Monday.",
        "Kindly delete the 'Mrs' from my profile in your CRM, and yes, book Tuesday.",
    ],
    "a request disclaimed": [
        "I'm not here to ask you to take me off your list; what does the team plan cost?",
        "I won't ask you to unsubscribe me; I just need the pricing.",
    ],
    "stop as wait": [
        "Stop, before you book the room: we need a bigger one.",
        "Hey, stop, before you send the slides: use the new logo.",
    ],
    "unsubscribes in the writer's own mailing": [
        "Unsubscribe requests from our own list doubled this year; can your sequences help?",
        "We see a lot of 'unsubscribe' clicks on our own weekly digest. Can your tool lower that?",
        "Opt-out is the top-clicked button in our newsletter. Ideas?",
    ],
    "a third party's quoted stop": [
        "Ignore my assistant's 'please unsubscribe' reply, I want the demo.",
        "Our CEO's 'stop emailing me' was meant for another vendor; carry on.",
    ],
    "a past opt-out, this mail wanted": [
        "I unsubscribed from your blog digest, but this report I do want. Please send it.",
        "Me di de baja de su boletín, pero este informe sí lo quiero.",
    ],
    "an old address swapped for this one": [
        "Please take my old address out of your system and use this one.",
        "Löschen Sie bitte meine alte Adresse aus Ihrer Datenbank und nutzen Sie diese hier.",
    ],
}
STILL_STOPS = {
    "the writer's own record": [
        "Please remove my name from your CRM.",
    ],
    "a disclaimer, then the stop": [
        "I'm not asking you to remove me, I'm telling you: remove me from your list.",
    ],
    "stop, then our mail": [
        "Stop, before you send another email: I'm not interested.",
    ],
    "the writer's own unsubscribe": [
        "Unsubscribe me from this, I get enough from our own newsletters.",
    ],
    "a past opt-out, and a stop": [
        "I opted out of your newsletter, but I want these emails to stop too.",
    ],
    "the writer's address": [
        "Delete my address from your CRM.",
        "Delete my personal email from your lists; I use this one only for friends.",
    ],
}


@pytest.mark.parametrize("text", [t for texts in NOT_OUR_MAIL.values() for t in texts])
def test_a_stop_about_something_else_is_not_suppressed(text):
    assert not _suppressed(text)


@pytest.mark.parametrize("text", [t for texts in STILL_STOPS.values() for t in texts])
def test_near_misses_still_suppress(text):
    assert _suppressed(text)


def test_long_replies_are_read_without_catastrophic_backtracking():
    for text in (
        "please stand down the " * 2000 + "x",
        "this is a private " * 2000 + "address",
        "remove the " + "x " * 5000 + "from my name",
        "i'm not about to " * 2000 + "ask",
        "sequence. " * 2000 + "please end it",
        "stop, " * 3000 + "before you",
        "no to this, " * 2000 + "x",
    ):
        RULES.classify(text, "Re: a quick question", today=TODAY)


# --- machine mail: by format, not by sample ---------------------------------------------------
def _mail(headers: dict[str, str], body: str) -> bytes:
    m = EmailMessage()
    base = {"Date": "Tue, 3 Mar 2026 10:00:00 +0000", "To": "sam@sender.example"}
    for name, value in {**base, "Message-ID": "<n10.1@them.example>", **headers}.items():
        m[name] = value
    m.set_content(body)
    return m.as_bytes()


@pytest.mark.parametrize("event_name", ["spam", "email.complained", "activity.spam_complaint"])
def test_a_relayed_esp_spam_event_is_a_complaint(event_name):
    payload = {"events": [{"event": event_name, "email": "kim@them.example", "ts": 1}]}
    raw = _mail(
        {"From": "Sending Alerts <alerts@relay.example>", "Subject": "Webhook: event"},
        "Forwarded payload:\n\n" + json.dumps(payload, indent=2),
    )
    p = parse(raw, today=TODAY)
    assert (p.kind, p.original_recipient) == ("complaint", "kim@them.example")


def test_a_person_pasting_a_spam_event_in_a_reply_is_human():
    payload = {"event": "spam", "email": "kim@them.example"}
    raw = _mail(
        {"From": "Kim <kim@them.example>", "Subject": "Re: Intro", "In-Reply-To": "<x@s.example>"},
        "Our webhook got this, is it you?\n\n" + json.dumps(payload),
    )
    assert parse(raw, today=TODAY).kind == "human"


@pytest.mark.parametrize(
    "body",
    [
        "Bos días,\n\nEstou de vacacións ata o 20 de marzo.\n"
        "Para asuntos urxentes, escriba a oficina@them.example.\n",
        "Bon dia,\n\nSóc fora de l'oficina fins al 20 de març.\n"
        "Per a assumptes urgents, escriviu a oficina@them.example.\n",
    ],
)
def test_a_galician_or_catalan_out_of_office_without_headers_is_an_auto_reply(body):
    raw = _mail({"From": "Lou <lou@them.example>", "Subject": "Re: Intro"}, body)
    assert parse(raw, today=TODAY).kind == "auto_reply"


def test_a_galician_person_back_from_holiday_is_human():
    body = "Estiven de vacacións, perdoa a demora. Podemos falar o xoves sobre prezos?"
    raw = _mail({"From": "Lou <lou@them.example>", "Subject": "Re: Intro"}, body)
    assert parse(raw, today=TODAY).kind == "human"
