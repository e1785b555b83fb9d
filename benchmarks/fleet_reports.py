"""Fleet status, the daily digest and the tuning report over a year of a 40-agent fleet.

    .venv/bin/python benchmarks/fleet_reports.py                    # 1,000,000 decisions, SQLite
    .venv/bin/python benchmarks/fleet_reports.py --rows 50000       # a quick check
    .venv/bin/python benchmarks/fleet_reports.py --database-url postgresql://postgres@127.0.0.1/test

Seeds --rows decisions (each with its draft and review; approvals and edits with their sent
message) and --rows audit events over 365 days for 40 agents, with config versions that
change every few weeks and edits that remove and add real phrases; then times, as medians of
--runs repetitions: fleet status (what `/twoloop status` shows), the daily digest
(`bot.reports.digest.digest_for`) and the tuning report (`bot.reports.tuning.build`, all agents and one).
Target (issue 6): each <= 1 s. Rows go in through the driver directly (executemany on SQLite,
COPY on PostgreSQL) in large batches; on PostgreSQL everything lives in a schema of its own,
dropped afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

AGENTS = 40
DAYS = 365
BATCH = 50_000
ACTIONS = ["approve"] * 55 + ["edit"] * 20 + ["kill"] * 15 + ["defer"] * 10
KILLS = ["off_brand"] * 4 + ["wrong_account"] * 3 + ["bad_timing"] * 2 + ["factual_error", "other"]
OPENERS = [
    "I hope this email finds you well.",
    "I wanted to reach out because",
    "Quick question for you.",
    "Congrats on the recent news!",
]
REPLACEMENTS = ["Saw the news about {co}.", "", "Short one:", "Noticed {co} is hiring."]
EMPTY_LIST: list = []
EMPTY_DICT: dict = {}
REASONS = [{"code": "probation", "text": "agent on probation"}]
REVIEW_REASONS = ["agent on probation"]
CONSTANTS = (EMPTY_LIST, EMPTY_DICT, REASONS, REVIEW_REASONS)
AUDIT = [
    ("agent", "draft.review", "draft"),
    ("system", "review.opened", "review"),
    ("user", "decision.approve", "review"),
    ("user", "decision.kill", "review"),
    ("system", "outbox.queued", "draft"),
    ("system", "outbox.sent", "draft"),
    ("contact", "inbound.human", "inbound"),
    ("agent", "tick", "agent"),
]


def new_schema(database_url: str) -> tuple[str, str, str]:
    """A PostgreSQL schema of the benchmark's own: (its URL, its name, the base URL)."""
    import psycopg

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    base = database_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options=-csearch_path%3D{schema}", schema, base


def machine() -> str:
    model = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} cores, Python {platform.python_version()}"


def make_home(root: Path) -> Path:
    from bot.cli.scaffold import init

    home = root / "home"
    init(home, force=True)
    agents = home / "agents"
    template = (agents / "data-platform.md").read_text()
    for path in agents.glob("*.md"):
        path.unlink()
    for i in range(AGENTS):
        (agents / f"agent-{i:02d}.md").write_text(template)
    return home


