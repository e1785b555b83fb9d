"""Requests to stop read from the shape of the sentence (issue 17, part 5): our own phrasings,
none taken from the benchmark sets, both ways, plus the helpdesk and list notices that carry
no Auto-Submitted header."""

from __future__ import annotations

from datetime import date

import pytest

from bot.mail.inbound.parse import parse
from bot.mail.triage.routing import route
from bot.mail.triage.rules import RuleClassifier
from bot.mail.triage.stop_requests import misspelt_unsubscribe
from bot.mail.triage.vocabulary import should_suppress

TODAY = date(2025, 6, 2)


def _read(text: str):
    return RuleClassifier().classify(text, "Re: Faster month-end close", today=TODAY)


STOPS = [
    # terse, informal, caps, emoji, typos
    "plz remove, thx",
    "remove asap",
    "UNSUB",
    "unsbscribe",
    "Unsubsribe me please",
    "usnubscribe",
    "Forget my email address, please.",
    "Count us out of anything else you send.",
    "We'd ask that you refrain from messaging us.",
    "Please do not reach out to me again.",
    "Do not send us any more of these.",
    "Kindly stop the reminders.",
    "No further outreach, thank you.",
    "Get me off your mailing list",
    "Take everyone at our firm off your list.",
    "TAKE ME OFF THIS LIST NOW",
    "🛑🛑",
    "🚫 emails",
    # implied stops: a consequence for the next mail, a report to an authority
    "Another message like this and it goes straight to spamcop.",
    "We will be reporting you to the data protection authority.",
    "Keep writing and I'm going to the ICO.",
    # data protection: erasure and objection that never say unsubscribe
    "Please erase my details from your CRM.",
    "I exercise my right to erasure.",
    "We object to the processing of our personal data by your company.",
    "Where did you find my address? Wipe it.",
    "Who sold you my contact details?",
    # other languages, with their inflections
    "Bitte tragen Sie mich aus Ihrem Newsletter aus.",
    "Keine Werbemails mehr, danke.",
    "Löschen Sie bitte sämtliche meiner Daten.",
    "Ich widerspreche der Verarbeitung meiner Daten.",
    "Ne me relancez plus, s'il vous plaît.",
    "Je m'oppose au traitement de mes données.",
    "Merci de nous radier de vos envois.",
    "Dejen de enviarnos correos, por favor.",
    "No nos escriban más.",
    "Eliminen mis datos de su base.",
    "Non contattatemi più.",
    "Rimuovete il mio indirizzo dalla lista, grazie.",
    "Por favor, parem de nos mandar mensagens.",
    "Apaguem os meus dados, obrigado.",
    "Graag afmelden voor deze mails.",
    # opting out of mail that names what the mail is about
    "How do I opt out of your webinar emails?",
    "Can I opt out of the surveys and all future emails?",
    "Wilt u mij niet meer mailen?",
    "今後のご案内は不要です。",
    "メールの配信を停止してください。",
    # the same markings and removals, not owned to as a slip
    "Een collega heeft jullie mail als spam gemarkeerd.",
    "Ich habe Ihre Mail als Spam markiert.",
    "Unsubscribe me from your system and every list you have.",
    # a slip denied, or the sender's: still a complaint
    "Ich habe Ihre Mail nicht versehentlich als Spam markiert.",
    "Sie haben mich fälschlicherweise aufgenommen, ich habe die Mail als Spam gemeldet.",
    "U mailt mij per abuis, ik heb het als spam gemarkeerd.",
    # what the writer's own system mails, and a mail stream before the programme
    "Please remove both addresses from our website newsletter, thanks.",
    "I already opted out of the mailing list for the webinar.",
]

