"""The append-only audit log: only inserts live here."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert
from sqlmodel import Session

from storage.models import AuditEvent, utcnow


def record(
    s: Session,
    actor: str,
    action: str,
    subject: str,
    detail: dict[str, Any] | None = None,
    config_version: str = "",
) -> None:
    # A Core insert: on the drafting hot path the ORM's unit of work costs more than the row.
    s.execute(
        insert(AuditEvent).values(
            at=utcnow(),
            actor=actor,
            action=action,
            subject=subject,
            detail=detail or {},
            config_version=config_version,
        )
    )
