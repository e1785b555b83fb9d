"""The accounts' own rows (the account, its contacts, edges and signals), read once per tick.

Agents of one industry rank the same changed accounts, and an agent's next chunk re-reads
most of what its last one looked at: at 100,000 accounts an incremental tick read these rows
about 18 times for each draft it wrote. Only rows that imports and CRM syncs change are
kept. What a tick changes itself (open conversations, drafted triggers, the history) is read
fresh for every chunk, and the outbox reads the contact again before it sends.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import TypeVar

from sqlmodel import Session

from storage import candidates, prospects
from storage.models import Account, Contact
from storage.prospects import EdgeRow

SignalRow = tuple[int, str, datetime]  # id, kind, observed at
# Accounts kept at most: a tick whose agents walk far down their rankings (most candidates
# dropped) starts over rather than hold a whole segment. A full tick of 40 agents over
# 100,000 accounts kept about 5,000.
LIMIT = 50_000
T = TypeVar("T")


class Book:
    """One tick's copy of the rows it has read; shared by the tick's agents and threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        # account id -> (account or None, contacts, edges); and -> every signal of it
        self._rows: dict[str, tuple[Account | None, list[Contact], list[EdgeRow]]] = {}
        self._signals: dict[str, list[SignalRow]] = {}

    def rows(
        self, s: Session, ids: Sequence[str]
    ) -> tuple[dict[str, Account], dict[str, list[Contact]], list[EdgeRow]]:
        """The accounts, their contacts (by id) and their edges, reading only those not yet
        read this tick."""
        have = self._known(self._rows, ids)
        missing = [a for a in ids if a not in have]
        if missing:
            accounts = prospects.accounts_by_id(s, missing)
            contacts = prospects.contacts_for(s, missing)
            # Kept apart from the session that read them: its rollback must not expire rows
            # that other agents of the tick go on reading.
            for row in [*accounts.values(), *(c for cs in contacts.values() for c in cs)]:
                s.expunge(row)
            edges: dict[str, list[EdgeRow]] = defaultdict(list)
            for edge in prospects.account_edges(s, missing):
                edges[edge[0].removeprefix("account:")].append(edge)
            new = {a: (accounts.get(a), contacts.get(a, []), edges.get(a, [])) for a in missing}
            have |= self._keep(self._rows, new)
        return (
            {a: account for a in ids if (account := have[a][0]) is not None},
            {a: have[a][1] for a in ids if have[a][1]},
            [e for a in ids for e in have[a][2]],
        )

    def signals(self, s: Session, ids: Sequence[str]) -> dict[str, list[SignalRow]]:
        """Every signal of these accounts, of any kind and age (each agent counts its own)."""
        have = self._known(self._signals, ids)
        missing = [a for a in ids if a not in have]
        if missing:
            new: dict[str, list[SignalRow]] = {a: [] for a in missing}
            for account_id, signal_id, kind, at in candidates.signals_of(s, missing):
                new[account_id].append((signal_id, kind, at))
            have |= self._keep(self._signals, new)
        return {a: have[a] for a in ids if have[a]}

    def _known(self, cache: dict[str, T], ids: Sequence[str]) -> dict[str, T]:
        """What the cache holds of these ids, read under the lock: another thread may start
        the cache over meanwhile."""
        with self._lock:
            return {a: cache[a] for a in ids if a in cache}

    def _keep(self, cache: dict[str, T], new: dict[str, T]) -> dict[str, T]:
        with self._lock:
            if len(cache) + len(new) > LIMIT:
                cache.clear()
            cache.update(new)
        return new
