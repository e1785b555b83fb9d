"""JSON lines carry numbers, booleans and sometimes not an object at all: the import takes
the first as the CSV's text would be taken and names the line of the second, never crashes."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from bot.intake.importer import ImportFailed, load
from storage.models import Account


def test_numbers_and_booleans_in_json_lines_import(empty_db, tmp_path):
    path = tmp_path / "accounts.jsonl"
    rows = [
        {
            "id": "a1",
            "name": "Acme",
            "domain": "acme.example",
            "employees": 50,
            "do_not_contact": False,
        },
        {"id": "a2", "name": "Beta", "domain": "beta.example", "employees": "70"},
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    assert load(empty_db, [path])["accounts"] == 2
    with empty_db.session() as s:
        stored = {a.id: a.employees for a in s.exec(select(Account))}
    assert stored == {"a1": 50, "a2": 70}


def test_a_line_that_is_not_an_object_is_named(empty_db, tmp_path):
    path = tmp_path / "accounts.jsonl"
    good = {"id": "a1", "name": "Acme", "domain": "acme.example"}
    path.write_text(json.dumps(good) + "\n" + json.dumps(["a2", "Beta"]) + "\n")
    with pytest.raises(ImportFailed) as failed:
        load(empty_db, [path])
    assert any(e.line == 2 for e in failed.value.errors), failed.value
    with empty_db.session() as s:
        assert s.exec(select(Account)).first() is None
