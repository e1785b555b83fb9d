"""Fixtures of the CRM tests: the HubSpot stand-in on loopback, and a runtime over the sample
CSV data whose chat knows one AM by email."""

from __future__ import annotations

import pytest

from bot.intake.importer import load
from bot.runtime import Runtime
from tests.conftest import RecordingHumans, make_settings
from tests.fakes import hubspot as fake_hubspot

from .test_hubspot_sync import NOW, OLIVIA, OPS


@pytest.fixture
def hub():
    fake = fake_hubspot.start()
    yield fake
    fake.server.shutdown()


@pytest.fixture
def crm_rt(home, db_url):
    """The sample accounts and contacts (CSV), operators in OPS, Slack knowing Olivia."""
    humans = RecordingHumans()
    humans.emails["olivia@ours.example"] = OLIVIA
    runtime = Runtime(
        make_settings(home, db_url, TWOLOOP_OPERATOR_CHANNEL=OPS), humans=humans, clock=lambda: NOW
    )
    runtime.db.upgrade()
    load(runtime.db, sorted((home / "data").iterdir()))
    yield runtime
    runtime.db.dispose()
