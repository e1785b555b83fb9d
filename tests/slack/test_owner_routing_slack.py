"""The account's owner decides, as Slack sees it: the running app, signed clicks, and the fake
Web API on loopback answering users.info (with `deleted`) and users.lookupByEmail. A card for
an account Leo owns lands in Leo's channel; Leo's click decides, the agent's owner's click is
refused with who decides, an operator's decides; a departed owner falls back and the
operator channel hears it once."""

from __future__ import annotations

import json

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlmodel import col, select

from bot.agent import loop
from bot.review import lifecycle as reviews
from handlers.ids import APPROVE
from handlers.slack_humans import SlackHumans
from storage.models import Account, Draft, Review
from tests.conftest import OPERATOR, approve_plays, running_service, serve_settings
from tests.fakes.slack_requests import block_action, interaction_body, post_signed, wait_for
from tests.slack.test_home import open_home, published

DANA, LEO, SAM = "U0AMDANA01", "U0AMLEO002", "U0AMSAM003"
DANA_CHANNEL, LEO_CHANNEL, OPS = "C0REVIEWS01", "C0REVIEWS02", "C0OPS"
LEOS = {"bluefin", "cobalt", "fjord", "granite"}


def everyone_in_slack(slack) -> None:
    slack.users[DANA] = {"tz": "Europe/London", "profile": {"email": "dana@northwind.example"}}
    slack.users[LEO] = {"tz": "America/New_York", "profile": {"email": "leo@northwind.example"}}


def tick_and_post(rt) -> list[tuple[Review, str]]:
    approve_plays(rt)
    loop.tick(rt)
    reviews.post_pending(rt)
    with rt.db.session() as s:
        q = select(Review, Draft.account_id).join(Draft, col(Draft.id) == Review.subject_id)
        q = q.where(Review.kind == "draft", Review.status == "open").order_by(col(Review.id))
        return [(r, a) for r, a in s.exec(q)]


def posted_to(slack, review_id: int) -> str:
    """The channel the card of this review was posted to."""
    return next(
        c.args["channel"]
        for c in slack.accepted("chat.postMessage")
        if (c.args.get("metadata") or {}).get("event_payload", {}).get("review_id") == review_id
    )


def click(http, user: str, review: Review):
    payload = block_action(user, APPROVE, f"{review.id}:{review.content_hash}", review.channel)
    return post_signed(http, "/slack/events", interaction_body(payload))


def ephemerals_for(slack, user: str) -> list[str]:
    return [c.args["text"] for c in slack.of("chat.postEphemeral") if c.args.get("user") == user]


def status_of(rt, review_id: int) -> tuple[str, str]:
    with rt.db.session() as s:
        review = s.get_one(Review, review_id)
        return review.status, review.decided_by


def test_the_card_lands_with_the_account_owner_who_decides(service, slack, http):
    everyone_in_slack(slack)
    got = tick_and_post(service.rt)
    leos = [r for r, a in got if r.agent_id == "data-platform" and a in LEOS]
    assert len(leos) >= 2
    first, second = leos[:2]
    assert (first.owner, first.channel) == (LEO, LEO_CHANNEL)
    assert posted_to(slack, first.id) == LEO_CHANNEL
    danas = [r for r, a in got if a not in LEOS]
    assert danas and all(posted_to(slack, r.id) == DANA_CHANNEL for r in danas)
    asked = [c.args.get("user") for c in slack.of("users.info")]
    assert asked.count(LEO) == 1 and asked.count(DANA) == 1, "one lookup per AM, then cached"

    # The agent's owner (Dana) clicks Approve on Leo's card: refused, saying who decides.
    assert click(http, DANA, first).status_code == 200
    text = wait_for(lambda: ephemerals_for(slack, DANA))[0]
    assert text == f"This account's owner <@{LEO}> decides this review (or an operator)."
    assert status_of(service.rt, first.id) == ("open", "")

    # Leo decides it.
    click(http, LEO, first)
    update = wait_for(lambda: slack.of("chat.update"))[0].args
    assert (update["channel"], update["ts"]) == (LEO_CHANNEL, first.message_ts)
    assert "Approved by" in json.dumps(update["blocks"])
    assert status_of(service.rt, first.id) == ("decided", LEO)

    # So may an operator.
    click(http, OPERATOR, second)
    wait_for(lambda: status_of(service.rt, second.id)[0] == "decided")
    assert status_of(service.rt, second.id) == ("decided", OPERATOR)


