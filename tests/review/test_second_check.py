"""The second check: a model of the AMs' own verdicts that the gate asks before sending.

Real paths only: accounts and signals imported from files, drafts written by the real tick,
verdicts given through `decide` (and through signed Slack requests), training by the real
trainer. The AM's taste is hidden from the product: it sees only the clicks."""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlmodel import col, select
from typer.testing import CliRunner

from bot.agent import loop
from bot.cli.main import app
from bot.core.second_check import Current, augment, features, score
from bot.decisions import Action, Request, decide
from bot.intake.importer import load
from bot.reports import why as trace
from bot.review import cards, second_check
from bot.review import lifecycle as reviews
from bot.review.cards import card_for
from bot.runtime import Runtime
from handlers.ids import APPROVE
from storage import prospects
from storage.models import Account, Decision, Draft, Review, SecondCheckModel
from tests.conftest import (
    RecordingHumans,
    approve_plays,
    make_settings,
    running_service,
    serve_settings,
)
from tests.fakes.slack_requests import block_action, interaction_body, post_signed, wait_for

DANA, LEO = "U0AMDANA01", "U0AMLEO002"  # the starter AMs (ams.yml)
START = datetime(2031, 3, 3, 10, 0, tzinfo=UTC)  # any moment works: the clock is injected


@dataclass
class Clock:
    now: datetime = START

    def __call__(self) -> datetime:
        return self.now


@dataclass
class World:
    rt: Runtime
    clock: Clock
    batches: int = 0
    verdicts: dict[str, int] = field(default_factory=dict)


def write_batch(
    world: World,
    accounts: list[tuple[str, str, str]],
    titles=lambda aid: ["Head of Data"],
    age_days: int = 2,
) -> None:
    """Import accounts (id, industry, owner AM), a head of data at each (or the contacts
    `titles` names for it), and a hiring signal `age_days` old for each, as files the
    importer reads."""
    world.batches += 1
    n = world.batches
    folder = world.rt.settings.home / f"batch{n}"
    folder.mkdir()
    seen = (world.clock.now - timedelta(days=age_days)).strftime("%Y-%m-%dT%H:%M:%SZ")
    acc = ["id,name,domain,industry,employees,country,owner_am,customer_status"]
    con = ["id,account_id,first_name,last_name,email,title,do_not_contact"]
    sig = ["account_id,kind,summary,detail,source,url,observed_at"]
    for i, (aid, industry, owner) in enumerate(accounts):
        country = "GB" if i % 2 else "US"
        acc.append(
            f"{aid},Firm {aid},{aid}.example,{industry},{300 + 7 * i},{country},{owner},prospect"
        )
        for k, title in enumerate(titles(aid)):
            cid, mail = (f"c-{aid}", "sam") if k == 0 else (f"c-{aid}-{k}", f"p{k}")
            con.append(f"{cid},{aid},Sam,Lee{i},{mail}@{aid}.example,{title},false")
        sig.append(
            f"{aid},hiring,Firm {aid} is hiring a data engineer,Data Engineer,jobs feed,"
            f"https://{aid}.example/jobs,{seen}"
        )
    for name, lines in (("accounts", acc), ("contacts", con), ("signals", sig)):
        (folder / f"{name}.csv").write_text("\n".join(lines) + "\n")
    load(world.rt.db, [folder / "accounts.csv", folder / "contacts.csv", folder / "signals.csv"])


def set_trust(rt: Runtime, agent_id: str, trust: str) -> None:
    agent = rt.fleet().agents[agent_id]
    with rt.db.session() as s:
        state = prospects.agent_state(s, agent_id, agent.config_version)
        state.trust, state.trust_set_by = trust, "U0OPERATOR1"
        s.add(state)


def open_draft_reviews(rt: Runtime) -> list[tuple[Review, Draft, Account]]:
    with rt.db.session() as s:
        q = select(Review).where(Review.kind == "draft", Review.status == "open")
        out = []
        for r in s.exec(q.order_by(col(Review.id))):
            d = s.get_one(Draft, r.subject_id)
            out.append((r, d, s.get_one(Account, d.account_id)))
        return out


