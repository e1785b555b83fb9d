"""Relaxing a threshold whose holds the AMs keep overruling (bot/core/proposals.py,
`relaxed_holds`): drafts held for low confidence (or high personalization) alone, sent as is
again and again and never killed, propose moving the threshold just past what was approved."""

from __future__ import annotations

from dataclasses import replace

from sqlmodel import col, select

from bot.agent import loop, proposals
from bot.config.agent_edits import Change, apply, check
from bot.core.proposals import Finding, Verdict, mine
from bot.decisions import Action, Request, decide
from bot.review.lifecycle import content_hash, new_review
from storage.models import Draft, Proposal, Review
from tests.conftest import OPERATOR, approve_plays
from tests.review.test_proposal_mining import STARTER, spec

AGENT = "data-platform"
PLAY = "hiring-data-engineers"
TAIL = "the second check still reviews what this AM would not send."


def held(i: int, confidence: float = 0.5, action: str = "approve", **kw) -> Verdict:
    """A draft the gate held for low confidence alone (and probation), then decided; today's
    second check would let it through."""
    fields = {
        "gate_reasons": ("probation", "low_confidence"),
        "confidence": confidence,
        "personalization": 0.5,
        "second_check_now": 0.97,
        **kw,
    }
    return Verdict(draft_id=i, play_id=PLAY, action=action, **fields)


def spread(n: int, low: float = 0.41, high: float = 0.59) -> list[float]:
    return [round(low + (high - low) * i / (n - 1), 4) for i in range(n)]


def relaxing(found: list[Finding]) -> list[Finding]:
    return [f for f in found if ":relax:" in f.key]


def test_approved_low_confidence_holds_propose_the_lower_threshold_at_the_right_value():
    verdicts = [held(i, c) for i, c in enumerate(spread(31))]
    found = mine(verdicts, spec())
    assert [f.change for f in found] == [Change("set", ("thresholds", "confidence"), 0.4)]
    f = found[0]
    assert f.kind == "threshold" and f.key == "threshold:confidence:relax:0.4"
    assert f.summary == (
        "31 drafts held only for low confidence (0.41-0.59) were all approved as is, none "
        f"killed: lower the confidence threshold from 0.60 to 0.40; {TAIL}"
    )
    assert (f.evidence["held"], f.evidence["approved"], f.evidence["killed"]) == (31, 31, 0)
    assert f.evidence["drafts"] == list(range(31))
    assert "at 0.40, 31 of the 31 would not have been held" in f.evidence["lines"][1]


def test_the_value_is_rounded_down_past_the_lowest_approved_and_never_below_the_floor():
    at_step = [held(i, c) for i, c in enumerate(spread(20, 0.45, 0.58))]
    assert relaxing(mine(at_step, spec()))[0].change.value == 0.45  # 0.45 is not held at 0.45
    just_over = [held(i, c) for i, c in enumerate(spread(20, 0.3399, 0.58))]
    assert relaxing(mine(just_over, spec()))[0].change.value == 0.3
    very_low = [held(i, c) for i, c in enumerate(spread(20, 0.05, 0.58))]
    assert relaxing(mine(very_low, spec()))[0].change.value == 0.2
    # Already at the floor: nothing to relax.
    floor = spec(thresholds={"confidence": 0.2, "personalization": 0.7})
    assert mine([held(i, c) for i, c in enumerate(spread(20, 0.05, 0.19))], floor) == []


def test_one_kill_among_them_proposes_nothing():
    verdicts = [held(i, c) for i, c in enumerate(spread(30))]
    verdicts[7] = replace(verdicts[7], action="kill", reason_code="off_brand")
    assert mine(verdicts, spec()) == []


def test_a_kill_after_an_approval_of_a_deferred_draft_counts_as_the_kill():
    verdicts = [held(i, c) for i, c in enumerate(spread(25))]
    verdicts.append(held(3, 0.5, action="kill", reason_code="bad_timing"))  # decided again
    assert mine(verdicts, spec()) == []


def test_fewer_than_twenty_propose_nothing():
    assert mine([held(i, c) for i, c in enumerate(spread(19))], spec()) == []
    assert relaxing(mine([held(i, c) for i, c in enumerate(spread(20))], spec()))


def test_drafts_held_for_several_reasons_do_not_count():
    verdicts = [held(i, c) for i, c in enumerate(spread(19))]
    for j, reasons in enumerate(
        [
            ("probation", "low_confidence", "second_check"),
            ("low_confidence", "personalization"),
            ("probation", "low_confidence", "relationship"),
            ("low_confidence", "ungrounded", "audit_sample"),
            ("probation", "second_check"),
        ]
    ):
        verdicts.append(held(100 + j, 0.25, gate_reasons=reasons))
    assert mine(verdicts, spec()) == []
    # With a 20th clean hold it is proposed, and the others' lower scores do not drag it down.
    verdicts.append(held(19, 0.5, gate_reasons=("low_confidence", "audit_sample")))
    (f,) = relaxing(mine(verdicts, spec()))
    assert f.change.value == 0.4 and f.evidence["held"] == 20
    assert all(d < 100 for d in f.evidence["drafts"])


