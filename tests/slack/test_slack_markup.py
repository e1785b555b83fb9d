"""Outside text never acts as Slack markup. A prospect's Subject and From, contact and account
names and signal summaries go through the real path (tick, cards, replies in, `/twoloop`, a
refused click, App Home, a digest) and no call the fake Slack records carries `<!channel>` or
a disguised link raw: only escaped, shown as typed."""

from __future__ import annotations

import json
import time
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid

import pytest
from sqlmodel import select

from bot.agent import loop
from bot.mail.inbound import replies
from bot.review import lifecycle as reviews
from handlers.ids import APPROVE, SEND_REPLY
from storage.models import Account, Contact, OutboxMessage, Review, Signal
from tests.conftest import (
    OPERATOR,
    approve_plays,
    running_service,
    serve_settings,
)
from tests.fakes.slack_requests import (
    block_action,
    interaction_body,
    post_signed,
    slash_command,
    wait_for,
)
from tests.slack.test_home import open_home

EVIL = "<!channel> <https://evil|Sign in again>"
RAW = ("<!channel>", "<https://evil")
OPS = "C0OPS"
STRANGER = "U0STRANGER9"


@pytest.fixture
def svc(home, db_url, slack):
    """The real service, as the `service` fixture, with an operator channel for notices and
    the fleet digest."""
    with running_service(serve_settings(home, db_url, slack, TWOLOOP_OPERATOR_CHANNEL=OPS)) as s:
        yield s


@pytest.fixture
def http(svc):
    import httpx

    with httpx.Client(base_url=svc.url, timeout=10) as client:
        yield client


def strings(obj):
    """Every string in a recorded call's arguments, however deeply nested (blocks, views)."""
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, dict):
        for v in obj.values():
            yield from strings(v)
    elif isinstance(obj, list | tuple):
        for v in obj:
            yield from strings(v)


def raw_markup(slack) -> list[tuple[str, str]]:
    return [
        (c.method, text)
        for c in list(slack.calls)
        for text in strings(c.args)
        if any(r in text for r in RAW)
    ]


def email(ours: OutboxMessage, text: str, *, sender: str, subject: str, thread: bool) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = ours.from_addr
    msg["Subject"] = subject
    msg["Date"] = format_datetime(ours.sent_at)
    msg["Message-ID"] = make_msgid(domain="prospect.example")
    if thread:
        msg["In-Reply-To"] = ours.message_id
        msg["References"] = ours.message_id
    msg.set_content(text)
    return msg.as_bytes()


def click(http, user: str, action_id: str, review: Review):
    payload = block_action(user, action_id, f"{review.id}:{review.content_hash}", review.channel)
    return post_signed(http, "/slack/events", interaction_body(payload))


def slash(http, user: str, text: str) -> str:
    resp = post_signed(http, "/slack/events", slash_command(user, text, OPS))
    assert resp.status_code == 200
    return resp.json()["text"]


