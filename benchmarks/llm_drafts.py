"""1,000 drafts through the real tick against a slow, flaky OpenAI-compatible server.

    .venv/bin/python benchmarks/llm_drafts.py [--runs 2] [--delay 0.5] [--failure-rate 0.1]

Target (issue 3): with 500 ms per model call and 10% of calls answering 429 or 500, one
tick of 40 agents (25 drafts each) writes 1,000 drafts in at most 40 s, none lost: every
failed call is retried (the openai SDK's backoff, honouring Retry-After) and every draft is
stored with its token usage.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import llm_server  # noqa: E402
import tick_scale  # noqa: E402


def one_run(accounts: int, delay: float, failure_rate: float) -> dict:
    from sqlmodel import func, select

    from bot.agent import loop
    from bot.intake.importer import load
    from bot.runtime import Runtime
    from bot.settings import Settings
    from storage.models import Draft

    home = Path(tempfile.mkdtemp(prefix="twoloop-llm-bench-"))
    url, stop, stats = llm_server.start(delay=delay, failure_rate=failure_rate, seed=11)
    try:
        tick_scale.generate(home, accounts)
        settings = Settings(
            TWOLOOP_HOME=home, OPENAI_BASE_URL=url, OPENAI_API_KEY="sk-bench", _env_file=None
        )
        rt = Runtime(settings)
        rt.db.upgrade()
        load(rt.db, sorted((home / "data").iterdir()))
        tick_scale.approve_plays(home, None)
        started = time.perf_counter()
        reports = loop.tick(rt)
        seconds = time.perf_counter() - started
        with rt.db.session() as s:
            drafts = s.exec(select(func.count()).select_from(Draft)).one()
            by_model = s.exec(select(func.count()).where(Draft.tokens > 0)).one()
        waits = sum(n for r in reports for k, n in r.dropped.items() if k.startswith("wait:"))
        snap = stats.snapshot()
        rt.db.dispose()
        return {
            "seconds": seconds,
            "drafts": drafts,
            "by_model": by_model,
            "waits": waits,
            "requests": snap["requests"],
            "failures": snap["failures"],
            "max_in_flight": snap["max_in_flight"],
        }
    finally:
        stop()
        shutil.rmtree(home, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--accounts", type=int, default=5000)
    ap.add_argument("--delay", type=float, default=0.5)
    ap.add_argument("--failure-rate", type=float, default=0.1)
    args = ap.parse_args()
    print(
        f"machine: {os.cpu_count()} cores, {platform.platform()}, Python {platform.python_version()}"
    )
    print(f"model server: {args.delay * 1000:.0f} ms per call, {args.failure_rate:.0%} 429/500")
    runs = []
    for n in range(args.runs):
        r = one_run(args.accounts, args.delay, args.failure_rate)
        runs.append(r)
        print(
            f"run {n + 1}: {r['drafts']} drafts ({r['by_model']} written by the model) in "
            f"{r['seconds']:.1f}s; {r['requests']} calls, {r['failures']} failed and retried, "
            f"{r['waits']} waiting for a later tick; up to {r['max_in_flight']} calls in flight"
        )
    if len(runs) > 1:
        print(f"median: {statistics.median(r['seconds'] for r in runs):.1f}s")


if __name__ == "__main__":
    main()
