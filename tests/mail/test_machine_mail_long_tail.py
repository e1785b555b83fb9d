"""Machine mail from the long tail of mail servers is never a human reply (issue 17)."""

from __future__ import annotations

import base64
import json
import urllib.parse
from datetime import date

import pytest

from bot.mail.inbound import machine
from bot.mail.inbound.parse import parse

TODAY = date(2026, 3, 10)


def _jis(text: str) -> str:
    return text.encode("iso-2022-jp").decode("ascii")


def _word(text: str) -> str:
    return "=?ISO-2022-JP?B?" + base64.b64encode(text.encode("iso-2022-jp")).decode() + "?="


def _parse(raw: str):
    return parse(raw.encode("utf-8"), today=TODAY)


def _from_liza(subject: str, body: str, *, thread: bool = False):
    """A plain UTF-8 mail from a person's address, in our thread when `thread`."""
    return _parse(
        f"From: Liza <liza@co.example>\nTo: am@ours.example\nSubject: {subject}\n"
        + ("In-Reply-To: <ours-1@ours.example>\n" if thread else "")
        + "Content-Type: text/plain; charset=utf-8\n\n"
        + body
    )


DRAGONFLY = """From: MAILER-DAEMON <>
To: am@ours.example
Subject: Mail delivery failed
Message-Id: <x1@df.example>

This is the DragonFly Mail Agent v0.14 at df.example.

There was an error delivering your mail to <ren@far.example>.

mx.far.example [192.0.2.9] did not like our RCPT TO:
550 5.1.1 <ren@far.example>: Recipient address rejected: User unknown

Original message follows.
"""


def test_dragonfly_bounce_without_a_sender_address():
    p = _parse(DRAGONFLY)
    assert p.kind == "bounce"
    assert p.bounce_status == "5.1.1" and p.bounce_hard is True
    assert p.original_recipient == "ren@far.example"


def test_amazon_ses_text_bounce():
    p = _parse(
        "From: MAILER-DAEMON@email-bounces.amazonses.com\nTo: am@ours.example\n"
        "Subject: Delivery Status Notification (Failure)\nX-SES-Outgoing: 2026.03.03-1.2.3.4\n\n"
        "An error occurred while trying to deliver the mail to the following recipients:\n"
        "kai@far.example\n"
    )
    assert p.kind == "bounce"
    assert p.original_recipient == "kai@far.example"


def _sns(kind: str, inner: dict) -> str:
    body = json.dumps({"Type": "Notification", "Message": json.dumps(inner)})
    return (
        "From: AWS Notifications <no-reply@sns.amazonaws.com>\nTo: am@ours.example\n"
        "Subject: AWS Notification Message\nx-amz-sns-message-id: 1-2-3\n\n" + body + "\n"
    )


def test_amazon_ses_json_bounce_and_complaint():
    bounce = _parse(
        _sns(
            "Bounce",
            {
                "notificationType": "Bounce",
                "bounce": {
                    "bounceType": "Permanent",
                    "bouncedRecipients": [{"emailAddress": "lo@far.example", "status": "5.1.1"}],
                },
                "mail": {"messageId": "abc"},
            },
        )
    )
    assert (bounce.kind, bounce.original_recipient, bounce.bounce_status) == (
        "bounce",
        "lo@far.example",
        "5.1.1",
    )
    complaint = _parse(
        _sns(
            "Complaint",
            {
                "notificationType": "Complaint",
                "complaint": {"complainedRecipients": [{"emailAddress": "mo@far.example"}]},
                "mail": {},
            },
        )
    )
    assert (complaint.kind, complaint.original_recipient) == ("complaint", "mo@far.example")


def test_japanese_carrier_bounce_in_iso_2022_jp():
    body = "以下の宛先へのメールは配信できませんでした。\n\n  宛先: aki@carrier.example.jp\n"
    raw = (
        f"From: {_word('メールセンター')} <Postmaster@carrier.example.jp>\n"
        f"To: am@ours.example\nSubject: {_word('不達通知')}\nMIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=ISO-2022-JP\nContent-Transfer-Encoding: 7bit\n\n"
        + _jis(body)
    )
    p = _parse(raw)
    assert p.kind == "bounce"
    assert p.original_recipient == "aki@carrier.example.jp"


def test_fml_error_is_machine_mail():
    p = _parse(
        "From: team-ml-admin@ml.example.jp\nTo: am@ours.example\n"
        "Subject: NOT MEMBER article from am@ours.example (team-ml ML)\n"
        "Message-ID: <202603031900.FMLAAB1.team-ml@ml.example.jp>\n"
        "X-MLServer: fml [fml 4.0.3 release]\n\n"
        "You are not a member of this mailing list <team-ml@ml.example.jp>.\n"
    )
    assert p.kind == "auto_reply"
    assert p.auto_reason.startswith("mailing-list manager")


@pytest.mark.parametrize(
    "sender, subject, body",
    [
        ("partners-owner@lists.example.org", "Your message to Partners awaits moderator approval",
         "Post by non-member to a members-only list"),
        ('"L-Soft list server" <LISTSERV@LISTS.EXAMPLE.EDU>', "Message rejected",
         "You are not authorized to send mail to the list"),
        ("Majordomo@lists.example.com", "Majordomo results", "**** Command 'hi' not recognized."),
    ],
)  # fmt: skip
def test_list_manager_notices_are_machine_mail(sender, subject, body):
    p = _parse(f"From: {sender}\nTo: am@ours.example\nSubject: {subject}\n\n{body}\n")
    assert p.kind != "human"