def test_app_home_shows_the_agent_owner_their_reviews_with_other_ams(service, slack, http):
    everyone_in_slack(slack)
    got = tick_and_post(service.rt)
    away = [r for r, a in got if r.agent_id == "data-platform" and a in LEOS]
    open_home(http, DANA)
    view = wait_for(lambda: published(slack, DANA))[-1].args["view"]
    text = json.dumps(view)
    assert "Your agents' reviews with other AMs: " + str(len(away)) in text
    assert f"<@{LEO}> decides in <#{LEO_CHANNEL}>" in text
    for review in away:
        assert f"#{review.id} " in text
    # Seen there, not decided there: no buttons of Leo's reviews on Dana's Home.
    values = [
        e.get("value", "")
        for b in view["blocks"]
        if b["type"] == "actions"
        for e in b.get("elements", [])
    ]
    assert not [v for v in values if v.split(":")[0] in {str(r.id) for r in away}]


def test_a_deactivated_owner_falls_back_and_the_operators_hear_it_once(home, db_url, slack):
    everyone_in_slack(slack)
    slack.users[LEO]["deleted"] = True
    settings = serve_settings(home, db_url, slack, TWOLOOP_OPERATOR_CHANNEL=OPS)
    with running_service(settings) as service:
        got = tick_and_post(service.rt)
        leos = [r for r, a in got if r.agent_id == "data-platform" and a in LEOS]
        assert leos and all((r.owner, posted_to(slack, r.id)) == (DANA, DANA_CHANNEL) for r in leos)
        reviews.post_pending(service.rt)
        reviews.sweep(service.rt)
        told = [c.args["text"] for c in slack.accepted() if c.args["channel"] == OPS]
        assert len(told) == 1, told
        assert told[0].startswith(f":warning: Account owner <@{LEO}> is deactivated")
        assert "Bluefin Pay" in told[0] and "Granite Cloud" in told[0]


def test_an_owner_named_by_email_is_found_with_users_lookup_by_email(service, slack):
    everyone_in_slack(slack)
    slack.users[SAM] = {"profile": {"email": "sam@northwind.example"}}
    with service.rt.db.session() as s:
        acme = s.get_one(Account, "acme")
        acme.owner_am = "Sam@Northwind.example"
        s.add(acme)
    got = tick_and_post(service.rt)
    acme_review = next(r for r, a in got if a == "acme")
    # Sam is in Slack but has no channel in ams.yml: Sam decides, in the agent's channel.
    assert (acme_review.owner, posted_to(slack, acme_review.id)) == (SAM, DANA_CHANNEL)
    lookups = slack.of("users.lookupByEmail")
    assert [c.args["email"] for c in lookups] == ["sam@northwind.example"]


def test_slack_humans_reads_the_directory_and_raises_only_when_slack_did_not_answer(slack):
    everyone_in_slack(slack)
    slack.users["U0GONE0001"] = {"deleted": True}
    humans = SlackHumans(WebClient(token="xoxb-test-token", base_url=slack.url))
    assert humans.user_status(LEO) == "active"
    assert humans.user_status("U0GONE0001") == "deactivated"
    assert humans.user_status("U0NOBODY01") == "unknown"  # user_not_found
    assert humans.user_by_email("LEO@northwind.example") == LEO
    assert humans.user_by_email("nobody@northwind.example") is None  # users_not_found
    # No answer is not "nobody": the caller keeps what it knew (bot/memory/owners.py).
    slack.fail_next("users.info", 500)
    with pytest.raises(SlackApiError):
        humans.user_status(LEO)
    slack.fail_next("users.info", 200, {"ok": False, "error": "ratelimited"})
    with pytest.raises(SlackApiError):
        humans.user_status(LEO)
    slack.fail_next("users.lookupByEmail", 200, {"ok": False, "error": "missing_scope"})
    with pytest.raises(SlackApiError):
        humans.user_by_email("leo@northwind.example")
    assert humans.user_status(LEO) == "active", "the next call answers again"
