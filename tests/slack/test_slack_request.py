"""handlers/slack_request.py decodes Slack's form payloads itself: it must read every body
exactly as Bolt (urllib) would, and leave the signature check to Bolt."""

from __future__ import annotations

import json
import random
from urllib.parse import quote_plus, unquote_plus, urlencode

import pytest
from slack_bolt import BoltRequest

from handlers.slack_request import SlackRequest, form_value
from tests.fakes.slack_requests import block_action, interaction_body, sign

FORM = {"content-type": ["application/x-www-form-urlencoded"]}


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "plain",
        "a+b",
        "%7B%22k%22%3A+%22v%22%7D",
        "caf%C3%A9+%E2%9C%93+%F0%9F%98%80",  # 2-, 3- and 4-byte UTF-8
        "back%5Cslash+and+a+real+\\n+backslash",
        "%5Cx41+is+not+A",  # an escaped backslash followed by what looks like an escape
        "100%",  # a stray percent at the end
        "%zz+and+%4",  # percent signs that start no escape
        "%C3",  # a truncated UTF-8 sequence: replaced, as urllib does
        "%ff%fe",  # bytes that are not UTF-8
        "n%C3%A4%C3%AFve+%u00e9",  # a %u escape is not one
        "caf\u00e9%20raw",  # not ASCII at all
    ],
)
def test_form_value_reads_what_urllib_reads(raw):
    assert form_value(raw) == unquote_plus(raw)


def test_form_value_agrees_with_urllib_on_random_text():
    rng = random.Random(5)
    alphabet = 'ab %+&=\\"{}:,<>|*\n\té✓😀' + "%2" + "%C3%A9" + "%5C" + "%G1"
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        for raw in (text, quote_plus(text)):
            assert form_value(raw) == unquote_plus(raw), raw


def test_a_click_reads_as_bolt_reads_it_and_keeps_its_raw_body():
    click = block_action("U1", "approve", "7:abc")
    click["message"]["blocks"] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": 'Hi *Dana* "100%" & \\ café ✓'}}
    ]
    body = interaction_body(click)
    headers = {k.lower(): [v] for k, v in sign(body).items()}
    ours = SlackRequest(body=body, query="", headers=headers)
    bolts = BoltRequest(body=body, query="", headers=headers)
    assert ours.body == bolts.body == click
    assert ours.raw_body == body  # the signature is checked against the bytes sent
    assert dict(ours.context) == dict(bolts.context)


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        (urlencode({"command": "/twoloop", "text": "status"}), FORM),  # a slash command
        ("payload=" + quote_plus(json.dumps({"type": "x"})), {}),  # no content type
        ('{"type": "event_callback", "event": {"type": "app_home_opened"}}', {}),
        ("payload=%7Bnot+json", FORM),
    ],
)
def test_other_bodies_are_read_by_bolt_or_refused_as_empty(body, headers):
    ours = SlackRequest(body=body, query="", headers=headers)
    try:
        expected = BoltRequest(body=body, query="", headers=headers).body
    except ValueError:
        expected = {}  # Bolt raises on a payload that is not JSON; here nothing matches it
    assert ours.body == expected
    assert ours.raw_body == body
