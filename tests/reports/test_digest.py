"""Daily digests: the numbers on a seeded database, when each one is due in local time, that
each is posted once a day across runs and runtimes, and the post through the fake Slack with
its chart uploaded."""

from __future__ import annotations

import io
import itertools
from datetime import UTC, date, datetime, timedelta

import pytest
from PIL import Image

from bot.ports import Channel
from bot.reports import digest
from bot.runtime import Runtime
from storage import audit
from storage.models import (
    AgentState,
    Decision,
    Draft,
    InboundMessage,
    MailEvent,
    OutboxMessage,
    Review,
    ScheduledPost,
)
from tests.conftest import OPERATOR, RecordingHumans, make_settings

DANA, LEO = "U0AMDANA01", "U0AMLEO002"  # own data-platform (C0REVIEWS01), security-expansion
DAY = date(2026, 11, 20)  # the reported day; "now" is the next morning
_seq = itertools.count(1)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def draft(s, agent: str, when: datetime, outcome: str = "review", status: str = "review") -> Draft:
    n = next(_seq)
    d = Draft(
        agent_id=agent,
        account_id="acme",
        contact_id="c-acme-1",
        play_id="p",
        trigger_key=f"k{n}",
        subject=f"s{n}",
        body="b",
        config_version="v1",
        gate_outcome=outcome,
        status=status,
        created_at=when,
        updated_at=when,
    )
    s.add(d)
    s.flush()
    return d


def decided(s, agent: str, when: datetime, action: str, reason: str = "") -> None:
    d = draft(s, agent, when - timedelta(hours=1))
    r = Review(
        kind="draft",
        subject_id=d.id,
        agent_id=agent,
        owner=DANA,
        channel="C0REVIEWS01",
        content_hash="h",
        status="decided",
        outcome=action,
        created_at=when,
        remind_at=when,
        expires_at=when + timedelta(days=3),
    )
    s.add(r)
    s.flush()
    s.add(
        Decision(
            review_id=r.id,
            draft_id=d.id,
            agent_id=agent,
            action=action,
            reason_code=reason,
            actor=DANA,
            decided_at=when,
        )
    )


def sent(s, agent: str, when: datetime, n: int) -> list[OutboxMessage]:
    out = []
    for _ in range(n):
        d = draft(s, agent, when - timedelta(hours=1), "send", "sent")
        m = OutboxMessage(
            draft_id=d.id,
            agent_id=agent,
            message_id=f"<m{d.id}@x>",
            from_addr="dana@x",
            to_addr="p@x",
            subject="s",
            body="b",
            status="sent",
            sent_at=when,
        )
        s.add(m)
        out.append(m)
    s.flush()
    return out


def seed(rt: Runtime) -> None:
    """data-platform: a busy DAY and a quieter day before; security-expansion: paused."""
    before = DAY - timedelta(days=1)
    with rt.db.session() as s:
        for h in (9, 10, 11):
            draft(s, "data-platform", at(DAY, h), "send", "queued")
        draft(s, "data-platform", at(DAY, 12), "stop", "stopped")
        draft(s, "data-platform", at(before, 9), "send", "queued")
        draft(s, "data-platform", at(DAY + timedelta(days=1), 1))  # today: not in DAY
        decided(s, "data-platform", at(DAY, 14), "approve")
        decided(s, "data-platform", at(DAY, 14, 5), "edit")
        decided(s, "data-platform", at(DAY, 15), "kill", "off_brand")
        decided(s, "data-platform", at(DAY, 15, 5), "kill", "off_brand")
        decided(s, "data-platform", at(DAY, 15, 10), "kill", "bad_timing")
        decided(s, "data-platform", at(before, 15), "kill", "wrong_account")
        msgs = sent(s, "data-platform", at(DAY, 16), 10)
        s.add(
            MailEvent(
                outbox_id=msgs[0].id,
                mailbox="dana@x",
                agent_id="data-platform",
                kind="bounce",
                hard=True,
                at=at(DAY, 17),
            )
        )
        for intent in ("interested", "interested", "not_now"):
            s.add(
                InboundMessage(
                    message_id=f"<in{next(_seq)}@x>",
                    from_addr="p@x",
                    kind="human",
                    intent=intent,
                    agent_id="data-platform",
                    received_at=at(DAY, 18),
                )
            )
        s.add(
            InboundMessage(
                message_id=f"<in{next(_seq)}@x>",
                from_addr="p@x",
                kind="bounce",
                agent_id="data-platform",
                received_at=at(DAY, 18),
            )
        )
        # open escalations: one opened two days ago is the oldest
        for opened in (at(DAY, 8), at(before, 9)):
            d = draft(s, "data-platform", opened)
            s.add(
                Review(
                    kind="draft",
                    subject_id=d.id,
                    agent_id="data-platform",
                    owner=DANA,
                    channel="C0REVIEWS01",
                    content_hash="h",
                    created_at=opened,
                    remind_at=opened,
                    expires_at=opened + timedelta(days=3),
                )
            )
        s.add(AgentState(agent_id="data-platform", trust="supervised"))
        s.add(AgentState(agent_id="security-expansion", paused=True, paused_reason="bounces"))
        s.flush()
    clock, rt.clock = rt.clock, lambda: at(DAY, 13)  # audit events take the runtime's clock
    with rt.db.session() as s:
        audit.record(
            s,
            "system",
            "agent.paused",
            "agent:security-expansion",
            {"reason": "bounce rate 9% over 5%"},
        )
    rt.clock = clock