NOT_STOPS = [
    # the removal or stop has another object
    "How can our subscribers unsubscribe from the digest you send them?",
    "Please drop Priya from the thread, she moved teams. Can we meet Thursday?",
    "Could you delete the draft SOW and send the final version?",
    "Please remove the training line from the quote.",
    "No more slides needed - let's just do a demo next week.",
    "We want to unsubscribe from our old provider's tool and move to yours. Pricing?",
    "Please don't take me off the list, these are useful.",
    "Feel free to stop by our office on Friday.",
    "We stopped emailing our customers manually last year, how does your tool help?",
    "Our clients need a one-click unsubscribe - do you support it?",
    "I'm filing a complaint with our IT team about the spam filter, not you. Send the deck?",
    # opting out of a term of the deal, asked about
    "Could we opt out of the setup fee if we sign for two years, and start in May?",
    "Is it possible to opt out of the SSO add-on and keep the rest of the bundle?",
    # a programme of someone else's, things taken out of the writer's own system
    "Last year we opted out of our bank's standard overdraft protection programme. Can you flag fees?",
    "Deleting two hundred stale test users from our staging tenant took all morning. Thursday?",
    # our mail marked as spam by mistake, owned to (nl, de, fr, es)
    "Een collega heeft jullie mail per abuis als spam gemarkeerd, excuses. Donderdag bellen?",
    "Unser Praktikant hat Ihre Mail aus Versehen als Spam markiert, sorry! Passt Dienstag?",
    "J'ai signalé votre message comme spam par erreur, désolé. On en parle mardi ?",
    "Marqué tu correo como spam por error, perdona. ¿Hablamos el martes?",
    # the writer as the one told to remove something of their own world
    "Our auditor asked us to remove paper checklists from the line. Could your tool do that?",
    "Our insurer requires us to delete old camera footage after 30 days. Does your system?",
    "The franchise owner told me to remove the old price list from our website. Can you quote?",
    # a stream opted out of, set against what of ours they still want
    "I unsubscribed from your event invites, but we do want the pricing details. Who sends them?",
]


@pytest.mark.parametrize("text", NOT_STOPS)
def test_stop_words_about_something_else_suppress_nobody(text: str) -> None:
    c = _read(text)
    assert not should_suppress(c), (text, c)
    assert route("human", c, sample=0.99)[0] == "review"


@pytest.mark.parametrize(
    "text",
    [
        "Delete my data under Article 17 GDPR.",
        "I object to the processing of my personal data.",
        "Who sold you my address?",
        "Löschen Sie meine Daten.",
        "Segnalerò tutto al Garante della privacy se continuate.",
    ],
)
def test_a_data_protection_stop_suppresses_and_reaches_a_person(text: str) -> None:
    c = _read(text)
    assert should_suppress(c)
    assert "compliance_data_request" in c.triggers
    assert route("human", c, sample=0.99)[0] == "review"


def test_a_threat_to_report_suppresses_and_reaches_a_person() -> None:
    c = _read("This is your third message. Next one goes to spamcop.")
    assert should_suppress(c) and "anger_complaint" in c.triggers
    assert route("human", c, sample=0.99)[0] == "review"


def test_a_swap_is_a_referral_and_a_stop_for_the_writer_only() -> None:
    """Documented decision: removing me from the CC and adding a colleague suppresses my
    address (what I asked) and still reaches a person with the colleague's name."""
    c = _read("Take me off the CC and add my colleague Ines Duarte instead.")
    assert should_suppress(c)
    assert c.intent == "referral" and "Ines Duarte" in c.referral_to
    assert route("human", c, sample=0.99)[0] == "review"


def test_typos_are_matched_by_edit_distance_not_by_a_list() -> None:
    for word in ("unsubscirbe", "unsubscrbe", "unsusbcribe", "unnsubscribe"):
        assert misspelt_unsubscribe(word), word
    for word in ("subscribe", "resubscribe", "understand", "unsubstantiated"):
        assert not misspelt_unsubscribe(word), word


def _eml(headers: str, body: str) -> bytes:
    return (headers.strip() + "\nMIME-Version: 1.0\nContent-Type: text/plain\n\n" + body).encode()


