"""Issue 17, seventh and eighth blind sets: the families their misses belonged to, each in
wordings written here (none is a blind-set sentence), in the languages the family exists
in; for each family the same words in another sense, which must not suppress anyone."""

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
    # mail refused before it is sent: the next one, future mail, the rest of a sequence
    "future mail refused": [
        "We don't need the next email, or the one after it.",
        "Count this as a firm no to all future marketing emails from your team.",
        "Think I'll pass on any further messages from your side.",
        "Please ensure I don't get the rest of your drip.",
        "I'd rather not receive anything further from you, thanks.",
        "No thanks, don't want these.",
        "Let's make it the final message, please.",
        "Can the next follow-up simply never arrive?",
    ],
    # a question for the way to stop, the writer its subject
    "how do I stop": [
        "How can we stop receiving these?",
        "Who should I write to so I no longer get your emails from you?",
        "What must I do so that your messages stop?",
        "Hoe komen wij uit jullie verzendlijst?",
        "Hur slipper jag era utskick?",
        "Tem como parar de me enviar isto?",
        "Por favor, dejen de escribirme.",
        "Wie kann ich diese Newsletter abstellen?",
    ],
    # preferences set to nothing, a do-not-contact mark asked for
    "preferences and marks": [
        "Please switch my email preferences over to 'nothing'.",
        "Set my marketing settings to off, please.",
        "Kindly flag this address as do-not-contact in your tool.",
        "Tag me as opted out, please.",
    ],
    # a no-sales zone or policy; an address not to be in a sequence or used to promote
    "no-sales zone": [
        "This mailbox is now a no-marketing zone.",
        "Our team is a no-vendors area, sorry.",
        "My email address must not be used for any promotional mailing.",
        "This inbox should not be in your campaigns at all.",
    ],
    # nobody in a group to be mailed
    "nobody in the group": [
        "Please make sure nobody at acme.example gets further emails from you.",
        "Our director requested that no one in finance receives your pitches.",
    ],
    # a removal said with new verbs and objects
    "removal": [
        "Could you expunge my details from your records?",
        "Mind leaving us off your next mailings?",
        "We'd like it out of your database this week.",
        "Please take both of our addresses off your mailing list.",
        "I want my address taken out of your outreach.",
        "Prosím, odeberte mě ze seznamu.",
        "Vennligst reserver oss mot flere utsendelser.",
    ],
    # not wanting to receive, not welcome, an objection, in the covered languages
    "not wanted": [
        "Frankly your mail is unwelcome here.",
        "Vos e-mails ne sont plus les bienvenus.",
        "No queremos recibir más comunicaciones, gracias.",
        "Sus mensajes no son bienvenidos.",
        "Ci opponiamo a ogni ulteriore comunicazione promozionale.",
        "Non desideriamo ricevere altre newsletter.",
        "Vi vil ikkje ha fleire meldinger.",
        "Nepřejeme si dostávat vaše e-maily.",
        "Bu e-postaları görmek istemiyoruz.",
        "Keine Werbe-Mails mehr, bitte.",
    ],
    # not sending, said with "by not" or "please to not"; a stop to receiving wished
    "by not sending": [
        "Help us both by not emailing me again.",
        "Kindly to not write us anymore.",
        "I just want to stop getting them.",
        "Let's put a full stop to these, please.",
    ],
    # a consequence in the future
    "consequence": [
        "Each further message from you will be forwarded to my lawyer.",
        "Any future emails from you are going to go to the abuse team of your host.",
    ],
    # a bare refusal, also behind an aside
    "bare refusal": [
        "No more, thanks.",
        "Enough already!",
        "Unwanted.",
        "(typed on my phone) no more",
    ],
}

