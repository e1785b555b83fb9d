"""A tick reads an account's own rows (the account, contacts, edges, signals) once, however
many of its agents and chunks look at the account."""

from __future__ import annotations

from collections import Counter

from sqlmodel import select

from bot.agent import book as book_module
from bot.agent import loop
from bot.agent.book import Book
from storage import candidates, prospects
from storage.models import Account
from tests.conftest import approve_plays


def test_a_fleet_tick_reads_each_accounts_rows_once(rt, monkeypatch):
    approve_plays(rt)
    asked: Counter[str] = Counter()
    real = prospects.contacts_for

    def counting(s, ids):
        ids = list(ids)
        asked.update(ids)
        return real(s, ids)

    monkeypatch.setattr(prospects, "contacts_for", counting)
    reports = loop.tick(rt, full=True)
    # data-platform and security-expansion share software and fintech accounts
    assert len(reports) == 2 and all(r.candidates for r in reports)
    assert sum(r.drafted for r in reports) > 0
    assert asked and max(asked.values()) == 1, asked.most_common(3)


def test_the_book_reads_only_what_it_has_not_read(rt, monkeypatch):
    with rt.db.reading() as s:
        ids = sorted(s.exec(select(Account.id)).all())[:6]
    assert len(ids) == 6
    first, second = ids[:3], ids[1:]
    reads: list[list[str]] = []
    real = prospects.accounts_by_id

    def recording(s, wanted):
        reads.append(list(wanted))
        return real(s, wanted)

    monkeypatch.setattr(prospects, "accounts_by_id", recording)
    book = Book()
    with rt.db.reading() as s:
        book.rows(s, first)
        accounts, contacts, edges = book.rows(s, second + ["no-such-account"])
        book.rows(s, ["no-such-account"])
        expected_contacts = {
            a: [c.id for c in cs] for a, cs in prospects.contacts_for(s, second).items()
        }
        expected_edges = prospects.account_edges(s, second)
        signals = book.signals(s, second)
        expected_signals = candidates.signals_of(s, second)
    assert reads == [first, [a for a in second if a not in first] + ["no-such-account"]]
    assert sorted(accounts) == second
    # read after the reading session rolled back: the book's rows stay readable
    assert {a: [c.id for c in cs] for a, cs in contacts.items()} == expected_contacts
    assert all(accounts[a].id == a for a in second)
    assert sorted(edges) == sorted(expected_edges)
    assert sorted((a, *row) for a, rows in signals.items() for row in rows) == sorted(
        expected_signals
    )


def test_a_full_book_starts_over_and_still_answers_in_full(rt, monkeypatch):
    monkeypatch.setattr(book_module, "LIMIT", 3)
    with rt.db.reading() as s:
        ids = sorted(s.exec(select(Account.id)).all())[:5]
        book = Book()
        book.rows(s, ids[:2])
        accounts, contacts, _ = book.rows(s, ids[1:4])  # 2 kept + 2 new > 3: starts over
        assert sorted(accounts) == ids[1:4]
        assert {a: [c.id for c in cs] for a, cs in contacts.items()} == {
            a: [c.id for c in cs] for a, cs in prospects.contacts_for(s, ids[1:4]).items()
        }
        assert sorted(book.rows(s, ids)[0]) == ids  # more than the limit at once