class Writer:
    """Rows straight into the driver: executemany on SQLite, COPY on PostgreSQL."""

    def __init__(self, engine):
        self.raw = engine.raw_connection()
        self.pg = engine.dialect.name == "postgresql"
        self.columns: dict[str, list[str]] = {}

    _dumped: dict[int, str] = {}

    def _json(self, v) -> str:
        """Constant JSON values (the same object on every row) are serialised once."""
        if any(v is c for c in CONSTANTS):
            got = self._dumped.get(id(v))
            if got is None:
                got = self._dumped[id(v)] = json.dumps(v)
            return got
        return json.dumps(v)

    def _sqlite_value(self, v):
        if v is None or isinstance(v, (str, int, float)):
            return int(v) if isinstance(v, bool) else v
        if isinstance(v, datetime):  # SQLAlchemy's SQLite format for (UTC) datetimes
            return v.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
        if isinstance(v, date):
            return v.isoformat()
        return self._json(v)

    def write(self, table, rows) -> int:
        """`rows` yields dicts with every column of `table` (a schema change fails loudly)."""
        names = [c.name for c in table.columns]
        total, batch = 0, []
        for row in rows:
            if not batch and set(row) != set(names):
                raise SystemExit(f"{table.name}: seed columns {sorted(row)} != table {names}")
            batch.append(row)
            if len(batch) >= BATCH:
                total += self._flush(table.name, names, batch)
                batch = []
        if batch:
            total += self._flush(table.name, names, batch)
        return total

    def _flush(self, name: str, names: list[str], batch: list[dict]) -> int:
        conn = self.raw.driver_connection
        if self.pg:
            cols = ", ".join(f'"{n}"' for n in names)
            with conn.cursor() as cur, cur.copy(f'COPY "{name}" ({cols}) FROM STDIN') as copy:
                for row in batch:
                    copy.write_row(
                        [
                            self._json(row[n]) if isinstance(row[n], (dict, list)) else row[n]
                            for n in names
                        ]
                    )
            conn.commit()
        else:
            marks = ", ".join("?" for _ in names)
            cur = conn.cursor()
            cur.execute("BEGIN")
            cur.executemany(
                f'INSERT INTO "{name}" ({", ".join(names)}) VALUES ({marks})',
                [tuple(self._sqlite_value(row[n]) for n in names) for row in batch],
            )
            cur.execute("COMMIT")
        return len(batch)

    SEEDED = ("draft", "review", "decision", "outboxmessage", "inboundmessage", "auditevent")

    def drop_indexes(self) -> list[str]:
        """Bulk loads go faster into bare tables; the same indexes are built once afterwards."""
        conn = self.raw.driver_connection
        cur = conn.cursor()
        names = ", ".join(f"'{t}'" for t in self.SEEDED)
        if self.pg:
            cur.execute(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = "
                f"current_schema() AND i.tablename IN ({names}) AND i.indexname NOT IN "
                "(SELECT conname FROM pg_constraint)"
            )
        else:
            cur.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                f"AND tbl_name IN ({names})"
            )
        found = cur.fetchall()
        for name, _ in found:
            cur.execute(f'DROP INDEX "{name}"')
        if self.pg:
            conn.commit()
        else:
            cur.execute("PRAGMA synchronous=OFF")
        return [sql for _, sql in found]

    def create_indexes(self, ddl: list[str]) -> None:
        conn = self.raw.driver_connection
        cur = conn.cursor()
        for sql in ddl:
            cur.execute(sql)
        if self.pg:
            conn.commit()
        else:
            cur.execute("PRAGMA synchronous=NORMAL")

    def close(self) -> None:
        self.raw.close()


def version(agent: int, day: int) -> str:
    """An agent's config version on a day: its markdown changes every 2-5 weeks."""
    period = 14 + 7 * (agent % 4)
    return f"{agent:02d}{(day + 3 * agent) // period:04d}cafe00"[:12]


