"""Cards, modals, App Home and digests stay within Slack's Block Kit limits whatever the input:
long text is cut with '…' and the whole of it is one click away ("Show full text"). The fake
Slack refuses what the real one refuses (`invalid_blocks`), so a violation fails a test."""

from __future__ import annotations

import json
import random
from dataclasses import replace
from datetime import UTC, date, datetime

from sqlmodel import select

from bot.agent import loop
from bot.ports import MatchPath, PathStep, PlayCard, PlaySample, ReplyCard, ReviewCard
from bot.readouts import AgentDigest, DayCounts, Digest
from bot.reports.home import AgentHealth, Home
from bot.review import lifecycle as reviews
from handlers.ids import FULL_TEXT
from handlers.views.answers import refusal_text
from handlers.views.cards import card_blocks, fallback_text
from handlers.views.digest import digest_blocks
from handlers.views.digest import fallback_text as digest_fallback
from handlers.views.home import home_view
from handlers.views.modals import (
    defer_modal,
    edit_modal,
    full_text_modal,
    kill_modal,
    reclassify_modal,
    reply_edit_modal,
)
from handlers.views.text import MORE, chunks, clip, esc, md
from storage.models import Draft, Review
from tests.conftest import approve_plays
from tests.fakes.slack_api import call_problems
from tests.fakes.slack_requests import block_action, interaction_body, post_signed, wait_for

EXPIRES = datetime(2030, 1, 1, 12, tzinfo=UTC)
ODD = [
    "",
    " ",
    "&",
    "<",
    ">",
    "&amp;&lt;&gt;",
    "<!channel>",
    "<https://evil|Sign in>",
    "```",
    "*_~`",
    "\n\n\n",
    "é" * 7,
    "👩‍👩‍👧‍👦",
    "\u202e",
    "{}",
    "{0}",
    "%s",
]


def huge(rng: random.Random, n: int) -> str:
    """Text of about `n` characters mixing markup, entities, long lines and newlines."""
    parts = []
    while sum(map(len, parts)) < n:
        pick = rng.random()
        if pick < 0.3:
            parts.append(rng.choice(ODD))
        elif pick < 0.5:
            parts.append("\n")
        elif pick < 0.6:
            parts.append("x" * rng.randint(1000, 9000))  # one line longer than a section
        else:
            parts.append(
                " ".join(rng.choice(["signal", "&", "<b>", "data", "fund"]) for _ in range(40))
            )
    return "".join(parts)[:n]


def sizes(rng: random.Random) -> str:
    return huge(rng, rng.choice([0, 1, 10, 149, 151, 1999, 2001, 2999, 3001, 40_000, 200_000]))


def review_card(rng: random.Random, **kw) -> ReviewCard:
    t = lambda: sizes(rng)  # noqa: E731
    card = ReviewCard(
        review_id=rng.randint(1, 10**9),
        kind="draft",
        status=rng.choice(["open", "decided", "expired"]),
        agent_id="a",
        agent_name=t(),
        owner="U0AM",
        channel="C0R",
        message_ts="1.2",
        content_hash="0" * 64,
        account=t(),
        contact_name=t(),
        contact_title=t(),
        contact_email="x@example.com",
        signals=tuple(t() for _ in range(rng.randint(0, 60))),
        paths=tuple(
            MatchPath((PathStep(t(), "hiring_for", t(), 1.0, 0.9, 3),), 0.4)
            for _ in range(rng.randint(0, 10))
        ),
        match_score=0.4,
        subject=t(),
        body=t(),
        personalization=0.8,
        personalization_threshold=0.7,
        personalization_basis=t(),
        confidence=0.5,
        confidence_threshold=0.6,
        reasons=tuple(t() for _ in range(rng.randint(0, 40))),
        relationship=tuple(t() for _ in range(rng.randint(0, 10))),
        config_version="abc",
        expires_at=EXPIRES,
        outcome="kill",
        decided_by="U0AM",
        decided_at=EXPIRES,
        outcome_detail=t(),
        followups=tuple((rng.randint(1, 30), t()) for _ in range(rng.randint(0, 30))),
    )
    return replace(card, **kw)


def reply_card(rng: random.Random) -> ReplyCard:
    t = lambda: sizes(rng)  # noqa: E731
    return ReplyCard(
        review_id=7,
        status=rng.choice(["open", "decided"]),
        agent_name=t(),
        owner="U0AM",
        channel="C0R",
        message_ts="1.2",
        content_hash="h",
        expires_at=EXPIRES,
        contact_name=t(),
        contact_title=t(),
        account=t(),
        from_addr=t(),
        our_subject=t(),
        our_body=t(),
        their_subject=t(),
        their_text=t(),
        intent="pricing_question",
        confidence=0.4,
        triggers=tuple(t()[:50] for _ in range(rng.randint(0, 5))),
        rationale=t(),
        suggestion=t(),
        reasons=tuple(t() for _ in range(rng.randint(0, 20))),
        handled=t(),
        outcome="reclassify",
        decided_by="W0OP",
        decided_at=EXPIRES,
        outcome_detail=t(),
    )


