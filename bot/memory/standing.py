"""A contact's standing, read from the stored history: what the gate, the outbox, the cards
and `twoloop why` all ask before a message goes to someone."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.core.relationship import Event, Policy, Standing, assess
from storage import relationships as store
from storage.models import Account, Contact, RelationshipEvent


def as_event(row: RelationshipEvent) -> Event:
    return Event(row.kind, row.at, row.contact_id, row.summary, row.actor, dict(row.detail or {}))


def standings(
    s: Session,
    pairs: list[tuple[Contact, Account]],
    now: datetime,
    policy: Policy,
) -> dict[str, Standing]:
    """contact id -> standing, for many contacts at once (one read per table)."""
    accounts = [a.id for _, a in pairs]
    history = store.events_for(s, accounts)
    names = store.contact_names(s, accounts) if history else {}
    return {
        c.id: assess(
            [as_event(e) for e in history.get(a.id, [])], c.id, c.email, now, policy, names
        )
        for c, a in pairs
    }


def histories(s: Session, account_ids: list[str]) -> dict[str, list[Event]]:
    """account id -> its events, for the accounts that have any."""
    return {a: [as_event(e) for e in rows] for a, rows in store.events_for(s, account_ids).items()}


def standing(
    s: Session, contact: Contact, account: Account, now: datetime, policy: Policy
) -> Standing:
    return standings(s, [(contact, account)], now, policy)[contact.id]


def account_history(s: Session, account_id: str) -> tuple[list[Event], dict[str, str]]:
    """The account's events (newest first) and its contacts' names, for cards and reports."""
    rows = store.events_for(s, [account_id]).get(account_id, [])
    return [as_event(e) for e in reversed(rows)], store.contact_names(s, [account_id])
