"""`twoloop proposals`: mine now, print the proposed changes with their diffs; and a change the
fleet's loader would refuse is never proposed."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from bot.agent import proposals
from bot.config.agent_edits import Change
from bot.core import proposals as mining
from bot.core.proposals import Finding
from bot.runtime import Runtime
from handlers.hosting.entry import app
from storage.models import Proposal, Review
from tests.conftest import OPERATOR, RecordingHumans, make_settings
from tests.slack.test_proposals_slack import AGENT, PHRASE, edit_drafts


@pytest.fixture
def cli_home(clean_cwd, tmp_path, monkeypatch) -> Path:
    path = tmp_path / "home"
    monkeypatch.setenv("TWOLOOP_HOME", str(path))
    monkeypatch.setenv("TWOLOOP_OPERATORS", OPERATOR)
    return path


def run(*args: str):
    result = CliRunner().invoke(app, list(args))
    return result


def test_proposals_mines_now_and_prints_each_with_its_diff(cli_home):
    home = cli_home
    assert run("init", str(home)).exit_code == 0
    assert run("import").exit_code == 0
    rt = Runtime(make_settings(home, f"sqlite:///{home / 'twoloop.db'}"), humans=RecordingHumans())
    edit_drafts(rt)
    first = run("proposals", "--agent", AGENT)
    assert first.exit_code == 0, first.stderr
    out = first.stdout
    assert "1 proposed changes (1 new):" in out
    assert f"[banned_phrase] {AGENT} (new): review #" in out
    assert "removed in 3 of the 3 edited drafts that had it" in out
    assert f'+banned_phrases: ["circle back", "synergy", "{PHRASE}"]' in out
    again = run("proposals", "--agent", AGENT)
    assert "1 proposed changes (0 new):" in again.stdout
    unknown = run("proposals", "--agent", "nobody")
    assert unknown.exit_code == 2 and "no agent 'nobody'" in unknown.stderr
    rt.db.dispose()


def test_a_change_the_loader_refuses_is_never_proposed(rt, monkeypatch):
    broken = Finding(
        kind="threshold",
        key="threshold:confidence:0.6",
        summary="Raise thresholds.confidence to 7",
        change=Change("set", ("thresholds", "confidence"), 7),
    )
    fine = Finding(
        kind="threshold",
        key="threshold:confidence:0.6b",
        summary="Raise thresholds.confidence to 0.7",
        change=Change("set", ("thresholds", "confidence"), 0.7),
    )
    monkeypatch.setattr(mining, "mine", lambda verdicts, spec, peers=(): [broken, fine])
    made = proposals.mine(rt, AGENT)
    assert [p.key for p in made] == ["threshold:confidence:0.6b"]
    with rt.db.session() as s:
        assert [p.key for p in s.exec(select(Proposal)).all()] == ["threshold:confidence:0.6b"]
        assert len(s.exec(select(Review).where(Review.kind == "proposal")).all()) == 1
    assert "confidence: 0.7           # below this" in made[0].new_text
