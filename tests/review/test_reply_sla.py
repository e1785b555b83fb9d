"""Reply targets: the working-hours sums (weekend, evening, daylight saving, another zone),
the class of a reply, and the lifecycle on both databases: a reply opens with a target, the
owner is nudged once before it, the operators are told once at it, it never expires, it
leads the queue and App Home, and the digest counts what was answered in time."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update
from sqlmodel import col, select

from bot.decisions import Action, Request, decide
from bot.mail.inbound import replies
from bot.memory import owners
from bot.ports import CardRef, ReplyCard, User
from bot.reports import digest, home, status
from bot.review import lifecycle, sla
from bot.settings import SettingsError, load_settings
from storage import reviews as store
from storage import slack_users
from storage.models import Draft, Review
from tests.conftest import OPERATOR, sent_first
from tests.mail.test_replies import reply_to

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
WEEK = sla.WorkingWeek(timedelta(hours=9), timedelta(hours=17), frozenset(range(5)))
OPS = "C0OPS00001"


def local(zone: ZoneInfo, y, mo, d, h, mi=0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=zone)


# --- the sums -------------------------------------------------------------------------------


def test_friday_afternoon_hot_reply_is_due_monday_morning():
    start = local(BERLIN, 2027, 1, 8, 16, 30)  # a Friday
    due = sla.add_working_time(start, 1, BERLIN, WEEK)
    assert due.tzinfo == UTC
    assert due.astimezone(BERLIN) == local(BERLIN, 2027, 1, 11, 9, 30)  # Monday


def test_weekend_reply_counts_from_monday_opening():
    start = local(BERLIN, 2027, 1, 9, 11, 0)  # Saturday
    assert sla.add_working_time(start, 1, BERLIN, WEEK).astimezone(BERLIN) == local(
        BERLIN, 2027, 1, 11, 10
    )


def test_evening_reply_counts_from_next_morning_and_spans_days():
    start = local(BERLIN, 2027, 1, 5, 20, 0)  # Tuesday evening
    assert sla.add_working_time(start, 4, BERLIN, WEEK).astimezone(BERLIN) == local(
        BERLIN, 2027, 1, 6, 13
    )
    # Ten working hours from Wednesday 15:00: 2 that day and all 8 of Thursday's.
    start = local(BERLIN, 2027, 1, 6, 15, 0)
    assert sla.add_working_time(start, 10, BERLIN, WEEK).astimezone(BERLIN) == local(
        BERLIN, 2027, 1, 7, 17
    )
    # Before opening on a working day: counted from the opening.
    start = local(BERLIN, 2027, 1, 6, 7, 15)
    assert sla.add_working_time(start, 0.5, BERLIN, WEEK).astimezone(BERLIN) == local(
        BERLIN, 2027, 1, 6, 9, 30
    )


def test_daylight_saving_change_over_the_weekend_keeps_local_working_hours():
    # Europe moves to summer time on Sunday 28 March 2027: Friday is UTC+1, Monday UTC+2.
    start = local(BERLIN, 2027, 3, 26, 16, 30)
    due = sla.add_working_time(start, 1, BERLIN, WEEK)
    assert due == datetime(2027, 3, 29, 7, 30, tzinfo=UTC)  # 09:30 CEST
    assert due.astimezone(BERLIN).hour == 9
    # And back in October (31 Oct 2027): Friday UTC+2, Monday UTC+1.
    due = sla.add_working_time(local(BERLIN, 2027, 10, 29, 16, 30), 1, BERLIN, WEEK)
    assert due == datetime(2027, 11, 1, 8, 30, tzinfo=UTC)  # 09:30 CET


def test_another_zone_counts_in_its_own_working_day():
    start = datetime(2027, 1, 6, 21, 0, tzinfo=UTC)  # Wednesday 16:00 in New York
    due = sla.add_working_time(start, 4, NEW_YORK, WEEK)
    assert due.astimezone(NEW_YORK) == local(NEW_YORK, 2027, 1, 7, 12)  # 1 h Wed, 3 h Thu
    assert due == datetime(2027, 1, 7, 17, 0, tzinfo=UTC)
    # The same instant is already evening in Berlin: all 4 hours fall on Thursday there.
    assert sla.add_working_time(start, 4, BERLIN, WEEK).astimezone(BERLIN) == local(
        BERLIN, 2027, 1, 7, 13
    )


def test_working_days_other_than_monday_to_friday():
    sun_thu = sla.WorkingWeek(WEEK.start, WEEK.end, frozenset({6, 0, 1, 2, 3}))
    start = local(BERLIN, 2027, 1, 7, 16, 30)  # Thursday: next working day is Sunday
    assert sla.add_working_time(start, 1, BERLIN, sun_thu).astimezone(BERLIN) == local(
        BERLIN, 2027, 1, 10, 9, 30
    )


def test_classes_most_urgent_wins_and_targets_come_from_settings():
    settings = load_settings(_env_file=None)
    hours = sla.targets(settings)
    assert hours == {"hot": 1.0, "escalation": 4.0, "other": 8.0}  # 1d = the working day
    assert sla.classify("meeting_request", (), hours) == "hot"
    assert sla.classify("interested", ("pricing",), hours) == "hot"
    assert sla.classify("question", ("pricing",), hours) == "escalation"
    assert sla.classify("question", ("compliance_data_request",), hours) == "escalation"
    assert sla.classify("other", ("anger_complaint",), hours) == "escalation"
    assert sla.classify("question", ("instruction_injection",), hours) == "other"
    assert sla.classify("referral", (), hours) == "other"
    # Set shorter, escalation becomes the more urgent.
    fast = load_settings(
        _env_file=None,
        TWOLOOP_REPLY_TARGETS='{"escalation": "30m"}',
        TWOLOOP_WORKING_HOURS="08:00-18:00",
    )
    hours = sla.targets(fast)
    assert hours == {"hot": 1.0, "escalation": 0.5, "other": 10.0}
    assert sla.classify("interested", ("contract_legal",), hours) == "escalation"


def test_nudge_comes_halfway_to_the_target():
    start = local(BERLIN, 2027, 1, 6, 10)
    t = sla.target("hot", 1.0, start, BERLIN, WEEK)
    assert t.respond_by.astimezone(BERLIN) == local(BERLIN, 2027, 1, 6, 11)
    assert t.remind_at.astimezone(BERLIN) == local(BERLIN, 2027, 1, 6, 10, 30)
    t = sla.target("other", 8.0, local(BERLIN, 2027, 1, 6, 15), BERLIN, WEEK)
    assert t.remind_at.astimezone(BERLIN) == local(BERLIN, 2027, 1, 7, 11)  # 4 working hours
    assert t.respond_by.astimezone(BERLIN) == local(BERLIN, 2027, 1, 7, 15)
    t = sla.target("hot", 6 / 60, start, BERLIN, WEEK)  # a tiny target: at least 5 min ahead
    assert t.respond_by - t.remind_at >= timedelta(minutes=5)


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("TWOLOOP_REPLY_TARGETS", "warm=1h", "TWOLOOP_REPLY_TARGETS: unknown class 'warm'"),
        ("TWOLOOP_REPLY_TARGETS", "hot=soon", "TWOLOOP_REPLY_TARGETS: hot: 'soon' is no duration"),
        ("TWOLOOP_REPLY_TARGETS", "{not json", "TWOLOOP_REPLY_TARGETS: must be JSON"),
        ("TWOLOOP_WORKING_HOURS", "17:00-09:00", "TWOLOOP_WORKING_HOURS: must be a span"),
        ("TWOLOOP_WORKING_DAYS", "mon-funday", "TWOLOOP_WORKING_DAYS: 'mon-funday' is no day"),
    ],
)
def test_bad_settings_name_the_setting(name, value, says):
    with pytest.raises(SettingsError) as err:
        load_settings(_env_file=None, **{name: value})
    assert str(err.value).startswith(says)


def test_settings_accept_pairs_and_day_lists():
    s = load_settings(
        _env_file=None, TWOLOOP_REPLY_TARGETS="hot=2h, other=2d", TWOLOOP_WORKING_DAYS="sun-thu"
    )
    assert s.reply_targets == {"hot": "2h", "escalation": "4h", "other": "2d"}
    assert sla.week_of(s).days == frozenset({6, 0, 1, 2, 3})


def test_texts():
    now = local(BERLIN, 2027, 1, 6, 10)
    due = local(BERLIN, 2027, 1, 6, 11)
    assert sla.target_text(1.0, due, BERLIN, WEEK, now) == (
        "reply within 1 working hour: due 11:00 (Europe/Berlin)"
    )
    assert sla.span_text(8.0, WEEK) == "1 working day" and sla.span_text(4, WEEK) == (
        "4 working hours"
    )
    assert sla.overdue_text(due, due + timedelta(hours=2, minutes=5)) == "overdue by 2 h"
    assert (
        sla.due_text(due + timedelta(days=5), BERLIN, now) == "due Mon 11 Jan 11:00 (Europe/Berlin)"
    )


# --- the lifecycle ----------------------------------------------------------------------------


class Clock:
    def __init__(self, at: datetime):
        self.at = at

    def __call__(self) -> datetime:
        return self.at


def start(rt):
    """Our first message out; the clock then stops on a Wednesday 10:00 in Berlin, and the
    reply's future owner has Europe/Berlin in the Slack cache."""
    ours = sent_first(rt)
    day = (ours.sent_at + timedelta(days=1)).astimezone(BERLIN).date()
    day += timedelta(days=(2 - day.weekday()) % 7)
    clock = Clock(datetime.combine(day, time(10), BERLIN).astimezone(UTC))
    rt.clock = clock
    rt.settings.operator_channel = OPS
    with rt.db.session() as s:
        draft = s.get_one(Draft, ours.draft_id)
        spec = rt.fleet().agents[draft.agent_id].spec
        owner = owners.route(rt, s, spec, draft.account_id).owner
        slack_users.save(s, owner, "Europe/Berlin", clock())
        # The draft cards opened on the way stay open, but their reminders and expiry fall
        # outside these tests, whatever day the suite runs on (the Wednesday may be a week on).
        later = clock() + timedelta(days=365)
        s.execute(
            update(Review)
            .where(col(Review.status) == "open")
            .values(remind_at=later, expires_at=later)
        )
    return ours, clock


