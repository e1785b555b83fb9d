"""Who may see and do what, and the limits on what a request may carry."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.agent import loop
from bot.review import lifecycle as reviews
from bot.settings import SettingsError
from handlers.hosting.serve import Service
from handlers.hosting.web import MAX_BODY
from storage.models import Decision, Review
from tests.conftest import OPERATOR, approve_plays, make_settings
from tests.fakes.slack_requests import (
    block_action,
    interaction_body,
    post_signed,
    sign,
    slash_command,
)

DANA, LEO, STRANGER = "U0AMDANA01", "U0AMLEO002", "U0STRANGER"


def slash(http, user: str, text: str):
    body = slash_command(user, text, "C0ANY")
    resp = post_signed(http, "/slack/events", body)
    assert resp.status_code == 200
    return resp.json()["text"]


@pytest.fixture
def open_reviews(service):
    approve_plays(service.rt)
    loop.tick(service.rt)
    reviews.post_pending(service.rt)
    with service.rt.db.session() as s:
        found = list(s.exec(select(Review).where(Review.status == "open", Review.kind == "draft")))
    owners = {r.owner for r in found}
    assert {DANA, LEO} <= owners, owners  # both starter AMs have work waiting
    return found


def test_an_am_sees_only_their_own_queue(service, http, open_reviews):
    mine = [r for r in open_reviews if r.owner == DANA]
    theirs = [r for r in open_reviews if r.owner == LEO]
    dana = slash(http, DANA, "queue")
    assert all(f"#{r.id} " in dana for r in mine[:5])
    assert not any(f"#{r.id} " in dana for r in theirs)
    assert "No open reviews" in slash(http, STRANGER, "queue")
    everyone = slash(http, OPERATOR, "queue")
    assert any(f"#{r.id} " in everyone for r in theirs) and any(
        f"#{r.id} " in everyone for r in mine
    )


def test_an_am_cannot_decide_another_ams_review(service, slack, http, open_reviews):
    theirs = next(r for r in open_reviews if r.owner == LEO)
    payload = block_action(DANA, "review_approve", f"{theirs.id}:{theirs.content_hash}")
    assert post_signed(http, "/slack/events", interaction_body(payload)).status_code == 200
    service.work.jobs.shutdown()  # wait for the hand-off to finish
    with service.rt.db.session() as s:
        assert s.exec(select(Decision).where(Decision.review_id == theirs.id)).first() is None
        assert s.get(Review, theirs.id).status == "open"


def test_oversized_slack_request_is_refused_before_it_is_read(service, http):
    body = "payload=" + "x" * (MAX_BODY + 1)
    resp = http.post("/slack/events", content=body, headers=sign(body))
    assert resp.status_code == 413


def test_http_mode_needs_the_signing_secret(home, db_url, slack):
    settings = make_settings(home, db_url, SLACK_BOT_TOKEN="xoxb-t", SLACK_API_URL=slack.url)
    with pytest.raises(SettingsError, match="SLACK_SIGNING_SECRET"):
        Service(settings, port=0, scheduler=False)


def test_signed_with_another_apps_secret_is_refused(service, http, open_reviews):
    review = open_reviews[0]
    body = interaction_body(
        block_action(review.owner, "review_approve", f"{review.id}:{review.content_hash}")
    )
    resp = http.post("/slack/events", content=body, headers=sign(body, secret="x" * 32))
    assert resp.status_code == 401
    service.work.jobs.shutdown()
    with service.rt.db.session() as s:
        assert s.get(Review, review.id).status == "open"
