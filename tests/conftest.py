"""Shared fixtures: a database on SQLite and (where it answers) PostgreSQL, a config home,
and a Runtime wired to in-memory humans and a real .eml outbox."""

from __future__ import annotations

import os
import shutil
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest
import time_machine
from alembic.script import ScriptDirectory
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel, col, select

from bot.agent import loop
from bot.cli.scaffold import init
from bot.config.mailboxes import open_all_hours
from bot.decisions import Action, Request, decide
from bot.intake.importer import load
from bot.mail.outbound import outbox
from bot.model import pacing
from bot.ports import Notice, ReviewCard
from bot.runtime import Runtime
from bot.settings import Settings
from storage.db import SIDECARS, Database, alembic_config
from storage.models import OutboxMessage, Review
from storage.reviews import open_reviews

pytest_plugins = ["tests.fakes.smtp", "tests.fakes.replicas"]


class PacingClock:
    """The model pacers' clock in tests: a wait moves it and is recorded, never slept."""

    def __init__(self) -> None:
        self.t = 1000.0
        self.slept: list[float] = []

    def now(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 6))
        self.t += max(0.0, seconds)


@pytest.fixture(autouse=True)
def pacing_clock(monkeypatch) -> PacingClock:
    """Fresh model pacers per test (no limit learned by another test), on a fake clock."""
    clock = PacingClock()
    monkeypatch.setattr(pacing, "_pacers", {})
    monkeypatch.setattr(pacing, "CLOCK", clock.now)
    monkeypatch.setattr(pacing, "SLEEP", clock.sleep)
    return clock


def _moved_now() -> datetime | None:
    """TWOLOOP_TEST_NOW (ISO 8601; UTC without an offset): where the wall clock of this test
    process is moved, so CI proves no test depends on the real date, hour or weekday."""
    raw = os.environ.get("TWOLOOP_TEST_NOW", "").strip()
    if not raw:
        return None
    try:
        when = datetime.fromisoformat(raw)
    except ValueError:
        raise ValueError(
            f"TWOLOOP_TEST_NOW={raw!r} is not an ISO 8601 time, e.g. 2028-12-31T23:30:00"
        ) from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


MOVED_NOW = _moved_now()
# A timestamp, not the datetime: time-machine would also set TZ to the datetime's zone, and the
# point is to run on the TZ given.
_TRAVEL = time_machine.travel(MOVED_NOW.timestamp(), tick=True) if MOVED_NOW else None


# The mark of tests that start real `twoloop serve` processes. They run one after another in
# one test process (`make test` runs `--dist loadgroup`): a `serve --workers 2` is five
# interpreters importing the product, and two such tests side by side on two cores compete
# for them while they start (CI once saw a start miss its minute).
PROCESSES = [pytest.mark.processes, pytest.mark.xdist_group("processes")]


def child_time() -> float:
    """The clock of the processes tests start (`twoloop serve`): the real one, which
    TWOLOOP_TEST_NOW does not move. What they are sent, or share a database with, is on it."""
    hatch = time_machine.escape_hatch
    return hatch.time.time() if hatch.is_travelling() else time.time()


def child_now() -> datetime:
    """`child_time` as a Runtime clock."""
    return datetime.fromtimestamp(child_time(), UTC).replace(microsecond=0)


def _clock_line() -> str:
    zone = os.environ.get("TZ") or "unset"
    if MOVED_NOW is None:
        return f"wall clock: real (TWOLOOP_TEST_NOW unset), TZ={zone}"
    return f"wall clock: moved to {MOVED_NOW.isoformat()} (TWOLOOP_TEST_NOW), ticking, TZ={zone}"


def pytest_report_header(config) -> str:
    return _clock_line()


def pytest_terminal_summary(terminalreporter) -> None:
    """Also under -q, where there is no header: a red run says which clock it ran on."""
    if MOVED_NOW is not None:
        terminalreporter.write_line(_clock_line())


