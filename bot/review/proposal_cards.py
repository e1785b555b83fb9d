"""The card for a proposed change to an agent's file, from what the database holds now."""

from __future__ import annotations

from sqlmodel import Session

from bot.ports import ProposalCard
from bot.runtime import Runtime
from storage.models import Proposal, Review


def proposal_card(rt: Runtime, s: Session, review: Review) -> ProposalCard:
    assert review.id is not None  # a row read from the database has its id
    proposal = s.get_one(Proposal, review.subject_id)
    assert proposal.id is not None  # a row read from the database has its id
    agent = rt.fleet().agents.get(review.agent_id)
    return ProposalCard(
        review_id=review.id,
        status=review.status,
        agent_id=review.agent_id,
        agent_name=agent.spec.name if agent else review.agent_id,
        owner=review.owner,
        channel=review.channel,
        message_ts=review.message_ts,
        content_hash=review.content_hash,
        expires_at=review.expires_at,
        proposal_id=proposal.id,
        proposal_kind=proposal.kind,
        summary=proposal.summary,
        evidence=tuple(str(x) for x in proposal.evidence.get("lines", [])),
        path=proposal.path.rsplit("/", 1)[-1],
        diff=proposal.diff,
        outcome=review.outcome,
        decided_by=review.decided_by,
        decided_at=review.decided_at,
        outcome_detail=outcome_detail(proposal, review),
    )


def outcome_detail(proposal: Proposal, review: Review) -> str:
    if review.status == "expired":
        return "the file was not changed"
    if review.outcome == "apply":
        applied = proposal.evidence.get("applied") or {}
        return f"config v{applied.get('before', '?')} → v{applied.get('after', '?')}"
    if review.outcome == "dismiss":
        return "it is not proposed again"
    return ""
