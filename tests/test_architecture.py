"""The shape of the code, as ARCHITECTURE.md draws it: no import cycles, no imports hidden in
functions, a docstring on every package of bot/. The layer and Slack rules are import-linter
contracts in pyproject.toml (`lint-imports`, run by `make test`)."""

from __future__ import annotations

import ast
from collections import deque
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent
FIRST_PARTY = ("bot", "handlers", "storage")


def import_graph() -> dict[str, set[str]]:
    """Who imports whom among our modules, `if TYPE_CHECKING:` imports included: an import
    kept for annotations only still hides a circle."""
    graph = grimp.build_graph(*FIRST_PARTY, exclude_type_checking_imports=False)
    return {m: set(graph.find_modules_directly_imported_by(m)) for m in graph.modules}


def strongly_connected(edges: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iteratively: the groups of modules that can reach each other."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    for start in sorted(edges):
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                groups.append(sorted(group))
    return groups


def a_cycle(edges: dict[str, set[str]], group: list[str]) -> list[str]:
    """One shortest way round the group, from its first module back to it."""
    start, members = group[0], set(group)
    came_from: dict[str, str] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for nxt in sorted(edges[node] & members):
            if nxt == start:
                path = [node]
                while path[-1] != start:
                    path.append(came_from[path[-1]])
                return [start, *reversed(path[:-1]), start]
            if nxt not in came_from:
                came_from[nxt] = node
                queue.append(nxt)
    return group


def test_no_import_cycles():
    edges = import_graph()
    cycles = [g for g in strongly_connected(edges) if len(g) > 1]
    described = [
        f"{len(g)} modules: {', '.join(g)}\n    e.g. {' -> '.join(a_cycle(edges, g))}"
        for g in cycles
    ]
    assert not cycles, "modules that import each other in a circle:\n  " + "\n  ".join(described)


def test_the_cycle_finder_finds_cycles():
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set()}
    assert [g for g in strongly_connected(edges) if len(g) > 1] == [["a", "b", "c"]]
    assert a_cycle(edges, ["a", "b", "c"]) == ["a", "b", "c", "a"]


def imports_inside_functions(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), str(path))
    found = []
    for fn in ast.walk(tree):
        if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(fn):
            if isinstance(node, ast.Import):
                ours = any(a.name.split(".")[0] in FIRST_PARTY for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                ours = node.level > 0 or (node.module or "").split(".")[0] in FIRST_PARTY
            else:
                continue
            if ours:
                where = path.relative_to(ROOT)
                found.append(f"{where}:{node.lineno} in {fn.name}(): {ast.unparse(node)}")
    return found


def test_no_first_party_imports_inside_functions():
    """An import in a function hides a cycle (or a layer broken) from every reader: our
    modules are imported at the top."""
    found = sorted(
        {
            hit
            for package in FIRST_PARTY
            for path in sorted((ROOT / package).rglob("*.py"))
            for hit in imports_inside_functions(path)
        }
    )
    assert not found, "first-party imports inside functions (move them to the top):\n  " + (
        "\n  ".join(found)
    )


def test_every_package_of_bot_says_in_one_line_what_lives_there():
    problems = []
    for init in sorted((ROOT / "bot").rglob("__init__.py")):
        package = ".".join(init.parent.relative_to(ROOT).parts)
        doc = ast.get_docstring(ast.parse(init.read_text()), clean=False)
        if not doc or not doc.strip():
            problems.append(f"{package}: no docstring")
        elif "\n" in doc.strip():
            problems.append(f"{package}: docstring longer than one line")
    assert not problems, "bot packages:\n  " + "\n  ".join(problems)
