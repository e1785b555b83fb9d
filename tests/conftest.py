"""Shared fixtures: a database on SQLite and (where it answers) PostgreSQL, a config home,
and a Runtime wired to in-memory humans and a real .eml outbox."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import psycopg
import pytest

from bot.importer import load
from bot.ports import ReviewCard
from bot.runtime import Runtime
from bot.scaffold import init
from bot.settings import Settings
from storage.db import Database

pytest_plugins = ["tests.smtp_server"]

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


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path) -> str:
    """A fresh, empty database: a SQLite file, or a PostgreSQL schema of its own."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'twoloop.db'}"
        return
    if _PG_PROBLEM:
        if REQUIRE_PG:
            pytest.fail(f"PostgreSQL is required (TWOLOOP_REQUIRE_POSTGRES=1) but: {_PG_PROBLEM}")
        pytest.skip(f"no PostgreSQL at {PG_URL}: {_PG_PROBLEM}")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture
def home(tmp_path) -> Path:
    path = tmp_path / "home"
    init(path)
    return path


class RecordingHumans:
    """`Humans` that remembers what it was asked to show."""

    def __init__(self):
        self.posted: list[ReviewCard] = []
        self.updated: list[ReviewCard] = []
        self.reminded: list[ReviewCard] = []
        self.notes: list[tuple[str, str]] = []
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

    def notify(self, channel: str, text: str) -> None:
        self.notes.append((channel, text))


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
