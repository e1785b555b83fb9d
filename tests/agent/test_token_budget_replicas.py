"""A tick and another replica's reply-answer job draw on one agent's daily token budget in
the database: every model call reserves its worst case first, so together they never spend
past it, and what they spent is counted once."""

from __future__ import annotations

import re
import threading

from sqlmodel import SQLModel, func, select

from bot.agent import loop
from bot.core.drafting import DraftRequest, OfflineWriter, Written
from bot.memory import budgets
from bot.runtime import Runtime
from storage import token_budget
from storage.db import Database
from storage.models import Draft
from tests.conftest import RecordingHumans, approve_plays

# Room for two calls' worst cases at once; the agent has four drafts to write, which each
# replica's own count of the day's tokens would all allow.
BUDGET = 2_500
WORST, USED = 1_000, 900


class MeteredWriter:
    """A model-like writer: template text, a known cost, a worst case to reserve."""

    provider = "openai:metered"

    def __init__(self) -> None:
        self.calls = 0
        self.lock = threading.Lock()

    def worst_case(self, request: DraftRequest) -> int:
        return WORST

    def write(self, request: DraftRequest) -> Written:
        with self.lock:
            self.calls += 1
        w = OfflineWriter().write(request)
        w.tokens, w.provider = USED, self.provider
        return w


def set_budget(rt: Runtime, agent_id: str, tokens: int) -> None:
    path = rt.settings.agents_dir / f"{agent_id}.md"
    text = path.read_text()
    path.write_text(
        re.sub(
            r"^daily_cap: \d+",
            f"daily_cap: 25\ndaily_token_budget: {tokens}",
            text,
            count=1,
            flags=re.M,
        )
    )


def test_a_tick_and_another_replicas_answer_job_stay_within_one_budget(rt):
    SQLModel.metadata.create_all(rt.db.engine)  # the budget tables, on any schema revision
    set_budget(rt, "data-platform", BUDGET)
    approve_plays(rt)
    other = Runtime(
        rt.settings,
        humans=RecordingHumans(),
        clock=rt.clock,
        database=Database(rt.settings.db_url, clock=rt.now),
    )
    writer = MeteredWriter()
    rt.writer = writer
    spec = rt.fleet().agents["data-platform"].spec
    start = threading.Barrier(2)
    reports: list[loop.TickReport] = []
    answered: list[int] = []

    def tick() -> None:
        start.wait()
        reports.extend(loop.tick(rt, "data-platform"))

    def answer_job() -> None:
        """The reply-answer job on another replica: a call whenever the budget allows."""
        start.wait()
        while (held := budgets.reserve(other, spec, WORST)) is not None:
            budgets.settle(other, held, USED)
            answered.append(USED)

    threads = [threading.Thread(target=tick), threading.Thread(target=answer_job)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    other.db.dispose()
    assert len(reports) == 1  # the tick did not fail
    day, _ = budgets.day_of(rt.now(), spec.timezone)
    with rt.db.session() as s:
        row = token_budget.state(s, "data-platform", day)
        stored = s.exec(
            select(func.coalesce(func.sum(Draft.tokens), 0)).where(
                Draft.agent_id == "data-platform"
            )
        ).one()
    assert row is not None and row.reserved == 0
    # Two worst cases fit at once; after they settle, 700 tokens cannot hold a third.
    assert writer.calls + len(answered) == 2
    assert row.spent == 2 * USED <= BUDGET
    assert stored == writer.calls * USED


def test_a_spent_budget_makes_the_draft_wait(rt):
    SQLModel.metadata.create_all(rt.db.engine)
    set_budget(rt, "data-platform", WORST - 1)
    approve_plays(rt)
    writer = MeteredWriter()
    rt.writer = writer
    [report] = loop.tick(rt, "data-platform")
    assert writer.calls == 0
    assert report.dropped.get(f"wait: {budgets.SPENT}")
