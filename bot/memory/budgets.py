"""Each agent's daily model tokens, held in the database for every process that spends them.

The tick's drafts and the reply-answer job (and every replica) draw on the same budget: a call
first reserves its worst case (storage/token_budget.py, one conditional UPDATE in a short
transaction), then settles to what it really used. A call that cannot reserve is not made: the
work waits for tomorrow's budget. A reservation left by a process that died is returned when
it expires, so a crash costs an hour of budget at most, never the day.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.config.agents import AgentSpec
from bot.runtime import Runtime
from storage import prospects, token_budget

log = logging.getLogger(__name__)

RESERVATION_TTL = timedelta(hours=1)  # far beyond any call's timeouts and retries
SPENT = "daily token budget spent"
BUSY_WAIT = 0.2  # seconds between tries while in-flight reservations fill the budget
BUSY_TRIES = 50


@dataclass(frozen=True)
class Reservation:
    id: int
    agent_id: str
    day: str


def day_of(now: datetime, tz: str) -> tuple[str, datetime]:
    """The agent's local day (its key) and when it began."""
    local = now.astimezone(ZoneInfo(tz))
    start = local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(now.tzinfo)
    return local.date().isoformat(), start


def reserve(rt: Runtime, spec: AgentSpec, tokens: int) -> Reservation | None:
    """Room for a call of at most `tokens` in the agent's budget today, or None (spent)."""
    with rt.db.session() as s:
        return hold(s, rt.now(), spec, tokens)


def hold(s: Session, now: datetime, spec: AgentSpec, tokens: int) -> Reservation | None:
    """`reserve` in the caller's (short) transaction."""
    day, start = day_of(now, spec.timezone)
    token_budget.expire(s, now)
    spent = 0
    if token_budget.state(s, spec.id, day) is None:
        # The day's first reservation: what drafts stored before it already spent.
        spent = prospects.tokens_since(s, spec.id, start)
    rid = token_budget.reserve(
        s, spec.id, day, spec.daily_token_budget, tokens, now + RESERVATION_TTL, spent
    )
    if rid is None:
        log.info("agent %s: %s (a call needs up to %d tokens)", spec.id, SPENT, tokens)
        return None
    return Reservation(rid, spec.id, day)


def reserve_soon(rt: Runtime, spec: AgentSpec, tokens: int) -> Reservation | None:
    """`reserve`, waiting a little while the only thing in the way is other calls' worst
    cases still in flight (they settle to far less); None once the budget is truly spent."""
    for _ in range(BUSY_TRIES):
        with rt.db.session() as s:
            held = hold(s, rt.now(), spec, tokens)
            if held is not None:
                return held
            day, _ = day_of(rt.now(), spec.timezone)
            row = token_budget.state(s, spec.id, day)
            if row is None or row.spent + tokens > spec.daily_token_budget or not row.reserved:
                return None
        time.sleep(BUSY_WAIT)
    return None


def settle(rt: Runtime, reservation: Reservation, used: int) -> None:
    """The call is over: the reservation becomes what it used."""
    with rt.db.session() as s:
        token_budget.settle(s, reservation.id, reservation.agent_id, reservation.day, used)