def test_fewer_than_ninety_percent_approved_as_is_proposes_nothing():
    verdicts = [held(i, c) for i, c in enumerate(spread(20))]
    two = [replace(v, action="edit") if v.draft_id in (3, 9) else v for v in verdicts]
    (f,) = relaxing(mine(two, spec()))
    assert "were approved: 18 as is, 2 edited, none killed" in f.summary
    three = [replace(v, action="edit") if v.draft_id in (3, 9, 12) else v for v in verdicts]
    assert mine(three, spec()) == []


def test_holds_the_current_threshold_no_longer_makes_say_nothing():
    """After it was lowered to 0.40, the drafts it held at 0.60 are no evidence for 0.35."""
    old = [held(i, c) for i, c in enumerate(spread(30))]
    lowered = spec(thresholds={"confidence": 0.4, "personalization": 0.7})
    assert mine(old, lowered) == []
    few_new = [held(100 + i, c) for i, c in enumerate(spread(5, 0.36, 0.39))]
    assert mine(old + few_new, lowered) == []
    enough = [held(100 + i, c) for i, c in enumerate(spread(20, 0.36, 0.39))]
    (f,) = mine(old + enough, lowered)
    assert f.change.value == 0.35 and f.key == "threshold:confidence:relax:0.35"
    assert f.evidence["held"] == 20


def test_approved_personalization_holds_raise_that_threshold_rounded_up_and_capped():
    def pers(i: int, p: float) -> Verdict:
        return held(i, 0.8, gate_reasons=("probation", "personalization"), personalization=p)

    verdicts = [pers(i, p) for i, p in enumerate(spread(24, 0.72, 0.87))]
    (f,) = mine(verdicts, spec())
    assert f.change == Change("set", ("thresholds", "personalization"), 0.9)
    assert f.key == "threshold:personalization:relax:0.9"
    assert f.summary == (
        "24 drafts held only for high personalization (0.72-0.87) were all approved as is, none "
        f"killed: raise the personalization threshold from 0.70 to 0.90; {TAIL}"
    )
    capped = [pers(i, p) for i, p in enumerate(spread(20, 0.72, 0.99))]
    assert relaxing(mine(capped, spec()))[0].change.value == 0.95


def test_the_second_check_is_never_relaxed_and_its_absence_is_said():
    only_check = [held(i, 0.9, gate_reasons=("probation", "second_check")) for i in range(40)]
    assert mine(only_check, spec()) == []
    off = spec(thresholds={"confidence": 0.6, "personalization": 0.7, "second_check": 0})
    (f,) = mine([held(i, c) for i, c in enumerate(spread(20))], off)
    assert f.summary.endswith(
        "the second check is off for this agent, so nothing else reviews them."
    )


def test_what_todays_second_check_would_review_counts_neither_way():
    """Re-scored with today's second check: a kill it now sees (0.3) is no risk relaxing the
    threshold adds, and approvals it would review anyway are no evidence for relaxing it."""
    approved = [held(i, c) for i, c in enumerate(spread(20))]
    caught = held(99, 0.5, "kill", reason_code="wrong_account", second_check_now=0.3)
    (f,) = relaxing(mine([*approved, caught], spec()))
    assert f.evidence["held"] == 20 and f.evidence["killed"] == 0
    missed = held(99, 0.5, "kill", reason_code="wrong_account", second_check_now=0.95)
    assert relaxing(mine([*approved, missed], spec())) == []
    reviewed_anyway = [replace(v, second_check_now=0.6) for v in approved[:5]]
    assert relaxing(mine([*reviewed_anyway, *approved[5:]], spec())) == []  # 15 left
    unscored = [replace(v, second_check_now=None) for v in approved]
    assert relaxing(mine(unscored, spec())) == []  # no check today: the gate still reviews


def test_kills_asking_to_tighten_the_same_threshold_win():
    verdicts = [held(i, c) for i, c in enumerate(spread(25))]
    verdicts += [
        Verdict(200 + i, PLAY, "kill", reason_code="off_brand", confidence=0.7, personalization=0.5)
        for i in range(5)
    ]
    found = mine(verdicts, spec())
    assert [f.change for f in found] == [Change("set", ("thresholds", "confidence"), 0.75)]


def test_the_proposals_new_file_loads_and_lowers_the_value():
    (f,) = mine([held(i, c) for i, c in enumerate(spread(31))], spec())
    old = STARTER.read_text()
    new = apply(old, f.change)
    assert new is not None
    assert "  confidence: 0.4           # below this, a human approves" in new
    starter = STARTER.parents[1]
    agent = check(STARTER, new, starter / "plays", starter / "mailboxes.yml")
    assert agent.spec.thresholds.confidence == 0.4
    assert agent.spec.thresholds.personalization == 0.7  # nothing else moved
    assert old.replace("confidence: 0.6 ", "confidence: 0.4 ") == new


# --- from the database, through the real mining job


