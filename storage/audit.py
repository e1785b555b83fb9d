"""The append-only audit log: only inserts live here."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from storage.models import AuditEvent


def record(
    s: Session,
    actor: str,
    action: str,
    subject: str,
    detail: dict[str, Any] | None = None,
    config_version: str = "",
) -> None:
    s.add(
        AuditEvent(
            actor=actor,
            action=action,
            subject=subject,
            detail=detail or {},
            config_version=config_version,
        )
    )
