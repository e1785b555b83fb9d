"""Reply targets as Slack shows them, through the fake Web API: the card says the target,
the nudge goes in the card's thread, the operators' notice links the card and names its
owner, the queue puts overdue replies first and says by how much, the digest counts them."""

from __future__ import annotations

import json
from datetime import timedelta

from slack_sdk import WebClient

from bot.mail.inbound import replies
from bot.ports import CardRef, Notice, User
from bot.reports import digest, status
from bot.review import lifecycle
from handlers.slack_humans import SlackHumans
from handlers.views.answers import queue_text
from handlers.views.digest import digest_blocks
from storage.models import Review
from tests.mail.test_replies import reply_to
from tests.review.test_reply_sla import BERLIN, OPS, at_berlin, start


def slack_humans(slack) -> SlackHumans:
    return SlackHumans(WebClient(token="xoxb-test", base_url=slack.url))


def overdue_notices(slack) -> list:
    return [
        c
        for c in slack.accepted()
        if c.args.get("channel") == OPS and "past its target" in c.args["text"]
    ]


def blocks_text(call) -> str:
    blocks = call.args["blocks"]
    return json.dumps(json.loads(blocks) if isinstance(blocks, str) else blocks)


def test_card_nudge_and_overdue_notice_in_slack(rt, slack):
    ours, clock = start(rt)
    rt.humans = slack_humans(slack)
    got = replies.ingest(rt, reply_to(ours, "Could we set up a call next Tuesday?"), "t")
    with rt.db.session() as s:
        review = s.get_one(Review, got.review_id)
    [card] = [c for c in slack.accepted() if c.args["text"].startswith("Reply from")]
    shown = blocks_text(card)
    assert ":stopwatch: *Reply within 1 working hour: due 11:00 (Europe/Berlin)*" in shown
    assert "reply by <!date^" in shown and "stays open until someone decides" in shown
    assert "expires <!date^" not in shown

    clock.at = at_berlin(clock, 10, 31)
    assert lifecycle.sweep(rt)["reminded"] == 1
    nudge = slack.accepted()[-1]
    assert nudge.args["channel"] == review.channel
    assert nudge.args["thread_ts"] == review.message_ts, "in the card's thread"
    assert nudge.args["text"] == (
        f"<@{review.owner}> this reply is waiting on you: "
        "reply within 1 working hour: due 11:00 (Europe/Berlin)."
    )

    clock.at = at_berlin(clock, 11, 1)
    assert lifecycle.sweep(rt)["overdue"] == 1
    [told] = overdue_notices(slack)
    link = f"https://test.slack.com/archives/{review.channel}/p{review.message_ts.replace('.', '')}"
    assert f"<{link}|review #{review.id}>" in told.args["text"]
    assert f"owned by <@{review.owner}>" in told.args["text"]
    assert told.args["text"].startswith(":rotating_light: A hot reply is past its target")
    [redrawn] = [c for c in slack.accepted("chat.update") if c.args["ts"] == review.message_ts]
    assert ":rotating_light: *Reply within 1 working hour: overdue by 1 min*" in blocks_text(
        redrawn
    )
    clock.at += timedelta(hours=1)
    lifecycle.sweep(rt)
    assert len(overdue_notices(slack)) == 1


def test_notice_without_a_permalink_names_the_cards_channel(slack):
    slack.fail_next("chat.getPermalink", 200, {"ok": False, "error": "message_not_found"})
    notice = Notice.of("Late: ", CardRef(5, "C0REVIEWS01", "1700000000.000001"), ", ", User("U0A"))
    slack_humans(slack).notify(OPS, notice)
    assert slack.accepted()[-1].args["text"] == "Late: review #5 in <#C0REVIEWS01>, <@U0A>"


def test_queue_and_digest_in_slack(rt, slack):
    ours, clock = start(rt)
    got = replies.ingest(rt, reply_to(ours, "Yes, interested, send me more info"), "t")
    clock.at = at_berlin(clock, 13)
    text = queue_text(*_queue(rt))
    lines = text.splitlines()
    assert lines[0].endswith("replies with a target first, then oldest first")
    assert lines[1].startswith(f"• #{got.review_id} _reply_ ")
    assert lines[1].endswith(":rotating_light: *overdue by 2 h*")

    d = digest.digest_for(rt, clock.at.astimezone(BERLIN).date(), tz="Europe/Berlin", partial=True)
    shown = json.dumps([b.to_dict() for b in digest_blocks(d)])
    assert "*Replies*: 0 of 1 answered within target; 1 still open past target" in shown


def _queue(rt):
    q = status.queue(rt, None)
    return q.items, q.total
