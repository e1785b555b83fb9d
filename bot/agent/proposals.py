"""AMs' edits and kills, mined into proposed changes to the agent's file, each posted to the
operators as a card with the diff (Apply / Dismiss: bot/agent/proposal_decisions.py).

A proposal is made against the file as it is (its sha256), checked with the fleet's real
loader (a change that would not load is never posted), and never made twice: its key is the
change itself, and a dismissed or applied one is not proposed again. One made against a file
that has moved since is made again from the file as it is now.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from bot.config.agent_edits import Change, EditError, check, diff
from bot.config.agent_edits import apply as edit
from bot.config.agents import Agent
from bot.config.frontmatter import FileError
from bot.core import proposals as mining
from bot.core.proposals import Finding, Verdict
from bot.core.second_check import Current
from bot.review import lifecycle as reviews
from bot.review import second_check
from bot.runtime import Runtime
from storage import audit
from storage import proposals as store
from storage import reviews as review_store
from storage.models import Proposal, Review

log = logging.getLogger(__name__)

DONE = ("applied", "dismissed")


@dataclass(frozen=True)
class Built:
    """A change made to the file's text as it is now, loaded and diffed."""

    base_hash: str
    new_text: str
    diff: str


def file_hash(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def mine(rt: Runtime, agent_id: str | None = None) -> list[Proposal]:
    """Mine every agent (or one) now: the proposals opened or made again, each with a review
    for the operators when there are operators to decide it. KeyError for an unknown agent."""
    fleet = rt.fleet()
    if agent_id is not None and agent_id not in fleet.agents:
        raise KeyError(f"no agent {agent_id!r} (see `twoloop agents list`)")
    agents = [fleet.agents[agent_id]] if agent_id else list(fleet.agents.values())
    now = rt.now()
    since = now - timedelta(days=rt.settings.proposal_window_days)
    today = second_check.current(rt)  # held drafts are re-scored with today's check
    read: dict[str, list[Verdict]] = {}

    def of(aid: str) -> list[Verdict]:
        if aid not in read:
            with rt.db.session() as s:
                read[aid] = verdicts(s, aid, since, today)
        return read[aid]

    out: list[Proposal] = []
    for agent in agents:
        try:
            pooled = [v for peer in peers(fleet.agents.values(), agent) for v in of(peer)]
            found = mining.mine(of(agent.id), agent.spec, pooled)
            for finding in found:
                made = propose(rt, agent, finding, now)
                if made is not None:
                    out.append(made)
        except Exception:  # one agent's trouble must not stop the others'
            log.exception("mining proposals for %s failed", agent.id)
    if out:
        reviews.post_pending(rt)
    return out


def peers(agents: Iterable[Agent], agent: Agent) -> list[str]:
    """The other agents whose holds speak for this one's thresholds: the same owner deciding
    drafts of the same plays."""
    return [
        a.id
        for a in agents
        if a.id != agent.id
        and a.spec.owner == agent.spec.owner
        and sorted(a.spec.plays) == sorted(agent.spec.plays)
    ]


def run(rt: Runtime) -> int:
    """The scheduler's daily job."""
    made = mine(rt)
    if made:
        log.info("proposed %d changes to agent files", len(made))
    return len(made)


def verdicts(
    s: Session, agent_id: str, since: datetime, today: Current | None = None
) -> list[Verdict]:
    """The agent's verdicts since `since`, each with `today`'s second check of its draft."""
    rows = store.verdicts(s, agent_id, since)
    times = store.signal_times(s, [i for _, d, _, _ in rows for i in d.signal_ids or []])
    out = []
    for decision, draft, account, contact in rows:
        assert draft.id is not None  # a row read from the database has its id
        seen = [times[i] for i in draft.signal_ids or [] if i in times]
        age = (draft.created_at - max(seen)).total_seconds() / 86400 if seen else None
        out.append(
            Verdict(
                draft_id=draft.id,
                play_id=draft.play_id,
                action=decision.action,
                reason_code=decision.reason_code,
                before_body=decision.before_body or draft.body,
                after_body=decision.after_body,
                account_id=account.id,
                account_name=account.name,
                industry=account.industry,
                prospect=(account.name, account.domain, contact.first_name, contact.last_name),
                signal_age_days=age,
                personalization=draft.personalization,
                confidence=draft.confidence,
                decided_at=decision.decided_at,
                gate_reasons=tuple(str(r.get("code", "")) for r in draft.gate_reasons or []),
                match_score=_score((draft.match or {}).get("score")),
                second_check_now=_rescored(today, draft.features),
            )
        )
    return out


def _rescored(today: Current | None, stored: dict | None) -> float | None:
    """Today's second check on a draft's stored features (None: no check, or a draft from
    before features were kept)."""
    if today is None or not stored or "x" not in stored:
        return None
    return today.check(stored["x"], str(stored.get("agent", "")), str(stored.get("am", ""))).p


def _score(raw: object) -> float | None:
    """A match score as stored (a draft made before scores were kept has none)."""
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        return None
    return float(raw)


def propose(rt: Runtime, agent: Agent, finding: Finding, now: datetime) -> Proposal | None:
    """Open (or make again) the proposal for a finding; None when there is nothing to ask."""
    raw = agent.path.read_bytes()
    with rt.db.session() as s:
        existing = store.by_key(s, agent.id, finding.key)
        if existing is not None and (
            existing.status in DONE
            or (existing.status == "open" and existing.base_hash == file_hash(raw))
        ):
            return None
    built = build(rt, agent.path, raw, finding.change)
    if built is None:
        return None
    evidence = {**finding.evidence, "change": finding.change.as_dict()}
    with rt.db.session() as s:
        existing = store.by_key(s, agent.id, finding.key)
        if existing is not None and existing.status in DONE:
            return None
        try:
            with s.begin_nested():
                row = existing or Proposal(
                    agent_id=agent.id,
                    kind=finding.kind,
                    key=finding.key,
                    summary=finding.summary,
                    path=str(agent.path),
                    base_hash=built.base_hash,
                    created_at=now,
                )
                row.summary, row.evidence = finding.summary, evidence
                _rebase(row, agent.path, built)
                s.add(row)
                s.flush()
        except IntegrityError:  # another run proposed it a moment ago
            return None
        _open_review(rt, s, row, agent, now)
        audit.record(
            s,
            "system",
            "proposal.opened" if existing is None else "proposal.renewed",
            f"proposal:{row.id}",
            {"kind": row.kind, "key": row.key, "base_hash": row.base_hash[:12]},
            agent.config_version,
            agent_id=agent.id,
        )
        return row


def refresh(rt: Runtime, s: Session, proposal: Proposal, now: datetime) -> Review | None:
    """Make a proposal again from the agent's file as it is now (after it moved under an open
    card): its new diff and a fresh card, or None (then it stays stale) when the change no
    longer applies, no longer loads, or the agent is gone."""
    agent = rt.fleet().agents.get(proposal.agent_id)
    if agent is None:
        return None
    try:
        change = Change.from_dict(proposal.evidence.get("change") or {})
    except ValueError:
        log.warning("proposal %s holds no change it can make again", proposal.id)
        return None
    raw = agent.path.read_bytes()
    built = build(rt, agent.path, raw, change)
    if built is None:
        return None
    _rebase(proposal, agent.path, built)
    s.add(proposal)
    s.flush()
    return _open_review(rt, s, proposal, agent, now)


def build(rt: Runtime, path: Path, raw: bytes, change: Change) -> Built | None:
    """The file with the change made, if it changes anything and the fleet would load it."""
    text = raw.decode("utf-8")
    try:
        new_text = edit(text, change)
    except (EditError, ValueError) as exc:
        log.warning("%s: cannot propose %s by hand: %s", path, change.as_dict(), exc)
        return None
    if new_text is None:
        return None  # the file already says so
    st = rt.settings
    try:
        check(path, new_text, st.plays_dir, st.agents_dir.parent / "mailboxes.yml")
    except FileError as err:
        log.warning("a proposed change to %s would not load, so it is not posted: %s", path, err)
        return None
    return Built(file_hash(raw), new_text, diff(text, new_text, path.name))


def _rebase(row: Proposal, path: Path, built: Built) -> None:
    row.path, row.base_hash = str(path), built.base_hash
    row.new_text, row.diff = built.new_text, built.diff
    row.status, row.decided_by, row.decided_at = "open", "", None


def _open_review(
    rt: Runtime, s: Session, proposal: Proposal, agent: Agent, now: datetime
) -> Review | None:
    """A card for the operators, in their channel (the agent's, when there is none). Without
    operators nobody may decide it: it waits in `twoloop proposals`."""
    assert proposal.id is not None  # flushed by the caller
    operators = sorted(rt.settings.operators)
    if not operators:
        return None
    old = review_store.open_for(s, "proposal", proposal.id)
    if old is not None:
        assert old.id is not None  # a row read from the database has its id
        review_store.close(
            s, old.id, status="superseded", outcome="superseded", actor="system", now=now
        )
    review = reviews.new_review(
        rt, s, "proposal", proposal.id, agent.spec, proposal.base_hash, [proposal.summary], now
    )
    review.owner = operators[0]
    review.channel = rt.settings.operator_channel or agent.spec.channel
    s.add(review)
    s.flush()
    return review
