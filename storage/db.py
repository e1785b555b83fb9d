"""Engine, sessions and schema upgrades for SQLite (embedded default) and PostgreSQL."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import CursorResult, Engine, Result, event
from sqlalchemy.engine import make_url
from sqlmodel import Session, create_engine

MIGRATIONS = Path(__file__).parent / "migrations"
# SQLite writes these beside the database; they hold the same rows, so the same secrecy.
SIDECARS = ("-wal", "-shm", "-journal")

log = logging.getLogger(__name__)


def normalize_url(url: str) -> str:
    """Let people write postgresql:// and still get psycopg 3 (SQLAlchemy's default is psycopg2)."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def rowcount(result: Result[Any]) -> int:
    """Rows an UPDATE or DELETE matched. `Session.execute` is typed to return a plain
    `Result`; for those statements it is a `CursorResult`, which has the count."""
    if not isinstance(result, CursorResult):
        raise TypeError(f"no row count on {type(result).__name__}")
    return result.rowcount


READ_ONLY = "twoloop_read_only"  # an execution option: this connection's work only reads


def make_engine(url: str) -> Engine:
    url = normalize_url(url)
    if make_url(url).get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)

    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
    path = sqlite_file(url)

    @event.listens_for(engine, "do_connect")
    def _private_file(_dialect, _record, _cargs, _cparams):
        # Before SQLite opens (and maybe creates) the file: it holds the unsubscribe key, every
        # reply and every contact, so only its owner may read it. Lazily, on first connect, so
        # a command that never touches the database never creates one.
        if path is not None:
            make_private(path)

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_conn, _record):
        # Take transaction control away from pysqlite so that "begin" below can say IMMEDIATE.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin_immediate(conn):
        # A deferred transaction that reads then writes can fail with SQLITE_BUSY without
        # waiting; taking the write lock up front makes concurrent deciders queue instead.
        # A session opened with `Database.reading()` never writes: it takes no write lock,
        # so a long read (a tick's ranking) holds up no writer.
        reading = conn.get_execution_options().get(READ_ONLY, False)
        conn.exec_driver_sql("BEGIN" if reading else "BEGIN IMMEDIATE")

    return engine


def sqlite_file(url: str) -> Path | None:
    """The file a SQLite URL names; None for in-memory and URI-style databases."""
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def make_private(path: Path) -> None:
    """Create the database file owner-only (0600), or tighten one that group or others can
    read; SQLite gives its -wal/-shm/-journal files the database file's own mode."""
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        pass
    except FileNotFoundError:
        return  # no such folder: SQLite's own error says so on connect
    for file in (path, *(path.with_name(path.name + suffix) for suffix in SIDECARS)):
        try:
            mode = stat.S_IMODE(file.stat().st_mode)
        except FileNotFoundError:
            continue
        if mode & 0o077:
            os.chmod(file, mode & 0o700)
            log.warning(
                "%s was readable by others (mode %o); made it owner-only (%o)",
                file,
                mode,
                mode & 0o700,
            )


class Database:
    """Owns the engine; hands out sessions that commit on success and roll back on error."""

    def __init__(self, url: str, clock: Callable[[], datetime] | None = None):
        self.url = normalize_url(url)
        self.engine = make_engine(self.url)
        self._reader = self.engine.execution_options(**{READ_ONLY: True})
        self.clock = clock  # what `models.session_now` stamps rows with; None: the wall clock

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session for reads only (on SQLite it takes no write lock; a write in it fails
        or waits as SQLite decides, so write nothing)."""
        with Session(self._reader, expire_on_commit=False) as s:
            s.info["clock"] = self.clock
            try:
                yield s
            finally:
                s.rollback()

    @contextmanager
    def session(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as s:
            s.info["clock"] = self.clock
            try:
                yield s
                s.commit()
            except BaseException:
                s.rollback()
                raise

    def analyze(self, tables: list[str]) -> None:
        """Fresh planner statistics after a bulk write: PostgreSQL plans a million-row join
        from them, and autovacuum may not get to new tables before the next tick. (SQLite
        keeps none unless asked and plans from its indexes.)"""
        if self.dialect != "postgresql":
            return
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for table in tables:
                conn.exec_driver_sql(f'ANALYZE "{table}"')

    def upgrade(self) -> None:
        upgrade(self.engine)

    def dispose(self) -> None:
        self.engine.dispose()


def alembic_config(engine: Engine | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if engine is not None:
        cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply migrations up to `revision`; safe to call on every start."""
    command.upgrade(alembic_config(engine), revision)
