"""Bulk insert-or-update of plain row tuples inside the session's transaction, for imports
and CRM pages of a million rows: no ORM objects and no per-row statement compilation.

SQLite: one prepared statement run by the driver's executemany. PostgreSQL: COPY into a
temporary table, then one INSERT ... SELECT ... ON CONFLICT per batch. Both write on the
session's own connection, so a rollback takes every batch back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Boolean, DateTime, text
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, SQLModel

from storage.upsert import table_of

log = logging.getLogger(__name__)

SQLITE_CACHE_KB = 256 * 1024
LOCK_NOT_AVAILABLE, DEADLOCK = "55P03", "40P01"  # PostgreSQL's SQLSTATEs


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _pg_time(v: Any) -> Any:
    # A bound parameter would reach a TIMESTAMP column converted to the session's time
    # zone; COPY text would drop the offset instead. UTC is what the rest of the code reads.
    if isinstance(v, datetime) and v.tzinfo is not None:
        return v.astimezone(UTC).replace(tzinfo=None)
    return v


class Refused(Exception):
    """The database refused a batch (a constraint); the batch is undone, the transaction
    goes on, so the caller can still find and report the rows to blame."""


class LaterIndexes:
    """Secondary (non-unique) indexes of nearly empty tables dropped for a big import and
    built again at its end, in the same transaction: one sort per index is far cheaper than
    a million random index inserts, and a rollback brings the indexes back with the rows.
    Unique indexes stay, as they decide the upserts. Only when `incoming` rows are at least
    `few`, and only on tables holding fewer: otherwise rebuilding costs more than it saves.

    Dropping an index locks its table against readers until the commit, and a running
    service reads these tables. On PostgreSQL all of them are locked at once, before any
    index is dropped, waiting at most LOCK_WAIT (new readers queue behind the request that
    long): while a replica reads them, the import keeps the indexes instead of deadlocking
    with it. Once they are locked, their readers wait for the whole import, so this is for a
    first load into an empty book, not for a sync into a busy one. (Tables holding `few`
    rows or more are not locked: a transaction holding a row of one and then reading a
    locked table can still deadlock with the import, which then rolls back whole.)"""

    LOCK_WAIT = "200ms"  # under PostgreSQL's deadlock_timeout (1 s): the import gives way

    def __init__(
        self, s: Session, models: Sequence[type[SQLModel]], incoming: int, few: int = 10_000
    ):
        self.s = s
        self.ddl: list[str] = []  # the CREATE INDEX statements, as the database has them
        if incoming < few:
            return
        pg = s.get_bind().dialect.name == "postgresql"
        names = [table_of(m).name for m in models]
        names = [n for n in names if _holds_fewer(s, n, few)]
        if pg and not _locked(s, names):
            log.info("tables %s are being read: the import keeps their indexes", names)
            return
        for name in names:
            if pg:
                q = text(
                    "SELECT i.indexname, i.indexdef FROM pg_indexes i JOIN pg_index x ON "
                    "x.indexrelid = (quote_ident(i.schemaname) || '.' || "
                    "quote_ident(i.indexname))::regclass "
                    "WHERE i.schemaname = current_schema() AND i.tablename = :t "
                    "AND NOT x.indisunique AND NOT x.indisprimary"
                )
            else:
                q = text(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                    "AND tbl_name = :t AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%'"
                )
            for index, ddl in s.execute(q, {"t": name}).all():
                s.execute(text(f"DROP INDEX {_q(index)}"))
                self.ddl.append(ddl)

    def build(self) -> None:
        """Create the dropped indexes again (before the commit)."""
        ddl, self.ddl = self.ddl, []
        for statement in ddl:
            self.s.connection().exec_driver_sql(statement)


def _holds_fewer(s: Session, table: str, few: int) -> bool:
    return s.execute(text(f"SELECT 1 FROM {_q(table)} LIMIT 1 OFFSET {int(few)}")).first() is None


def _locked(s: Session, tables: list[str]) -> bool:
    """All of `tables` locked against every other transaction until the commit, or none
    (a savepoint rolled back releases what it took); False when that meant waiting."""
    if not tables:
        return True
    try:
        with s.begin_nested():
            s.execute(text(f"SET LOCAL lock_timeout = '{LaterIndexes.LOCK_WAIT}'"))
            listed = ", ".join(_q(t) for t in tables)
            s.execute(text(f"LOCK TABLE {listed} IN ACCESS EXCLUSIVE MODE"))
            s.execute(text("SET LOCAL lock_timeout = DEFAULT"))
    except OperationalError as exc:
        if getattr(exc.orig, "sqlstate", None) not in (LOCK_NOT_AVAILABLE, DEADLOCK):
            raise
        return False
    return True


class Pipeline:
    """Bulk writes on one worker thread, so the database inserts one batch while the caller
    parses the next (the drivers let go of the GIL while the database works). Writes run in
    the order given, on the session's connection: `drain` before anything else uses it.
    `threaded=False` writes in the caller's thread: SQLite's driver holds the GIL while it
    binds every row, so on two cores a second thread only adds switching (measured)."""

    def __init__(self, threaded: bool = True) -> None:
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bulk")
        self.threaded = threaded
        self.pending: list[Future[int]] = []
        # The first batch the database refused (a unique email twice, say); later batches
        # are not written. The caller's own checks say why; if they find nothing, this does.
        self.refused: Refused | None = None

    def submit(self, bulk: Bulk, rows: Sequence[tuple]) -> None:
        if self.refused is not None:
            return  # the import fails anyway: nothing more to write
        if not self.threaded:
            try:
                bulk.write(rows)
            except Refused as exc:
                self.refused = exc
            return
        self.pending = [f for f in self.pending if not self._finished(f)]
        if len(self.pending) >= 2:
            self._finished(self.pending.pop(0), wait=True)
        self.pending.append(self.pool.submit(bulk.write, rows))

    def _finished(self, f: Future[int], wait: bool = False) -> bool:
        if not wait and not f.done():
            return False
        try:
            f.result()
        except Refused as exc:
            self.refused = self.refused or exc
        return True

    def drain(self) -> None:
        """Wait for every write; raises the first write's error."""
        pending, self.pending = self.pending, []
        for f in pending:
            self._finished(f, wait=True)

    def close(self) -> None:
        """Wait for the writes (their errors are the caller's to see via `drain`) and stop."""
        self.pool.shutdown(wait=True)


