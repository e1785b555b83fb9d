"""Trust: an agent on probation has every draft reviewed; a supervised one lets the gate decide.

What counts is a verdict on a draft review: approve, edit or kill. A deferral says "not now",
not "bad", and an expired review was nobody's verdict, so neither counts.

- Promotion (probation -> supervised), judged after each verdict, over the clean stretch: the
  verdicts since the last trust change and since the last critical kill. It needs at least
  `TWOLOOP_TRUST_MIN_REVIEWS` verdicts on `TWOLOOP_TRUST_MIN_DAYS` distinct UTC days, a kill
  rate of at most `TWOLOOP_TRUST_MAX_KILL_RATE`, and the last `TWOLOOP_TRUST_WINDOW` verdicts
  not over the demotion rate (so a promotion is never undone by the next click).
- Demotion (supervised -> probation): a critical kill (current customer, factual error, wrong
  account), or more than `TWOLOOP_TRUST_DEMOTE_KILL_RATE` of the last `TWOLOOP_TRUST_WINDOW`
  verdicts killed (judged once there are that many).
- An operator can set either level by hand (`/twoloop trust`). A manual demotion holds: the
  rules never promote the agent again until a person does. A manual promotion is still
  demoted by the rules, since those protect prospects.

Every change is audited with before and after and posted to the owner's channel once the
decision's transaction commits.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from bot.ports import Notice, User
from bot.runtime import Runtime
from storage import audit
from storage import control as store
from storage.models import AgentState, Decision

log = logging.getLogger(__name__)

LEVELS = ("probation", "supervised")
CRITICAL = ("current_customer", "factual_error", "wrong_account")
RULES = ("", "system")  # trust_set_by values that mean "the rules set this", not a person


@dataclass(frozen=True)
class Change:
    agent_id: str
    before: str
    after: str
    reason: str
    by: str  # "system" or the operator's user id
    detail: dict


def after_decision(rt: Runtime, s: Session, decision: Decision) -> Change | None:
    """Judge the agent's trust after a decision, inside the decision's transaction."""
    if decision.draft_id is None or decision.action not in store.VERDICTS:
        return None
    state = s.get(AgentState, decision.agent_id)
    if state is None:
        state = store.locked_state(s, decision.agent_id)
    if state.trust == "supervised":
        change = _demotion(rt, s, state, decision)
    else:
        change = _promotion(rt, s, state)
    if change is None:
        return None
    return _apply(rt, s, change, decision.decided_at, f"review verdict by {decision.actor}")


def _demotion(rt: Runtime, s: Session, state: AgentState, d: Decision) -> Change | None:
    st = rt.settings
    if d.action == "kill" and d.reason_code in CRITICAL:
        why = f"critical kill ({d.reason_code.replace('_', ' ')}) of draft {d.draft_id}"
        return Change(state.agent_id, "supervised", "probation", why, "system", {"kill": d.id})
    recent = store.recent_verdicts(s, state.agent_id, st.trust_window)
    if len(recent) < st.trust_window:
        return None
    kills = sum(1 for action, _ in recent if action == "kill")
    rate = kills / len(recent)
    if rate <= st.trust_demote_kill_rate:
        return None
    why = (
        f"{kills} of the last {len(recent)} drafts killed "
        f"({rate:.0%}, limit {st.trust_demote_kill_rate:.0%})"
    )
    return Change(
        state.agent_id,
        "supervised",
        "probation",
        why,
        "system",
        {"kills": kills, "window": len(recent)},
    )


def _promotion(rt: Runtime, s: Session, state: AgentState) -> Change | None:
    st = rt.settings
    if state.trust_set_by not in RULES:
        return None  # an operator put it on probation: only a person promotes it
    t = stretch(s, state)
    if (
        t.reviews < st.trust_min_reviews
        or t.days < st.trust_min_days
        or t.critical
        or t.kill_rate > st.trust_max_kill_rate
    ):
        return None
    recent = store.recent_verdicts(s, state.agent_id, st.trust_window)
    if sum(1 for a, _ in recent if a == "kill") / len(recent) > st.trust_demote_kill_rate:
        return None
    why = (
        f"{t.reviews} reviewed drafts over {t.days} days, {t.kill_rate:.0%} killed, "
        "no critical kill"
    )
    detail = {"reviews": t.reviews, "days": t.days, "kills": t.kills}
    return Change(state.agent_id, "probation", "supervised", why, "system", detail)


def stretch(s: Session, state: AgentState) -> store.Tally:
    """The verdicts that count toward promotion: since the last trust change and the last
    critical kill, whichever is later."""
    starts = (state.trust_changed_at, store.last_critical_kill(s, state.agent_id, CRITICAL))
    since = max((t for t in starts if t is not None), default=None)
    return store.tally_since(s, state.agent_id, since, CRITICAL)


def set_by_operator(
    rt: Runtime, s: Session, actor: str, agent_id: str, level: str, reason: str
) -> Change | None:
    """An operator's `/twoloop trust`: None if the agent already has that level by hand."""
    state = store.locked_state(s, agent_id)
    if state.trust == level and state.trust_set_by == actor:
        return None
    why = reason or "set by hand"
    change = Change(agent_id, state.trust, level, why, actor, {"was_set_by": state.trust_set_by})
    if state.trust == level:
        # Same level, now held by a person (a manual demotion holds); no owner notice needed.
        store.save(s, state, trust_set_by=actor, trust_reason=why, trust_changed_at=rt.now())
        _audit(s, change, rt.now())
        return change
    # The command answers at once and posts the owner's notice itself, after the ack.
    return _apply(rt, s, change, rt.now(), actor, tell=False)


def _apply(
    rt: Runtime, s: Session, change: Change, now: datetime, source: str, tell: bool = True
) -> Change | None:
    if not store.change_trust(
        s, change.agent_id, change.before, change.after, change.reason, change.by, now
    ):
        return None  # a concurrent decision moved it first
    _audit(s, change, now)
    if tell:
        store.after_commit(s, lambda: _tell_owner(rt, change))
    log.info(
        "trust %s: %s -> %s (%s; %s)",
        change.agent_id,
        change.before,
        change.after,
        change.reason,
        source,
    )
    return change


def _audit(s: Session, change: Change, now: datetime) -> None:
    audit.record(
        s,
        "system" if change.by == "system" else f"user:{change.by}",
        "trust.promoted" if change.after == "supervised" else "trust.demoted",
        f"agent:{change.agent_id}",
        {
            "before": change.before,
            "after": change.after,
            "reason": change.reason,
            "at": now.isoformat(),
            **change.detail,
        },
        agent_id=change.agent_id,
    )


def owner_notice(change: Change, owner: str, name: str) -> Notice:
    who = "the trust rules" if change.by == "system" else User(change.by)
    if change.after == "supervised":
        what = (
            "is now *supervised*: below its thresholds it sends without review; "
            "above them you still get a card."
        )
    else:
        what = "is back on *probation*: every draft comes to you for review."
    return Notice.of(
        User(owner),
        f" {name} {what} Why: {change.reason} (set by ",
        who,
        ").",
        tone="promoted" if change.after == "supervised" else "demoted",
        agent_id=change.agent_id,
    )


def _tell_owner(rt: Runtime, change: Change) -> None:
    agent = rt.fleet().agents.get(change.agent_id)
    if agent is None or rt.humans is None:
        return
    try:
        rt.humans.notify(
            agent.spec.channel, owner_notice(change, agent.spec.owner, agent.spec.name)
        )
    except Exception:  # the change stands and is audited; the notice is lost
        log.exception(
            "could not tell %s about %s's trust change", agent.spec.owner, change.agent_id
        )
