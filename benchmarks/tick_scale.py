"""How long one full tick takes for a fleet of 40 agents, and how much memory it needs.

    .venv/bin/python benchmarks/tick_scale.py                  # 25k, 50k and 100k accounts
    .venv/bin/python benchmarks/tick_scale.py --accounts 100000 --runs 2
    .venv/bin/python benchmarks/tick_scale.py --database-url postgresql://postgres@127.0.0.1/test

Each size gets a fresh config home with generated data (3 signals per account, so 300,000
signals at 100k accounts) imported through `twoloop import`, 40 agent files and their plays
approved. The tick then runs in a fresh process (`twoloop tick`), so the peak RSS reported is
the tick's own. Target (issue 3): 40 agents over 100k accounts in <= 30 s, peak RSS <= 1 GB.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

INDUSTRIES = ["software", "fintech", "e-commerce", "healthcare", "logistics"]
KINDS = ["hiring", "funding", "tech_adoption", "leadership_change", "product_launch", "intent"]
ROLES = [
    "Senior Data Engineer",
    "Analytics Engineer",
    "Data Platform Lead",
    "CISO",
    "Head of Security",
    "Account Executive",
]
TECH = ["Airflow", "Snowflake", "dbt", "Kafka"]
TITLES = ["Head of Data", "VP Data", "CTO", "CISO", "Head of Security", "Account Executive"]


def generate(home: Path, accounts: int, seed: int = 7) -> None:
    from bot.cli.scaffold import init

    init(home, force=True)
    rnd = random.Random(seed)
    now = datetime.now(UTC)
    data = home / "data"
    (data / "signals.csv").unlink()
    with (
        (data / "accounts.csv").open("w", newline="") as fa,
        (data / "contacts.csv").open("w", newline="") as fc,
        (data / "signals.csv").open("w", newline="") as fs,
    ):
        wa, wc, ws = csv.writer(fa), csv.writer(fc), csv.writer(fs)
        wa.writerow(
            [
                "id",
                "name",
                "domain",
                "industry",
                "employees",
                "country",
                "owner_am",
                "customer_status",
                "tech",
            ]
        )
        wc.writerow(["id", "account_id", "first_name", "last_name", "email", "title"])
        ws.writerow(
            ["account_id", "kind", "summary", "detail", "source", "observed_at", "dedupe_key"]
        )
        for n in range(accounts):
            aid = f"a{n}"
            status = "customer" if rnd.random() < 0.05 else "prospect"
            tech = ";".join(rnd.sample(TECH, rnd.randint(0, 2)))
            wa.writerow(
                [
                    aid,
                    f"Company {n}",
                    f"company{n}.example",
                    rnd.choice(INDUSTRIES),
                    rnd.randint(20, 8000),
                    rnd.choice(["US", "GB", "DE"]),
                    "U0AMDANA01",
                    status,
                    tech,
                ]
            )
            for c in range(2):
                wc.writerow(
                    [
                        f"{aid}-c{c}",
                        aid,
                        f"First{c}",
                        f"Last{n}",
                        f"p{c}@company{n}.example",
                        rnd.choice(TITLES),
                    ]
                )
            for k in range(3):
                kind = rnd.choice(KINDS)
                detail = (
                    rnd.choice(ROLES)
                    if kind in ("hiring", "leadership_change")
                    else (rnd.choice(TECH) if kind == "tech_adoption" else "Series B")
                )
                when = now - timedelta(days=rnd.randint(0, 80), hours=rnd.randint(0, 23))
                ws.writerow(
                    [
                        aid,
                        kind,
                        f"Company {n}: {kind.replace('_', ' ')} ({detail})",
                        detail,
                        "generated",
                        when.strftime("%Y-%m-%dT%H:%M:%SZ"),
                        f"{aid}-{k}",
                    ]
                )
    agents = home / "agents"
    template = (agents / "data-platform.md").read_text()
    security = (agents / "security-expansion.md").read_text()
    for path in agents.glob("*.md"):
        path.unlink()
    for i in range(40):
        base = template if i % 2 == 0 else security
        text = base.replace("daily_cap: 25", "daily_cap: 25").replace(
            "daily_cap: 15", "daily_cap: 25"
        )
        industry = INDUSTRIES[i % len(INDUSTRIES)]
        text = text.replace(
            "industries: [software, fintech, e-commerce]", f"industries: [{industry}]"
        )
        text = text.replace(
            "industries: [software, fintech, healthcare]", f"industries: [{industry}]"
        )
        (agents / f"agent-{i:02d}.md").write_text(text)


def approve_plays(home: Path, database_url: str | None) -> None:
    from bot.config.agents import load_fleet
    from bot.settings import Settings
    from storage.db import Database
    from storage.models import PlayVersion

    settings = Settings(TWOLOOP_HOME=home, DATABASE_URL=database_url, _env_file=None)
    fleet = load_fleet(settings.agents_dir, settings.plays_dir)
    db = Database(settings.db_url)
    with db.session() as s:
        seen = set()
        for agent in fleet.agents.values():
            for play_id, digest in agent.play_hashes.items():
                if play_id not in seen:
                    seen.add(play_id)
                    s.add(
                        PlayVersion(
                            play_id=play_id,
                            content_hash=digest,
                            status="approved",
                            decided_by="benchmark",
                        )
                    )
    db.dispose()


def twoloop(home: Path, database_url: str | None, *args: str) -> tuple[float, int, str]:
    """Run a twoloop command in a fresh process: (seconds, peak RSS in MB, output)."""
    env = {**os.environ, "TWOLOOP_HOME": str(home)}
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    code = (
        "import resource, sys, time; from bot.cli.main import main; sys.argv=['twoloop', *sys.argv[1:]];"
        "t=time.perf_counter()\ntry:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(f'__SECONDS {time.perf_counter()-t:.3f}', file=sys.stderr);"
        "print(f'__RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}', file=sys.stderr)"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, cwd=ROOT
    )
    seconds = float(proc.stderr.split("__SECONDS ")[1].split()[0])
    rss = int(proc.stderr.split("__RSS ")[1].split()[0])
    if proc.returncode != 0:
        raise SystemExit(f"twoloop {' '.join(args)} failed:\n{proc.stderr[-2000:]}")
    return seconds, rss, proc.stdout


def reset_postgres(url: str) -> None:
    import psycopg

    from storage.db import normalize_url

    plain = normalize_url(url).replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")


def one_run(accounts: int, database_url: str | None) -> dict:
    home = Path(tempfile.mkdtemp(prefix=f"twoloop-bench-{accounts}-"))
    try:
        generate(home, accounts)
        if database_url:
            reset_postgres(database_url)
        imp_s, imp_rss, imp_out = twoloop(home, database_url, "import")
        approve_plays(home, database_url)
        tick_s, tick_rss, out = twoloop(home, database_url, "tick")
        drafted = sum(
            int(line.split(" drafted")[0].rsplit(", ", 1)[1])
            for line in out.splitlines()
            if " drafted" in line
        )
        return {
            "accounts": accounts,
            "import_s": imp_s,
            "import_rss": imp_rss,
            "tick_s": tick_s,
            "tick_rss": tick_rss,
            "drafted": drafted,
            "agents": sum(1 for line in out.splitlines() if line.startswith("agent-")),
        }
    finally:
        shutil.rmtree(home, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--accounts", type=int, nargs="*", default=[25_000, 50_000, 100_000])
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--database-url", default=None)
    args = ap.parse_args()
    print(
        f"machine: {os.cpu_count()} cores, {platform.platform()}, Python {platform.python_version()}"
    )
    print(f"database: {'PostgreSQL' if args.database_url else 'SQLite (default)'}")
    print(
        f"{'accounts':>9} {'signals':>8} {'import s':>9} {'tick s':>7} {'tick RSS MB':>12} "
        f"{'agents':>6} {'drafted':>7}"
    )
    for n in args.accounts:
        runs = [one_run(n, args.database_url) for _ in range(args.runs)]
        med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        print(
            f"{n:>9} {3 * n:>8} {med['import_s']:>9.1f} {med['tick_s']:>7.1f} "
            f"{med['tick_rss']:>12.0f} {med['agents']:>6.0f} {med['drafted']:>7.0f}"
            + (
                "   (runs: " + ", ".join(f"{r['tick_s']:.1f}s" for r in runs) + ")"
                if len(runs) > 1
                else ""
            )
        )


if __name__ == "__main__":
    main()
