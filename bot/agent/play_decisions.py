"""Decisions on a play card: approve the version (agents may send with it) or kill it (rejected).
bot/decisions.py does the steps common to every kind."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.review.actions import Action, Check, Request
from bot.runtime import Runtime
from storage import audit
from storage.models import Decision, PlayVersion, Review


def check(rt: Runtime, s: Session, req: Request, review: Review) -> Check:
    """A play version is approved as posted: nothing blocks it, and it is never stale."""
    return Check()


def record(rt: Runtime, s: Session, req: Request, review: Review, now: datetime) -> None:
    assert review.id is not None  # a row read from the database has its id
    version = s.get_one(PlayVersion, review.subject_id)
    version.status = "approved" if req.action == Action.APPROVE else "rejected"
    version.decided_by, version.decided_at = req.actor, now
    s.add(version)
    s.add(
        Decision(
            review_id=review.id,
            kind="play",
            play_version_id=version.id,
            agent_id=review.agent_id,
            action=req.action.value,
            reason_code=req.reason_code,
            reason_text=req.reason_text.strip(),
            actor=req.actor,
            decided_at=now,
        )
    )
    audit.record(
        s,
        f"user:{req.actor}",
        f"play.{version.status}",
        f"play:{version.play_id}",
        {"hash": version.content_hash, "review": review.id, "reason": req.reason_code},
        agent_id=review.agent_id,
    )


def renew(rt: Runtime, s: Session, review: Review, now: datetime) -> Review | None:
    """Never called: `check` reports no text hash, so a play card is never stale."""
    return None
