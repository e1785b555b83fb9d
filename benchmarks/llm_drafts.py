"""1,000 drafts through the real tick against a slow, flaky OpenAI-compatible server.

    .venv/bin/python benchmarks/llm_drafts.py [--runs 2] [--delay 0.5] [--failure-rate 0.1]
        [--rpm 3000 --window 1]

Target (issue 18): with 500 ms per model call and 10% of calls answering 429 or 500, one
tick of 40 agents (25 drafts each) writes 1,000 drafts in at most 20 s with 32 calls in
flight, none lost: every failed call is retried (the endpoint's pacer, bot/model/pacing.py,
honouring Retry-After) and every draft is stored with its token usage.

With --rpm / --tpm the server also enforces a rate limit and sends OpenAI's rate-limit
headers; the pacer should hold calls until the limit resets instead of sending calls it
refuses ("refused by the limit" should stay near zero).
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


def one_run(
    accounts: int,
    delay: float,
    failure_rate: float,
    rpm: int | None = None,
    tpm: int | None = None,
    window: float = 60.0,
) -> dict:
    from sqlmodel import SQLModel, func, select

    from bot.agent import loop
    from bot.intake.importer import load
    from bot.runtime import Runtime
    from bot.settings import Settings
    from storage.models import Draft, TokenBudget, TokenReservation

    home = Path(tempfile.mkdtemp(prefix="twoloop-llm-bench-"))
    url, stop, stats = llm_server.start_process(
        delay=delay, failure_rate=failure_rate, seed=11, rpm=rpm, tpm=tpm, window=window
    )
    try:
        tick_scale.generate(home, accounts)
        settings = Settings(
            TWOLOOP_HOME=home, OPENAI_BASE_URL=url, OPENAI_API_KEY="sk-bench", _env_file=None
        )
        rt = Runtime(settings)
        rt.db.upgrade()
        # The budget tables, until their migration (0008) is in the tree.
        tables = [TokenBudget.__table__, TokenReservation.__table__]
        SQLModel.metadata.create_all(rt.db.engine, tables=tables)  # type: ignore[list-item]
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
            "over_limit": snap["over_limit"],
        }
    finally:
        stop()
        shutil.rmtree(home, ignore_errors=True)


def writer_only(drafts: int, threads: int, delay: float, failure_rate: float, **limits) -> dict:
    """The model-bound part alone: `drafts` OpenAIWriter.write calls from `threads` threads
    through the endpoint's pacer, no tick and no database around them."""
    from concurrent.futures import ThreadPoolExecutor

    from bot.config.agents import AgentSpec, PlaySpec
    from bot.core.drafting import DraftRequest, Fact
    from bot.model.writer import OpenAIWriter

    agent = AgentSpec(
        id="bench",
        name="Bench",
        owner="U0BENCH01",
        channel="C0BENCH01",
        goal="Book a call.",
        signals={"hiring": 1.0},
        persona={"titles": ["Head of Data"]},
        plays=["p"],
        mailbox="Sam Lee <sam@vendor.test>",
    )
    play = PlaySpec(
        id="p",
        name="P",
        subject="{{ account.name }}",
        trigger=["hiring"],
        body="Hi {{ contact.first_name }},\n\n{{ signal.detail }}\n\n{{ sender.name }}",
    )
    facts = [
        Fact("contact:1:first_name", "contact.first_name", "Ana"),
        Fact("account:1:name", "account.name", "Acme"),
        Fact("signal:1:detail", "signal.detail", "Acme posted 4 data engineer roles."),
        Fact("agent:bench:sender", "sender.name", "Sam Lee"),
    ]
    request = DraftRequest(agent, play, {f.slot: f for f in facts}, 0.8, token_budget_left=None)
    url, stop, stats = llm_server.start_process(
        delay=delay, failure_rate=failure_rate, seed=11, **limits
    )
    try:
        writer = OpenAIWriter.from_settings("sk-bench", url, "bench-model", concurrency=32)
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=threads) as pool:
            written = list(pool.map(lambda _: writer.write(request), range(drafts)))
        seconds = time.perf_counter() - started
        snap = stats.snapshot()
        return {
            "seconds": seconds,
            "drafts": sum(1 for w in written if w.body),
            "waits": sum(1 for w in written if w.wait),
            "requests": snap["requests"],
            "failures": snap["failures"],
            "max_in_flight": snap["max_in_flight"],
            "over_limit": snap["over_limit"],
            "limit_now": writer.pacer.limit,
        }
    finally:
        stop()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--accounts", type=int, default=5000)
    ap.add_argument("--delay", type=float, default=0.5)
    ap.add_argument("--failure-rate", type=float, default=0.1)
    ap.add_argument("--rpm", type=int, default=None, help="the server's requests per minute")
    ap.add_argument("--tpm", type=int, default=None, help="the server's tokens per minute")
    ap.add_argument("--window", type=float, default=60.0, help="seconds of burst a limit holds")
    ap.add_argument(
        "--writer-only", action="store_true", help="1,000 writer calls, no tick or database"
    )
    args = ap.parse_args()
    print(
        f"machine: {os.cpu_count()} cores, {platform.platform()}, Python {platform.python_version()}"
    )
    print(f"model server: {args.delay * 1000:.0f} ms per call, {args.failure_rate:.0%} 429/500")
    if args.rpm or args.tpm:
        print(f"rate limit: {args.rpm or '-'} rpm, {args.tpm or '-'} tpm, {args.window:g}s deep")
    runs = []
    if args.writer_only:
        for n in range(args.runs):
            limits = {"rpm": args.rpm, "tpm": args.tpm, "window": args.window}
            r = writer_only(1000, 64, args.delay, args.failure_rate, **limits)
            runs.append(r)
            print(
                f"run {n + 1} (writer only): {r['drafts']} drafts in {r['seconds']:.1f}s; "
                f"{r['requests']} calls, {r['failures']} failed and retried, {r['waits']} "
                f"waiting; up to {r['max_in_flight']} in flight; {r['over_limit']} refused by "
                f"the rate limit; {r['limit_now']} calls at once at the end"
            )
        if len(runs) > 1:
            print(f"median: {statistics.median(r['seconds'] for r in runs):.1f}s")
        return
    for n in range(args.runs):
        r = one_run(args.accounts, args.delay, args.failure_rate, args.rpm, args.tpm, args.window)
        runs.append(r)
        print(
            f"run {n + 1}: {r['drafts']} drafts ({r['by_model']} written by the model) in "
            f"{r['seconds']:.1f}s; {r['requests']} calls, {r['failures']} failed and retried, "
            f"{r['waits']} waiting for a later tick; up to {r['max_in_flight']} calls in flight; "
            f"{r['over_limit']} refused by the rate limit"
        )
    if len(runs) > 1:
        print(f"median: {statistics.median(r['seconds'] for r in runs):.1f}s")


if __name__ == "__main__":
    main()