def kills_fintech(draft: Draft, account: Account) -> bool:
    """Dana's hidden taste: every fintech draft is off-brand to her."""
    return account.industry == "fintech" and account.owner_am == DANA


def decide_all(world: World, kill=kills_fintech) -> int:
    n = 0
    for review, draft, account in open_draft_reviews(world.rt):
        if kill(draft, account):
            req = Request(review.id, review.owner, Action.KILL, reason_code="off_brand")
        else:
            req = Request(review.id, review.owner, Action.APPROVE, content_hash=review.content_hash)
        assert decide(world.rt, req).status == "decided"
        n += 1
    return n


def tune_agent(rt: Runtime, agent_id: str) -> None:
    """Only the second check decides here: the agent's other review rules (and its kill
    prediction, tests/review/test_predicted_kill.py) are set aside."""
    path = rt.settings.agents_dir / f"{agent_id}.md"
    text = path.read_text()
    for pattern, value in (
        (r"personalization: [\d.]+", "personalization: 1.0"),
        (r"confidence: [\d.]+", "confidence: 0.0\n  predicted_kill: 0"),
        (r"^audit_rate: [\d.]+", "audit_rate: 0"),
    ):
        text = re.sub(pattern, value, text, count=1, flags=re.M)
    path.write_text(text)


@pytest.fixture
def world(home, db_url) -> World:
    (home / "agents" / "security-expansion.md").unlink()  # one agent, one play to approve
    clock = Clock()
    humans = RecordingHumans()
    humans.users = {DANA: "active", LEO: "active"}  # both decide their own accounts
    rt = Runtime(make_settings(home, db_url), humans=humans, clock=clock)
    rt.db.upgrade()
    load(rt.db, [home / "data" / "knowledge.yml"])
    tune_agent(rt, "data-platform")
    w = World(rt, clock)
    yield w
    rt.db.dispose()


