"""Matching as path reasoning over typed edges, never embedding similarity.

A path runs from an account through what we know of it (roles it hires for, tech it uses,
events it signalled) to a problem that one of our capabilities solves:

    account -hiring_for-> role -indicates-> problem <-solves- capability

A path's score multiplies its edge weights by the agent's learned factor for the account's
own step (`hiring_for>role:data-engineer`, see `learned_factor`: AM decisions move it, no
feedback or nothing but approvals leaves it at 1); a capability's score combines its paths
(noisy-or), scaled by how strong and fresh the account's signals are. The top paths are the
explanation shown to the AM.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from bot.ports import MatchPath, PathStep

MAX_FORWARD_HOPS = 2
KEEP_PATHS = 3

# Learned factors (see `learned_factor`). Evidence is kept at three levels, each key
# counted once per decision: ALL (every matching verdict of the agent), the relation type
# (`hiring_for`) and the step (`hiring_for>role:data-engineer`, see `step_key`).
ALL = "*"
AGENT_PRIOR = 1.0  # the agent's rate starts from one assumed approval and no kill
RELATION_PRIOR = 8.0  # pseudo-decisions a relation type borrows from the agent's rate
STEP_PRIOR = 2.0  # pseudo-decisions a step borrows from its relation type's rate
# A step AMs reject again and again must be able to fall under min_match_score (a 0.54 path at
# 0.05 is 0.03), while one lucky streak cannot more than double a path.
FACTOR_RANGE = (0.05, 1.75)


@dataclass(frozen=True)
class Match:
    capability: str  # capability id (without the 'capability:' prefix)
    score: float
    graph_score: float
    signal_strength: float
    paths: tuple[MatchPath, ...]

    @property
    def problem(self) -> str:
        return self.paths[0].steps[-1].dst


class Graph:
    """Adjacency for one tick: knowledge edges plus the candidate accounts' edges.

    `base` is a graph built once per tick from the knowledge edges; each chunk of accounts
    lays its own edges over it instead of copying the knowledge in again."""

    def __init__(
        self,
        edges: list[tuple[str, str, str, float]],
        learned: dict[str, float],
        decisions: dict[str, int] | None = None,
        base: Graph | None = None,
    ):
        self.out: dict[str, list[tuple[str, str, float]]] = defaultdict(list)
        self.solvers: dict[str, list[tuple[str, float]]] = defaultdict(list)
        self.learned = learned  # step key or relation type -> learned factor
        self.decisions = decisions or {}  # the same keys -> decisions behind the factor
        self.base = base
        for src, rel, dst, weight in edges:
            if rel == "solves":
                self.solvers[dst].append((src, weight))
            else:
                self.out[src].append((rel, dst, weight))

    def edges_from(self, node: str) -> list[tuple[str, str, float]]:
        own = self.out.get(node, [])
        return self.base.edges_from(node) + own if self.base is not None else own

    def solvers_of(self, problem: str) -> list[tuple[str, float]]:
        own = self.solvers.get(problem, [])
        return self.base.solvers_of(problem) + own if self.base is not None else own

    def factor(self, rel: str, dst: str) -> float:
        """The learned factor of the step `rel` -> `dst` (see `step_factor`)."""
        return step_factor(self.learned, self.decisions, rel, dst)[0]

    def step(self, src: str, rel: str, dst: str, weight: float) -> PathStep:
        return PathStep(src, rel, dst, weight, *step_factor(self.learned, self.decisions, rel, dst))

    def paths_from(self, account_node: str) -> list[MatchPath]:
        found: list[MatchPath] = []
        stack: list[tuple[str, tuple[PathStep, ...], float]] = [(account_node, (), 1.0)]
        while stack:
            node, steps, score = stack.pop()
            if len(steps) >= MAX_FORWARD_HOPS:
                continue
            for rel, dst, weight in self.edges_from(node):
                step = self.step(node, rel, dst, weight)
                here = score * weight * step.learned
                if dst.startswith("problem:"):
                    for cap, w in self.solvers_of(dst):
                        solve = self.step(cap, "solves", dst, w)
                        total = min(1.0, here * w * solve.learned)
                        found.append(MatchPath((*steps, step, solve), total))
                elif dst != node and all(s.src != dst for s in steps):
                    stack.append((dst, (*steps, step), here))
        return found


def best_match(
    graph: Graph, account_id: str, signal_strength: float, allowed: frozenset[str] = frozenset()
) -> Match | None:
    """The best capability for an account; `allowed` limits it to the agent's own."""
    by_capability: dict[str, list[MatchPath]] = defaultdict(list)
    for path in graph.paths_from(f"account:{account_id}"):
        cap = path.steps[-1].src
        if not allowed or cap.removeprefix("capability:") in allowed:
            by_capability[cap].append(path)
    best: Match | None = None
    for cap, paths in by_capability.items():
        miss = 1.0
        for p in paths:
            miss *= 1.0 - p.score
        graph_score = 1.0 - miss
        paths.sort(key=lambda p: (-p.score, [(s.rel, s.dst) for s in p.steps]))
        match = Match(
            capability=cap.removeprefix("capability:"),
            score=round(graph_score * signal_strength, 4),
            graph_score=round(graph_score, 4),
            signal_strength=round(signal_strength, 4),
            paths=tuple(paths[:KEEP_PATHS]),
        )
        if best is None or (match.score, match.capability) > (best.score, best.capability):
            best = match
    return best


