"""Trust: an agent on probation has every draft reviewed; a supervised one lets the gate decide.

What counts is a verdict on a draft review: approve, edit or kill. A deferral says "not now",
not "bad", and an expired review was nobody's verdict, so neither counts.

- Promotion (probation -> supervised), judged after each verdict. The stretch is the verdicts
  since the last trust change and the last critical kill. By default
  (`TWOLOOP_PROMOTION_RULE=clean_week`) it rests on shadow evaluation: every draft records
  what the gate would have done were the agent trusted, and the clean week is a rolling
  window: a killed draft the gate would have sent restarts it (past the
  `TWOLOOP_TRUST_MAX_SHADOW_KILLS` such kills allowed, 0 by default), so one bad Monday costs
  a week, not the whole probation. So does a critical kill: by default of any draft; with
  `TWOLOOP_TRUST_CRITICAL_RESTARTS=would_send` only of a draft the gate would have sent
  (allowed or not), a held one being the gate working, as for demotion below. Promotion needs, in that window, at least
  `TWOLOOP_TRUST_MIN_REVIEWS` verdicts on `TWOLOOP_TRUST_MIN_DAYS` distinct working days
  (Mon-Fri in the agent's time zone) and at least `TWOLOOP_TRUST_MIN_SHADOW_SENDS` of those
  drafts ones the gate would have sent on its own: what would go out unreviewed is what the
  AM approved. `kill_rate` is the older rule, over the stretch: enough verdicts on enough UTC
  days and a kill rate of at most `TWOLOOP_TRUST_MAX_KILL_RATE`. Under both, what the
  demotion rule measures must not be over its rate (so a promotion is never undone by the
  next click).
- Demotion (supervised -> probation) judges what the gate lets through, not what it doubted:
  once supervised, the drafts a person sees are mostly the ones the gate held, and killing
  those is the gate working. So a supervised agent is demoted by a critical kill (current
  customer, factual error, wrong account) of a draft the gate would have sent (an audit
  sample), or when more than `TWOLOOP_TRUST_DEMOTE_KILL_RATE` of its last
  `TWOLOOP_TRUST_WINDOW` verdicts on such drafts were kills (judged once there are that many).
  Under `kill_rate` the older rule holds: any critical kill, or that rate over the last
  `TWOLOOP_TRUST_WINDOW` verdicts of any draft.
- An operator can set either level by hand (`/twoloop trust`). A manual demotion holds: the
  rules never promote the agent again until a person does. A manual promotion is still
  demoted by the rules, since those protect prospects.

Every change is audited with before and after and posted to the owner's channel once the
decision's transaction commits.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.core import audits
from bot.ports import Notice, User
from bot.runtime import Runtime
from storage import audit
from storage import control as store
from storage.models import AgentState, Decision, Draft

log = logging.getLogger(__name__)

LEVELS = ("probation", "supervised")
CRITICAL = ("current_customer", "factual_error", "wrong_account")
RULES = ("", "system")  # trust_set_by values that mean "the rules set this", not a person
SUPERVISED_SPAN = timedelta(days=30)  # the verdicts a supervised agent's evidence covers
# Gate reasons that only say the draft was reviewed because the agent is not trusted yet.
NOT_THE_DRAFT = ("probation", "audit_sample")


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
    gate_only = st.promotion_rule == "clean_week"  # judge only what the gate would send
    draft = s.get(Draft, d.draft_id) if gate_only else None
    would_send = draft is not None and draft.shadow == "send"
    if d.action == "kill" and d.reason_code in CRITICAL and (would_send or not gate_only):
        why = f"critical kill ({d.reason_code.replace('_', ' ')}) of draft {d.draft_id}" + (
            ", which the gate would have sent" if gate_only else ""
        )
        return Change(state.agent_id, "supervised", "probation", why, "system", {"kill": d.id})
    recent = _recent(rt, s, state.agent_id)
    if len(recent) < st.trust_window:
        return None
    kills = sum(1 for action, _ in recent if action == "kill")
    rate = kills / len(recent)
    if rate <= st.trust_demote_kill_rate:
        return None
    drafts = "drafts the gate would have sent" if gate_only else "drafts"
    why = (
        f"{kills} of the last {len(recent)} {drafts} killed "
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


def audit_rate(
    s: Session, agent_id: str, configured: float, *, fixed: bool = False
) -> audits.AuditRate:
    """The share of the agent's clear drafts a tick picks for a random audit
    (bot/core/audits.py): reduced while its recent would-send drafts were never killed,
    unless `fixed` (an operator set the rate: `/twoloop status` shows what they set)."""
    if fixed:
        return audits.audit_rate(configured, [])
    newest = store.recent_would_send_verdicts(s, agent_id, audits.REDUCE_AFTER)
    return audits.audit_rate(configured, [action for action, _ in newest])


def _recent(rt: Runtime, s: Session, agent_id: str) -> list[tuple[str, str]]:
    """The last `TWOLOOP_TRUST_WINDOW` verdicts the demotion rate is measured over: on drafts
    the gate would have sent (clean week), or on any draft (kill_rate)."""
    n = rt.settings.trust_window
    if rt.settings.promotion_rule == "clean_week":
        return store.recent_would_send_verdicts(s, agent_id, n)
    return store.recent_verdicts(s, agent_id, n)


def _promotion(rt: Runtime, s: Session, state: AgentState) -> Change | None:
    if state.trust_set_by not in RULES:
        return None  # an operator put it on probation: only a person promotes it
    ev = evidence(rt, s, state)
    if ev.missing or ev.blocked:
        return None
    detail = {
        "rule": rt.settings.promotion_rule,
        "reviews": ev.reviews,
        "days": ev.days,
        "working_days": ev.working_days,
        "kills": ev.kills,
        "shadow_sends": ev.shadow_sends,
        "shadow_kills": ev.shadow_kills,
        "since": ev.since.isoformat() if ev.since else None,
    }
    if rt.settings.promotion_rule == "kill_rate":
        why = (
            f"{ev.reviews} reviewed drafts over {ev.days} days, {ev.kill_rate:.0%} killed, "
            "no critical kill"
        )
    else:
        why = (
            f"{ev.reviews} reviewed drafts over {ev.working_days} working days; the gate would "
            f"have sent {ev.shadow_sends} of them on its own ({ev.send_share:.0%}) and "
            f"{ev.shadow_kills} of those were killed"
        )
    return Change(state.agent_id, "probation", "supervised", why, "system", detail)


def stretch_start(s: Session, state: AgentState) -> datetime | None:
    """Where the stretch starts: after the last trust change and the last critical kill,
    whichever is later (None: from the first verdict)."""
    starts = (state.trust_changed_at, store.last_critical_kill(s, state.agent_id, CRITICAL))
    return max((t for t in starts if t is not None), default=None)


def stretch(s: Session, state: AgentState) -> store.Tally:
    """The stretch's verdicts, aggregated (what the kill_rate rule counts)."""
    return store.tally_since(s, state.agent_id, stretch_start(s, state), CRITICAL)


