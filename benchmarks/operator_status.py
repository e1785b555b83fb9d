"""What an operator's `/twoloop status` and a trust check cost over a year of a 40-agent fleet.

    .venv/bin/python benchmarks/operator_status.py                 # 1,000,000 decisions, SQLite
    .venv/bin/python benchmarks/operator_status.py --rows 50000    # a quick check
    .venv/bin/python benchmarks/operator_status.py --database-url postgresql://postgres@127.0.0.1/test

Seeds the same data as benchmarks/fleet_reports.py (--rows decisions with drafts and reviews
over a year, 40 agents, none ever promoted), then times, as medians of --runs repetitions: the
fleet table and one agent's detail as `/twoloop status` renders them, and the trust judgement
that runs inside every decision's transaction (on probation: the stretch since the last
critical kill is tallied; supervised: the last 20 verdicts), plus the worst case of a
probation agent with no critical kill ever (its whole history tallied).
Target: each <= 1 s for the commands (Slack wants the ack within 3 s); the trust check
should stay in milliseconds, since every click pays it.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.fleet_reports import (  # noqa: E402
    machine,
    make_home,
    median_time,
    new_schema,
    seed,
)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000, help="decisions and audit events")
    ap.add_argument("--runs", type=int, default=5, help="timed repetitions (median reported)")
    ap.add_argument("--database-url", help="PostgreSQL URL (default: a SQLite file)")
    args = ap.parse_args()

    import psycopg

    from bot.reports import status
    from bot.review import trust
    from bot.runtime import Runtime
    from bot.settings import Settings
    from handlers.views.answers import detail_text, status_text
    from storage import control as store

    root = Path(tempfile.mkdtemp(prefix="twoloop-status-"))
    home = make_home(root)
    url, schema, base = f"sqlite:///{root / 'twoloop.db'}", None, ""
    if args.database_url:
        url, schema, base = new_schema(args.database_url)
    print(f"machine: {machine()}")
    print(f"database: {'PostgreSQL' if schema else 'SQLite'}; {args.rows:,} decisions")
    rt = None
    try:
        rt = Runtime(Settings(TWOLOOP_HOME=home, DATABASE_URL=url, _env_file=None))
        rt.db.upgrade()
        t0 = time.perf_counter()
        seed(rt.db, args.rows, rt.now(), random.Random(7))
        print(f"seeded in {time.perf_counter() - t0:.1f} s")

        def probation_check():
            with rt.db.session() as s:
                state = store.locked_state(s, "agent-07")
                return trust._promotion(rt, s, state)

        def supervised_check():
            with rt.db.session() as s:
                return store.recent_verdicts(s, "agent-07", rt.settings.trust_window)

        def whole_history():
            with rt.db.session() as s:
                return store.tally_since(s, "agent-07", None, trust.CRITICAL)

        cases = [
            ("/twoloop status (fleet table)", lambda: status_text(status.fleet(rt))),
            ("/twoloop status agent-07", lambda: detail_text(status.detail(rt, "agent-07"))),
            ("trust check on probation", probation_check),
            ("worst case: tally of the whole history", whole_history),
            ("trust check when supervised (last 20)", supervised_check),
        ]
        worst = 0.0
        for label, fn in cases:
            med, times = median_time(fn, args.runs)
            worst = max(worst, med)
            spread = ", ".join(f"{t * 1000:.1f}" for t in times)
            print(f"  {label:44} median {med * 1000:8.1f} ms  ({spread} ms)")
        return 0 if worst <= 1.0 else 1
    finally:
        if rt is not None:
            rt.db.dispose()
        if schema:
            with psycopg.connect(base, autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
