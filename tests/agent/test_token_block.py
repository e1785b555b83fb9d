"""A tick's chunk reserves its model calls' worst cases in one transaction and settles them in
one, as soon as its last call is over, while that takes at most half the day's room left; near
the end of the budget each call reserves its own, so room comes back call by call."""

from __future__ import annotations

import pytest
from sqlalchemy import event
from sqlmodel import SQLModel, select

from bot.agent import loop
from bot.core.drafting import DraftRequest, Written
from bot.memory import budgets
from storage import token_budget
from storage.models import Draft, TokenReservation
from tests.agent.test_token_budget_replicas import WORST, MeteredWriter, set_budget
from tests.conftest import approve_plays

USED = 100


class CheapWriter(MeteredWriter):
    def write(self, request: DraftRequest) -> Written:
        w = super().write(request)
        w.tokens = USED
        return w


def reservations_made(rt) -> list[str]:
    """Every INSERT into the reservations table, as the database sees it."""
    seen: list[str] = []
    table = TokenReservation.__tablename__

    @event.listens_for(rt.db.engine, "before_cursor_execute")
    def _count(conn, cursor, statement, params, context, executemany):
        if statement.lstrip().upper().startswith("INSERT") and table in statement:
            seen.append(statement)

    return seen


def test_a_chunk_reserves_its_calls_once_and_settles_to_what_they_used(rt):
    SQLModel.metadata.create_all(rt.db.engine)
    set_budget(rt, "data-platform", 100 * WORST)
    approve_plays(rt)
    rt.writer = writer = CheapWriter()
    inserts = reservations_made(rt)
    [report] = loop.tick(rt, "data-platform")
    assert writer.calls >= 2, report.line()
    assert len(inserts) == 1  # one reservation for the whole chunk, not one per call
    spec = rt.fleet().agents["data-platform"].spec
    day, _ = budgets.day_of(rt.now(), spec.timezone)
    with rt.db.session() as s:
        row = token_budget.state(s, "data-platform", day)
        assert s.exec(select(TokenReservation)).all() == []
        stored = sum(d.tokens for d in s.exec(select(Draft)))
    assert row is not None and row.reserved == 0
    assert row.spent == stored == writer.calls * USED


def test_near_the_end_of_the_budget_each_call_reserves_its_own(rt):
    """Room for three and a half worst cases and four drafts: a block would hold room the
    fourth needs until the chunk's slowest call ends. Each call reserves its own instead,
    and the fourth gets the room the first three gave back."""
    SQLModel.metadata.create_all(rt.db.engine)
    set_budget(rt, "data-platform", 3 * WORST + WORST // 2)
    approve_plays(rt)
    rt.writer = writer = CheapWriter()
    inserts = reservations_made(rt)
    [report] = loop.tick(rt, "data-platform")
    assert writer.calls == 4, report.line()
    assert len(inserts) == 4  # one per call: no block
    assert not any(k.startswith("wait:") for k in report.dropped), report.line()


def test_a_failed_settlement_is_tried_again(rt, monkeypatch):
    """A block counts as settled only once its settlement was written."""
    block = budgets.Block(budgets.Reservation(7, "data-platform", "2026-11-02"), 2, used=300)
    seen: list[int] = []

    def flaky(_rt, reservation, used):
        seen.append(used)
        if len(seen) == 1:
            raise RuntimeError("database is locked")

    monkeypatch.setattr(budgets, "settle", flaky)
    with pytest.raises(RuntimeError):
        budgets.settle_block(rt, block)
    budgets.settle_block(rt, block)
    budgets.settle_block(rt, block)  # settled: nothing more is written
    assert seen == [300, 300]