def play_card(rng: random.Random) -> PlayCard:
    t = lambda: sizes(rng)  # noqa: E731
    return PlayCard(
        review_id=9,
        status=rng.choice(["open", "decided"]),
        play_id=t()[:80],
        play_name=t(),
        agent_name=t(),
        owner="U0AM",
        channel="C0R",
        message_ts="",
        content_hash="h",
        trigger=tuple(t()[:40] for _ in range(rng.randint(0, 8))),
        targets_customers=rng.random() < 0.5,
        subject_template=t(),
        body_template=t(),
        samples=tuple(PlaySample(t(), t(), t()) for _ in range(rng.randint(0, 30))),
        expires_at=EXPIRES,
        outcome="approve",
        decided_by="U0AM",
        decided_at=EXPIRES,
    )


def as_message(blocks, text: str) -> dict:
    return {"text": text, "blocks": [b.to_dict() for b in blocks]}


def assert_accepted(method: str, args: dict) -> None:
    refused = call_problems(method, args)
    assert refused is None, refused[1][:5]


def test_cards_stay_within_every_limit_for_huge_and_odd_input():
    rng = random.Random(20261121)
    for n in range(60):
        card = [review_card, reply_card, play_card][n % 3](rng)
        blocks = card_blocks(card)
        message = as_message(blocks, fallback_text(card))
        assert_accepted("chat.postMessage", message)
        assert len(message["text"]) <= 3000
        assert_accepted("views.open", {"view": full_text_modal(card).to_dict()})
        if isinstance(card, ReviewCard):
            for view in (edit_modal(card), kill_modal(card), defer_modal(card, date(2026, 11, 21))):
                assert_accepted("views.open", {"view": view.to_dict()})
        if isinstance(card, ReplyCard):
            for view in (reply_edit_modal(card), reclassify_modal(card)):
                assert_accepted("views.open", {"view": view.to_dict()})
        dumped = json.dumps(message)
        assert "<!channel>" not in dumped and "<https://evil" not in dumped


def test_a_long_signal_summary_no_longer_gives_a_card_slack_refuses():
    """The reported case: a very long signal summary (and the body quoting it) gave 76 blocks."""
    summary = "Hiring 40 data engineers across " + "EMEA, " * 40_000
    card = review_card(
        random.Random(1),
        status="open",
        signals=(summary,),
        body=("We saw: " + summary + "\n") * 3,
        followups=(),
    )
    blocks = card_blocks(card)
    assert len(blocks) <= 50
    assert_accepted("chat.postMessage", as_message(blocks, fallback_text(card)))
    texts = json.dumps([b.to_dict() for b in blocks], ensure_ascii=False)
    assert MORE in texts
    full = [b for b in blocks if b.to_dict().get("block_id", "").startswith("full:")]
    assert full and full[0].elements[0].action_id == FULL_TEXT
    assert full[0].elements[0].value == f"{card.review_id}:{card.content_hash}"
    decide = [b for b in blocks if (b.to_dict().get("block_id") or "").startswith("review:")]
    assert [e.text.text for e in decide[0].elements] == ["Approve", "Edit", "Defer", "Kill"]
    modal = full_text_modal(card).to_dict()
    shown = "".join(b["text"]["text"] for b in modal["blocks"] if b["type"] == "section")
    assert esc(summary[:50_000]) in shown  # the whole text, paged, as far as a modal holds


def test_a_short_card_has_no_full_text_button():
    card = review_card(
        random.Random(2),
        status="open",
        agent_name="Data platform",
        account="Acme (acme.example)",
        contact_name="Ada",
        contact_title="CTO",
        signals=("hiring: data engineers",),
        paths=(),
        subject="Hello",
        body="Short.",
        personalization_basis="named the role",
        reasons=("on probation",),
        relationship=("status: prospect",),
        followups=(),
    )
    text = json.dumps([b.to_dict() for b in card_blocks(card)], ensure_ascii=False)
    assert FULL_TEXT not in text and MORE not in text


def test_cutting_never_splits_an_entity_or_a_code_block():
    for n in range(1, 40):
        for s in (esc("&" * 50), esc("<>" * 30), "a" * 100):
            cut = clip(s, n)
            assert len(cut) <= n
            body = cut.removesuffix(MORE)
            assert body.count("&") == body.count(";") or "&" not in s
    text = md("*They wrote*:\n```{}```", "<" * 10_000, limit=3000)
    assert len(text) <= 3000 and text.endswith(f"{MORE}```")
    for size in (5, 17, 3000):
        pages = chunks(esc("a&b<c>" * 3000), size)
        assert all(len(p) <= size for p in pages)
        assert "".join(pages) == esc("a&b<c>" * 3000)
        assert all(p.count("&") == p.count(";") for p in pages)


