"""`twoloop crm sync` and `twoloop crm status` as a person runs them: against the HubSpot
stand-in, owners looked up in the fake Slack by email, one clear line when HubSpot is not set
up or refuses the token (which never shows)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from bot.cli.scaffold import init
from handlers.hosting import entry
from storage.db import Database
from storage.models import Account
from tests.conftest import unpaced
from tests.fakes import hubspot as fake_hubspot

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
OLIVIA = "U0OLIVIA01"


@pytest.fixture
def hub():
    fake = fake_hubspot.start()
    yield fake
    fake.server.shutdown()


@pytest.fixture
def home(clean_cwd, tmp_path, monkeypatch) -> Path:
    path = tmp_path / "home"
    init(path)
    unpaced(path)
    monkeypatch.setenv("TWOLOOP_HOME", str(path))
    ok("import")
    return path


def run(*args: str):
    return CliRunner().invoke(entry.app, list(args), obj=entry.HOST)


def ok(*args: str):
    result = run(*args)
    assert result.exit_code == 0, (args, result.stdout, result.stderr, result.exception)
    return result


def one_error(result, code: int) -> str:
    assert result.exit_code == code, (result.stdout, result.stderr, result.exception)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    return lines[0]


def test_crm_sync_runs_against_hubspot_and_prints_the_summary(home, hub, slack, monkeypatch):
    olivia = hub.add_owner("olivia@ours.example", "Olivia", "Grant")
    hub.add_company(
        "Acme Analytics",
        "acme-analytics.example",
        T0,
        lifecyclestage="customer",
        hubspot_owner_id=olivia,
    )
    hub.add_company("Newco", "newco.example", T0)
    slack.users[OLIVIA] = {"profile": {"email": "olivia@ours.example"}}
    monkeypatch.setenv("HUBSPOT_ACCESS_TOKEN", hub.token)
    monkeypatch.setenv("HUBSPOT_API_URL", hub.url)
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test-token")
    monkeypatch.setenv("SLACK_API_URL", slack.url)

    result = ok("crm", "sync")
    assert result.stdout.strip().splitlines() == [
        "crm sync: companies 2 (1 new), contacts 0, owners 1 (1 in chat), deals 0, "
        "pushed: emails 0, replies 0, notes 0"
    ]
    assert [c.args.get("email") for c in slack.of("users.lookupByEmail")] == ["olivia@ours.example"]
    db = Database(f"sqlite:///{home / 'twoloop.db'}")
    try:
        with db.session() as s:
            acme = s.exec(select(Account).where(Account.id == "acme")).one()
            assert (acme.owner_am, acme.customer_status) == (OLIVIA, "customer")
    finally:
        db.dispose()

    status = ok("crm", "status").stdout
    assert "hubspot: configured" in status
    assert "companies  synced" in status and "through 2026-03-02T09:00:00+00:00" in status
    assert "pushed: emails 0, replies 0, notes 0" in status
    assert hub.token not in status


def test_crm_sync_without_a_token_says_so_in_one_line(home):
    line = one_error(run("crm", "sync"), 2)
    assert line == "error: HubSpot is not configured: set HUBSPOT_ACCESS_TOKEN"


def test_crm_sync_with_a_revoked_token_is_one_line_and_never_shows_it(home, hub, monkeypatch):
    monkeypatch.setenv("HUBSPOT_ACCESS_TOKEN", "pat-na1-revoked-0123456789")
    monkeypatch.setenv("HUBSPOT_API_URL", hub.url)
    result = run("crm", "sync")
    line = one_error(result, 1)
    assert "401" in line and "HUBSPOT_ACCESS_TOKEN" in line
    assert result.stdout == ""
    assert "pat-na1-revoked" not in result.stdout + result.stderr
    assert "failing: HubSpot refused the access token" in ok("crm", "status").stdout
