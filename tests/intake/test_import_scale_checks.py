"""What the million-row import does differently from a small one, checked on small files:
duplicates found from hashes then named exactly, a batch the database refuses, indexes
built after the rows (never while a running service reads the tables), and edges left alone
when they come again unchanged."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import pytest
from sqlalchemy import inspect
from sqlmodel import func, select

from bot.intake import importer
from bot.intake.importer import ImportFailed, load
from storage.bulk import Bulk, LaterIndexes
from storage.models import Account, Contact, Edge

HEAD_A = "id,name,domain,industry,employees,country,owner_am,customer_status,tech"
HEAD_C = "id,account_id,first_name,last_name,email,title"


@pytest.fixture
def small_batches(monkeypatch):
    monkeypatch.setattr(importer, "WRITE_BATCH", 5)


def write(folder: Path, accounts: list[str], contacts: list[str]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    a, c = folder / "accounts.csv", folder / "contacts.csv"
    a.write_text("\n".join([HEAD_A, *accounts]) + "\n", encoding="utf-8")
    c.write_text("\n".join([HEAD_C, *contacts]) + "\n", encoding="utf-8")
    return [a, c]


def accounts(n: int) -> list[str]:
    return [f"a{i},Co {i},co{i}.example,software,1,GB,U1,prospect,Airflow" for i in range(n)]


def contacts(n: int) -> list[str]:
    return [f"c{i},a{i},Ann,L,p@co{i}.example,CTO" for i in range(n)]


def rows(db, model) -> int:
    with db.session() as s:
        return s.exec(select(func.count()).select_from(model)).one()


def test_an_email_again_in_a_later_batch_is_named_with_its_first_line(
    empty_db, tmp_path, small_batches
):
    # The database refuses the batch with the second address before the hashes are
    # compared; the import still reports the row, and writes nothing.
    people = [*contacts(20), "other,a3,Bo,L,p@co1.example,CTO"]
    with pytest.raises(ImportFailed) as info:
        load(empty_db, write(tmp_path, accounts(20), people))
    [only] = info.value.errors
    assert (only.path.name, only.line, only.field) == ("contacts.csv", 22, "email")
    assert "line 3" in only.message
    assert rows(empty_db, Account) == rows(empty_db, Contact) == 0


def test_the_same_contact_again_is_an_id_error_only(empty_db, tmp_path, small_batches):
    people = [*contacts(12), "c2,a2,Ann,L,p@co2.example,CTO"]
    with pytest.raises(ImportFailed) as info:
        load(empty_db, write(tmp_path, accounts(12), people))
    [only] = info.value.errors
    assert (only.line, only.field) == (14, "id")
    assert "line 4" in only.message


def test_an_account_again_names_its_first_line_across_batches(empty_db, tmp_path, small_batches):
    firms = [*accounts(12), "a1,Again,again.example,software,1,GB,U1,prospect,"]
    with pytest.raises(ImportFailed) as info:
        load(empty_db, write(tmp_path, firms, contacts(12)))
    [only] = info.value.errors
    assert (only.path.name, only.line, only.field) == ("accounts.csv", 14, "id")
    assert "line 3" in only.message


def test_a_contact_of_an_unknown_account_is_refused(empty_db, tmp_path, small_batches):
    with pytest.raises(ImportFailed) as info:
        load(empty_db, write(tmp_path, accounts(8), [*contacts(8), "x,ghost,Al,L,x@y.example,"]))
    [only] = info.value.errors
    assert (only.line, only.field) == (10, "account_id")


def indexes(db, table: str) -> set[str]:
    return {ix["name"] for ix in inspect(db.engine).get_indexes(table) if ix["name"]}


@pytest.fixture
def big(monkeypatch):
    """Every import counts as a big one: a thousand rows per byte of its files."""
    monkeypatch.setattr(importer, "BYTES_PER_ROW", 0.001)


def test_indexes_are_there_after_an_import_and_after_a_failed_one(empty_db, tmp_path, big):
    before = {t: indexes(empty_db, t) for t in ("account", "contact", "edge")}
    assert "ix_account_domain" in before["account"]
    with pytest.raises(ImportFailed):
        load(empty_db, write(tmp_path / "bad", accounts(5), ["x,ghost,Al,L,x@y.example,"]))
    assert {t: indexes(empty_db, t) for t in before} == before
    load(empty_db, write(tmp_path / "good", accounts(5), contacts(5)))
    assert {t: indexes(empty_db, t) for t in before} == before
    with empty_db.session() as s:
        found = s.exec(select(Account.id).where(Account.domain == "co3.example")).all()
    assert found == ["a3"]


def test_an_edge_given_again_unchanged_is_left_alone(empty_db):
    edge = ("account:a1", "uses", "tech:dbt", 1.0, "accounts")
    with empty_db.session() as s:
        w = Bulk(
            s,
            Edge,
            ["src", "rel", "dst", "weight", "source"],
            ["src", "rel", "dst"],
            only_changed=True,
        )
        assert w.write([edge]) == 1
        assert w.write([edge]) == 0
        assert w.write([(*edge[:3], 2.0, "accounts")]) == 1
    with empty_db.session() as s:
        [stored] = s.exec(select(Edge)).all()
    assert stored.weight == 2.0


def test_a_big_import_drops_the_indexes_of_empty_tables_and_a_small_one_keeps_them(empty_db):
    with empty_db.session() as s:
        later = LaterIndexes(s, [Account, Contact], incoming=10_000)
        dropped = " ".join(later.ddl)
        assert "ix_contact_account_id" in dropped and "ix_account_domain" in dropped
        assert "ix_contact_account_id" not in {ix["name"] for ix in _live_indexes(s, "contact")}
        s.rollback()
        assert LaterIndexes(s, [Account, Contact], incoming=9_999).ddl == []
    assert "ix_contact_account_id" in indexes(empty_db, "contact")


def _live_indexes(s, table: str) -> list[dict]:
    return inspect(s.connection()).get_indexes(table)


def test_while_a_service_reads_the_import_keeps_the_indexes_and_never_waits(
    empty_db, tmp_path, big, caplog
):
    """A replica's transaction has read contacts and will read accounts next: an import that
    dropped the accounts' indexes would wait on contacts while the replica waits on accounts
    (PostgreSQL ends one of them as a deadlock), or stall until the replica commits. (SQLite
    readers never block its writer: there the import just goes through.)"""
    caplog.set_level(logging.INFO, logger="storage.bulk")
    files = write(tmp_path, accounts(30), contacts(30))
    done = threading.Event()
    with empty_db.reading() as replica:
        replica.exec(select(Contact.id).limit(1)).all()  # holds contact until it ends
        worker = threading.Thread(target=lambda: (load(empty_db, files), done.set()))
        worker.start()
        finished = done.wait(30)
        replica.exec(select(Account.id).limit(1)).all()
    worker.join()
    assert finished, "the import waited for a reader to finish"
    assert rows(empty_db, Account) == rows(empty_db, Contact) == 30
    assert "ix_contact_account_id" in indexes(empty_db, "contact")
    if empty_db.dialect == "postgresql":
        assert "the import keeps their indexes" in caplog.text
