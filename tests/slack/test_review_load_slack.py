"""The operator's load as Slack shows it: opening a modal on a card is a press that counts,
a refused one is not, and `/twoloop status` and the digest say how long the queue took today
against its target. Signed requests to the running app, the fake Web API on loopback."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlmodel import select

from bot.review import clicks
from handlers.ids import APPROVE, EDIT, FULL_TEXT, KILL
from storage.models import ReviewClick
from tests.conftest import OPERATOR
from tests.fakes.slack_requests import post_signed, slash_command, wait_for
from tests.slack.test_slack_http import click, ephemerals_for, posted_cards

AM = "U0AMDANA01"  # owns data-platform, whose cards go to C0REVIEWS01
NOW = datetime(2026, 11, 18, 15, 0, tzinfo=UTC)


def presses(service) -> list[tuple[int, str, str]]:
    with service.rt.db.session() as s:
        rows = s.exec(select(ReviewClick).order_by(ReviewClick.id)).all()
        return [(c.review_id, c.actor, c.action) for c in rows]


def slash(http, user: str, text: str) -> str:
    resp = post_signed(http, "/slack/events", slash_command(user, text, "C0OPS"))
    assert resp.status_code == 200
    return resp.json()["text"]


def cards_posted_two_days_ago(service, slack):
    """Cards (and the plays' approvals) from two days back, so today holds only the test's
    presses; then the clock stands still at NOW."""
    service.rt.clock = lambda: NOW - timedelta(days=2)
    cards = [c for c in posted_cards(service, slack) if c.agent_id == "data-platform"]
    service.rt.clock = lambda: NOW
    slack.calls.clear()
    return cards


def test_opening_a_modal_or_the_full_text_counts_a_refused_press_does_not(service, slack, http):
    card = cards_posted_two_days_ago(service, slack)[0]
    before = presses(service)
    click(http, card.owner, EDIT, card)
    wait_for(lambda: presses(service)[len(before) :], what="the edit press")
    click(http, card.owner, FULL_TEXT, card)
    wait_for(lambda: len(presses(service)) == len(before) + 2, what="the full-text press")
    assert len(wait_for(lambda: slack.of("views.open"))) >= 1

    click(http, "U0STRANGER9", KILL, card)
    assert "Only the owner" in wait_for(lambda: ephemerals_for(slack, "U0STRANGER9"))[0]
    assert presses(service)[len(before) :] == [
        (card.id, card.owner, "edit_open"),
        (card.id, card.owner, "show_full"),
    ]


def test_status_and_the_digest_show_the_queue_minutes_today(service, slack, http):
    first, second, *_ = cards_posted_two_days_ago(service, slack)
    rt = service.rt
    before = len(presses(service))  # the plays' approvals, two days ago
    # Dana reads the first card for two minutes, then approves it in Slack at NOW: three
    # presses a minute apart, 3 min. An operator looks at the second one: 1 min.
    clicks.record(rt, first.id, AM, "show_full", NOW - timedelta(minutes=2))
    clicks.record(rt, first.id, AM, "edit_open", NOW - timedelta(minutes=1))
    clicks.record(rt, second.id, OPERATOR, "show_full", NOW - timedelta(minutes=30))
    clicks.record(rt, second.id, OPERATOR, "show_full", NOW - timedelta(minutes=29, seconds=30))
    click(http, AM, APPROVE, first)
    wait_for(lambda: presses(service)[before + 4 :], what="the approval's press")
    assert presses(service)[-1] == (first.id, AM, "approve")

    fleet = slash(http, OPERATOR, "status")
    assert "*Review time*: queue today: 4 min (target 20) · 5 clicks, 1 decided" in fleet
    assert "card to decision: median 2.0 d" in fleet  # posted two days before the approval
    assert f"by reviewer: <@{AM}> 3 min, <@{OPERATOR}> 1 min" in fleet

    one = slash(http, AM, "status data-platform")
    assert "*Review time*: 4 min on its cards today (5 clicks, 1 decided;" in one
    assert "security-expansion" not in one

    slack.users[AM] = {"tz": "UTC"}
    assert slash(http, AM, "digest").startswith("Posting the digest")
    (post,) = wait_for(
        lambda: [c for c in slack.of("chat.postMessage") if c.args.get("blocks")],
        what="the digest",
    )
    assert post.args["channel"] == "C0REVIEWS01"
    blocks = json.dumps(post.args["blocks"])
    assert "*Review time*: queue today: 4 min (target 20)" in blocks
    assert f"by reviewer: <@{AM}> 3 min, <@{OPERATOR}> 1 min" in blocks
    assert "Review time: queue today: 4 min (target 20)" in post.args["text"]
