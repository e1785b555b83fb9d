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

from sqlmodel import Session

from storage import candidates, prospects
from storage.models import Account, Contact
from storage.prospects import EdgeRow

SignalRow = tuple[int, str, datetime]  # id, kind, observed at


class Book:
    """One tick's copy of the rows it has read; shared by the tick's agents and threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._read: set[str] = set()  # account ids looked up, found or not
        self._accounts: dict[str, Account] = {}
        self._contacts: dict[str, list[Contact]] = {}
        self._edges: dict[str, list[EdgeRow]] = {}
        self._signals_read: set[str] = set()
        self._signals: dict[str, list[SignalRow]] = {}

    def signals(self, s: Session, ids: Sequence[str]) -> dict[str, list[SignalRow]]:
        """Every signal of these accounts, of any kind and age (each agent counts its own)."""
        with self._lock:
            missing = [a for a in ids if a not in self._signals_read]
        if missing:
            found: dict[str, list[SignalRow]] = defaultdict(list)
            for account_id, signal_id, kind, at in candidates.signals_of(s, missing):
                found[account_id].append((signal_id, kind, at))
            with self._lock:
                self._signals.update(found)
                self._signals_read.update(missing)
        with self._lock:
            return {a: self._signals[a] for a in ids if a in self._signals}

    def rows(
        self, s: Session, ids: Sequence[str]
    ) -> tuple[dict[str, Account], dict[str, list[Contact]], list[EdgeRow]]:
        """The accounts, their contacts (by id) and their edges, reading only those not yet
        read this tick."""
        with self._lock:
            missing = [a for a in ids if a not in self._read]
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
            with self._lock:
                self._accounts.update(accounts)
                self._contacts.update(contacts)
                self._edges.update(edges)
                self._read.update(missing)
        with self._lock:
            return (
                {a: self._accounts[a] for a in ids if a in self._accounts},
                {a: self._contacts[a] for a in ids if a in self._contacts},
                [e for a in ids for e in self._edges.get(a, ())],
            )