@pytest.fixture
def seeded(rt):
    rt.clock = lambda: at(DAY + timedelta(days=1), 9)
    seed(rt)
    return rt


def test_digest_numbers_on_a_seeded_database(seeded):
    d = digest.digest_for(seeded, DAY, tz="UTC")
    dp = next(a for a in d.agents if a.agent_id == "data-platform")
    se = next(a for a in d.agents if a.agent_id == "security-expansion")
    # 3 auto-sent + 1 stopped + 5 decided drafts + 10 sent drafts + 1 open review's draft
    assert dp.day.drafted == 20 and dp.day.to_review == 6
    assert dp.day.auto_sent == 3 + 10
    assert dp.day.stopped == 1
    assert (dp.day.approved, dp.day.edited, dp.day.killed, dp.day.reviewed) == (1, 1, 3, 5)
    assert dp.top_kill_reasons == [("Off-brand", 2), ("Bad timing", 1)]
    assert dp.day.sent == 10 and dp.day.bounces == 1
    assert dp.bounce_rate == pytest.approx(0.1) and dp.complaint_rate == 0
    assert dict(dp.intents) == {"interested": 2, "not now": 1}
    assert dp.day.replies == 3  # the bounce is not a reply
    assert dp.open_reviews == 2 and dp.oldest_open_hours == pytest.approx(48.0)
    assert dp.trust == "supervised" and not dp.paused
    # the day before: a send, a killed draft's original and an open review's draft
    assert dp.before.killed == 1 and dp.before.drafted == 3
    assert se.paused and se.paused_reason == "bounces" and se.day.drafted == 0
    assert se.bounce_rate is None
    assert len(se.changes) == 1 and "agent paused by system" in se.changes[0]
    assert "bounce rate 9%" in se.changes[0]
    assert d.total.killed == 3 and d.total_before.killed == 1
    assert d.open_reviews == 2
    assert [day for day, _ in d.series][-1] == DAY and len(d.series) == digest.SERIES_DAYS
    assert d.series[-1][1].drafted == dp.day.drafted


def test_a_day_is_local_to_the_time_zone(seeded):
    """14:00-15:10 UTC on DAY is the next day in Auckland (UTC+13 in November)."""
    utc = digest.digest_for(seeded, DAY, ["data-platform"], tz="UTC").agents[0]
    nz = digest.digest_for(
        seeded, DAY + timedelta(days=1), ["data-platform"], tz="Pacific/Auckland"
    ).agents[0]
    assert utc.day.killed == 3
    assert nz.day.killed == 3 and nz.day.approved == 1
    assert nz.before.killed == 1  # the day before's 15:00 UTC kill is early on DAY there


def test_agent_filter_and_text(seeded):
    d = digest.digest_for(seeded, DAY, ["security-expansion"])
    assert [a.agent_id for a in d.agents] == ["security-expansion"]
    assert d.total.drafted == 0
    text = digest.digest_text(digest.digest_for(seeded, DAY))
    assert "Off-brand 2" in text and "PAUSED (bounces)" in text


