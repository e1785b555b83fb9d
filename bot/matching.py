"""Matching as path reasoning over typed edges, never embedding similarity.

A path runs from an account through what we know of it (roles it hires for, tech it uses,
events it signalled) to a problem that one of our capabilities solves:

    account -hiring_for-> role -indicates-> problem <-solves- capability

A path's score multiplies its edge weights by the agent's learned weight for each relation
type; a capability's score combines its paths (noisy-or), scaled by how strong and fresh the
account's signals are. The top paths are the explanation shown to the AM.
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

    def __init__(self, edges: list[tuple[str, str, str, float]], learned: dict[str, float]):
        self.out: dict[str, list[tuple[str, str, float]]] = defaultdict(list)
        self.solvers: dict[str, list[tuple[str, float]]] = defaultdict(list)
        self.learned = learned
        for src, rel, dst, weight in edges:
            if rel == "solves":
                self.solvers[dst].append((src, weight))
            else:
                self.out[src].append((rel, dst, weight))

    def factor(self, rel: str) -> float:
        return self.learned.get(rel, 1.0)

    def paths_from(self, account_node: str) -> list[MatchPath]:
        found: list[MatchPath] = []
        stack: list[tuple[str, tuple[PathStep, ...], float]] = [(account_node, (), 1.0)]
        while stack:
            node, steps, score = stack.pop()
            if len(steps) >= MAX_FORWARD_HOPS:
                continue
            for rel, dst, weight in self.out.get(node, ()):
                step = PathStep(node, rel, dst, weight, self.factor(rel))
                here = score * weight * step.learned
                if dst.startswith("problem:"):
                    for cap, w in self.solvers.get(dst, ()):
                        solve = PathStep(cap, "solves", dst, w, self.factor("solves"))
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
    """Beta(1, 1), the prior, is a factor of 1; evidence moves it between 0 and 2."""
    return 2.0 * alpha / (alpha + beta)