def test_a_helpdesk_acknowledgement_without_auto_headers_is_machine_mail() -> None:
    raw = _eml(
        """
From: Service Portal <it-support@widgets.example>
To: sam@outbound.example
Subject: Ticket RQ-88213 logged
Date: Mon, 2 Jun 2025 10:00:00 +0000
Message-ID: <t1@widgets.example>
""",
        "Hello,\n\nYour request RQ-88213 has been logged by the service desk and assigned to a"
        "\nqueue. You can track it in the portal.\n",
    )
    assert parse(raw).kind == "auto_reply"


def test_a_list_program_introducing_itself_is_machine_mail() -> None:
    raw = _eml(
        """
From: news-help@lists.widgets.example
To: sam@outbound.example
Subject: confirm your subscription
Date: Mon, 2 Jun 2025 10:00:00 +0000
Message-ID: <l1@lists.widgets.example>
""",
        "Hi, this is the mlmmj program managing the news@lists.widgets.example list.\n\n"
        "To confirm, reply to this message.\n",
    )
    assert parse(raw).kind == "auto_reply"


def test_a_person_talking_about_a_ticket_stays_human() -> None:
    raw = _eml(
        """
From: Dana Roe <dana@widgets.example>
To: sam@outbound.example
Subject: Re: Faster month-end close
In-Reply-To: <x1@outbound.example>
Date: Mon, 2 Jun 2025 10:00:00 +0000
Message-ID: <h1@widgets.example>
""",
        "I raised this with IT and they said a ticket was opened, but I'd rather talk to you."
        "\nCan we do Thursday at 3?\n",
    )
    assert parse(raw).kind == "human"


def test_a_helpdesk_acknowledgement_in_the_thread_under_its_case_subject_is_machine_mail() -> None:
    # Email-to-Case answers in our thread (In-Reply-To) under the subject it gave the case.
    raw = _eml(
        """
From: Customer Care <care@widgets.example>
To: sam@outbound.example
Subject: Case 00771234: We have received your request [ ref:_00D1x._5001y:ref ]
In-Reply-To: <x1@outbound.example>
Date: Mon, 2 Jun 2025 10:00:00 +0000
Message-ID: <c1@widgets.example>
""",
        "Dear Customer,\n\nThank you for writing. A case has been created and a member of our"
        "\nteam will answer within 2 business days.\n",
    )
    assert parse(raw).kind == "auto_reply"


def test_a_technician_answering_in_the_ticket_thread_stays_human() -> None:
    raw = _eml(
        """
From: Lee Park <lee@widgets.example>
To: sam@outbound.example
Subject: Case 00771234: We have received your request [ ref:_00D1x._5001y:ref ]
In-Reply-To: <c1@widgets.example>
Date: Tue, 3 Jun 2025 10:00:00 +0000
Message-ID: <c2@widgets.example>
""",
        "Hi Sam, I looked at this myself: we would like a demo for the finance team.\n"
        "Does Thursday at 3 work?\n",
    )
    assert parse(raw).kind == "human"


def test_a_list_confirmation_titled_after_the_list_is_machine_mail() -> None:
    raw = _eml(
        """
From: Birders <birders@lists.widgets.example>
To: sam@outbound.example
Subject: Widgets Birders Mailing List Subscription Confirmation
Date: Mon, 2 Jun 2025 10:00:00 +0000
Message-ID: <l2@lists.widgets.example>
""",
        "Hello,\n\nWe have received a request to add your address to the list. To confirm,"
        "\nplease click the link below.\n",
    )
    assert parse(raw).kind == "auto_reply"