@pytest.mark.parametrize(
    "subject, body",
    [
        ("Non recapitabile: Offerta", "Il messaggio non è stato recapitato ai seguenti destinatari"),
        ("Onbestelbaar: Offerte", "Uw bericht kan niet worden bezorgd bij deze geadresseerden"),
        ("Não é possível entregar: Proposta", "A mensagem não pôde ser entregue a estes destinatários"),
    ],
)  # fmt: skip
def test_exchange_bounces_in_more_languages(subject, body):
    raw = (
        "From: Microsoft Outlook <MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@co.example>\n"
        f"To: am@ours.example\nSubject: {subject}\nContent-Type: text/plain; charset=utf-8\n\n"
        f"{body}:\n\nana@co.example\n"
    )
    assert _parse(raw).kind == "bounce"


def test_read_receipt_and_no_reply_sender_are_automatic():
    receipt = _parse(
        "From: Tom <tom@co.example>\nTo: am@ours.example\nSubject: Read: Offer\n"
        'Content-Type: multipart/report; report-type=disposition-notification; boundary="b"\n\n'
        "--b\nContent-Type: text/plain\n\nYour message was read.\n"
        "--b\nContent-Type: message/disposition-notification\n\n"
        "Disposition: manual-action/MDN-sent-manually; displayed\n--b--\n"
    )
    assert receipt.kind == "auto_reply"
    ticket = _parse(
        "From: Support <no-reply@help.example>\nTo: am@ours.example\n"
        "Subject: [#12] We received your request\n\nThanks, a ticket was opened.\n"
    )
    assert ticket.kind == "auto_reply"


def test_self_declared_automatic_acknowledgement():
    p = _parse(
        "From: Kundenservice <service@firma.example>\nTo: am@ours.example\n"
        "Subject: Ihre Anfrage [Ticket#1]\nContent-Type: text/plain; charset=utf-8\n\n"
        "Dies ist eine automatisch generierte Nachricht.\nWir melden uns.\n"
    )
    assert p.kind == "auto_reply"


@pytest.mark.parametrize(
    "headers, body",
    [
        # a person forwarding a bounce to say where the colleague went
        ("From: Rae <rae@co.example>\nSubject: Fwd: Undeliverable: Offer\n",
         "Ben moved, write to ben@new.example.\n\nDelivery has failed to these recipients or groups:\n"),
        # a person's post that came through a mailing list
        ("From: Nadia <nadia@co.example>\nSubject: Re: Offer\nList-Id: <sales.co.example>\n"
         "Precedence: list\n", "What would a pilot cost?\n"),
        # a person whose job is mail delivery
        ("From: Dan <dan@host.example>\nSubject: Re: Mail delivery\n",
         "I run postmaster and bounce handling. What does it cost?\n"),
    ],
)  # fmt: skip
def test_people_stay_human(headers, body):
    assert _parse(f"{headers}To: am@ours.example\n\n{body}").kind == "human"


def _relayed(
    payload: object,
    *,
    automatic: bool = True,
    sender: str = "Webhook Relay <hooks@ours.example>",
    thread: str = "",
) -> str:
    return (
        f"From: {sender}\nTo: am@ours.example\nSubject: Fwd: webhook event\n"
        + ("Auto-Submitted: auto-generated\n" if automatic else "")
        + (f"In-Reply-To: {thread}\n" if thread else "")
        + "\n---- payload ----\n"
        + json.dumps(payload, indent=2)
        + "\n"
    )


def test_a_complaint_event_named_in_a_list_with_its_recipient_nested_under_to():
    # ZeptoMail's shape: the event name is a list; the sender's own address comes first,
    # under "from", and must never be taken for the person who complained.
    payload = {
        "event_name": ["feedback_loop"],
        "event_message": [
            {
                "email_info": {
                    "from": {"address": "am@ours.example"},
                    "to": [{"email_address": {"address": "ro@far.example"}}],
                    "message_id": "<m1@ours.example>",
                },
                "event_data": [{"details": [{"reason": "Marked as spam by recipient"}]}],
            }
        ],
    }
    p = _parse(_relayed(payload))
    assert (p.kind, p.original_recipient, p.original_message_id) == (
        "complaint",
        "ro@far.example",
        "<m1@ours.example>",
    )


def test_in_a_batch_of_events_the_complaint_names_its_own_recipient():
    batch = [
        {"event": "delivered", "email": "first@far.example"},
        {"event": "spamreport", "email": "second@far.example", "sg_message_id": "x"},
    ]
    p = _parse(_relayed(batch))
    assert (p.kind, p.original_recipient) == ("complaint", "second@far.example")


@pytest.mark.parametrize(
    "payload",
    [
        {"event_name": ["hardbounce"], "to": [{"address": "ro@far.example"}]},  # not a complaint
        {"event_name": ["feedback_loop"], "from": {"address": "am@ours.example"}},  # no one
    ],
)
def test_events_that_name_no_complaint_or_no_recipient_suppress_no_one(payload):
    assert _parse(_relayed(payload)).kind != "complaint"


SPAM_EVENT = [{"event": "spam", "email": "ada@far.example", "task_id": 7}]


@pytest.mark.parametrize(
    "sender", ["n8n Automation <automation@ops.ours.example>", "Zapier <ops@ours.example>"]
)
def test_a_workflow_tool_relaying_a_complaint_event_is_machine_mail(sender):
    p = _parse(_relayed(SPAM_EVENT, automatic=False, sender=sender))
    assert (p.kind, p.original_recipient) == ("complaint", "ada@far.example")


