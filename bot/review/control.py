"""Operator controls: pause, resume, live threshold overrides and manual trust.

Changes take effect at once (the next tick and the next gate read them), persist in the
database, win over the agent's file until set back to `default`, and are audited with before
and after. Only operators (TWOLOOP_OPERATORS) may change anything; a refused attempt is audited.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from bot.config.agents import Agent, AgentSpec
from bot.ports import Notice, Tone, User
from bot.review import trust
from bot.runtime import Runtime
from storage import audit, prospects
from storage import control as store
from storage.models import AgentState

GUARD = ("", "guard")  # paused_by values of a deliverability-guard pause


@dataclass(frozen=True)
class Knob:
    """One setting an operator may override: how to parse it and where the file keeps it."""

    name: str
    kind: type
    lo: float
    hi: float | None
    read: Callable[[AgentSpec], float | int]
    write: Callable[[AgentSpec, float | int], AgentSpec]

    def parse(self, raw: str) -> float | int:
        """The value, or ValueError with a message an operator can act on."""
        bounds = f"from {self.lo:g} to {self.hi:g}" if self.hi is not None else f">= {self.lo:g}"
        what = "a number" if self.kind is float else "a whole number"
        try:
            value = self.kind(raw)
        except ValueError:
            value = None
        too_big = self.hi is not None and value is not None and value > self.hi
        if value is None or value != value or value < self.lo or too_big:
            raise ValueError(f"{self.name} must be {what} {bounds} (or `default`), not {raw!r}")
        return value


def _thresholds(spec: AgentSpec, **kw: float) -> AgentSpec:
    return spec.model_copy(update={"thresholds": spec.thresholds.model_copy(update=kw)})


KNOBS: dict[str, Knob] = {
    k.name: k
    for k in (
        Knob(
            "personalization",
            float,
            0,
            1,
            lambda s: s.thresholds.personalization,
            lambda s, v: _thresholds(s, personalization=v),
        ),
        Knob(
            "confidence",
            float,
            0,
            1,
            lambda s: s.thresholds.confidence,
            lambda s, v: _thresholds(s, confidence=v),
        ),
        Knob(
            "second_check",
            float,
            0,
            1,
            lambda s: s.thresholds.second_check,
            lambda s, v: _thresholds(s, second_check=v),
        ),
        Knob(
            "predicted_kill",
            float,
            0,
            1,
            lambda s: s.thresholds.predicted_kill,
            lambda s, v: _thresholds(s, predicted_kill=v),
        ),
        Knob(
            "audit_rate",
            float,
            0,
            1,
            lambda s: s.audit_rate,
            lambda s, v: s.model_copy(update={"audit_rate": v}),
        ),
        Knob(
            "daily_cap",
            int,
            0,
            None,
            lambda s: s.daily_cap,
            lambda s, v: s.model_copy(update={"daily_cap": v}),
        ),
    )
}


def effective(agent: Agent, overrides: dict | None) -> Agent:
    """The agent as the loop and the gate must see it: database overrides win over the file."""
    spec = agent.spec
    for name, value in (overrides or {}).items():
        if name in KNOBS:
            spec = KNOBS[name].write(spec, value)
    return agent if spec is agent.spec else replace(agent, spec=spec)


@dataclass(frozen=True)
class Setting:
    name: str
    value: float | int
    file: float | int
    overridden: bool


def settings_of(agent: Agent, overrides: dict | None) -> list[Setting]:
    overrides = overrides or {}
    return [
        Setting(
            k.name,
            overrides.get(k.name, k.read(agent.spec)),
            k.read(agent.spec),
            k.name in overrides,
        )
        for k in KNOBS.values()
    ]


@dataclass
class Done:
    """What to answer the operator, and notices for other channels (posted after the ack)."""

    answer: Notice
    notes: list[tuple[str, Notice]] = field(default_factory=list)


def answer(
    *parts: str | User, tone: Tone = "info", notes: list[tuple[str, Notice]] | None = None
) -> Done:
    return Done(Notice.of(*parts, tone=tone), notes or [])


class Refused(Exception):
    """The command cannot be carried out as asked; the notice says why and what to do."""

    def __init__(self, *parts: str | User):
        self.notice = Notice.of(*parts)
        super().__init__(self.notice.plain())


def find_agent(rt: Runtime, name: str) -> Agent:
    agents = rt.fleet().agents
    if name in agents:
        return agents[name]
    by_lower = {a.lower(): a for a in agents}
    if name.lower() in by_lower:
        return agents[by_lower[name.lower()]]
    close = difflib.get_close_matches(name.lower(), list(by_lower), n=3, cutoff=0.5)
    hint = (
        f" Did you mean {', '.join(f'`{by_lower[c]}`' for c in close)}?"
        if close
        else f" Agents: {', '.join(f'`{a}`' for a in sorted(agents)) or 'none'}."
    )
    raise Refused(f"No agent named `{name}`.{hint}")


def require_operator(rt: Runtime, actor: str, verb: str, text: str) -> None:
    """Refuse (and audit the attempt) unless `actor` is an operator."""
    if rt.is_operator(actor):
        return
    agent_id = text.split()[1] if len(text.split()) > 1 else ""
    with rt.db.session() as s:
        audit.record(
            s,
            f"user:{actor}",
            "command.refused",
            f"command:{verb}",
            {"text": text},
            agent_id=agent_id if agent_id in rt.fleet().agents else "",
        )
    ops: list[str | User] = []
    for user in sorted(rt.settings.operators):
        ops += [", ", User(user)] if ops else [User(user)]
    raise Refused(
        f"Only operators can `{verb}`. Operators: ",
        *(ops or ["nobody (set TWOLOOP_OPERATORS)"]),
        ". You can use `status`, `queue` and `digest`.",
    )


def _pause_state(state: AgentState) -> dict[str, Any]:
    return {"paused": state.paused, "reason": state.paused_reason, "by": state.paused_by}


def pause(rt: Runtime, actor: str, target: str, reason: str) -> Done:
    reason = reason.strip() or "paused by an operator"
    agents = (
        list(rt.fleet().agents.values()) if target.lower() == "all" else [find_agent(rt, target)]
    )
    paused, already = [], []
    with rt.db.session() as s:
        for agent in agents:
            state = store.locked_state(s, agent.id)
            if state.paused:
                already.append(agent)
                continue
            before = _pause_state(state)
            prospects.set_agent_paused(s, agent.id, True, reason, by=actor)
            s.refresh(state)
            audit.record(
                s,
                f"user:{actor}",
                "agent.paused",
                f"agent:{agent.id}",
                {"before": before, "after": _pause_state(state)},
                agent_id=agent.id,
            )
            paused.append(agent)
    notes = [
        (
            a.spec.channel,
            Notice.of(
                User(a.spec.owner),
                f" {a.spec.name} was paused by ",
                User(actor),
                f": {reason}. It drafts and sends nothing until an operator resumes it.",
                agent_id=a.id,
            ),
        )
        for a in paused
    ]
    if len(agents) == 1:
        a = agents[0]
        if already:
            return answer(f"`{a.id}` is already paused. `/twoloop status {a.id}` says why.")
        return answer(
            f"Paused `{a.id}`: {reason}. Nothing is drafted or sent until "
            f"`/twoloop resume {a.id}`.",
            tone="paused",
            notes=notes,
        )
    extra = f" ({len(already)} already paused)" if already else ""
    return answer(f"Paused {len(paused)} agents{extra}: {reason}.", tone="paused", notes=notes)


def resume(rt: Runtime, actor: str, target: str) -> Done:
    """Resume one agent (a guard pause too, said so and audited) or, with `all`, every agent
    an operator paused; guard pauses are left for a person to look at one by one."""
    every = target.lower() == "all"
    agents = list(rt.fleet().agents.values()) if every else [find_agent(rt, target)]
    resumed, guarded = [], []
    with rt.db.session() as s:
        for agent in agents:
            state = store.locked_state(s, agent.id)
            if not state.paused:
                continue
            guard = state.paused_by in GUARD
            if guard and every:
                guarded.append((agent, state.paused_reason))
                continue
            before = _pause_state(state)
            prospects.set_agent_paused(s, agent.id, False)
            s.refresh(state)
            detail: dict[str, Any] = {"before": before, "after": _pause_state(state)}
            if guard:
                detail["cleared_guard_pause"] = True
            audit.record(
                s, f"user:{actor}", "agent.resumed", f"agent:{agent.id}", detail, agent_id=agent.id
            )
            resumed.append((agent, guard, before["reason"]))
    notes = [
        (
            a.spec.channel,
            Notice.of(
                User(a.spec.owner),
                f" {a.spec.name} was resumed by ",
                User(actor),
                ".",
                agent_id=a.id,
            ),
        )
        for a, _, _ in resumed
    ]
    if not every:
        a = agents[0]
        if not resumed:
            return answer(f"`{a.id}` is not paused.")
        _, guard, why = resumed[0]
        text = f"Resumed `{a.id}`; it drafts again at its next tick."
        if guard:
            text += (
                f" It had been paused by the deliverability guard ({why}); if the rates"
                " stay over the limit, the guard pauses it again."
            )
        return answer(text, tone="resumed", notes=notes)
    text = f"Resumed {len(resumed)} agents."
    if guarded:
        listed = "; ".join(f"`{a.id}` ({why})" for a, why in guarded)
        text += f" Left paused by the deliverability guard (resume each by name): {listed}."
    return answer(text, tone="resumed", notes=notes)


def set_value(rt: Runtime, actor: str, target: str, name: str, raw: str) -> Done:
    agent = find_agent(rt, target)
    knob = KNOBS.get(name.lower())
    if knob is None:
        raise Refused(f"Cannot set `{name}`; settable: {', '.join(KNOBS)}.")
    reset = raw.lower() == "default"
    try:
        value = None if reset else knob.parse(raw)
    except ValueError as exc:
        raise Refused(str(exc)) from None
    file_value = knob.read(agent.spec)
    with rt.db.session() as s:
        state = store.locked_state(s, agent.id)
        overrides = dict(state.overrides or {})
        before = overrides.get(knob.name)
        if before == value:
            now = "the file's" if value is None else "overridden to"
            shown = file_value if value is None else value
            return answer(f"`{agent.id}` {knob.name} is already {now} {shown:g}; nothing changed.")
        if value is None:
            overrides.pop(knob.name, None)
        else:
            overrides[knob.name] = value
        store.save(s, state, overrides=overrides)
        audit.record(
            s,
            f"user:{actor}",
            "agent.set",
            f"agent:{agent.id}",
            {
                "setting": knob.name,
                "before": file_value if before is None else before,
                "after": file_value if value is None else value,
                "override_before": before,
                "override_after": value,
                "file": file_value,
            },
            agent.config_version,
            agent_id=agent.id,
        )
    if value is None:
        return answer(
            f"`{agent.id}` {knob.name} is back to the file's {file_value:g} "
            f"(the override was {before:g})."
        )
    was = f"override {before:g}, file {file_value:g}" if before is not None else "file"
    return answer(
        f"`{agent.id}` {knob.name}: {before if before is not None else file_value:g} → "
        f"*{value:g}* (was: {was}). It applies from the next tick; "
        f"`/twoloop set {agent.id} {knob.name} default` goes back to the file."
    )


def set_trust(rt: Runtime, actor: str, target: str, level: str, reason: str) -> Done:
    agent = find_agent(rt, target)
    level = level.lower()
    if level not in trust.LEVELS:
        raise Refused(f"Trust is `probation` or `supervised`, not `{level}`.")
    with rt.db.session() as s:
        change = trust.set_by_operator(rt, s, actor, agent.id, level, reason.strip())
    if change is None:
        return answer(f"`{agent.id}` is already {level}, set by you.")
    if change.before == change.after:
        hold = " The rules will not promote it; only a person can." if level == "probation" else ""
        return answer(f"`{agent.id}` stays {level}, now held by hand.{hold}")
    notes = [(agent.spec.channel, trust.owner_notice(change, agent.spec.owner, agent.spec.name))]
    if level == "probation":
        tail = " Every draft is reviewed; the rules will not promote it until a person does."
    else:
        tail = " The gate decides; a critical kill or a rising kill rate still demotes it."
    return answer(f"`{agent.id}`: {change.before} → *{level}*.{tail}", notes=notes)