def held_drafts(rt, confidences: list[float]) -> list[int]:
    """Drafts the gate held for low confidence alone (and probation), each approved as is by
    the AM through the one entry point for decisions."""
    with rt.db.session() as s:
        model = s.exec(
            select(Draft)
            .where(Draft.agent_id == AGENT, Draft.status == "review")
            .order_by(col(Draft.id))
        ).first()
        assert model is not None
        start = len(s.exec(select(Draft.id)).all())
        spec_ = rt.fleet().agents[AGENT].spec
        reviews = []
        for n, c in enumerate(confidences, start=start):
            data = model.model_dump(exclude={"id"})
            data.update(
                trigger_key=f"relax-{n}",
                confidence=c,
                gate_reasons=[
                    {"code": "probation", "text": "agent is on probation"},
                    {"code": "low_confidence", "text": f"confidence {c:.2f} below threshold"},
                ],
                created_at=rt.now(),
                updated_at=rt.now(),
            )
            draft = Draft(**data)
            s.add(draft)
            s.flush()
            assert draft.id is not None
            digest = content_hash(draft.subject, draft.body, draft.followups)
            review = new_review(rt, s, "draft", draft.id, spec_, digest, ["held"], rt.now())
            s.add(review)
            s.flush()
            reviews.append((review.id, review.owner, digest))
        s.commit()
    for review_id, owner, digest in reviews:
        req = Request(review_id, owner, Action.APPROVE, content_hash=digest)
        assert decide(rt, req).status == "decided"
    return [r[0] for r in reviews]


def test_mined_from_the_database_dismissed_once_and_asked_again_only_at_a_new_value(rt):
    # A second check trained on these approvals re-scores the held drafts: it would pass them.
    rt.settings.second_check_min_decisions = 10
    approve_plays(rt)
    loop.tick(rt, AGENT)
    held_drafts(rt, spread(22, 0.41, 0.59))
    made = proposals.mine(rt, AGENT)
    relax = [p for p in made if ":relax:" in p.key]
    assert [p.key for p in relax] == ["threshold:confidence:relax:0.4"]
    proposal = relax[0]
    assert proposal.summary.startswith("22 drafts held only for low confidence (0.41-0.59)")
    agent = rt.fleet().agents[AGENT]
    loaded = check(
        agent.path,
        proposal.new_text,
        rt.settings.plays_dir,
        rt.settings.agents_dir.parent / "mailboxes.yml",
    )
    assert loaded.spec.thresholds.confidence == 0.4
    # Dismissed by an operator: the same value is never asked again.
    with rt.db.session() as s:
        review = s.exec(
            select(Review).where(Review.kind == "proposal", Review.subject_id == proposal.id)
        ).one()
    assert decide(rt, Request(review.id, OPERATOR, Action.DISMISS)).status == "decided"
    assert [p for p in proposals.mine(rt, AGENT) if ":relax:" in p.key] == []
    # More approvals, lower: a different value is a new question.
    held_drafts(rt, spread(3, 0.31, 0.39))
    again = [p for p in proposals.mine(rt, AGENT) if ":relax:" in p.key]
    assert [p.key for p in again] == ["threshold:confidence:relax:0.3"]
    with rt.db.session() as s:
        keys = {p.key: p.status for p in s.exec(select(Proposal))}
    assert keys["threshold:confidence:relax:0.4"] == "dismissed"
    assert keys["threshold:confidence:relax:0.3"] == "open"


def test_peers_holds_pool_with_the_agents_own_once_it_shows_some_itself():
    """The same AM deciding drafts of the same plays: their holds speak for this agent's
    threshold once it has MIN_OWN_HOLDS of its own."""
    own = [held(i, c) for i, c in enumerate(spread(5, 0.45, 0.55))]
    theirs = [held(100 + i, c) for i, c in enumerate(spread(15, 0.41, 0.59))]
    (f,) = relaxing(mine(own, spec(), theirs))
    assert f.change == Change("set", ("thresholds", "confidence"), 0.4)
    assert f.summary.startswith(
        "20 drafts held only for low confidence (5 of this agent's, 15 of its peers': same AM, "
        "same plays) (0.41-0.59) were all approved as is"
    )
    assert (f.evidence["held"], f.evidence["own"]) == (20, 5)
    assert relaxing(mine(own[:4], spec(), theirs * 3)) == []  # too few of its own
    killed = held(200, 0.5, "kill", reason_code="wrong_account", second_check_now=0.95)
    assert relaxing(mine(own, spec(), [*theirs, killed])) == []  # a peer's kill counts too
    assert relaxing(mine(own, spec(), theirs[:14])) == []  # 19 in all


def test_peers_are_the_same_owners_agents_on_the_same_plays(rt):
    fleet = rt.fleet()
    agent = fleet.agents[AGENT]

    def copy(**over):  # AgentSpec is a pydantic model
        return replace(agent, spec=agent.spec.model_copy(update=over))

    twin = copy(id="twin")
    other_plays = copy(id="other", plays=["another-play"])
    other_owner = copy(id="theirs", owner="U0SOMEONE")
    everyone = [agent, twin, other_plays, other_owner, *fleet.agents.values()]
    assert proposals.peers(everyone, agent) == ["twin"]
