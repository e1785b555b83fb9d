"""Review lifecycle. Every state change is one conditional UPDATE: of two racing clicks (or
two replicas), exactly one sees a row count of 1."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, or_, update
from sqlmodel import Session, col, select

from storage.db import rowcount
from storage.models import Decision, Draft, Review


def close(
    s: Session,
    review_id: int,
    *,
    status: str,
    outcome: str,
    actor: str,
    now: datetime,
) -> bool:
    """open -> status, if and only if it is still open. True when this call won."""
    res = s.execute(
        update(Review)
        .where(col(Review.id) == review_id, col(Review.status) == "open")
        .values(status=status, outcome=outcome, decided_by=actor, decided_at=now)
    )
    return rowcount(res) == 1


def rebind(s: Session, review_id: int, content_hash: str) -> bool:
    """A card's new text hash, if and only if it is still open and undecided (a drafted answer
    that arrives late never rewrites what a decision was made on). True when this call won."""
    res = s.execute(
        update(Review)
        .where(
            col(Review.id) == review_id,
            col(Review.status) == "open",
            col(Review.decided_at).is_(None),
        )
        .values(content_hash=content_hash)
    )
    return rowcount(res) == 1


def due_reminders(s: Session, now: datetime) -> list[Review]:
    """Posted reviews whose nudge is due; one with a reply target never expires, so it is
    nudged whatever its window says."""
    q = select(Review).where(
        Review.status == "open",
        Review.message_ts != "",
        col(Review.reminded_at).is_(None),
        Review.remind_at <= now,
        or_(col(Review.expires_at) > now, col(Review.respond_by).is_not(None)),
    )
    return list(s.exec(q))


def claim_reminder(s: Session, review_id: int, now: datetime) -> bool:
    res = s.execute(
        update(Review)
        .where(col(Review.id) == review_id, col(Review.reminded_at).is_(None))
        .values(reminded_at=now)
    )
    return rowcount(res) == 1


def due_expiries(s: Session, now: datetime) -> list[Review]:
    """Open reviews past their window, except those with a reply target: they stay open
    until someone decides."""
    q = select(Review).where(
        Review.status == "open", Review.expires_at <= now, col(Review.respond_by).is_(None)
    )
    return list(s.exec(q))


def due_overdue(s: Session, now: datetime) -> list[Review]:
    """Open reviews past their reply target that the operators were not told of yet."""
    q = select(Review).where(
        Review.status == "open",
        col(Review.respond_by) <= now,
        col(Review.overdue_told_at).is_(None),
    )
    return list(s.exec(q.order_by(col(Review.respond_by))))


def claim_overdue(s: Session, review_id: int, now: datetime) -> bool:
    """Whether this call tells the operators (of two replicas, one does)."""
    res = s.execute(
        update(Review)
        .where(
            col(Review.id) == review_id,
            col(Review.status) == "open",
            col(Review.overdue_told_at).is_(None),
        )
        .values(overdue_told_at=now)
    )
    return rowcount(res) == 1


def release_overdue(s: Session, review_id: int, claimed_at: datetime) -> bool:
    """Give back a claim whose notice did not go out, so the next sweep tells again; only
    the claim made at `claimed_at` (this caller's), never a later one."""
    res = s.execute(
        update(Review)
        .where(col(Review.id) == review_id, col(Review.overdue_told_at) == claimed_at)
        .values(overdue_told_at=None)
    )
    return rowcount(res) == 1


# Reply classes, most urgent first: bot/review/sla.py's CLASSES (storage imports none of
# ours; a test keeps the two equal).
URGENCY = ("hot", "escalation", "other")


def queue_order() -> tuple:
    """Replies with a target first: by class (a hot reply leads, however many "other" ones
    are overdue, as those never expire), then the earliest target; then the rest, oldest
    first."""
    rank = case(
        *((col(Review.sla) == name, i) for i, name in enumerate(URGENCY)), else_=len(URGENCY)
    )
    return (
        col(Review.respond_by).is_(None),
        rank,
        col(Review.respond_by),
        col(Review.created_at),
        col(Review.id),
    )


def deferred_due(s: Session, now: datetime) -> list[Draft]:
    q = select(Draft).where(Draft.status == "deferred", col(Draft.deferred_until) <= now)
    return list(s.exec(q))


def open_for(s: Session, kind: str, subject_id: int) -> Review | None:
    q = select(Review).where(
        Review.kind == kind, Review.subject_id == subject_id, Review.status == "open"
    )
    return s.exec(q).first()


def latest_for(s: Session, kind: str, subject_id: int) -> Review | None:
    q = (
        select(Review)
        .where(Review.kind == kind, Review.subject_id == subject_id)
        .order_by(col(Review.id).desc())
    )
    return s.exec(q).first()


def set_draft_status(s: Session, draft_id: int, status: str, now: datetime, **values) -> None:
    s.execute(
        update(Draft)
        .where(col(Draft.id) == draft_id)
        .values(status=status, updated_at=now, **values)
    )


def decision_for(s: Session, review_id: int) -> Decision | None:
    return s.exec(select(Decision).where(Decision.review_id == review_id)).first()


def open_reviews(s: Session, owner: str | None = None, limit: int = 50) -> list[Review]:
    q = select(Review).where(Review.status == "open").order_by(*queue_order())
    if owner is not None:
        q = q.where(Review.owner == owner)
    return list(s.exec(q.limit(limit)))
