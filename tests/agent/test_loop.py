"""The agent loop end to end on both databases: caps, pauses, play approval, the writer's
outcomes, content rules and the send path."""

from __future__ import annotations

import re

from sqlmodel import select

from bot.agent import loop
from bot.core.drafting import OfflineWriter, Written
from bot.decisions import Action, Request, decide
from bot.mail.outbound import outbox
from bot.review import lifecycle as reviews
from storage.models import AgentState, AuditEvent, Draft, OutboxMessage, PlayVersion, Review
from tests.conftest import approve_plays


def edit_agent(rt, agent_id, pattern, replacement):
    path = rt.settings.agents_dir / f"{agent_id}.md"
    text = path.read_text()
    new = re.sub(pattern, replacement, text, count=1, flags=re.M)
    assert new != text
    path.write_text(new)


def drafts(rt, **where):
    with rt.db.session() as s:
        q = select(Draft)
        for k, v in where.items():
            q = q.where(getattr(Draft, k) == v)
        return list(s.exec(q.order_by(Draft.id)))


def open_reviews(rt, kind):
    with rt.db.session() as s:
        return list(s.exec(select(Review).where(Review.status == "open", Review.kind == kind)))


class CountingWriter:
    def __init__(self, result=None):
        self.calls = 0
        self.result = result

    def write(self, request):
        self.calls += 1
        return self.result(request) if self.result else OfflineWriter().write(request)


def test_new_plays_wait_for_approval_with_samples(rt):
    reports = loop.tick(rt)
    assert sum(r.drafted for r in reports) == 0
    assert any(r.dropped.get("play awaiting approval") for r in reports)
    plays = open_reviews(rt, "play")
    assert {p.agent_id for p in plays} == {"data-platform", "security-expansion"}
    with rt.db.session() as s:
        version = s.exec(
            select(PlayVersion).where(PlayVersion.play_id == "hiring-data-engineers")
        ).one()
    assert version.status == "pending" and 1 <= len(version.samples) <= 3
    assert "Hi " in version.samples[0]["body"]
    loop.tick(rt)
    assert len(open_reviews(rt, "play")) == len(plays), "one open review per play version"
    reviews.post_pending(rt)
    assert any(c.kind == "play" for c in rt.humans.posted)


def test_killed_play_is_not_used_and_a_changed_play_asks_again(rt):
    loop.tick(rt)
    for review in open_reviews(rt, "play"):
        decide(rt, Request(review.id, review.owner, Action.KILL, reason_code="off_brand"))
    assert sum(r.drafted for r in loop.tick(rt)) == 0
    assert open_reviews(rt, "play") == []
    play = rt.settings.plays_dir / "hiring-data-engineers.md"
    play.write_text(play.read_text().replace("Would a 20-minute call", "Would a short call"))
    loop.tick(rt)
    [again] = [r for r in open_reviews(rt, "play") if r.agent_id == "data-platform"]
    assert decide(rt, Request(again.id, again.owner, Action.APPROVE)).status == "decided"
    assert loop.tick(rt, "data-platform")[0].drafted > 0


def test_daily_cap_holds_and_waits_for_tomorrow(rt):
    edit_agent(rt, "data-platform", r"^daily_cap: \d+", "daily_cap: 2")
    approve_plays(rt)
    [report] = loop.tick(rt, "data-platform")
    assert report.drafted - report.outcomes["stop"] == 2
    assert report.dropped["daily cap"] >= 1
    [again] = loop.tick(rt, "data-platform")
    assert again.skipped == "daily cap reached; waits for tomorrow"


def test_paused_agent_skips_and_says_why(rt):
    approve_plays(rt)
    with rt.db.session() as s:
        state = s.get(AgentState, "data-platform")
        state.paused, state.paused_reason = True, "bounce spike"
        s.add(state)
    [report] = loop.tick(rt, "data-platform")
    assert report.skipped == "paused: bounce spike" and drafts(rt, agent_id="data-platform") == []


def test_drops_are_recorded_with_reasons(rt):
    edit_agent(rt, "data-platform", r"min_match_score: [\d.]+", "min_match_score: 0.99")
    approve_plays(rt)
    [report] = loop.tick(rt, "data-platform")
    assert report.drafted == 0 and report.dropped["match score under min_match_score"] > 0
    with rt.db.session() as s:
        event = s.exec(
            select(AuditEvent)
            .where(AuditEvent.action == "tick", AuditEvent.subject == "agent:data-platform")
            .order_by(AuditEvent.id.desc())
        ).first()
    assert event.detail["dropped"]["match score under min_match_score"] > 0
    assert event.detail["samples"][0]["reason"] == "match score under min_match_score"


def test_edited_agent_file_takes_effect_next_tick_with_a_new_config_version(rt):
    approve_plays(rt)
    before = rt.fleet().agents["data-platform"].config_version
    edit_agent(rt, "data-platform", r"^goal: .*$", "goal: Book calls with data leaders.")
    after = rt.fleet().agents["data-platform"].config_version
    assert before != after
    loop.tick(rt, "data-platform")
    assert {d.config_version for d in drafts(rt, agent_id="data-platform")} == {after}


