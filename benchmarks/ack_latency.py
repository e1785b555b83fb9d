"""How fast is a review-card button click acknowledged in HTTP mode?

Requirements: in HTTP mode a button click is acknowledged (ack and hand-off, not the send) with
p99 under 100 ms at 50 concurrent clicks on a 2-core machine (issue 2), and at most 100 ms at
200 concurrent interaction requests (issue 7: `--concurrency 200`).

Run it from the repository root (about a minute a run, most of it posting the cards):

    .venv/bin/python benchmarks/ack_latency.py [--runs 2] [--concurrency 50] [--requests 2000]
    .venv/bin/python benchmarks/ack_latency.py --database-url postgresql://postgres@127.0.0.1/test
    .venv/bin/python benchmarks/ack_latency.py --pattern waves   # bursts of 50, not sustained

Setup is the tests', bigger: a temp TWOLOOP_HOME from `twoloop init` with unpaced mailboxes,
extra sample data (one account hiring data engineers, with a "Head of Data", per card), the
data-platform agent's daily cap raised so one tick drafts them all, SQLite in the home (or
PostgreSQL with --database-url, in a schema of its own), the fake Slack Web API from
tests/fakes/slack_api.py and `handlers.hosting.serve.Service(port=0, scheduler=False, work_process=True)` in
this process: acks here, decisions and sends in its work process, as `twoloop serve` runs them
(--work thread keeps them in this process). Plays are approved, one tick drafts, the cards are posted. Then `--concurrency` closed-loop clients
(each sends its next click when the last one is acked; latency runs from the request's write,
with the requests built and signed beforehand) POST signed `block_actions` payloads to
/slack/events on loopback: mostly Approve on distinct cards, plus repeated clicks on decided
cards, clicks by a non-owner and Edit / Defer / Kill clicks that open a modal. Latency is the
time until the HTTP 200 (the ack), measured by the client; throughput is acks per second.

Slack is not on the server's machine, so by default neither the clients (asyncio, ~0.1 ms of CPU
a click) nor the fake Web API run in the server's process: there they would share its GIL and
bill their work to it (--client httpx | inprocess and --slack inprocess put them back). They
still share the 2 cores, as does anything else running: the CPU each used is printed.

After the load the script waits for the decisions and the outbox to drain and checks that
every click had exactly one visible effect (a decision, an ephemeral or a modal), that
decisions == distinct approved cards, and that no draft was emailed twice.

Exit code: 0 unless something is functionally wrong (a non-200, a duplicate email, an
inconsistent count); a p99 over target is reported, not failed.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import logging
import multiprocessing
import os
import platform
import random
import re
import shutil
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from email import message_from_bytes
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import psycopg  # noqa: E402
import yaml  # noqa: E402
from sqlalchemy import func  # noqa: E402
from sqlmodel import select  # noqa: E402

from bot.agent import loop  # noqa: E402
from bot.cli.scaffold import init  # noqa: E402
from bot.intake.importer import load  # noqa: E402
from bot.mail.outbound import outbox  # noqa: E402
from bot.review import lifecycle as reviews  # noqa: E402
from bot.settings import Settings  # noqa: E402
from handlers.hosting.serve import Service  # noqa: E402
from handlers.ids import APPROVE, DEFER, EDIT, KILL  # noqa: E402
from storage.models import Decision, OutboxMessage, Review  # noqa: E402
from tests.conftest import approve_plays, unpaced  # noqa: E402
from tests.fakes import slack_api as fake_slack  # noqa: E402
from tests.fakes.slack_requests import SIGNING_SECRET, block_action, interaction_body, sign  # noqa: E402

TARGET_P99_MS = 100.0
OPERATOR = "U0OPERATOR1"
STRANGER = "U0STRANGER1"
OWNER = "U0AMDANA01"  # owner of the data-platform agent in the starter config
MODAL_BUTTONS = (EDIT, DEFER, KILL)
ALL_BUTTONS = (APPROVE, *MODAL_BUTTONS)
# Share of clicks of each kind; the rest are Approve clicks by the owner on distinct cards.
MIX = {"repeat": 0.08, "stranger": 0.05, "modal": 0.07}
CLIENTS = {
    "raw": "asyncio HTTP/1.1 keep-alive in a separate process",
    "httpx": "httpx.Client threads in a separate process",
    "inprocess": "httpx.Client threads in the server's process",
}
RESERVED_CARDS = 60  # cards that are never approved: strangers and modal clicks land there


# --------------------------------------------------------------------------- setup


def machine() -> str:
    cpus = os.cpu_count()
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        usable = cpus
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        found = re.search(r"^model name\s*:\s*(.+)$", cpuinfo.read_text(), re.M)
        model = found.group(1).strip() if found else ""
    return (
        f"{cpus} CPUs ({usable} usable){', ' + model if model else ''}; "
        f"Python {platform.python_version()} ({platform.python_implementation()}); "
        f"{platform.platform()}"
    )


def machine_busy() -> float:
    """CPU seconds all processes on the machine have used since boot (0 if unknown)."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    except OSError:
        return 0.0
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def write_sample_data(home: Path, accounts: int) -> None:
    """`accounts` more prospects for the data-platform agent, one card each."""
    data = home / "data"
    day = time.strftime("%Y-%m-%dT09:00:00Z", time.gmtime(time.time() - 3 * 86400))
    acc = [
        "id,name,domain,industry,employees,country,owner_am,customer_status,do_not_contact,"
        "tech,am_notes,open_deal,last_thread,last_touch_at"
    ]
    con = ["id,account_id,first_name,last_name,email,title,do_not_contact"]
    sig = ["account_id,kind,summary,detail,source,url,observed_at"]
    for i in range(accounts):
        aid = f"bench{i:05d}"
        domain = f"{aid}.example"
        acc.append(
            f"{aid},Bench {i} Analytics,{domain},software,{200 + i % 800},GB,{OWNER},"
            f"prospect,false,Airflow,,,,"
        )
        con.append(f"c-{aid},{aid},Alex{i},Doe,alex{i}@{domain},Head of Data,false")
        sig.append(
            f"{aid},hiring,Bench {i} Analytics is hiring two data engineers,Data Engineer,"
            f"jobs feed,https://{domain}/careers,{day}"
        )
    for name, rows in (("accounts", acc), ("contacts", con), ("signals", sig)):
        (data / f"{name}-bench.csv").write_text("\n".join(rows) + "\n")


