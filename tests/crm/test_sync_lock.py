"""One CRM sync at a time: the scheduler's run and `twoloop crm sync` never both log mail."""

from __future__ import annotations

from datetime import timedelta

from bot.crm import sync as crm_sync
from storage import crm as store
from tests.crm.test_hubspot_sync import hubspot, seed


def test_a_second_sync_waits_while_one_holds_the_lease(crm_rt, hub):
    seed(hub)
    now = crm_rt.now()
    with crm_rt.db.session() as s:
        assert store.claim_run(s, "hubspot:sync", now, now + timedelta(minutes=30))
    busy = crm_sync.sync(crm_rt, hubspot(hub))
    assert not busy.ok and "another sync is running" in busy.error
    assert busy.companies.seen == 0 and not hub.requests, "nothing was asked of HubSpot"

    # A lease whose holder died runs out; the next sync takes it and releases it after.
    crm_rt.clock = lambda: now + timedelta(minutes=31)
    done = crm_sync.sync(crm_rt, hubspot(hub))
    assert done.ok and done.companies.seen >= 1
    with crm_rt.db.session() as s:
        assert store.cursor(s, "hubspot:sync").running_until is None
    assert crm_sync.sync(crm_rt, hubspot(hub)).ok