def pytest_configure(config) -> None:
    """Before collection, so module-level reads see the moved clock too. It ticks, and leaves
    monotonic time (sleeps, timeouts) real; child processes keep the real clock."""
    if _TRAVEL is not None:
        _TRAVEL.start()


def pytest_unconfigure(config) -> None:
    if _TRAVEL is not None:
        _TRAVEL.stop()


PG_URL = os.environ.get("TWOLOOP_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
REQUIRE_PG = os.environ.get("TWOLOOP_REQUIRE_POSTGRES") == "1"
OPERATOR = "U0OPERATOR1"


def _pg_available() -> str | None:
    try:
        with psycopg.connect(PG_URL, connect_timeout=2):
            return None
    except Exception as exc:  # noqa: BLE001
        return f"{type(exc).__name__}: {exc}".splitlines()[0]


_PG_PROBLEM = _pg_available()


def pg_database_url(name: str) -> str:
    """PG_URL with its database swapped for `name`."""
    return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)


def _new_pg_database(needed_by: str) -> str:
    if _PG_PROBLEM:
        if REQUIRE_PG:
            pytest.fail(f"PostgreSQL is required (TWOLOOP_REQUIRE_POSTGRES=1) but: {_PG_PROBLEM}")
        pytest.skip(f"no PostgreSQL at {PG_URL} for {needed_by}: {_PG_PROBLEM}")
    name = f"t_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return name


@contextmanager
def pg_database(needed_by: str = "this test") -> Iterator[str]:
    """The URL of an empty PostgreSQL database of its own, dropped afterwards; skips (or
    fails, under TWOLOOP_REQUIRE_POSTGRES=1) where no PostgreSQL answers. A database, not a
    schema: advisory locks (leadership) are per database, so tests running side by side
    never share one."""
    name = _new_pg_database(needed_by)
    try:
        yield pg_database_url(name)
    finally:
        _drop_pg_database(name)


def _drop_pg_database(name: str) -> None:
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


HEAD = ScriptDirectory.from_config(alembic_config()).get_current_head()


class MigratedDatabases:
    """The databases of this test process, migrated to head once: SQLite as a file each test
    gets a copy of, PostgreSQL as one database each test finds emptied (DELETE, not TRUNCATE
    or DROP DATABASE: those write new files and wait for a checkpoint, a second or more where
    a copied file or a DELETE of a few rows costs milliseconds). Running the migrations for
    every test would cost more than most tests; tests/storage/test_migrations.py runs them on
    empty databases."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._sqlite: Path | None = None
        self._pg: str | None = None

    def sqlite(self, target: Path) -> str:
        if self._sqlite is None:
            built = self.folder / "template.db"
            db = Database(f"sqlite:///{built}")
            db.upgrade()
            db.dispose()
            assert not any(built.with_name(built.name + s).exists() for s in SIDECARS)
            self._sqlite = built
        shutil.copyfile(self._sqlite, target)
        target.chmod(0o600)  # as the product makes its own (storage/db.py): owner-only
        return f"sqlite:///{target}"

    def pg(self) -> str:
        """The PostgreSQL database, emptied: what an earlier test left (rows, sequences,
        connections) is gone. Rebuilt if a test left it off head (a downgrade that failed)."""
        if self._pg is not None and not self._emptied(self._pg):
            _drop_pg_database(self._pg)
            self._pg = None
        if self._pg is None:
            name = _new_pg_database("this test")
            db = Database(pg_database_url(name))
            try:
                db.upgrade()
            except BaseException:
                _drop_pg_database(name)  # the next test tries again from nothing
                raise
            finally:
                db.dispose()
            self._pg = name
        return pg_database_url(self._pg)

    @staticmethod
    def _emptied(name: str) -> bool:
        tables = reversed(SQLModel.metadata.sorted_tables)  # children before their parents
        with psycopg.connect(pg_database_url(name), autocommit=True) as conn:
            conn.execute(
                "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            try:
                with conn.transaction():
                    version = conn.execute("SELECT version_num FROM alembic_version").fetchall()
                    if version != [(HEAD,)]:
                        return False
                    conn.execute("; ".join(f'DELETE FROM "{t.name}"' for t in tables))
                    for (sequence,) in conn.execute(
                        "SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema()"
                    ).fetchall():
                        conn.execute(f'ALTER SEQUENCE "{sequence}" RESTART')
            except psycopg.errors.Error:
                return False
        return True

    def close(self) -> None:
        if self._pg is not None:
            _drop_pg_database(self._pg)


@pytest.fixture(scope="session")
def migrated_databases(tmp_path_factory) -> Iterator[MigratedDatabases]:
    databases = MigratedDatabases(tmp_path_factory.mktemp("databases"))
    yield databases
    databases.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path, migrated_databases) -> str:
    """A database migrated to head with nothing in it: a SQLite file of its own, or this test
    process's PostgreSQL database, emptied."""
    if request.param == "sqlite":
        return migrated_databases.sqlite(tmp_path / "twoloop.db")
    return migrated_databases.pg()