def seed(db, rows: int, now: datetime, rnd: random.Random) -> dict[str, int]:
    from storage.models import (
        Account,
        AuditEvent,
        Contact,
        Decision,
        Draft,
        InboundMessage,
        OutboxMessage,
        Review,
    )

    w = Writer(db.engine)
    indexes = w.drop_indexes()
    start = now - timedelta(days=DAYS)
    n_accounts = 4000
    counts: dict[str, int] = {}

    def accounts():
        for i in range(n_accounts):
            yield {
                "id": f"acc-{i}",
                "name": f"Company {i}",
                "domain": f"company{i}.example",
                "industry": "software",
                "employees": 100 + i,
                "country": "US",
                "owner_am": f"U{i % AGENTS:04d}",
                "customer_status": "prospect",
                "do_not_contact": False,
                "am_notes": "",
                "open_deal": "",
                "last_thread": "",
                "last_touch_at": None,
            }

    def contacts():
        for i in range(n_accounts):
            yield {
                "id": f"con-{i}",
                "account_id": f"acc-{i}",
                "first_name": "Ana",
                "last_name": f"Lee{i}",
                "email": f"ana{i}@company{i}.example",
                "title": "Head of Data",
                "timezone": "",
                "do_not_contact": False,
                "last_touch_at": None,
            }

    counts["account"] = w.write(Account.__table__, accounts())
    counts["contact"] = w.write(Contact.__table__, contacts())

    # One plan per decision, shared by the draft, review, decision and outbox generators.
    open_per_agent = 10
    total = rows + AGENTS * open_per_agent
    plan = []
    for i in range(total):
        is_open = i >= rows
        agent = rnd.randrange(AGENTS) if not is_open else (i - rows) % AGENTS
        decided = (
            start + timedelta(seconds=DAYS * 86400 * (i + rnd.random()) / rows)
            if not is_open
            else now - timedelta(hours=rnd.uniform(0, 40))
        )
        created = decided - timedelta(hours=rnd.uniform(0.2, 30))
        action = "" if is_open else rnd.choice(ACTIONS)
        acc = rnd.randrange(n_accounts)
        opener = rnd.choice(OPENERS)
        plan.append((i + 1, agent, created, decided, action, acc, opener))

    def body(acc: int, opener: str) -> str:
        return (
            f"Hi Ana,\n\n{opener} Company {acc} is hiring data engineers, and teams at that "
            "stage usually find their pipelines break as they grow. We help data teams keep "
            "pipelines reliable without adding headcount.\n\nWorth a call next week?\n"
        )

    def drafts():
        for did, agent, created, decided, action, acc, opener in plan:
            day = (created - start).days
            yield {
                "id": did,
                "agent_id": f"agent-{agent:02d}",
                "account_id": f"acc-{acc}",
                "contact_id": f"con-{acc}",
                "play_id": "hiring-data-engineers",
                "capability_id": "pipelines",
                "trigger_key": f"bench:{did}",
                "subject": f"Pipelines at Company {acc}",
                "body": body(acc, opener),
                "facts": EMPTY_LIST,
                "signal_ids": EMPTY_LIST,
                "match": EMPTY_DICT,
                "personalization": round(rnd.random(), 3),
                "confidence": round(rnd.betavariate(5, 2), 4),
                "tokens": 0,
                "followups": EMPTY_LIST,
                "explain": EMPTY_DICT,
                "config_version": version(agent, day),
                "gate_outcome": "review",
                "gate_reasons": REASONS,
                "status": {
                    "": "review",
                    "approve": "sent",
                    "edit": "sent",
                    "kill": "killed",
                    "defer": "deferred",
                }[action],
                "deferred_until": None,
                "created_at": created,
                "updated_at": decided,
            }

    def reviews():
        for did, agent, created, decided, action, _acc, _op in plan:
            yield {
                "id": did,
                "kind": "draft",
                "subject_id": did,
                "agent_id": f"agent-{agent:02d}",
                "owner": f"U{agent:04d}",
                "channel": f"C{agent:04d}",
                "content_hash": "h",
                "reasons": REVIEW_REASONS,
                "status": "decided" if action else "open",
                "outcome": action,
                "decided_by": f"U{agent:04d}" if action else "",
                "decided_at": decided if action else None,
                "message_ts": f"{did}.0001",
                "posted_at": created,
                "post_attempts": 1,
                "next_post_at": None,
                "post_error": "",
                "created_at": created,
                "remind_at": created + timedelta(hours=57),
                "reminded_at": None,
                "expires_at": created + timedelta(hours=72),
            }

    def decisions():
        for did, agent, created, decided, action, acc, opener in plan:
            if not action:
                continue
            before = body(acc, opener)
            after = ""
            if action == "edit":
                new = rnd.choice(REPLACEMENTS).format(co=f"Company {acc}")
                after = before.replace(opener, new).replace("Worth a call", "Open to a chat")
            yield {
                "id": did,
                "review_id": did,
                "kind": "draft",
                "draft_id": did,
                "play_version_id": None,
                "agent_id": f"agent-{agent:02d}",
                "action": action,
                "reason_code": rnd.choice(KILLS) if action == "kill" else "",
                "reason_text": "",
                "before_subject": f"Pipelines at Company {acc}",
                "before_body": before,
                "after_subject": f"Company {acc} pipelines" if action == "edit" else "",
                "after_body": after,
                "defer_until": (decided + timedelta(days=7)).date() if action == "defer" else None,
                "actor": f"U{agent:04d}",
                "config_version": version(agent, (created - start).days),
                "decided_at": decided,
            }

    def outbox():
        for did, agent, _created, decided, action, acc, _op in plan:
            if action not in ("approve", "edit"):
                continue
            sent = decided + timedelta(minutes=rnd.uniform(1, 600))
            yield {
                "id": did,
                "draft_id": did,
                "step": 0,
                "agent_id": f"agent-{agent:02d}",
                "contact_id": f"con-{acc}",
                "message_id": f"<{did}.bench@northwind.example>",
                "in_reply_to": "",
                "thread_refs": "",
                "from_addr": f"agent{agent:02d}@northwind.example",
                "to_addr": f"ana{acc}@company{acc}.example",
                "subject": f"Pipelines at Company {acc}",
                "body": "(as approved)",
                "status": "sent" if sent < now else "queued",
                "attempts": 1,
                "next_attempt_at": sent,
                "claimed_at": None,
                "claimed_by": "",
                "last_error": "",
                "created_at": decided,
                "sent_at": sent if sent < now else None,
            }

    def inbound():
        n = 0
        for did, agent, _created, decided, action, acc, _op in plan:
            if action not in ("approve", "edit") or rnd.random() > 0.04:
                continue
            n += 1
            yield {
                "id": n,
                "message_id": f"<r{did}.bench@company{acc}.example>",
                "in_reply_to": f"<{did}.bench@northwind.example>",
                "thread_refs": "",
                "from_addr": f"ana{acc}@company{acc}.example",
                "subject": "Re: Pipelines",
                "text": "Interesting, tell me more.",
                "received_at": min(now, decided + timedelta(days=1)),
                "source": "bench",
                "kind": "human",
                "intent": rnd.choice(["interested", "not_now", "question", "not_interested"]),
                "triggers": EMPTY_LIST,
                "confidence": 0.8,
                "route": "review",
                "action": "",
                "detail": EMPTY_DICT,
                "outbox_id": did,
                "draft_id": did,
                "contact_id": f"con-{acc}",
                "agent_id": f"agent-{agent:02d}",
            }

    def audit():
        for i in range(rows):
            at = start + timedelta(seconds=DAYS * 86400 * (i + rnd.random()) / rows)
            agent = rnd.randrange(AGENTS)
            who, action, kind = rnd.choice(AUDIT)
            actor = {
                "agent": f"agent:agent-{agent:02d}",
                "system": "system",
                "user": f"user:U{agent:04d}",
                "contact": f"contact:con-{i % n_accounts}",
            }[who]
            yield {
                "id": i + 1,
                "at": at,
                "actor": actor,
                "action": action,
                "subject": f"{kind}:{i % 100000}",
                "agent_id": f"agent-{agent:02d}",
                "detail": {"draft": i % 100000, "reason": ""},
                "config_version": version(agent, (at - start).days),
            }

    for name, table, gen in (
        ("draft", Draft.__table__, drafts),
        ("review", Review.__table__, reviews),
        ("decision", Decision.__table__, decisions),
        ("outboxmessage", OutboxMessage.__table__, outbox),
        ("inboundmessage", InboundMessage.__table__, inbound),
        ("auditevent", AuditEvent.__table__, audit),
    ):
        t0 = time.perf_counter()
        counts[name] = w.write(table, gen())
        print(
            f"  {name:16} {counts[name]:>9,} rows in {time.perf_counter() - t0:6.1f} s", flush=True
        )
    t0 = time.perf_counter()
    w.create_indexes(indexes)
    print(f"  {len(indexes)} indexes rebuilt in {time.perf_counter() - t0:.1f} s", flush=True)
    w.close()
    if db.dialect == "postgresql":
        with db.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
    else:
        with db.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
    return counts