def _rt(home, db_url, now, **extra) -> Runtime:
    rt = Runtime(make_settings(home, db_url, **extra), humans=RecordingHumans())
    rt.clock = lambda: now
    return rt


def test_due_times_follow_each_am_time_zone(rt):
    rt.humans.timezones = {DANA: "Europe/Berlin", LEO: "America/New_York"}
    # 07:45 UTC = 08:45 in Berlin (due), 02:45 in New York (not yet).
    rt.clock = lambda: datetime(2026, 11, 21, 7, 45, tzinfo=UTC)
    keys = [d.key for d in digest.due(rt)]
    assert keys == [f"digest:am:{DANA}:2026-11-21"]
    # 13:31 UTC = 08:31 in New York: both due; Berlin's is for the same local date
    rt.clock = lambda: datetime(2026, 11, 21, 13, 31, tzinfo=UTC)
    due = {d.owner: d for d in digest.due(rt)}
    assert set(due) == {DANA, LEO}
    assert due[LEO].day == date(2026, 11, 20) and due[LEO].tz == "America/New_York"
    assert due[DANA].channel == "C0REVIEWS01" and due[DANA].agent_ids == ["data-platform"]


def test_time_zone_is_cached_and_refreshed_daily(rt):
    rt.humans.timezones = {DANA: "Asia/Tokyo"}
    asked = []
    real = rt.humans.user_timezone
    rt.humans.user_timezone = lambda u: asked.append(u) or real(u)
    t0 = datetime(2026, 11, 21, 0, 0, tzinfo=UTC)
    rt.clock = lambda: t0
    assert digest.timezones(rt, [DANA, LEO]) == {DANA: "Asia/Tokyo", LEO: "UTC"}
    rt.humans.timezones = {DANA: "Europe/Paris"}
    rt.clock = lambda: t0 + timedelta(hours=23)
    assert digest.timezones(rt, [DANA])[DANA] == "Asia/Tokyo"  # cached
    rt.clock = lambda: t0 + timedelta(hours=24)
    assert digest.timezones(rt, [DANA])[DANA] == "Europe/Paris"  # refreshed
    assert asked == [DANA, LEO, DANA]


def test_slack_error_keeps_the_cached_zone(rt):
    rt.humans.timezones = {DANA: "Asia/Tokyo"}
    t0 = datetime(2026, 11, 21, 0, 0, tzinfo=UTC)
    rt.clock = lambda: t0
    digest.timezones(rt, [DANA])

    def down(user):
        raise ConnectionError("slack is down")

    rt.humans.user_timezone = down
    rt.clock = lambda: t0 + timedelta(days=2)
    assert digest.timezones(rt, [DANA])[DANA] == "Asia/Tokyo"
    # not asked again on every run while Slack is failing: an hour later
    rt.humans.user_timezone = lambda u: "Europe/Paris"
    rt.clock = lambda: t0 + timedelta(days=2, minutes=30)
    assert digest.timezones(rt, [DANA])[DANA] == "Asia/Tokyo"
    rt.clock = lambda: t0 + timedelta(days=2, hours=1)
    assert digest.timezones(rt, [DANA])[DANA] == "Europe/Paris"


def test_posted_once_per_am_per_day_across_runs_and_runtimes(rt, home, db_url):
    morning = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
    rt.clock = lambda: morning
    other = _rt(home, db_url, morning)
    try:
        first = digest.post_due(rt)
        assert sorted(first) == [f"digest:am:{DANA}:2026-11-21", f"digest:am:{LEO}:2026-11-21"]
        assert digest.post_due(rt) == [] and digest.post_due(other) == []
        assert [c for c, _, _ in rt.humans.digests] == ["C0REVIEWS01", "C0REVIEWS02"]
        assert other.humans.digests == []
        d = rt.humans.digests[0][1]
        assert d.scope == "am" and d.owner == DANA and d.day == date(2026, 11, 20)
        with rt.db.session() as s:
            row = s.get(ScheduledPost, f"digest:am:{DANA}:2026-11-21")
            assert row.posted_at is not None and row.message_ts == "ts-digest-1"
        # the next local day posts again
        rt.clock = lambda: morning + timedelta(days=1)
        assert len(digest.post_due(rt)) == 2
    finally:
        other.db.dispose()


