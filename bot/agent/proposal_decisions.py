"""Decisions on a proposed change to an agent's file: Apply writes it (atomically, only over
the very file it was computed from), Dismiss retires it for good. Only an operator decides
(bot/decisions.py: the review's owner is an operator, and refusals say so). bot/decisions.py
does the steps common to every kind."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import event
from sqlmodel import Session

from bot.agent import proposals
from bot.config.agent_edits import write_atomically
from bot.ports import Notice, User
from bot.review.actions import Action, Check, Request
from bot.runtime import Runtime
from storage import audit
from storage import proposals as store
from storage.models import Proposal, Review

log = logging.getLogger(__name__)


class Conflict(RuntimeError):
    """The file or the proposal moved between the check and the write (a racing Apply): the
    whole decision rolls back, and the next click finds it stale."""


def check(rt: Runtime, s: Session, req: Request, review: Review) -> Check:
    """Apply binds to the file as it was when the diff was made: its sha256 is the card's
    content hash, so a file edited since makes the click stale. Dismiss binds to nothing."""
    if req.action != Action.APPLY:
        return Check()
    proposal = s.get_one(Proposal, review.subject_id)
    now_hash = _current_hash(rt, proposal)
    if now_hash != proposal.base_hash:
        return Check(
            blocked=["the agent's file changed since this change was proposed"],
            text_hash=now_hash,
        )
    return Check(text_hash=now_hash)


def record(rt: Runtime, s: Session, req: Request, review: Review, now: datetime) -> None:
    proposal = s.get_one(Proposal, review.subject_id)
    assert proposal.id is not None  # a row read from the database has its id
    if req.action == Action.DISMISS:
        store.dismiss(s, proposal.id, req.actor, now)
        audit.record(
            s,
            f"user:{req.actor}",
            "proposal.dismissed",
            f"proposal:{proposal.id}",
            {"kind": proposal.kind, "key": proposal.key, "review": review.id},
            agent_id=proposal.agent_id,
        )
        return
    _apply(rt, s, req, review, proposal, now)


def renew(rt: Runtime, s: Session, review: Review, now: datetime) -> Review | None:
    """The file moved under the card: the proposal is stale (audited), and made again from the
    file as it is now when the change still applies (a fresh card), else it stays stale."""
    proposal = s.get_one(Proposal, review.subject_id)
    if proposal.status in proposals.DONE:
        return None
    proposal.status = "stale"
    s.add(proposal)
    audit.record(
        s,
        "system",
        "proposal.stale",
        f"proposal:{proposal.id}",
        {"review": review.id, "base_hash": proposal.base_hash[:12]},
        agent_id=proposal.agent_id,
    )
    return proposals.refresh(rt, s, proposal, now)


def _apply(
    rt: Runtime, s: Session, req: Request, review: Review, proposal: Proposal, now: datetime
) -> None:
    assert proposal.id is not None  # a row read from the database has its id
    agent = rt.fleet().agents.get(proposal.agent_id)
    if agent is None or _current_hash(rt, proposal) != proposal.base_hash:
        raise Conflict(f"the file of agent {proposal.agent_id!r} changed while applying")
    base = proposal.base_hash
    if not store.decide(s, proposal.id, "applied", req.actor, now, base):
        raise Conflict(f"proposal {proposal.id} was decided or went stale while applying")
    # Every other open proposal was computed from this version of the file: stale now.
    siblings = store.stale_siblings(s, proposal.agent_id, base, proposal.id)
    before = agent.config_version
    write_atomically(agent.path, proposal.new_text)
    fleet = rt.fleet()  # re-read: the file changed, so the agent's config version does
    after_agent = fleet.agents.get(proposal.agent_id)
    after = after_agent.config_version if after_agent is not None else ""
    if after_agent is None:  # checked before it was posted; a changed include or play can do it
        log.error("agent %s did not load after applying proposal %s", agent.id, proposal.id)
    s.refresh(proposal)
    proposal.evidence = {**proposal.evidence, "applied": {"before": before, "after": after}}
    s.add(proposal)
    audit.record(
        s,
        f"user:{req.actor}",
        "proposal.applied",
        f"proposal:{proposal.id}",
        {
            "kind": proposal.kind,
            "key": proposal.key,
            "summary": proposal.summary,
            "path": str(agent.path),
            "config_before": before,
            "config_after": after,
            "review": review.id,
            "stale_siblings": siblings,
        },
        after,
        agent_id=proposal.agent_id,
    )
    notice = Notice.of(
        "",
        User(req.actor),
        f" applied a change to {agent.spec.name} ({agent.path.name}): {proposal.summary}. "
        f"Config v{before} → v{after or '?'}; the next drafts follow it.",
        agent_id=agent.id,
    )
    channel = agent.spec.channel
    # Told once the decision is committed, and outside its transaction: a slow chat must not
    # hold the database's write lock.
    event.listen(s, "after_commit", lambda _s: _tell(rt, channel, notice), once=True)


def _tell(rt: Runtime, channel: str, notice: Notice) -> None:
    if rt.humans is None:
        return
    try:
        rt.humans.notify(channel, notice)
    except Exception as exc:  # noqa: BLE001 - the file is written and audited; this is news
        log.warning("telling %s of an applied proposal failed: %s", channel, type(exc).__name__)


def _current_hash(rt: Runtime, proposal: Proposal) -> str:
    """The sha256 of the agent's file now; '' when the agent or its file is gone."""
    agent = rt.fleet().agents.get(proposal.agent_id)
    if agent is None:
        return ""
    try:
        return proposals.file_hash(agent.path.read_bytes())
    except OSError:
        return ""
