"""The Slack surface as Slack uses it: the running HTTP app, signed interaction payloads, and a
fake Web API on loopback that records every call."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlmodel import select

from bot.agent import loop
from bot.mail.inbound import replies
from bot.mail.outbound import outbox
from bot.review import lifecycle as reviews
from handlers.ids import (
    APPROVE,
    DEFER,
    DEFER_VIEW,
    EDIT,
    EDIT_VIEW,
    KILL,
    KILL_VIEW,
    RECLASSIFY,
    RECLASSIFY_VIEW,
    SEND_REPLY,
)
from storage.models import (
    AuditEvent,
    Decision,
    Draft,
    InboundMessage,
    OutboxMessage,
    Review,
    Suppression,
)
from tests.conftest import OPERATOR, approve_plays
from tests.fakes.slack_requests import (
    block_action,
    interaction_body,
    post_signed,
    sign,
    slash_command,
    view_submission,
    wait_for,
)
from tests.mail.test_replies import STOP_WITH_A_THREAT, UNREAD, reply_to

DRAFT_DECISIONS = select(Decision).where(Decision.play_version_id.is_(None))


def posted_cards(service, slack):
    approve_plays(service.rt)
    slack.calls.clear()
    loop.tick(service.rt)
    reviews.post_pending(service.rt)
    with service.rt.db.session() as s:
        q = select(Review).where(Review.status == "open", Review.kind == "draft")
        return list(s.exec(q.order_by(Review.id)))


def click(http, user, action_id, review, channel=None):
    payload = block_action(
        user, action_id, f"{review.id}:{review.content_hash}", channel or review.channel
    )
    return post_signed(http, "/slack/events", interaction_body(payload))


def ephemerals_for(slack, user):
    return [c.args["text"] for c in slack.of("chat.postEphemeral") if c.args.get("user") == user]


def test_cards_are_posted_with_the_four_buttons(service, slack):
    revs = posted_cards(service, slack)
    posts = slack.of("chat.postMessage")
    assert len(posts) == len(revs) > 0
    first = posts[0].args
    assert first["channel"] == revs[0].channel
    actions = [b for b in first["blocks"] if b["type"] == "actions"][0]
    assert [e["text"]["text"] for e in actions["elements"]] == ["Approve", "Edit", "Defer", "Kill"]
    text = json.dumps(first["blocks"])
    for needle in (
        "Personalization",
        "Confidence",
        "probation",
        "Why",
        "hiring_for",
        "Relationship",
    ):
        assert needle in text
    with service.rt.db.session() as s:
        assert all(s.get(Review, r.id).message_ts for r in revs)


def test_approve_click_updates_card_and_sends(service, slack, http):
    review = posted_cards(service, slack)[0]
    resp = click(http, review.owner, APPROVE, review)
    assert resp.status_code == 200
    update = wait_for(lambda: slack.of("chat.update"))[0].args
    assert update["ts"] == review.message_ts
    assert not any(b["type"] == "actions" for b in update["blocks"])
    assert "Approved by" in json.dumps(update["blocks"])
    wait_for(lambda: list(service.settings.outbox_dir.glob("*.eml")))
    time.sleep(0.2)
    assert len(list(service.settings.outbox_dir.glob("*.eml"))) == 1


def test_second_click_gets_ephemeral_already_decided(service, slack, http):
    review = posted_cards(service, slack)[0]
    click(http, review.owner, APPROVE, review)
    wait_for(lambda: slack.of("chat.update"))
    click(http, OPERATOR, KILL, review)
    text = wait_for(lambda: ephemerals_for(slack, OPERATOR))[0]
    assert text == f"Already approved by <@{review.owner}>."
    assert not slack.of("views.open"), "no modal for a decided review"


def test_stranger_is_refused_and_audited(service, slack, http):
    review = posted_cards(service, slack)[0]
    click(http, "U0STRANGER", APPROVE, review)
    text = wait_for(lambda: ephemerals_for(slack, "U0STRANGER"))[0]
    assert "Only the owner" in text
    with service.rt.db.session() as s:
        assert s.get(Review, review.id).status == "open"
        assert s.exec(select(AuditEvent).where(AuditEvent.action == "decision.refused")).first()


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-Slack-Signature": "v0=deadbeef", "X-Slack-Request-Timestamp": str(int(time.time()))},
        "stale",
        "wrong-secret",
    ],
)
def test_bad_signatures_get_401(service, slack, http, headers):
    review = posted_cards(service, slack)[0]
    body = interaction_body(
        block_action(review.owner, APPROVE, f"{review.id}:{review.content_hash}")
    )
    if headers == "stale":
        headers = sign(body, timestamp=int(time.time()) - 600)
    elif headers == "wrong-secret":
        headers = sign(body, secret="not-the-secret")
    else:
        headers = {**headers, "Content-Type": "application/x-www-form-urlencoded"}
    resp = http.post("/slack/events", content=body, headers=headers)
    assert resp.status_code == 401
    time.sleep(0.1)
    with service.rt.db.session() as s:
        assert s.get(Review, review.id).status == "open"


def test_edit_opens_prefilled_modal_and_submission_sends_edit(service, slack, http):
    review = posted_cards(service, slack)[0]
    click(http, review.owner, EDIT, review)
    view = wait_for(lambda: slack.of("views.open"))[0].args["view"]
    assert view["callback_id"] == EDIT_VIEW
    inputs = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
    with service.rt.db.session() as s:
        draft = s.get(Draft, review.subject_id)
    assert inputs["subject"]["initial_value"] == draft.subject
    assert inputs["body"]["initial_value"] == draft.body
    values = {
        "subject": {"value": {"type": "plain_text_input", "value": "Edited subject"}},
        "body": {"value": {"type": "plain_text_input", "value": "Edited body."}},
    }
    resp = post_signed(
        http,
        "/slack/events",
        interaction_body(
            view_submission(review.owner, EDIT_VIEW, view["private_metadata"], values)
        ),
    )
    assert resp.status_code == 200
    wait_for(lambda: list(service.settings.outbox_dir.glob("*.eml")))
    eml = next(service.settings.outbox_dir.glob("*.eml")).read_text()
    assert "Edited subject" in eml and "Edited body." in eml
    with service.rt.db.session() as s:
        d = s.exec(DRAFT_DECISIONS).one()
    assert d.action == "edit" and d.before_subject == draft.subject


def test_edit_with_empty_body_is_refused_inside_the_modal(service, slack, http):
    review = posted_cards(service, slack)[0]
    click(http, review.owner, EDIT, review)
    view = wait_for(lambda: slack.of("views.open"))[0].args["view"]
    values = {
        "subject": {"value": {"type": "plain_text_input", "value": "S"}},
        "body": {"value": {"type": "plain_text_input", "value": "  "}},
    }
    resp = post_signed(
        http,
        "/slack/events",
        interaction_body(
            view_submission(review.owner, EDIT_VIEW, view["private_metadata"], values)
        ),
    )
    assert resp.json() == {
        "response_action": "errors",
        "errors": {"body": "the body cannot be empty"},
    }
    with service.rt.db.session() as s:
        assert s.get(Review, review.id).status == "open"


def test_kill_modal_records_reason_and_sends_nothing(service, slack, http):
    review = posted_cards(service, slack)[0]
    click(http, review.owner, KILL, review)
    view = wait_for(lambda: slack.of("views.open"))[0].args["view"]
    assert view["callback_id"] == KILL_VIEW
    options = view["blocks"][0]["element"]["options"]
    assert [o["text"]["text"] for o in options] == [
        "Off-brand",
        "Wrong account",
        "Current customer",
        "Bad timing",
        "Factual error",
        "Other",
    ]
    values = {
        "reason": {
            "value": {"type": "static_select", "selected_option": {"value": "factual_error"}}
        },
        "note": {"value": {"type": "plain_text_input", "value": "they use Dagster"}},
    }
    post_signed(
        http,
        "/slack/events",
        interaction_body(
            view_submission(review.owner, KILL_VIEW, view["private_metadata"], values)
        ),
    )
    update = wait_for(lambda: slack.of("chat.update"))[0].args
    assert "Killed by" in json.dumps(update["blocks"])
    assert "they use Dagster" in json.dumps(update["blocks"])
    with service.rt.db.session() as s:
        d = s.exec(DRAFT_DECISIONS).one()
        assert (d.reason_code, d.reason_text) == ("factual_error", "they use Dagster")
        assert s.exec(select(OutboxMessage)).all() == []


def test_defer_modal_needs_a_future_date(service, slack, http):
    review = posted_cards(service, slack)[0]
    click(http, review.owner, DEFER, review)
    view = wait_for(lambda: slack.of("views.open"))[0].args["view"]
    assert view["callback_id"] == DEFER_VIEW
    past = {"until": {"value": {"type": "datepicker", "selected_date": "2020-01-01"}}}
    resp = post_signed(
        http,
        "/slack/events",
        interaction_body(view_submission(review.owner, DEFER_VIEW, view["private_metadata"], past)),
    )
    assert resp.json()["errors"] == {"until": "pick a date after today"}
    future = service.rt.now().date().toordinal() + 5
    from datetime import date

    ok = {
        "until": {
            "value": {"type": "datepicker", "selected_date": date.fromordinal(future).isoformat()}
        }
    }
    post_signed(
        http,
        "/slack/events",
        interaction_body(view_submission(review.owner, DEFER_VIEW, view["private_metadata"], ok)),
    )
    wait_for(lambda: slack.of("chat.update"))
    with service.rt.db.session() as s:
        assert s.get(Draft, review.subject_id).status == "deferred"


def test_twenty_simultaneous_approve_clicks_one_email_one_decision(service, slack, http):
    review = posted_cards(service, slack)[0]
    users = [review.owner if i % 2 else OPERATOR for i in range(20)]
    with ThreadPoolExecutor(max_workers=20) as pool:
        codes = list(pool.map(lambda u: click(http, u, APPROVE, review).status_code, users))
    assert codes == [200] * 20
    wait_for(lambda: len(slack.of("chat.postEphemeral")) == 19)
    wait_for(lambda: list(service.settings.outbox_dir.glob("*.eml")))
    time.sleep(0.3)
    outbox.flush(service.rt)
    assert len(list(service.settings.outbox_dir.glob("*.eml"))) == 1
    with service.rt.db.session() as s:
        assert len(s.exec(DRAFT_DECISIONS).all()) == 1
        assert len(s.exec(select(OutboxMessage)).all()) == 1
    assert all(
        t.startswith("Already approved by")
        for t in (c.args["text"] for c in slack.of("chat.postEphemeral"))
    )


def test_slash_command_status_and_help(service, slack, http):
    posted_cards(service, slack)
    body = slash_command(OPERATOR, "status", "C0OPS")
    resp = post_signed(http, "/slack/events", body)
    assert resp.status_code == 200
    assert "data-platform" in resp.text and "probation" in resp.text
    body = body.replace("text=status", "text=bogus")
    resp = post_signed(http, "/slack/events", body)
    assert "Unknown command" in resp.text and "status" in resp.text


def test_healthz(http):
    resp = http.get("/healthz")
    assert resp.status_code == 200
    assert resp.json() == {"ok": True, "database": "ok", "work": "running"}


def test_edit_breaking_a_content_rule_is_refused_inside_the_modal(service, slack, http):
    review = posted_cards(service, slack)[0]
    click(http, review.owner, EDIT, review)
    view = wait_for(lambda: slack.of("views.open"))[0].args["view"]
    values = {
        "subject": {"value": {"type": "plain_text_input", "value": "Hello"}},
        "body": {
            "value": {
                "type": "plain_text_input",
                "value": "Let's circle back: https://bit.example/x",
            }
        },
    }
    resp = post_signed(
        http,
        "/slack/events",
        interaction_body(
            view_submission(review.owner, EDIT_VIEW, view["private_metadata"], values)
        ),
    )
    errors = resp.json()["errors"]["body"]
    assert "circle back" in errors and "bit.example" in errors
    with service.rt.db.session() as s:
        assert s.get(Review, review.id).status == "open"


def test_play_card_shows_samples_and_approve_click_approves_the_version(service, slack, http):
    from storage.models import PlayVersion

    loop.tick(service.rt)
    reviews.post_pending(service.rt)
    posts = [c for c in slack.of("chat.postMessage") if "Play for approval" in c.args["text"]]
    assert len(posts) == 3
    blocks = posts[0].args["blocks"]
    text = json.dumps(blocks)
    assert "Sample 1" in text and "Triggered by" in text
    actions = [b for b in blocks if b["type"] == "actions"][0]
    assert [e["text"]["text"] for e in actions["elements"]] == ["Approve", "Kill"]
    with service.rt.db.session() as s:
        review = s.exec(
            select(Review).where(Review.kind == "play", Review.status == "open").order_by(Review.id)
        ).first()
    click(http, review.owner, APPROVE, review)
    wait_for(lambda: slack.of("chat.update"))
    with service.rt.db.session() as s:
        assert s.get(PlayVersion, review.subject_id).status == "approved"
    click(http, review.owner, EDIT, review)
    assert "Already approved" in wait_for(lambda: ephemerals_for(slack, review.owner))[0]


def _first_draft_approved_and_sent(service, slack, http) -> OutboxMessage:
    """The first draft card approved by its owner in Slack, and the mail it sent."""
    review = posted_cards(service, slack)[0]
    click(http, review.owner, APPROVE, review)

    def sent():
        with service.rt.db.session() as s:
            return s.exec(select(OutboxMessage).where(OutboxMessage.status == "sent")).first()

    return wait_for(sent)


def _reclassify_in_modal(http, card: Review, view: dict, intent: str, note: str | None) -> None:
    """Submit the Reclassify modal as Slack sends it: signed, with the chosen intent."""
    values = {
        "reason": {"value": {"type": "static_select", "selected_option": {"value": intent}}},
        "note": {"value": {"type": "plain_text_input", "value": note}},
    }
    post_signed(
        http,
        "/slack/events",
        interaction_body(
            view_submission(card.owner, RECLASSIFY_VIEW, view["private_metadata"], values)
        ),
    )


def test_reply_card_buttons_send_and_reclassify(service, slack, http):
    ours = _first_draft_approved_and_sent(service, slack, http)
    got = replies.ingest(service.rt, reply_to(ours, "Looks useful. Can we meet Tuesday?"), "t")
    post = [c for c in slack.of("chat.postMessage") if c.args["text"].startswith("Reply from")]
    assert len(post) == 1
    actions = [b for b in post[0].args["blocks"] if b["type"] == "actions"][0]
    # Offline nothing is drafted for a meeting request: no Send reply, notes to cover instead.
    assert [e["text"]["text"] for e in actions["elements"]] == ["Edit", "Take over", "Reclassify"]
    with service.rt.db.session() as s:
        card = s.get(Review, got.review_id)
    click(http, card.owner, RECLASSIFY, card)
    view = wait_for(lambda: slack.of("views.open"))[0].args["view"]
    assert view["callback_id"] == RECLASSIFY_VIEW
    _reclassify_in_modal(http, card, view, "meeting_request", None)
    wait_for(lambda: [c for c in slack.of("chat.update") if c.args["ts"] == card.message_ts])
    with service.rt.db.session() as s:
        assert s.get(InboundMessage, got.inbound_id).intent == "meeting_request"
    click(http, card.owner, SEND_REPLY, card)
    assert "Already reclassified" in wait_for(lambda: ephemerals_for(slack, card.owner))[0]


def _reply_card(service, slack, http, text):
    """A reply to our first sent draft, ingested: (what we sent, its card)."""
    ours = _first_draft_approved_and_sent(service, slack, http)
    got = replies.ingest(service.rt, reply_to(ours, text), "t")
    with service.rt.db.session() as s:
        card = s.get(Review, got.review_id)
        assert s.get(Suppression, ours.to_addr) is not None
    return ours, card


def _reclassify_as_question_lifts(service, slack, http, ours, card, modal_says, note):
    """Reclassify on the card: the modal says what saving does, the card then says the
    address is free, and it is."""
    click(http, card.owner, RECLASSIFY, card)
    view = wait_for(lambda: slack.of("views.open"))[0].args["view"]
    assert modal_says in json.dumps(view["blocks"])
    _reclassify_in_modal(http, card, view, "question", note)
    update = wait_for(
        lambda: [c for c in slack.of("chat.update") if c.args["ts"] == card.message_ts]
    )[0]
    assert f"{ours.to_addr} is no longer suppressed" in json.dumps(update.args["blocks"])
    with service.rt.db.session() as s:
        assert s.get(Suppression, ours.to_addr) is None


def test_reclassifying_a_stop_on_its_card_lifts_the_suppression_it_caused(service, slack, http):
    ours, card = _reply_card(service, slack, http, STOP_WITH_A_THREAT)
    _reclassify_as_question_lifts(
        service, slack, http, ours, card, "lifts that suppression", "asks about our opt-out flow"
    )


def test_a_held_reply_says_so_on_its_card_and_its_reclassify_lifts_the_hold(service, slack, http):
    ours, card = _reply_card(service, slack, http, UNREAD)
    posted = wait_for(
        lambda: [c for c in slack.of("chat.postMessage") if replies.HELD in json.dumps(c.args)]
    )
    assert posted, "the card says the address is held"
    _reclassify_as_question_lifts(
        service, slack, http, ours, card, "lifts the hold", "asks what we do"
    )