def test_refusals_escape_outside_text_in_their_detail():
    assert "<" not in refusal_text("blocked", detail="subject <!channel> too long")
    assert "<" not in refusal_text("invalid", detail="<https://evil|x> is not a date")
    assert refusal_text("forbidden", detail="U0AM") == (
        "Only the owner (<@U0AM>) or an operator can decide this review."
    )


def test_home_and_digest_stay_within_limits():
    rng = random.Random(3)
    cards = [review_card(rng, status="open") for _ in range(5)]
    cards += [reply_card(rng) for _ in range(5)] + [play_card(rng) for _ in range(5)]
    cards = [replace(c, status="open") for c in cards]
    agents = [
        AgentHealth(f"a{n}", sizes(rng), "probation", True, sizes(rng), DayCounts(), 3, 0.1)
        for n in range(60)
    ]
    home = Home(
        "U0AM",
        True,
        cards,
        500,
        agents,
        DayCounts(),
        "UTC",
        notice=refusal_text("x", detail=sizes(rng)),
    )
    view = home_view(home).to_dict()
    assert_accepted("views.publish", {"view": view})
    dumped = json.dumps(view)
    assert "<!channel>" not in dumped and "<https://evil" not in dumped
    digest_agents = [
        AgentDigest(
            f"a{n}",
            sizes(rng),
            "U0AM",
            "C0R",
            "probation",
            True,
            sizes(rng),
            DayCounts(kill_reasons={sizes(rng)[:100]: 3}),
            DayCounts(),
            4,
            2.0,
            None,
            None,
            [sizes(rng) for _ in range(8)],
            [],
        )
        for n in range(70)
    ]
    digest = Digest(
        "fleet",
        "",
        date(2026, 11, 21),
        "UTC",
        False,
        EXPIRES,
        digest_agents,
        DayCounts(),
        DayCounts(),
        [],
        4,
        2.0,
    )
    message = as_message(digest_blocks(digest), digest_fallback(digest))
    assert_accepted("chat.postMessage", message)
    dumped = json.dumps(message)
    assert "<!channel>" not in dumped and "<https://evil" not in dumped


def test_fake_slack_refuses_what_slack_refuses(slack):
    """The fake is the test's Slack: it must say invalid_blocks where Slack would."""
    from slack_sdk import WebClient
    from slack_sdk.errors import SlackApiError

    client = WebClient(token="xoxb-test", base_url=slack.url)
    too_many = [{"type": "divider"}] * 51
    long_section = [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}]
    long_header = [{"type": "header", "text": {"type": "plain_text", "text": "x" * 151}}]
    long_button = [
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "text": {"type": "plain_text", "text": "x" * 76},
                    "action_id": "a",
                }
            ],
        }
    ]
    for blocks in (too_many, long_section, long_header, long_button):
        try:
            client.chat_postMessage(channel="C1", text="t", blocks=blocks)
        except SlackApiError as exc:
            assert exc.response["error"] == "invalid_blocks"
        else:
            raise AssertionError(f"accepted {json.dumps(blocks)[:80]}")
    client.chat_postMessage(channel="C1", text="t", blocks=[{"type": "divider"}] * 50)


def test_a_card_with_a_huge_body_is_posted_and_its_full_text_opens(service, slack, http):
    """Through the real service: the card Slack used to refuse is accepted on the first try,
    and "Show full text" opens a modal with the body."""
    rt = service.rt
    approve_plays(rt)
    loop.tick(rt)
    long_body = "Hello,\n" + ("We noticed the hiring & the <funding> round. " * 8000)
    with rt.db.session() as s:
        review = s.exec(
            select(Review)
            .where(Review.kind == "draft", Review.status == "open")
            .order_by(Review.id)
        ).first()
        draft = s.get(Draft, review.subject_id)
        draft.body = long_body
        s.add(draft)
        s.commit()
    slack.calls.clear()
    reviews.post_pending(rt)
    posts = slack.of("chat.postMessage")
    assert posts and all(c.ok for c in posts), [c.args.get("text") for c in posts if not c.ok]
    with rt.db.session() as s:
        review = s.get(Review, review.id)
    assert review.message_ts
    mine = [c for c in posts if c.ts == review.message_ts][0]
    button = [
        e
        for b in mine.args["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == FULL_TEXT
    ][0]
    payload = block_action("U0ANYONE1", FULL_TEXT, button["value"], review.channel)
    assert post_signed(http, "/slack/events", interaction_body(payload)).status_code == 200
    view = wait_for(lambda: [c for c in slack.of("views.open") if c.ok])[0].args["view"]
    shown = "".join(b["text"]["text"] for b in view["blocks"] if b["type"] == "section")
    assert esc(long_body[:20_000]) in shown
