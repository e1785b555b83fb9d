"""Daily token budgets held in the database: processes racing the same budget never spend
past it, a reservation settles to the real use, and a dead process's reservation expires.
Each "process" is a Database of its own (its own engine and connections), on SQLite and
PostgreSQL."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import SQLModel

from storage import token_budget
from storage.db import Database

NOW = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=1)
DAY = "2026-05-04"


@pytest.fixture
def databases(db_url):
    """Two processes' views of one fresh database."""
    first = Database(db_url, clock=lambda: NOW)
    SQLModel.metadata.create_all(first.engine)
    second = Database(db_url, clock=lambda: NOW)
    yield first, second
    first.dispose()
    second.dispose()


def reserve(db: Database, tokens: int, limit: int, agent: str = "a1") -> int | None:
    with db.session() as s:
        return token_budget.reserve(s, agent, DAY, limit, tokens, LATER)


def state(db: Database, agent: str = "a1") -> tuple[int, int]:
    with db.session() as s:
        row = token_budget.state(s, agent, DAY)
        assert row is not None
        return row.spent, row.reserved


def test_processes_racing_one_budget_never_exceed_it(databases):
    limit, worst, used = 10_000, 700, 600
    granted: list[int] = []
    refused = 0
    lock = threading.Lock()
    start = threading.Barrier(8)

    def work(db: Database) -> None:
        nonlocal refused
        start.wait()
        for _ in range(6):
            rid = reserve(db, worst, limit)
            with lock:
                if rid is None:
                    refused += 1
                else:
                    granted.append(rid)
            if rid is not None:
                with db.session() as s:
                    token_budget.settle(s, rid, "a1", DAY, used)

    threads = [threading.Thread(target=work, args=(databases[i % 2],)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    spent, reserved = state(databases[0])
    assert reserved == 0
    assert spent == used * len(granted) <= limit
    assert len(granted) + refused == 48
    # Worst cases were held while calls ran, so no more than limit // worst could ever
    # overlap; once settled, the real use (less) left room for more.
    assert len(granted) >= limit // worst


def test_in_flight_reservations_count_before_they_settle(databases):
    first, second = databases
    assert reserve(first, 6_000, 10_000) is not None
    assert reserve(second, 6_000, 10_000) is None  # the first call may still use its worst case
    assert reserve(second, 4_000, 10_000) is not None
    assert state(first) == (0, 10_000)


def test_a_reservation_settles_to_the_real_use(databases):
    db = databases[0]
    rid = reserve(db, 5_000, 10_000)
    assert rid is not None
    with db.session() as s:
        token_budget.settle(s, rid, "a1", DAY, 1_200)
    assert state(db) == (1_200, 0)
    assert reserve(db, 8_800, 10_000) is not None
    assert reserve(db, 1, 10_000) is None


def test_a_dead_processs_reservation_expires_and_is_returned(databases):
    db = databases[0]
    with db.session() as s:
        dead = token_budget.reserve(s, "a1", DAY, 10_000, 9_000, NOW + timedelta(minutes=5))
    assert reserve(db, 2_000, 10_000) is None
    with db.session() as s:
        assert token_budget.expire(s, NOW + timedelta(minutes=4)) == 0
        assert token_budget.expire(s, NOW + timedelta(minutes=6)) == 1
    assert state(db) == (0, 0)
    # The call finished after all: its use counts, its reservation is not returned twice.
    assert dead is not None
    with db.session() as s:
        token_budget.settle(s, dead, "a1", DAY, 3_000)
    assert state(db) == (3_000, 0)


def test_a_days_budget_starts_from_what_was_spent_before(databases):
    db = databases[0]
    with db.session() as s:
        assert token_budget.reserve(s, "a1", DAY, 10_000, 1_000, LATER, spent_before=9_500) is None
    assert state(db) == (9_500, 0)
    with db.session() as s:  # the seed is taken once: the row exists now
        assert token_budget.reserve(s, "a1", DAY, 10_000, 500, LATER, spent_before=0) is not None
    assert state(db) == (9_500, 500)


def test_budgets_are_per_agent_and_day(databases):
    db = databases[0]
    assert reserve(db, 10_000, 10_000, agent="a1") is not None
    assert reserve(db, 10_000, 10_000, agent="a2") is not None
    with db.session() as s:
        assert token_budget.reserve(s, "a1", "2026-05-05", 10_000, 10_000, LATER) is not None
