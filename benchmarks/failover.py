"""How long is the scheduler leaderless when its replica dies, or is stopped?

Requirement: a standby takes over within one tick interval of the leader dying.

    .venv/bin/python benchmarks/failover.py [--rounds 5] [--poll 1] [--database-url URL]

Two real `twoloop serve` processes (the harness of tests/fakes/replicas.py: a home from
`twoloop init`, PostgreSQL in a schema of its own, the fake Slack and an aiosmtpd relay on
loopback) with TWOLOOP_LEADER_POLL_SECONDS=--poll. Each round kills the leader (SIGKILL, then
SIGTERM on alternate rounds), times until the survivor's /healthz says "leader" (polled every
10 ms), and starts a fresh standby. Exit code 0 unless a round never fails over.
"""

from __future__ import annotations

import argparse
import signal
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.cli.scaffold import init
from tests.conftest import PG_URL, unpaced
from tests.fakes import slack_api as fake_slack
from tests.fakes.replicas import Cluster
from tests.fakes.smtp import SmtpServer


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=6)
    ap.add_argument("--poll", type=float, default=1.0)
    ap.add_argument("--database-url", default=PG_URL)
    args = ap.parse_args()
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(args.database_url, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    url = f"{args.database_url}?options=-csearch_path%3D{schema}"
    work = Path(tempfile.mkdtemp())
    init(work / "home")
    unpaced(work / "home")
    slack, smtp = fake_slack.start(), SmtpServer()
    smtp.start()
    c = Cluster(work / "home", url, slack, smtp, work, TWOLOOP_LEADER_POLL_SECONDS=args.poll)
    times: dict[str, list[float]] = {"SIGKILL": [], "SIGTERM": []}
    try:
        pair = [c.replica("r0").start(), c.replica("r1").start()]
        for n in range(args.rounds):
            deadline = time.monotonic() + 30
            while sorted(r.role() or "" for r in pair) != ["leader", "standby"]:
                if time.monotonic() > deadline:
                    print("no single leader", file=sys.stderr)
                    return 1
                time.sleep(0.01)
            leader, standby = sorted(pair, key=lambda r: r.role() != "leader")
            sig = signal.SIGKILL if n % 2 == 0 else signal.SIGTERM
            t0 = time.monotonic()
            leader.proc.send_signal(sig)
            while standby.role() != "leader":
                if time.monotonic() - t0 > 30:
                    print(f"round {n}: no takeover in 30 s", file=sys.stderr)
                    return 1
                time.sleep(0.01)
            took = time.monotonic() - t0
            times[sig.name].append(took)
            print(f"round {n}: {sig.name} -> takeover in {took:.2f} s")
            leader.proc.wait(40)
            pair = [standby, c.replica(f"r{n + 2}").start()]
        for name, ts in times.items():
            if ts:
                print(
                    f"{name}: median {statistics.median(ts):.2f} s, max {max(ts):.2f} s"
                    f" over {len(ts)} (leader poll {args.poll} s)"
                )
        return 0
    finally:
        c.close()
        smtp.stop()
        slack.server.shutdown()
        with psycopg.connect(args.database_url, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


if __name__ == "__main__":
    sys.exit(main())