def test_a_person_pasting_the_event_in_a_thread_stays_human():
    raw = _relayed(
        SPAM_EVENT,
        automatic=False,
        sender="Ann Automation <automation@ours.example>",
        thread="<ours-1@ours.example>",
    )
    assert _parse(raw).kind == "human"


def test_a_sender_nested_in_the_event_is_never_taken_for_the_complainant():
    # MailerSend-like: the message object under "email" names our sender before the recipient.
    payload = {
        "type": "activity.spam_complaint",
        "data": {
            "email": {
                "friendly_from": "mailto:am@ours.example",
                "envelope_from": "bounces@ours.example",
                "recipient": {"email": "ty@far.example"},
            }
        },
    }
    p = _parse(_relayed(payload))
    assert (p.kind, p.original_recipient) == ("complaint", "ty@far.example")


def test_json_nested_past_the_parsers_limit_is_no_event_and_no_crash():
    deep = "[" * 50_000 + "]" * 50_000
    assert machine.esp_complaint(deep, "hooks@ours.example", automatic=True) is None


def test_an_sns_notification_nested_past_the_parsers_limit_is_no_event():
    deep = '{"notificationType": ' + "[" * 50_000 + "]" * 50_000 + "}"
    assert machine.ses_notification({"x-amz-sns-message-id": "1"}, deep) is None


def test_a_delivery_report_that_names_a_status_not_an_event_is_a_bounce():
    # Azure Communication Services through Event Grid: the event is a delivery report, its
    # "status" says it bounced; relayed by a flow's no-reply box with a prefix before it.
    payload = [
        {
            "eventType": "Microsoft.Communication.EmailDeliveryReportReceived",
            "data": {
                "sender": "am@ours.example",
                "recipient": "hiro@far.example",
                "messageId": "6e2b9f40",
                "status": "Bounced",
                "deliveryStatusDetails": {"statusMessage": "550 5.1.1 mailbox does not exist"},
            },
        }
    ]
    p = _parse(_relayed(payload, automatic=False, sender="Flows <flow-noreply@ops.example>"))
    assert (p.kind, p.original_recipient) == ("bounce", "hiro@far.example")
    assert (p.bounce_status, p.bounce_hard) == ("5.1.1", True)
    assert "mailbox does not exist" in p.diagnostic


@pytest.mark.parametrize(
    "payload",
    [
        {"type": "email.delivered", "data": {"to": ["li@far.example"], "status": "sent"}},
        {"type": "email.bounced", "data": {"from": "am@ours.example"}},  # no recipient
    ],
)
def test_delivered_events_and_bounces_with_no_recipient_bounce_no_one(payload):
    assert _parse(_relayed(payload)).kind != "bounce"


def test_a_dotted_bounce_event_name_is_read_by_its_last_part():
    payload = {"type": "email.bounced", "data": {"to": ["li@far.example"], "reason": "5.2.2 full"}}
    p = _parse(_relayed(payload))
    assert (p.kind, p.original_recipient, p.bounce_status) == ("bounce", "li@far.example", "5.2.2")


def test_a_person_pasting_a_bounce_event_in_a_thread_stays_human():
    raw = _relayed(
        {"event": "bounce", "email": "li@far.example"},
        automatic=False,
        sender="Lee <lee@ours.example>",
        thread="<ours-1@ours.example>",
    )
    assert _parse(raw).kind == "human"


@pytest.mark.parametrize(
    "subject",
    [
        "Автоматты жауап: Offer",  # kk, Outlook's "Automatic reply"
        "As an oifig: Offer",  # ga
        "कार्यालय बाहिर: Offer",  # ne: the vowel signs are not word characters to `re`
        "Taʼtildaman / Ishdan tashqarida: Offer",  # uz, two absence words
        "Automātiskā atbilde: Offer",  # lv
        "Odsutan do 12.3.: Offer",  # hr, the absence with its end
        "[EXT] Trả lời tự động: Offer",  # vi, behind a gateway's tag
        "自動回覆：Offer",  # zh-Hant, full-width colon
    ],
)
def test_an_out_of_office_with_no_header_is_known_by_its_subject_in_many_languages(subject):
    p = _from_liza(subject, "Back on 12 March. Colleague: ben@co.example\n")
    assert p.kind == "auto_reply"


@pytest.mark.parametrize(
    "subject",
    [
        "Re: Automatic reply: Offer",  # a person answering the notice is a reply
        "Absent a budget this year, is there a free tier?",  # no colon: their own words
        "Absentee tracking: is this what you do?",  # not the word "absent"
        "Poissa olevat tiimit: Offer",  # fi "absent teams", with a question below
        "Absence management: Offer",
    ],
)
def test_a_subject_that_only_mentions_an_absence_stays_human(subject):
    p = _from_liza(subject, "What would a pilot cost for 40 seats?\n")
    assert p.kind == "human"


def test_a_notes_return_receipt_is_automatic():
    p = _parse(
        "From: Giulia <giulia@co.example>\nTo: am@ours.example\nSubject: Return Receipt\n"
        "X-Mailer: HCL Notes Release 12.0.2\n\n"
        "Your document:\tOffer\nwas received by:\tGiulia/Treviso/Co\nat:\t04/11/2025 10:42\n"
    )
    assert p.kind == "auto_reply"


