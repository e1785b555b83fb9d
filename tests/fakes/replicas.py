"""Real `twoloop serve` processes on one PostgreSQL schema, for the replica and crash tests.

Each replica is a separate interpreter started the way an operator starts one, so SIGKILL,
SIGTERM, a dead database connection and a lock released by the kernel are the real things.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from sqlmodel import select

from bot.agent import loop
from bot.decisions import Action, Request, decide
from bot.intake.importer import load
from bot.runtime import Runtime
from storage.models import Review
from storage.reviews import open_reviews
from tests.conftest import (
    OPERATOR,
    RecordingHumans,
    approve_plays,
    child_now,
    make_settings,
    pg_database,
)
from tests.fakes import slack_requests
from tests.fakes.slack_requests import SIGNING_SECRET

REPO = Path(__file__).resolve().parents[2]
POLL = 0.25  # TWOLOOP_LEADER_POLL_SECONDS in these tests
# How long a start may take before a test calls it hung. A `serve --workers 2` answered in
# 11 s on two cores busy compiling; beside the rest of the suite, CI once saw one miss 60 s.
START_TIMEOUT = 180


def wait_for(check, timeout: float = 20.0, what: str = "condition"):
    return slack_requests.wait_for(check, timeout, what)


@pytest.fixture
def pg_url():
    """An empty PostgreSQL database of its own (replicas need a database they can share, and
    migrate it themselves on start)."""
    with pg_database("replica tests") as url:
        yield url


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Replica:
    def __init__(self, name: str, env: dict[str, str], workdir: Path):
        self.name, self.env, self.workdir = name, env, workdir
        self.port = free_port()
        self.log = workdir / f"{name}.log"
        self.proc: subprocess.Popen | None = None
        self.owner: str | None = None
        self.last_health = "no answer"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Replica:
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-c", "from handlers.hosting.entry import main; main()", "serve"]
                + ["--host", "127.0.0.1", "--port", str(self.port), "--threads", "4"],
                env=self.env,
                cwd=self.workdir,  # no stray .env
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # a process group of its own: see kill()
            )
        try:
            wait_for(self.health, START_TIMEOUT, f"{self.name} answering /healthz")
        except AssertionError as exc:
            if self.proc.poll() is not None:  # it ended: health() said how, with its log
                raise
            # late: say what the replica was doing, not only that it was late
            raise AssertionError(
                f"{exc} (last: {self.last_health}); its log so far:\n{self.text()}"
            ) from None
        # How the replica signs its claims (sends, ticks, the leader lock): they are made by
        # its work process, the child of the serving one (handlers/hosting/work_process.py). Read
        # while the processes live: tests ask after killing them.
        self.owner = _work_owner(self.proc.pid)
        return self

    def health(self) -> dict | None:
        if self.proc.poll() is not None:
            raise AssertionError(f"{self.name} exited with {self.proc.returncode}:\n{self.text()}")
        try:
            r = httpx.get(self.url + "/healthz", timeout=2)
        except httpx.HTTPError as exc:
            self.last_health = f"no answer ({type(exc).__name__})"
            return None
        if r.status_code != 200:
            self.last_health = f"{r.status_code} {r.text.strip()}"
            return None
        return r.json()

    def role(self) -> str | None:
        h = self.health()
        return h and h.get("role")

    def kill(self, sig: int = signal.SIGKILL, timeout: float = 40) -> int:
        """SIGKILL is a crash of the whole replica (its machine or container): every process
        in its group dies at once. SIGTERM goes to the serving process, as a container
        runtime sends it, and that process stops its work process itself."""
        if sig == signal.SIGKILL:
            os.killpg(self.proc.pid, sig)
        else:
            self.proc.send_signal(sig)
        return self.proc.wait(timeout)  # reaps it: a zombie's pid would still look alive

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        if self.proc is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)  # the work process too
            self.proc.wait(10)


def _work_owner(pid: int) -> str | None:
    """host:pid of the serving process's work process; None under `--workers`, where the
    supervisor's children are serving processes with work processes of their own."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    work = [c for c in children if b"spawn_main" in Path(f"/proc/{c}/cmdline").read_bytes()]
    if len(work) != 1 or Path(f"/proc/{work[0]}/task/{work[0]}/children").read_text().strip():
        return None
    return f"{socket.gethostname()}:{work[0]}"


class Cluster:
    """Replicas sharing one database, a fake Slack and a real SMTP server."""

    def __init__(self, home: Path, url: str, slack, smtp, workdir: Path, **env):
        self.home, self.url, self.workdir = home, url, workdir
        base = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("TWOLOOP_", "SLACK_", "SMTP_", "OPENAI_", "IMAP_", "DATABASE_"))
        }
        self.env = (
            base
            | {
                "PYTHONPATH": str(REPO),
                "TWOLOOP_HOME": str(home),
                "DATABASE_URL": url,
                "SLACK_BOT_TOKEN": "xoxb-test-token",
                "SLACK_SIGNING_SECRET": SIGNING_SECRET,
                "SLACK_API_URL": slack.url,
                "SMTP_URL": smtp.url,
                "TWOLOOP_OPERATORS": OPERATOR,
                "TWOLOOP_OPERATOR_CHANNEL": "C0OPS",
                "TWOLOOP_LEADER_POLL_SECONDS": str(POLL),
                "TWOLOOP_OUTBOX_POLL_SECONDS": "0.5",
                "TWOLOOP_SHUTDOWN_GRACE_SECONDS": "10",
                "TWOLOOP_LOG_LEVEL": "INFO",
            }
            | {k: str(v) for k, v in env.items()}
        )
        # On the replicas' clock: mail queued here is due, or not, by the time they read.
        self.rt = Runtime(make_settings(home, url), humans=RecordingHumans(), clock=child_now)
        self.rt.db.upgrade()
        load(self.rt.db, sorted((home / "data").iterdir()))
        approve_plays(self.rt)
        self.replicas: list[Replica] = []

    def replica(self, name: str, **env) -> Replica:
        r = Replica(name, self.env | {k: str(v) for k, v in env.items()}, self.workdir)
        self.replicas.append(r)
        return r

    def draft_reviews(self) -> list[Review]:
        """Tick once here, so there are draft reviews to decide."""
        loop.tick(self.rt)
        with self.rt.db.session() as s:
            return [r for r in open_reviews(s, limit=1000) if r.kind == "draft"]

    def approve_all(self) -> int:
        """Draft and approve everything: queued outbox rows for the replicas to send."""
        revs = self.draft_reviews()
        for r in revs:
            assert decide(self.rt, Request(r.id, r.owner, Action.APPROVE)).status == "decided"
        return len(revs)

    def session(self):
        return self.rt.db.session()

    def rows(self, model, *where):
        with self.session() as s:
            return list(s.exec(select(model).where(*where)))

    def close(self) -> None:
        for r in self.replicas:
            r.stop()
        self.rt.db.dispose()


@pytest.fixture
def cluster(home, pg_url, slack, smtp_server, tmp_path):
    made: list[Cluster] = []

    def make(**env) -> Cluster:
        c = Cluster(home, pg_url, slack, smtp_server, tmp_path, **env)
        made.append(c)
        return c

    yield make
    for c in made:
        c.close()


def message_ids(smtp) -> list[str]:
    return [m["Message-ID"] for m in smtp.messages]


def sigterm(replica: Replica) -> int:
    return replica.kill(signal.SIGTERM)