KEEPS = {
    "future mail, other sense": [
        "I don't want the next one to be on a Friday, can we move it?",
        "Happy to pass on your future emails to my colleague Dana.",
        "Please make this the last slide in the deck.",
    ],
    "how, other sense": [
        "How can our customers stop receiving emails after they reply?",
        "How do I stop the trial from renewing?",
    ],
    "preferences, other sense": [
        "Where do I set the timezone preferences in your app?",
        "Please mark me as the owner of this account.",
    ],
    "zone and policy, other sense": [
        "Our office is a no-shoe zone, just so you know for the visit.",
        "My email address shouldn't be on the invoice, use billing@.",
    ],
    "removal, other sense": [
        "We'd like to remove the manual steps in our follow-up process.",
        "Could you drop the setup fee from the quote?",
        "We want it out of our old CRM and into yours by May.",
    ],
    "not wanted, other sense": [
        "Unwelcome surprise: our budget got cut. Can we talk pricing?",
        "Mi oppongo a questa clausola del contratto, possiamo parlarne?",
    ],
    "consequence, other sense": [
        "Every email from you goes to spam, please check your SPF record.",
        "We will report the results to the board next week.",
    ],
    "bare, other sense": [
        "No more questions from my side, let's sign.",
        "Enough said, send the contract.",
    ],
}


@pytest.mark.parametrize("text", [t for texts in STOPS.values() for t in texts])
def test_requests_to_stop_are_suppressed(text):
    assert _suppressed(text)


@pytest.mark.parametrize("text", [t for texts in KEEPS.values() for t in texts])
def test_same_words_in_another_sense_are_not_suppressed(text):
    assert not _suppressed(text)


def test_long_replies_are_read_without_catastrophic_backtracking():
    for text in (
        "how do i " * 3000 + "stop",
        "please ensure nobody " + "at acme.example " * 2000 + "gets",
        "make sure " * 3000 + "i don't get",
        "(" * 3000 + "no more",
        "no to the next " * 2000,
        "no thanks " * 3000 + "x",
        "no thx, no thanks, " * 1500 + "x",
    ):
        RULES.classify(text, "Re: a quick question", today=TODAY)


# --- ninth blind set: a stop whose object is not our mail to the writer -------------------
# Each must-veto wording below has a near miss that is still a request to stop.
NOT_OUR_MAIL = {
    "staff or a third party as the subject": [
        "My recruiters sometimes forget to stop campaigns for candidates who reply. Can yours?",
        "Our SDRs never remember to stop campaigns once a lead replies. Is that automatic?",
        "We need a way to flag leads who have asked to be removed; does your CRM sync do that?",
    ],
    "a quoted stop used as a noun": [
        "Can the team record a spoken 'remove me please' so we honour it on email too?",
        "We get the odd 'stop emailing me' reply; does the inbox sort those?",
    ],
    "something else opted out of": [
        "I opted out of the customer research panel last year, but a demo sounds good.",
    ],
    "a contract's deletion clause": [
        "Our MSA requires suppliers to erase our data within 60 days of termination. OK for you?",
        "Our security policy requires suppliers to delete our data at contract end. In your terms?",
    ],
    "a user or seat taken off a subscription": [
        "Können wir einen Nutzer im laufenden Jahr abmelden?",
        "¿Podemos dar de baja una licencia antes de la renovación?",
    ],
    "the form of the mail": [
        "Please stop sending price sheets as attachments, our filter eats them. Still keen.",
        "Please stop emailing the quotes as PDFs. Paste them inline, we're interested.",
        "Could you remove the banner image from the emails? Otherwise good, let's talk.",
        "Please quit mailing the quote as a PDF, paste it inline instead.",
        "Går det att ta bort loggan i utskicken? Annars ser det bra ut.",
    ],
    "a concession before a buying question": [
        "I could always unsubscribe if it's not useful. How much is the team plan?",
        "We can opt out at any time, right? Then send the pricing.",
        "Jederzeit abmelden kann ich mich ja später. Was kostet der Start?",
        "Je peux toujours me désinscrire. Quel est le tarif pour cinq personnes ?",
    ],
}
STILL_STOPS = {
    "the writer as the subject": [
        "Our reps don't want your emails, and neither do I. Remove me.",
        "I opted out of your newsletter twice and still get it. Stop.",
        "Please opt me out of your webinar series mailings.",
    ],
    "the mail itself, whatever its form": [
        "Stop sending me these HTML emails.",
        "Please stop the emails with attachments, I never asked for them.",
    ],
    "no concession, a wish": [
        "I can't unsubscribe, the link is broken. Please remove me.",
        "How can I unsubscribe from this?",
        "Wie kann ich mich abmelden?",
    ],
    "data of the writer": [
        "Delete my data and confirm in writing.",
        "Please erase my contact details from your system.",
    ],
    # the writer's own stop beside the words a veto reads: the veto yields
    "own stop beside the form of the mail": [
        "Please stop sending me PDFs and all your emails.",
        "Stop sending us slides, emails, anything at all.",
        "No more emails, and no more attachments either.",
        "Looks good, send me the pricing. Also stop sending me attachments and emails.",
    ],
    "own stop beside other people": [
        "Like the customers who opted out, I want you to stop emailing me.",
        "As one of the many people who asked you to stop: stop emailing me.",
    ],
    "own stop beside staff": [
        "Our staff would like to be removed from your list.",
        "The users of this inbox want to stop receiving your emails.",
    ],
}