@pytest.fixture(params=["sqlite", "postgresql"])
def blank_db_url(request, tmp_path) -> Iterator[str]:
    """A fresh, empty database (no migration applied): a SQLite file, or a PostgreSQL one."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'twoloop.db'}"
        return
    with pg_database() as url:
        yield url


def unpaced(home: Path) -> None:
    """Mailboxes that may send at any hour with no gap: tests of other things should not
    depend on the clock. Pacing has tests of its own."""
    open_all_hours(home / "mailboxes.yml", warmup=None)


@pytest.fixture
def clean_cwd(tmp_path, monkeypatch) -> Path:
    """An empty working folder and an environment with no Twoloop settings in it, so neither
    the shell the tests run from nor a `.env` leaks into what a test reads."""
    for name in list(os.environ):
        if name.startswith(("TWOLOOP_", "SLACK_", "OPENAI_")) or name in (
            "DATABASE_URL",
            "SMTP_URL",
            "IMAP_URL",
            "OPERATORS",
            "PUBLIC_URL",
        ):
            monkeypatch.delenv(name)
    folder = tmp_path / "cwd"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder


@pytest.fixture
def home(tmp_path) -> Path:
    path = tmp_path / "home"
    init(path)
    unpaced(path)
    return path


class RecordingHumans:
    """`Humans` that remembers what it was asked to show."""

    def __init__(self):
        self.posted: list[ReviewCard] = []
        self.updated: list[ReviewCard] = []
        self.reminded: list[ReviewCard] = []
        self.notes: list[tuple[str, str]] = []  # (channel, the notice as plain text)
        self.notices: list[tuple[str, Notice]] = []  # the same, as sent
        self.reports: list[tuple[str, object]] = []  # (channel, TuningReport)
        self.digests: list[tuple[str, object, bytes | None]] = []  # (channel, Digest, chart)
        self.timezones: dict[str, str] = {}  # user -> IANA zone, as users.info would say
        # The chat's directory: user -> "active" | "deactivated" (anyone else is "unknown"),
        # address -> user; `lookups` lists what was asked, ("status"|"email", who).
        self.users: dict[str, str] = {}
        self.emails: dict[str, str] = {}
        self.lookups: list[tuple[str, str]] = []
        self.fail_digests = 0
        self.fail_posts = 0

    def post_review(self, card: ReviewCard) -> str:
        if self.fail_posts:
            self.fail_posts -= 1
            raise ConnectionError("slack is down")
        self.posted.append(card)
        return f"ts-{card.review_id}-{len(self.posted)}"

    def update_review(self, card: ReviewCard) -> None:
        self.updated.append(card)

    def remind(self, card: ReviewCard) -> None:
        self.reminded.append(card)

    def notify(self, channel: str, notice: Notice) -> None:
        self.notices.append((channel, notice))
        self.notes.append((channel, notice.plain()))

    def post_report(self, channel: str, report) -> str:
        self.reports.append((channel, report))
        return f"ts-report-{len(self.reports)}"

    def post_digest(self, channel: str, digest, chart_png: bytes | None) -> str:
        if self.fail_digests:
            self.fail_digests -= 1
            raise ConnectionError("slack is down")
        self.digests.append((channel, digest, chart_png))
        return f"ts-digest-{len(self.digests)}"

    def user_timezone(self, user: str) -> str | None:
        return self.timezones.get(user)

    def user_by_email(self, email: str) -> str | None:
        self.lookups.append(("email", email))
        return self.emails.get(email.lower())

    def user_status(self, user: str) -> str:
        self.lookups.append(("status", user))
        return self.users.get(user, "unknown")


def make_settings(home: Path, db_url: str, **extra) -> Settings:
    return Settings(
        TWOLOOP_HOME=home,
        DATABASE_URL=db_url,
        TWOLOOP_OPERATORS=OPERATOR,
        _env_file=None,
        **extra,
    )


@pytest.fixture
def rt(home, db_url) -> Runtime:
    """A runtime over the sample config and data, imported and ready to tick."""
    runtime = Runtime(make_settings(home, db_url), humans=RecordingHumans())
    runtime.db.upgrade()
    load(runtime.db, sorted((home / "data").iterdir()))
    yield runtime
    runtime.db.dispose()


@pytest.fixture
def empty_db(db_url) -> Database:
    db = Database(db_url)
    db.upgrade()
    yield db
    db.dispose()


def approve_plays(rt: Runtime) -> int:
    """Tick once so every new play asks for approval, then approve them all as their owners."""
    loop.tick(rt)
    with rt.db.session() as s:
        pending = [r for r in open_reviews(s, limit=1000) if r.kind == "play"]
    for review in pending:
        assert decide(rt, Request(review.id, review.owner, Action.APPROVE)).status == "decided"
    return len(pending)


def sent_first(rt: Runtime) -> OutboxMessage:
    """Approve the first draft card and send it: the message a reply (or a report) is about."""
    approve_plays(rt)
    loop.tick(rt, "data-platform")
    with rt.db.session() as s:
        review = s.exec(
            select(Review)
            .where(Review.kind == "draft", Review.status == "open")
            .order_by(col(Review.id))
        ).first()
    assert review is not None and review.id is not None
    decide(rt, Request(review.id, review.owner, Action.APPROVE, content_hash=review.content_hash))
    outbox.flush(rt)
    with rt.db.session() as s:
        sent = s.exec(select(OutboxMessage).where(OutboxMessage.status == "sent")).first()
    assert sent is not None
    return sent


@pytest.fixture
def slack():
    """A fake Slack Web API on loopback."""
    from tests.fakes import slack_api as fake_slack

    fake = fake_slack.start()
    yield fake
    fake.server.shutdown()


SIGNALS_TOKEN = "signals-token-0123456789abcdef"


def serve_settings(home: Path, db_url: str, slack, **extra) -> Settings:
    """Settings for the real `serve` service talking to the fake Slack on loopback."""
    from tests.fakes.slack_requests import SIGNING_SECRET

    return make_settings(
        home,
        db_url,
        SLACK_BOT_TOKEN="xoxb-test-token",
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=slack.url,
        TWOLOOP_SIGNALS_TOKEN=SIGNALS_TOKEN,
        # Cards at once, so tests of other things need not wait for Slack's pace;
        # tests/slack/test_slack_faults.py paces on purpose.
        TWOLOOP_SLACK_POST_INTERVAL="0",
        **extra,
    )


@contextmanager
def running_service(settings: Settings, runtime: Runtime | None = None):
    """The real `serve` service (HTTP mode) on a loopback port, scheduler off, with the
    config folder's sample data imported."""
    from handlers.hosting.serve import Service

    svc = Service(settings, port=0, scheduler=False, runtime=runtime)
    load(svc.rt.db, sorted((settings.home / "data").iterdir()))
    svc.start()
    try:
        yield svc
    finally:
        svc.stop()


@pytest.fixture
def service(home, db_url, slack):
    with running_service(serve_settings(home, db_url, slack)) as svc:
        yield svc


@pytest.fixture
def http(service):
    import httpx

    with httpx.Client(base_url=service.url, timeout=10) as client:
        yield client
