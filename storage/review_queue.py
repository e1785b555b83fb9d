"""Open reviews of every kind as one list, for the terminal (`twoloop reviews list`) and for
the tick's "plays waiting for approval"."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_
from sqlalchemy import select as sa_select  # typed for more columns than SQLModel's select
from sqlmodel import Session, col

from storage.models import Draft, InboundMessage, PlayVersion, Review
from storage.reviews import queue_order


@dataclass(frozen=True)
class QueuedReview:
    review: Review
    summary: str  # the draft's subject, the reply's sender and subject, or the play's id


def open_queue(
    s: Session,
    *,
    kind: str | None = None,
    owner: str | None = None,
    agent: str | None = None,
    limit: int = 200,
) -> list[QueuedReview]:
    """Replies with a target first (hot on top, then by target: reviews.queue_order), then
    the rest oldest first (the one closest to expiring on top)."""
    q = (
        sa_select(
            Review,
            col(Draft.subject),
            col(InboundMessage.from_addr),
            col(InboundMessage.subject),
            col(PlayVersion.play_id),
        )
        .outerjoin(Draft, and_(col(Review.kind) == "draft", col(Draft.id) == Review.subject_id))
        .outerjoin(
            InboundMessage,
            and_(col(Review.kind) == "reply", col(InboundMessage.id) == Review.subject_id),
        )
        .outerjoin(
            PlayVersion,
            and_(col(Review.kind) == "play", col(PlayVersion.id) == Review.subject_id),
        )
        .where(col(Review.status) == "open")
        .order_by(*queue_order())
        .limit(limit)
    )
    if kind:
        q = q.where(col(Review.kind) == kind)
    if owner:
        q = q.where(col(Review.owner) == owner)
    if agent:
        q = q.where(col(Review.agent_id) == agent)
    out = []
    for review, draft_subject, reply_from, reply_subject, play_id in s.execute(q):
        if review.kind == "draft":
            summary = draft_subject or ""
        elif review.kind == "reply":
            summary = f"{reply_from or ''}: {reply_subject or ''}"
        elif review.kind == "play":
            summary = f"play {play_id or ''}"
        else:  # a proposal: its summary is the review's one reason
            summary = f"{review.kind}: {'; '.join(review.reasons or [])}"
        out.append(QueuedReview(review, summary))
    return out
