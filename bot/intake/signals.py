"""Signals arriving over HTTP: one shape check, then the importer's all-or-nothing path."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from bot.config.frontmatter import FileError
from bot.intake.importer import ImportFailed, ingest_signals
from bot.runtime import Runtime

MAX_BATCH = 1000


class Rejected(Exception):
    def __init__(self, problems: list[dict[str, str]]):
        super().__init__("; ".join(f"{p['field']}: {p['message']}" for p in problems))
        self.problems = problems


def ingest(rt: Runtime, body: Any) -> dict[str, int]:
    """Accept one signal object, a list, or {"signals": [...]}; store all or none."""
    items = body.get("signals") if isinstance(body, dict) and "signals" in body else body
    if isinstance(items, dict):
        items = [items]
    if not isinstance(items, list) or not items:
        raise Rejected(
            [
                {
                    "field": "body",
                    "message": 'send a signal object, a list of them, or {"signals": [...]}',
                }
            ]
        )
    if len(items) > MAX_BATCH:
        raise Rejected([{"field": "signals", "message": f"at most {MAX_BATCH} per request"}])
    try:
        counts = ingest_signals(rt.db, items, "request")
    except ImportFailed as exc:
        raise Rejected([{"field": _field(e), "message": e.message} for e in exc.errors]) from None
    return {
        "received": len(items),
        "stored": counts.get("signals", 0),
        "duplicates": counts.get("duplicate signals", 0),
    }


def _field(err: FileError) -> str:
    field = err.field or ""
    if err.line is not None and not field.startswith("signals["):
        return f"signals[{err.line}]" + (f".{field}" if field else "")
    return field or "signals"


def health(rt: Runtime) -> tuple[bool, str]:
    try:
        with rt.db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure means unhealthy
        return False, type(exc).__name__
    return True, "ok"