def review_of(rt, review_id) -> Review:
    with rt.db.session() as s:
        return s.get_one(Review, review_id)


def at_berlin(clock: Clock, h: int, mi: int = 0) -> datetime:
    day = clock.at.astimezone(BERLIN).date()
    return datetime.combine(day, time(h, mi), BERLIN).astimezone(UTC)


def test_a_hot_reply_opens_with_a_target_in_the_owners_zone(rt):
    ours, clock = start(rt)
    got = replies.ingest(rt, reply_to(ours, "Sounds interesting. Could we set up a call?"), "t")
    review = review_of(rt, got.review_id)
    assert review.sla == "hot"
    assert review.respond_by == at_berlin(clock, 11)
    assert review.remind_at == at_berlin(clock, 10, 30)
    card = rt.humans.posted[-1]
    assert isinstance(card, ReplyCard) and card.respond_by == review.respond_by
    assert card.target == "reply within 1 working hour: due 11:00 (Europe/Berlin)"
    assert not card.overdue

    got = replies.ingest(rt, reply_to(ours, "Interesting. What does it cost for 40 seats?"), "t")
    review = review_of(rt, got.review_id)
    assert review.sla == "escalation" and review.respond_by == at_berlin(clock, 14)


def test_nudged_once_before_the_target_told_once_at_it_never_expires(rt):
    ours, clock = start(rt)
    got = replies.ingest(rt, reply_to(ours, "Yes, interested, send me more info"), "t")
    clock.at = at_berlin(clock, 10, 29)
    assert lifecycle.sweep(rt)["reminded"] == 0
    clock.at = at_berlin(clock, 10, 31)
    assert lifecycle.sweep(rt)["reminded"] == 1
    assert lifecycle.sweep(rt)["reminded"] == 0, "one nudge"
    [nudged] = [c for c in rt.humans.reminded if c.review_id == got.review_id]
    assert nudged.target.startswith("reply within 1 working hour: due 11:00")
    assert not [n for ch, n in rt.humans.notices if ch == OPS and "past its target" in n.plain()]

    clock.at = at_berlin(clock, 11)
    assert lifecycle.sweep(rt)["overdue"] == 1
    clock.at = at_berlin(clock, 11, 5)
    assert lifecycle.sweep(rt)["overdue"] == 0, "told once"
    told = [n for ch, n in rt.humans.notices if ch == OPS and "past its target" in n.plain()]
    assert len(told) == 1
    review = review_of(rt, got.review_id)
    assert review.overdue_told_at == at_berlin(clock, 11)
    assert CardRef(review.id, review.channel, review.message_ts) in told[0].parts
    assert User(review.owner) in told[0].parts and told[0].tone == "alarm"
    # The card was redrawn to say so.
    redrawn = [c for c in rt.humans.updated if c.review_id == got.review_id][-1]
    assert redrawn.overdue and "overdue by" in redrawn.target

    clock.at += timedelta(hours=rt.settings.review_window_hours * 2)
    counts = lifecycle.sweep(rt)
    assert counts["expired"] == 0 and counts["overdue"] == 0
    assert review_of(rt, got.review_id).status == "open"


