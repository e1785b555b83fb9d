"""Matching as path reasoning over typed edges, never embedding similarity.

A path runs from an account through what we know of it (roles it hires for, tech it uses,
events it signalled) to a problem that one of our capabilities solves:

    account -hiring_for-> role -indicates-> problem <-solves- capability

A path's score multiplies its edge weights by the agent's learned factor for each relation
type (see `learned_factor`: AM decisions move it, no feedback leaves it at 1); a capability's
score combines its paths (noisy-or), scaled by how strong and fresh the account's signals
are. The top paths are the explanation shown to the AM.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from bot.ports import MatchPath, PathStep

MAX_FORWARD_HOPS = 2
KEEP_PATHS = 3


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
    """Adjacency for one tick: knowledge edges plus the candidate accounts' edges."""

    def __init__(
        self,
        edges: list[tuple[str, str, str, float]],
        learned: dict[str, float],
        decisions: dict[str, int] | None = None,
    ):
        self.out: dict[str, list[tuple[str, str, float]]] = defaultdict(list)
        self.solvers: dict[str, list[tuple[str, float]]] = defaultdict(list)
        self.learned = learned
        self.decisions = decisions or {}  # relation type -> decisions behind its factor
        for src, rel, dst, weight in edges:
            if rel == "solves":
                self.solvers[dst].append((src, weight))
            else:
                self.out[src].append((rel, dst, weight))

    def factor(self, rel: str) -> float:
        return self.learned.get(rel, 1.0)

    def step(self, src: str, rel: str, dst: str, weight: float) -> PathStep:
        return PathStep(src, rel, dst, weight, self.factor(rel), self.decisions.get(rel, 0))

    def paths_from(self, account_node: str) -> list[MatchPath]:
        found: list[MatchPath] = []
        stack: list[tuple[str, tuple[PathStep, ...], float]] = [(account_node, (), 1.0)]
        while stack:
            node, steps, score = stack.pop()
            if len(steps) >= MAX_FORWARD_HOPS:
                continue
            for rel, dst, weight in self.out.get(node, ()):
                step = self.step(node, rel, dst, weight)
                here = score * weight * step.learned
                if dst.startswith("problem:"):
                    for cap, w in self.solvers.get(dst, ()):
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


def learned_factor(alpha: float, beta: float) -> float:
    """How much better than "no opinion" this agent's AMs rate targets matched through a
    relation type: the Beta posterior mean alpha / (alpha + beta) over the prior mean 1/2.

    Each decision on a draft adds one to alpha (approved or edited: the target was right) or
    to beta (killed as wrong account, bad timing or current customer) of the account's own
    relation types on its match path (bot/review/learning.py says which and why). Beta(1, 1), no
    feedback, is exactly 1.0, so an agent nobody has judged ranks as it did before learning
    existed. The factor stays in (0, 2) and the prior damps small samples: one kill gives
    0.67, three kills 0.4, two approvals and one kill 1.2. It multiplies the edge weight, so
    it reorders paths and accounts without ever letting feedback invent a path the graph
    does not have.
    """
    return 2.0 * alpha / (alpha + beta)


def decisions_behind(alpha: float, beta: float) -> int:
    """How many decisions moved a Beta(1, 1) prior to (alpha, beta)."""
    return max(0, round(alpha + beta - 2.0))
