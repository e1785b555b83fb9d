"""The scheduler's leadership lock: a PostgreSQL session advisory lock on a connection of
its own, or an fcntl lock file next to a SQLite database.

A session lock lives exactly as long as its connection: when the holding process dies its
socket closes and PostgreSQL releases the lock, so no lease or heartbeat row is needed.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path

from sqlalchemy import Connection, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

# (class, object) pair: the object is the schema, so deployments (and test runs) that share
# one database in different schemas do not block each other.
LOCK_CLASS = 0x7477_6C70  # "twlp"
_TRY = text("SELECT pg_try_advisory_lock(:c, hashtext(current_schema()))")
_HELD = text(
    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()"
    " AND granted AND classid = CAST(:c AS oid)"
    " AND objid = CAST(hashtext(current_schema()) AS oid) AND objsubid = 2"
)
_UNLOCK = text("SELECT pg_advisory_unlock(:c, hashtext(current_schema()))")


class PgLock:
    """One dedicated connection that tries for, holds and health-checks the lock."""

    def __init__(self, url: str, owner: str, timeout: float = 5.0):
        secs = max(1, int(timeout))
        given = make_url(url).query.get("options", "")  # e.g. -csearch_path=... is kept
        given = " ".join(given) if isinstance(given, tuple) else given
        self.engine = create_engine(
            url,
            poolclass=NullPool,
            isolation_level="AUTOCOMMIT",  # never idle in a transaction while holding it
            connect_args={
                "connect_timeout": secs,
                "application_name": f"twoloop-leader {owner}"[:63],
                # Client side: a dead network fails our health query within seconds ...
                "keepalives": 1,
                "keepalives_idle": secs,
                "keepalives_interval": 1,
                "keepalives_count": 3,
                "tcp_user_timeout": secs * 2000,
                # ... server side: PostgreSQL drops a vanished leader's session (and its lock)
                # within seconds, instead of after the kernel's two-hour keepalive default.
                "options": f"{given} -c tcp_keepalives_idle={secs} -c tcp_keepalives_interval=1"
                f" -c tcp_keepalives_count=3 -c statement_timeout={secs * 1000}",
            },
        )
        self.conn: Connection | None = None

    def _connection(self) -> Connection:
        if self.conn is None:
            self.conn = self.engine.connect()
        return self.conn

    def try_acquire(self) -> bool:
        return bool(self._connection().execute(_TRY, {"c": LOCK_CLASS}).scalar())

    def held(self) -> bool:
        """A round trip on the lock's own connection: False, or an error, means lost."""
        return self.conn is not None and self.conn.execute(_HELD, {"c": LOCK_CLASS}).scalar() == 1

    def release(self) -> None:
        if self.conn is not None:
            try:
                self.conn.execute(_UNLOCK, {"c": LOCK_CLASS})
            finally:
                self.reset()

    def reset(self) -> None:
        """Drop the connection (and with it any lock it held)."""
        conn, self.conn = self.conn, None
        if conn is not None:
            with contextlib.suppress(Exception):  # it may be broken already; best effort
                conn.close()

    def close(self) -> None:
        self.reset()
        self.engine.dispose()


class FileLock:
    """SQLite means one machine: an exclusive flock on `<database>.leader`; the kernel
    releases it when the process dies."""

    def __init__(self, path: Path):
        self.path = path
        self.fd: int | None = None

    def try_acquire(self) -> bool:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self.fd = fd
        return True

    def held(self) -> bool:
        return self.fd is not None

    def release(self) -> None:
        self.reset()

    def reset(self) -> None:
        fd, self.fd = self.fd, None
        if fd is not None:
            os.close(fd)  # closing the descriptor drops the flock

    def close(self) -> None:
        self.reset()


class AlwaysLock(FileLock):
    """An in-memory SQLite database belongs to one process: it always leads."""

    def __init__(self):
        super().__init__(Path(os.devnull))

    def try_acquire(self) -> bool:
        self.fd = -1
        return True

    def reset(self) -> None:
        self.fd = None


def lock_for(url: str, owner: str, timeout: float = 5.0) -> PgLock | FileLock:
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        return PgLock(url, owner, timeout)
    if not parsed.database or parsed.database == ":memory:":
        return AlwaysLock()
    return FileLock(Path(parsed.database + ".leader"))