def test_hard_stops_cost_no_writer_call_and_are_recorded(rt):
    approve_plays(rt)
    writer = CountingWriter()
    rt.writer = rt.offline_writer = writer
    [report] = loop.tick(rt, "data-platform")
    stopped = drafts(rt, agent_id="data-platform", status="stopped")
    assert stopped and stopped[0].account_id == "ember"  # a current customer
    assert stopped[0].gate_reasons[0]["code"] == "current_customer"
    assert writer.calls == report.drafted - len(stopped)


def test_writer_wait_stores_nothing_and_retries_next_tick(rt):
    approve_plays(rt)
    down = CountingWriter(lambda r: Written("", "", [], wait="model unavailable: APITimeoutError"))
    rt.writer = rt.offline_writer = down
    [report] = loop.tick(rt, "data-platform")
    assert report.drafted == report.outcomes["stop"]
    assert report.dropped["wait: model unavailable: APITimeoutError"] >= 1
    rt.writer = rt.offline_writer = OfflineWriter()
    [later] = loop.tick(rt, "data-platform")
    assert later.outcomes["review"] >= 1


def test_writer_problems_go_to_a_human_with_the_template_text(rt):
    approve_plays(rt)
    refusing = CountingWriter(
        lambda r: Written("", "", [], problems=["model refused: no"], provider="openai:test")
    )
    rt.writer = rt.offline_writer = refusing
    loop.tick(rt, "data-platform")
    d = next(x for x in drafts(rt, agent_id="data-platform") if x.status == "review")
    assert "model refused: no" in [r["text"] for r in d.gate_reasons]
    assert d.body.startswith("Hi ") and d.confidence == 0.0
    assert "fell back to template" in d.explain["provider"]


def test_content_rules_block_approval_until_edited(rt):
    edit_agent(rt, "data-platform", r"^banned_phrases: .*$", 'banned_phrases: ["babysit"]')
    approve_plays(rt)
    loop.tick(rt, "data-platform")
    d = next(x for x in drafts(rt, agent_id="data-platform") if x.status == "review")
    assert any(r["code"] == "content" for r in d.gate_reasons)
    with rt.db.session() as s:
        review = s.exec(
            select(Review).where(Review.subject_id == d.id, Review.kind == "draft")
        ).one()
    blocked = decide(
        rt, Request(review.id, review.owner, Action.APPROVE, content_hash=review.content_hash)
    )
    assert blocked.status == "blocked" and "babysit" in blocked.detail
    bad_edit = decide(
        rt,
        Request(
            review.id,
            review.owner,
            Action.EDIT,
            content_hash=review.content_hash,
            subject="S",
            body="We babysit.\nSee https://evil.example/x",
        ),
    )
    assert bad_edit.status == "blocked" and "evil.example" in bad_edit.detail
    ok = decide(
        rt,
        Request(
            review.id,
            review.owner,
            Action.EDIT,
            content_hash=review.content_hash,
            subject=d.subject,
            body=d.body.replace("babysit", "watch"),
        ),
    )
    assert ok.status == "decided"


def test_token_budget_spent_means_wait(rt):
    edit_agent(rt, "data-platform", r"^daily_cap: \d+", "daily_cap: 25\ndaily_token_budget: 100")
    approve_plays(rt)
    seen = []

    def metered(request):
        seen.append(request.token_budget_left)
        if request.token_budget_left is not None and request.token_budget_left <= 0:
            return Written("", "", [], wait="daily token budget spent")
        w = OfflineWriter().write(request)
        w.tokens, w.provider = 60, "openai:test"
        return w

    writer = CountingWriter(metered)
    rt.writer = writer  # a "model" writer: budgets apply
    [first] = loop.tick(rt, "data-platform")
    assert sum(d.tokens for d in drafts(rt, agent_id="data-platform")) > 0
    [second] = loop.tick(rt, "data-platform")
    assert second.dropped.get("wait: daily token budget spent") or second.drafted == 0
    assert seen[0] == 100


def test_supervised_agent_below_thresholds_sends_without_review(rt):
    edit_agent(rt, "data-platform", r"personalization: [\d.]+", "personalization: 1.0")
    edit_agent(rt, "data-platform", r"^audit_rate: [\d.]+", "audit_rate: 0")
    # The second check off: its own tests (tests/review/test_second_check.py) train one.
    edit_agent(rt, "data-platform", r"^(  confidence: [\d.]+)", r"\1\n  second_check: 0")
    approve_plays(rt)
    with rt.db.session() as s:
        state = s.get(AgentState, "data-platform")
        state.trust = "supervised"
        s.add(state)
    [report] = loop.tick(rt, "data-platform")
    assert report.outcomes["send"] >= 1
    sent = outbox.flush(rt)["sent"]
    assert sent == report.outcomes["send"]
    with rt.db.session() as s:
        assert len(s.exec(select(OutboxMessage)).all()) == sent