def signal_strength(weights_and_ages: list[tuple[float, float]], max_age_days: float) -> float:
    """Noisy-or of the agent's weight for each signal, fading to half at the age limit."""
    miss = 1.0
    for weight, age_days in weights_and_ages:
        freshness = 1.0 - 0.5 * min(1.0, max(0.0, age_days) / max_age_days)
        miss *= 1.0 - weight * freshness
    return 1.0 - miss


def step_key(rel: str, dst: str) -> str:
    """The key of an account's step in the learned evidence: `signalled>event:funding`."""
    return f"{rel}>{dst}"


def step_factor(
    learned: Mapping[str, float], decisions: Mapping[str, int], rel: str, dst: str
) -> tuple[float, int]:
    """The learned factor of a step and the decisions behind it: the step's own key, else
    its relation type's (a step never decided on is its relation type's best guess), else
    1.0 from none."""
    key = step_key(rel, dst)
    if key in learned:
        return learned[key], decisions.get(key, 0)
    return learned.get(rel, 1.0), decisions.get(rel, 0)


def shrunk_rate(approvals: float, kills: float, prior_rate: float, strength: float) -> float:
    """Approval rate from a Beta prior centred on `prior_rate` worth `strength` decisions."""
    return (approvals + strength * prior_rate) / (approvals + kills + strength)


def learned_factor(rate: float, overall: float) -> float:
    """How much better or worse than the agent's own average the AMs rate targets matched
    through one step: the step's shrunk approval rate over the agent's rate, within
    FACTOR_RANGE.

    Relative on purpose: it changes who ranks first, never the agent's level. An agent whose
    every verdict is an approval keeps every factor at exactly 1.0, so approvals cannot lift
    all scores over the gate's thresholds (the old absolute 2·α/(α+β) drifted to 1.3-1.5).
    Shrunk on purpose: a step's rate (`hiring_for>role:data-engineer`) has a prior centred on
    its relation type's rate worth STEP_PRIOR decisions, and the relation type's has one on
    the agent's rate worth RELATION_PRIOR (the agent's starts from AGENT_PRIOR approvals, so
    a first kill has something to fall from). So a first verdict, a wrong-account kill on a
    data-engineer hire, gives that step 0.59 and the agent's security-leader hires 0.89: the
    verdict was about the target the AM saw, its relation type moves a little. Which
    verdicts count is bot/review/learning.py's rule. The factor multiplies an edge weight:
    it reorders paths and accounts, never invents a path the graph does not have.
    """
    lo, hi = FACTOR_RANGE
    return min(hi, max(lo, rate / overall))


def overall_evidence(evidence: Mapping[str, tuple[float, float]]) -> tuple[float, float]:
    """The agent's (approvals, kills): its ALL key, or, for rows kept before there was one,
    its relation types pooled."""
    if ALL in evidence:
        return evidence[ALL]
    rels = [ab for k, ab in evidence.items() if ">" not in k]
    return sum(a for a, _ in rels), sum(b for _, b in rels)


def learned_factors(
    evidence: Mapping[str, tuple[float, float]],
) -> tuple[dict[str, float], dict[str, int]]:
    """key -> learned factor, and key -> decisions behind it, for every relation type and
    step in `evidence` (key -> (approvals, kills))."""
    approved, killed = overall_evidence(evidence)
    overall = (approved + AGENT_PRIOR) / (approved + killed + AGENT_PRIOR)
    rels = {k.split(">", 1)[0] for k in evidence if k != ALL}
    rel_rate = {
        rel: shrunk_rate(*evidence.get(rel, (0.0, 0.0)), overall, RELATION_PRIOR) for rel in rels
    }
    factors: dict[str, float] = {}
    for key in evidence.keys() - {ALL}:
        rel = key.split(">", 1)[0]
        rate = (
            shrunk_rate(*evidence[key], rel_rate[rel], STEP_PRIOR) if ">" in key else rel_rate[rel]
        )
        factors[key] = learned_factor(rate, overall)
    for rel in rels - factors.keys():
        factors[rel] = learned_factor(rel_rate[rel], overall)
    decisions = {key: max(0, round(sum(evidence.get(key, (0.0, 0.0))))) for key in factors}
    return factors, decisions
