"""How long `twoloop crm sync` takes for 100k to 1M HubSpot companies (two contacts each),
and how much memory it needs.

    .venv/bin/python benchmarks/crm_scale.py                           # 100k
    .venv/bin/python benchmarks/crm_scale.py --companies 1000000 --runs 2
    .venv/bin/python benchmarks/crm_scale.py --database-url postgresql://postgres@127.0.0.1:5432/test

The HubSpot stand-in (tests/fakes/hubspot.py, generated mode: records made up from their
index per request) runs in its own process on loopback, so it does not share the sync's
interpreter; `--latency-ms` adds a delay to each of its answers. HubSpot pages hold 100
records, so 1M companies are 10,000 searches, and 2M contacts 20,000 searches plus 20,000
association reads. Each run syncs into an empty database in a fresh process (`twoloop crm
sync`, piped: the summary line only). Reported: medians over --runs of wall time, peak RSS
and rows (companies + contacts) per second. Target (issue 18): 1M companies in <= 120 s.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from tick_scale import reset_postgres, twoloop  # noqa: E402

OWNERS = 5


def serve(companies: int, latency_ms: float) -> None:
    """The stand-in's process: prints its URL, then answers until killed."""
    from tests.fakes import hubspot as fake_hubspot

    fake = fake_hubspot.start()
    fake.keep_requests, fake.latency = False, latency_ms / 1000
    for n in range(OWNERS):
        fake.add_owner(f"am{n}@ours.example", "Owner", str(n))
    fake.generated(companies)
    print(fake.url, fake.token, flush=True)
    while True:
        time.sleep(3600)


def one_run(home: Path, url: str, token: str, database_url: str | None) -> dict[str, float]:
    db = database_url
    if database_url:
        reset_postgres(database_url)
    else:
        for f in home.glob("bench.db*"):
            f.unlink()
        db = f"sqlite:///{home / 'bench.db'}"
    os.environ.update(HUBSPOT_ACCESS_TOKEN=token, HUBSPOT_API_URL=url)
    seconds, rss, out = twoloop(home, db, "crm", "sync")
    if not out.startswith("crm sync:") or "stopped" in out:
        raise SystemExit(f"crm sync said: {out}")
    return {"s": seconds, "rss": rss}


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("--companies", type=int, nargs="*", default=[100_000])
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--database-url", default=None)
    ap.add_argument("--latency-ms", type=float, default=0.0)
    ap.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve is not None:
        serve(args.serve, args.latency_ms)
        return
    print(
        f"machine: {os.cpu_count()} cores, {platform.platform()}, Python {platform.python_version()}"
    )
    print(f"database: {'PostgreSQL' if args.database_url else 'SQLite (default)'}")
    print(f"stand-in: own process on loopback, {args.latency_ms:g} ms added per answer")
    print(
        f"{'companies':>10} {'contacts':>9} {'requests':>9} {'sync s':>8} {'RSS MB':>7} {'rows/s':>8}  runs"
    )
    from bot.cli.scaffold import init

    for n in args.companies:
        home = Path(tempfile.mkdtemp(prefix=f"twoloop-crm-{n}-"))
        server = subprocess.Popen(
            [sys.executable, __file__, "--serve", str(n), "--latency-ms", str(args.latency_ms)],
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        try:
            assert server.stdout is not None
            url, token = server.stdout.readline().split()
            init(home, force=True)
            runs = [one_run(home, url, token, args.database_url) for _ in range(args.runs)]
        finally:
            server.kill()
            server.wait()
            shutil.rmtree(home, ignore_errors=True)
        med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        pages = -(-n // 100)
        requests = pages + 2 * (2 * pages)  # company searches; contact searches + associations
        each = ", ".join(f"{r['s']:.1f}s" for r in runs)
        print(
            f"{n:>10} {2 * n:>9} {requests:>9} {med['s']:>8.1f} {med['rss']:>7.0f} "
            f"{3 * n / med['s']:>8.0f}  ({each})",
            flush=True,
        )


if __name__ == "__main__":
    main()
