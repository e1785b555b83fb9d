"""Wrong-account kills that no one industry explains, but that matched below what the AM sends,
propose raising min_match_score (bot/core/proposals.py, `_match_score`)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from sqlmodel import col, select

from bot.agent import loop, proposals
from bot.config.agent_edits import Change, apply, check
from bot.config.agents import AgentSpec
from bot.config.frontmatter import read_document
from bot.core.proposals import Finding, Verdict, mine
from bot.decisions import Action, Request, decide
from bot.review.lifecycle import content_hash
from storage.models import Draft, Review
from tests.conftest import approve_plays

STARTER = Path(__file__).parents[2] / "bot" / "starter" / "agents" / "security-expansion.md"
PLAY = "funded-security"
INDUSTRIES = ("software", "fintech", "healthcare", "retail")


def spec(**over) -> AgentSpec:
    doc = read_document(STARTER)
    return AgentSpec.model_validate({**doc.meta, "id": "security-expansion", **over})


def spread(n: int, low: float, high: float) -> list[float]:
    return [round(low + (high - low) * i / (n - 1), 4) for i in range(n)]


def killed(i: int, score: float, industry: str, reason: str = "wrong_account") -> Verdict:
    return Verdict(
        draft_id=i,
        play_id=PLAY,
        action="kill",
        reason_code=reason,
        account_id=f"acc-{i}",
        account_name=f"Company {i}",
        industry=industry,
        match_score=score,
    )


def sent(i: int, score: float, action: str = "approve", play: str = PLAY) -> Verdict:
    return Verdict(draft_id=i, play_id=play, action=action, industry="software", match_score=score)


def example() -> list[Verdict]:
    """41 kills, 37 wrong account over four industries: 34 matched 0.11-0.22, three higher;
    58 drafts sent (some edited, some of another play), two of them under 0.24."""
    low = spread(34, 0.11, 0.22) + [0.3, 0.35, 0.4]
    out = [killed(i, s, INDUSTRIES[i % 4]) for i, s in enumerate(low)]
    out += [killed(100 + i, 0.5, "software", "bad_timing") for i in range(4)]
    scores = [0.15, 0.2] + spread(56, 0.245, 0.9)
    out += [
        sent(200 + i, s, "edit" if i % 7 == 0 else "approve", PLAY if i % 3 else "x")
        for i, s in enumerate(scores)
    ]
    return out


def raising(found: list[Finding]) -> list[Finding]:
    return [f for f in found if f.change.path == ("thresholds", "min_match_score")]


def test_kills_across_industries_matched_below_the_sent_drafts_raise_min_match_score():
    found = mine(example(), spec())
    assert [f.change for f in found] == [Change("set", ("thresholds", "min_match_score"), 0.24)]
    f = found[0]
    assert f.kind == "threshold" and f.key == "threshold:min_match_score:raise:0.24"
    assert f.summary == (
        "37 of 41 kills of funded-security were wrong account, across 4 industries; 34 of them "
        "matched below 0.24, where 2 of 58 approved drafts did: raise min_match_score from 0.10 "
        "to 0.24"
    )
    ev = f.evidence
    assert (ev["below"], ev["scored"], ev["sent"], ev["sent_below"]) == (34, 37, 58, 2)
    assert (ev["from"], ev["to"]) == (0.1, 0.24)
    assert ev["industries"] == {"software": 10, "fintech": 9, "healthcare": 9, "retail": 9}
    assert len(ev["drafts"]) == 37 and all(d < 100 for d in ev["drafts"])


def test_a_different_cut_is_a_different_key():
    """The key holds the target: dismissed at 0.24, the same evidence never asks again, but
    sent drafts that move the cut ask a new question."""
    moved = [
        replace(v, match_score=v.match_score + 0.04)
        if v.action != "kill" and v.match_score is not None and v.match_score > 0.24
        else v
        for v in example()
    ]
    (f,) = raising(mine(moved, spec()))
    assert f.key == "threshold:min_match_score:raise:0.28" and f.change.value == 0.28


def test_one_industry_explaining_the_kills_proposes_the_segment_change_instead():
    verdicts = [
        replace(v, industry="fintech") if v.action == "kill" and v.draft_id % 4 != 0 else v
        for v in example()
    ]
    found = mine(verdicts, spec())
    assert [f.key for f in found] == ["segment:industries:-fintech"]


def test_scores_that_do_not_separate_propose_nothing():
    # The sent drafts matched as low as the kills did (0.11-0.30): a cut under 80% of the
    # kills would also drop about half of the drafts the AM sent.
    mixed = [
        replace(v, match_score=round(0.11 + (v.draft_id % 20) * 0.01, 4))
        if v.action != "kill"
        else v
        for v in example()
    ]
    assert raising(mine(mixed, spec())) == []
    # Or the kills matched as high as the sent drafts: most are not below any cut.
    high = [
        replace(v, match_score=0.6 + (v.draft_id % 10) * 0.03)
        if v.reason_code == "wrong_account"
        else v
        for v in example()
    ]
    assert raising(mine(high, spec())) == []


def test_too_few_scored_drafts_or_a_current_value_as_high_propose_nothing():
    few_sent = [v for v in example() if v.action == "kill" or v.draft_id < 209]
    assert raising(mine(few_sent, spec())) == []
    unscored = [replace(v, match_score=None) if v.action == "kill" else v for v in example()]
    assert raising(mine(unscored, spec())) == []
    already = spec(
        thresholds={"personalization": 0.75, "confidence": 0.55, "min_match_score": 0.24}
    )
    assert raising(mine(example(), already)) == []
    just_under = spec(
        thresholds={"personalization": 0.75, "confidence": 0.55, "min_match_score": 0.2}
    )
    assert "from 0.20 to 0.24" in raising(mine(example(), just_under))[0].summary


def test_the_cut_never_goes_above_half():
    far = [
        replace(v, match_score=0.7 + (v.draft_id % 20) * 0.01)
        if v.action != "kill" and (v.match_score or 0) > 0.24
        else v
        for v in example()
    ]
    (f,) = raising(mine(far, spec()))
    assert f.change.value == 0.5 and f.key == "threshold:min_match_score:raise:0.5"


def test_two_plays_asking_for_a_raise_make_one_proposal_the_higher():
    other = [
        replace(v, play_id="new-security-leader", draft_id=v.draft_id + 1000) for v in example()
    ]
    lower = [
        replace(v, match_score=v.match_score - 0.05)
        if v.reason_code == "wrong_account" and v.match_score is not None
        else v
        for v in other
    ]
    found = raising(mine(example() + lower, spec()))
    assert [f.change.value for f in found] == [0.24]
    assert found[0].evidence["play"] == PLAY


def test_the_proposals_new_file_loads_with_the_new_value():
    (f,) = mine(example(), spec())
    old = STARTER.read_text()
    new = apply(old, f.change)
    assert new is not None
    assert old.replace("min_match_score: 0.1\n", "min_match_score: 0.24\n") == new
    starter = STARTER.parents[1]
    agent = check(STARTER, new, starter / "plays", starter / "mailboxes.yml")
    assert agent.spec.thresholds.min_match_score == 0.24
    assert agent.spec.thresholds.confidence == 0.55  # nothing else moved


def test_verdicts_read_from_the_database_carry_the_drafts_match_score(rt):
    approve_plays(rt)
    loop.tick(rt, "data-platform")
    with rt.db.session() as s:
        drafts = s.exec(
            select(Draft)
            .where(Draft.agent_id == "data-platform", Draft.status == "review")
            .order_by(col(Draft.id))
        ).all()
        assert len(drafts) >= 2
        first, second = drafts[0], drafts[1]
        second.match = {**second.match, "score": "n/a"}  # a stored score that is no number
        s.add(second)
        s.commit()
        scored = first.match["score"]
        pending = [
            (review, content_hash(d.subject, d.body, d.followups))
            for d in (first, second)
            for review in s.exec(
                select(Review).where(Review.kind == "draft", Review.subject_id == d.id)
            )
        ]
    for review, digest in pending:
        req = Request(review.id, review.owner, Action.APPROVE, content_hash=digest)
        assert decide(rt, req).status == "decided"
    with rt.db.session() as s:
        got = {
            v.draft_id: v.match_score
            for v in proposals.verdicts(s, "data-platform", rt.now() - timedelta(days=1))
        }
    assert isinstance(scored, float) and scored > 0
    assert got == {first.id: scored, second.id: None}
