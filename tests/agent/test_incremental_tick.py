"""Ticks that cost what changed: after a full tick, an agent reads only accounts with new
signals, relationship events or moved sequences, plus the ranked accounts it did not reach;
a change of rules (agent file, plays, knowledge) or `--full` re-matches everything. Both
databases; the runtime's clock is injected and moved by hand."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlmodel import select

from bot.agent import loop
from bot.agent.scope import segment_of
from bot.core.matching import Graph, best_match, signal_strength
from bot.intake.importer import ingest_signals
from bot.memory.events import set_customer
from storage import candidates
from storage.models import Account, AgentState, Draft, Signal
from tests.conftest import approve_plays

AGENT = "data-platform"


def frozen(rt):
    """Stop the runtime's clock where it is; returns a function that moves it on."""
    at = [rt.now()]
    rt.clock = lambda: at[0]

    def move(**delta):
        at[0] += timedelta(**delta)

    return move


def edit_agent(rt, pattern, replacement):
    path = rt.settings.agents_dir / f"{AGENT}.md"
    text = path.read_text()
    new = re.sub(pattern, replacement, text, count=1, flags=re.M)
    assert new != text
    path.write_text(new)


def state(rt) -> AgentState:
    with rt.db.session() as s:
        return s.get(AgentState, AGENT)


def segment_accounts(rt) -> list[str]:
    spec = rt.fleet().agents[AGENT].spec
    with rt.db.session() as s:
        q = select(Account.id).where(Account.industry.in_(spec.segment.industries))
        return sorted(s.exec(q).all())


def new_signal(rt, account_id: str, key: str) -> None:
    ingest_signals(
        rt.db,
        [
            {
                "account_id": account_id,
                "kind": "hiring",
                "summary": "Hiring a Senior Data Engineer",
                "detail": "Senior Data Engineer",
                "observed_at": rt.now().isoformat(),
                "dedupe_key": key,
            }
        ],
        "test",
    )


def test_first_tick_is_full_and_the_next_reads_only_what_changed(rt):
    frozen(rt)
    approve_plays(rt)
    [first] = loop.tick(rt, AGENT)
    assert first.scope.startswith("full:"), first.scope
    assert first.candidates > 0
    mark = state(rt)
    with rt.db.session() as s:
        assert mark.signal_mark == candidates.marks(s).signal > 0
    assert mark.full_at == rt.now() and mark.rules_version

    [second] = loop.tick(rt, AGENT)
    assert second.scope.startswith("incremental:"), second.scope
    # nothing new: only what the first tick ranked but did not reach is looked at again
    assert second.candidates <= len(mark.backlog)
    assert second.candidates < first.candidates or not mark.backlog


def test_a_new_signal_brings_its_account_into_the_next_tick(rt):
    move = frozen(rt)
    edit_agent(rt, r"^daily_cap: \d+", "daily_cap: 50")
    approve_plays(rt)
    loop.tick(rt, AGENT)
    drafted = {d.account_id for d in _drafts(rt)}
    fresh = next(a for a in segment_accounts(rt) if a not in drafted and a not in state(rt).backlog)
    move(hours=1)
    new_signal(rt, fresh, "incremental-test-1")
    [report] = loop.tick(rt, AGENT)
    assert report.scope.startswith("incremental:")
    assert report.candidates >= 1
    with rt.db.session() as s:
        changed = candidates.changed_accounts(
            s, candidates.Marks(0, 0), candidates.marks(s), rt.now()
        )
    assert fresh in changed
    # the new signal's account was ranked in this tick: drafted, or dropped with a reason
    looked = {d.account_id for d in _drafts(rt)} - drafted
    assert fresh in looked or sum(report.dropped.values()) >= 1


def test_the_accounts_the_cap_left_wait_for_the_next_day_without_a_new_signal(rt):
    move = frozen(rt)
    edit_agent(rt, r"^daily_cap: \d+", "daily_cap: 1")
    approve_plays(rt)
    [first] = loop.tick(rt, AGENT)
    assert first.dropped["daily cap"] >= 1
    left = state(rt).backlog
    assert left, "the ranked accounts the cap left are remembered"
    before = len(_drafts(rt))
    move(days=1)
    [next_day] = loop.tick(rt, AGENT)
    assert next_day.scope.startswith("incremental:")
    assert next_day.drafted >= 1 and len(_drafts(rt)) > before
    assert {d.account_id for d in _drafts(rt)[before:]} <= set(left)


def test_changed_rules_or_asking_re_match_everything(rt):
    move = frozen(rt)
    approve_plays(rt)
    loop.tick(rt, AGENT)
    [again] = loop.tick(rt, AGENT, full=True)
    assert again.scope == "full: asked for"
    edit_agent(rt, r"min_match_score: [\d.]+", "min_match_score: 0.16")
    [edited] = loop.tick(rt, AGENT)
    assert edited.scope.startswith("full: agent file"), edited.scope
    [quiet] = loop.tick(rt, AGENT)
    assert quiet.scope.startswith("incremental:")
    move(days=7)
    [weekly] = loop.tick(rt, AGENT)
    assert weekly.scope == "full: last full re-match over 7 days ago", weekly.scope


