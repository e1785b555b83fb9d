"""The gate (a pure function of its input) and matching (path reasoning over typed edges)."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.core.gate import GateInput, decide
from bot.core.matching import FACTOR_RANGE, Graph, best_match, learned_factor, signal_strength

NOW = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)

# Nothing flagged, agent trusted: the gate lets this one through.
CLEAR = GateInput(
    now=NOW,
    trust="supervised",
    personalization=0.3,
    personalization_threshold=0.7,
    confidence=0.9,
    confidence_threshold=0.6,
    second_check=0.95,
    second_check_threshold=0.9,
    second_check_basis="from 212 decisions",
    touch_window_days=30,
)

HARD_STOPS = {
    "suppressed": {"suppressed": "unsubscribed"},
    "do_not_contact": {"do_not_contact": True},
    "current_customer": {"customer": True},
    "recently_touched": {"last_touch_at": NOW - timedelta(days=5)},
    "paused": {"paused": True},
    "play_not_approved": {"play_approved": False},
    "cap_reached": {"cap_reached": True},
}

REVIEW_REASONS = {
    "probation": {"trust": "probation"},
    "relationship": {"relationship_flags": ("open deal: Pilot (stage 2)",)},
    "personalization": {"personalization": 0.85},
    "low_confidence": {"confidence": 0.4},
    "second_check": {"second_check": 0.5},
    "ungrounded": {"missing_facts": ("signal.summary",)},
    "writer": {"writer_problems": ("the model timed out",)},
    "content": {"content_problems": ("longer than 1500 characters",)},
    "audit_sample": {"audit_sample": True},
}


def codes(result) -> list[str]:
    return [r.code for r in result.reasons]


# --- gate -----------------------------------------------------------------------------------


def test_nothing_flagged_and_supervised_sends():
    result = decide(CLEAR)
    assert result.outcome == "send"
    assert codes(result) == ["clear"]


@pytest.mark.parametrize("code", list(HARD_STOPS))
def test_each_hard_stop_alone_stops(code):
    result = decide(replace(CLEAR, **HARD_STOPS[code]))
    assert result.outcome == "stop"
    assert codes(result) == [code]
    assert result.reasons[0].text


def test_suppression_reason_is_shown():
    result = decide(replace(CLEAR, suppressed="hard bounce"))
    assert "hard bounce" in result.reasons[0].text


def test_hard_stops_win_and_all_are_listed():
    everything = {k: v for change in HARD_STOPS.values() for k, v in change.items()}
    flagged = {k: v for change in REVIEW_REASONS.values() for k, v in change.items()}
    result = decide(replace(CLEAR, **flagged, **everything))
    assert result.outcome == "stop"
    assert sorted(codes(result)) == sorted(HARD_STOPS)
    assert not set(codes(result)) & set(REVIEW_REASONS), "a stop is not a review"


def test_two_hard_stops_are_both_listed():
    result = decide(replace(CLEAR, trust="probation", paused=True, do_not_contact=True))
    assert result.outcome == "stop"
    assert sorted(codes(result)) == ["do_not_contact", "paused"]


def test_customer_is_not_stopped_when_the_play_targets_customers():
    result = decide(replace(CLEAR, customer=True, play_targets_customers=True))
    assert result.outcome == "send"
    # ...but the other hard stops still apply to customers
    result = decide(replace(CLEAR, customer=True, play_targets_customers=True, paused=True))
    assert codes(result) == ["paused"]


@pytest.mark.parametrize(
    ("ago", "window", "stopped"),
    [
        (timedelta(days=30), 30, False),  # exactly at the window's edge: allowed again
        (timedelta(days=30) - timedelta(seconds=1), 30, True),
        (timedelta(days=29), 30, True),
        (timedelta(days=31), 30, False),
        (timedelta(0), 0, False),  # a window of 0 days never stops
        (timedelta(days=400), 365, False),
        (timedelta(days=364), 365, True),
    ],
)
def test_touch_window_boundary(ago, window, stopped):
    result = decide(replace(CLEAR, last_touch_at=NOW - ago, touch_window_days=window))
    assert (result.outcome == "stop") is stopped
    assert ("recently_touched" in codes(result)) is stopped


def test_recently_touched_says_how_long_ago():
    result = decide(replace(CLEAR, last_touch_at=NOW - timedelta(days=12), touch_window_days=45))
    assert "12 days" in result.reasons[0].text and "45" in result.reasons[0].text


@pytest.mark.parametrize("code", list(REVIEW_REASONS))
def test_each_review_reason_alone_reviews(code):
    result = decide(replace(CLEAR, **REVIEW_REASONS[code]))
    assert result.outcome == "review"
    assert codes(result) == [code]


def test_review_reasons_are_all_listed():
    flagged = {k: v for change in REVIEW_REASONS.values() for k, v in change.items()}
    result = decide(replace(CLEAR, **flagged))
    assert result.outcome == "review"
    assert sorted(codes(result)) == sorted(REVIEW_REASONS)


def test_every_flag_and_missing_fact_is_its_own_reason():
    result = decide(
        replace(
            CLEAR,
            relationship_flags=("open deal: Pilot", "AM note: warm"),
            missing_facts=("signal.summary", "capability.proof"),
        )
    )
    texts = [r.text for r in result.reasons]
    assert codes(result) == ["relationship", "relationship", "ungrounded", "ungrounded"]
    assert texts[:2] == ["open deal: Pilot", "AM note: warm"]
    assert "{{signal.summary}}" in texts[2] and "{{capability.proof}}" in texts[3]


@pytest.mark.parametrize(
    ("personalization", "review"), [(0.7, False), (0.69, False), (0.71, True), (1.0, True)]
)
def test_personalization_threshold_is_strictly_above(personalization, review):
    result = decide(replace(CLEAR, personalization=personalization))
    assert ("personalization" in codes(result)) is review


def test_personalization_reason_shows_score_and_threshold():
    result = decide(replace(CLEAR, personalization=0.82, personalization_threshold=0.75))
    assert "0.82" in result.reasons[0].text and "0.75" in result.reasons[0].text


@pytest.mark.parametrize(("confidence", "review"), [(0.6, False), (0.61, False), (0.59, True)])
def test_confidence_threshold_is_strictly_below(confidence, review):
    result = decide(replace(CLEAR, confidence=confidence))
    assert ("low_confidence" in codes(result)) is review


def test_probation_reviews_even_a_perfect_draft():
    result = decide(replace(CLEAR, trust="probation", personalization=0.0, confidence=1.0))
    assert result.outcome == "review" and codes(result) == ["probation"]


# --- matching -------------------------------------------------------------------------------


def edges(*extra):
    """account:a hires data engineers and uses Airflow; two capabilities solve two problems.

    c1 via role:   1.0 * 0.9 (indicates) * 0.9 (solves) = 0.81
    c2 via tech:   1.0 * 0.6 (indicates) * 0.9 (solves) = 0.54
    """
    return [
        ("account:a", "hiring_for", "role:de", 1.0),
        ("role:de", "indicates", "problem:capacity", 0.9),
        ("account:a", "uses", "tech:airflow", 1.0),
        ("tech:airflow", "indicates", "problem:reliability", 0.6),
        ("capability:c1", "solves", "problem:capacity", 0.9),
        ("capability:c2", "solves", "problem:reliability", 0.9),
        *extra,
    ]


def rels(path) -> list[str]:
    return [s.rel for s in path.steps]


def test_best_match_picks_the_capability_with_the_strongest_paths():
    match = best_match(Graph(edges(), {}), "a", 1.0)
    assert match.capability == "c1"
    assert math.isclose(match.graph_score, 0.81, abs_tol=1e-4)
    assert math.isclose(match.score, 0.81, abs_tol=1e-4)
    assert match.problem == "problem:capacity"
    [path] = match.paths
    assert rels(path) == ["hiring_for", "indicates", "solves"]
    assert [(s.src, s.dst) for s in path.steps] == [
        ("account:a", "role:de"),
        ("role:de", "problem:capacity"),
        ("capability:c1", "problem:capacity"),
    ]
    assert all(s.learned == 1.0 for s in path.steps)


def test_signal_strength_scales_the_score_not_the_graph_score():
    match = best_match(Graph(edges(), {}), "a", 0.5)
    assert math.isclose(match.graph_score, 0.81, abs_tol=1e-4)
    assert math.isclose(match.score, 0.405, abs_tol=1e-4)
    assert match.signal_strength == 0.5


def test_several_paths_combine_and_can_overtake():
    # a funding event also points at reliability: c2 now has two paths (noisy-or)
    extra = [
        ("account:a", "signalled", "event:funding", 1.0),
        ("event:funding", "indicates", "problem:reliability", 0.7),
    ]
    match = best_match(Graph(edges(*extra), {}), "a", 1.0)
    # 1 - (1 - 0.54) * (1 - 0.63) = 0.8298 > 0.81
    assert match.capability == "c2"
    assert math.isclose(match.graph_score, 1 - (1 - 0.54) * (1 - 0.63), abs_tol=1e-4)
    assert len(match.paths) == 2
    assert match.paths[0].score >= match.paths[1].score
    assert rels(match.paths[0])[0] == "signalled"


def test_allowed_restricts_the_capabilities():
    graph = Graph(edges(), {})
    match = best_match(graph, "a", 1.0, frozenset({"c2"}))
    assert match.capability == "c2"
    assert math.isclose(match.graph_score, 0.54, abs_tol=1e-4)
    assert best_match(graph, "a", 1.0, frozenset({"c1", "c2"})).capability == "c1"
    assert best_match(graph, "a", 1.0, frozenset({"something-else"})) is None


def test_no_path_no_match():
    assert best_match(Graph(edges(), {}), "unknown", 1.0) is None
    only_account = [("account:b", "uses", "tech:cobol", 1.0)]
    assert best_match(Graph(only_account, {}), "b", 1.0) is None


def test_learned_factor_below_one_lowers_paths_through_that_relation():
    plain = best_match(Graph(edges(), {}), "a", 1.0, frozenset({"c1"}))
    doubted = best_match(Graph(edges(), {"hiring_for": 0.8}), "a", 1.0, frozenset({"c1"}))
    assert math.isclose(doubted.graph_score, plain.graph_score * 0.8, abs_tol=1e-4)
    assert doubted.paths[0].steps[0].learned == 0.8
    # paths that do not use the relation are untouched
    other = best_match(Graph(edges(), {"hiring_for": 0.8}), "a", 1.0, frozenset({"c2"}))
    assert math.isclose(other.graph_score, 0.54, abs_tol=1e-4)


def test_learned_factor_can_flip_the_ranking():
    assert best_match(Graph(edges(), {}), "a", 1.0).capability == "c1"
    # AMs kept killing hiring-based drafts: 0.81 * 0.5 = 0.405 < 0.54
    flipped = best_match(Graph(edges(), {"hiring_for": 0.5}), "a", 1.0)
    assert flipped.capability == "c2"
    # ...and tech-based drafts approved more than the agent's average push the same way
    boosted = best_match(Graph(edges(), {"uses": 1.5}), "a", 1.0)
    assert boosted.capability == "c2"
    assert math.isclose(boosted.graph_score, 0.81, abs_tol=1e-4)


def test_learned_factor_on_solves_applies_to_every_capability():
    match = best_match(Graph(edges(), {"solves": 0.5}), "a", 1.0)
    assert match.capability == "c1"
    assert math.isclose(match.graph_score, 0.405, abs_tol=1e-4)
    assert match.paths[0].steps[-1].learned == 0.5


def test_path_scores_are_capped_at_one():
    match = best_match(Graph(edges(), {"hiring_for": 2.0, "indicates": 2.0}), "a", 1.0)
    assert all(p.score <= 1.0 for p in match.paths)
    assert match.graph_score <= 1.0


def test_learned_factor_is_the_steps_rate_over_the_agents_within_range():
    assert learned_factor(0.8, 0.8) == learned_factor(1.0, 1.0) == 1.0
    assert learned_factor(0.4, 0.8) == 0.5
    assert learned_factor(0.9, 0.6) == 1.5
    assert learned_factor(0.01, 0.9) == FACTOR_RANGE[0]
    assert learned_factor(1.0, 0.1) == FACTOR_RANGE[1]


def test_a_steps_own_factor_wins_over_its_relation_types():
    step_only = {"hiring_for>role:de": 0.5, "hiring_for": 0.9}
    match = best_match(Graph(edges(), step_only), "a", 1.0, frozenset({"c1"}))
    assert match.paths[0].steps[0].learned == 0.5
    assert math.isclose(match.graph_score, 0.81 * 0.5, abs_tol=1e-4)
    # another target of the same relation type has no key of its own: the relation's factor
    other = edges(("account:a", "hiring_for", "role:ciso", 1.0))
    other += [("role:ciso", "indicates", "problem:capacity", 0.9)]
    paths = Graph(other, step_only).paths_from("account:a")
    by_role = {p.steps[0].dst: p.steps[0].learned for p in paths if p.steps[0].rel == "hiring_for"}
    assert by_role == {"role:de": 0.5, "role:ciso": 0.9}
    assert Graph(other, step_only).factor("uses", "tech:airflow") == 1.0


def test_signal_strength_is_zero_without_signals():
    assert signal_strength([], 60) == 0.0
    assert signal_strength([(0.0, 1)], 60) == 0.0


def test_signal_strength_fades_with_age():
    fresh = signal_strength([(0.8, 0)], 60)
    month = signal_strength([(0.8, 30)], 60)
    limit = signal_strength([(0.8, 60)], 60)
    assert math.isclose(fresh, 0.8)
    assert fresh > month > limit
    assert math.isclose(limit, 0.4), "half strength at the age limit"
    assert math.isclose(signal_strength([(0.8, 600)], 60), 0.4), "never below half"
    assert math.isclose(signal_strength([(0.8, -3)], 60), 0.8), "future dates count as fresh"


def test_signal_strength_combines_signals_noisy_or():
    both = signal_strength([(0.5, 0), (0.5, 0)], 60)
    assert math.isclose(both, 0.75)
    assert signal_strength([(1.0, 0), (0.3, 10)], 60) == 1.0
    assert both > signal_strength([(0.5, 0)], 60)


def nodes_of(path) -> list[str]:
    forward = path.steps[:-1]
    return [forward[0].src, *(s.dst for s in forward)]


def test_paths_never_loop():
    cyclic = edges(
        ("role:de", "related", "account:a", 1.0),
        ("account:a", "peer_of", "account:b", 1.0),
        ("account:b", "peer_of", "account:a", 1.0),
        ("tech:airflow", "pairs_with", "role:de", 1.0),
        ("role:de", "pairs_with", "tech:airflow", 1.0),
    )
    paths = Graph(cyclic, {}).paths_from("account:a")
    assert paths
    for path in paths:
        visited = nodes_of(path)
        assert len(visited) == len(set(visited)), visited
        assert path.steps[-1].rel == "solves"
        assert path.steps[-1].dst == path.steps[-2].dst


def test_paths_are_at_most_two_forward_hops():
    long_chain = [
        ("account:a", "r1", "x:1", 1.0),
        ("x:1", "r2", "x:2", 1.0),
        ("x:2", "r3", "problem:far", 1.0),
        ("capability:c", "solves", "problem:far", 1.0),
    ]
    assert Graph(long_chain, {}).paths_from("account:a") == []
    assert best_match(Graph(long_chain, {}), "a", 1.0) is None


def test_self_loop_is_not_a_path():
    looped = edges(
        ("account:a", "related", "account:a", 1.0),
        ("account:a", "needs", "problem:reliability", 0.5),
    )
    for path in Graph(looped, {}).paths_from("account:a"):
        visited = nodes_of(path)
        assert len(visited) == len(set(visited)), visited