def test_two_replicas_tell_the_operators_once(rt):
    ours, clock = start(rt)
    got = replies.ingest(rt, reply_to(ours, "Could we set up a call next Tuesday?"), "t")
    clock.at = at_berlin(clock, 12)
    with rt.db.session() as s:
        assert store.claim_overdue(s, got.review_id, clock())
    with rt.db.session() as s:
        assert not store.claim_overdue(s, got.review_id, clock())
    assert lifecycle.sweep(rt)["overdue"] == 0


def test_drafts_still_expire_while_replies_wait(rt):
    ours, clock = start(rt)
    got = replies.ingest(rt, reply_to(ours, "Who else uses this in our industry?"), "t")
    assert review_of(rt, got.review_id).sla == "other"
    window = timedelta(hours=rt.settings.review_window_hours)
    with rt.db.session() as s:  # a draft card opened now, with the window's expiry
        s.execute(
            update(Review)
            .where(col(Review.kind) == "draft", col(Review.status) == "open")
            .values(expires_at=clock.at + window)
        )
    clock.at += window + timedelta(hours=1)
    lifecycle.sweep(rt)
    with rt.db.session() as s:
        kinds = {(r.kind, r.status) for r in s.exec(select(Review))}
    assert ("draft", "expired") in kinds
    assert review_of(rt, got.review_id).status == "open"