def window_start(rt: Runtime, s: Session, state: AgentState) -> tuple[datetime | None, str]:
    """Where the verdicts that count toward promotion start, and what restarted them there
    ("" for the trust change or the first verdict). The clean week also restarts at a killed
    draft the gate would have sent, past the `TWOLOOP_TRUST_MAX_SHADOW_KILLS` allowed."""
    clean_week = rt.settings.promotion_rule == "clean_week"
    # By default any critical kill restarts it; an operator may count only those of drafts
    # the gate would have sent (a held one is then the gate working, as for demotion), which
    # restart the week whatever the allowance of other kills.
    critical = (
        store.would_send_critical_kill_at(s, state.agent_id, CRITICAL)
        if clean_week and rt.settings.trust_critical_restarts == "would_send"
        else store.last_critical_kill(s, state.agent_id, CRITICAL)
    )
    starts = [(state.trust_changed_at, ""), (critical, "critical")]
    if clean_week:
        skip = rt.settings.trust_max_shadow_kills
        starts.append((store.would_send_kill_at(s, state.agent_id, skip), "would_send"))
    # Latest first; on a tie the trust change wins (a demotion by a kill is timed with it),
    # then a would-send kill (the clean week's own rule) over a critical one.
    order = {"": 0, "would_send": 1, "critical": 2}
    found = sorted(((t, why) for t, why in starts if t is not None), key=lambda x: order[x[1]])
    return max(found, key=lambda x: x[0], default=(None, ""))


