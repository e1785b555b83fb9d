"""`insert_row`: one statement per row, the same row the ORM would have written."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from storage.models import Account, Contact, Draft
from storage.rows import insert_row

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def _draft(key: str) -> Draft:
    return Draft(
        agent_id="a1",
        account_id="acme",
        contact_id="acme-1",
        play_id="p1",
        trigger_key=key,
        subject="Hi",
        body="Body\n",
        facts=[{"id": "f1", "slot": "signal.summary", "text": "Hiring"}],
        match={"score": 0.5, "paths": []},
        config_version="v1",
        gate_outcome="review",
        status="review",
        created_at=NOW,
        updated_at=NOW,
    )


def test_a_row_inserted_by_statement_reads_back_as_the_orm_wrote_it(empty_db):
    with empty_db.session() as s:
        s.add(Account(id="acme", name="Acme", domain="acme.example"))
        s.flush()
        s.add(Contact(id="acme-1", account_id="acme", first_name="Ada", email="ada@acme.example"))
        s.flush()
        first, second = _draft("k1"), _draft("k2")
        ids = [insert_row(s, first), insert_row(s, second)]
        assert ids == [first.id, second.id] and ids[0] != ids[1]
    with empty_db.reading() as s:
        back = s.get(Draft, first.id)
        assert back is not None
        assert (back.trigger_key, back.body, back.facts, back.match, back.deferred_until) == (
            "k1",
            "Body\n",
            [{"id": "f1", "slot": "signal.summary", "text": "Hiring"}],
            {"score": 0.5, "paths": []},
            None,
        )


def test_a_duplicate_key_fails_like_a_flush_and_writes_nothing(empty_db):
    with empty_db.session() as s:
        s.add(Account(id="acme", name="Acme", domain="acme.example"))
        s.flush()
        s.add(Contact(id="acme-1", account_id="acme", first_name="Ada", email="ada@acme.example"))
    with pytest.raises(IntegrityError), empty_db.session() as s:
        insert_row(s, _draft("same"))
        insert_row(s, _draft("same"))
    with empty_db.reading() as s:
        assert s.exec(select(Draft)).all() == []