def learn(world: World, days: int, owners: tuple[str, ...] = (DANA,)) -> None:
    """`days` of 24 drafts each (a third fintech, the accounts shared among `owners`), all
    reviewed by their owners."""
    rt = world.rt
    approve_plays(rt)
    for day in range(days):
        batch = []
        for i in range(24):
            industry = ("fintech", "software", "e-commerce")[i % 3]
            owner = owners[(i // 3) % len(owners)]
            batch.append((f"d{day}n{i:02d}", industry, owner))
        write_batch(world, batch)
        set_trust(rt, "data-platform", "probation")  # learning: every draft is reviewed
        loop.tick(rt, "data-platform")
        decide_all(world)
        world.clock.now += timedelta(days=1)


def test_no_model_yet_means_review_with_how_many_it_needs(world):
    rt = world.rt
    approve_plays(rt)
    write_batch(world, [("n1", "software", DANA), ("n2", "fintech", LEO)])
    set_trust(rt, "data-platform", "supervised")
    [report] = loop.tick(rt, "data-platform")
    assert report.outcomes == {"review": 2}
    for review, draft, _ in open_draft_reviews(rt):
        assert draft.second_check is None
        assert review.reasons == ["no second check yet (0 decisions so far, needs 30)"]
        assert draft.features["agent"] == "data-platform"
        assert draft.features["x"]["rel=hiring_for"] == 1.0
        c = card_scores(rt, review.id)
        assert "second check: none yet (0 decisions so far, needs 30)" in c
    assert second_check.train(rt) is None


def card_scores(rt: Runtime, review_id: int) -> str:
    """The confidence line of a review's card, as both renderers show it."""
    with rt.db.session() as s:
        return cards.scores_text(card_for(rt, s, review_id))[1]


def test_a_hidden_preference_is_learned_from_clicks(world):
    rt = world.rt
    learn(world, days=3)  # 72 verdicts
    with rt.db.session() as s:
        killed = s.exec(select(Decision).where(Decision.action == "kill")).all()
        assert len(killed) == 24  # every fintech draft; the rest approved
    # New prospects; the agent has earned trust: the gate decides.
    fresh = [(f"new{i}", ("fintech", "software", "e-commerce")[i % 3], DANA) for i in range(12)]
    write_batch(world, fresh)
    set_trust(rt, "data-platform", "supervised")
    [report] = loop.tick(rt, "data-platform")
    assert report.drafted == 12
    with rt.db.session() as s:
        model = s.exec(select(SecondCheckModel).order_by(col(SecondCheckModel.id).desc())).first()
        assert model.decisions == 72  # the tick trained before it scored: nothing missed
        assert model.metrics["brier"] < model.metrics["base_brier"]  # on the newest 20%
        drafts = s.exec(select(Draft).where(col(Draft.account_id).startswith("new"))).all()
        industry = {a.id: a.industry for a in s.exec(select(Account))}
    for d in drafts:
        assert d.second_check is not None
        if industry[d.account_id] == "fintech":
            assert d.second_check < 0.5, d.features
            assert d.gate_outcome == "review"
            # ... and Dana has sent no fintech draft: the gate says that too.
            assert [(r["code"], r["text"]) for r in d.gate_reasons][1:] == [
                ("unfamiliar", "unlike what its AM has sent: industry fintech (none sent yet)")
            ]
            assert d.gate_reasons[0]["code"] == "second_check"
        else:
            assert d.second_check >= 0.9, d.features
            assert d.gate_outcome == "send"
        assert d.explain["second_check_basis"].startswith("from 72 decisions (72 of this agent's")
    # The card shows both numbers, next to each other.
    [(review, draft, _)] = open_draft_reviews(rt)[:1]
    c = card_scores(rt, review.id)
    assert c.startswith(f"Confidence {draft.confidence:.2f}")
    assert f"second check: {draft.second_check:.2f} from 72 decisions (72 of this agent's," in c
    # And `twoloop why` tells the same.
    told = trace.render(trace.chain(rt, draft.id))
    assert f"second check: {draft.second_check:.2f} from 72 decisions" in told


def tick_new_accounts(world: World, agent_id: str, accounts) -> dict[tuple[str, str], list]:
    """Draft to fresh accounts with a supervised agent: second checks by (industry, owner)."""
    rt = world.rt
    write_batch(world, accounts)
    set_trust(rt, agent_id, "supervised")
    loop.tick(rt, agent_id)
    ids = {aid for aid, _, _ in accounts}
    with rt.db.session() as s:
        drafts = [
            d
            for d in s.exec(select(Draft).where(Draft.agent_id == agent_id))
            if d.account_id in ids
        ]
        found = {a.id: a for a in s.exec(select(Account).where(col(Account.id).in_(ids)))}
    assert len(drafts) == len(accounts)
    by: dict[tuple[str, str], list] = {}
    for d in drafts:
        a = found[d.account_id]
        assert d.features["am"] == a.owner_am  # whose taste it was judged by
        by.setdefault((a.industry, a.owner_am), []).append(d)
    return by


def test_a_new_agent_borrows_its_ams_taste(world):
    rt = world.rt
    learn(world, days=3)  # 72 of Dana's verdicts, all through data-platform
    # A new agent of hers: no verdicts of its own.
    agents = rt.settings.agents_dir
    text = (agents / "data-platform.md").read_text()
    (agents / "data-platform-b.md").write_text(text.replace("name: Data platform", "name: B"))
    fresh = [(f"b{i}", ("fintech", "software", "e-commerce")[i % 3], DANA) for i in range(6)]
    by = tick_new_accounts(world, "data-platform-b", fresh)
    for drafts in by.values():
        for d in drafts:
            assert d.explain["second_check_basis"] == (
                "from 72 decisions (0 of this agent's, 72 of its AM's)"
            )
    assert all(d.second_check < 0.5 for d in by[("fintech", DANA)])
    assert all(d.gate_outcome == "review" for d in by[("fintech", DANA)])
    others = by[("software", DANA)] + by[("e-commerce", DANA)]
    assert all(d.second_check >= 0.9 and d.gate_outcome == "send" for d in others)


def test_each_ams_taste_stays_theirs(world):
    """Dana kills fintech, Leo approves it: one agent, two AMs, two answers."""
    learn(world, days=3, owners=(DANA, LEO))
    fresh = [(f"m{i}", "fintech", (DANA, LEO)[i % 2]) for i in range(6)]
    by = tick_new_accounts(world, "data-platform", fresh)
    assert all(d.second_check < 0.5 for d in by[("fintech", DANA)])
    assert all(d.second_check >= 0.9 for d in by[("fintech", LEO)])
    assert all(
        d.explain["second_check_basis"] == "from 72 decisions (72 of this agent's, 36 of its AM's)"
        for drafts in by.values()
        for d in drafts
    )


def test_own_evidence_moves_an_agent_away_from_the_pool():
    """Pure: the same draft, the same AM; an agent whose own verdicts disagree with its AM's
    gets its own answer once its evidence adds up."""
    rng = random.Random(7)
    xs, ys = [], []
    for i in range(400):
        agent = "quirky" if i % 4 == 0 else f"a{i % 3}"
        fin = rng.random() < 0.5
        x = {"bias": 1.0, f"industry={'fintech' if fin else 'software'}": 1.0}
        xs.append(augment(x, agent, DANA))
        # The AM kills fintech, except through "quirky", whose fintech drafts she likes.
        ys.append(0 if fin and agent != "quirky" else 1)
    fitted = second_check.fit(xs, ys)
    model = {"intercept": fitted.intercept, "coef": fitted.coef, "decisions": 400}
    fin = {"bias": 1.0, "industry=fintech": 1.0}
    assert score(model, fin, "quirky", DANA).p > 0.7
    assert score(model, fin, "a1", DANA).p < 0.3
    assert score(model, fin, "brand-new", DANA).p < 0.5  # none of its own: the AM's taste


def test_one_class_only_scores_the_smoothed_rate():
    fitted = second_check.fit([{"bias": 1.0}] * 30, [1] * 30)
    assert fitted.coef == {}
    p = score({"intercept": fitted.intercept, "coef": {}, "decisions": 30}, {}, "a", "u").p
    assert p == pytest.approx(31 / 32, abs=1e-4)


def test_calibration_on_synthetic_data_with_known_probabilities():
    """Drafts whose true approval probability is known: the trained model's probabilities
    come close to it (Brier score near the irreducible noise), and it beats the base rate."""
    rng = random.Random(11)
    kinds = ["hiring", "funding", "tech_adoption"]

    def truth(x):
        z = -0.5 + 2.0 * x["confidence"] - 1.5 * x.get("industry=fintech", 0.0)
        z += 0.8 * x.get("signal=hiring", 0.0)
        return 1 / (1 + pow(2.718281828, -z))

    xs, ps, ys = [], [], []
    for _ in range(3000):
        x = {
            "bias": 1.0,
            "confidence": rng.random(),
            f"industry={rng.choice(['fintech', 'software', 'retail'])}": 1.0,
            f"signal={rng.choice(kinds)}": 1.0,
        }
        p = truth(x)
        xs.append(augment(x, f"a{rng.randrange(5)}", f"u{rng.randrange(2)}"))
        ps.append(p)
        ys.append(1 if rng.random() < p else 0)
    split = len(ys) - second_check.holdout_size(len(ys))
    c = second_check.choose_c(xs[:split], ys[:split])  # as training chooses it
    metrics = second_check.metrics(xs, ys, c)
    held_ps = ps[-metrics["holdout"] :]
    held_ys = ys[-metrics["holdout"] :]
    noise = sum((p - y) ** 2 for p, y in zip(held_ps, held_ys, strict=True)) / len(held_ys)
    assert metrics["brier"] < noise + 0.01  # as good as knowing the truth, nearly
    assert metrics["brier"] < metrics["base_brier"] - 0.02
    assert metrics["log_loss"] < metrics["base_log_loss"]
    # Calibrated: in each band of predicted probability, the approval rate matches it.
    fitted = second_check.fit(xs, ys, c)
    bands: dict[int, list[tuple[float, float]]] = {}
    for x, p in zip(xs, ps, strict=True):
        q = second_check.predict(fitted, x)
        bands.setdefault(min(4, int(q * 5)), []).append((q, p))
    for rows in bands.values():
        if len(rows) >= 100:
            mean_q = sum(q for q, _ in rows) / len(rows)
            mean_p = sum(p for _, p in rows) / len(rows)
            assert abs(mean_q - mean_p) < 0.05


def test_features_are_what_the_gate_saw():
    now = START
    x = features(
        match={
            "score": 0.62,
            "paths": [
                {
                    "steps": [
                        {"src": "account:a", "rel": "hiring_for", "dst": "role:data-engineer"},
                        {"src": "role:data-engineer", "rel": "indicates", "dst": "problem:p"},
                    ]
                }
            ],
        },
        signals=[("hiring", now - timedelta(days=6)), ("funding", now - timedelta(days=30))],
        now=now,
        play_id="hiring-data-engineers",
        capability="managed-pipelines",
        personalization=0.55,
        body="one two three four",
        confidence=0.8,
        industry="fintech",
        country="US",
        employees=999,
        customer_status="prospect",
        edits=(0.25, 0.4),
    )
    assert x["rel=hiring_for"] == 1.0 and "rel=indicates" not in x
    assert x["rel>dst=hiring_for>role:data-engineer"] == 1.0
    assert x["signal=hiring"] == x["signal=funding"] == 1.0
    assert (
        x["lead=hiring_for>role:data-engineer"] == 1.0
    )  # the first path: what the card leads with
    assert x["signal_age_days/30"] == pytest.approx(0.2)  # the newest signal: 6 days
    # Thermometer steps: every cut the value reaches, none past it.
    assert {f for f in x if f.startswith("signal_age>=")} == {"signal_age>=3d", "signal_age>=6d"}
    assert "personalization>=0.55" in x and "personalization>=0.6" not in x
    assert "confidence>=0.8" in x and "confidence>=0.85" not in x
    assert x["words/100"] == 0.04 and x["log10_employees"] == pytest.approx(3.0)
    assert (x["edit_share"], x["edit_size"], x["match_score"]) == (0.25, 0.4, 0.62)
    assert Current().check(x, "a", "u").basis == "0 decisions so far, needs 30"


def test_edit_history_counts_edits_and_their_size():
    rows = [
        ("approve", "a b c d", ""),
        ("edit", "a b c d", "a b c d"),  # saved unchanged: size 0
        ("edit", "a b c d", "w x y z"),  # rewritten: size 1
        ("defer", "", ""),  # no verdict
    ]
    assert second_check.edit_history(rows) == (pytest.approx(2 / 3, abs=1e-4), 0.5)


def test_a_click_never_waits_on_training(home, db_url, slack, monkeypatch):
    """The trainer is broken: a click through Slack still decides and sends, and the trainer
    was never called in it; the next tick logs the failure and still gates every draft."""
    calls = []

    def broken(*args, **kwargs):
        calls.append(1)
        raise RuntimeError("trainer is broken")

    with running_service(serve_settings(home, db_url, slack)) as svc:
        rt = svc.rt
        approve_plays(rt)
        loop.tick(rt, "data-platform")
        reviews.post_pending(rt)
        [(review, draft, _)] = open_draft_reviews(rt)[:1]
        card = json.dumps(slack.of("chat.postMessage")[0].args["blocks"])
        assert "second check: none yet (0 decisions so far, needs 30)" in card
        monkeypatch.setattr(second_check, "fit", broken)
        with httpx.Client(base_url=svc.url, timeout=10) as http:
            payload = block_action(
                review.owner, APPROVE, f"{review.id}:{review.content_hash}", review.channel
            )
            assert post_signed(http, "/slack/events", interaction_body(payload)).status_code == 200

        def decided():
            with rt.db.session() as s:
                return s.exec(select(Decision).where(Decision.review_id == review.id)).all()

        [decision] = wait_for(decided)
        assert decision.action == "approve"
        assert calls == []  # not trained in the click
        # A second verdict, and a minimum of two: the next tick wants a model.
        (other, _, _) = open_draft_reviews(rt)[0]
        req = Request(other.id, other.owner, Action.APPROVE, content_hash=other.content_hash)
        assert decide(rt, req).status == "decided"
        assert calls == []
        # A tick with the broken trainer: no model (too few verdicts) or the last one.
        rt.settings.second_check_min_decisions = 2
        write_batch(World(rt, Clock(rt.now())), [("late1", "software", DANA)])
        [report] = loop.tick(rt, "data-platform")
        assert calls, "the tick asked for a fresh model"
        assert report.drafted >= 1
        with rt.db.session() as s:
            late = s.exec(select(Draft).where(Draft.account_id == "late1")).one()
        assert late.gate_outcome == "review"
        assert "no second check yet" in " ".join(r["text"] for r in late.gate_reasons)


def test_cli_trains_now_and_prints_the_numbers(world, monkeypatch):
    learn(world, days=2)
    monkeypatch.setenv("TWOLOOP_HOME", str(world.rt.settings.home))
    monkeypatch.setenv("DATABASE_URL", world.rt.settings.db_url)
    out = CliRunner().invoke(app, ["second-check", "--top", "5"])
    assert out.exit_code == 0, out.output
    assert "trained on 48 decisions" in out.output
    assert re.search(r"Brier 0\.\d{4} \(approval rate alone 0\.\d{4}\), log loss", out.output)
    assert "industry=fintech" in out.output  # the weight that matters is among the top


def test_cli_says_how_many_decisions_are_missing(home, db_url, clean_cwd, monkeypatch):
    monkeypatch.setenv("TWOLOOP_HOME", str(home))
    monkeypatch.setenv("DATABASE_URL", db_url)
    out = CliRunner().invoke(app, ["second-check"])
    assert out.exit_code == 1
    assert "0 decisions so far, needs 30" in out.output


def test_old_models_are_pruned(world):
    rt = world.rt
    learn(world, days=2)
    for _ in range(second_check.KEEP + 3):
        assert second_check.train(rt, force=True) is not None
    with rt.db.session() as s:
        assert len(s.exec(select(SecondCheckModel)).all()) == second_check.KEEP
    # Nothing new since: no retraining, the newest stands.
    newest = second_check.train(rt)
    assert second_check.train(rt).id == newest.id


def test_a_draft_older_than_any_its_am_sent_waits_for_them_until_they_send_one(world):
    rt = world.rt
    learn(world, days=3)  # Dana sent software and e-commerce drafts on 2-day-old signals
    write_batch(world, [("old1", "software", DANA)], age_days=20)
    set_trust(rt, "data-platform", "supervised")
    loop.tick(rt, "data-platform")
    with rt.db.session() as s:
        [old] = s.exec(select(Draft).where(Draft.account_id == "old1")).all()
    assert old.second_check >= 0.9 and old.gate_outcome == "review"  # the model would send it
    assert [r["text"] for r in old.gate_reasons] == [
        "unlike what its AM has sent: signal 20 days old (the oldest sent: 2)"
    ]
    [(review, _, _)] = open_draft_reviews(rt)
    approve = Request(review.id, DANA, Action.APPROVE, content_hash=review.content_hash)
    assert decide(rt, approve).status == "decided"
    world.clock.now += timedelta(days=1)
    write_batch(world, [("old2", "software", DANA)], age_days=19)
    loop.tick(rt, "data-platform")
    with rt.db.session() as s:
        [like] = s.exec(select(Draft).where(Draft.account_id == "old2")).all()
    assert like.gate_outcome == "send", like.gate_reasons