@dataclass(frozen=True)
class Evidence:
    """Shadow evaluation over a span of draft verdicts: how often the gate would have sent
    on its own, how the AM judged those drafts and, on probation, what promotion still needs.
    """

    since: datetime | None  # the span starts after this (None: from the first verdict)
    reviews: int = 0
    kills: int = 0
    critical: int = 0
    days: int = 0  # distinct UTC days with a verdict (what the kill_rate rule counts)
    working_days: int = 0  # distinct Mon-Fri days with a verdict, in the agent's time zone
    shadow_sends: int = 0  # reviewed drafts the gate would have sent were the agent trusted
    shadow_kills: int = 0  # ... of those, killed
    shadow_kill_reasons: tuple[tuple[str, int], ...] = ()  # their kill reasons, commonest first
    # Why the gate would still have asked for a review (with `reasons`), commonest first:
    # (what, how many drafts).
    review_reasons: tuple[tuple[str, int], ...] = ()
    # The last TWOLOOP_TRUST_WINDOW verdicts (or fewer) the demotion rate is measured over
    # (clean week: on drafts the gate would have sent) ...
    recent: int = 0
    recent_kills: int = 0  # ... and how many of them were kills
    missing: tuple[str, ...] = ()  # what promotion still needs, each to follow "needs "
    blocked: str = ""  # what blocks promotion for the rest of this stretch, in words
    # On probation, why the window starts after the trust change, in words, e.g. "a would-send
    # draft was killed on 2026-11-04: the clean week restarts from then" ("" when it does not).
    restart: str = ""

    @property
    def send_share(self) -> float:
        return self.shadow_sends / self.reviews if self.reviews else 0.0

    @property
    def kill_rate(self) -> float:
        return self.kills / self.reviews if self.reviews else 0.0

    @property
    def promotable(self) -> bool:
        return not self.missing and not self.blocked


def evidence(rt: Runtime, s: Session, state: AgentState, *, reasons: bool = False) -> Evidence:
    """An agent on probation: over its stretch, with what promotion still needs. A supervised
    one: over its last 30 days of verdicts. `reasons` also counts why the gate would still
    have reviewed the drafts it would not have sent."""
    zone = ZoneInfo(_timezone(rt, state.agent_id))
    if state.trust == "supervised":
        return _count(s, state.agent_id, rt.now() - SUPERVISED_SPAN, zone, reasons)
    since, why = window_start(rt, s, state)
    ev = _count(s, state.agent_id, since, zone, reasons)
    recent = _recent(rt, s, state.agent_id)
    ev = replace(
        ev,
        recent=len(recent),
        recent_kills=sum(1 for a, _ in recent if a == "kill"),
        restart=_restart_text(rt, why, since.astimezone(zone)) if since and why else "",
    )
    missing, blocked = _needs(rt, ev)
    return replace(ev, missing=missing, blocked=blocked)


def probation_evidence(rt: Runtime, s: Session, state: AgentState) -> Evidence:
    """Shadow evaluation since the last trust change, the kills that restarted the window
    included: what status and the no-path flag show once a kill restarted it."""
    zone = ZoneInfo(_timezone(rt, state.agent_id))
    return _count(s, state.agent_id, state.trust_changed_at, zone, False)


def _restart_text(rt: Runtime, why: str, at: datetime) -> str:
    again = "the clean week" if rt.settings.promotion_rule == "clean_week" else "the count"
    if why == "critical":
        held_too = rt.settings.trust_critical_restarts == "any"
        which = (
            "a draft"
            if held_too or rt.settings.promotion_rule != "clean_week"
            else ("a would-send draft")
        )
        what = f"{which} was killed for a critical reason on {at:%Y-%m-%d}"
    else:
        allowed = rt.settings.trust_max_shadow_kills
        what = f"a would-send draft was killed on {at:%Y-%m-%d}" + (
            f" and {allowed} more since (the rule allows {allowed})" if allowed else ""
        )
    return f"{what}: {again} restarts from then"


def _timezone(rt: Runtime, agent_id: str) -> str:
    agent = rt.fleet().agents.get(agent_id)
    return agent.spec.timezone if agent is not None else rt.settings.timezone