def raise_caps(home: Path, cap: int) -> None:
    """Let the data-platform agent draft `cap` a day, and its mailboxes send that many at any
    hour with no gap (the tests' `unpaced`): pacing is not what is measured here."""
    spec = home / "agents" / "data-platform.md"
    text, n = re.subn(r"^daily_cap: \d+", f"daily_cap: {cap}", spec.read_text(), flags=re.M)
    if n != 1:
        raise SystemExit(f"could not find daily_cap in {spec}")
    spec.write_text(text)
    unpaced(home)
    path = home / "mailboxes.yml"
    data = yaml.safe_load(path.read_text())
    for mailbox in data["mailboxes"]:
        mailbox["daily_cap"] = max(int(mailbox.get("daily_cap") or 0), cap)
    path.write_text(yaml.safe_dump(data, sort_keys=False))


class PgSchema:
    """A PostgreSQL schema of its own for one run (the pattern tests/conftest.py uses)."""

    def __init__(self, url: str):
        self.base = url
        self.schema = f"bench_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.base, autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{self.schema}"')
        sep = "&" if "?" in url else "?"
        self.url = f"{url}{sep}options=-csearch_path%3D{self.schema}"

    def drop(self) -> None:
        with psycopg.connect(self.base, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{self.schema}" CASCADE')


@dataclass(frozen=True)
class Card:
    review_id: int
    content_hash: str
    owner: str
    channel: str

    @property
    def value(self) -> str:
        return f"{self.review_id}:{self.content_hash}"


@dataclass(frozen=True)
class Click:
    kind: str  # approve | repeat | stranger | modal
    user: str
    action_id: str
    value: str
    channel: str


@dataclass
class Plan:
    warmup: list[Click]
    measure: list[Click]
    approved: set[str] = field(default_factory=set)  # card values with an authorized Approve


def build_plan(cards: list[Card], warmup: int, requests: int, lag: int, seed: int) -> Plan:
    """Clicks in send order. Repeats only hit cards approved at least `lag` clicks earlier."""
    rng = random.Random(seed)
    reserved, fresh = cards[:RESERVED_CARDS], cards[RESERVED_CARDS:]
    clicks: list[Click] = []
    approved_at: list[tuple[int, Card]] = []
    approved: set[str] = set()
    for i in range(warmup + requests):
        roll, kind = rng.random(), "approve"
        for name, share in MIX.items():
            if roll < share:
                kind = name
                break
            roll -= share
        old = [c for at, c in approved_at if at <= i - lag]
        if kind == "repeat" and old:
            card = rng.choice(old)
            user = rng.choice((card.owner, OPERATOR))
            clicks.append(Click(kind, user, rng.choice(ALL_BUTTONS), card.value, card.channel))
        elif kind == "stranger":
            card = rng.choice(reserved)
            clicks.append(Click(kind, STRANGER, rng.choice(ALL_BUTTONS), card.value, card.channel))
        elif kind == "modal":
            card = rng.choice(reserved)
            clicks.append(
                Click(kind, card.owner, rng.choice(MODAL_BUTTONS), card.value, card.channel)
            )
        else:
            if not fresh:
                raise SystemExit("not enough cards for the plan; raise --cards")
            card = fresh.pop(0)
            approved_at.append((i, card))
            approved.add(card.value)
            clicks.append(Click("approve", card.owner, APPROVE, card.value, card.channel))
    return Plan(clicks[:warmup], clicks[warmup:], approved)


def cards_needed(warmup: int, requests: int) -> int:
    approve_share = 1.0 - sum(MIX.values())
    return RESERVED_CARDS + int((warmup + requests) * (approve_share + 0.05)) + 50


class GcPauses:
    """Collections of the cyclic garbage collector in this (the server's) process: every
    thread stops while one runs."""

    def __init__(self) -> None:
        self.count = [0, 0, 0]
        self.total = [0.0, 0.0, 0.0]
        self.longest = 0.0
        self._t0 = 0.0
        self.on = False

    def __call__(self, phase: str, info: dict) -> None:
        if not self.on:
            return
        if phase == "start":
            self._t0 = time.perf_counter()
            return
        took = time.perf_counter() - self._t0
        gen = info["generation"]
        self.count[gen] += 1
        self.total[gen] += took
        self.longest = max(self.longest, took)

    def start(self) -> None:
        self.__init__()
        self.on = True

    def line(self) -> str:
        per = ", ".join(f"gen{g} {self.count[g]}x {self.total[g] * 1000:.0f} ms" for g in range(3))
        return f"{per}; longest pause {self.longest * 1000:.0f} ms"


GC = GcPauses()


# --------------------------------------------------------------------------- fake Slack


class Slack:
    """tests/fakes/slack_api.py, in this process or (default) in a process of its own: Slack's Web
    API is not on the server's machine, so its fake should not share the server's GIL."""

    def __init__(self, separate: bool):
        self.proc = None
        if separate:
            ctx = multiprocessing.get_context("spawn")
            self.conn, child = ctx.Pipe()
            self.proc = ctx.Process(target=_slack_process, args=(child,), daemon=True)
            self.proc.start()
            self.url = self.conn.recv()
            self.lock = threading.Lock()
        else:
            self.fake = fake_slack.start()
            self.url = self.fake.url

    def _ask(self, *msg):
        if self.proc is None:
            return _answer(self.fake, msg)
        with self.lock:
            self.conn.send(msg)
            return self.conn.recv()

    def count(self, method: str) -> int:
        return self._ask("count", method)

    def texts(self, method: str) -> list[str]:
        return self._ask("texts", method)

    def clear(self) -> None:
        self._ask("clear")

    def card_message(self) -> dict:
        """The last card posted, as Slack sends it back inside a click on one of its buttons."""
        return self._ask("card")

    def cpu(self) -> float:
        """CPU seconds the fake's process has used (0 when it shares the server's)."""
        return self._ask("cpu") if self.proc is not None else 0.0

    def stop(self) -> None:
        self._ask("stop")
        if self.proc is not None:
            self.proc.join(10)


def _answer(fake: fake_slack.FakeSlack, msg: tuple):
    cmd, *rest = msg
    if cmd == "count":
        return len(fake.of(rest[0]))
    if cmd == "texts":
        return [c.args.get("text", "") for c in fake.of(rest[0])]
    if cmd == "card":
        call = fake.of("chat.postMessage")[-1]
        blocks = call.args.get("blocks", [])
        blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
        return {"type": "message", "text": call.args.get("text", ""), "blocks": blocks}
    if cmd == "clear":
        with fake.lock:
            fake.calls.clear()
        return None
    if cmd == "cpu":
        return time.process_time()
    if cmd == "stop":
        fake.server.shutdown()
        fake.server.server_close()
        return None
    raise ValueError(cmd)


def _slack_process(conn) -> None:
    fake = fake_slack.start()
    conn.send(fake.url)
    while True:
        msg = conn.recv()
        conn.send(_answer(fake, msg))
        if msg[0] == "stop":
            return


# --------------------------------------------------------------------------- load


@dataclass
class LoadResult:
    latencies: list[float]  # seconds, in completion order
    statuses: Counter
    kinds: Counter
    wall: float
    errors: list[str]
    cpu: float = 0.0  # CPU seconds the client process spent sending (over `wall`)
    cpu_total: float = 0.0  # ... and in the whole call, connecting included
    starts: list[float] = field(default_factory=list)  # s after the first send, per latency
    connects: int = 0  # connections opened after the clock started


def run_load(
    client: str,
    url: str,
    clicks: list[Click],
    message: dict,
    concurrency: int,
    budget: float,
    gap: float,
) -> LoadResult:
    """Send `clicks`, each timed from its write until its response is read; stop early (and
    say so) after `budget` s. gap < 0: `concurrency` closed-loop clients share the queue.
    gap >= 0: waves of `concurrency` simultaneous clicks, the next `gap` s after the last ack."""
    cpu0 = time.process_time()
    if client == "raw":
        try:  # the lighter loop: the clients share the server's cores, Slack's would not
            import uvloop

            runner = uvloop.run
        except ImportError:
            runner = asyncio.run
        res = runner(_load_raw(url, clicks, message, concurrency, budget, gap))
    else:
        res = _load_httpx(url, clicks, message, concurrency, budget)
    res.cpu_total = time.process_time() - cpu0
    return res


def run_load_apart(*job) -> LoadResult:
    """`run_load` in the clients' own process, with no collector pauses: its heap holds
    everything the benchmark imported, and a full collection there (measured: ~100 ms) would
    be billed to the server's acks."""
    gc.collect()
    gc.freeze()
    gc.disable()
    try:
        return run_load(*job)
    finally:
        gc.enable()
        gc.unfreeze()


def payload(c: Click, message: dict) -> str:
    """A block_actions request as Slack sends it: with the whole message clicked in, blocks
    and all (a card's are a few kilobytes, and the ack parses them)."""
    click = block_action(c.user, c.action_id, c.value, c.channel)
    click["message"] = {**message, "ts": click["message"]["ts"]}
    click["state"] = {"values": {}}
    return interaction_body(click)


def _request(host: str, c: Click, message: dict) -> bytes:
    body = payload(c, message)
    head = "".join(f"{k}: {v}\r\n" for k, v in sign(body).items())
    data = body.encode()
    return (
        f"POST /slack/events HTTP/1.1\r\nHost: {host}\r\n{head}Content-Length: {len(data)}\r\n\r\n"
    ).encode() + data


async def _load_raw(
    url: str, clicks: list[Click], message: dict, concurrency: int, budget: float, gap: float
) -> LoadResult:
    """HTTP/1.1 keep-alive over asyncio streams: one thread, ~0.1 ms of client CPU a click, so
    the client neither queues on its own GIL nor takes much of the CPU the server needs."""
    hostport = url.split("://", 1)[1].rstrip("/")
    host, port = hostport.rsplit(":", 1)
    # Built and signed before the clock starts (a run lasts seconds; Slack allows 5 minutes),
    # so a wave's latencies are the server's and not the time to build the wave.
    wire = {id(c): _request(hostport, c, message) for c in clicks}
    it = iter(clicks)
    res = LoadResult([], Counter(), Counter(), 0.0, [])

    async def connect():
        return await asyncio.open_connection(host, int(port))

    async def exchange(conn, c: Click) -> tuple[int, bool, float]:
        reader, writer = conn
        t0 = time.perf_counter()
        writer.write(wire[id(c)])
        await writer.drain()
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        fields = {k.strip().lower(): v.strip() for k, _, v in (x.partition(":") for x in lines)}
        if "content-length" in fields:
            await reader.readexactly(int(fields["content-length"]))
            return status, fields.get("connection", "").lower() == "close", t0
        await reader.read()  # no length: the body runs to the end of the connection
        return status, True, t0

    async def click(slot: int, c: Click) -> None:
        t0 = time.perf_counter()
        try:
            if conns[slot] is None:
                res.connects += 1
                conns[slot] = await connect()
            async with asyncio.timeout(10.0):
                status, closed, t0 = await exchange(conns[slot], c)
        except (OSError, asyncio.IncompleteReadError, TimeoutError, ValueError) as exc:
            status, closed = 0, True
            res.errors.append(f"{type(exc).__name__}: {exc}")
        res.latencies.append(time.perf_counter() - t0)
        res.starts.append(t0 - start)
        res.statuses[status] += 1
        res.kinds[c.kind] += 1
        if closed and conns[slot] is not None:
            conns[slot][1].close()
            conns[slot] = None

    async def worker(slot: int) -> None:
        while time.monotonic() < deadline and (c := next(it, None)) is not None:
            await click(slot, c)

    async def waves() -> None:
        while time.monotonic() < deadline:
            wave = [c for _, c in zip(range(concurrency), it, strict=False)]
            if not wave:
                return
            await asyncio.gather(*(click(i, c) for i, c in enumerate(wave)))
            await asyncio.sleep(gap)

    async def primed():
        # A request answered without Bolt (405) proves the server has accepted the
        # connection, so fresh connections do not bill their accept to the first clicks.
        # Slack's requests reach the app through a proxy's kept-alive connections.
        conn = await connect()
        conn[1].write(f"GET /slack/events HTTP/1.1\r\nHost: {hostport}\r\n\r\n".encode())
        head = await conn[0].readuntil(b"\r\n\r\n")
        length = re.search(rb"(?i)content-length:\s*(\d+)", head)
        await conn[0].readexactly(int(length.group(1)) if length else 0)
        return conn

    conns = list(await asyncio.gather(*(primed() for _ in range(concurrency))))
    deadline = time.monotonic() + budget
    start, cpu0 = time.perf_counter(), time.process_time()
    if gap < 0:
        await asyncio.gather(*(worker(i) for i in range(concurrency)))
    else:
        await waves()
    res.wall, res.cpu = time.perf_counter() - start, time.process_time() - cpu0
    for conn in conns:
        if conn is not None:
            conn[1].close()
    if next(it, None) is not None:
        res.errors.append(f"time budget of {budget:.0f} s ran out before every click was sent")
    return res


def _load_httpx(
    url: str, clicks: list[Click], message: dict, concurrency: int, budget: float
) -> LoadResult:
    """What the tests do: one httpx.Client (keep-alive) per client thread."""
    lock = threading.Lock()
    it = iter(clicks)
    res = LoadResult([], Counter(), Counter(), 0.0, [])

    def client(http: httpx.Client) -> None:
        with http:
            while time.monotonic() < deadline:
                with lock:
                    c = next(it, None)
                if c is None:
                    return
                body = payload(c, message)
                headers = sign(body)
                t0 = time.perf_counter()
                try:
                    status = http.post("/slack/events", content=body, headers=headers).status_code
                except httpx.HTTPError as exc:
                    status = 0
                    with lock:
                        res.errors.append(f"{type(exc).__name__}: {exc}")
                dt = time.perf_counter() - t0
                with lock:
                    res.latencies.append(dt)
                    res.statuses[status] += 1
                    res.kinds[c.kind] += 1

    # Clients are built before the clock starts: each one builds an SSL context (~10 ms).
    https = [httpx.Client(base_url=url, timeout=10.0) for _ in range(concurrency)]
    deadline = time.monotonic() + budget
    start, cpu0 = time.perf_counter(), time.process_time()
    with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="click") as pool:
        for f in [pool.submit(client, http) for http in https]:
            f.result()
    res.wall, res.cpu = time.perf_counter() - start, time.process_time() - cpu0
    if next(it, None) is not None:
        res.errors.append(f"time budget of {budget:.0f} s ran out before every click was sent")
    return res


