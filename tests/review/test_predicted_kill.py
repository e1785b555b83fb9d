"""Predicted kills: a draft the second check is sure the AM would kill is not written.

The same real paths as tests/review/test_second_check.py (files imported, the real tick,
verdicts through `decide`, the real trainer); here the kill prediction is on."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlmodel import col, select
from typer.testing import CliRunner

from bot.agent import loop
from bot.cli.main import app
from bot.core import gate
from bot.core.gate import GateInput
from bot.core.second_check import KILL_MIN_AM_VERDICTS, score
from bot.review import second_check
from bot.review.second_check import beats_base
from storage.models import Account, Draft, Review, SecondCheckModel
from tests.conftest import approve_plays
from tests.review.test_second_check import (
    DANA,
    START,
    World,
    decide_all,
    learn,
    open_draft_reviews,
    set_trust,
    write_batch,
)
from tests.review.test_second_check import world as world


def set_thresholds(world: World, **values: float) -> None:
    path = world.rt.settings.agents_dir / "data-platform.md"
    text = path.read_text()
    for name, value in values.items():
        text = re.sub(rf"^(\s*{name}:) [\d.]+", rf"\g<1> {value}", text, count=1, flags=re.M)
    path.write_text(text)


def fresh_drafts(world: World, accounts) -> tuple[object, list[Draft]]:
    write_batch(world, accounts)
    set_trust(world.rt, "data-platform", "supervised")
    [report] = loop.tick(world.rt, "data-platform")
    ids = {a for a, _, _ in accounts}
    with world.rt.db.session() as s:
        drafts = [d for d in s.exec(select(Draft)) if d.account_id in ids]
    return report, drafts


def industries(world: World) -> dict[str, str]:
    with world.rt.db.session() as s:
        return {a.id: a.industry for a in s.exec(select(Account))}


def test_a_sure_kill_is_not_written_and_frees_its_slot(world, monkeypatch):
    learn(world, days=3)  # Dana kills every fintech draft, approves the rest: 72 verdicts
    set_thresholds(world, predicted_kill=0.9, daily_cap=4)
    monkeypatch.setenv("TWOLOOP_HOME", str(world.rt.settings.home))
    monkeypatch.setenv("DATABASE_URL", world.rt.settings.db_url)
    told = CliRunner().invoke(app, ["second-check"]).output
    assert "drafts it predicts killed are not written" in told, told
    fresh = [(f"k{i}", "fintech", DANA) for i in range(4)]
    fresh += [(f"ok{i}", "software", DANA) for i in range(4)]
    report, drafts = fresh_drafts(world, fresh)
    with world.rt.db.session() as s:
        model = s.exec(select(SecondCheckModel).order_by(col(SecondCheckModel.id).desc())).first()
        reviews = s.exec(select(Review).where(Review.kind == "draft", Review.status == "open"))
        assert list(reviews) == []  # nothing of the fresh batch reached Dana's queue
    assert "kill" in model.model
    assert model.metrics["kill"]["brier"] < model.metrics["kill"]["base_brier"]
    industry = industries(world)
    sent = [d for d in drafts if d.gate_outcome == "send"]
    skipped = [d for d in drafts if d.gate_outcome == "stop"]
    # The four sure kills did not use the daily cap of four: every software draft went out.
    assert sorted(industry[d.account_id] for d in sent) == ["software"] * 4
    assert sorted(industry[d.account_id] for d in skipped) == ["fintech"] * 4
    for d in skipped:
        assert d.status == "stopped"
        [reason] = d.gate_reasons
        assert reason["code"] == "predicted_kill"
        assert reason["text"].startswith("not written: the second check says ")
        assert "the AM would kill it (threshold 90%; from 72 decisions" in reason["text"]
        assert d.explain["predicted_kill"] >= 0.9
    for d in sent:
        assert d.explain["predicted_kill"] < 0.5
    assert report.outcomes == {"send": 4, "predicted_kill": 4}
    assert "8 drafted (predicted_kill 4, send 4)" in report.line()


def test_the_audit_still_shows_some_predicted_kills_and_says_why(world):
    learn(world, days=3)
    set_thresholds(world, predicted_kill=0.9, audit_rate=1)
    _, drafts = fresh_drafts(world, [("a1", "fintech", DANA), ("a2", "software", DANA)])
    industry = industries(world)
    [fin] = [d for d in drafts if industry[d.account_id] == "fintech"]
    assert fin.gate_outcome == "review"
    audit = [r["text"] for r in fin.gate_reasons if r["code"] == "audit_sample"]
    assert audit and audit[0].startswith("picked for a random audit of the kill prediction")
    [sw] = [d for d in drafts if industry[d.account_id] == "software"]
    assert [r["text"] for r in sw.gate_reasons if r["code"] == "audit_sample"] == [
        "picked for a random audit"
    ]
    # Dana approving the audited draft is a verdict like any other: the next model sees it.
    assert len(open_draft_reviews(world.rt)) == 2


def test_zero_turns_it_off(world):
    learn(world, days=3)
    set_thresholds(world, predicted_kill=0)
    _, drafts = fresh_drafts(world, [("z1", "fintech", DANA)])
    [d] = drafts
    assert d.gate_outcome == "review"
    # Written and held for Dana: below the second check, and of an industry she never sent.
    assert [r["code"] for r in d.gate_reasons] == ["second_check", "unfamiliar"]


def test_no_kill_model_until_kills_can_be_told_apart(world, monkeypatch):
    """Kills with no pattern (every seventh draft, whatever it is) predict nothing: the
    model keeps no kill part, and nothing is skipped."""
    counter = iter(range(10_000))

    def now_and_then(draft: Draft, account: Account) -> bool:
        return next(counter) % 7 == 0

    rt = world.rt
    approve_plays(rt)
    for day in range(3):
        write_batch(world, [(f"r{day}n{i:02d}", "software", DANA) for i in range(24)])
        set_trust(rt, "data-platform", "probation")
        loop.tick(rt, "data-platform")
        decide_all(world, kill=now_and_then)
        world.clock.now += timedelta(days=1)
    row = second_check.train(rt)
    assert row is not None and "kill" not in row.model
    assert row.metrics["kill"]["holdout"] > 0
    monkeypatch.setenv("TWOLOOP_HOME", str(rt.settings.home))
    monkeypatch.setenv("DATABASE_URL", rt.settings.db_url)
    out = CliRunner().invoke(app, ["second-check"])
    assert out.exit_code == 0, out.output
    assert "kill prediction: off (it has not beaten the kill rate alone yet)" in out.output


def base(**over) -> GateInput:
    fields = dict(
        now=START,
        trust="supervised",
        personalization=0.2,
        confidence=0.9,
        second_check=0.2,
        second_check_basis="from 90 decisions",
    )
    fields.update(over)
    return GateInput(**fields)


def test_gate_order_hard_stops_then_predicted_kill_then_review():
    assert gate.decide(base(predicted_kill=0.95)).reasons[0].code == "predicted_kill"
    assert gate.decide(base(predicted_kill=0.75)).outcome == "stop"  # at the default
    assert gate.decide(base(predicted_kill=0.74)).outcome == "review"
    assert gate.decide(base(predicted_kill=0.8, predicted_kill_threshold=0.9)).outcome == "review"
    assert gate.decide(base(predicted_kill=None)).outcome == "review"
    assert gate.decide(base(predicted_kill=1.0, predicted_kill_threshold=0)).outcome == "review"
    hard = gate.decide(base(predicted_kill=0.99, paused=True))
    assert [r.code for r in hard.reasons] == ["paused"]
    audited = gate.decide(base(predicted_kill=0.99, audit_sample=True))
    assert audited.outcome == "review"
    # What the gate would do were the agent trusted: the kill prediction holds there too.
    assert gate.shadow(base(predicted_kill=0.99, trust="probation")) == "stop"


def test_a_new_am_is_not_held_to_the_fleets_idea_of_a_kill():
    kill = {"intercept": 5.0, "coef": {}}  # sure of a kill, whoever the AM
    counts = {"agents": {"a": 40}, "ams": {"U0OLD": 40, "U0NEW": KILL_MIN_AM_VERDICTS - 1}}
    model = {"intercept": 0.0, "coef": {}, "decisions": 80, "counts": counts, "kill": kill}
    assert score(model, {"bias": 1.0}, "a", "U0OLD").p_kill == 0.9933
    assert score(model, {"bias": 1.0}, "a", "U0NEW").p_kill is None


def test_a_holdout_of_one_class_never_switches_kill_prediction_on():
    assert not beats_base({"holdout": 9, "brier": 0.0, "base_brier": 0.0})
    assert beats_base({"holdout": 9, "brier": 0.05, "base_brier": 0.1})
    assert not beats_base({"holdout": 9, "brier": 0.099, "base_brier": 0.1})
    assert not beats_base({"holdout": 0, "c": 1.0})
