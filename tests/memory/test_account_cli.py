"""`twoloop account`: the terminal's view of an account's memory, with the same rules as Slack."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from handlers.hosting.entry import app
from storage.db import Database
from storage.models import Account, RelationshipEvent
from tests.conftest import OPERATOR


@pytest.fixture
def home(clean_cwd, tmp_path, monkeypatch) -> Path:
    path = tmp_path / "home"
    monkeypatch.setenv("TWOLOOP_HOME", str(path))
    monkeypatch.setenv("TWOLOOP_OPERATORS", OPERATOR)
    return path


def run(*args: str):
    return CliRunner().invoke(app, list(args))


def test_show_set_status_and_release(home):
    assert run("init").exit_code == 0
    assert run("import").exit_code == 0
    shown = run("account", "show", "acme")
    assert shown.exit_code == 0 and "Acme Analytics" in shown.stdout
    assert "Nothing happened with this account yet." in shown.stdout

    refused = run("account", "set-status", "acme", "customer", "--as", "U0AMDANA01")
    assert refused.exit_code == 2 and "Only operators" in refused.stderr
    done = run("account", "set-status", "acme", "customer", "--as", OPERATOR)
    assert done.exit_code == 0 and "now customer" in done.stdout
    bad = run("account", "set-status", "acme", "vip", "--as", OPERATOR)
    assert bad.exit_code == 2 and "prospect, customer, former_customer" in bad.stderr
    missing = run("account", "show", "nope")
    assert missing.exit_code == 2 and "No account `nope`" in missing.stderr

    db = Database(f"sqlite:///{home / 'twoloop.db'}")
    with db.session() as s:
        assert s.get(Account, "acme").customer_status == "customer"
        changed = s.exec(
            select(RelationshipEvent).where(RelationshipEvent.kind == "customer")
        ).one()
        assert changed.detail == {"status": "customer", "was": "prospect"}
    db.dispose()
    history = run("account", "show", "acme")
    assert "customer" in history.stdout and "set by an operator" in history.stdout
    nothing = run("account", "release", "acme", "--as", OPERATOR)
    assert nothing.exit_code == 0 and "not with its owner" in nothing.stdout
