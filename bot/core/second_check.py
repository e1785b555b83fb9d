"""The second check: a calibrated model of "the AM would approve this draft as is".

The writer rates its own draft (confidence); this is the other opinion, learned from the
clicks of the people who decide. It reads only what the gate sees of a draft and its match
(`features`), and scores with plain stored coefficients (`score`), so scoring needs no
library and every replica reads the same model. Training lives in bot/review/second_check.py.

Pooling: an agent with few verdicts of its own borrows its AM's and the fleet's. Every base
feature f also appears as `am=U|f` and `agent=A|f` (hierarchical feature augmentation,
Daumé III, "Frustratingly Easy Domain Adaptation", ACL 2007). Under L2 regularisation a
group's own copy stays near zero until its own evidence pays for moving it, so the shared
weights speak for a new agent and its own take over as its decisions add up.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

SEP = "|"  # between a group and a base feature: "agent=a1|industry=fintech"
BIAS = "bias"  # constant 1: gives each AM and agent an approval rate of its own
LABELS = {"approve": 1, "edit": 0, "kill": 0}  # "approved as is"; defers are no verdict
KILLS = {"approve": 0, "edit": 0, "kill": 1}  # "killed": an edited draft still went out


@dataclass(frozen=True)
class Check:
    p: float | None  # probability the AM approves as is; None: no trained check applies
    decisions: int
    basis: str  # e.g. "from 212 decisions (38 of this agent's, 120 of its AM's)"
    # Probability the AM kills it; None until a kill model has beaten the kill rate alone on
    # the newest verdicts (bot/review/second_check.py), so an untested one never skips.
    p_kill: float | None = None
    # Where the draft goes past what its AM has sent (`unfamiliar`): a model extrapolates
    # there, so the gate asks the AM instead of trusting it.
    unfamiliar: tuple[str, ...] = ()


@dataclass(frozen=True)
class Current:
    """The model a tick scores with, or why there is none yet."""

    model: dict | None = None
    so_far: int = 0  # verdicts so far, when there is no model
    needs: int = 30

    def check(self, x: dict[str, float], agent_id: str, am: str) -> Check:
        if self.model is None:
            return Check(None, self.so_far, f"{self.so_far} decisions so far, needs {self.needs}")
        return score(self.model, x, agent_id, am)

    def title_lean(self, title: str, agent_id: str, am: str) -> float:
        """How this AM's verdicts lean on drafts to this title: what they did with them, once
        there are TITLE_MIN_VERDICTS; until then the model's title weights."""
        remembered = title_memory(self.model, title, am)
        if remembered is not None:
            return remembered
        return lean(self.model, title_features(title), agent_id, am)


# The parts of a draft an AM judges the target by (the industry, the reason the match leads
# with, the kinds of signal): a draft with a value none of their sent drafts had is one the
# model has no evidence on for them, whatever the fleet's weights say.
FAMILIAR = ("industry=", "lead=", "signal=")
_FAMILIAR_NAMES = {"industry": "industry", "lead": "match led by", "signal": "signal"}
AGE = "signal_age_days/30"
AGE_STEPS = tuple(range(3, 63, 3))  # days: a week's resolution would blur a 33-day cliff
SHARE_STEPS = tuple(round(0.05 * n, 2) for n in range(1, 20))  # for numbers in 0..1
KILL_MIN_AM_VERDICTS = 20  # an AM's own verdicts before their predicted kills skip drafts
TITLE_MIN_VERDICTS = 8  # an AM's verdicts on drafts to a title before they speak for it
TITLE_PRIOR = 4.0  # pseudo-verdicts at the AM's overall rate a title's count starts from


def label(action: str) -> int | None:
    """1 if approved as is, 0 if edited or killed (any reason), None for no verdict."""
    return LABELS.get(action)


def kill_label(action: str) -> int | None:
    """1 if killed, 0 if sent (as is or edited), None for no verdict."""
    return KILLS.get(action)


def edit_size(before: str, after: str) -> float:
    """Share of the words an edit changed: 0 untouched, 1 rewritten."""
    return 1.0 - difflib.SequenceMatcher(None, before.split(), after.split()).ratio()


def edit_history(verdicts: Iterable[tuple[str, str, str]]) -> tuple[float, float]:
    """(share of the verdicts that were edits, their mean edit size) from (action, before
    body, after body) of an agent's recent verdicts."""
    rows = [v for v in verdicts if label(v[0]) is not None]
    edits = [edit_size(before, after) for action, before, after in rows if action == "edit"]
    if not rows:
        return 0.0, 0.0
    size = sum(edits) / len(edits) if edits else 0.0
    return round(len(edits) / len(rows), 4), round(size, 4)


