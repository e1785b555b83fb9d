"""The append-only audit log: only inserts live here."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert
from sqlmodel import Session

from storage.models import AuditEvent, session_now
from storage.upsert import table_of

# Built once, on the table: a Core insert skips the ORM's bulk-insert path, and a statement
# reused keeps its cache key, so each row costs its own values and little else.
_INSERT = insert(table_of(AuditEvent))


def record(
    s: Session,
    actor: str,
    action: str,
    subject: str,
    detail: dict[str, Any] | None = None,
    config_version: str = "",
    agent_id: str = "",
) -> None:
    """`agent_id` files the event under an agent for `twoloop audit --agent`; an agent's own
    actions are filed under it without being told."""
    if not agent_id and actor.startswith("agent:"):
        agent_id = actor.removeprefix("agent:")
    # A Core insert: on the drafting hot path the ORM's unit of work costs more than the row.
    s.execute(
        _INSERT,
        {
            "at": session_now(s),
            "actor": actor,
            "action": action,
            "subject": subject,
            "agent_id": agent_id,
            "detail": detail or {},
            "config_version": config_version,
        },
    )
