"""Slack as it really behaves: redelivered events and repeated clicks, 429 with Retry-After,
5xx, and one chat.postMessage a second per channel. Driven through the running app (signed
HTTP requests) and the fake Slack Web API, whose call timestamps are what pacing is
measured by."""

from __future__ import annotations

import json
import logging
import threading
import time
from datetime import timedelta

from sqlmodel import select

from bot.agent import loop
from bot.ops import redelivery
from bot.ports import Notice, PostFailed
from bot.review import lifecycle as reviews
from bot.review import posting
from bot.runtime import Runtime
from handlers.ids import APPROVE, DEFER_VIEW
from storage.models import Review, SlackChannelPace, SlackDelivery
from tests.conftest import RecordingHumans, approve_plays, make_settings
from tests.fakes.slack_requests import (
    block_action,
    interaction_body,
    post_signed,
    sign,
    view_submission,
)


def open_reviews(rt: Runtime) -> list[Review]:
    with rt.db.session() as s:
        q = select(Review).where(Review.status == "open", Review.kind == "draft")
        return list(s.exec(q.order_by(Review.id)))


def drafts_waiting(rt: Runtime) -> list[Review]:
    """Draft reviews opened and not yet posted (plays approved first, as a human would)."""
    approve_plays(rt)
    loop.tick(rt)
    revs = open_reviews(rt)
    assert len({r.channel for r in revs}) >= 2, "the sample fleet has two review channels"
    return revs


def posted_cards(service, slack) -> list[Review]:
    drafts_waiting(service.rt)
    reviews.post_pending(service.rt)
    slack.calls.clear()
    return open_reviews(service.rt)


def settle(service) -> None:
    """Wait until every piece of work the app has taken so far is done."""
    service.work.jobs.shutdown()


def by_review(calls) -> dict[int, list]:
    out: dict[int, list] = {}
    for c in calls:
        if c.args.get("blocks"):
            out.setdefault(c.args["metadata"]["event_payload"]["review_id"], []).append(c)
    return out


# --- redelivery -------------------------------------------------------------------------


def home_opened(event_id: str, user: str) -> str:
    return json.dumps(
        {
            "token": "legacy-unused",
            "team_id": "T0TEAM",
            "api_app_id": "A0APP",
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(time.time()),
            "event": {
                "type": "app_home_opened",
                "user": user,
                "channel": "D0HOME",
                "tab": "home",
                "event_ts": f"{time.time():.6f}",
            },
        }
    )


def post_event(http, body: str, **headers):
    signed = {**sign(body), "Content-Type": "application/json", **headers}
    return http.post("/slack/events", content=body, headers=signed)


def test_redelivered_event_is_processed_once(service, slack, http):
    body = home_opened("Ev0FIRST", "U0AMDANA01")
    assert post_event(http, body).status_code == 200
    # Slack did not see our ack in time and delivers the same event again, twice.
    for n in (1, 2):
        again = post_event(
            http, body, **{"X-Slack-Retry-Num": str(n), "X-Slack-Retry-Reason": "http_timeout"}
        )
        assert again.status_code == 200
    assert post_event(http, home_opened("Ev0SECOND", "U0AMDANA01")).status_code == 200
    settle(service)
    publishes = slack.of("views.publish")
    assert len(publishes) == 2, "one Home per event, not per delivery"
    with service.rt.db.session() as s:
        keys = set(s.exec(select(SlackDelivery.key)).all())
    assert {"event:Ev0FIRST", "event:Ev0SECOND"} <= keys


def test_repeated_click_is_processed_once(service, slack, http):
    review = posted_cards(service, slack)[0]
    value = f"{review.id}:{review.content_hash}"
    body = interaction_body(block_action("U0STRANGER", APPROVE, value, review.channel))
    for _ in range(3):  # a proxy retrying the same request
        assert post_signed(http, "/slack/events", body).status_code == 200
    # A new click by the same person (its own action_ts) is a new interaction.
    fresh = interaction_body(block_action("U0STRANGER", APPROVE, value, review.channel))
    assert post_signed(http, "/slack/events", fresh).status_code == 200
    settle(service)
    told = [c for c in slack.of("chat.postEphemeral") if c.args["user"] == "U0STRANGER"]
    assert len(told) == 2
    assert all("Only the owner" in c.args["text"] for c in told)


