"""The no-path flag: an agent still on probation after `TWOLOOP_NO_PATH_DAYS` (since its last
trust change, else its first draft) that the promotion rule would not promote is named to the
operators with why, once per period, so a stuck agent is fixed or retired instead of
quietly costing review time forever.

A flag is an audit event (`trust.no_path`), recorded after the post, so a failed post is tried
again at the next run; each period (counted from the stretch's start or the last flag) gets one.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from bot.config.agents import Agent
from bot.ports import Notice, User
from bot.review import trust
from bot.runtime import Runtime
from storage import audit
from storage import control as store
from storage.models import AgentState

log = logging.getLogger(__name__)

ACTION = "trust.no_path"
TOP_REASONS = 3  # the commonest review reasons a flag names


@dataclass(frozen=True)
class Flag:
    agent_id: str
    days: int  # on probation this long
    why: tuple[str, ...]


def sweep(rt: Runtime) -> list[Flag]:
    """Flag every agent that is due; each one's failure is logged and retried next run."""
    flags = []
    for agent in rt.fleet().agents.values():
        try:
            flag = _check(rt, agent)
        except Exception:
            log.exception("no-path check of %s failed", agent.id)
            continue
        if flag is not None:
            flags.append(flag)
    return flags


def _due(rt: Runtime, s: Session, agent: Agent) -> tuple[AgentState, datetime] | None:
    """The agent's state and the start of its probation when a flag is due, else None."""
    period = timedelta(days=rt.settings.no_path_days)
    now = rt.now()
    state = s.get(AgentState, agent.id) or AgentState(agent_id=agent.id, overrides={})
    if state.trust != "probation" or state.trust_set_by not in trust.RULES or state.paused:
        return None  # trusted, held by a person, or stopped on purpose
    started = state.trust_changed_at or store.first_draft_at(s, agent.id)
    if started is None or now - started < period:
        return None
    last = store.last_event_at(s, agent.id, ACTION)
    if last is not None and last > started and now - last < period:
        return None
    return state, started


def _check(rt: Runtime, agent: Agent) -> Flag | None:
    if not agent.spec.active:
        return None
    with rt.db.session() as s:
        due = _due(rt, s, agent)
        if due is None:
            return None
        state, started = due
        ev = trust.evidence(rt, s, state, reasons=True)
        whole = trust.probation_evidence(rt, s, state) if ev.restart else None
    if ev.promotable:
        return None  # its next verdict promotes it
    flag = Flag(agent.id, (rt.now() - started).days, why(rt, ev, whole))
    _tell(rt, agent, flag)
    with rt.db.session() as s:
        store.locked_state(s, agent.id)  # one flag per period, even with two runs at once
        if _due(rt, s, agent) is None:
            log.warning("no-path flag of %s was also posted by another run", agent.id)
            return None
        audit.record(
            s,
            "system",
            ACTION,
            f"agent:{agent.id}",
            {
                "days": flag.days,
                "why": list(flag.why),
                "since": started.isoformat(),
                "reviews": ev.reviews,
                "working_days": ev.working_days,
                "shadow_sends": ev.shadow_sends,
                "shadow_kills": ev.shadow_kills,
            },
            agent_id=agent.id,
        )
    log.info("agent %s has no path to promotion: %s", agent.id, "; ".join(flag.why))
    return flag


def why(rt: Runtime, ev: trust.Evidence, whole: trust.Evidence | None = None) -> tuple[str, ...]:
    """What keeps the agent on probation, worst first, in the operator's words. `ev` is the
    clean week's window; `whole` all since the last trust change, given when a kill restarted
    the window."""
    st = rt.settings
    if not ev.reviews and whole is None:
        return ("no reviewed drafts: nobody decided its cards",)
    out = []
    if whole is not None and whole.shadow_kills:
        # E.g. "4 of 31 drafts it would have sent were killed (wrong account 3, off brand 1);
        # a would-send draft was killed on 2026-11-20: the clean week restarts from then"
        out.append(f"{trust.shadow_kills_text(whole)}; {ev.restart}")
    elif ev.restart:
        out.append(ev.restart)
    if not ev.reviews:
        return tuple(out)
    if st.promotion_rule == "clean_week":
        if ev.shadow_sends < st.trust_min_shadow_sends:
            # E.g. "second check below 0.90 on 88% of them, personalization above 0.70 on 40%"
            top = [
                f"{what} on {n / ev.reviews:.0%}" + (" of them" if i == 0 else "")
                for i, (what, n) in enumerate(ev.review_reasons[:TOP_REASONS])
            ]
            out.append(
                f"would auto-send only {ev.send_share:.0%} of drafts"
                + (": " + ", ".join(top) if top else "")
            )
        if ev.working_days < st.trust_min_days:
            out.append(f"reviews on only {ev.working_days} working days")
    else:
        if ev.kill_rate > st.trust_max_kill_rate:
            out.append(f"{ev.kill_rate:.0%} of its drafts killed")
        if ev.days < st.trust_min_days:
            out.append(f"reviews on only {ev.days} days")
    if ev.reviews < st.trust_min_reviews:
        out.append(f"only {ev.reviews} reviewed drafts")
    if ev.recent and ev.recent_kills / ev.recent > st.trust_demote_kill_rate:
        which = "would-send drafts" if st.promotion_rule == "clean_week" else "drafts"
        out.append(f"{ev.recent_kills} of its last {ev.recent} {which} killed")
    return tuple(out) or ev.missing


def _tell(rt: Runtime, agent: Agent, flag: Flag) -> None:
    channel = rt.settings.operator_channel
    if rt.humans is None or not channel:
        log.warning("no operator channel: the no-path flag of %s is only audited", agent.id)
        return
    rt.humans.notify(
        channel,
        Notice.of(
            f"{agent.spec.name} ({agent.id}, owner ",
            User(agent.spec.owner),
            f") has been on probation for {flag.days} days with no path to promotion: "
            + "; ".join(flag.why)
            + ". Change its thresholds or plays, promote it by hand "
            f"(/twoloop trust {agent.id} supervised), or retire it.",
            tone="warning",
            agent_id=agent.id,
        ),
    )
