"""Migrations on both databases: every earlier revision upgrades to head, rows survive, the
schema they build is the one the models describe, and downgrade gets back to an empty base."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlmodel import SQLModel

import storage.models  # noqa: F401  (registers the tables)
from storage.db import Database, alembic_config, upgrade

SCRIPTS = ScriptDirectory.from_config(alembic_config())
HEAD = SCRIPTS.get_current_head()
EARLIER = [r.revision for r in SCRIPTS.walk_revisions() if r.revision != HEAD]


@pytest.fixture
def db(blank_db_url):
    database = Database(blank_db_url)
    yield database
    database.dispose()


def current(db: Database) -> str | None:
    with db.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def drift(db: Database) -> list:
    """What autogenerate would still want to change: nothing, if models and head agree."""
    with db.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(ctx, SQLModel.metadata)


def test_there_is_history_to_upgrade_from():
    assert HEAD is not None and EARLIER, "no earlier revision: the upgrade tests would test nothing"


def test_head_matches_the_models(db):
    upgrade(db.engine)
    assert current(db) == HEAD
    assert drift(db) == []


@pytest.mark.parametrize("start", EARLIER)
def test_each_earlier_revision_upgrades_to_head(db, start):
    upgrade(db.engine, start)
    assert current(db) == start
    upgrade(db.engine)
    assert current(db) == HEAD
    assert drift(db) == []
    upgrade(db.engine)  # applied on every start: a second run is a no-op
    assert current(db) == HEAD


def test_rows_written_at_0001_survive_the_upgrade(db):
    upgrade(db.engine, "0001")
    now = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO agentstate (agent_id, trust, paused, paused_reason, config_version,"
                " overrides, updated_at) VALUES ('data-platform', 'supervised', false, '', 'v1',"
                " '{}', :now)"
            ),
            {"now": now},
        )
        for actor in ("agent:data-platform", "user:U1"):
            conn.execute(
                text(
                    "INSERT INTO auditevent (at, actor, action, subject, detail, config_version)"
                    " VALUES (:now, :actor, 'draft.created', 'draft:1', '{}', 'v1')"
                ),
                {"now": now, "actor": actor},
            )
        conn.execute(
            text(
                "INSERT INTO learnedweight (agent_id, rel, alpha, beta)"
                " VALUES ('data-platform', 'hires', 3, 2)"
            )
        )

    upgrade(db.engine)

    with db.engine.connect() as conn:
        state = conn.execute(text("SELECT trust, paused_by, trust_reason FROM agentstate")).one()
        assert tuple(state) == ("supervised", "", "")
        filed = conn.execute(text("SELECT actor, agent_id FROM auditevent ORDER BY id")).all()
        # Events an agent made are filed under it; a person's are not guessed at.
        assert [tuple(r) for r in filed] == [
            ("agent:data-platform", "data-platform"),
            ("user:U1", ""),
        ]
        weight = conn.execute(text("SELECT alpha, beta FROM learnedweight")).one()
        assert tuple(weight) == (3, 2)


def test_downgrade_to_base_and_back(db):
    cfg = alembic_config(db.engine)
    upgrade(db.engine)
    command.downgrade(cfg, "base")
    assert current(db) is None
    leftover = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
    assert leftover == set()
    upgrade(db.engine)
    assert current(db) == HEAD
    assert drift(db) == []
