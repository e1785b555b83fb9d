"""Whom an agent writes to: the persona's order, unless the AM's verdicts lean clearly away."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlmodel import col, select

from bot.agent import loop
from bot.agent.facts import LEAN_MARGIN, pick_contact
from bot.core.second_check import Current, features, title_features
from bot.decisions import Action, Request, decide
from storage.models import Contact, Draft
from tests.conftest import approve_plays
from tests.review.test_second_check import (
    DANA,
    open_draft_reviews,
    set_trust,
    write_batch,
)
from tests.review.test_second_check import world as world

PERSONA = ["head of data", "vp data", "cto"]


def person(cid: str, title: str, dnc: bool = False) -> Contact:
    return Contact(
        id=cid,
        account_id="a1",
        first_name="Sam",
        last_name=cid,
        email=f"{cid}@a1.example",
        title=title,
        do_not_contact=dnc,
    )


def test_persona_order_without_any_learning():
    people = [person("c3", "CTO"), person("c2", "VP Data"), person("c1", "Head of Data")]
    assert pick_contact(people, PERSONA).id == "c1"
    assert pick_contact(people, PERSONA, lean=None).id == "c1"
    assert pick_contact([person("x", "Office Manager")], PERSONA) is None
    assert pick_contact([person("c1", "Head of Data", dnc=True)], PERSONA) is None


def test_a_clear_lean_moves_the_choice_and_a_faint_one_does_not():
    people = [person("c1", "Head of Data"), person("c2", "VP Data"), person("c3", "CTO")]
    edited = {"head of data": -2.0, "vp data": 0.1, "cto": 0.0}
    assert pick_contact(people, PERSONA, lambda t: edited[t.lower()]).id == "c2"
    faint = {"head of data": 0.0, "vp data": LEAN_MARGIN - 0.01, "cto": 0.0}
    assert pick_contact(people, PERSONA, lambda t: faint[t.lower()]).id == "c1"
    # Equal leans among the others: the persona's order breaks the tie.
    tie = {"head of data": -3.0, "vp data": 0.5, "cto": 0.5}
    assert pick_contact(people, PERSONA, lambda t: tie[t.lower()]).id == "c2"
    # Never someone outside the persona, however the verdicts lean.
    outside = people + [person("c4", "Office Manager")]
    lean = {"head of data": -3.0, "vp data": -3.0, "cto": -3.0, "office manager": 9.0}
    assert pick_contact(outside, PERSONA, lambda t: lean[t.lower()]).id == "c1"


def test_the_lean_is_the_second_checks_own_title_weights():
    """The title's weights for this AM and agent, and nobody else's, as the check adds them."""
    model = {
        "intercept": 0.5,
        "coef": {
            "title=cto": -1.0,
            "am=U0AM1|title_word=cto": -2.0,
            "agent=a|title=cto": -0.5,
            "am=U0OTHER|title=cto": 9.0,
            "industry=software": 3.0,
        },
    }
    current = Current(model)
    assert current.title_lean("CTO", "a", "U0AM1") == -3.5
    assert current.title_lean("CTO", "b", "U0OTHER") == 8.0
    assert current.title_lean("Head of Data", "a", "U0AM1") == 0.0
    assert Current(None).title_lean("CTO", "a", "U0AM1") == 0.0
    # The same features the check scores a draft with.
    x = features(
        match={},
        signals=[],
        now=None,  # type: ignore[arg-type]
        play_id="p",
        capability="",
        personalization=0.5,
        body="hi",
        confidence=0.8,
        industry="software",
        country="US",
        employees=10,
        customer_status="prospect",
        title="CTO",
    )
    assert title_features("CTO").items() <= x.items()


def teach_head_of_data_is_rewritten(world) -> None:
    """Three days of Dana rewriting every draft to a head of data and sending drafts to a VP
    of data as they are; the accounts have both, or only the VP."""
    rt = world.rt
    approve_plays(rt)

    def both_or_vp(aid: str) -> list[str]:
        return ["Head of Data", "VP Data"] if aid[-1] in "02468" else ["VP Data"]

    for day in range(3):
        batch = [(f"t{day}n{i:02d}", "software", DANA) for i in range(20)]
        write_batch(world, batch, titles=both_or_vp)
        set_trust(rt, "data-platform", "probation")
        loop.tick(rt, "data-platform")
        for review, draft, _ in open_draft_reviews(rt):
            with rt.db.session() as s:
                title = s.get_one(Contact, draft.contact_id).title
            if title == "Head of Data":
                req = Request(
                    review.id,
                    DANA,
                    Action.EDIT,
                    subject=draft.subject,
                    body=draft.body + "\nP.S. Rewritten by Dana.\n",
                )
            else:
                req = Request(review.id, DANA, Action.APPROVE, content_hash=review.content_hash)
            assert decide(rt, req).status == "decided"
        world.clock.now += timedelta(days=1)


def test_the_tick_learns_whom_the_am_wants_it_to_write_to(world):
    """Once the second check has learned whom Dana rewrites, an account with both a head of
    data and a VP of data gets the VP."""
    rt = world.rt
    teach_head_of_data_is_rewritten(world)
    with rt.db.session() as s:
        early = s.exec(select(Draft).where(col(Draft.account_id).startswith("t0n"))).all()
        early_titles = {s.get_one(Contact, d.contact_id).title for d in early}
    assert early_titles == {"Head of Data", "VP Data"}  # before learning: the persona's order
    write_batch(
        world,
        [(f"new{i}", "software", DANA) for i in range(4)],
        titles=lambda a: ["Head of Data", "VP Data"],
    )
    loop.tick(rt, "data-platform")
    with rt.db.session() as s:
        fresh = s.exec(select(Draft).where(col(Draft.account_id).startswith("new"))).all()
        assert len(fresh) == 4
        assert {s.get_one(Contact, d.contact_id).title for d in fresh} == {"VP Data"}


def test_the_daily_cap_goes_first_to_accounts_the_am_would_not_rewrite(world):
    """Where every contact the persona allows is one the AM rewrites drafts to, the account
    waits behind equally strong ones whose drafts the AM sends as they are."""
    rt = world.rt
    teach_head_of_data_is_rewritten(world)
    path = rt.settings.agents_dir / "data-platform.md"
    path.write_text(re.sub(r"^daily_cap: \d+", "daily_cap: 2", path.read_text(), flags=re.M))
    accounts = [(f"cap{i}", "software", DANA) for i in range(4)]
    write_batch(
        world, accounts, titles=lambda a: ["Head of Data"] if a in ("cap0", "cap1") else ["VP Data"]
    )
    loop.tick(rt, "data-platform")
    with rt.db.session() as s:
        fresh = s.exec(select(Draft).where(col(Draft.account_id).startswith("cap"))).all()
    assert sorted(d.account_id for d in fresh) == ["cap2", "cap3"]