def test_not_before_the_time_and_late_after_downtime(rt):
    rt.clock = lambda: datetime(2026, 11, 21, 8, 29, tzinfo=UTC)
    assert digest.post_due(rt) == []
    rt.clock = lambda: datetime(2026, 11, 21, 22, 0, tzinfo=UTC)  # down all day: late, once
    assert len(digest.post_due(rt)) == 2
    assert digest.post_due(rt) == []


def test_a_failed_post_releases_the_claim_and_retries(rt):
    rt.clock = lambda: datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
    rt.humans.fail_digests = 2
    assert digest.post_due(rt) == []
    with rt.db.session() as s:
        assert s.get(ScheduledPost, f"digest:am:{DANA}:2026-11-21") is None
    assert len(digest.post_due(rt)) == 2
    assert len(rt.humans.digests) == 2


def test_fleet_digest_goes_to_the_operator_channel(home, db_url):
    morning = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
    rt = _rt(
        home,
        db_url,
        morning,
        TWOLOOP_OPERATOR_CHANNEL="C0OPS00001",
        TWOLOOP_TIMEZONE="Europe/London",
    )
    rt.db.upgrade()
    try:
        keys = digest.post_due(rt)
        assert "digest:fleet:2026-11-21" in keys
        fleet = [d for c, d, _ in rt.humans.digests if c == "C0OPS00001"]
        assert len(fleet) == 1 and fleet[0].scope == "fleet" and len(fleet[0].agents) == 2
        assert digest.post_due(rt) == []
    finally:
        rt.db.dispose()


def test_no_operator_channel_skips_the_fleet_digest_with_one_log_line(rt, caplog):
    rt.clock = lambda: datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
    with caplog.at_level("INFO", logger="bot.reports.digest"):
        digest.post_due(rt)
        digest.post_due(rt)
    lines = [r for r in caplog.records if "TWOLOOP_OPERATOR_CHANNEL" in r.getMessage()]
    assert len(lines) == 1
    assert all(c.startswith("C0REVIEWS") for c, _, _ in rt.humans.digests)


def test_post_now_for_an_am_and_an_operator(seeded, home, db_url):
    line = digest.post_now(seeded, DANA)
    assert Channel("C0REVIEWS01") in line.parts
    channel, d, _ = seeded.humans.digests[-1]
    assert channel == "C0REVIEWS01" and d.partial and d.day == DAY + timedelta(days=1)
    assert [a.agent_id for a in d.agents] == ["data-platform"]
    assert "TWOLOOP_OPERATOR_CHANNEL" in digest.post_now(seeded, OPERATOR).plain()
    assert "own no agents" in digest.post_now(seeded, "U0STRANGER").plain()
    seeded.settings = make_settings(home, db_url, TWOLOOP_OPERATOR_CHANNEL="C0OPS00001")
    assert "fleet digest" in digest.post_now(seeded, OPERATOR).plain()
    assert seeded.humans.digests[-1][0] == "C0OPS00001"


def test_chart_only_when_there_is_a_trend(seeded):
    d = digest.digest_for(seeded, DAY)
    assert not d.worth_charting  # activity on two days only
    with seeded.db.session() as s:
        for back in range(2, 6):
            draft(s, "data-platform", at(DAY - timedelta(days=back), 10))
    d = digest.digest_for(seeded, DAY)
    assert d.worth_charting
    from bot.reports.chart import trend_png

    img = Image.open(io.BytesIO(trend_png(d)))
    assert img.format == "PNG" and img.size == (640, 260)