def test_repeated_modal_submission_is_processed_once_but_a_correction_is_not(service, slack, http):
    review = posted_cards(service, slack)[0]
    meta = json.dumps({"r": review.id, "h": review.content_hash, "c": review.channel})

    def until(day):
        return {"until": {"value": {"type": "datepicker", "selected_date": day.isoformat()}}}

    today = service.rt.now().date()
    past = interaction_body(view_submission(review.owner, DEFER_VIEW, meta, until(today)))
    resp = post_signed(http, "/slack/events", past)
    assert resp.json()["response_action"] == "errors"
    # The same view (same id and hash) submitted again, corrected: taken.
    ok = interaction_body(
        view_submission(review.owner, DEFER_VIEW, meta, until(today + timedelta(days=3)))
    )
    for _ in range(2):  # ... and that submission repeated: dropped
        assert post_signed(http, "/slack/events", ok).status_code == 200
    settle(service)
    with service.rt.db.session() as s:
        assert s.get(Review, review.id).outcome == "defer"
    assert len(slack.of("chat.update")) == 1
    assert not slack.of("chat.postEphemeral"), "the repeat was not told 'already deferred'"


def test_old_delivery_keys_are_pruned(rt):
    now = rt.now()
    with rt.db.session() as s:
        s.add(SlackDelivery(key="event:old", at=now - timedelta(days=2)))
        s.add(SlackDelivery(key="event:new", at=now - timedelta(hours=1)))
    assert redelivery.prune(rt) == 1
    assert redelivery.first_time(rt, "event:old")
    assert not redelivery.first_time(rt, "event:new")


# --- posting ----------------------------------------------------------------------------


def test_rate_limit_holds_only_that_channel_until_retry_after(service, slack):
    revs = drafts_waiting(service.rt)
    service.rt.humans.post_interval = 0.05
    limited = revs[0].channel
    slack.fail_next(
        "chat.postMessage", 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "1"}
    )
    assert reviews.post_pending(service.rt, budget=20) == len(revs)

    calls = slack.of("chat.postMessage")
    refused = calls[0]
    assert refused.status == 429 and refused.args["channel"] == limited
    same = [c for c in calls[1:] if c.args["channel"] == limited]
    others = [c for c in calls[1:] if c.args["channel"] != limited]
    assert same[0].at - refused.at >= 1.0, "Retry-After honoured for that channel"
    assert any(c.at - refused.at < 1.0 for c in others), "other channels did not wait"
    cards = by_review(slack.accepted())
    assert sorted(cards) == [r.id for r in revs] and all(len(v) == 1 for v in cards.values())
    with service.rt.db.session() as s:
        first = s.get(Review, refused.args["metadata"]["event_payload"]["review_id"])
        assert first.message_ts and first.post_error == "" and first.post_attempts == 2


def test_server_error_keeps_the_card_unposted_then_it_is_retried(service, slack):
    revs = drafts_waiting(service.rt)
    slack.fail_next("chat.postMessage", 500, {"ok": False, "error": "internal_error"})
    assert reviews.post_pending(service.rt) == len(revs) - 1
    failed_id = slack.of("chat.postMessage")[0].args["metadata"]["event_payload"]["review_id"]
    with service.rt.db.session() as s:
        failed = s.get(Review, failed_id)
        assert (failed.message_ts, failed.posted_at) == ("", None)
        assert failed.post_error == "internal_error" and failed.post_attempts == 1
        assert failed.next_post_at is not None
    assert reviews.post_pending(service.rt) == 1
    cards = by_review(slack.accepted())
    assert sorted(cards) == [r.id for r in revs] and all(len(v) == 1 for v in cards.values())
    with service.rt.db.session() as s:
        for r in revs:
            assert s.get(Review, r.id).message_ts == cards[r.id][0].ts
        assert s.get(Review, failed_id).post_error == ""


def test_cards_are_paced_per_channel_even_with_two_posters(service, slack):
    revs = drafts_waiting(service.rt)
    interval = 0.15
    service.rt.humans.post_interval = interval
    results: list[int] = []
    posters = [
        threading.Thread(target=lambda: results.append(reviews.post_pending(service.rt, budget=10)))
        for _ in range(2)
    ]
    for t in posters:
        t.start()
    for t in posters:
        t.join()
    assert sum(results) == len(revs)
    calls = slack.of("chat.postMessage")
    assert len(calls) == len(revs), "no card posted twice"
    per_channel: dict[str, list[float]] = {}
    for c in calls:
        per_channel.setdefault(c.args["channel"], []).append(c.at)
    gaps = [b - a for at in per_channel.values() for a, b in zip(at, at[1:], strict=False)]
    assert gaps and min(gaps) >= interval
    with service.rt.db.session() as s:
        assert len(s.exec(select(SlackChannelPace)).all()) == len(per_channel)


def test_notices_and_cards_share_one_pace_per_channel(service, slack):
    revs = drafts_waiting(service.rt)
    channel = revs[0].channel
    interval = 0.15
    service.rt.humans.post_interval = interval
    notices = [
        threading.Thread(target=service.rt.humans.notify, args=(channel, Notice.of(f"notice {n}")))
        for n in range(3)
    ]
    for t in notices:
        t.start()
    reviews.post_pending(service.rt, budget=10)
    for t in notices:
        t.join()
    # A run that finds the slot held by a notice mid-post stops there; the scheduler's next
    # run (every 5 s) takes what it left.
    reviews.post_pending(service.rt, budget=10)
    at = sorted(c.at for c in slack.of("chat.postMessage") if c.args["channel"] == channel)
    assert len(at) == 3 + sum(r.channel == channel for r in revs)
    gaps = [b - a for a, b in zip(at, at[1:], strict=False)]
    assert min(gaps) >= interval, gaps