def test_an_abuse_ticket_wrapped_mid_sentence_is_a_complaint_about_the_quoted_recipient():
    p = _parse(
        "From: Hosting Trust & Safety <abuse@host.example>\nTo: abuse-contact@ours.example\n"
        "Subject: [Abuse Report #7781] Unsolicited email from 198.51.100.23\n"
        "Auto-Submitted: auto-generated\n\n"
        "We have received a complaint that a server under your account (198.51.100.23) sent\n"
        "unsolicited bulk email. The reporter's evidence is below.\n\n"
        "---- Reported message headers ----\nFrom: Am <am@ours.example>\n"
        "To: ren@far.example\nSubject: Offer\n"
    )
    assert (p.kind, p.original_recipient) == ("complaint", "ren@far.example")


def test_an_abuse_mailbox_ticket_that_withholds_the_complainant_is_a_complaint_of_no_one():
    p = _parse(
        "From: Abuse Team <abuse@isp.example>\nTo: abuse-contact@ours.example\n"
        "Subject: Abuse-Meldung [Ticket#2025030411001234]\n\n"
        "Wir haben eine Beschwerde über unerwünschte Werbe-E-Mails erhalten, die von Ihrer "
        "IP-Adresse 203.0.113.20 versendet wurden. Bitte antworten Sie binnen 48 Stunden.\n"
    )
    assert (p.kind, p.original_recipient) == ("complaint", "")


def test_an_abuse_mailbox_answering_our_mail_in_the_thread_is_not_a_withheld_complaint():
    p = _parse(
        "From: Abuse Desk <abuse@far.example>\nTo: am@ours.example\nSubject: Re: Offer\n"
        "In-Reply-To: <ours-1@ours.example>\n\n"
        "We have received a complaint about unsolicited mail from your domain. Who are you?\n"
    )
    assert p.kind != "complaint"


def test_a_workflow_run_tagged_in_its_subject_relays_a_bounce_named_as_a_metric():
    payload = {
        "data": {
            "identifiers": {"email": "ola@far.example"},
            "recipient": "ola@far.example",
            "failure_message": "550 5.1.1 <ola@far.example>: user unknown",
        },
        "metric": "bounced",
        "object_type": "email",
    }
    raw = (
        "From: RevOps alerts <revops-alerts@ours.example>\nTo: am@ours.example\n"
        "Subject: [Make] email bounced (ola@far.example)\n\nPayload:\n" + json.dumps(payload)
    )
    p = _parse(raw)
    assert (p.kind, p.original_recipient, p.bounce_status) == ("bounce", "ola@far.example", "5.1.1")


def test_event_names_and_keys_are_read_in_the_cases_services_write_them():
    # CloudEvents-style "dm:EmailComplaint", the recipient under "toAddress".
    payload = {
        "type": "dm:EmailComplaint",
        "data": {"accountName": "am@ours.example", "toAddress": "wen@far.example"},
    }
    p = _parse(_relayed(payload, automatic=False, sender="Deliverability bot <dbot@ours.example>"))
    assert (p.kind, p.original_recipient) == ("complaint", "wen@far.example")
    assert machine._forms("HardBounce") >= {"hard_bounce", "hardbounce"}
    assert "spam" not in machine._forms("FilteredSpam")


CHALLENGE = (
    "I protect my inbox from junk mail. Your message has been held because your address is not"
    "\nyet on my list of approved senders. Please complete a short registration at the link"
    "\nbelow and it will be delivered; if you do not, it will be deleted without being read."
    "\n\nhttps://verify.co.example/r?id=88a1\n"
)


def test_a_challenge_response_notice_in_our_thread_is_machine_mail():
    p = _parse(
        "From: Greg <greg@co.example>\nTo: am@ours.example\nSubject: Re: Offer [Verify]\n"
        f"In-Reply-To: <ours-1@ours.example>\n\n{CHALLENGE}"
    )
    assert p.kind == "auto_reply"


def test_a_person_saying_our_mail_was_held_stays_human():
    p = _parse(
        "From: Greg <greg@co.example>\nTo: am@ours.example\nSubject: Re: Offer\n"
        "In-Reply-To: <ours-1@ours.example>\n\n"
        "Your message was held by our filter for a day, sorry. What does the pilot cost?\n"
    )
    assert p.kind == "human"


def test_a_double_opt_in_in_the_informal_german_form_is_machine_mail():
    p = _parse(
        "From: Briefing <hallo@brief.example>\nTo: am@ours.example\n"
        "Subject: Bitte bestätige deine E-Mail-Adresse\nContent-Type: text/plain; charset=utf-8\n\n"
        "Danke für deine Anmeldung. Klicke auf den Link, um sie zu bestätigen.\n"
    )
    assert p.kind == "auto_reply"


@pytest.mark.parametrize(
    "body",
    [
        # eo, hu, zu: an absence word, a date, a colleague's address, under a plain "Re:"
        "Mi estas ekster la oficejo ĝis la 3-a de marto. Skribu al ana@co.example.\n",
        "Házon kívül vagyok március 12-ig. Sürgős ügyben: bela@co.example\n",
        "Angikho ehhovisi kuze kube ngu-12 Mashi. Xhumana no-ana@co.example.\n",
    ],
)
def test_an_out_of_office_under_a_reply_subject_is_known_by_its_words(body):
    assert _from_liza("Re: Offer", body, thread=True).kind == "auto_reply"


@pytest.mark.parametrize(
    "body",
    [
        # asks something: a person, whatever else the text says
        "Estaré ausente hasta el 12. ¿Puede escribir a ana@co.example con el precio?\n",
        # no one else to write to
        "Házon kívül vagyok március 12-ig, utána beszéljünk a bevezetésről.\n",
    ],
)
def test_a_person_mentioning_an_absence_stays_human(body):
    assert _from_liza("Re: Offer", body, thread=True).kind == "human"


