"""What a read of the blind-set rule rounds found: ordinary business replies that the new
families took for requests to stop, and a person's reply with JSON in it taken for an ESP's
complaint event. Each must stay a reply that is not suppressed."""

from __future__ import annotations

import json
from datetime import date
from email.message import EmailMessage

import pytest

from bot.mail.inbound.parse import parse
from bot.mail.triage.rules import RuleClassifier
from bot.mail.triage.vocabulary import should_suppress

TODAY = date(2026, 3, 10)


def _suppressed(text: str) -> bool:
    return should_suppress(RuleClassifier().classify(text, "Re: Quick question", today=TODAY))


@pytest.mark.parametrize(
    "text",
    [
        "I've blocked your calendar invite for Tuesday at 10.",
        "We blocked you in our calendar for Tuesday afternoon.",
        "I marked it as not spam, so your next one will land in my inbox.",
        "I'll mark you as safe so it doesn't go to spam again. Send the deck?",
        "Sent to spam by our filter, sorry. Happy to chat Tuesday.",
        "Moved your email to junk by accident, just found it. Tell me more.",
        "We require deletion of all data at the end of the pilot; is that possible?",
        "Does your product process data without our consent?",
        "Can we use the logo without any permission?",
        "Das Projekt hört auf im März, danach gerne ein Gespräch.",
    ],
)
def test_business_replies_that_share_words_with_a_stop_are_not_suppressed(text):
    assert not _suppressed(text)


@pytest.mark.parametrize(
    "text",
    [
        "Reported as spam.",
        "Blocked your domain.",
        "I've reported you as spam.",
        "We have blocked your domain.",
        "I'll be marking every future email from you as spam.",
    ],
)
def test_the_writer_blocking_or_reporting_us_still_suppresses(text):
    assert _suppressed(text)


def test_a_persons_reply_with_json_in_it_is_no_complaint():
    m = EmailMessage()
    m["From"] = "dev@acme.example"
    m["To"] = "sam@sender.example"
    m["Subject"] = "Re: API question"
    m["Message-ID"] = "<r.1@acme.example>"
    m["In-Reply-To"] = "<ours.1@sender.example>"
    m["Date"] = "Tue, 3 Mar 2026 10:00:00 +0000"
    payload = {"type": "feedback", "event": "spam_complaint", "email": "jane@customer.example"}
    m.set_content("Our webhook sends this, can your tool read it?\n" + json.dumps(payload))
    assert parse(m.as_bytes(), today=TODAY).kind == "human"
