"""Mining AMs' edits and kills into proposed changes to the agent's file (bot/core/proposals.py):
pure, verdicts in, findings out."""

from __future__ import annotations

from pathlib import Path

from bot.config.agent_edits import Change, apply, diff
from bot.config.agents import AgentSpec
from bot.config.frontmatter import read_document
from bot.core.proposals import Verdict, mine

STARTER = Path(__file__).parents[2] / "bot" / "starter" / "agents" / "data-platform.md"
COMPANIES = ["Acme Analytics", "Bluefin Pay", "Granite Cloud", "Delta Retail"]


def spec(**over) -> AgentSpec:
    doc = read_document(STARTER)
    return AgentSpec.model_validate({**doc.meta, "id": "data-platform", **over})


def body(company: str, first: str, closing: str = "Would a quick call next week be useful?") -> str:
    return (
        f"Hi {first},\n\nI hope this email finds you well. I saw that {company} is hiring data "
        "engineers. Teams growing that fast often run into a data team stretched thin.\n\n"
        f"We help folks like you ship pipelines without babysitting them.\n\n{closing}\n\nDana"
    )


def edit(i: int, before: str, after: str, company: str, first: str = "Sam") -> Verdict:
    return Verdict(
        draft_id=i,
        play_id="hiring-data-engineers",
        action="edit",
        before_body=before,
        after_body=after,
        account_id=f"acc-{i}",
        account_name=company,
        prospect=(company, first),
    )


def test_a_phrase_removed_in_three_of_three_edits_is_proposed_once_as_its_longest_form():
    verdicts = [
        edit(i, body(c, "Sam"), body(c, "Sam").replace("I hope this email finds you well. ", ""), c)
        for i, c in enumerate(COMPANIES[:3])
    ]
    found = [f for f in mine(verdicts, spec()) if f.kind == "banned_phrase"]
    assert [f.change for f in found] == [
        Change("add", ("banned_phrases",), "I hope this email finds you well")
    ]
    assert found[0].evidence["removed"] == 3 and found[0].evidence["edits_with_phrase"] == 3
    assert found[0].key == "banned_phrase:i hope this email finds you well"


def test_a_phrase_removed_once_is_not_proposed():
    verdicts = [edit(i, body(c, "Sam"), body(c, "Sam"), c) for i, c in enumerate(COMPANIES[:3])]
    once = body("Delta Retail", "Sam").replace(" Teams growing that fast often run into", " Some")
    verdicts.append(edit(9, body("Delta Retail", "Sam"), once, "Delta Retail"))
    assert [f for f in mine(verdicts, spec()) if f.kind == "banned_phrase"] == []


def test_a_phrase_kept_in_most_edits_that_had_it_is_not_proposed():
    verdicts = [
        edit(i, body(c, "Sam"), body(c, "Sam").replace("I hope this email finds you well. ", ""), c)
        for i, c in enumerate(COMPANIES[:3])
    ]
    # Four more AMs edited other words and kept the phrase: removed in 3 of 7, not most.
    for i, c in enumerate(COMPANIES * 1, start=10):
        verdicts.append(edit(i, body(c, "Sam"), body(c, "Sam").replace("Dana", "Dana C."), c))
    assert [f for f in mine(verdicts, spec()) if f.kind == "banned_phrase"] == []


def test_slot_fills_are_never_proposed_as_phrases():
    """Each AM deleted the prospect's company name: different text in every draft."""
    verdicts = [
        edit(i, body(c, "Sam"), body(c, "Sam").replace(f"{c} is hiring", "you are hiring"), c)
        for i, c in enumerate(COMPANIES)
    ]
    found = mine(verdicts, spec())
    assert not any(
        word in f.summary.lower() for f in found for word in ("acme", "bluefin", "granite")
    )


def test_the_same_rewrite_in_three_edits_becomes_an_instruction():
    verdicts = [
        edit(i, body(c, "Sam"), body(c, "Sam").replace("folks like you", "teams like you"), c)
        for i, c in enumerate(COMPANIES[:3])
    ]
    found = mine(verdicts, spec())
    # One finding: the rewrite, not also "ban every phrase with 'folks' in it".
    assert [f.change for f in found] == [Change("append_line", (), 'Write "teams", not "folks".')]
    assert found[0].kind == "instruction" and found[0].evidence["edits"] == 3
    # Twice is not yet a habit.
    assert mine(verdicts[:2], spec()) == []


def kill(i: int, industry: str, reason: str = "wrong_account", **kw) -> Verdict:
    return Verdict(
        draft_id=i,
        play_id="hiring-data-engineers",
        action="kill",
        reason_code=reason,
        account_id=f"acc-{i}",
        account_name=f"Company {i}",
        industry=industry,
        **kw,
    )


def test_wrong_account_kills_in_one_industry_propose_dropping_it_from_the_segment():
    verdicts = [kill(i, "fintech") for i in range(4)] + [kill(4, "software")]
    verdicts += [kill(5, "software", "bad_timing")]  # 5 of 6 kills are wrong_account
    verdicts += [
        Verdict(20 + i, "hiring-data-engineers", "approve", industry="software") for i in range(3)
    ]
    found = mine(verdicts, spec())
    assert len(found) == 1
    f = found[0]
    assert f.kind == "segment" and f.key == "segment:industries:-fintech"
    assert f.change == Change("remove", ("segment", "industries"), "fintech")
    assert f.evidence["kills"] == 6 and f.evidence["with_reason"] == 5
    assert f.evidence["in_industry"] == 4
    new = apply(STARTER.read_text(), f.change)
    assert "industries: [software, e-commerce]" in new


def test_kills_spread_over_reasons_or_too_few_propose_nothing():
    spread = [kill(i, "fintech") for i in range(2)] + [
        kill(2, "fintech", "off_brand"),
        kill(3, "fintech", "bad_timing"),
        kill(4, "fintech", "factual_error"),
    ]
    assert mine(spread, spec()) == []  # no reason has 60% of the kills
    few = [kill(i, "fintech") for i in range(4)]
    assert mine(few, spec()) == []


def test_bad_timing_kills_lower_the_signal_age_to_what_sent_drafts_support():
    verdicts = [kill(i, "software", "bad_timing", signal_age_days=40.0 + i) for i in range(5)]
    verdicts += [
        Verdict(20 + i, "hiring-data-engineers", "approve", signal_age_days=age)
        for i, age in enumerate([3.0, 9.5, 14.2])
    ]
    found = mine(verdicts, spec())
    assert [f.change for f in found] == [Change("set", ("max_signal_age_days",), 15)]
    assert found[0].key == "threshold:max_signal_age_days:60"


def test_off_brand_kills_raise_the_confidence_bar_above_theirs():
    verdicts = [
        kill(i, "software", "off_brand", confidence=0.7, personalization=0.5) for i in range(5)
    ]
    found = mine(verdicts, spec())
    assert [f.change for f in found] == [Change("set", ("thresholds", "confidence"), 0.75)]


def test_the_diff_is_the_change_and_only_the_change():
    old = STARTER.read_text()
    new = apply(old, Change("add", ("banned_phrases",), "I hope this email finds you well"))
    assert new is not None
    patch = diff(old, new, "data-platform.md")
    changed = [ln for ln in patch.splitlines() if ln[:1] in "+-" and ln[:3] not in ("+++", "---")]
    assert changed == [
        '-banned_phrases: ["circle back", "synergy"]',
        '+banned_phrases: ["circle back", "synergy", "I hope this email finds you well"]',
    ]
    # Already banned: nothing to change.
    assert (
        apply(new, Change("add", ("banned_phrases",), "i hope THIS email finds you well")) is None
    )