# What a review of the readers above found them taking for machine mail; each is a person.
@pytest.mark.parametrize(
    "headers, body",
    [
        # a subject ending like a list's notice, over a request to stop
        ("Subject: Unsubscribe request\n", "Please remove me from your mailing list.\n"),
        # an absence word shared with English, a time, and an assistant's address
        ("Subject: Re: Offer\nIn-Reply-To: <ours-1@ours.example>\n",
         "Sounds good, let's meet Tuesday at 10. Please cc my assistant maria@co.example. "
         "I'll be absent on Friday.\n"),
        # our mail held by their filter, then a question
        ("Subject: Re: Offer\nIn-Reply-To: <ours-1@ours.example>\n",
         "Your email was held in quarantine by our IT. I've added you to our approved senders "
         "list now. Pricing looks fine, can we meet Tuesday?\n"),
        # a subject that starts with an absence noun
        ("Subject: Absence management pilot: next steps\n",
         "Let's book a meeting Thursday 3pm with our HR lead.\n"),
    ],
)  # fmt: skip
def test_what_only_looks_automatic_stays_human(headers, body):
    p = _parse(f"From: Ana <ana@co.example>\nTo: am@ours.example\n{headers}\n{body}")
    assert p.kind == "human"


@pytest.mark.parametrize(
    "payload",
    [
        {"data": {"recipient": "ann@far.example", "status": "FilteredSpam"}},  # their filter
        {"event": "not_spam", "email": "ann@far.example"},
        {"type": "invoice.payment_failed", "data": {"email": "ann@far.example"}},  # Stripe
    ],
)
def test_only_the_event_itself_names_a_bounce_or_complaint(payload):
    raw = _relayed(payload, automatic=False, sender="Zaps <zaps@ours.example>")
    raw = raw.replace("Subject: Fwd: webhook event", "Subject: [Zapier] new event")
    assert _parse(raw).kind not in ("bounce", "complaint")


def test_a_relay_mailbox_is_read_in_the_mailbox_name_not_the_domain():
    raw = _relayed(
        {"event": "spamreport", "email": "ceo@far.example"},
        automatic=False,
        sender="Sarah <sarah@nova-events.example>",
    )
    assert _parse(raw).kind == "human"


# --- blind15: what its first measurement showed -----------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        # ht, km (a script without spaces, its own digits): away, until a date, write to another
        "Mwen an konje jiska 12 fevriye. Pou bagay ki ijan, ekri marie@co.example.\n",
        "ខ្ញុំមិននៅការិយាល័យទេ ដល់ថ្ងៃទី ១៣ ខែកុម្ភៈ។ សូមទាក់ទង sokha@co.example ។\n",
        # blind16: sm, with the glottal stop as a letter (ʻ) and without macrons on "malolo"
        "O loʻo ou malolo seʻia oʻo i le Aso Lua 3 Mati. Faʻafesoʻotaʻi mai Tavita: "
        "tavita@co.example\n",
        # blind16: yi, pointed as Yiddish spelling has it
        "איך בין נישט אין ביוראָ ביז דעם 3טן מאַרץ. שרײַבט צו רבקה: rivke@co.example\n",
    ],
)
def test_out_of_office_words_of_more_languages_are_read_under_a_reply_subject(body):
    assert _from_liza("Re: Offer", body, thread=True).kind == "auto_reply"


@pytest.mark.parametrize(
    "body",
    [
        "Mwen an konje jiska 12 fevriye. Eske marie@co.example ka wè pri a?\n",
        "איך בין נישט אין ביוראָ ביז דעם 3טן מאַרץ. קען rivke@co.example זען דעם פּרייז?\n",
    ],
)
def test_a_person_on_leave_who_asks_something_stays_human(body):
    assert _from_liza("Re: Offer", body, thread=True).kind == "human"


def test_a_newsletter_double_opt_in_is_machine_mail():
    p = _parse(
        "From: Brunner <newsletter@news.brunner.example>\nTo: am@ours.example\n"
        "Subject: Bitte bestätigen Sie Ihre Newsletter-Anmeldung\n"
        "Content-Type: text/plain; charset=utf-8\n\n"
        "Bitte bestätigen Sie Ihre Anmeldung: https://news.brunner.example/d/c/7q1x\n"
    )
    assert p.kind == "auto_reply"


INFOBIP = {
    "results": [
        {
            "messageId": "6b0f",
            "to": "nadia@far.example",
            "status": {"groupName": "REJECTED", "name": "REJECTED_SPAM_COMPLAINT"},
            "channel": "EMAIL",
        }
    ]
}


def test_a_status_given_as_an_object_names_the_event_without_its_group():
    p = _parse(_relayed(INFOBIP, automatic=False))
    assert (p.kind, p.original_recipient) == ("complaint", "nadia@far.example")
    for group, name in [
        ("DELIVERED", "DELIVERED_TO_HANDSET"),
        ("REJECTED", "REJECTED_NOT_ENOUGH_CREDITS"),
    ]:
        other = json.loads(json.dumps(INFOBIP))
        other["results"][0]["status"] = {"groupName": group, "name": name}
        # our account's trouble (no credit) is no bounce of the recipient
        assert _parse(_relayed(other, automatic=False)).kind not in ("bounce", "complaint")