def features(
    *,
    match: dict,
    signals: Iterable[tuple[str, datetime]],
    now: datetime,
    play_id: str,
    capability: str,
    personalization: float,
    body: str,
    confidence: float,
    industry: str,
    country: str,
    employees: int,
    customer_status: str,
    title: str = "",
    edits: tuple[float, float] = (0.0, 0.0),
) -> dict[str, float]:
    """What the gate sees of a draft, as numbers: one-hot for kinds and ids, scaled numbers
    (about 0..3) so one L2 penalty suits them all. `match` is the draft's stored match
    (bot/agent/loop.py `_match_json`); `signals` are (kind, observed at)."""
    x: dict[str, float] = {BIAS: 1.0}
    for n, path in enumerate(match.get("paths", [])):
        for st in path.get("steps", []):
            if str(st.get("src", "")).startswith("account:"):
                x[f"rel={st['rel']}"] = 1.0
                x[f"rel>dst={st['rel']}>{st['dst']}"] = 1.0
                if n == 0:
                    # The reason the card leads with, which the AM judges the match by.
                    x[f"lead={st['rel']}>{st['dst']}"] = 1.0
    newest: datetime | None = None
    for kind, at in signals:
        x[f"signal={kind}"] = 1.0
        newest = at if newest is None or at > newest else newest
    if newest is not None:
        age = max(0.0, (now - newest).total_seconds()) / 86400
        x["signal_age_days/30"] = round(age / 30, 4)
        x.update(steps("signal_age", age, AGE_STEPS, "d"))
    x[f"play={play_id}"] = 1.0
    if capability:
        x[f"capability={capability}"] = 1.0
    x["personalization"] = round(personalization, 4)
    x.update(steps("personalization", personalization, SHARE_STEPS))
    x["words/100"] = round(len(body.split()) / 100, 4)
    x["confidence"] = round(confidence, 4)
    x.update(steps("confidence", confidence, SHARE_STEPS))
    x["match_score"] = round(float(match.get("score", 0.0)), 4)
    x.update(steps("match_score", float(match.get("score", 0.0)), SHARE_STEPS))
    x[f"industry={industry or '?'}"] = 1.0
    x[f"country={country or '?'}"] = 1.0
    x["log10_employees"] = round(math.log10(1 + max(0, employees)), 4)
    x[f"customer={customer_status or '?'}"] = 1.0
    # Whom it is addressed to: AMs write differently to a CTO than to a head of data.
    x.update(title_features(title))
    x["edit_share"], x["edit_size"] = edits
    return x


def steps(name: str, value: float, cuts: Iterable[float], unit: str = "") -> dict[str, float]:
    """Thermometer coding: one feature per cut the value reaches. Taste is a cliff, not a
    slope ("older than a month is stale news", "too generic to send"): a step at every cut
    lets a linear model put the cliff where this AM's verdicts do, at the cuts' resolution."""
    return {f"{name}>={cut:g}{unit}": 1.0 for cut in cuts if value >= cut}


def title_features(title: str) -> dict[str, float]:
    words = re.findall(r"[a-z0-9]+", title.lower())
    x = {f"title={' '.join(words) or '?'}": 1.0}
    for word in words:
        x[f"title_word={word}"] = 1.0
    return x


def title_key(x: dict[str, float]) -> str | None:
    """The whole-title feature of a draft's features ("title=vp data")."""
    return next((f for f in x if f.startswith("title=")), None)


def title_counts(rows: Iterable[tuple[str, dict[str, float], int]]) -> dict:
    """Per AM, [approved as is, verdicts] in all and per contact title, from (am, features,
    label) of the verdicts trained on: what `title_memory` reads."""
    out: dict[str, dict] = {}
    for am, x, y in rows:
        mine = out.setdefault(am, {"all": [0, 0], "titles": {}})
        mine["all"][0] += y
        mine["all"][1] += 1
        key = title_key(x)
        if key is not None:
            pair = mine["titles"].setdefault(key, [0, 0])
            pair[0] += y
            pair[1] += 1
    return out