def test_posting_through_slack_uploads_the_chart(service, slack):
    from bot.reports.chart import trend_png

    rt = service.rt
    rt.clock = lambda: at(DAY + timedelta(days=1), 9)
    seed(rt)
    with rt.db.session() as s:
        for back in range(2, 6):
            draft(s, "data-platform", at(DAY - timedelta(days=back), 10))
    slack.users[DANA] = {"tz": "Europe/London"}
    slack.users[LEO] = {"tz": "America/New_York"}
    slack.calls.clear()
    keys = digest.post_due(rt)
    assert keys == [f"digest:am:{DANA}:2026-11-21"]  # 04:00 in New York: Leo's is not due
    assert [c.args["user"] for c in slack.of("users.info")] == [DANA, LEO]
    post = slack.of("chat.postMessage")[0].args
    assert post["channel"] == "C0REVIEWS01"
    blocks = post["blocks"]
    assert blocks[0]["type"] == "header"
    text = str(blocks)
    assert "Data platform outbound" in text and "Off-brand 2" in text
    complete = slack.of("files.completeUploadExternal")[0].args
    assert complete["channel_id"] == "C0REVIEWS01" and complete["thread_ts"]
    (file_id,) = [f["id"] for f in complete["files"]]
    png = slack.uploads[file_id]
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    d = digest.digest_for(rt, DAY, ["data-platform"], tz="Europe/London")
    assert len(png) == len(trend_png(d))
    with rt.db.session() as s:
        row = s.get(ScheduledPost, keys[0])
        assert row.message_ts == complete["thread_ts"] and row.posted_at


def test_a_failed_chart_upload_keeps_the_digest_posted(service, slack):
    rt = service.rt
    rt.clock = lambda: at(DAY + timedelta(days=1), 9)
    seed(rt)
    with rt.db.session() as s:
        for back in range(2, 6):
            draft(s, "data-platform", at(DAY - timedelta(days=back), 10))
    slack.fail_next("files.getUploadURLExternal", 200, {"ok": False, "error": "not_allowed"})
    keys = digest.post_due(rt)
    assert len(keys) == 2 and not slack.of("files.completeUploadExternal")
    assert digest.post_due(rt) == []  # not posted twice


def test_claims_are_first_wins_and_an_abandoned_one_is_taken_over(empty_db):
    from storage import scheduled_posts as claims

    t0 = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
    with empty_db.session() as s:
        assert claims.claim(s, "k", t0)
        assert not claims.claim(s, "k", t0 + timedelta(minutes=5))  # held
        assert claims.claim(s, "k", t0 + timedelta(minutes=16))  # holder died: taken over
        claims.done(s, "k", "C1", "1.2", t0)
    with empty_db.session() as s:
        assert not claims.claim(s, "k", t0 + timedelta(days=1))  # posted: never again
        claims.release(s, "k")  # a posted claim is not released
        assert claims.get(s, "k").message_ts == "1.2"
        assert claims.claim(s, "other", t0)
        claims.release(s, "other")
        assert claims.get(s, "other") is None


def test_cli_prints_the_digest(seeded, home, db_url, monkeypatch):
    from typer.testing import CliRunner

    from bot.cli.main import app

    monkeypatch.chdir(home)
    monkeypatch.setenv("TWOLOOP_HOME", str(home))
    monkeypatch.setenv("DATABASE_URL", db_url)
    result = CliRunner().invoke(app, ["digest", "--am", DANA, "--date", DAY.isoformat()])
    assert result.exit_code == 0, result.output
    assert "Data platform outbound" in result.output and "Security" not in result.output
    assert "killed for: Off-brand 2, Bad timing 1" in result.output
    bad = CliRunner().invoke(app, ["digest", "--date", "21/11"])
    assert bad.exit_code == 2 and "--date" in bad.output


def test_what_changed_names_trust_and_threshold_changes(seeded):
    seeded.clock = lambda: at(DAY, 13)
    with seeded.db.session() as s:
        audit.record(
            s,
            "user:U0OPERATOR1",
            "agent.set",
            "agent:data-platform",
            {"setting": "personalization", "before": 0.6, "after": 0.8},
            agent_id="data-platform",
        )
        audit.record(
            s,
            "system",
            "trust.promoted",
            "agent:data-platform",
            {"before": "probation", "after": "supervised", "reason": "clean stretch"},
            agent_id="data-platform",
        )
        audit.record(s, "system", "draft.stopped", "draft:1", agent_id="data-platform")
    dp = digest.digest_for(seeded, DAY, ["data-platform"]).agents[0]
    assert len(dp.changes) == 2
    assert "agent set by U0OPERATOR1 (personalization 0.6 → 0.8)" in dp.changes[0]
    assert "trust promoted by system (probation → supervised): clean stretch" in dp.changes[1]
