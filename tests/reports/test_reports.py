"""The tuning report, the audit log and `twoloop why`, on both databases."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from slack_sdk import WebClient
from sqlmodel import select
from typer.testing import CliRunner

from bot.cli.main import app
from bot.mail.inbound import replies
from bot.reports import tuning
from bot.runtime import Runtime
from handlers.slack_humans import SlackHumans
from storage import trail
from storage.models import AuditEvent, Decision, Draft, InboundMessage, Review, ScheduledPost
from tests.conftest import RecordingHumans, approve_plays, make_settings, sent_first
from tests.mail.test_replies import reply_to

MONDAY = datetime(2026, 11, 16, tzinfo=UTC)  # a Monday; the report's weeks start on Mondays


class Seeder:
    """Decisions written straight to the tables, each on a review of its own."""

    def __init__(self, rt):
        self.rt = rt

    def decide(
        self,
        agent,
        action,
        at,
        *,
        version="v1",
        reason="",
        before=("", ""),
        after=("", ""),
        kind="draft",
    ):
        with self.rt.db.session() as s:
            review = Review(
                kind=kind,
                subject_id=0,
                agent_id=agent,
                owner="U1",
                channel="C1",
                content_hash="h",
                status="decided",
                outcome=action,
                remind_at=at,
                expires_at=at,
                created_at=at,
            )
            s.add(review)
            s.flush()
            s.add(
                Decision(
                    review_id=review.id,
                    kind=kind,
                    draft_id=None,
                    agent_id=agent,
                    action=action,
                    reason_code=reason,
                    before_subject=before[0],
                    before_body=before[1],
                    after_subject=after[0],
                    after_body=after[1],
                    actor="U1",
                    config_version=version,
                    decided_at=at,
                )
            )


def report(rt, **kw):
    return tuning.build(
        rt, since=MONDAY - timedelta(weeks=1), until=MONDAY + timedelta(days=7), **kw
    )


def test_kill_reasons_are_ranked_with_their_share(rt):
    seed = Seeder(rt)
    at = MONDAY + timedelta(hours=10)
    for reason, n in (("factual_error", 1), ("off_brand", 3), ("bad_timing", 2)):
        for _ in range(n):
            seed.decide("data-platform", "kill", at, reason=reason)
    seed.decide("data-platform", "approve", at)
    seed.decide("data-platform", "kill", MONDAY - timedelta(weeks=3), reason="other")  # too old
    got = report(rt).kill_reasons
    assert [(c.code, c.count) for c in got] == [
        ("off_brand", 3),
        ("bad_timing", 2),
        ("factual_error", 1),
    ]
    assert [c.share for c in got] == [0.5, 0.333, 0.167]
    assert "off_brand" in tuning.render_text(report(rt)).split("Kill reasons")[1].splitlines()[1]


def test_an_edit_that_removes_a_phrase_shows_as_removed(rt):
    seed = Seeder(rt)
    at = MONDAY + timedelta(days=1)
    for n in range(3):
        seed.decide(
            "data-platform",
            "edit",
            at + timedelta(minutes=n),
            before=(
                "Quick question",
                f"Hi Ana,\n\nI hope this email finds you well. We help team {n}.",
            ),
            after=("Quick question", f"Hi Ana,\n\nWe help team {n}."),
        )
    seed.decide(
        "data-platform",
        "edit",
        at,
        before=("Pipelines", "We help data teams."),
        after=("Pipelines at Acme", "We help data teams. Worth a call next week?"),
    )
    # A reply card's edit is not a draft edit: its text must not count.
    seed.decide(
        "data-platform", "edit", at, before=("", "synergy synergy"), after=("", "ok"), kind="reply"
    )
    r = report(rt)
    removed = {p.text: p for p in r.removed}
    hope = removed["i hope this email finds you well"]
    assert hope.count == 3 and "→ ∅" in hope.example
    assert "finds you" not in removed and "finds you well" not in removed, (
        "a phrase only ever removed inside a longer one is folded into it"
    )
    assert "synergy" not in removed
    added = {p.text: p for p in r.added}
    assert added["at acme"].count == 1 and "worth a call next week" in added
    assert r.edits_read == 4
    assert tuning.build(rt, since=MONDAY, until=MONDAY + timedelta(days=7), edits=1).edits_read == 1


def test_week_over_week_per_agent_and_config_version(rt):
    seed = Seeder(rt)
    last_week, this_week = MONDAY - timedelta(days=6), MONDAY + timedelta(days=2)
    for action in ("kill", "kill", "approve", "edit"):
        seed.decide("data-platform", action, last_week, version="v1", reason="off_brand")
    for action in ("approve", "approve", "approve", "edit"):
        seed.decide("data-platform", action, this_week, version="v2")
    seed.decide("data-platform", "kill", this_week, version="v1", reason="off_brand")
    seed.decide("security-expansion", "kill", this_week, version="s1", reason="bad_timing")
    r = report(rt)
    assert r.weeks == (MONDAY.date() - timedelta(weeks=1), MONDAY.date())
    dp = next(t for t in r.agents if t.agent_id == "data-platform")
    before, now = dp.weeks
    assert (before.rates.decisions, before.rates.kill_rate, before.rates.edit_rate) == (
        4,
        0.5,
        0.25,
    )
    assert (now.rates.decisions, now.rates.kills, now.rates.edits) == (5, 1, 1)
    versions = {v.config_version: v for v in now.versions}
    assert versions["v2"].new and not versions["v1"].new
    assert versions["v2"].rates.kill_rate == 0.0 and versions["v1"].rates.kill_rate == 1.0
    assert r.fleet[1].rates.decisions == 6
    text = tuning.render_text(r)
    assert "v2 (new)" in text and "kill  20% (-30)" in text
    only = report(rt, agent="security-expansion")
    assert [t.agent_id for t in only.agents] == ["security-expansion"]
    assert json.loads(tuning.to_json(only))["agents"][0]["weeks"][1]["rates"]["kill_rate"] == 1.0


def test_lowest_confidence_drafts_come_first(rt):
    approve_plays(rt)
    from bot.agent import loop

    loop.tick(rt)
    with rt.db.session() as s:
        drafts = s.exec(select(Draft).where(Draft.gate_outcome != "stop")).all()
    assert drafts
    got = tuning.build(rt, top=3).lowest
    assert [d.confidence for d in got] == sorted(d.confidence for d in drafts)[: len(got)]
    assert got[0].subject and got[0].agent_id


def cli(home, db_url, monkeypatch, *args):
    monkeypatch.setenv("TWOLOOP_HOME", str(home))
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("TWOLOOP_TIMEZONE", "UTC")
    return CliRunner().invoke(app, list(args))


def test_report_tuning_command(rt, home, db_url, monkeypatch):
    Seeder(rt).decide("data-platform", "kill", rt.now() - timedelta(hours=1), reason="off_brand")
    out = cli(home, db_url, monkeypatch, "report", "tuning", "--agent", "data-platform", "--json")
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)["kill_reasons"][0]["code"] == "off_brand"
    bad = cli(home, db_url, monkeypatch, "report", "tuning", "--since", "last week")
    assert bad.exit_code == 2 and "--since" in bad.stderr
    nobody = cli(home, db_url, monkeypatch, "report", "tuning", "--agent", "nobody")
    assert nobody.exit_code == 2 and "--agent: no agent 'nobody'" in nobody.stderr


def test_audit_filters_and_json_lines(rt, home, db_url, monkeypatch):
    approve_plays(rt)
    from bot.agent import loop

    loop.tick(rt)
    with rt.db.session() as s:
        everything = s.exec(select(AuditEvent)).all()
        owner = s.exec(select(Review.owner).where(Review.status == "decided")).first()
    out = cli(home, db_url, monkeypatch, "audit", "--json")
    assert out.exit_code == 0, out.output
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    assert len(lines) == len(everything)
    assert set(lines[0]) == {
        "at",
        "actor",
        "action",
        "subject",
        "agent_id",
        "detail",
        "config_version",
    }
    assert [x["at"] for x in lines] == sorted(x["at"] for x in lines)

    mine = cli(home, db_url, monkeypatch, "audit", "--json", "--agent", "data-platform")
    rows = [json.loads(line) for line in mine.stdout.splitlines()]
    assert rows and {r["agent_id"] for r in rows} == {"data-platform"}
    assert len(rows) == sum(e.agent_id == "data-platform" for e in everything)

    decided = cli(
        home, db_url, monkeypatch, "audit", "--json", "--action", "play", "--actor", owner
    )
    rows = [json.loads(line) for line in decided.stdout.splitlines()]
    assert rows and {r["actor"] for r in rows} == {f"user:{owner}"}
    assert {r["action"] for r in rows} == {"play.approved"}

    later = cli(home, db_url, monkeypatch, "audit", "--since", "2999-01-01")
    assert later.exit_code == 0 and later.stdout == ""
    table = cli(home, db_url, monkeypatch, "audit", "--agent", "data-platform")
    assert "draft.review" in table.stdout and "data-platform" in table.stdout

    bad = cli(home, db_url, monkeypatch, "audit", "--since", "2026-13-01")
    assert bad.exit_code == 2
    assert bad.stderr.strip().startswith("error: --since: '2026-13-01'")


def test_audit_pages_through_events_with_the_same_timestamp(rt):
    approve_plays(rt)
    with rt.db.session() as s:
        want = [e.id for e in s.exec(select(AuditEvent).order_by(AuditEvent.at, AuditEvent.id))]
    assert len(want) > 7
    assert [e.id for e in trail.events(rt.db.session, page=3)] == want


def test_why_follows_a_draft_from_signal_to_reply(rt, home, db_url, monkeypatch):
    ours = sent_first(rt)
    got = replies.ingest(rt, reply_to(ours, "Interesting. What does it cost for 40 seats?"), "test")
    out = cli(home, db_url, monkeypatch, "why", str(ours.draft_id), "--json")
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    with rt.db.session() as s:
        draft = s.get(Draft, ours.draft_id)
        reply = s.get(InboundMessage, got.inbound_id)
    assert data["draft"]["agent_id"] == draft.agent_id
    assert sorted(sig["id"] for sig in data["signals"]) == sorted(draft.signal_ids)
    assert data["match"]["paths"] and data["config_version"] == draft.config_version
    own = {
        (st["rel"], st["dst"])
        for p in data["match"]["paths"]
        for st in p["steps"]
        if st["src"].startswith("account:")
    }
    # The keys the approval moved: each relation type and step of the account's own edges.
    assert set(data["learned_weights_now"]) == {r for r, _ in own} | {f"{r}>{d}" for r, d in own}
    assert all(
        w["approved"] == 1 and w["killed"] == 0 for w in data["learned_weights_now"].values()
    )
    assert all(w["factor_now"] == 1.0 for w in data["learned_weights_now"].values())
    assert data["gate"]["outcome"] == "review" and data["gate"]["reasons"]
    assert [r["kind"] for r in data["reviews"]] == ["draft", "reply"]
    assert data["decisions"][0]["action"] == "approve"
    assert data["messages"][0]["message_id"] == ours.message_id
    assert data["messages"][0]["status"] == "sent"
    assert data["replies"][0]["intent"] == reply.intent and data["replies"][0]["route"] == "review"
    actions = [e["action"] for e in data["audit"]]
    assert "decision.approve" in actions and "outbox.sent" in actions and "inbound.human" in actions
    text = cli(home, db_url, monkeypatch, "why", str(ours.draft_id))
    assert ours.message_id in text.stdout and "Signals" in text.stdout
    assert "learned factors now: " in text.stdout and "1 approved, 0 killed" in text.stdout
    missing = cli(home, db_url, monkeypatch, "why", "987654")
    assert missing.exit_code == 1 and "no draft 987654" in missing.stderr


def weekly_runtime(home, db_url, humans, when):
    rt = Runtime(
        make_settings(home, db_url, TWOLOOP_OPERATOR_CHANNEL="COPS", TWOLOOP_DIGEST_TIME="08:30"),
        humans=humans,
        clock=lambda: when,
    )
    rt.db.upgrade()
    return rt


@pytest.mark.parametrize("replicas", [2])
def test_weekly_tuning_post_goes_out_once_per_week(home, db_url, replicas):
    monday_morning = MONDAY + timedelta(hours=9)
    early = MONDAY + timedelta(hours=8)
    fleet = [weekly_runtime(home, db_url, RecordingHumans(), early) for _ in range(replicas)]
    Seeder(fleet[0]).decide("data-platform", "kill", MONDAY - timedelta(days=2), reason="off_brand")
    assert not any(tuning.post_weekly(rt) for rt in fleet), "not due before Monday 08:30"
    for rt in fleet:
        rt.clock = lambda: monday_morning
    assert [tuning.post_weekly(rt) for rt in fleet] == [True, False]
    channel, posted = fleet[0].humans.reports[0]
    assert (
        channel == "COPS" and posted.until == MONDAY and posted.kill_reasons[0].code == "off_brand"
    )
    assert posted.weeks[-1] == (MONDAY - timedelta(weeks=1)).date()
    for rt in fleet:
        rt.clock = lambda: MONDAY + timedelta(days=3)
    assert not any(tuning.post_weekly(rt) for rt in fleet), "once per week"
    for rt in fleet:
        rt.clock = lambda: MONDAY + timedelta(days=7, hours=9)
    assert sum(tuning.post_weekly(rt) for rt in fleet) == 1
    with fleet[0].db.session() as s:
        keys = [p.key for p in s.exec(select(ScheduledPost)) if p.key.startswith("tuning:")]
    assert sorted(keys) == ["tuning:2026-W46", "tuning:2026-W47"]
    for rt in fleet:
        rt.db.dispose()


def test_weekly_post_in_slack_and_a_failed_post_is_retried(home, db_url, slack):
    humans = SlackHumans(WebClient(token="xoxb-test", base_url=slack.url))
    rt = weekly_runtime(home, db_url, humans, MONDAY + timedelta(hours=9))
    seed = Seeder(rt)
    seed.decide(
        "data-platform", "kill", MONDAY - timedelta(days=2), reason="off_brand", version="v9"
    )
    slack.fail_next("chat.postMessage", 500)
    with pytest.raises(Exception):  # noqa: B017 - whatever the client raises, the claim is released
        tuning.post_weekly(rt)
    assert tuning.post_weekly(rt)
    call = slack.of("chat.postMessage")[-1]
    assert call.args["channel"] == "COPS"
    blocks = call.args["blocks"]
    blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
    text = json.dumps(blocks)
    assert blocks[0]["type"] == "header" and "off_brand: 1 (100%)" in text
    assert "*data-platform* kill 100%" in text and "`v9`" in text
    rt.db.dispose()


def test_weekly_post_claimed_by_a_replica_that_died_is_taken_over(home, db_url):
    from storage import scheduled_posts

    rt = weekly_runtime(home, db_url, RecordingHumans(), MONDAY + timedelta(hours=9))
    key, _ = tuning.weekly_key(rt)
    with rt.db.session() as s:
        assert scheduled_posts.claim(s, key, MONDAY + timedelta(hours=8, minutes=50))
    assert not tuning.post_weekly(rt), "another replica is posting it right now"
    rt.clock = lambda: MONDAY + timedelta(hours=9, minutes=10)
    assert tuning.post_weekly(rt) and len(rt.humans.reports) == 1
    rt.db.dispose()