def _count(
    s: Session, agent_id: str, since: datetime | None, zone: ZoneInfo, reasons: bool
) -> Evidence:
    """Aggregated in the database (every click on probation pays for this), so the cost grows
    with the kinds of verdict and the days, not with the verdicts."""
    reviews = kills = critical = sends = shadow_kills = 0
    kill_reasons: Counter[str] = Counter()
    for action, reason_code, shadow, n in store.shadow_counts(s, agent_id, since):
        killed = action == "kill"
        reviews += n
        kills += n if killed else 0
        critical += n if killed and reason_code in CRITICAL else 0
        if shadow == "send":
            sends += n
            if killed:
                shadow_kills += n
                kill_reasons[reason_code or "no reason"] += n
    days = store.verdict_days(s, agent_id, since)
    local = {t.astimezone(zone).date() for pair in days for t in pair}
    why: Counter[str] = Counter()
    if reasons:
        for gate_reasons in store.review_reasons(s, agent_id, since):
            why.update(
                {
                    _label(r.get("code", ""), r.get("text", ""))
                    for r in gate_reasons
                    if r.get("code") not in NOT_THE_DRAFT
                }
            )
    return Evidence(
        since=since,
        reviews=reviews,
        kills=kills,
        critical=critical,
        days=len(days),
        working_days=sum(1 for d in local if d.weekday() < 5),
        shadow_sends=sends,
        shadow_kills=shadow_kills,
        shadow_kill_reasons=tuple(kill_reasons.most_common()),
        review_reasons=tuple(why.most_common()),
    )


_THRESHOLD = re.compile(r"threshold (\d+(?:\.\d+)?)")
_LABELS = {
    "second_check": "second check below",
    "personalization": "personalization above",
    "low_confidence": "confidence below",
    "relationship": "a relationship flag",
    "untrusted_signal": "a signal that reads like instructions",
    "ungrounded": "a fact missing for the play",
    "writer": "a problem the writer reported",
    "content": "text that cannot be sent as is",
    "unfamiliar": "a draft unlike what its AM has sent",
}


def _label(code: str, text: str) -> str:
    """A gate reason as the no-path flag names it: the threshold it crossed, not the score."""
    if code == "second_check" and text.startswith("no second check"):
        return "no second check yet"
    label = _LABELS.get(code, code.replace("_", " "))
    found = _THRESHOLD.search(text)
    if label.endswith((" below", " above")):
        return f"{label} {found.group(1)}" if found else f"{label} its threshold"
    return label


def _more(n: int, what: str, whats: str) -> str:
    return f"{n} more {what if n == 1 else whats}"


def _needs(rt: Runtime, ev: Evidence) -> tuple[tuple[str, ...], str]:
    st = rt.settings
    missing = []
    blocked = ""
    if ev.reviews < st.trust_min_reviews:
        missing.append(
            _more(st.trust_min_reviews - ev.reviews, "reviewed draft", "reviewed drafts")
        )
    if st.promotion_rule == "kill_rate":
        if ev.days < st.trust_min_days:
            missing.append(_more(st.trust_min_days - ev.days, "day", "days") + " with verdicts")
        if ev.kill_rate > st.trust_max_kill_rate:
            missing.append(f"at most {st.trust_max_kill_rate:.0%} killed (now {ev.kill_rate:.0%})")
        if ev.critical:
            blocked = f"{ev.critical} critical kills"
    else:
        if ev.working_days < st.trust_min_days:
            missing.append(
                _more(st.trust_min_days - ev.working_days, "working day", "working days")
            )
        if ev.shadow_sends < st.trust_min_shadow_sends:
            missing.append(
                _more(
                    st.trust_min_shadow_sends - ev.shadow_sends,
                    "draft the gate would send",
                    "drafts the gate would send",
                )
            )
        # No kill check: a kill past the allowance restarts the window (`window_start`).
    if ev.recent and ev.recent_kills / ev.recent > st.trust_demote_kill_rate:
        which = "verdicts on would-send drafts" if st.promotion_rule == "clean_week" else "verdicts"
        missing.append(
            f"at most {st.trust_demote_kill_rate:.0%} of its last {ev.recent} {which} killed "
            f"(now {ev.recent_kills})"
        )
    return tuple(missing), blocked


def shadow_kills_text(ev: Evidence) -> str:
    """E.g. "4 of 31 drafts it would have sent were killed (wrong account 3, off brand 1)"."""
    why = ", ".join(f"{code.replace('_', ' ')} {n}" for code, n in ev.shadow_kill_reasons)
    verb = "was" if ev.shadow_kills == 1 else "were"
    return f"{ev.shadow_kills} of {ev.shadow_sends} drafts it would have sent {verb} killed" + (
        f" ({why})" if why else ""
    )


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
