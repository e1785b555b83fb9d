"""The operator's load estimated from a click log: gaps within the limit count, a longer gap
counts the reviewer's median gap of the day, so does the first press; each press's time goes
to the agent of the card pressed. Then the tuning report's weekly trend on a seeded database."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import select

from bot.readouts import LoadWeek
from bot.reports import load, tuning
from bot.review import clicks
from storage.models import Decision, Review, ReviewClick
from tests.conftest import approve_plays

UTC_ZONE = ZoneInfo("UTC")
DAY = date(2026, 11, 18)  # a Wednesday


def at(h: int, m: int = 0, s: int = 0, day: date = DAY) -> datetime:
    return datetime(day.year, day.month, day.day, h, m, s, tzinfo=UTC)


def c(actor: str, agent: str, when: datetime) -> load.Click:
    return load.Click(actor, agent, when)


def utc_day(when: datetime) -> date:
    return when.astimezone(UTC).date()


def test_gaps_within_the_limit_count_and_a_break_costs_the_median_gap():
    log = [
        c("dana", "a", at(10, 0, 0)),  # first of the day: the median in-session gap
        c("dana", "b", at(10, 0, 40)),  # 40 s after the previous
        c("dana", "a", at(10, 1, 0)),  # 20 s
        c("dana", "a", at(10, 30, 0)),  # 29 min later: a break, so the median again
        c("dana", "b", at(10, 30, 10)),  # 10 s
        c("dana", "b", at(10, 35, 10)),  # exactly the limit: still reviewing, 300 s
    ]
    costs = load.seconds(log, 300, utc_day)
    # In-session gaps 40, 20, 10, 300: median 30 s for the first press and after the break.
    assert costs == [30.0, 40.0, 20.0, 30.0, 10.0, 300.0]
    # Shuffled input gives each press the same cost: the estimator sorts per reviewer.
    order = [3, 0, 5, 1, 4, 2]
    assert load.seconds([log[i] for i in order], 300, utc_day) == [costs[i] for i in order]


def test_a_reviewer_with_no_gap_in_session_costs_thirty_seconds_a_press():
    log = [c("leo", "a", at(9)), c("leo", "a", at(11)), c("kim", "b", at(9, 0, 5))]
    assert load.seconds(log, 300, utc_day) == [30.0, 30.0, 30.0]


def test_days_are_local_and_each_day_starts_afresh():
    tokyo = ZoneInfo("Asia/Tokyo")  # 15:00 UTC is midnight in Tokyo
    log = [
        c("dana", "a", at(14, 59, 0)),
        c("dana", "a", at(14, 59, 50)),  # 50 s: in session, same Tokyo day
        c("dana", "a", at(15, 0, 30)),  # 40 s later but the next Tokyo day: a first press
    ]
    assert load.seconds(log, 300, lambda t: t.astimezone(tokyo).date()) == [50.0, 50.0, 30.0]
    # In UTC the three are one day, one session: first press = median(50, 40) = 45.
    assert load.seconds(log, 300, utc_day) == [45.0, 50.0, 40.0]


def test_measure_sums_per_reviewer_per_agent_and_for_the_fleet():
    log = [
        c("dana", "a", at(10, 0, 0)),
        c("dana", "b", at(10, 1, 0)),  # 60 s, to agent b
        c("dana", "a", at(10, 3, 0)),  # 120 s, to agent a; dana's median gap is 90 s
        c("leo", "b", at(12, 0, 0)),  # alone: 30 s
    ]
    decided = [
        ("a", at(9, 0), at(10, 3)),  # 63 min from card to decision
        ("b", at(10, 0), at(10, 1)),  # 1 min
        ("b", None, at(12, 0)),  # never shown in the chat: no wait to measure
    ]
    day = load.measure(log, decided, day=DAY, tz=UTC_ZONE, gap_limit=300, target=20)
    assert day.minutes == (90 + 60 + 120 + 30) / 60 == 5.0
    assert [(r.reviewer, r.minutes, r.clicks) for r in day.reviewers] == [
        ("dana", 4.5, 3),
        ("leo", 0.5, 1),
    ]
    assert dict(day.agents) == {"a": 3.5, "b": 1.5}
    assert day.decisions == 3 and day.clicks_per_decision == 4 / 3
    assert day.median_to_decision == 32.0 and day.p90_to_decision == 63.0
    assert not day.over_target
    assert load.queue_line(day) == (
        "queue today: 5 min (target 20) · 4 clicks, 3 decided (1.3 clicks each) · "
        "card to decision: median 32 min, 90% within 63 min"
    )
    assert load.reviewers_text(day) == "by reviewer: dana 4 min, leo <1 min"  # 4.5 rounds even
    # One agent: its own presses and decisions, priced with the reviewer's whole day.
    only_a = load.measure(
        log, decided, day=DAY, tz=UTC_ZONE, gap_limit=300, target=20, agent_ids=["a"]
    )
    assert only_a.minutes == 3.5 and only_a.clicks == 2 and only_a.decisions == 1


def test_percentile_is_nearest_rank():
    assert load.percentile([], 0.9) is None
    assert load.percentile([5.0], 0.9) == 5.0
    assert load.percentile([float(x) for x in range(1, 11)], 0.9) == 9.0
    assert load.percentile([float(x) for x in range(1, 12)], 0.9) == 10.0


def _decided_reviews(rt, n: int) -> list[Review]:
    with rt.db.session() as s:
        return list(
            s.exec(select(Review).where(Review.status == "decided").order_by(Review.id).limit(n))
        )


def test_tuning_report_shows_the_weekly_trend(rt):
    """Two weeks of presses and decisions: per week, reviews and minutes per day of review,
    the median wait from card to decision and the clicks per decision."""
    rt.clock = lambda: at(12, day=date(2026, 10, 1))  # the plays' approvals: before the report
    approve_plays(rt)
    reviews = _decided_reviews(rt, 3)
    assert len(reviews) == 3
    last_week, this_week = DAY - timedelta(days=7), DAY
    with rt.db.session() as s:
        for review, (posted, decided) in zip(
            reviews,
            [
                (at(9, day=last_week), at(10, day=last_week)),  # 60 min from card to decision
                (at(9, day=this_week), at(9, 30, day=this_week)),  # 30 min
                (at(9, day=this_week), at(9, 10, day=this_week)),  # 10 min
            ],
            strict=True,
        ):
            row = s.get(Review, review.id)
            row.posted_at = posted
            decision = s.exec(select(Decision).where(Decision.review_id == review.id)).one()
            decision.decided_at = decided
            s.add_all([row, decision])
        # Lay out a known log (the approvals' own presses are in October, outside the report).
        for old in s.exec(select(ReviewClick)):
            s.delete(old)
    r0, r1, r2 = (r.id for r in reviews)
    for review_id, when in [
        (r0, at(10, 0, 0, last_week)),  # last week, one day: 30 s (no gap in session)
        (r1, at(9, 0, 0, this_week)),  # this week, day one: 60 s median, then 60 s, 120 s
        (r1, at(9, 1, 0, this_week)),
        (r2, at(9, 3, 0, this_week)),
        (r2, at(9, 0, 0, this_week + timedelta(days=1))),  # day two: 30 s
    ]:
        assert clicks.record(rt, review_id, "dana", "approve", when)
    rt.clock = lambda: at(18, day=this_week + timedelta(days=1))
    report = tuning.build(rt, since=datetime(2026, 11, 9, tzinfo=UTC))
    assert [w.week for w in report.load] == [date(2026, 11, 9), date(2026, 11, 16)]
    before, now = report.load
    assert before == LoadWeek(date(2026, 11, 9), 1, 1, 0.5, 1, 60.0)
    assert (now.days, now.reviews, now.clicks) == (2, 2, 4)
    assert now.minutes == (90 + 60 + 120 + 30) / 60  # day one's median gap is 90 s
    assert now.minutes_per_day == 2.5 and now.reviews_per_day == 1.0
    assert now.median_to_decision == 20.0 and now.clicks_per_decision == 2.0
    text = tuning.render_text(report)
    assert "Review load by week" in text
    assert "2026-11-16    1.0 reviews/day    2.5 min/day  posted→decided median  20 min" in text
    assert "2.0 clicks/decision  (2 days)" in text
    assert '"minutes_per_day": 2.5' in tuning.to_json(report)