class SlowHumans(RecordingHumans):
    """Checks, while Slack is still answering, that the card is not yet marked posted."""

    def __init__(self, rt_ref: list):
        super().__init__()
        self.rt_ref = rt_ref
        self.seen_unposted: list[bool] = []

    def post_review(self, card):
        with self.rt_ref[0].db.session() as s:
            self.seen_unposted.append(s.get(Review, card.review_id).message_ts == "")
        return super().post_review(card)


def test_card_is_marked_posted_only_after_slack_accepted_it(home, db_url):
    ref: list = []
    rt = Runtime(make_settings(home, db_url), humans=SlowHumans(ref))
    ref.append(rt)
    rt.db.upgrade()
    from bot.intake.importer import load

    load(rt.db, sorted((home / "data").iterdir()))
    try:
        revs = drafts_waiting(rt)
        rt.humans.fail_posts = 1
        reviews.post_pending(rt)
        assert rt.humans.seen_unposted and all(rt.humans.seen_unposted)
        rows = {r.id: r for r in open_reviews(rt)}
        unposted = [r for r in rows.values() if not r.message_ts]
        assert len(unposted) == 1 and unposted[0].post_error == "ConnectionError"
        for card in rt.humans.posted:
            assert rows[card.review_id].message_ts.startswith(f"ts-{card.review_id}-")
        assert reviews.post_pending(rt) == 1
        assert all(r.message_ts for r in open_reviews(rt))
        assert len(revs) == len(rt.humans.posted)
    finally:
        rt.db.dispose()


class BrokenChannel(RecordingHumans):
    def post_review(self, card):
        raise PostFailed("not_in_channel")


def test_a_card_failing_for_long_alerts_with_its_id_and_error(home, db_url, caplog):
    clock = [None]
    settings = make_settings(home, db_url, TWOLOOP_OPERATOR_CHANNEL="C0OPS")
    rt = Runtime(settings, humans=BrokenChannel())
    start = rt.now()
    clock[0] = start
    rt.clock = lambda: clock[0]
    rt.db.upgrade()
    from bot.intake.importer import load

    load(rt.db, sorted((home / "data").iterdir()))
    try:
        review = drafts_waiting(rt)[0]
        caplog.set_level(logging.INFO, logger="bot.review.posting")
        for _ in range(posting.ALERT_AFTER + 1):
            reviews.post_pending(rt)
            clock[0] += timedelta(minutes=11)  # past the longest backoff
        with rt.db.session() as s:
            row = s.get(Review, review.id)
        assert row.message_ts == "" and row.status == "open", "still queued, not dropped"
        assert row.post_attempts == posting.ALERT_AFTER + 1 and row.post_error == "not_in_channel"
        mine = [r for r in caplog.records if f"review {review.id} " in r.getMessage()]
        assert mine and all(r.levelno == logging.WARNING for r in mine)
        assert "not_in_channel" in mine[0].getMessage()
        alerts = [t for c, t in rt.humans.notes if c == "C0OPS" and f"Review {review.id} " in t]
        assert len(alerts) == 1, "the operator channel is told once"
    finally:
        rt.db.dispose()


def test_backoff_grows_and_is_capped():
    assert posting.backoff(1) == timedelta(0)
    assert posting.backoff(2) < posting.backoff(3) < posting.backoff(4)
    assert posting.backoff(50) == timedelta(seconds=posting.BACKOFF_CAP)


def test_a_card_that_cannot_be_built_does_not_hold_up_the_queue(rt, monkeypatch):
    revs = drafts_waiting(rt)
    bad = revs[0].id
    real = posting.card_for

    def card_for(rt_, s, review_id):
        if review_id == bad:
            raise KeyError(review_id)
        return real(rt_, s, review_id)

    monkeypatch.setattr(posting, "card_for", card_for)
    assert reviews.post_pending(rt) == len(revs) - 1
    with rt.db.session() as s:
        row = s.get(Review, bad)
    assert (row.message_ts, row.post_error) == ("", "card: KeyError")


class AlwaysLimited(RecordingHumans):
    def post_review(self, card):
        self.posted.append(card)
        raise PostFailed("ratelimited", retry_after=0)


def test_retry_after_zero_still_holds_the_channel(rt):
    revs = drafts_waiting(rt)
    rt.humans = AlwaysLimited()
    assert reviews.post_pending(rt) == 0
    channels = [c.channel for c in rt.humans.posted]
    assert len(channels) == len(set(channels)) == len({r.channel for r in revs})