def test_full_tick_days_zero_makes_every_tick_full(rt):
    frozen(rt)
    approve_plays(rt)
    rt.settings.full_tick_days = 0
    loop.tick(rt, AGENT)
    [report] = loop.tick(rt, AGENT)
    assert report.scope.startswith("full: every tick"), report.scope


def test_a_relationship_event_marks_its_account_changed(rt):
    frozen(rt)
    approve_plays(rt)
    loop.tick(rt, AGENT)
    with rt.db.session() as s:
        since = candidates.marks(s)
    account = segment_accounts(rt)[0]
    with rt.db.session() as s:
        assert set_customer(s, account, "customer", "user:U0OPS", rt.now(), "signed last week")
    with rt.db.session() as s:
        upto = candidates.marks(s)
        assert upto.event > since.event
        assert account in candidates.changed_accounts(s, since, upto, rt.now())
        assert candidates.changed_accounts(s, upto, upto, rt.now()) == set()


def test_the_database_ranks_as_the_python_noisy_or_does(rt):
    spec = rt.fleet().agents[AGENT].spec
    now = rt.now()
    segment = segment_of(spec, now)
    with rt.db.session() as s:
        page, total = candidates.ranked(s, segment, now, limit=1000)
        rows = candidates.signals_of(s, [a for a, _ in page], segment.weights, segment.since)
        everyone = s.exec(select(Signal.account_id).distinct()).all()
        narrowed, n = candidates.ranked(s, segment, now, accounts=[a for a, _ in page[:3]])
    assert total == len(page) > 3 and n == 3
    assert narrowed == page[:3]
    by_account: dict[str, list] = {}
    for account_id, _, kind, at in rows:
        by_account.setdefault(account_id, []).append(
            (segment.weights[kind], (now - at).total_seconds() / 86400)
        )
    expected = sorted(
        ((a, signal_strength(sigs, spec.max_signal_age_days)) for a, sigs in by_account.items()),
        key=lambda r: (-r[1], r[0]),
    )
    assert [a for a, _ in page] == [a for a, _ in expected]
    for (_, got), (_, want) in zip(page, expected, strict=True):
        assert abs(got - want) < 1e-9
    assert set(everyone) >= {a for a, _ in page}


def _drafts(rt) -> list[Draft]:
    with rt.db.session() as s:
        return list(s.exec(select(Draft).where(Draft.agent_id == AGENT).order_by(Draft.id)))


def test_a_graph_over_a_shared_base_matches_as_one_built_from_every_edge():
    knowledge = [
        ("event:hiring", "suggests", "problem:pipelines", 0.8),
        ("capability:managed", "solves", "problem:pipelines", 0.9),
        ("tech:airflow", "suggests", "problem:pipelines", 0.5),
        ("am:U1", "won", "account:a2", 1.0),
    ]
    accounts = [
        ("account:a1", "signalled", "event:hiring", 1.0),
        ("account:a1", "uses", "tech:airflow", 1.0),
        ("account:a2", "uses", "tech:airflow", 1.0),
    ]
    learned = {"uses": 0.7}
    whole = Graph(knowledge + accounts, learned)
    base = Graph(knowledge, learned)
    layered = Graph(accounts, learned, base=base)
    for account in ("a1", "a2", "a3"):
        assert best_match(layered, account, 0.9) == best_match(whole, account, 0.9)
    assert best_match(layered, "a1", 0.9) is not None
    assert base.edges_from("account:a1") == []  # the base is not changed by a layer


def test_an_import_that_commits_after_a_tick_moves_the_marks_back(rt):
    """PostgreSQL hands out ids at insert: a tick may mark past signals still uncommitted.
    The import moves every agent's mark back to before its ids once it commits, and a tick
    finishing meanwhile does not move it forward again."""
    frozen(rt)
    approve_plays(rt)
    loop.tick(rt, AGENT)
    mark = state(rt).signal_mark
    with rt.db.session() as s:
        before = candidates.marks(s)
    new_signal(rt, segment_accounts(rt)[0], "rewind-test-1")  # commits, then rewinds
    assert state(rt).signal_mark == mark == before.signal
    with rt.db.session() as s:
        candidates.rewind_signal_marks(s, mark - 3)
    with rt.db.session() as s:  # a tick that began at `mark` finishes after the rewind
        candidates.remember_tick(
            s, AGENT, before, candidates.Marks(mark + 1, 0), "r", rt.now(), full=False, backlog=[]
        )
    assert state(rt).signal_mark == mark - 3