# The writer asks to be kept: the removal is negated, or the reply disowns itself as a stop.
KEEP_ME = [
    "Please don't remove me from the list, I read every issue. Is there a webinar in May?",
    "Don't delete my contact record: I'm moving to Harbor Co in May and want this there.",
    "Please don't take this as an unsubscribe. Just not before the budget is signed in July.",
    "This is not an unsubscribe request, only a note that the PDF link is broken.",
    "Nicht abmelden! Schicken Sie das Angebot an meinen Kollegen.",
    "Meld me alsjeblieft niet af, ik lees het graag. Wat kost de pilot?",
    "Non toglietemi dalla lista: inoltro la mail al mio responsabile.",
    "Ne me désinscrivez pas, je transmets à notre DSI.",
    "No me den de baja, reenvío el correo a compras.",
    "Não me removam, vou encaminhar ao financeiro.",
    # the stop asked back and answered no; a stop not wanted; the mail named as not to stop
    "Unsubscribe? No. How much is the pilot for two sites?",
    "Abmelden? Nein! Was kostet die Lizenz für 8 Standorte?",
    "Se désabonner ? Non. Transférez plutôt à notre DSI.",
    "I don't want to opt out, just hear back after the audit in May.",
    "We need to stop the leaks, not your emails. Does it flag a drop in pressure?",
]
# ... and beside each, the same words asking to go.
STILL_STOPS = [
    "Delete my contact record and never write to me again.",
    "Take this as my unsubscribe request.",
    "Bitte abmelden.",
    "Meld me af alstublieft.",
    "Toglietemi dalla lista.",
    "Désinscrivez-moi, merci.",
    "Denme de baja, por favor.",
    "Me removam da lista, por favor.",
]


@pytest.mark.parametrize("text", KEEP_ME)
def test_a_writer_who_asks_to_be_kept_is_not_suppressed(text: str) -> None:
    c = _read(text)
    assert not should_suppress(c), (text, c)


# The same negated words, not bidding: a complaint that we do not remove them.
NOT_REMOVED = [
    "¿Por qué todavía no me dan de baja?",
    "Perché non mi cancellate dalla lista?",
    "Vocês não me removem da lista nunca!",
    "Ik kan me niet afmelden, de link werkt niet.",
    "Vous ne me désinscrivez pas malgré mes demandes !",
    "Why don't you remove me?",
    "Vi ho chiesto tre volte, non mi cancellate mai!",
    "Uw link werkt niet: niet afmelden mogelijk via die pagina.",
    "You say sorry and never remove my address.",
    # a limiter: remove me, and more
    "Don't just delete my email address from the list, erase everything.",
    "Löschen Sie meine Daten nicht nur aus dem Newsletter, sondern komplett aus Ihrem System.",
    # the data named after a negated verb is still the data to erase
    "Do not take my data lightly: erase it.",
    # a stop disowned only to say it is more than one
    "This isn't an unsubscribe request, it's a GDPR deletion request.",
    "This isn't an opt-out, this is me telling you to stop.",
    "Do not treat this as an unsubscribe request: treat it as an erasure request.",
    # told to remove ourselves, people, an address or mail; or asked to remove one's own
    "Legal told us to remove ourselves from every vendor list, yours included.",
    "IT asked me to remove my address from your list, so please do.",
    "My manager told me to take the whole team off your mailing list.",
    "He asked me to remove the sales inbox from your mailing list, thanks.",
    "Management told me to pull the plug on these emails.",
    # a stream opted out of, and what of ours is wanted is its end, or the writer's data
    "I unsubscribed, but I want the emails to stop for real this time.",
    "I opted out, but I want the information you hold about me, then remove me from your CRM.",
    "I unsubscribed, but I need the details of who sold you my address and never email me again.",
    # the stop asked back and answered yes, or answered no and then asked for anyway
    "Unsubscribe? Yes please.",
    "Unsubscribe? No. Delete me entirely.",
    "Abmelden? Nein, löschen Sie meine Daten komplett.",
    "I don't want to unsubscribe from every list one by one, just stop emailing me.",
    "Stop the emails, not just the calls.",
    "Stop? No more emails!",
    "Unsubscribe? No, remove me.",
    "Unsubscribe? No!! I want to be forgotten.",
    "Opt out? Nope. Out of everything.",
    "Uitschrijven? Nee, verwijder alles.",
    "Désabonnement ? Non, suppression complète.",
    "I don't want to be unsubscribed next week, I want it done today.",
    "Never again, not your emails.",
]


@pytest.mark.parametrize("text", STOPS + STILL_STOPS + NOT_REMOVED)
def test_a_request_to_stop_is_a_suppression(text: str) -> None:
    c = _read(text)
    assert should_suppress(c), (text, c)
