"""The cost curve of a tick: 40 agents over 100k, 300k and 1M accounts, full and incremental.

    .venv/bin/python benchmarks/tick_scale.py                      # 100k, 300k and 1M, SQLite
    .venv/bin/python benchmarks/tick_scale.py --database-url postgresql://postgres@127.0.0.1/test
    .venv/bin/python benchmarks/tick_scale.py --accounts 100000 --runs 2

For each size: generated data (2 contacts and 3 signals per account, so 3,000,000 signals at
1M) imported with `twoloop import`, 40 agent files and their plays approved. Then, each in a
fresh process so the peak RSS is the command's own:

1. `twoloop tick --full`: every agent ranks its whole segment and drafts up to its cap.
2. 1% of the accounts get a new signal (10,000 at 1M), imported with `twoloop import`; the
   full tick's drafts are moved a day back, as on the next morning, so the caps are free.
3. `twoloop tick`: each agent reads only what changed since its last tick.

Targets (issue 18), on a 2-core machine: a full tick at 1M accounts in <= 60 s with peak RSS
<= 1 GB on SQLite and PostgreSQL; an incremental tick after 10,000 new signals in <= 3 s.
Generated files are kept in --data-dir and reused across runs and databases.
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


def prepared(accounts: int, data_dir: Path) -> Path:
    """A home with generated data for this size, made once and reused."""
    home = data_dir / f"accounts-{accounts}"
    if not (home / ".complete").exists():
        shutil.rmtree(home, ignore_errors=True)
        generate(home, accounts)
        (home / ".complete").write_text(datetime.now(UTC).isoformat())
    return home


def fresh_home(template: Path) -> Path:
    home = Path(tempfile.mkdtemp(prefix="twoloop-bench-"))
    for name in ("agents", "plays"):
        shutil.copytree(template / name, home / name)
    for f in template.iterdir():
        if f.is_file() and f.suffix in (".yml", ".md"):
            shutil.copy(f, home / f.name)
    (home / "data").symlink_to(template / "data")
    return home


def new_signals(home: Path, accounts: int, count: int, seed: int = 11) -> Path:
    """`count` new signals on random accounts, observed in the last hour."""
    rnd = random.Random(seed)
    now = datetime.now(UTC)
    path = home / "new" / "signals.csv"
    path.parent.mkdir()
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(
            ["account_id", "kind", "summary", "detail", "source", "observed_at", "dedupe_key"]
        )
        for n, account in enumerate(rnd.sample(range(accounts), count)):
            kind = rnd.choice(KINDS)
            when = now - timedelta(minutes=rnd.randint(1, 60))
            w.writerow(
                [
                    f"a{account}",
                    kind,
                    f"Company {account}: {kind.replace('_', ' ')} (new)",
                    rnd.choice(ROLES) if kind in ("hiring", "leadership_change") else "new",
                    "generated",
                    when.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    f"new-{seed}-{n}",
                ]
            )
    return path


def next_morning(home: Path, database_url: str | None) -> None:
    """Move every draft a day back: the caps the full tick used are free again."""
    if database_url:
        import psycopg

        from storage.db import normalize_url

        plain = normalize_url(database_url).replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute("UPDATE draft SET created_at = created_at - interval '1 day'")
        return
    import sqlite3

    with sqlite3.connect(home / "twoloop.db") as conn:
        conn.execute(
            "UPDATE draft SET created_at = "
            "strftime('%Y-%m-%d %H:%M:%S', created_at, '-1 day') || substr(created_at, 20)"
        )


def cost(out: str) -> tuple[float, float]:
    """CPU seconds the tick spent choosing accounts and drafting, from its last line."""
    line = next(ln for ln in out.splitlines() if ln.startswith("cost: "))
    choosing = float(line.split("cost: ")[1].split(" s choosing")[0])
    drafting = float(line.split("accounts, ")[1].split(" s drafting")[0])
    return choosing, drafting


def drafted(out: str) -> int:
    return sum(
        int(line.split(" drafted")[0].rsplit(", ", 1)[1])
        for line in out.splitlines()
        if " drafted" in line
    )


class Snapshot:
    """The imported database, kept so every run starts from the same state without
    importing again: a file copy on SQLite, a template database on PostgreSQL."""

    def __init__(self, home: Path, database_url: str | None):
        self.home, self.url = home, database_url
        if database_url:
            from sqlalchemy.engine import make_url

            base = make_url(database_url)
            self.admin = base.render_as_string(hide_password=False)
            self.base_url = base.set(database="twoloop_bench_base").render_as_string(False)
            self.run_url = base.set(database="twoloop_bench_run").render_as_string(False)
            self._sql("DROP DATABASE IF EXISTS twoloop_bench_run")
            self._sql("DROP DATABASE IF EXISTS twoloop_bench_base")
            self._sql("CREATE DATABASE twoloop_bench_base")

    def _sql(self, statement: str) -> None:
        import psycopg

        from storage.db import normalize_url

        plain = normalize_url(self.admin).replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(statement)

    @property
    def import_url(self) -> str | None:
        return self.base_url if self.url else None

    def keep(self) -> None:
        if not self.url:
            for suffix in ("", "-wal"):
                src = self.home / f"twoloop.db{suffix}"
                if src.exists():
                    shutil.copy(src, self.home / f"base.db{suffix}")

    def restore(self) -> str | None:
        """A fresh copy of the imported database; returns the URL to use (None: SQLite)."""
        if self.url:
            self._sql("DROP DATABASE IF EXISTS twoloop_bench_run")
            self._sql("CREATE DATABASE twoloop_bench_run TEMPLATE twoloop_bench_base")
            return self.run_url
        for suffix in ("", "-wal", "-shm"):
            (self.home / f"twoloop.db{suffix}").unlink(missing_ok=True)
        for suffix in ("", "-wal"):
            src = self.home / f"base.db{suffix}"
            if src.exists():
                shutil.copy(src, self.home / f"twoloop.db{suffix}")
        return None

    def drop(self) -> None:
        if self.url:
            self._sql("DROP DATABASE IF EXISTS twoloop_bench_run")
            self._sql("DROP DATABASE IF EXISTS twoloop_bench_base")


def measure(accounts: int, database_url: str | None, data_dir: Path, runs: int) -> list[dict]:
    home = fresh_home(prepared(accounts, data_dir))
    snap = Snapshot(home, database_url)
    try:
        imp_s, imp_rss, _ = twoloop(home, snap.import_url, "import")
        approve_plays(home, snap.import_url)
        snap.keep()
        out = []
        for n in range(runs):
            url = snap.restore()
            full_s, full_rss, full_out = twoloop(home, url, "tick", "--full")
            changed = max(1, accounts // 100)
            new = new_signals(home, accounts, changed, seed=11 + n)
            add_s, _, _ = twoloop(home, url, "import", str(new))
            shutil.rmtree(new.parent)
            next_morning(home, url)
            inc_s, inc_rss, inc_out = twoloop(home, url, "tick")
            out.append(
                {
                    "accounts": accounts,
                    "import_s": imp_s,
                    "import_rss": imp_rss,
                    "full_s": full_s,
                    "full_rss": full_rss,
                    "full_drafted": drafted(full_out),
                    "new_signals": changed,
                    "add_s": add_s,
                    "inc_s": inc_s,
                    "inc_rss": inc_rss,
                    "inc_drafted": drafted(inc_out),
                    "full_choosing": cost(full_out)[0],
                    "full_drafting": cost(full_out)[1],
                    "inc_choosing": cost(inc_out)[0],
                    "inc_drafting": cost(inc_out)[1],
                }
            )
        return out
    finally:
        snap.drop()
        shutil.rmtree(home, ignore_errors=True)


def chart(rows: list[dict], width: int = 40) -> str:
    """The README's chart: seconds per tick by size, full and incremental."""
    top = max(r["full_s"] for r in rows)
    lines = []
    for r in rows:
        for label, key in (("full", "full_s"), ("incr.", "inc_s")):
            bar = "#" * max(1, round(width * r[key] / top))
            lines.append(f"{int(r['accounts']) // 1000:>5}k {label:<5} {bar} {r[key]:.1f} s")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--accounts", type=int, nargs="*", default=[100_000, 300_000, 1_000_000])
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--database-url", default=None)
    ap.add_argument("--data-dir", type=Path, default=Path(tempfile.gettempdir()) / "twoloop-bench")
    args = ap.parse_args()
    args.data_dir.mkdir(parents=True, exist_ok=True)
    print(
        f"machine: {os.cpu_count()} cores, {platform.platform()}, Python {platform.python_version()}"
    )
    print(f"database: {'PostgreSQL' if args.database_url else 'SQLite (default)'}")
    print(
        f"{'accounts':>9} {'signals':>9} {'import s':>9} {'full s':>7} {'full MB':>8} "
        f"{'drafted':>7} {'new sig':>8} {'incr. s':>8} {'incr. MB':>8} {'drafted':>7}"
    )
    rows = []
    for n in args.accounts:
        runs = measure(n, args.database_url, args.data_dir, args.runs)
        med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        rows.append(med)
        print(
            f"{n:>9} {3 * n:>9} {med['import_s']:>9.1f} {med['full_s']:>7.1f} "
            f"{med['full_rss']:>8.0f} {med['full_drafted']:>7.0f} {med['new_signals']:>8.0f} "
            f"{med['inc_s']:>8.2f} {med['inc_rss']:>8.0f} {med['inc_drafted']:>7.0f}"
            + (
                "   (full: "
                + ", ".join(f"{r['full_s']:.1f}s" for r in runs)
                + "; incremental: "
                + ", ".join(f"{r['inc_s']:.2f}s" for r in runs)
                + ")"
                if len(runs) > 1
                else ""
            )
        )
    print()
    print("CPU seconds: choosing accounts (ranking, what changed) / drafting, medians")
    for r in rows:
        print(
            f"{int(r['accounts']):>9}  full {r['full_choosing']:6.1f} / {r['full_drafting']:5.1f}"
            f"   incremental {r['inc_choosing']:6.2f} / {r['inc_drafting']:5.1f}"
            f"   choosing incremental / full = {r['inc_choosing'] / r['full_choosing']:.1%}"
        )
    print()
    print(chart(rows))


if __name__ == "__main__":
    main()
