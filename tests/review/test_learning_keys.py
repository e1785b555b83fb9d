"""What keying the evidence by the account's own step changes, on both databases: a verdict
moves the target the AM judged much more than its relation type, factors are relative to the
agent's own rate (approvals alone move nothing), and rows kept before steps existed still
work. Through real decisions (`decide`) and real ticks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from bot.core.matching import FACTOR_RANGE, learned_factors
from bot.decisions import Action
from bot.review import learning
from bot.review.cards import path_text
from storage import learning as store
from storage.models import Account, Contact, Draft, Edge, LearnedWeight, Signal
from tests.conftest import approve_plays
from tests.review.test_learning import AGENT, OWNER, beliefs, decide_on, next_day, tick

DE = ("hiring_for", "role:data-engineer")
SL = ("hiring_for", "role:security-leader")
AIRFLOW = ("uses", "tech:airflow")


@pytest.fixture
def learner(rt):
    """The learner agent of test_learning, pitching both capabilities, so one relation type
    (hiring_for) reaches it through two different roles."""
    agents = rt.settings.agents_dir
    text = (agents / "data-platform.md").read_text()
    for old, new in (
        ("industries: [software, fintech, e-commerce]", "industries: [robotics]"),
        ("daily_cap: 25", "daily_cap: 30"),
        (
            "capabilities: [managed-pipelines]",
            "capabilities: [managed-pipelines, compliance-autopilot]",
        ),
    ):
        assert old in text
        text = text.replace(old, new)
    (agents / f"{AGENT}.md").write_text(text)
    approve_plays(rt)
    return rt


def add(rt, step: tuple[str, str], names: list[str]) -> None:
    """Robotics accounts with a fresh hiring signal whose only edge into the graph is `step`."""
    rel, dst = step
    now = rt.now()
    with rt.db.session() as s:
        for name in names:
            s.add(
                Account(
                    id=name,
                    name=name.title(),
                    domain=f"{name}.example",
                    industry="robotics",
                    employees=300,
                    country="GB",
                    owner_am=OWNER,
                )
            )
        s.flush()
        for name in names:
            s.add(
                Contact(
                    id=f"c-{name}",
                    account_id=name,
                    first_name="Kim",
                    last_name=name.title(),
                    email=f"kim@{name}.example",
                    title="Head of Data",
                )
            )
            s.add(
                Signal(
                    account_id=name,
                    kind="hiring",
                    summary=f"{name.title()} is hiring",
                    detail=dst.split(":")[1].replace("-", " "),
                    observed_at=now - timedelta(hours=2),
                    dedupe_key=f"keys-{name}",
                )
            )
            s.add(Edge(src=f"account:{name}", rel=rel, dst=dst, weight=1.0))
        s.commit()


def score_of(rt, account_id: str) -> float:
    with rt.db.session() as s:
        draft = s.exec(select(Draft).where(Draft.account_id == account_id)).one()
        return draft.match["score"]


def first_step(rt, account_id: str) -> dict:
    with rt.db.session() as s:
        draft = s.exec(select(Draft).where(Draft.account_id == account_id)).one()
        return draft.match["paths"][0]["steps"][0]


def test_wrong_account_kills_on_data_engineers_put_a_security_leader_hire_first(learner):
    add(learner, DE, ["dace"])
    add(learner, SL, ["sable"])
    # No feedback: the data-engineer hire matches a little better (0.87 against 0.86).
    assert tick(learner) == ["dace", "sable"]
    assert score_of(learner, "dace") > score_of(learner, "sable")
    assert decide_on(learner, "dace", Action.KILL, "wrong_account").status == "decided"
    assert beliefs(learner) == {
        "*": (1.0, 2.0),
        "hiring_for": (1.0, 2.0),
        "hiring_for>role:data-engineer": (1.0, 2.0),
    }

    next_day(learner)
    add(learner, DE, ["dune"])
    add(learner, SL, ["stoat"])
    # The same graph, the same signals: the kill was about data-engineer hires, and the
    # agent's other hiring_for target barely moves, so it now ranks first.
    assert tick(learner) == ["stoat", "dune"]
    de, sl = first_step(learner, "dune"), first_step(learner, "stoat")
    assert (de["dst"], de["learned"], de["decisions"]) == ("role:data-engineer", 0.5926, 1)
    # The security-leader step has no verdict of its own: its relation type's factor.
    assert (sl["dst"], sl["learned"], sl["decisions"]) == ("role:security-leader", 0.8889, 1)
    assert 1.0 - de["learned"] > 3 * (1.0 - sl["learned"])
    assert score_of(learner, "stoat") > score_of(learner, "dune")
    card = learner.humans.posted[-1]
    assert "—hiring_for→ data engineer (w 1 × learned 0.59 from 1 decision)" in path_text(
        card.paths[0]
    )


def test_thirty_approvals_leave_every_match_score_where_no_feedback_put_it(learner):
    first = {DE: [f"de{i}" for i in range(10)], SL: [f"sl{i}" for i in range(10)]}
    first[AIRFLOW] = [f"af{i}" for i in range(10)]
    for step, names in first.items():
        add(learner, step, names)
    assert len(tick(learner)) == 30
    before = {step: {score_of(learner, n) for n in names} for step, names in first.items()}
    assert all(len(scores) == 1 for scores in before.values())
    for names in first.values():
        for name in names:
            assert decide_on(learner, name, Action.APPROVE).status == "decided"
    assert beliefs(learner)["*"] == (31.0, 1.0)

    next_day(learner)
    later = {DE: "dory", SL: "skink", AIRFLOW: "aster"}
    for step, name in later.items():
        add(learner, step, [name])
    assert sorted(tick(learner)) == sorted(later.values())
    for step, name in later.items():
        assert {round(score_of(learner, name), 4)} == before[step], step
        assert first_step(learner, name)["learned"] == 1.0
        assert first_step(learner, name)["decisions"] == 10


@pytest.mark.parametrize("reason", ["bad_timing", "current_customer"])
def test_when_and_who_we_already_serve_are_not_the_matchers_fault(learner, reason):
    add(learner, DE, ["dace"])
    tick(learner)
    assert decide_on(learner, "dace", Action.KILL, reason).status == "decided"
    assert beliefs(learner) == {}
    next_day(learner)
    add(learner, DE, ["dune"])
    tick(learner)
    assert score_of(learner, "dune") == score_of(learner, "dace")


def test_rows_kept_before_steps_existed_are_the_relation_level(learner):
    # An agent learned by the old code: bare relation rows, no `*` and no steps.
    with learner.db.session() as s:
        s.add(LearnedWeight(agent_id=AGENT, rel="hiring_for", alpha=1.0, beta=4.0))
        s.add(LearnedWeight(agent_id=AGENT, rel="uses", alpha=4.0, beta=1.0))
        s.commit()
    with learner.db.session() as s:
        learned, decided = learning.factors(s, AGENT)
    assert learned["hiring_for"] < 1.0 < learned["uses"]
    assert decided == {"hiring_for": 3, "uses": 3}
    add(learner, DE, ["dace"])
    add(learner, AIRFLOW, ["aster"])
    # Without the old rows dace (two paths) ranks first; they still rank aster above it.
    assert tick(learner) == ["aster", "dace"]
    assert first_step(learner, "dace")["decisions"] == 3
    # The first new verdict starts the agent's `*` from the old rows' pooled counts.
    assert decide_on(learner, "aster", Action.APPROVE).status == "decided"
    got = beliefs(learner)
    assert got["*"] == (1.0 + 3 + 1, 1.0 + 3)
    assert got["uses"] == (5.0, 1.0) and got["uses>tech:airflow"] == (2.0, 1.0)
    assert got["hiring_for"] == (1.0, 4.0)


def test_add_evidence_starts_a_missing_key_from_its_start_once(empty_db):
    now = datetime(2026, 11, 18, 9, 0, tzinfo=UTC)
    start = {"*": (4.0, 2.0)}
    with empty_db.session() as s:
        store.add_evidence(s, "a", ["*", "uses"], alpha=1.0, now=now, start=start)
        store.add_evidence(s, "a", ["*", "uses"], alpha=1.0, now=now, start=start)
        s.commit()
    with empty_db.session() as s:
        assert store.weights(s, "a") == {"*": (6.0, 2.0), "uses": (3.0, 1.0)}
        assert store.has_key(s, "a", "*") and not store.has_key(s, "b", "*")


def test_factors_are_relative_shrunk_and_clamped():
    de, sl = "hiring_for>role:data-engineer", "hiring_for>role:security-leader"
    # Nothing but approvals, however many: every factor exactly 1.
    for n in (1, 5, 30, 500):
        learned, decided = learned_factors(
            {"*": (n, 0), "hiring_for": (n, 0), de: (n, 0), "uses": (n // 2, 0)}
        )
        assert set(learned.values()) == {1.0}
        assert decided[de] == n
    # One wrong-account kill on top of 20 approvals split over two roles: the killed role
    # falls, the other role and the relation type hardly move.
    learned, _ = learned_factors({"*": (20, 1), "hiring_for": (20, 1), de: (10, 1), sl: (10, 0)})
    assert learned[de] < 0.97 and learned[sl] > 1.0
    assert abs(learned["hiring_for"] - 1.0) < 0.01
    # Many kills against many approvals: the killed step ranks far below, within range.
    learned, _ = learned_factors({"*": (40, 40), "hiring_for": (40, 40), de: (0, 40), sl: (40, 0)})
    assert learned[de] == FACTOR_RANGE[0] and 1.5 < learned[sl] <= FACTOR_RANGE[1]
    # An agent with only kills so far: still ordered, the killed step lowest.
    learned, _ = learned_factors({"*": (0, 3), "hiring_for": (0, 3), de: (0, 3)})
    assert learned[de] < learned["hiring_for"] < 1.0