def test_replies_with_a_target_lead_the_queue_and_home(rt):
    ours, clock = start(rt)
    other = replies.ingest(rt, reply_to(ours, "Who else uses this in our industry?"), "t")
    clock.at = at_berlin(clock, 10, 10)
    hot = replies.ingest(rt, reply_to(ours, "Could we set up a call next Tuesday?"), "t")
    clock.at = at_berlin(clock, 13)  # the hot one is 2 h overdue, the other due tomorrow
    queue = status.queue(rt, None)
    assert [i.review_id for i in queue.items[:2]] == [hot.review_id, other.review_id]
    first, second = queue.items[:2]
    assert first.overdue and first.due == "overdue by 2 h"
    assert not second.overdue and second.due.startswith("due ")
    assert all(not i.due for i in queue.items[2:])
    assert len(queue.items) > 2, "drafts are in the queue too, after the replies"

    page = home.home_for(rt, OPERATOR)
    assert [c.review_id for c in page.cards[:2]] == [hot.review_id, other.review_id]
    assert page.cards[0].overdue and "overdue by" in page.cards[0].target


def test_digest_counts_replies_answered_within_target(rt):
    ours, clock = start(rt)
    answered = replies.ingest(rt, reply_to(ours, "Could we set up a call next Tuesday?"), "t")
    waiting = replies.ingest(rt, reply_to(ours, "Yes, interested, send me more info"), "t")
    late = replies.ingest(rt, reply_to(ours, "Interesting. What does it cost for 40 seats?"), "t")
    clock.at = at_berlin(clock, 10, 45)
    owner = review_of(rt, answered.review_id).owner
    assert decide(rt, Request(answered.review_id, owner, Action.TAKE_OVER)).status == "decided"
    clock.at = at_berlin(clock, 15)
    assert decide(rt, Request(late.review_id, owner, Action.TAKE_OVER)).status == "decided"
    clock.at = at_berlin(clock, 16)
    assert review_of(rt, waiting.review_id).status == "open"

    day = clock.at.astimezone(BERLIN).date()
    d = digest.digest_for(rt, day, tz="Europe/Berlin", partial=True)
    assert (d.reply_targets.within, d.reply_targets.late, d.reply_targets.open_past) == (1, 1, 1)
    assert d.reply_targets.line() == (
        "1 of 3 answered within target; 1 answered late; 1 still open past target"
    )
    assert "Replies: 1 of 3 answered within target" in digest.digest_text(d)
    # Another agent's digest has none of them.
    others = [a for a in rt.fleet().agents if a != review_of(rt, answered.review_id).agent_id]
    assert digest.digest_for(rt, day, others, tz="Europe/Berlin").reply_targets.due == 0
