"""Every press on a card or its modal, kept so the operator's load is measured rather than
guessed (bot/reports/load.py). A decision records its own press in its own transaction
(bot/decisions.py); the surfaces record the presses that decide nothing (opening a modal,
Show full text) through `press`. A refused press is no one's review work and is not kept.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.review.actions import Action
from bot.runtime import Runtime
from storage import clicks
from storage.models import Review, session_now

SHOW_FULL = "show_full"


def opened(action: Action) -> str:
    """The press that opens the modal of `action`: edit_open, kill_open, defer_open, ..."""
    return f"{action.value}_open"


def record(
    where: Runtime | Session,
    review_id: int,
    actor: str,
    action: str,
    at: datetime | None = None,
) -> bool:
    """Keep one press on review `review_id`, attributed to the review's agent: in the caller's
    transaction when handed a session (a decision's), else in one of its own. `at` defaults
    to the runtime's (or the session's) clock. False when there is no such review."""
    if isinstance(where, Session):
        return _record(where, review_id, actor, action, at or session_now(where))
    with where.db.session() as s:
        return _record(s, review_id, actor, action, at or where.now())


def press(rt: Runtime, review_id: int, actor: str, action: str) -> bool:
    """A press that decides nothing, now: kept when `actor` may decide the review (its owner
    or an operator), since someone only looking at a card is not reviewing it."""
    with rt.db.session() as s:
        review = s.get(Review, review_id)
        if review is None or not rt.may_decide(actor, review.owner):
            return False
        return _record(s, review_id, actor, action, rt.now())


def _record(s: Session, review_id: int, actor: str, action: str, at: datetime) -> bool:
    review = s.get(Review, review_id)
    if review is None:
        return False
    clicks.add(s, review_id, review.agent_id, actor, action, at)
    return True
