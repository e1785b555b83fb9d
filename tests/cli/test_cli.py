"""The `twoloop` command, end to end on a SQLite file under a temporary TWOLOOP_HOME."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
from sqlmodel import func, select
from typer.testing import CliRunner

from bot.runtime import Runtime
from handlers.hosting.entry import app
from storage.db import Database
from storage.models import Account, Contact, Draft, Signal
from tests.conftest import RecordingHumans, approve_plays, make_settings


@pytest.fixture
def home(clean_cwd, tmp_path, monkeypatch) -> Path:
    """A clean environment: nothing but TWOLOOP_HOME, and no .env in the working directory."""
    path = tmp_path / "home"
    monkeypatch.setenv("TWOLOOP_HOME", str(path))
    return path


@pytest.fixture
def keep_logging():
    """`serve` reconfigures the root logger; put it back for the tests that follow."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def run(*args: str):
    return CliRunner().invoke(app, list(args))


def ok(*args: str):
    result = run(*args)
    assert result.exit_code == 0, (args, result.stdout, result.stderr, result.exception)
    return result


def one_error_line(result) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    return lines[0]


def line_of(path: Path, needle: str) -> int:
    for n, line in enumerate(path.read_text().splitlines(), 1):
        if needle in line:
            return n
    raise AssertionError(f"{needle!r} not in {path}")


def agent_ids(home: Path) -> set[str]:
    return {p.stem for p in (home / "agents").glob("*.md")}


def count(home: Path, model) -> int:
    db = Database(f"sqlite:///{home / 'twoloop.db'}")
    try:
        with db.session() as s:
            return s.exec(select(func.count()).select_from(model)).one()
    finally:
        db.dispose()


def drafted(stdout: str) -> dict[str, int]:
    return {
        m.group(1): int(m.group(2))
        for m in re.finditer(r"^(\S+): \d+ candidates, (\d+) drafted", stdout, re.M)
    }


# --- init / import / tick -------------------------------------------------------------------


def approve_all_plays(home: Path) -> int:
    """What an AM does in Slack: approve every play waiting for approval."""
    rt = Runtime(make_settings(home, f"sqlite:///{home / 'twoloop.db'}"), humans=RecordingHumans())
    try:
        return approve_plays(rt)
    finally:
        rt.db.dispose()


def test_init_import_tick(home):
    result = ok("init")
    assert str(home) in result.stdout
    assert (home / "agents").is_dir() and (home / "plays").is_dir()
    assert (home / "data" / "accounts.csv").is_file()
    ids = agent_ids(home)
    assert len(ids) >= 2

    result = ok("import")
    assert re.search(r"\b\d+ accounts\b", result.stdout)
    assert count(home, Account) > 0 and count(home, Contact) > 0 and count(home, Signal) > 0

    # new plays wait for a human before any agent may draft with them
    result = ok("tick")
    assert set(drafted(result.stdout)) == ids, result.stdout
    assert sum(drafted(result.stdout).values()) == 0
    assert "awaiting approval" in result.stdout
    assert approve_all_plays(home) > 0

    result = ok("tick")
    per_agent = drafted(result.stdout)
    assert set(per_agent) == ids, result.stdout
    assert sum(per_agent.values()) > 0
    assert count(home, Draft) == sum(per_agent.values())

    again = drafted(ok("tick").stdout)
    assert set(again) == ids and sum(again.values()) == 0, "a second tick drafts nothing new"


def test_tick_one_agent_only(home):
    ok("init")
    ok("import")
    first = sorted(agent_ids(home))[0]
    result = ok("tick", "--agent", first)
    assert set(drafted(result.stdout)) == {first}


def test_init_twice_refuses_without_force(home):
    ok("init")
    agent = home / "agents" / f"{sorted(agent_ids(home))[0]}.md"
    agent.write_text(agent.read_text() + "\nLocal edit.\n")

    result = run("init")
    assert result.exit_code != 0
    line = one_error_line(result)
    assert "already exists" in line and "--force" in line
    assert "Local edit." in agent.read_text(), "nothing was overwritten"

    ok("init", "--force")
    assert "Local edit." not in agent.read_text()


def test_init_into_a_named_folder(home, tmp_path):
    target = tmp_path / "elsewhere"
    ok("init", str(target))
    assert (target / "agents").is_dir()
    assert not home.exists()


def test_import_of_a_bad_file_imports_nothing(home, tmp_path):
    ok("init")
    bad = tmp_path / "contacts.csv"
    bad.write_text(
        "id,account_id,first_name,email\n"
        "x1,acme,Ann,ann@acme-analytics.example\n"
        "x2,acme,Bob,bob@acme-analytics.example\n"
        "x3,acme,Cat,not-an-email\n"
    )
    data = sorted((home / "data").iterdir())
    result = run("import", *map(str, data), str(bad))
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith(f"error: {bad}:4: email: ")
    assert lines[-1] == "nothing was imported"
    assert result.stdout == ""
    assert count(home, Account) == 0 and count(home, Contact) == 0 and count(home, Signal) == 0


def test_import_of_a_folder(home):
    ok("init")
    result = ok("import", str(home / "data"))
    assert "accounts" in result.stdout and "signals" in result.stdout
    assert count(home, Account) > 0


# --- agents ---------------------------------------------------------------------------------


def test_agents_list_shows_the_starter_agents(home):
    ok("init")
    result = ok("agents", "list")
    listed = {line.split()[0] for line in result.stdout.splitlines() if line.strip()}
    assert listed == agent_ids(home)
    assert result.stderr == ""


