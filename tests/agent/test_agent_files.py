"""Agent and play files: the starter fleet loads, broken files are pinned to file/line/field,
config versions follow what an agent really depends on, schedules mean crontab weekdays."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.cli.scaffold import init
from bot.config.agents import load_agent, load_fleet, load_play
from bot.config.cron import cron_trigger, crontab_days
from bot.config.frontmatter import FileError
from bot.config.mailboxes import load_mailboxes
from bot.runtime import FleetCache

PLAY = """---
name: {name}
trigger: [hiring]
subject: "{{{{account.name}}}} and {{{{problem.name}}}}"
---
Hi {{{{contact.first_name}}}},

{{{{signal.summary}}}}. {{{{capability.name}}}} helps.

{{{{sender.name}}}}
"""

AGENT = """---
name: Test agent
owner: U0AMTEST01
channel: C0TEST0001
goal: Book calls with data leaders.
segment:
  industries: [software]
  min_employees: 10
signals:
  hiring: 1.0
  funding: 0.5
persona:
  titles: [head of data]
plays:
  - alpha
includes: [shared/style.md]
schedule: "0 9 * * 1-5"
timezone: UTC
mailbox: "Tess Test <tess@example.com>"
---
Be brief.
"""


def line_of(text: str, needle: str) -> int:
    """1-based line of the first line of `text` containing `needle`."""
    for n, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return n
    raise AssertionError(f"{needle!r} not in text")


MAILBOXES = """mailboxes:
  - address: tess@example.com
    name: Tess Test
    postal_address: 1 Test Street, Testville, TS1 1TS
