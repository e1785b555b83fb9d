"""A backlog of review cards posted to a Slack that fails 10% of calls (issue 7, part 6).

    .venv/bin/python benchmarks/post_backlog.py [--reviews 10000] [--channels 50]
        [--fault-rate 0.1] [--retry-after 1] [--database-url postgresql://...|sqlite]

Setup: a temp TWOLOOP_HOME from `twoloop init`, the sample data, plays approved and one
tick, so a few real draft reviews exist. Their drafts are cloned (new trigger keys) into
`--reviews` open, unposted reviews spread round-robin over `--channels` channels; the tick's
own reviews are closed. The fake Slack Web API (tests/fakes/slack_api.py) runs in a process of
its own and answers a seeded `--fault-rate` of chat.postMessage calls with 429 (Retry-After:
`--retry-after` s; real Slack says tens of seconds, the fake says 1 so the run ends in
minutes) or 500, half and half.

The posting loop is the production one with the production pace (TWOLOOP_SLACK_POST_INTERVAL
= 1 s per channel, real clock, no virtual time): the scheduler's "post-reviews" job, i.e.
`reviews.post_pending(rt, budget=4)` started every 5 s, through SlackHumans and the
retry-free posting client, as in `twoloop serve`.

Reported: total time, calls, 429s and 500s, the most calls (any answer) and the most
accepted posts one channel got in any 1-second window (must be <= 1), and the checks that
nothing was lost or doubled: every review has a message_ts, the fake accepted exactly one
post per review, and each review's ts is the one the fake answered. Exit code 1 if a check
fails.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import shutil
import sys
import tempfile
import time
from collections import Counter, defaultdict
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fakes import slack_api as fake_slack  # noqa: E402

PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/test"
JOB_EVERY, JOB_BUDGET = 5.0, 4.0  # bot/ops/scheduler.py's post-reviews job


def machine() -> str:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg() if hasattr(os, "getloadavg") else ("?",)
    return (
        f"{platform.system()} {platform.machine()}, {model or platform.processor()}, "
        f"{os.cpu_count()} cores visible, load average {load[0]:.2f}, "
        f"Python {platform.python_version()}"
    )


# ------------------------------------------------------------------ the fake, out of process


def _slack_process(conn, rate: float, retry_after: int, seed: int) -> None:
    fake = fake_slack.start()
    fake.inject("chat.postMessage", rate, seed=seed, retry_after=retry_after)
    conn.send(fake.url)
    conn.recv()  # "report"
    conn.send(
        [
            (
                c.args.get("channel"),
                c.at,
                c.status,
                c.ok,
                ((c.args.get("metadata") or {}).get("event_payload") or {}).get("review_id"),
                c.ts,
            )
            for c in fake.of("chat.postMessage")
        ]
    )
    fake.server.shutdown()


# ------------------------------------------------------------------ the backlog


def make_backlog(rt, n: int, channels: int) -> list[int]:
    from sqlalchemy import insert, update
    from sqlmodel import col, func, select

    from bot.agent import loop
    from storage.models import Draft, Review
    from tests.conftest import approve_plays

    approve_plays(rt)
    loop.tick(rt)
    with rt.db.session() as s:
        seeds = list(s.exec(select(Review).where(Review.status == "open", Review.kind == "draft")))
        if not seeds:
            raise SystemExit("the sample tick opened no draft review to clone")
        templates = {r.subject_id: s.get(Draft, r.subject_id) for r in seeds}
        s.execute(
            update(Review)
            .where(col(Review.id).in_([r.id for r in seeds]))
            .values(status="superseded")
        )
        next_id = s.exec(select(func.max(Draft.id))).one() + 1
        now = rt.now()
        drafts, revs = [], []
        for i in range(n):
            seed = seeds[i % len(seeds)]
            d = templates[seed.subject_id].model_dump()
            d.update(id=next_id + i, trigger_key=f"bench-{i}", status="review")
            drafts.append(d)
            revs.append(
                Review(
                    kind="draft",
                    subject_id=next_id + i,
                    agent_id=seed.agent_id,
                    owner=seed.owner,
                    channel=f"C0BENCH{i % channels:03d}",
                    content_hash=seed.content_hash,
                    reasons=seed.reasons,
                    created_at=now,
                    remind_at=now + timedelta(days=2),
                    expires_at=now + timedelta(days=3),
                ).model_dump(exclude={"id"})
            )
        for start in range(0, n, 2000):
            s.execute(insert(Draft.__table__), drafts[start : start + 2000])
            s.execute(insert(Review.__table__), revs[start : start + 2000])
    with rt.db.session() as s:
        q = select(Review.id).where(Review.status == "open", col(Review.message_ts) == "")
        return list(s.exec(q))


def max_in_window(times: list[float], window: float = 1.0) -> int:
    """The most events in any half-open window [t, t + window)."""
    times = sorted(times)
    best, lo = 0, 0
    for hi, t in enumerate(times):
        while t - times[lo] >= window:
            lo += 1
        best = max(best, hi - lo + 1)
    return best


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reviews", type=int, default=10_000)
    ap.add_argument("--channels", type=int, default=50)
    ap.add_argument("--fault-rate", type=float, default=0.10)
    ap.add_argument("--retry-after", type=int, default=1)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--database-url", default=PG_DEFAULT, help="a PostgreSQL URL, or sqlite")
    args = ap.parse_args()

    from sqlmodel import func, select

    from bot.cli.scaffold import init
    from bot.review import lifecycle as reviews
    from bot.runtime import Runtime
    from bot.settings import Settings
    from handlers.slack_clients import posting_client
    from handlers.slack_humans import SlackHumans
    from storage.models import Review
    from tests.conftest import unpaced

    print(f"machine: {machine()}")
    ctx = multiprocessing.get_context("spawn")
    conn, child = ctx.Pipe()
    proc = ctx.Process(
        target=_slack_process,
        args=(child, args.fault_rate, args.retry_after, args.seed),
        daemon=True,
    )
    proc.start()
    slack_url = conn.recv()

    home = Path(tempfile.mkdtemp(prefix="twoloop-post-bench-"))
    pg = None
    try:
        init(home)
        unpaced(home)
        if args.database_url == "sqlite":
            db_url = f"sqlite:///{home / 'twoloop.db'}"
        else:
            sys.path.insert(0, str(ROOT / "benchmarks"))
            from ack_latency import PgSchema

            pg = PgSchema(args.database_url)
            db_url = pg.url
        settings = Settings(
            TWOLOOP_HOME=home,
            DATABASE_URL=db_url,
            SLACK_BOT_TOKEN="xoxb-bench-token",
            SLACK_API_URL=slack_url,
            _env_file=None,
        )
        rt = Runtime(settings)
        rt.db.upgrade()
        from bot.intake.importer import load

        load(rt.db, sorted((home / "data").iterdir()))
        ids = make_backlog(rt, args.reviews, args.channels)
        print(
            f"backlog: {len(ids)} open reviews over {args.channels} channels "
            f"({rt.db.dialect}); fake Slack fails {args.fault_rate:.0%} of chat.postMessage "
            f"(429 with Retry-After {args.retry_after}s, or 500), seed {args.seed}"
        )
        rt.humans = SlackHumans(
            None, posting=posting_client(settings), post_interval=settings.slack_post_interval
        )

        started = time.monotonic()
        runs = 0
        while True:
            run_start = time.monotonic()
            reviews.post_pending(rt, budget=JOB_BUDGET)
            runs += 1
            with rt.db.session() as s:
                left = s.exec(
                    select(func.count())
                    .select_from(Review)
                    .where(Review.status == "open", Review.message_ts == "")
                ).one()
            elapsed = time.monotonic() - started
            if runs % 6 == 0 or not left:
                print(f"  {elapsed:6.0f}s  {len(ids) - left} posted, {left} to go", flush=True)
            if not left:
                break
            time.sleep(max(0.0, JOB_EVERY - (time.monotonic() - run_start)))
        total = time.monotonic() - started

        conn.send("report")
        calls = conn.recv()
        with rt.db.session() as s:
            rows = {
                r.id: r
                for r in s.exec(select(Review).where(Review.id.in_(ids)))  # type: ignore[union-attr]
            }
    finally:
        proc.join(10)
        if pg is not None:
            pg.drop()
        shutil.rmtree(home, ignore_errors=True)

    statuses = Counter(status for _, _, status, *_ in calls)
    by_channel_all: dict[str, list[float]] = defaultdict(list)
    by_channel_ok: dict[str, list[float]] = defaultdict(list)
    accepted: dict[int, list[str]] = defaultdict(list)
    for channel, at, status, ok, review_id, ts in calls:
        by_channel_all[channel].append(at)
        if status == 200 and ok:
            by_channel_ok[channel].append(at)
            accepted[review_id].append(ts)
    worst_all = max(max_in_window(t) for t in by_channel_all.values())
    worst_ok = max(max_in_window(t) for t in by_channel_ok.values())
    gaps = [
        b - a
        for t in by_channel_all.values()
        for a, b in zip(sorted(t), sorted(t)[1:], strict=False)
    ]
    unposted = [i for i in ids if not rows[i].message_ts]
    doubled = [i for i, v in accepted.items() if len(v) > 1]
    missing = [i for i in ids if i not in accepted]
    mismatched = [i for i in ids if accepted.get(i) and rows[i].message_ts != accepted[i][0]]
    attempts = sum(r.post_attempts for r in rows.values())

    print(f"total time: {total:.1f} s for {len(ids)} cards ({len(ids) / total:.1f} cards/s)")
    print(
        f"chat.postMessage calls: {len(calls)} (200: {statuses[200]}, 429: {statuses[429]}, "
        f"500: {statuses[500]}); retries: {len(calls) - len(ids)}; post_attempts recorded: "
        f"{attempts}"
    )
    print(
        f"most calls to one channel in any 1 s window: {worst_all} (accepted posts: "
        f"{worst_ok}); smallest gap between two calls in one channel: {min(gaps):.3f} s"
    )
    print(
        f"lost: {len(unposted)} without message_ts, {len(missing)} never accepted; "
        f"doubled: {len(doubled)}; ts mismatches: {len(mismatched)}"
    )
    ok = worst_all <= 1 and not (unposted or missing or doubled or mismatched)
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