def test_agents_check_passes_then_fails_on_a_broken_file(home):
    ok("init")
    result = ok("agents", "check")
    assert f"{len(agent_ids(home))} agents" in result.stdout and "0 problems" in result.stdout

    path = home / "agents" / f"{sorted(agent_ids(home))[0]}.md"
    text = path.read_text()
    owner_line = next(ln for ln in text.splitlines() if ln.startswith("owner:"))
    path.write_text(text.replace(owner_line, "owner: bob"))
    result = run("agents", "check")
    assert result.exit_code == 1
    assert f"{path}:{line_of(path, 'owner: bob')}: owner: " in result.stderr
    assert "1 problems" in result.stdout

    listed = ok("agents", "list")
    assert path.stem not in listed.stdout
    assert f"broken: {path}:" in listed.stderr


def test_tick_skips_a_broken_agent_and_runs_the_rest(home):
    ok("init")
    ok("import")
    broken, *rest = sorted(agent_ids(home))
    path = home / "agents" / f"{broken}.md"
    text = path.read_text()
    owner_line = next(ln for ln in text.splitlines() if ln.startswith("owner:"))
    path.write_text(text.replace(owner_line, "owner: bob"))
    result = ok("tick")
    assert set(drafted(result.stdout)) == set(rest)
    assert f"skipped: {path}:" in result.stderr


def test_tick_unknown_agent_is_a_one_line_error(home):
    ok("init")
    result = run("tick", "--agent", "nope")
    assert result.exit_code != 0
    line = one_error_line(result)
    assert "'nope'" in line
    assert result.stdout == ""


# --- database and settings ------------------------------------------------------------------


def test_db_upgrade_twice(home):
    home.mkdir()
    assert "up to date" in ok("db", "upgrade").stdout
    assert "up to date" in ok("db", "upgrade").stdout
    assert (home / "twoloop.db").is_file()


def test_database_url_is_used_when_set(home, tmp_path, monkeypatch):
    elsewhere = tmp_path / "other.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{elsewhere}")
    ok("init")
    ok("import")
    assert elsewhere.is_file()
    assert not (home / "twoloop.db").exists()


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SMTP_URL", "http://x"),
        ("SLACK_BOT_TOKEN", "abc"),
        ("SLACK_APP_TOKEN", "xoxb-not-an-app-token"),
        ("TWOLOOP_PUBLIC_URL", "ftp://example.com"),
        ("TWOLOOP_REVIEW_WINDOW_HOURS", "-1"),
    ],
)
def test_malformed_setting_is_one_line_naming_it(home, monkeypatch, name, value):
    ok("init")
    monkeypatch.setenv(name, value)
    result = run("tick")
    assert result.exit_code == 2
    line = one_error_line(result)
    assert line.startswith(f"error: {name}: ")
    assert result.stdout == ""


def test_malformed_secret_is_not_echoed(home, monkeypatch):
    monkeypatch.setenv("SMTP_URL", "http://user:hunter2-secret@relay.example")
    result = run("tick")
    assert result.exit_code == 2
    assert "hunter2-secret" not in result.stderr + result.stdout
    assert "SMTP_URL" in one_error_line(result)


def test_serve_without_bot_token(home, keep_logging):
    home.mkdir()
    result = run("serve", "--port", "0")
    assert result.exit_code == 2
    line = one_error_line(result)
    assert "SLACK_BOT_TOKEN" in line


# --- demo -----------------------------------------------------------------------------------


def test_demo_runs_offline(home, tmp_path):
    demo_home = tmp_path / "demo"
    result = ok("demo", "--home", str(demo_home))
    out = result.stdout
    assert "Review #" in out, "cards are shown"
    assert re.search(r"-> approve review #\d+: decided", out)
    assert re.search(r"-> kill review #\d+: decided", out)
    assert "already_decided" in out and "forbidden" in out
    emls = list((demo_home / "outbox").glob("*.eml"))
    assert emls
    assert f"outbox: {len(emls)} .eml files" in out
    assert not home.exists(), "the demo keeps to its own folder"


def test_suppress_add_list_remove(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from bot.cli.main import app

    monkeypatch.setenv("TWOLOOP_HOME", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    runner = CliRunner()
    out = runner.invoke(
        app, ["suppress", "add", "Pat@Example.com", "competitor.example", "--reason", "legal"]
    )
    assert out.exit_code == 0 and "suppressed 2 new" in out.output
    again = runner.invoke(app, ["suppress", "add", "pat@example.com"])
    assert "0 new, 1 already" in again.output
    listing = runner.invoke(app, ["suppress", "list"])
    assert "pat@example.com" in listing.output and "@competitor.example" in listing.output
    bad = runner.invoke(app, ["suppress", "add", "not an address"])
    assert bad.exit_code == 2
    gone = runner.invoke(app, ["suppress", "remove", "@competitor.example"])
    assert "removed 1" in gone.output
    assert "@competitor.example" not in runner.invoke(app, ["suppress", "list"]).output


def test_mailboxes_list_and_resume(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from bot.cli.main import app

    monkeypatch.setenv("TWOLOOP_HOME", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    runner = CliRunner()
    assert runner.invoke(app, ["init"]).exit_code == 0
    out = runner.invoke(app, ["mailboxes", "list"])
    assert "dana@northwind.example" in out.output and "0/10" in out.output
    assert runner.invoke(app, ["mailboxes", "resume", "dana@northwind.example"]).exit_code == 2
    assert runner.invoke(app, ["outbox", "resolve", "1", "sent"]).exit_code == 2
