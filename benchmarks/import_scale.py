"""How long `twoloop import` takes for 100k to 1M accounts, and how much memory it needs.

    .venv/bin/python benchmarks/import_scale.py                          # 100k, 300k, 1M
    .venv/bin/python benchmarks/import_scale.py --accounts 100000 --runs 3
    .venv/bin/python benchmarks/import_scale.py --database-url postgresql://postgres@127.0.0.1/test

Each size gets generated data (benchmarks/tick_scale.py: 2 contacts and 3 signals per
account), generated once and imported into an empty database per run, in a fresh process:
first accounts, contacts and knowledge (`twoloop import accounts.csv contacts.csv
knowledge.yml`), then the signals on their own. Reported: medians over --runs, and each
process's peak RSS. Target (issue 18): 1M accounts with 2M contacts in <= 120 s.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from tick_scale import generate, reset_postgres, twoloop  # noqa: E402


def one_run(home: Path, database_url: str | None) -> dict[str, float]:
    data = home / "data"
    url = database_url
    if database_url:
        reset_postgres(database_url)
    else:
        for f in home.glob("bench.db*"):
            f.unlink()
        url = f"sqlite:///{home / 'bench.db'}"
    files = [str(data / n) for n in ("knowledge.yml", "accounts.csv", "contacts.csv")]
    base_s, base_rss, out = twoloop(home, url, "import", *files)
    sig_s, sig_rss, sig_out = twoloop(home, url, "import", str(data / "signals.csv"))
    if "imported" not in out or "imported" not in sig_out:
        raise SystemExit(f"import said: {out} {sig_out}")
    return {"base_s": base_s, "base_rss": base_rss, "sig_s": sig_s, "sig_rss": sig_rss}


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("--accounts", type=int, nargs="*", default=[100_000, 300_000, 1_000_000])
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--database-url", default=None)
    args = ap.parse_args()
    print(
        f"machine: {os.cpu_count()} cores, {platform.platform()}, Python {platform.python_version()}"
    )
    print(f"database: {'PostgreSQL' if args.database_url else 'SQLite (default)'}")
    print(
        f"{'accounts':>9} {'contacts':>9} {'acc+con s':>10} {'RSS MB':>7} "
        f"{'signals':>9} {'signals s':>10} {'RSS MB':>7}  runs"
    )
    for n in args.accounts:
        home = Path(tempfile.mkdtemp(prefix=f"twoloop-import-{n}-"))
        try:
            generate(home, n)
            runs = [one_run(home, args.database_url) for _ in range(args.runs)]
        finally:
            shutil.rmtree(home, ignore_errors=True)
        med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        each = ", ".join(f"{r['base_s']:.1f}+{r['sig_s']:.1f}s" for r in runs)
        print(
            f"{n:>9} {2 * n:>9} {med['base_s']:>10.1f} {med['base_rss']:>7.0f} "
            f"{3 * n:>9} {med['sig_s']:>10.1f} {med['sig_rss']:>7.0f}  ({each})",
            flush=True,
        )


if __name__ == "__main__":
    main()
