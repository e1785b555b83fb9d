"""How far one Approve click travels: the first-party modules `bot.decisions.decide` runs code
in for one draft review, and every call that goes UP the layers of ARCHITECTURE.md.

    .venv/bin/python benchmarks/decision_path.py

A sample config folder and a SQLite database in a temporary folder; plays approved and a tick
run first, so an open draft review exists. Calls are traced with `sys.setprofile`.
"""

from __future__ import annotations

import collections
import sys
import tempfile
from pathlib import Path
from types import FrameType
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot import decisions
from bot.agent import loop
from bot.cli.scaffold import init
from bot.intake.importer import load
from bot.runtime import Runtime
from storage.reviews import open_reviews
from tests.conftest import RecordingHumans, make_settings, unpaced

# Top to bottom, as in ARCHITECTURE.md and pyproject.toml's layers contract; storage lowest.
LAYERS = [
    "bot.cli",
    "bot.ops",
    "bot.reports",
    "bot.decisions",
    "bot.agent|bot.mail.inbound",
    "bot.review",
    "bot.mail.outbound|bot.intake",
    "bot.runtime",
    "bot.mail.triage",
    "bot.model",
    "bot.core|bot.mail.text|bot.mail.transport",
    "bot.config",
    "bot.logs|bot.ports|bot.process",
    "bot.readouts",
    "bot.settings|bot.storable",
    "storage",
]


def rank(module: str) -> int:
    for i, layer in enumerate(LAYERS):
        if any(module == p or module.startswith(p + ".") for p in layer.split("|")):
            return len(LAYERS) - i
    return 0


def ours(module: str) -> bool:
    return module.split(".")[0] in ("bot", "storage")


def main() -> None:
    home = Path(tempfile.mkdtemp()) / "home"
    init(home)
    unpaced(home)
    rt = Runtime(make_settings(home, f"sqlite:///{home / 't.db'}"), humans=RecordingHumans())
    rt.db.upgrade()
    load(rt.db, sorted((home / "data").iterdir()))
    loop.tick(rt)
    with rt.db.session() as s:
        plays = [r for r in open_reviews(s, limit=1000) if r.kind == "play"]
    for r in plays:
        assert r.id is not None
        decisions.decide(rt, decisions.Request(r.id, r.owner, decisions.Action.APPROVE))
    loop.tick(rt)
    with rt.db.session() as s:
        review = next(r for r in open_reviews(s, limit=1000) if r.kind == "draft")
    assert review.id is not None

    seen: set[str] = set()
    up: list[tuple[str, str]] = []

    def trace(frame: FrameType, event: str, arg: Any) -> None:
        if event != "call":
            return
        callee = frame.f_globals.get("__name__", "")
        if not ours(callee):
            return
        seen.add(callee)
        caller_frame = frame.f_back
        while caller_frame is not None and not ours(caller_frame.f_globals.get("__name__", "")):
            caller_frame = caller_frame.f_back
        if caller_frame is None:
            return
        caller = caller_frame.f_globals.get("__name__", "")
        if caller != callee and rank(callee) > rank(caller):
            up.append((caller, callee))

    sys.setprofile(trace)
    result = decisions.decide(
        rt, decisions.Request(review.id, review.owner, decisions.Action.APPROVE)
    )
    sys.setprofile(None)
    bot = sorted(m for m in seen if m.startswith("bot"))
    storage = sorted(m for m in seen if m.startswith("storage"))
    print(f"decision: {result.status}")
    print(f"modules that ran code: {len(seen)} ({len(bot)} bot, {len(storage)} storage)")
    for m in bot + storage:
        print(f"  {m}")
    print(f"calls up the layers: {len(up)}")
    for (caller, callee), n in collections.Counter(up).most_common():
        print(f"  {n:3}  {caller} -> {callee}")


if __name__ == "__main__":
    main()
