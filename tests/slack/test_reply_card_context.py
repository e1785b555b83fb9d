"""The reply and draft cards in Slack carry the whole context: the thread, the signals and the
match path that started it, the account owner as a mention, the standing and the history;
every piece of outside text escaped, and the card within Slack's limits whatever its size."""

from __future__ import annotations

import json
import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from slack_sdk import WebClient
from sqlmodel import select

from bot.ports import Relationship, ReplyCard, ThreadMessage
from handlers.slack_humans import SlackHumans
from handlers.views.cards import card_blocks, fallback_text
from handlers.views.text import esc
from storage.models import Review
from tests.fakes.slack_api import call_problems
from tests.review.test_relationship_cards import build, conversation
from tests.slack.test_slack_limits import EXPIRES, as_message, reply_card, review_card

RAW = ("<!channel>", "<@U123>", "<https://evil", "<b>")


def texts(obj) -> list[str]:
    """Every string in a message's blocks, however deeply nested."""
    if isinstance(obj, str):
        return [obj]
    if isinstance(obj, dict):
        return [t for v in obj.values() for t in texts(v)]
    if isinstance(obj, list | tuple):
        return [t for v in obj for t in texts(v)]
    return []


def posted(slack, card) -> list[str]:
    """Post the card as the service does and return the strings Slack received."""
    SlackHumans(WebClient(token="xoxb-test", base_url=slack.url)).post_review(card)
    call = slack.accepted()[-1]
    blocks = call.args["blocks"]
    blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
    return texts(blocks)


def test_reply_card_in_slack_shows_thread_signal_path_owner_and_history(rt, slack):
    c = conversation(rt)
    card = build(rt, c.review_id)
    strings = posted(slack, card)
    whole = "\n".join(strings)

    # The thread, oldest first, each message with its date, direction and a short quote.
    assert "*Thread* (oldest first)" in whole
    order = [whole.index(f"({m.label})") for m in card.thread]
    assert order == sorted(order)
    for m in card.thread:
        assert f"`{m.at:%Y-%m-%d}` *{'We' if m.ours else 'They'}* ({m.label})" in whole
    assert "← _this reply_" in whole
    assert "&gt;About 40k a year. &lt;b&gt;Talk soon&lt;/b&gt;" in whole.replace("\n>", "&gt;")

    # What started it: the signals and the path, as the draft card shows them.
    assert "*What started it*" in whole
    for line in card.signals:
        assert esc(line) in whole
    assert card.paths and all(esc(p.steps[0].src) in whole for p in card.paths)

    # The account owner is a mention; the standing and the history are there, escaped.
    assert f"<@{c.account.owner_am}>" in whole
    assert all(esc(x) in whole for x in card.memory.flags)
    assert all(esc(x) in whole for x in card.memory.history)
    assert "*History* (newest first)" in whole

    # Their words never act: <!channel>, a user mention, a disguised link are shown as typed.
    for raw in RAW:
        assert not [s for s in strings if raw in s], raw
    assert "&lt;!channel&gt; &lt;@U123&gt; &amp; &lt;https://evil|Sign in&gt;" in whole


def test_draft_card_in_slack_shows_owner_standing_and_history(rt, slack):
    c = conversation(rt)
    with rt.db.session() as s:
        review_id = _draft_review(s, c.draft.id)
    from_draft = build(rt, review_id)
    card = replace(from_draft, memory=replace(from_draft.memory, earlier=3))
    whole = "\n".join(posted(slack, card))
    assert f"*Account owner*\n<@{c.account.owner_am}>" in whole
    assert "*Needs a look:*" in whole and all(esc(x) in whole for x in card.memory.flags)
    assert all(esc(x) in whole for x in card.memory.history)
    assert "_…and 3 earlier_" in whole
    assert all(raw not in whole for raw in RAW)


def _draft_review(s, draft_id: int) -> int:
    return s.exec(
        select(Review.id).where(Review.kind == "draft", Review.subject_id == draft_id)
    ).one()


def test_an_owner_that_is_not_a_user_id_is_shown_as_text():
    rng = random.Random(15)
    card = review_card(rng, status="open", memory=Relationship(owner="<!channel> boss"))
    whole = "\n".join(texts([b.to_dict() for b in card_blocks(card)]))
    assert "&lt;!channel&gt; boss" in whole and "<!channel>" not in whole


def test_huge_threads_and_histories_stay_within_slack_limits():
    rng = random.Random(20261015)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    evil = "<!channel> " + "&<>" * 2000 + "x" * 9000
    for n in range(6):
        base: ReplyCard = reply_card(rng)
        thread = tuple(
            ThreadMessage(start + timedelta(hours=i), i % 2 == 0, "reply", evil, evil, i == 7)
            for i in range(n * 9)
        )
        memory = Relationship(
            owner="U0AMDANA01",
            stops=(evil,) * n * 5,
            flags=(evil,) * n * 5,
            history=(evil,) * 5,
            earlier=n * 100,
        )
        card = replace(
            base, thread=thread, signals=(evil,) * n * 10, relationship=(evil,) * n, memory=memory
        )
        blocks = card_blocks(card)
        message = as_message(blocks, fallback_text(card))
        assert call_problems("chat.postMessage", message) is None
        whole = "\n".join(texts(message["blocks"]))
        assert "<!channel>" not in whole
        if len(thread) > 12:
            assert f"_…{len(thread) - 12} earlier messages_" in whole
        draft = review_card(rng, memory=memory, expires_at=EXPIRES)
        message = as_message(card_blocks(draft), fallback_text(draft))
        assert call_problems("chat.postMessage", message) is None
