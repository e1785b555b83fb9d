"""Every decision through bot.decisions.decide keeps its press, at the runtime's clock, in the
decision's own transaction; a refused or a losing press is nobody's review work."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import select

from bot.agent import loop
from bot.decisions import Action, Request, decide
from bot.review import clicks
from bot.review import lifecycle as reviews
from storage.models import Review, ReviewClick
from tests.conftest import OPERATOR, approve_plays

NOW = datetime(2026, 11, 18, 14, 30, tzinfo=UTC)


def presses(rt) -> list[tuple[int, str, str, str, datetime]]:
    with rt.db.session() as s:
        rows = s.exec(select(ReviewClick).order_by(ReviewClick.id)).all()
        return [(c.review_id, c.agent_id, c.actor, c.action, c.at) for c in rows]


def draft_cards(rt) -> list[Review]:
    approve_plays(rt)
    loop.tick(rt)
    reviews.post_pending(rt)
    with rt.db.session() as s:
        q = select(Review).where(Review.status == "open", Review.kind == "draft")
        return list(s.exec(q.order_by(Review.id)))


def test_a_decision_keeps_its_press_and_a_refused_one_does_not(rt):
    rt.clock = lambda: NOW
    first, second, *_ = draft_cards(rt)
    plays = len(presses(rt))  # approving the plays pressed their cards too
    assert plays > 0 and all(p[3] == "approve" for p in presses(rt))

    stranger = decide(rt, Request(first.id, "U0STRANGER9", Action.APPROVE))
    assert stranger.status == "forbidden"
    assert len(presses(rt)) == plays

    rt.clock = lambda: NOW + timedelta(seconds=42)
    req = Request(first.id, first.owner, Action.KILL, reason_code="off_brand")
    assert decide(rt, req).status == "decided"
    assert presses(rt)[plays:] == [
        (first.id, first.agent_id, first.owner, "kill", NOW + timedelta(seconds=42))
    ]

    late = decide(rt, Request(first.id, OPERATOR, Action.APPROVE))
    assert late.status == "already_decided"  # the losing press changed nothing
    assert len(presses(rt)) == plays + 1

    by_operator = decide(rt, Request(second.id, OPERATOR, Action.APPROVE))
    assert by_operator.status == "decided"
    assert presses(rt)[-1][2:4] == (OPERATOR, "approve")


def test_presses_that_decide_nothing_count_for_those_who_may_decide(rt):
    rt.clock = lambda: NOW
    card = draft_cards(rt)[0]
    before = len(presses(rt))
    assert not clicks.press(rt, card.id, "U0STRANGER9", clicks.SHOW_FULL)
    assert clicks.press(rt, card.id, card.owner, clicks.opened(Action.EDIT))
    assert clicks.press(rt, card.id, OPERATOR, clicks.SHOW_FULL)
    assert not clicks.press(rt, 999_999, OPERATOR, clicks.SHOW_FULL)
    assert [p[2:] for p in presses(rt)[before:]] == [
        (card.owner, "edit_open", NOW),
        (OPERATOR, "show_full", NOW),
    ]