# --------------------------------------------------------------------------- one run


def pct(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of an ascending list."""
    if not sorted_values:
        return float("nan")
    rank = max(1, -(-len(sorted_values) * q // 100))
    return sorted_values[int(rank) - 1]


@dataclass
class RunResult:
    n: int
    p50: float
    p90: float
    p99: float
    max: float
    mean: float
    throughput: float
    ok: bool
    problems: list[str]
    lines: list[str]


def wait_for(check, timeout: float, poll: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(poll)
    return bool(check())


def one_run(
    args: argparse.Namespace, run_no: int, clients: ProcessPoolExecutor | None
) -> RunResult:
    tmp = Path(tempfile.mkdtemp(prefix="twoloop-bench-"))
    home = tmp / "home"
    pg = PgSchema(args.database_url) if args.database_url else None
    slack = Slack(separate=args.slack == "process")
    service = None
    lines: list[str] = []
    problems: list[str] = []
    try:
        t0 = time.perf_counter()
        init(home)
        n_cards = args.cards or cards_needed(args.warmup, args.requests)
        write_sample_data(home, n_cards)
        raise_caps(home, n_cards + 100)
        settings = Settings(
            TWOLOOP_HOME=home,
            DATABASE_URL=pg.url if pg else f"sqlite:///{home / 'twoloop.db'}",
            TWOLOOP_OPERATORS=OPERATOR,
            SLACK_BOT_TOKEN="xoxb-bench-token",
            SLACK_SIGNING_SECRET=SIGNING_SECRET,
            SLACK_API_URL=slack.url,
            TWOLOOP_SLACK_POST_INTERVAL=0,  # set-up posts every card at once, unpaced
            _env_file=None,
        )
        port = free_port() if args.workers > 1 else 0
        reuse = args.workers > 1
        service = Service(
            settings,
            port=port,
            scheduler=False,
            threads=args.threads,
            reuse_port=reuse,
            work_process=args.work == "process",
        )
        if args.acks_only:
            service.work.submit = drop
        load(service.rt.db, sorted((home / "data").iterdir()))
        service.start()
        approve_plays(service.rt)  # a new play is approved by a human before anything drafts
        loop.tick(service.rt)
        while reviews.post_pending(service.rt, limit=500):
            pass
        with service.rt.db.session() as s:
            rows = s.exec(
                select(Review)
                .where(Review.status == "open", Review.kind == "draft", Review.message_ts != "")
                .order_by(Review.id)
            ).all()
            cards = [Card(r.id, r.content_hash, r.owner, r.channel) for r in rows]
        # The starter's own cards (another agent, another owner) go first: reserved cards.
        plan = build_plan(cards, args.warmup, args.requests, 2 * args.concurrency, args.seed)
        setup = time.perf_counter() - t0
        lines.append(
            f"  setup: {len(cards)} cards posted in {setup:.1f} s "
            f"({'PostgreSQL' if pg else 'SQLite'})"
        )

        with service.rt.db.session() as s:
            decisions_before = s.exec(select(func.count()).select_from(Decision)).one()
        # The fake keeps every call it answered, blocks and all; from here on only the clicks'
        # effects count. (In --slack inprocess mode that heap is also the server's to collect.)
        message = slack.card_message()
        sample = payload(plan.measure[0], message) if plan.measure else ""
        lines.append(
            f"  click payloads carry the card's {len(message['blocks'])} blocks: "
            f"{len(sample):,} bytes a request body"
        )
        slack.clear()
        gc.collect()

        lib = "httpx" if args.client in ("httpx", "inprocess") else "raw"

        def submit(clicks: list[Click]) -> LoadResult:
            job = (lib, service.url, clicks, message, args.concurrency, args.max_seconds, args.gap)
            if clients is not None:
                return clients.submit(run_load_apart, *job).result()
            return run_load(*job)

        def effects() -> tuple[int, int, int]:
            with service.rt.db.session() as s:
                decisions = s.exec(select(func.count()).select_from(Decision)).one()
            return (
                decisions - decisions_before,
                slack.count("chat.postEphemeral"),
                slack.count("views.open"),
            )

        def settle(sent: int) -> bool:
            if args.acks_only:  # decisions are dropped: only modals and App Home would come
                return True
            return wait_for(lambda: sum(effects()) >= sent, args.drain_seconds)

        # `serve --workers N`: N-1 more processes on the same port, as that command runs them.
        extra = [
            Worker(settings, port, args.threads, args.acks_only, args.work)
            for _ in range(args.workers - 1)
        ]
        # The work processes (one per serving process): their CPU is counted apart.
        work_pids = [service.work.pid] if args.work == "process" else []
        work_pids += [pid for w in extra for pid in w.work_pids()]
        warm = submit(plan.warmup)
        settle(len(warm.latencies))
        GC.start()
        machine0, slack0, cpu0 = machine_busy(), slack.cpu(), time.process_time()
        extra0 = sum(cpu_of(w.proc.pid) for w in extra)
        work0 = sum(cpu_of(pid) for pid in work_pids)
        window = time.perf_counter()
        measured = submit(plan.measure)
        window = time.perf_counter() - window
        server_cpu = time.process_time() - cpu0 + sum(cpu_of(w.proc.pid) for w in extra) - extra0
        work_cpu = sum(cpu_of(pid) for pid in work_pids) - work0
        slack_cpu = slack.cpu() - slack0
        machine_cpu = machine_busy() - machine0
        GC.on = False
        drain_t0 = time.perf_counter()
        sent = len(warm.latencies) + len(measured.latencies)
        if not settle(sent):
            problems.append(f"work did not drain within {args.drain_seconds:.0f} s")
        drained = time.perf_counter() - drain_t0

        # Outbox: let the worker finish, then flush whatever is still due ourselves.
        def queued() -> int:
            with service.rt.db.session() as s:
                return s.exec(
                    select(func.count())
                    .select_from(OutboxMessage)
                    .where(OutboxMessage.step == 0, OutboxMessage.status.in_(("queued", "sending")))
                ).one()

        # The outbox worker sends one batch per wake-up, then sleeps up to 10 s: help it along.
        give_up = time.monotonic() + args.drain_seconds
        while queued() and time.monotonic() < give_up:
            if not outbox.flush(service.rt, limit=200)["sent"]:
                time.sleep(0.1)

        decisions, ephemerals, modals = effects()
        emls = list(settings.outbox_dir.glob("*.eml"))
        drafts = Counter(message_from_bytes(p.read_bytes())["X-Twoloop-Draft"] for p in emls)
        dupes = sum(n - 1 for n in drafts.values() if n > 1)
        with service.rt.db.session() as s:
            outbox_rows = s.exec(
                select(func.count()).select_from(OutboxMessage).where(OutboxMessage.step == 0)
            ).one()
            approved = select(Review).where(Review.kind == "draft", Review.outcome == "approve")
            decided = {f"{r.id}:{r.content_hash}" for r in s.exec(approved).all()}
        sent_values = {c.value for c in plan.warmup[: len(warm.latencies)]} | {
            c.value for c in plan.measure[: len(measured.latencies)]
        }
        expected = plan.approved & sent_values
        refusals = Counter(_refusal_kind(text) for text in slack.texts("chat.postEphemeral"))

        lat = sorted(measured.latencies)
        ms = [x * 1000 for x in lat]
        n = len(ms)
        result = RunResult(
            n=n,
            p50=pct(ms, 50),
            p90=pct(ms, 90),
            p99=pct(ms, 99),
            max=ms[-1] if ms else float("nan"),
            mean=statistics.fmean(ms) if ms else float("nan"),
            throughput=n / measured.wall if measured.wall else 0.0,
            ok=True,
            problems=problems,
            lines=lines,
        )
        statuses = warm.statuses + measured.statuses
        if set(statuses) != {200}:
            problems.append(f"non-200 responses: {dict(statuses)}")
        problems.extend(warm.errors + measured.errors)
        if dupes:
            problems.append(f"{dupes} duplicate emails")
        if args.acks_only:
            pass  # nothing was decided: the consistency checks below do not apply
        elif decided != expected:
            problems.append(
                f"approved reviews {len(decided)} != distinct approved cards {len(expected)}"
            )
        if args.acks_only:
            pass
        elif decisions != len(expected):
            problems.append(f"decisions {decisions} != distinct approved cards {len(expected)}")
        elif len(emls) != decisions or outbox_rows != decisions:
            problems.append(f"emails {len(emls)} / outbox rows {outbox_rows} != {decisions}")
        elif decisions + ephemerals + modals != sent:
            problems.append(
                f"decisions + ephemerals + modals = {decisions + ephemerals + modals} "
                f"!= clicks sent {sent}"
            )
        if refusals.get("error"):
            problems.append(f"{refusals['error']} 'something went wrong' ephemerals")
        result.ok = not problems

        lines.append(
            f"  clicks: warm-up {len(warm.latencies)}, measured {n} "
            f"({', '.join(f'{k} {v}' for k, v in sorted(measured.kinds.items()))}); "
            f"statuses {dict(statuses)}"
        )
        lines.append(
            f"  ack latency ms: p50 {result.p50:.1f}  p90 {result.p90:.1f}  "
            f"p99 {result.p99:.1f}  max {result.max:.1f}  mean {result.mean:.1f}"
        )
        pairs = zip(measured.starts, measured.latencies, strict=False)  # no starts from httpx
        slow = [st for st, lat in pairs if lat > 0.1]
        if slow:
            # Clustered slow acks mean a stall of the whole server; spread ones, queueing.
            quarters = Counter(int(st * 4) for st in slow)
            where = ", ".join(f"{q / 4:.2f} s: {n}" for q, n in sorted(quarters.items()))
            lines.append(
                f"  acks over 100 ms: {len(slow)}, by quarter-second since the first click "
                f"({where}); connections reopened: {measured.connects}"
            )
        lines.append(
            f"  throughput: {result.throughput:.0f} acks/s over {measured.wall:.2f} s; "
            f"background work drained {drained:.1f} s after the last ack"
        )

        def share(seconds: float, over: float = window) -> str:
            return f"{seconds / over:.0%}"

        # The clients' share is over their sending time; the rest over the whole phase.
        if clients is None:
            cpu = f"server, clients and fake Slack (one process) {share(server_cpu)}"
        else:
            cpu = f"server {share(server_cpu)}, clients {share(measured.cpu, measured.wall)}"
            if slack.proc is not None:
                cpu += f", fake Slack {share(slack_cpu)}"
        if work_pids:
            cpu += f", work process{'es' if len(work_pids) > 1 else ''} {share(work_cpu)}"
        if machine_cpu:
            ours = server_cpu + slack_cpu + work_cpu
            ours += measured.cpu_total if clients is not None else 0.0
            cpu += f", anything else on the machine {share(max(0.0, machine_cpu - ours))}"
        lines.append(f"  CPU while measuring (100% = one core, {os.cpu_count()} cores): {cpu}")
        lines.append(f"  garbage collector while measuring: {GC.line()}")
        lines.append(
            f"  fake Slack saw: {decisions} decisions (distinct approved cards "
            f"{len(expected)}), {ephemerals} ephemerals "
            f"({', '.join(f'{k} {v}' for k, v in sorted(refusals.items())) or 'none'}), "
            f"{modals} modals opened; {len(emls)} .eml files, {dupes} duplicates"
        )
        verdict = "PASS" if result.p99 < TARGET_P99_MS else "FAIL"
        lines.append(f"  p99 < {TARGET_P99_MS:.0f} ms: {verdict}")
        for p in problems:
            lines.append(f"  PROBLEM: {p}")
        return result
    finally:
        for w in locals().get("extra", []):
            w.stop()
        if service is not None:
            service.stop()
        slack.stop()
        if pg is not None:
            pg.drop()
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            lines.append(f"  kept {tmp}")


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def drop(job) -> None:
    """With --acks-only, what the ack path costs alone: the jobs handed off go nowhere."""


def cpu_of(pid: int) -> float:
    """CPU seconds a process has used (utime + stime)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _worker_main(
    settings: Settings, port: int, threads: int, acks_only: bool, work: str, ready, stop
):
    service = Service(
        settings,
        port=port,
        threads=threads,
        scheduler=False,
        reuse_port=True,
        work_process=work == "process",
    )
    if acks_only:
        service.work.submit = drop
    service.start()
    ready.set()
    stop.wait()
    service.stop()


class Worker:
    """One more server process on the benchmark's port (SO_REUSEPORT), as `serve --workers`
    starts them; the kernel spreads the clients' connections over all of them."""

    def __init__(self, settings: Settings, port: int, threads: int, acks_only: bool, work: str):
        ctx = multiprocessing.get_context("spawn")
        self.ready, self.stopping = ctx.Event(), ctx.Event()
        self.proc = ctx.Process(
            target=_worker_main,
            args=(settings, port, threads, acks_only, work, self.ready, self.stopping),
        )
        self.proc.start()
        if not self.ready.wait(60):
            raise RuntimeError("an extra worker did not start")

    def work_pids(self) -> list[int]:
        """Its work process, if it has one (the children its threads started)."""
        pids = []
        for task in Path(f"/proc/{self.proc.pid}/task").iterdir():
            pids += [int(p) for p in (task / "children").read_text().split()]
        return pids

    def stop(self) -> None:
        self.stopping.set()
        self.proc.join(60)


def _refusal_kind(text: str) -> str:
    if text.startswith("Already "):
        return "already decided"
    if text.startswith("Only the owner"):
        return "not the owner"
    if text.startswith("The draft changed"):
        return "stale"
    return "error"


# --------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=1, help="repeat on fresh state (default 1)")
    p.add_argument("--concurrency", type=int, default=50, help="concurrent clients (50)")
    p.add_argument("--requests", type=int, default=2000, help="measured clicks per run (2000)")
    p.add_argument("--warmup", type=int, default=100, help="clicks before measuring (100)")
    p.add_argument(
        "--cards", type=int, default=0, help="cards to post (default: enough for the plan)"
    )
    p.add_argument(
        "--threads", type=int, default=16, help="web-page threads (16, as `twoloop serve`)"
    )
    p.add_argument(
        "--client",
        choices=("raw", "httpx", "inprocess"),
        default="raw",
        help="raw: asyncio HTTP/1.1 in a separate process (default); httpx: httpx.Client "
        "threads in a separate process; inprocess: httpx threads in this process",
    )
    p.add_argument(
        "--slack",
        choices=("process", "inprocess"),
        default="process",
        help="fake Slack Web API in a process of its own (default) or in the server's",
    )
    p.add_argument(
        "--acks-only",
        action="store_true",
        help="drop the decisions handed off (diagnostic: what acking alone costs; the "
        "consistency checks are skipped)",
    )
    p.add_argument(
        "--work",
        choices=("process", "thread"),
        default="process",
        help="where decisions and sends run: a process of their own, as `twoloop serve` "
        "runs them (default), or threads of the serving process",
    )
    p.add_argument(
        "--workers",
        type=int,
        default=1,
        help="server processes on one port, as `twoloop serve --workers N` (default 1)",
    )
    p.add_argument("--database-url", default=None, help="PostgreSQL URL (default: SQLite)")
    p.add_argument("--max-seconds", type=float, default=120.0, help="time budget per phase")
    p.add_argument("--drain-seconds", type=float, default=180.0, help="wait for background work")
    p.add_argument(
        "--pattern",
        choices=("closed", "waves"),
        default="closed",
        help="closed: each client sends its next click when the last is acked (default); "
        "waves: --concurrency clicks at once, the next wave --gap-ms after the last ack",
    )
    p.add_argument("--gap-ms", type=float, default=100.0, help="pause between waves (100)")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--keep", action="store_true", help="keep the temp home")
    args = p.parse_args(argv)
    if args.pattern == "waves" and args.client != "raw":
        p.error("--pattern waves needs --client raw")
    args.gap = args.gap_ms / 1000 if args.pattern == "waves" else -1.0
    if args.runs < 1 or args.concurrency < 1 or args.requests < 1 or args.warmup < 0:
        p.error("--runs, --concurrency and --requests must be positive, --warmup >= 0")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    gc.callbacks.append(GC)
    print("ack latency of review-card button clicks, HTTP mode")
    print(f"machine: {machine()}")
    pattern = (
        f"waves of {args.concurrency} clicks, {args.gap_ms:.0f} ms apart"
        if args.pattern == "waves"
        else f"{args.concurrency} closed-loop clients"
    )
    mix = ", ".join(f"{k} {v:.0%}" for k, v in MIX.items())
    print(
        f"parameters: runs {args.runs}, {pattern}, {args.requests} clicks measured "
        f"(+{args.warmup} warm-up); mix: approve {1 - sum(MIX.values()):.0%}, {mix}; "
        f"server processes {args.workers}, work in a {args.work}; "
        f"client: {CLIENTS[args.client]}; "
        f"fake Slack Web API: {'own process' if args.slack == 'process' else 'server process'}; "
        f"database: {'PostgreSQL' if args.database_url else 'SQLite'}"
        + ("; ACKS ONLY: decisions dropped" if args.acks_only else "")
    )
    clients = None
    if args.client != "inprocess":
        clients = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
    results: list[RunResult] = []
    try:
        for i in range(1, args.runs + 1):
            print(f"run {i}/{args.runs}")
            res = one_run(args, i, clients)
            for line in res.lines:
                print(line, flush=True)
            results.append(res)
    finally:
        if clients is not None:
            clients.shutdown()
    p99s = [r.p99 for r in results]
    med = statistics.median(p99s)
    print(
        f"summary: p99 per run {', '.join(f'{x:.1f}' for x in p99s)} ms; "
        f"median p99 {med:.1f} ms -> {'PASS' if med < TARGET_P99_MS else 'FAIL'} "
        f"(target < {TARGET_P99_MS:.0f} ms)"
    )
    broken = [p for r in results for p in r.problems]
    if broken:
        print(f"functional problems: {len(broken)} (see above)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