class Bulk:
    """Rows (tuples in `columns` order) into `model`'s table; on a conflict on `keys` update
    the other columns, or leave the stored row (`update=False`). `keep`: column -> an SQL
    condition on the stored row (table-qualified) under which that column keeps its value;
    `only_changed` leaves a stored row alone when it already holds the given values.
    A key repeated within one `write` keeps its last row (its first with `update=False`)."""

    def __init__(
        self,
        s: Session,
        model: type[SQLModel],
        columns: Sequence[str],
        keys: Sequence[str],
        *,
        update: bool = True,
        keep: Mapping[str, str] | None = None,
        only_changed: bool = False,
    ):
        # The driver's connection, taken here: `write` may run on a Pipeline's thread.
        raw = s.connection().connection.driver_connection
        if raw is None:
            raise RuntimeError("no database connection")
        self.raw: Any = raw
        self.table = table_of(model)
        # Columns the rows leave out get their model defaults on insert (only there).
        given = list(columns)
        extra = [
            c
            for c in self.table.columns
            if c.name not in given and c.default is not None and not c.primary_key
        ]
        defaults: list[Any] = [getattr(c.default, "arg", None) for c in extra]
        self.fill = tuple(d(None) if callable(d) else d for d in defaults)
        self.columns = given + [c.name for c in extra]
        self.update = update
        self.key_at = [self.columns.index(k) for k in keys]
        self.dialect = s.get_bind().dialect
        self.pg = self.dialect.name == "postgresql"
        t = _q(self.table.name)
        cols = ", ".join(_q(c) for c in self.columns)
        conflict = f" ON CONFLICT ({', '.join(_q(k) for k in keys)}) "
        rest = [c for c in given if c not in keys]
        if update and rest:
            keep = keep or {}
            conflict += "DO UPDATE SET " + ", ".join(
                f"{_q(c)} = CASE WHEN {keep[c]} THEN {t}.{_q(c)} ELSE excluded.{_q(c)} END"
                if c in keep
                else f"{_q(c)} = excluded.{_q(c)}"
                for c in rest
            )
            if only_changed:
                # A row already as given is left alone: no new row version, no index churn
                # (the graph's edges come again with every signal of their account).
                differs = " IS DISTINCT FROM " if self.pg else " IS NOT "
                conflict += " WHERE " + " OR ".join(
                    f"{t}.{_q(c)}{differs}excluded.{_q(c)}" for c in rest
                )
        else:
            conflict += "DO NOTHING"
        self.temp = _q(f"_bulk_{self.table.name}_{abs(hash(cols)) % 10**8}")
        if self.pg:
            self.sql = f"INSERT INTO {t} ({cols}) SELECT {cols} FROM {self.temp}{conflict}"
            self.copy = f"COPY {self.temp} ({cols}) FROM STDIN"
            self.create = (
                f"CREATE TEMP TABLE IF NOT EXISTS {self.temp} ON COMMIT DROP AS "
                f"SELECT {cols} FROM {t} WITH NO DATA"
            )
        else:
            marks = ", ".join("?" for _ in self.columns)
            self.sql = f"INSERT INTO {t} ({cols}) VALUES ({marks}){conflict}"
        # SQLite's driver binds bools as 0 and 1 itself; times need SQLAlchemy's text form.
        procs = [
            None
            if isinstance(self.table.c[c].type, Boolean)
            else self.table.c[c].type.bind_processor(self.dialect)
            for c in self.columns
        ]
        self.procs: list[tuple[int, Callable[[Any], Any]]] = [
            (i, p) for i, p in enumerate(procs) if p is not None and not self.pg
        ]
        self.times = [
            i
            for i, c in enumerate(self.columns)
            if self.pg and isinstance(self.table.c[c].type, DateTime)
        ]
        self.created = False
        self.written = 0  # rows the database reported inserted or updated, all batches

    def _unique(self, rows: Sequence[tuple]) -> list[tuple]:
        # PostgreSQL refuses an ON CONFLICT DO UPDATE that touches one row twice.
        by_key: dict[tuple, tuple] = {}
        if self.update:
            for r in rows:
                by_key[tuple(r[i] for i in self.key_at)] = r
        else:
            for r in rows:
                by_key.setdefault(tuple(r[i] for i in self.key_at), r)
        return list(by_key.values())

    def write(self, rows: Sequence[tuple]) -> int:
        """Send one batch; returns the rows the database inserted or updated."""
        if not rows:
            return 0
        if self.fill:
            rows = [(*r, *self.fill) for r in rows]
        rows = self._unique(rows) if len(self.key_at) > 1 or self.pg else list(rows)
        cur = self.raw.cursor()
        try:
            if not self.created:
                if self.pg:
                    cur.execute(self.create)
                    cur.execute(f"TRUNCATE {self.temp}")
                else:
                    # Index pages of a million-row table do not fit SQLite's default 2 MB
                    # cache; without this every insert reads its index pages back from disk.
                    cur.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KB}")
                self.created = True
            # A refused batch must leave the transaction usable, so the caller can still
            # look up what to blame: PostgreSQL needs a savepoint for that (it refuses every
            # later statement otherwise); SQLite undoes only the refused statement (and a
            # savepoint there would copy every page the batch touches to a sub-journal).
            if self.pg:
                cur.execute("SAVEPOINT bulk_batch")
            try:
                n = self._pg(cur, rows) if self.pg else self._sqlite(cur, rows)
            except self.dialect.loaded_dbapi.IntegrityError as exc:
                if self.pg:
                    cur.execute("ROLLBACK TO SAVEPOINT bulk_batch")
                    cur.execute("RELEASE SAVEPOINT bulk_batch")
                raise Refused(str(exc)) from exc
            if self.pg:
                cur.execute("RELEASE SAVEPOINT bulk_batch")
        finally:
            cur.close()
        self.written += n
        return n

    def _pg(self, cur: Any, rows: Sequence[tuple]) -> int:
        with cur.copy(self.copy) as cp:
            if self.times:
                for r in rows:
                    row = list(r)
                    for i in self.times:
                        row[i] = _pg_time(row[i])
                    cp.write_row(row)
            else:
                for r in rows:
                    cp.write_row(r)
        cur.execute(self.sql)
        n = int(cur.rowcount)
        cur.execute(f"TRUNCATE {self.temp}")
        return n

    def _sqlite(self, cur: Any, rows: Sequence[tuple]) -> int:
        # Column by column, each distinct value converted once (a batch's rows share their
        # stamp), and columns that hold only NULLs left alone.
        procs = [(i, p) for i, p in self.procs if any(r[i] is not None for r in rows)]
        if procs:
            cols = list(zip(*rows, strict=True))
            for i, p in procs:
                done: dict[Any, Any] = {None: None}
                cols[i] = tuple(done[v] if v in done else done.setdefault(v, p(v)) for v in cols[i])
            rows = list(zip(*cols, strict=True))
        cur.executemany(self.sql, rows)
        return int(cur.rowcount)
