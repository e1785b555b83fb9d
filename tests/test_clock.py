"""The suite's moved wall clock (TWOLOOP_TEST_NOW, tests/conftest.py): CI runs everything again
with it, so it must really move the clock of the test process, collection included."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import MOVED_NOW

ROOT = Path(__file__).resolve().parent.parent
COLLECTED_AT = datetime.now(UTC)  # read while pytest imports this module
COLLECTED_TICK = time.monotonic()


def test_the_moved_clock_is_in_force_from_collection_on():
    if MOVED_NOW is None:
        pytest.skip("TWOLOOP_TEST_NOW is unset (test_a_run_can_move_the_clock sets it)")
    assert timedelta(0) <= COLLECTED_AT - MOVED_NOW < timedelta(minutes=30)
    # it ticks at the real rate, however long the suite ran between collection and this test
    moved = (datetime.now(UTC) - COLLECTED_AT).total_seconds()
    assert abs(moved - (time.monotonic() - COLLECTED_TICK)) < 5, "it ticks"
    assert abs(time.time() - datetime.now(UTC).timestamp()) < 5
    zone = os.environ.get("TWOLOOP_TEST_EXPECT_TZ")
    if zone:  # the run's TZ stays in force: moving the clock must not move the zone
        here = datetime.now().astimezone().utcoffset()
        assert here == datetime.now(ZoneInfo(zone)).utcoffset()


def _pytest(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_run_can_move_the_clock_to_a_sunday_night_at_a_leap_years_end():
    when = "2028-12-31T23:30:00"
    assert datetime.fromisoformat(when).strftime("%A %j") == "Sunday 366"
    env = {
        "TWOLOOP_TEST_NOW": when,
        "TZ": "Pacific/Kiritimati",
        "TWOLOOP_TEST_EXPECT_TZ": "Pacific/Kiritimati",
    }
    run = _pytest(env, f"{__file__}::test_the_moved_clock_is_in_force_from_collection_on")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 passed" in run.stdout
    assert (
        "wall clock: moved to 2028-12-31T23:30:00+00:00 (TWOLOOP_TEST_NOW), ticking, "
        "TZ=Pacific/Kiritimati" in run.stdout
    )


def test_a_clock_that_is_no_time_is_refused_by_name():
    run = _pytest({"TWOLOOP_TEST_NOW": "next sunday"}, "--collect-only", "-q", __file__)
    assert run.returncode != 0
    assert "TWOLOOP_TEST_NOW='next sunday' is not an ISO 8601 time" in run.stdout + run.stderr