@pytest.mark.parametrize("text", [t for texts in NOT_OUR_MAIL.values() for t in texts])
def test_a_stop_about_something_else_is_not_suppressed(text):
    assert not _suppressed(text)


@pytest.mark.parametrize("text", [t for texts in STILL_STOPS.values() for t in texts])
def test_near_misses_still_suppress(text):
    assert _suppressed(text)


# --- ninth blind set, machine mail: by format, not by sample ---------------------------------
def _mail(headers: dict[str, str], body: str) -> bytes:
    m = EmailMessage()
    base = {"Date": "Tue, 3 Mar 2026 10:00:00 +0000", "To": "sam@sender.example"}
    for name, value in {**base, "Message-ID": "<n9.1@them.example>", **headers}.items():
        m[name] = value
    m.set_content(body)
    return m.as_bytes()


def test_an_esp_event_that_names_the_recipient_address_is_a_complaint():
    event = {"Type": "Complaint", "Address": "lou@them.example", "MessageId": "q1@sender.example"}
    raw = _mail(
        {
            "From": "Events <events@esp.example>",
            "Subject": "Event",
            "Auto-Submitted": "auto-generated",
        },
        "Delivered by email because the endpoint was down.\n\n" + json.dumps(event, indent=2),
    )
    p = parse(raw, today=TODAY)
    assert (p.kind, p.original_recipient) == ("complaint", "lou@them.example")


_TICKET = (
    "Hi,\n\nOur network received a complaint about unsolicited bulk mail from a host on your"
    " plan. Please answer this case within two days.\n\n=== original ===\n"
    "Received: from out.sender.example (192.0.2.7)\nFrom: Sam <sam@sender.example>\n"
    "Subject: Intro\n\nI never asked for this.\n"
)


def test_an_abuse_ticket_that_quotes_trace_headers_without_a_to_is_a_complaint():
    raw = _mail({"From": "Hoster Abuse <abuse@hoster.example>", "Subject": "Case 7781"}, _TICKET)
    p = parse(raw, today=TODAY)
    assert (p.kind, p.original_recipient) == ("complaint", "")


def test_a_person_quoting_trace_headers_is_not_a_complaint():
    raw = _mail({"From": "Lou <lou@them.example>", "Subject": "Re: Intro"}, _TICKET)
    assert parse(raw, today=TODAY).kind == "human"


def test_an_afrikaans_out_of_office_without_headers_is_an_auto_reply():
    body = (
        "Hallo,\n\nEk is op vakansie tot 14 Maart en sal nie e-pos nagaan nie.\n"
        "Skakel vir Jan by jan@them.example vir dringende navrae.\n"
    )
    raw = _mail({"From": "Lou <lou@them.example>", "Subject": "Re: Intro"}, body)
    assert parse(raw, today=TODAY).kind == "auto_reply"


def test_an_afrikaans_person_back_from_leave_is_human():
    body = "Ek was met verlof, jammer vir die stilte. Kan ons Donderdag praat oor pryse?"
    raw = _mail({"From": "Lou <lou@them.example>", "Subject": "Re: Intro"}, body)
    assert parse(raw, today=TODAY).kind == "human"