def test_an_event_mailed_from_our_own_mailboxes_domain_is_the_event():
    colleague = "Quillfern Ops <ops@ours.example>"
    raw = _relayed(SPAM_EVENT, automatic=False, sender=colleague)
    raw = raw.replace("Subject: Fwd: webhook event", "Subject: Email events: new event")
    ours = frozenset({"ours.example"})
    assert parse(raw.encode(), today=TODAY, our_domains=ours).kind == "complaint"
    # without knowing our domain, or from a prospect's domain, a person pasted it
    assert _parse(raw).kind == "human"
    prospect = raw.replace(colleague, "Ops <ops@far.example>").replace(
        "To: am@ours.example", "To: am@ours.example, bob@far.example"
    )
    assert parse(prospect.encode(), today=TODAY, our_domains=ours).kind == "human"


@pytest.mark.parametrize("subject", ["Make workflow question", "Zapier zap flagged your email"])
def test_a_workflow_tools_name_in_a_persons_subject_marks_no_relay(subject):
    raw = _relayed(SPAM_EVENT, automatic=False, sender="Ops <ops@elsewhere.example>")
    assert _parse(raw.replace("Subject: Fwd: webhook event", f"Subject: {subject}")).kind == "human"


# --- blind16: what its first measurement showed -----------------------------------------


@pytest.mark.parametrize(
    "subject",
    [
        "Almost there: confirm your subscription",
        "Action required - please confirm your email address",
        "Last step! Confirm your sign-up",
    ],
)
def test_a_double_opt_in_with_a_lead_in_is_machine_mail(subject):
    p = _parse(
        "From: Oakline <hello@oakline.example>\nTo: am@ours.example\n"
        f"Subject: {subject}\nContent-Type: text/plain; charset=utf-8\n\n"
        "Click to confirm: https://oakline.example/c/9\n"
    )
    assert p.kind == "auto_reply"


ONE_CLICK = (
    "List-Unsubscribe: <https://news.oakline.example/u/9>\n"
    "List-Unsubscribe-Post: List-Unsubscribe=One-Click\n"
)


def _newsletter(*, one_click: bool):
    return _parse(
        "From: Oakline <hello@oakline.example>\nTo: am@ours.example\nSubject: Re: Offer\n"
        "In-Reply-To: <ours-1@ours.example>\nX-Mailer: Sendy 6.1\n"
        + (ONE_CLICK if one_click else "")
        + "Content-Type: text/plain\n\nTwenty new lines this spring, all in stock.\n"
    )


def test_rfc_8058_one_click_backs_another_sign_of_bulk_mail():
    # In our thread, one sign (the newsletter program) is not enough; the header is a second.
    assert _newsletter(one_click=False).kind == "human"
    assert _newsletter(one_click=True).kind == "auto_reply"


@pytest.mark.parametrize("thread", [False, True])
def test_a_persons_mail_with_one_click_alone_stays_human(thread):
    # sales tools put the header on one-to-one mail too
    p = _from_liza("Your offer", "Sounds good, can we talk Tuesday?\n", thread=thread)
    raw = (
        "From: Liza <liza@co.example>\nTo: am@ours.example\nSubject: Your offer\n"
        + ("In-Reply-To: <ours-1@ours.example>\n" if thread else "")
        + ONE_CLICK
        + "Content-Type: text/plain\n\nSounds good, can we talk Tuesday?\n"
    )
    assert p.kind == _parse(raw).kind == "human"


@pytest.mark.parametrize(
    ("subject", "body", "thread"),
    [
        (
            "Quick question: confirm your email address?",
            "Is this the right one for invoices?",
            False,
        ),
        ("[EXTERNAL] Re: Confirm your registration", "Booked, see you there.", True),
        ("Odp: Confirm your registration", "Booked, see you there.", False),
        ("Heads up - confirm your email", "Please stop emailing me.", False),
    ],
)
def test_a_persons_subject_like_a_double_opt_in_stays_human(subject, body, thread):
    assert _from_liza(subject, body + "\n", thread=thread).kind == "human"


# --- blind17: what its first measurement showed -----------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        # kl: the whole statement one word ("I am not in the office")
        "Allaffimmiinngilanga 14. aprili 2026 tikillugu. Una attavigiuk: una@co.example\n",
        # ty, the glottal stop written ʻ
        "Aita vau i te piha toroʻa e tae roa atu i te 9 no ʻeperera. A pāpaʻi ia Moana: "
        "moana@co.example\n",
    ],
)
def test_an_absence_said_in_one_word_or_in_tahitian_is_read_under_a_reply_subject(body):
    assert _from_liza("Re: Offer", body, thread=True).kind == "auto_reply"


@pytest.mark.parametrize(
    "body",
    [
        # a long noun for an absence, or for the notice, in a person's own sentences
        "Omluvte mou nepřítomnost 3. 6., za mě přijde kolega jan@firma.example.\n",
        "Sorry, meine Abwesenheitsnotiz lief noch bis 1.6. Schreiben Sie auch an team@firma.example\n",
        # a colleague away, in the third person: a person's redirect
        "Una sulinngiffeqarpoq 14. juni tikillugu. Ole@co.example allaffigiuk.\n",
    ],
)
def test_an_absence_noun_or_a_colleagues_absence_in_a_reply_stays_human(body):
    assert _from_liza("Re: Offer", body, thread=True).kind == "human"


def _opt_in(subject: str, *, unsubscribe: bool = True, thread: bool = False) -> str:
    return (
        f"From: Kohout <news@kohout.example>\nTo: am@ours.example\nSubject: {subject}\n"
        + ("In-Reply-To: <ours-1@ours.example>\n" if thread else "")
        + ("List-Unsubscribe: <https://kohout.example/u/8c1f>\n" if unsubscribe else "")
        + "Content-Type: text/plain; charset=utf-8\n\n"
        "Ke dokončení klikněte: https://kohout.example/confirm/8c1f0a7e\n"
    )


