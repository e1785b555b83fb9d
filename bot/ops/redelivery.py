"""Taking each Slack event or interaction once, though Slack (or a proxy) may deliver it
again: Slack retries an event it did not see acknowledged within 3 s (X-Slack-Retry-Num,
same event_id), and a retried HTTP request repeats a click. The first delivery's key is
stored; a later one with the same key is acknowledged and dropped, on any replica."""

from __future__ import annotations

import logging
from datetime import timedelta

from bot.runtime import Runtime
from storage import deliveries

log = logging.getLogger(__name__)

KEEP = timedelta(days=1)  # Slack's last retry comes minutes after the first delivery


def first_time(rt: Runtime, key: str) -> bool:
    """True unless `key` was seen before. If the database cannot say, the delivery is
    taken (fail open): what follows is idempotent, and a lost click is worse than an
    ephemeral shown twice."""
    try:
        with rt.db.session() as s:
            return deliveries.first(s, key[:255], rt.now())
    except Exception as exc:  # noqa: BLE001
        log.warning("delivery dedupe unavailable (%s); taking %s", type(exc).__name__, key)
        return True


def prune(rt: Runtime) -> int:
    with rt.db.session() as s:
        return deliveries.prune(s, rt.now() - KEEP)
