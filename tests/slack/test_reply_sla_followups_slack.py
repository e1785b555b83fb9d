"""Reply-target follow-ups as Slack shows them, through the fake Web API: with no operator
channel the owner is told in the card's thread; a notice Slack refused is sent at the next
sweep; a cut queue and App Home lead with the hot reply and say how many more there are."""

from __future__ import annotations

from slack_sdk import WebClient

from bot.mail.inbound import replies
from bot.reports import home, status
from bot.review import lifecycle
from handlers.slack_humans import SlackHumans
from handlers.views.answers import queue_text
from handlers.views.home import home_view
from tests.conftest import OPERATOR
from tests.mail.test_replies import reply_to
from tests.review.test_reply_sla import OPS, at_berlin, review_of, start
from tests.review.test_reply_sla_followups import HOT, twenty_overdue_others_and_a_new_hot


def past_target(slack) -> list:
    return [c for c in slack.accepted() if "past its target" in c.args["text"]]


def test_without_an_operator_channel_the_owner_hears_in_the_cards_thread(rt, slack):
    ours, clock = start(rt)
    rt.settings.operator_channel = ""
    rt.humans = SlackHumans(WebClient(token="xoxb-test", base_url=slack.url))
    got = replies.ingest(rt, reply_to(ours, HOT), "t")
    review = review_of(rt, got.review_id)
    clock.at = at_berlin(clock, 11)
    assert lifecycle.sweep(rt)["overdue"] == 1
    [told] = past_target(slack)
    assert told.args["channel"] == review.channel
    assert told.args["thread_ts"] == review.message_ts
    text = told.args["text"]
    assert text.startswith(f":rotating_light: <@{review.owner}> this hot reply is past its target")
    assert "no operator channel is set (TWOLOOP_OPERATOR_CHANNEL)" in text


def test_a_refused_notice_goes_out_at_the_next_sweep(rt, slack):
    ours, clock = start(rt)
    rt.humans = SlackHumans(WebClient(token="xoxb-test", base_url=slack.url))
    got = replies.ingest(rt, reply_to(ours, HOT), "t")
    clock.at = at_berlin(clock, 10, 31)
    assert lifecycle.sweep(rt)["reminded"] == 1  # the nudge is out of the way
    slack.fail_next("chat.postMessage", 200, {"ok": False, "error": "not_in_channel"})
    clock.at = at_berlin(clock, 11)
    assert lifecycle.sweep(rt)["overdue"] == 0
    assert not past_target(slack)
    assert review_of(rt, got.review_id).overdue_told_at is None
    clock.at = at_berlin(clock, 11, 5)
    assert lifecycle.sweep(rt)["overdue"] == 1
    [told] = past_target(slack)
    assert told.args["channel"] == OPS and "thread_ts" not in told.args


def test_cut_lists_lead_with_the_hot_reply_and_count_the_rest(rt):
    clock, others, hot = twenty_overdue_others_and_a_new_hot(rt)
    q = status.queue(rt, None)
    lines = queue_text(q.items, q.total).splitlines()
    assert lines[1].startswith(f"• #{hot} _reply_ ") and lines[1].endswith(
        " · due 11:00 (Europe/Berlin)"
    )
    assert lines[-1] == (f"…and {q.total - 20} more (App Home lists them with their buttons).")

    page = home.home_for(rt, OPERATOR)
    view = home_view(page).to_dict()
    texts = [b["text"]["text"] for b in view["blocks"] if b["type"] == "section"]
    reply_texts = [t for t in texts if t.startswith("*Reply* from")]
    assert len(reply_texts) == 15
    assert ":stopwatch: reply within 1 working hour: due 11:00" in reply_texts[0]
    assert all(
        ":rotating_light: *reply within 1 working day: overdue" in t for t in reply_texts[1:]
    )
    notes = [e["text"] for b in view["blocks"] if b["type"] == "context" for e in b["elements"]]
    more = f"…and {page.open_total - 15} more (the most urgent are listed first)"
    assert any(n.startswith(more) for n in notes)