@pytest.mark.parametrize(
    "subject",
    [
        "Confirmá tu suscripción",  # voseo
        "Potvrďte prosím přihlášení k odběru",
        "Potvrďte odber noviniek",
        "Potwierdź subskrypcję",
        "Bekräfta din prenumeration på vårt nyhetsbrev",
        "Vahvista tilauksesi",
        "Подтвердите подписку на рассылку",
        "Aboneliğinizi onaylayın",
    ],
)
def test_a_double_opt_in_is_read_in_the_languages_newsletter_software_is_set_up_in(subject):
    # no list header: the subject decides
    assert _parse(_opt_in(subject, unsubscribe=False)).kind == "auto_reply"
    # the same subject over a person's question, or in our thread, is that person's mail
    assert _from_liza(subject, "Je to pro mě? Kdo mě přihlásil?\n").kind == "human"
    assert _from_liza(subject, "Hotovo, díky.\n", thread=True).kind == "human"


@pytest.mark.parametrize(
    "subject",
    [
        "Potvrďte prosím odběr 200 ks",  # an order's collection, not a subscription
        "Подтвердите адрес доставки",
        "Bekräfta din anmälan till mötet",
        "Bekræft dit abonnement hos os",
        "登録確認について",
    ],
)
def test_a_person_asking_to_confirm_an_order_an_address_or_a_meeting_stays_human(subject):
    assert _from_liza(subject, "Děkuji, Jana\n").kind == "human"


LOOPS_SPAM = {
    "type": "email.spamReported",
    "contactIdentity": {"email": "dana@far.example", "id": "c1"},
    "email": {"id": "em_1", "subject": "Offer"},
}


@pytest.mark.parametrize(
    ("sender", "subject"),
    [
        # the workflow tool named as the sender, or in its tag before the subject
        ("Huginn <ops@elsewhere.example>", "Loops webhook"),
        ("Pabbly Connect <ops@elsewhere.example>", "New event"),
        ("Node-RED <ops@elsewhere.example>", "New event"),
        ("Zoho Flow <ops@elsewhere.example>", "New event"),
        ("Ops <ops@elsewhere.example>", "[huginn] Loops webhook"),
        ("Ops <ops@elsewhere.example>", "[Zoho Flow] New event"),
    ],
)
def test_a_spam_reported_event_relayed_by_a_workflow_tool_is_a_complaint(sender, subject):
    raw = _relayed(LOOPS_SPAM, automatic=False, sender=sender)
    raw = raw.replace("Subject: Fwd: webhook event", f"Subject: {subject}")
    p = _parse(raw)
    assert (p.kind, p.original_recipient) == ("complaint", "dana@far.example")
    # the same payload from a person's mailbox, under a plain subject, is that person's mail
    pasted = raw.replace(sender, "Dana Ruiz <dana@far.example>").replace(
        f"Subject: {subject}", "Subject: what our webhook got"
    )
    assert _parse(pasted).kind == "human"


def test_a_double_opt_in_is_known_by_its_parts_whatever_its_subject_says():
    # a subject in no table: the list header around a confirmation link decides
    assert _parse(_opt_in("Ještě jeden krok")).kind == "auto_reply"
    # without the list header it is a person's link; in our thread it needs a second sign
    assert _parse(_opt_in("Ještě jeden krok", unsubscribe=False)).kind == "human"
    assert _parse(_opt_in("Re: Ještě jeden krok", thread=True)).kind == "human"


# --- blind18: what its first measurement showed -----------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        # ki
        "Ndĩrĩ ofisi nginya 18 Mweri wa Gatatũ. Andĩkĩra Kamau: kamau@co.example\n",
        # Solomon Islands Pijin (Bislama and Tok Pisin say it alike)
        "Mi no stap long ofis go kasem 20 Maj. Plis toktok long grace@co.example.\n",
    ],
)
def test_an_absence_in_kikuyu_or_a_melanesian_pidgin_is_read_under_a_reply_subject(body):
    assert _from_liza("Re: Offer", body, thread=True).kind == "auto_reply"
    # the same words with a question are a person's
    asked = body + "Can we talk after that?\n"
    assert _from_liza("Re: Offer", asked, thread=True).kind == "human"


MAILCHIMP_CLEANED = (
    "type=cleaned&fired_at=2026-03-10+06%3A11%3A58&data%5Blist_id%5D=a6b5da1054"
    "&data%5Breason%5D=hard&data%5Bemail%5D=dana%40far.example"
)


def _form_relay(sender: str, subject: str, line: str) -> str:
    return (
        f"From: {sender}\nTo: am@ours.example\nSubject: {subject}\n\n"
        f"Raw payload (application/x-www-form-urlencoded):\n{line}\n"
    )


def test_a_form_encoded_webhook_relayed_by_a_workflow_tool_is_read_as_the_event():
    raw = _form_relay("Ops <ops@elsewhere.example>", "[tray] Mailchimp webhook", MAILCHIMP_CLEANED)
    p = _parse(raw)
    assert (p.kind, p.original_recipient) == ("bounce", "dana@far.example")
    # Mandrill posts its events as JSON in a form field
    events = json.dumps([{"event": "spam", "msg": {"email": "dana@far.example"}}])
    line = "mandrill_events=" + urllib.parse.quote(events) + "&source=relay"
    p = _parse(_form_relay("Ops <ops@elsewhere.example>", "[Tines] New event", line))
    assert (p.kind, p.original_recipient) == ("complaint", "dana@far.example")
    # a person pasting the same line under their own subject stays that person
    pasted = _form_relay("Dana Ruiz <dana@far.example>", "what our webhook got", MAILCHIMP_CLEANED)
    assert _parse(pasted).kind == "human"


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("users.messages.email.MarkAsSpam", "complaint"),  # Braze
        ("spammed", "complaint"),  # Customer.io's metric
        ("Marked Email as Spam", "complaint"),  # Klaviyo's metric
        ("Bounced Email", "bounce"),
        ("cleaned", "bounce"),  # Mailchimp
    ],
)
def test_more_services_event_names_are_read(name, kind):
    payload = {"event_type": name, "properties": {"address": "dana@far.example"}}
    raw = _relayed(payload, automatic=False, sender="Automation <automation@ours.example>")
    p = _parse(raw.replace("Subject: Fwd: webhook event", "Subject: [tines] braze currents"))
    assert (p.kind, p.original_recipient) == (kind, "dana@far.example")