def test_outside_markup_is_escaped_on_every_slack_surface(svc, slack, http):
    rt = svc.rt
    slack.users.update({"U0AMDANA01": {}, "U0AMLEO002": {}})  # the AMs are in the workspace
    approve_plays(rt)
    with rt.db.session() as s:  # what discovery and the CRM bring in is outside text too
        for a in s.exec(select(Account)):
            a.name = f"{a.name} {EVIL}"
            a.am_notes = f"call first {EVIL}"
            s.add(a)
        for c in s.exec(select(Contact)):
            c.first_name = f"<!channel> {c.first_name}"
            c.title = "<https://evil|CTO>"
            s.add(c)
        for sig in s.exec(select(Signal)):
            sig.summary = f"{sig.summary} {EVIL}"
            s.add(sig)
        s.commit()
    slack.calls.clear()
    loop.tick(rt)
    reviews.post_pending(rt)
    with rt.db.session() as s:
        first = s.exec(
            select(Review)
            .where(Review.kind == "draft", Review.status == "open")
            .order_by(Review.id)
        ).first()
    cards = slack.accepted("chat.postMessage")
    assert cards, "draft cards were posted"
    assert "&lt;!channel&gt;" in json.dumps(cards[0].args["blocks"])  # shown, escaped

    click(http, first.owner, APPROVE, first)

    def sent():
        with rt.db.session() as s:
            return s.exec(select(OutboxMessage).where(OutboxMessage.status == "sent")).first()

    ours = wait_for(sent, what="the approved draft sent")
    # A reply on the thread that needs a person: its Subject and From carry markup.
    sender = formataddr(("<!channel> <https://evil|Dana's boss>", ours.to_addr))
    got = replies.ingest(
        rt,
        email(
            ours,
            f"Interesting. What does it cost for 40 seats? {EVIL}",
            sender=sender,
            subject=EVIL,
            thread=True,
        ),
        "test",
    )
    assert got.route == "review", got
    # A reply matching nothing of ours: the operators are told (bot/mail/inbound/replies.py's notice).
    replies.ingest(
        rt,
        email(
            ours,
            f"Who are you? {EVIL}",
            sender=formataddr((EVIL, "someone@elsewhere.example")),
            subject=EVIL,
            thread=False,
        ),
        "test",
    )
    reviews.post_pending(rt)
    reply_review = wait_for(
        lambda: _review(rt, got.review_id) if _review(rt, got.review_id).message_ts else None,
        what="the reply card posted",
    )

    queue = slash(http, OPERATOR, "queue")
    assert "reply" in queue and "&lt;!channel&gt;" in queue
    for answer in (
        queue,
        slash(http, OPERATOR, "status"),
        slash(http, OPERATOR, "status data-platform"),
    ):
        assert not any(r in answer for r in RAW), answer
    paused = slash(http, OPERATOR, f"pause data-platform {EVIL}")
    assert not any(r in paused for r in RAW), paused
    assert not any(r in slash(http, OPERATOR, f"status {EVIL}") for r in RAW)
    slash(http, OPERATOR, "digest")

    click(http, STRANGER, SEND_REPLY, reply_review)  # refused: not the owner
    wait_for(
        lambda: [c for c in slack.of("chat.postEphemeral") if c.args.get("user") == STRANGER],
        what="the refusal",
    )
    open_home(http, OPERATOR)
    wait_for(lambda: slack.of("views.publish"), what="App Home published")
    wait_for(
        lambda: [
            c
            for c in slack.of("chat.postMessage")
            if c.args["channel"] == OPS and c.args.get("blocks")
        ],
        what="the fleet digest",
    )
    time.sleep(0.3)  # notices after the acks

    methods = {c.method for c in slack.calls}
    assert {"chat.postMessage", "chat.update", "chat.postEphemeral", "views.publish"} <= methods
    texts = [t for c in slack.calls for t in strings(c.args)]
    assert any("&lt;!channel&gt;" in t for t in texts)
    assert any("&lt;https://evil|Sign in again&gt;" in t for t in texts)
    assert raw_markup(slack) == []
    refused = [c for c in slack.calls if not c.ok and c.method != "auth.test"]
    assert refused == [], [(c.method, c.args.get("error")) for c in refused]


def _review(rt, review_id: int) -> Review:
    with rt.db.session() as s:
        return s.get(Review, review_id)


def test_a_reason_is_stored_as_typed_and_shown_escaped_once(rt):
    from handlers.commands import run_command
    from storage.models import AgentState

    # Slack sends a command's text with &, < and > escaped, as it would show them.
    answer = run_command(rt, OPERATOR, "pause data-platform R&amp;D &lt;urgent&gt;")["text"]
    with rt.db.session() as s:
        assert s.get(AgentState, "data-platform").paused_reason == "R&D <urgent>"
    detail = run_command(rt, OPERATOR, "status data-platform")["text"]
    for shown in (answer, detail):
        assert "&amp;amp;" not in shown and "&amp;lt;" not in shown, shown
    assert "R&amp;D &lt;urgent&gt;" in detail