"""


@pytest.fixture
def dirs(tmp_path) -> tuple[Path, Path]:
    """agents/ with one good agent (and a shared include), plays/ with alpha and beta."""
    agents, plays = tmp_path / "agents", tmp_path / "plays"
    (agents / "shared").mkdir(parents=True)
    plays.mkdir()
    (agents / "shared" / "style.md").write_text("House style: plain words.\n")
    (agents / "good.md").write_text(AGENT)
    (plays / "alpha.md").write_text(PLAY.format(name="Alpha"))
    (plays / "beta.md").write_text(PLAY.format(name="Beta"))
    (tmp_path / "mailboxes.yml").write_text(MAILBOXES)
    return agents, plays


def broken(dirs, text: str) -> FileError:
    """Write `text` as agents/broken.md; it must be skipped and reported, good.md still loads."""
    agents, plays = dirs
    path = agents / "broken.md"
    path.write_text(text)
    fleet = load_fleet(agents, plays)
    assert "broken" not in fleet.agents
    assert "good" in fleet.agents, fleet.errors
    [err] = fleet.errors
    assert err.path == path
    assert str(err).startswith(f"{path}:{err.line}: ")
    return err


# --- the starter ----------------------------------------------------------------------------


def test_starter_agents_and_plays_load_without_errors(tmp_path):
    init(tmp_path)
    fleet = load_fleet(tmp_path / "agents", tmp_path / "plays")
    assert fleet.errors == []
    assert set(fleet.agents) == {"data-platform", "security-expansion"}
    assert len(fleet.plays) >= 3
    for agent in fleet.agents.values():
        assert agent.plays, agent.id
        assert all(p.id in fleet.plays for p in agent.plays)
        assert len(agent.config_version) == 12
        # the shared include is part of what the agent is told
        assert "House style" in agent.spec.instructions
    versions = {a.config_version for a in fleet.agents.values()}
    assert len(versions) == 2


def test_good_test_agent_loads(dirs):
    fleet = load_fleet(*dirs)
    assert fleet.errors == []
    agent = fleet.agents["good"]
    assert agent.spec.owner == "U0AMTEST01"
    assert [p.id for p in agent.plays] == ["alpha"]
    assert agent.spec.instructions.startswith("Be brief.")
    assert "House style: plain words." in agent.spec.instructions


# --- malformed agent files ------------------------------------------------------------------


def test_bad_yaml_indentation_points_at_the_line(dirs):
    text = AGENT.replace("  min_employees: 10", "    min_employees: 10")
    err = broken(dirs, text)
    assert err.line == line_of(text, "min_employees")
    assert "YAML" in str(err)


def test_owner_not_a_slack_user_id(dirs):
    text = AGENT.replace("owner: U0AMTEST01", "owner: bob")
    err = broken(dirs, text)
    assert (err.line, err.field) == (line_of(text, "owner: bob"), "owner")
    assert f":{err.line}: owner: " in str(err)
    assert "pattern" in err.message


def test_unknown_field_is_forbidden(dirs):
    text = AGENT.replace("goal:", "colour: blue\ngoal:")
    err = broken(dirs, text)
    assert (err.line, err.field) == (line_of(text, "colour:"), "colour")
    assert "colour: Extra inputs are not permitted" in str(err)


def test_signal_weight_above_one(dirs):
    text = AGENT.replace("signals:\n  hiring: 1.0\n  funding: 0.5", "signals: {hiring: 2}")
    assert "signals: {hiring: 2}" in text
    err = broken(dirs, text)
    assert err.line == line_of(text, "signals: {hiring: 2}")
    assert err.field.split(".")[0] == "signals"
    assert "hiring" in err.message and "between 0 and 1" in err.message


def test_unknown_signal_kind(dirs):
    text = AGENT.replace("  funding: 0.5", "  gossip: 0.5")
    err = broken(dirs, text)
    assert err.line == line_of(text, "gossip")
    assert err.field.startswith("signals.gossip")


def test_play_that_does_not_exist_points_at_its_list_item(dirs):
    text = AGENT.replace("  - alpha\n", "  - alpha\n  - nope\n")
    err = broken(dirs, text)
    assert (err.line, err.field) == (line_of(text, "- nope"), "plays.1")
    assert "'nope'" in err.message


def test_include_that_does_not_exist(dirs):
    text = AGENT.replace("includes: [shared/style.md]", "includes: [shared/style.md, nope.md]")
    err = broken(dirs, text)
    assert (err.line, err.field) == (line_of(text, "includes:"), "includes.1")
    assert "nope.md" in err.message


def test_bad_cron_field_count_is_an_error(dirs):
    text = AGENT.replace('schedule: "0 9 * * 1-5"', 'schedule: "0 9 * *"')
    err = broken(dirs, text)
    assert (err.line, err.field) == (line_of(text, "schedule:"), "schedule")
    assert "5 fields" in err.message


def test_bad_timezone_is_an_error(dirs):
    text = AGENT.replace("timezone: UTC", "timezone: Mars/Olympus")
    err = broken(dirs, text)
    assert (err.line, err.field) == (line_of(text, "timezone:"), "timezone")
    assert "Mars/Olympus" in str(err)


def test_bad_cron_schedule_points_at_the_schedule_line(dirs):
    text = AGENT.replace('schedule: "0 9 * * 1-5"', 'schedule: "61 9 * * 1-5"')
    err = broken(dirs, text)
    assert (err.line, err.field) == (line_of(text, "schedule:"), "schedule")


def test_not_front_matter_at_all(dirs):
    err = broken(dirs, "just some notes\n")
    assert err.line == 1 and "---" in err.message


def test_unknown_slot_in_a_play_is_reported_and_its_agents_skipped(dirs):
    agents, plays = dirs
    bad = plays / "alpha.md"
    bad.write_text(PLAY.format(name="Alpha") + "\nSee {{foo.bar}}.\n")
    fleet = load_fleet(agents, plays)
    assert "alpha" not in fleet.plays and "beta" in fleet.plays
    assert "good" not in fleet.agents  # never run with half its plays
    paths = {e.path for e in fleet.errors}
    assert bad in paths and agents / "good.md" in paths
    [play_err] = [e for e in fleet.errors if e.path == bad]
    assert "foo.bar" in str(play_err) and str(bad) in str(play_err)
    with pytest.raises(FileError, match="foo.bar"):
        load_play(bad)


def test_broken_file_is_skipped_while_the_others_load(dirs):
    agents, plays = dirs
    (agents / "other.md").write_text(AGENT.replace("name: Test agent", "name: Other"))
    (agents / "zz-broken.md").write_text(AGENT.replace("owner: U0AMTEST01", "owner: bob"))
    (agents / "aa-broken.md").write_text(AGENT.replace("channel: C0TEST0001", "channel: x"))
    fleet = load_fleet(agents, plays)
    assert set(fleet.agents) == {"good", "other"}
    assert sorted(e.path.name for e in fleet.errors) == ["aa-broken.md", "zz-broken.md"]
    assert {e.field for e in fleet.errors} == {"owner", "channel"}


# --- config versions ------------------------------------------------------------------------


def version(dirs) -> str:
    fleet = load_fleet(*dirs)
    assert fleet.errors == []
    return fleet.agents["good"].config_version


def test_config_version_is_stable_without_changes(dirs):
    assert version(dirs) == version(dirs)


def test_config_version_follows_the_agent_file(dirs):
    agents, _ = dirs
    before = version(dirs)
    (agents / "good.md").write_text(AGENT.replace("Be brief.", "Be very brief."))
    assert version(dirs) != before


def test_config_version_follows_a_shared_include(dirs):
    agents, _ = dirs
    before = version(dirs)
    (agents / "shared" / "style.md").write_text("House style: no exclamation marks.\n")
    after = version(dirs)
    assert after != before
    assert "no exclamation marks" in load_fleet(*dirs).agents["good"].spec.instructions


def test_config_version_follows_its_plays_only(dirs):
    _, plays = dirs
    before = version(dirs)
    (plays / "beta.md").write_text(PLAY.format(name="Beta, reworded"))
    assert version(dirs) == before, "an unrelated play must not change the version"
    (plays / "alpha.md").write_text(PLAY.format(name="Alpha, reworded"))
    assert version(dirs) != before


def test_load_agent_directly_records_the_same_version(dirs):
    agents, plays = dirs
    loaded = {p.stem: load_play(p) for p in plays.glob("*.md")}
    mailboxes = load_mailboxes(agents.parent / "mailboxes.yml")
    agent = load_agent(agents / "good.md", loaded, mailboxes)
    assert agent.config_version == version(dirs)
    assert agent.path == agents / "good.md"


# --- schedules ------------------------------------------------------------------------------


def test_weekday_cron_fires_monday_to_friday():
    trigger = cron_trigger("0 9 * * 1-5", "UTC")
    saturday = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
    assert saturday.strftime("%A") == "Saturday"
    fires, prev, now = [], None, saturday
    for _ in range(7):
        nxt = trigger.get_next_fire_time(prev, now)
        fires.append(nxt)
        prev, now = nxt, nxt + timedelta(seconds=1)
    assert [f.strftime("%a %d %H:%M") for f in fires] == [
        "Mon 03 09:00",
        "Tue 04 09:00",
        "Wed 05 09:00",
        "Thu 06 09:00",
        "Fri 07 09:00",
        "Mon 10 09:00",
        "Tue 11 09:00",
    ]


def test_cron_respects_its_timezone():
    trigger = cron_trigger("30 8 * * 1-5", "America/New_York")
    saturday = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
    nxt = trigger.get_next_fire_time(None, saturday)
    # 08:30 EDT (UTC-4) on Monday 3 June
    assert nxt.astimezone(UTC) == datetime(2024, 6, 3, 12, 30, tzinfo=UTC)


def test_crontab_weekdays_map_to_apscheduler_names():
    assert crontab_days("0") == "sun"
    assert crontab_days("7") == "sun"
    assert crontab_days("1-5") == "mon,tue,wed,thu,fri"
    assert crontab_days("5-7") == "fri,sat,sun"
    assert crontab_days("mon-fri") == "mon,tue,wed,thu,fri"
    assert crontab_days("1,3") == "mon,wed"
    assert crontab_days("*") == "*"
    with pytest.raises(ValueError):
        crontab_days("8")


def test_sunday_as_seven_fires_on_sunday():
    trigger = cron_trigger("0 9 * * 7", "UTC")
    nxt = trigger.get_next_fire_time(None, datetime(2024, 6, 1, 12, 0, tzinfo=UTC))
    assert nxt == datetime(2024, 6, 2, 9, 0, tzinfo=UTC)
    assert nxt.strftime("%A") == "Sunday"


def test_zero_to_seven_is_every_day():
    assert crontab_days("0-7") == "mon,tue,wed,thu,fri,sat,sun"
    assert crontab_days("1-7") == "mon,tue,wed,thu,fri,sat,sun"
    assert crontab_days("6-7") == "sat,sun"


# --- FleetCache -----------------------------------------------------------------------------


def test_fleet_cache_rereads_after_an_edit(dirs):
    agents, plays = dirs
    cache = FleetCache(agents, plays)
    first = cache.get()
    assert first.agents["good"].spec.name == "Test agent"
    assert cache.get() is first, "nothing changed: no re-read"

    path = agents / "good.md"
    st = path.stat()
    path.write_text(AGENT.replace("name: Test agent", "name: Best agent"))  # same size
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))
    second = cache.get()
    assert second is not first
    assert second.agents["good"].spec.name == "Best agent"
    assert second.agents["good"].config_version != first.agents["good"].config_version


def test_fleet_cache_sees_a_new_and_a_removed_file(dirs):
    agents, plays = dirs
    cache = FleetCache(agents, plays)
    assert set(cache.get().agents) == {"good"}
    (agents / "second.md").write_text(AGENT)
    assert set(cache.get().agents) == {"good", "second"}
    (agents / "good.md").unlink()
    assert set(cache.get().agents) == {"second"}


def test_agent_must_name_a_configured_mailbox(dirs):
    err = broken(dirs, AGENT.replace("tess@example.com", "nobody@example.com"))
    assert err.field == "mailbox" and "nobody@example.com" in err.message
    assert err.line == line_of(AGENT, "mailbox:")
