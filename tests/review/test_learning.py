"""Learning from AM decisions, on both databases: decisions on drafts move the per-agent
evidence of the steps that matched them (`*`, relation type, relation>target), and the next
tick ranks by them. tests/review/test_learning_keys.py has what the step keys change."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from bot.agent import loop
from bot.decisions import Action, Request, decide
from bot.review import learning
from bot.review import lifecycle as reviews
from bot.review.cards import path_text
from handlers.ids import KILL, KILL_VIEW
from storage import learning as store
from storage.models import Account, AuditEvent, Contact, Draft, Edge, LearnedWeight, Review, Signal
from tests.conftest import approve_plays
from tests.fakes.slack_requests import interaction_body, post_signed, view_submission
from tests.slack.test_slack_http import click, posted_cards, wait_for

AGENT = "learner"
OWNER = "U0AMDANA01"
THROUGH = {"hiring_for": "role:data-engineer", "uses": "tech:airflow"}


def moved(rel: str, counts: tuple[float, float]) -> dict[str, tuple[float, float]]:
    """The stored Beta counts after verdicts on accounts matched only through `rel`."""
    return {"*": counts, rel: counts, f"{rel}>{THROUGH[rel]}": counts}


def add_agent(rt) -> None:
    """A copy of the sample data-platform agent that only sees 'robotics' accounts and may
    draft two a day, so the ranking decides who gets drafted."""
    agents = rt.settings.agents_dir
    text = (agents / "data-platform.md").read_text()
    for old, new in (
        ("industries: [software, fintech, e-commerce]", "industries: [robotics]"),
        ("daily_cap: 25", "daily_cap: 2"),
    ):
        assert old in text
        text = text.replace(old, new)
    (agents / f"{AGENT}.md").write_text(text)


def add_accounts(rt, rel: str, names: list[str], industry: str = "robotics") -> None:
    """Accounts with a fresh hiring signal whose only edge into the graph is `rel`."""
    now = rt.now()
    with rt.db.session() as s:
        for name in names:
            s.add(
                Account(
                    id=name,
                    name=name.title(),
                    domain=f"{name}.example",
                    industry=industry,
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
                    summary=f"{name.title()} is hiring a data engineer",
                    detail="Data Engineer",
                    observed_at=now - timedelta(hours=2),
                    dedupe_key=f"learning-{name}",
                )
            )
            s.add(Edge(src=f"account:{name}", rel=rel, dst=THROUGH[rel], weight=1.0))
        s.commit()


def tick(rt) -> list[str]:
    """One tick of the learner; the accounts it drafted, in the order it ranked them."""
    q = select(Draft).where(Draft.agent_id == AGENT).order_by(Draft.id)
    with rt.db.session() as s:
        before = {d.id for d in s.exec(q)}
    [report] = loop.tick(rt, AGENT)
    assert report.skipped == ""
    reviews.post_pending(rt)
    with rt.db.session() as s:
        return [d.account_id for d in s.exec(q) if d.id not in before]


def next_day(rt) -> None:
    later = rt.now() + timedelta(days=1)
    rt.clock = lambda: later


def relation_of(rt, account_id: str) -> str:
    with rt.db.session() as s:
        return s.exec(select(Edge.rel).where(Edge.src == f"account:{account_id}")).one()


def review_of(rt, account_id: str) -> Review:
    with rt.db.session() as s:
        draft = s.exec(select(Draft).where(Draft.account_id == account_id)).one()
        return s.exec(
            select(Review).where(Review.kind == "draft", Review.subject_id == draft.id)
        ).one()


def decide_on(rt, account_id: str, action: Action, reason: str = "", **kw):
    review = review_of(rt, account_id)
    req = Request(
        review.id,
        review.owner,
        action,
        content_hash=review.content_hash,
        reason_code=reason,
        reason_text="see note" if reason == "other" else "",
        **kw,
    )
    return decide(rt, req)


def beliefs(rt, agent_id: str = AGENT) -> dict[str, tuple[float, float]]:
    with rt.db.session() as s:
        return store.weights(s, agent_id)


@pytest.fixture
def learner(rt):
    add_agent(rt)
    approve_plays(rt)
    return rt


def test_no_feedback_ranks_by_the_graph_and_strongest_path_wins(learner):
    add_accounts(learner, "uses", ["umber", "ulmus"])
    add_accounts(learner, "hiring_for", ["hazel", "heron"])
    # hiring_for -> data engineer has two paths to the capability, uses -> Airflow one.
    assert sorted(tick(learner)) == ["hazel", "heron"]
    assert beliefs(learner) == {}


def test_wrong_account_kills_push_accounts_matched_through_that_relation_down(learner):
    add_accounts(learner, "hiring_for", ["hazel", "heron"])
    add_accounts(learner, "uses", ["umber", "ulmus"])
    assert sorted(tick(learner)) == ["hazel", "heron"]
    for account in ("hazel", "heron"):
        assert decide_on(learner, account, Action.KILL, "wrong_account").status == "decided"
    # Knowledge edges are not learned.
    assert beliefs(learner) == moved("hiring_for", (1.0, 3.0))

    next_day(learner)
    add_accounts(learner, "hiring_for", ["hawk", "holly"])
    add_accounts(learner, "uses", ["ural", "uvula"])
    drafted = tick(learner)
    # The same signals, the same graph: only the two kills separate the groups now.
    assert len(drafted) == 2 and all(relation_of(learner, a) == "uses" for a in drafted)

    card = learner.humans.posted[-1]
    assert card.account.split()[0].lower() in drafted
    # The uses accounts never had a verdict; their card says so, edge by edge.
    assert "—uses→ Airflow (w 1 × learned 1.00, no decisions yet)" in path_text(card.paths[0])


def test_the_card_shows_the_learned_weight_the_match_used(learner):
    add_accounts(learner, "hiring_for", ["hazel", "heron"])
    tick(learner)
    decide_on(learner, "hazel", Action.KILL, "wrong_account")
    next_day(learner)
    add_accounts(learner, "hiring_for", ["hawk"])
    assert tick(learner) == ["hawk"]
    card = learner.humans.posted[-1]
    text = path_text(card.paths[0])
    assert "—hiring_for→ data engineer (w 1 × learned 0.59 from 1 decision)" in text
    assert "←solves— Northwind Pipelines (w 0." in text
    with learner.db.session() as s:
        draft = s.exec(select(Draft).where(Draft.account_id == "hawk")).one()
    first = draft.match["paths"][0]["steps"][0]
    assert (first["rel"], first["learned"], first["decisions"]) == ("hiring_for", 0.5926, 1)


def test_approvals_and_edits_count_for_and_alone_lift_nothing(learner):
    add_accounts(learner, "uses", ["umber", "ulmus"])
    assert sorted(tick(learner)) == ["ulmus", "umber"]
    assert decide_on(learner, "umber", Action.APPROVE).status == "decided"
    edited = decide_on(
        learner, "ulmus", Action.EDIT, subject="Airflow at Ulmus", body="Hi Kim, short note.\n"
    )
    assert edited.status == "decided"
    assert beliefs(learner) == moved("uses", (3.0, 1.0))

    next_day(learner)
    add_accounts(learner, "hiring_for", ["hawk", "holly"])
    add_accounts(learner, "uses", ["ural", "uvula"])
    # Every verdict of the agent was an approval: nothing ranks differently than with none
    # (the old absolute factor lifted uses to 1.5 and put ural and uvula first).
    assert sorted(tick(learner)) == ["hawk", "holly"]


@pytest.mark.parametrize(
    ("action", "reason", "drafting"),
    [
        (Action.KILL, "off_brand", "against"),
        (Action.KILL, "factual_error", "against"),
        (Action.KILL, "other", ""),
        (Action.KILL, "bad_timing", ""),
        (Action.KILL, "current_customer", ""),
        (Action.DEFER, "", ""),
    ],
)
def test_decisions_about_the_words_or_no_verdict_leave_matching_alone(
    learner, action, reason, drafting
):
    add_accounts(learner, "hiring_for", ["hazel", "heron"])
    tick(learner)
    until = (learner.now() + timedelta(days=3)).date() if action == Action.DEFER else None
    for account in ("hazel", "heron"):
        assert decide_on(learner, account, action, reason, defer_until=until).status == "decided"
    assert beliefs(learner) == {}
    with learner.db.session() as s:
        events = s.exec(select(AuditEvent).where(AuditEvent.action == "learning.update")).all()
    if drafting:
        assert len(events) == 2
        assert all(e.agent_id == AGENT and e.detail["drafting"] == drafting for e in events)
        assert all(e.detail["matching"] == "" and e.detail["relations"] == [] for e in events)
    else:
        assert events == []

    next_day(learner)
    add_accounts(learner, "hiring_for", ["hawk", "holly"])
    add_accounts(learner, "uses", ["ural", "uvula"])
    assert sorted(tick(learner)) == ["hawk", "holly"]


def test_simultaneous_decisions_count_once_per_review_and_all_reviews_count(learner):
    add_accounts(learner, "hiring_for", ["hazel", "heron"])
    tick(learner)
    hazel, heron = review_of(learner, "hazel"), review_of(learner, "heron")
    # Ten clicks on each of two cards, all at once: each card has one winner, and both
    # winners' increments land on the same LearnedWeight row.
    requests = [
        Request(r.id, r.owner, Action.KILL, reason_code="wrong_account")
        for r in (hazel, heron)
        for _ in range(10)
    ]
    start = threading.Barrier(len(requests))
    results = []

    def run(req):
        start.wait()
        results.append(decide(learner, req).status)

    threads = [threading.Thread(target=run, args=(r,)) for r in requests]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results).count("decided") == 2
    assert beliefs(learner) == moved("hiring_for", (1.0, 3.0))
    # A late click on a decided card changes nothing.
    assert decide(learner, requests[0]).status == "already_decided"
    assert beliefs(learner) == moved("hiring_for", (1.0, 3.0))


def test_verdicts_cover_every_kill_reason():
    from bot.readouts import KILL_REASONS

    assert {r: learning.verdict("kill", r) for r in KILL_REASONS} == {
        "off_brand": ("", "against"),
        "wrong_account": ("against", ""),
        "current_customer": ("", ""),
        "bad_timing": ("", ""),
        "factual_error": ("", "against"),
        "other": ("", ""),
    }
    assert learning.verdict("approve") == learning.verdict("edit") == ("for", "")
    assert learning.verdict("defer") == ("", "")


def test_relations_are_the_accounts_own_edges_each_once():
    step = {"weight": 1.0, "learned": 1.0}
    match = {
        "paths": [
            {
                "steps": [
                    {**step, "src": "account:a", "rel": "hiring_for", "dst": "role:x"},
                    {**step, "src": "role:x", "rel": "indicates", "dst": "problem:p"},
                    {**step, "src": "capability:c", "rel": "solves", "dst": "problem:p"},
                ]
            },
            {
                "steps": [
                    {**step, "src": "account:a", "rel": "uses", "dst": "tech:t"},
                    {**step, "src": "account:a", "rel": "hiring_for", "dst": "role:y"},
                ]
            },
        ]
    }
    assert learning.relations(match) == ["hiring_for", "uses"]
    assert learning.relations(None) == learning.relations({}) == []
    assert learning.keys(match) == [
        "*",
        "hiring_for",
        "uses",
        "hiring_for>role:x",
        "hiring_for>role:y",
        "uses>tech:t",
    ]
    assert learning.keys(None) == []


def test_add_evidence_inserts_from_the_prior_then_adds(empty_db):
    now = datetime(2026, 11, 18, 9, 0, tzinfo=UTC)
    with empty_db.session() as s:
        store.add_evidence(s, "a", ["uses", "uses", "hiring_for"], beta=1.0, now=now)
        s.commit()
    with empty_db.session() as s:
        store.add_evidence(s, "a", ["uses"], alpha=1.0, now=now)
        store.add_evidence(s, "b", ["uses"], alpha=1.0, now=now)
        s.commit()
    with empty_db.session() as s:
        assert store.weights(s, "a") == {"uses": (2.0, 2.0), "hiring_for": (1.0, 2.0)}
        assert store.weights(s, "b") == {"uses": (2.0, 1.0)}
        assert all(w.updated_at is not None for w in s.exec(select(LearnedWeight)))


def test_kill_submitted_in_slack_moves_the_weight_and_a_later_card_shows_it(service, slack, http):
    rt = service.rt
    with rt.db.session() as s:
        cards = [
            (r, learning.keys(s.get(Draft, r.subject_id).match))
            for r in posted_cards(service, slack)
            if r.agent_id == "data-platform"
        ]
    review, keys = next((r, keys) for r, keys in cards if "hiring_for>role:data-engineer" in keys)
    click(http, review.owner, KILL, review)
    view = wait_for(lambda: slack.of("views.open"))[0].args["view"]
    values = {
        "reason": {
            "value": {"type": "static_select", "selected_option": {"value": "wrong_account"}}
        },
        "note": {"value": {"type": "plain_text_input", "value": ""}},
    }
    body = view_submission(review.owner, KILL_VIEW, view["private_metadata"], values)
    assert post_signed(http, "/slack/events", interaction_body(body)).status_code == 200
    wait_for(lambda: beliefs(rt, "data-platform"))
    assert beliefs(rt, "data-platform") == dict.fromkeys(keys, (1.0, 2.0))

    slack.calls.clear()
    add_accounts(rt, "hiring_for", ["hawk"], industry="software")
    loop.tick(rt, "data-platform")
    reviews.post_pending(rt)
    posted = wait_for(lambda: slack.of("chat.postMessage"))
    blocks = json.dumps([c.args.get("blocks") for c in posted], ensure_ascii=False)
    assert "Hawk" in blocks
    assert "hiring_for→ data engineer (w 1 × learned 0.59 from 1 decision)" in blocks