def title_memory(model: dict | None, title: str, am: str) -> float | None:
    """The log-odds of "approved as is" this AM's drafts to this title showed against all
    their drafts, smoothed toward none (TITLE_PRIOR verdicts at their overall rate); None
    under TITLE_MIN_VERDICTS. Counts over the verdicts trained on (the newest 20,000), not
    a regularised weight: once an AM has rewritten thirty drafts to CTOs the lean stays
    while fewer such drafts reach them (a weight re-fitted on fewer examples shrinks, and
    the drafts come back); it fades only as those verdicts leave the training window."""
    mine = ((model or {}).get("titles") or {}).get(am)
    if not mine:
        return None
    pair = mine["titles"].get(title_key(title_features(title)) or "")
    if pair is None or pair[1] < TITLE_MIN_VERDICTS:
        return None
    approved, total = mine["all"]
    overall = (approved + 1) / (total + 2)
    p = (pair[0] + TITLE_PRIOR * overall) / (pair[1] + TITLE_PRIOR)
    return _logit(p) - _logit(overall)


def _logit(p: float) -> float:
    return math.log(p / (1 - p))


def lean(model: dict | None, x: dict[str, float], agent_id: str, am: str) -> float:
    """The log-odds of "approved as is" that these features add for this agent and AM: how
    a part of a draft (whom it is addressed to, say) moves the AM's verdict, all else equal."""
    return _weighted(model, augment(x, agent_id, am)) if model else 0.0


def augment(x: dict[str, float], agent_id: str, am: str) -> dict[str, float]:
    """Each feature three times: the fleet's, this AM's and this agent's copy."""
    out = dict(x)
    for group in (f"am={am}" if am else "", f"agent={agent_id}" if agent_id else ""):
        if group:
            out.update({f"{group}{SEP}{f}": v for f, v in x.items()})
    return out


def sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def score(model: dict, x: dict[str, float], agent_id: str, am: str) -> Check:
    """sigmoid(intercept + sum of weight * value) over the augmented features, for "approved
    as is" and, when the model has one, for "killed"."""
    seen = augment(x, agent_id, am)
    counts = model.get("counts", {})
    total = int(model.get("decisions", 0))
    own = int(counts.get("agents", {}).get(agent_id, 0))
    theirs = int(counts.get("ams", {}).get(am, 0))
    # A kill stop keeps drafts from an AM altogether, so it waits for their own verdicts: a
    # new AM is not held to the fleet's idea of a kill. One predicted on what none of their
    # verdicts covered is still the fleet's lean; the predicted kills' random audit, at the
    # full rate, shows some to the AM, so the lean meets their own verdicts. (Reviewing them
    # all instead cost one simulated month's fourth week 2.6 minutes a day, seed 7.)
    kill = model.get("kill") if theirs >= KILL_MIN_AM_VERDICTS else None
    return Check(
        _linear(model, seen),
        total,
        basis(total, own, theirs),
        _linear(kill, seen) if kill else None,
        unfamiliar(model, x, am),
    )


def envelope(rows: Iterable[tuple[str, dict[str, float], str]]) -> dict:
    """Per AM, what the drafts they sent (approved or edited) covered: the oldest signal
    and every FAMILIAR value; from (am, features, action) of the verdicts trained on."""
    out: dict[str, dict] = {}
    for am, x, action in rows:
        if action not in ("approve", "edit"):
            continue
        mine = out.setdefault(am, {"age": 0.0, "values": set()})
        mine["age"] = max(mine["age"], float(x.get(AGE, 0.0)))
        mine["values"].update(f for f in x if f.startswith(FAMILIAR))
    return {am: {"age": v["age"], "values": sorted(v["values"])} for am, v in out.items()}


def unfamiliar(model: dict, x: dict[str, float], am: str) -> tuple[str, ...]:
    """What in this draft none of the AM's sent drafts had, in words for the card; nothing
    from a model trained before envelopes were kept."""
    if "seen" not in model:
        return ()
    mine = model["seen"].get(am)
    if mine is None:
        return ("no draft sent yet",)
    out = []
    age, oldest = float(x.get(AGE, 0.0)) * 30, float(mine["age"]) * 30
    if age > oldest:
        out.append(f"signal {age:.0f} days old (the oldest sent: {oldest:.0f})")
    known = set(mine["values"])
    for f in sorted(f for f in x if f.startswith(FAMILIAR) and f not in known):
        what, _, value = f.partition("=")
        out.append(f"{_FAMILIAR_NAMES[what]} {value} (none sent yet)")
    return tuple(out)


def _linear(model: dict, seen: dict[str, float]) -> float:
    return round(sigmoid(float(model.get("intercept", 0.0)) + _weighted(model, seen)), 4)


def _weighted(model: dict, seen: dict[str, float]) -> float:
    coef = model.get("coef", {})
    return sum(coef.get(f, 0.0) * v for f, v in seen.items())


def basis(total: int, own: int, am: int) -> str:
    plural = "s" if total != 1 else ""
    return f"from {total} decision{plural} ({own} of this agent's, {am} of its AM's)"
