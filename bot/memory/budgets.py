"""Each agent's daily model tokens, held in the database for every process that spends them.

The tick's drafts and the reply-answer job (and every replica) draw on the same budget: a call
first reserves its worst case (storage/token_budget.py, one conditional UPDATE in a short
transaction), then settles to what it really used. A call that cannot reserve is not made: the
work waits for tomorrow's budget. A reservation left by a process that died is returned when
it expires, so a crash costs an hour of budget at most, never the day.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
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


@dataclass
class Block:
    """The worst cases of a chunk's calls reserved in one transaction, settled in one when
    the last of them is over. A tick's chunk writes its drafts at once: a reservation and a
    settlement per call were two write transactions each, and on SQLite the calls queued
    for its one write lock instead of for the model."""

    reservation: Reservation | None
    covered: int  # how many of the batch's calls, in order, it holds room for
    used: int = 0
    _pending: int = -1
    _settled: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _settling: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        self._pending = self.covered

    def holds(self, index: int) -> bool:
        return index < self.covered

    def finish(self, tokens: int) -> bool:
        """One call it holds is over (made or not); True for the last, which settles it."""
        with self._lock:
            self.used += tokens
            self._pending -= 1
            return self._pending == 0


def reserve_block(rt: Runtime, spec: AgentSpec, worst: list[int]) -> Block:
    """Room for all the calls at once while they take at most half of what is left today;
    otherwise none (an empty block), and each call reserves its own as the budget nears its
    end: then room comes back call by call, and other jobs and replicas still find some."""
    now = rt.now()
    total = sum(worst)
    with rt.db.session() as s:
        day, start = day_of(now, spec.timezone)
        token_budget.expire(s, now)
        row = token_budget.state(s, spec.id, day)
        spent = prospects.tokens_since(s, spec.id, start) if row is None else row.spent
        room = spec.daily_token_budget - spent - (row.reserved if row is not None else 0)
        if not worst or 2 * total > room:
            return Block(None, 0)
        rid = token_budget.reserve(
            s, spec.id, day, spec.daily_token_budget, total, now + RESERVATION_TTL, spent
        )
    if rid is None:  # another process took the room meanwhile
        return Block(None, 0)
    return Block(Reservation(rid, spec.id, day), len(worst))


def settle_block(rt: Runtime, block: Block) -> None:
    """Settle the block to what its calls used, once: it counts as settled only when the
    settlement was written, so a caller that failed to may try again."""
    with block._settling:
        if block._settled or block.reservation is None:
            return
        settle(rt, block.reservation, block.used)
        block._settled = True


def settle(rt: Runtime, reservation: Reservation, used: int) -> None:
    """The call is over: the reservation becomes what it used."""
    with rt.db.session() as s:
        token_budget.settle(s, reservation.id, reservation.agent_id, reservation.day, used)