def _acy(subject: str, mailer: str = "AcyMailing") -> str:
    return (
        f"From: Bee club <news@club.example>\nTo: am@ours.example\nSubject: {subject}\n"
        f"X-Mailer: {mailer}\nContent-Type: text/plain; charset=utf-8\n\n"
        "https://club.example/index.php?option=com_acym&task=confirm&id=311&key=Qw8x\n"
    )


def test_a_double_opt_in_from_newsletter_software_without_a_list_header_is_machine_mail():
    # its X-Mailer names the software; the subject is in no table
    assert _parse(_acy("Ένα βήμα ακόμη")).kind == "auto_reply"
    # the Greek noun form of "confirm your subscription" is in the table
    assert _parse(_acy("Επιβεβαίωση εγγραφής", mailer="")).kind == "auto_reply"
    # a person's mail client with the same link is a person's link
    assert _parse(_acy("Ένα βήμα ακόμη", mailer="Thunderbird")).kind == "human"
    # in our thread the software's X-Mailer is one sign, not two
    threaded = _acy("Pilot", mailer="Mailster").replace(
        "X-Mailer", "In-Reply-To: <o@ours>\nX-Mailer"
    )
    assert _parse(threaded).kind == "human"


@pytest.mark.parametrize(
    ("subject", "body", "thread"),
    [
        # a "?" that ends a sentence after a link is a question; so is one after a bracket
        (
            "Poza biurem: wasze maile",
            "Remove me. Or do I have to use www.ours.example/optout?",
            False,
        ),
        (
            "Re: Offer",
            "Ich bin bis 12. März nicht im Büro, bitte an kamau@co.example. Können Sie mir "
            "das Angebot über www.co.example/upload?",
            True,
        ),
        (
            "Re: Offer",
            "Ist das der richtige Link (https://co.example/a)? Ich bin bis 12.3. nicht im Büro, "
            "bitte an kamau@co.example.",
            True,
        ),
    ],
)
def test_a_question_mark_after_a_link_is_still_a_question(subject, body, thread):
    assert _from_liza(subject, body + "\n", thread=thread).kind == "human"


def test_an_absence_subject_over_a_request_to_stop_is_a_persons_mail():
    assert _from_liza("Frånvaro: era mejl", "Please remove me from your list.\n").kind == "human"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("a=1&a[b]=2", {"a": {"b": "2"}}),  # a later "a[b]" makes "a" an object
        ("a[b]=1&a[b][c]=2", {"a": {"b": {"c": "2"}}}),
        ("to[]=x%40far.example&to[]=y%40far.example", {"to": ["x@far.example", "y@far.example"]}),
        ("e=%7B%22k%22%3A1%7D&f=%7Bnot", {"e": {"k": 1}, "f": "{not"}),
    ],
)
def test_form_encoded_keys_nest_and_collect_as_php_posts_them(line, expected):
    assert machine._form(line) == expected


# --- blind19: what its first measurement showed -----------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        # Plautdietsch
        "Ekj sie bat tom 6. April nich em Kontor. Schriew bitte aun hiebert@co.example.\n",
        # Tuvaluan
        "Au e se i te ofisa seia oko ki te 2 o Apelila. Fesili ki a Feue: feue@co.example\n",
    ],
)
def test_an_absence_in_plautdietsch_or_tuvaluan_is_read_under_a_reply_subject(body):
    assert _from_liza("Re: Offer", body, thread=True).kind == "auto_reply"


def _abuse(sender: str, subject: str, *, thread: bool = False) -> str:
    return (
        f"From: {sender}\nTo: abuse@ours.example\nSubject: {subject}\n"
        + ("In-Reply-To: <ours-1@ours.example>\n" if thread else "")
        + "Content-Type: text/plain; charset=utf-8\n\n"
        "We have received an abuse report concerning email sent from your server\n"
        "198.51.100.41. The complainant writes:\n\n  > Please make it stop.\n\n"
        "Please investigate and reply to this ticket within 48 hours.\n"
    )


def test_an_abuse_report_about_mail_is_a_complaint_without_a_spam_word():
    p = _parse(_abuse("Cloud Abuse <abuse@cloud.example>", "[ABUSE-2026-031877] 198.51.100.41"))
    # the desk withholds the complainant: a complaint that suppresses nobody by guess
    assert (p.kind, p.original_recipient) == ("complaint", "")
    # the same words from a person answering our mail are theirs, and so are they from an
    # abuse desk's people answering in our thread
    person = _abuse("Dana Ruiz (Anti-Abuse Labs) <dana@far.example>", "Re: Offer", thread=True)
    assert _parse(person).kind == "human"
    desk = _abuse("Abuse Team <abuse@hostco.example>", "Re: Offer", thread=True)
    assert _parse(desk).kind == "human"
