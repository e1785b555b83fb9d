"""Daily token budgets shared by every process: reserve a call's worst case, settle to its use.

`reserve` is one conditional UPDATE (the budget row's spent + reserved + the worst case must
stay within the limit) and an insert of the reservation, in the caller's short transaction: no
row lock is held across the model call. `settle` deletes the reservation and moves its tokens
from reserved to what was really used; an expired reservation (its process died) is deleted
by `expire` and its tokens returned. Deleting first decides which of the two returns them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CursorResult, delete, update
from sqlmodel import Session, col, select

from storage.models import TokenBudget, TokenReservation
from storage.upsert import dialect_insert


def reserve(
    s: Session,
    agent_id: str,
    day: str,
    limit: int,
    tokens: int,
    expires_at: datetime,
    spent_before: int = 0,
) -> int | None:
    """The reservation's id, or None when the budget cannot hold `tokens` more. A day's row
    starts at `spent_before` (what was spent before budgets were kept in this table)."""
    s.execute(
        dialect_insert(s, TokenBudget)
        .values(agent_id=agent_id, day=day, spent=spent_before, reserved=0)
        .on_conflict_do_nothing(index_elements=["agent_id", "day"])
    )
    res = s.execute(
        update(TokenBudget)
        .where(
            col(TokenBudget.agent_id) == agent_id,
            col(TokenBudget.day) == day,
            col(TokenBudget.spent) + col(TokenBudget.reserved) + tokens <= limit,
        )
        .values(reserved=col(TokenBudget.reserved) + tokens)
    )
    if _rows(res) != 1:
        return None
    row = TokenReservation(agent_id=agent_id, day=day, tokens=tokens, expires_at=expires_at)
    s.add(row)
    s.flush()
    return row.id


def settle(s: Session, reservation_id: int, agent_id: str, day: str, used: int) -> None:
    """The call is over: its reservation goes (unless it expired meanwhile and was returned
    already), its real use counts."""
    gone = s.execute(
        delete(TokenReservation)
        .where(col(TokenReservation.id) == reservation_id)
        .returning(col(TokenReservation.tokens))
    ).first()
    _adjust(s, agent_id, day, -gone[0] if gone is not None else 0, used)


def spend(s: Session, agent_id: str, day: str, used: int) -> None:
    """Tokens used without a reservation: counted, whether or not the budget holds them."""
    s.execute(
        dialect_insert(s, TokenBudget)
        .values(agent_id=agent_id, day=day, spent=0, reserved=0)
        .on_conflict_do_nothing(index_elements=["agent_id", "day"])
    )
    _adjust(s, agent_id, day, 0, used)


def expire(s: Session, now: datetime) -> int:
    """Return the tokens of reservations past their expiry; how many there were."""
    gone = s.execute(
        delete(TokenReservation)
        .where(col(TokenReservation.expires_at) < now)
        .returning(
            col(TokenReservation.agent_id), col(TokenReservation.day), col(TokenReservation.tokens)
        )
    ).all()
    for agent_id, day, tokens in gone:
        _adjust(s, agent_id, day, -tokens, 0)
    return len(gone)


def state(s: Session, agent_id: str, day: str) -> TokenBudget | None:
    return s.exec(
        select(TokenBudget).where(TokenBudget.agent_id == agent_id, TokenBudget.day == day)
    ).first()


def _adjust(s: Session, agent_id: str, day: str, reserved: int, spent: int) -> None:
    s.execute(
        update(TokenBudget)
        .where(col(TokenBudget.agent_id) == agent_id, col(TokenBudget.day) == day)
        .values(reserved=col(TokenBudget.reserved) + reserved, spent=col(TokenBudget.spent) + spent)
    )


def _rows(result: object) -> int:
    return result.rowcount if isinstance(result, CursorResult) else 0