def median_time(fn, runs: int) -> tuple[float, list[float]]:
    fn()  # warm: the first call pays for imports and the agent files
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), times


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000, help="decisions and audit events")
    ap.add_argument("--runs", type=int, default=5, help="timed repetitions (median reported)")
    ap.add_argument("--database-url", help="PostgreSQL URL (default: a SQLite file)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder / schema")
    ap.add_argument(
        "--reuse", type=Path, help="time again over a SQLite folder kept by --keep (no seeding)"
    )
    args = ap.parse_args()
    if args.runs < 5:
        ap.error("--runs: at least 5 repetitions for a median")

    import psycopg

    from bot.reports import status, tuning
    from bot.runtime import Runtime
    from bot.settings import Settings

    if args.reuse:
        args.keep = True
        root, home = args.reuse, args.reuse / "home"
        if not (root / "twoloop.db").is_file():
            ap.error(f"--reuse: no twoloop.db in {root}")
    else:
        root = Path(tempfile.mkdtemp(prefix="twoloop-reports-"))
        home = make_home(root)
    url, schema, base = f"sqlite:///{root / 'twoloop.db'}", None, ""
    if args.database_url and not args.reuse:
        url, schema, base = new_schema(args.database_url)
    print(f"machine: {machine()}")
    print(f"database: {'PostgreSQL' if schema else 'SQLite'}; {args.rows:,} decisions and events")
    rt = None
    try:
        rt = Runtime(Settings(TWOLOOP_HOME=home, DATABASE_URL=url, _env_file=None))
        rt.db.upgrade()
        now = rt.now()
        if not args.reuse:
            t0 = time.perf_counter()
            seed(rt.db, args.rows, now, random.Random(7))
            print(f"seeded in {time.perf_counter() - t0:.1f} s")
        try:
            from bot.reports.digest import digest_for
        except ImportError:  # the digest lands with its own change
            digest_for = None
        today = now.date()
        cases = [
            ("fleet status (bot.reports.status.fleet)", lambda: status.fleet(rt)),
            ("daily digest (bot.reports.digest.digest_for)", (lambda: digest_for(rt, today))),
            ("tuning report, all agents (bot.reports.tuning.build)", lambda: tuning.build(rt)),
            ("tuning report, one agent", lambda: tuning.build(rt, "agent-07")),
        ]
        worst = 0.0
        for label, fn in cases:
            if label.startswith("daily digest") and digest_for is None:
                print(f"  {label:48} skipped: bot.reports.digest is not there yet")
                continue
            med, times = median_time(fn, args.runs)
            worst = max(worst, med)
            spread = ", ".join(f"{t * 1000:.0f}" for t in times)
            verdict = "ok" if med <= 1.0 else "OVER 1 s"
            print(f"  {label:48} median {med * 1000:7.1f} ms  ({spread} ms)  {verdict}")
        report = tuning.build(rt)
        print(
            f"tuning report read {report.edits_read} edits, {len(report.kill_reasons)} kill "
            f"reasons, {sum(w.rates.decisions for w in report.fleet):,} decisions in "
            f"{len(report.weeks)} weeks; top removed: "
            f"{report.removed[0].text if report.removed else '-'!r}"
        )
        return 0 if worst <= 1.0 else 1
    finally:
        if rt is not None:
            rt.db.dispose()
        if schema and not args.keep:
            with psycopg.connect(base, autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
        else:
            print(f"kept {root}" + (f" and schema {schema}" if schema else ""))


if __name__ == "__main__":
    sys.exit(main())
