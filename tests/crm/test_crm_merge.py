"""The bulk sync merges into what the product changed meanwhile, and moves addresses whole:
a suppression or a later touch made between a page's read and its write stays; an address
handed from one contact to another within one page ends with the new holder (in either
order, or swapped); a write the database still refuses stops the sync as a CrmError that
names the CRM record. On SQLite (one writer at a time) the change "meanwhile" is made in the
page's own transaction: the page's read is just as stale."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from bot.crm import sync as crm_sync
from bot.crm.hubspot import HubSpot
from storage import crm as store
from storage.models import Account, Contact

from .test_hubspot_sync import NOW, T0

PRIYA, TOM = "priya.shah@acme-analytics.example", "tom.reid@acme-analytics.example"


def hubspot(fake) -> HubSpot:
    """Pages of 100: every change below comes in one page."""
    return HubSpot(fake.token, host=fake.url, sleep=lambda _: None, page_size=100)


@pytest.fixture
def acme(crm_rt, hub) -> dict[str, str]:
    """Acme and its two CSV contacts in HubSpot, synced once (matched by domain and email)."""
    company = hub.add_company("Acme Analytics", "acme-analytics.example", T0)
    ids = {
        "acme": company,
        "priya": hub.add_contact(PRIYA, company, T0, firstname="Priya"),
        "tom": hub.add_contact(TOM, company, T0, firstname="Tom"),
    }
    assert crm_sync.sync(crm_rt, hubspot(hub)).ok
    return ids


def meanwhile(rt, monkeypatch, writer: str, change: Callable[[Session], None]) -> None:
    """`change` runs once, as another writer of the product would, after the page read its
    rows and before it writes them (when it asks `store` for its `writer`)."""
    real, done = getattr(store, writer), []

    def hooked(s: Session, *args):
        if not done:
            done.append(True)
            if s.get_bind().dialect.name == "postgresql":
                with rt.db.session() as other:  # committed before the page writes
                    change(other)
            else:
                change(s)
                s.flush()
        return real(s, *args)

    monkeypatch.setattr(store, writer, hooked)


def contact(rt, contact_id: str) -> Contact:
    with rt.db.session() as s:
        return s.get(Contact, contact_id)


def test_a_suppression_and_a_later_touch_made_meanwhile_are_kept(crm_rt, hub, acme, monkeypatch):
    # HubSpot: Priya not opted out, last contacted a week ago (older than our touch below).
    week_ago = T0 - timedelta(days=7)
    hub.touch(
        "contacts",
        acme["priya"],
        T0 + timedelta(hours=1),
        notes_last_contacted=week_ago.isoformat(),
    )

    def unsubscribed_and_mailed(s: Session) -> None:
        c = s.get(Contact, "c-acme-1")
        c.do_not_contact, c.last_touch_at = True, NOW
        s.add(c)

    meanwhile(crm_rt, monkeypatch, "contact_writer", unsubscribed_and_mailed)
    report = crm_sync.sync(crm_rt, hubspot(hub))
    assert report.ok, report.error
    priya = contact(crm_rt, "c-acme-1")
    assert priya.do_not_contact  # not reset by a sync that read it before
    assert priya.last_touch_at == NOW  # the later of ours and HubSpot's


def test_a_later_touch_from_the_crm_still_lands(crm_rt, hub, acme):
    hub.touch(
        "contacts", acme["tom"], T0 + timedelta(hours=1), notes_last_contacted=NOW.isoformat()
    )
    assert crm_sync.sync(crm_rt, hubspot(hub)).ok
    assert contact(crm_rt, "c-acme-2").last_touch_at == NOW


def test_an_account_touched_meanwhile_keeps_the_later_touch(crm_rt, hub, acme, monkeypatch):
    week_ago = T0 - timedelta(days=7)
    hub.touch(
        "companies",
        acme["acme"],
        T0 + timedelta(hours=1),
        notes_last_contacted=week_ago.isoformat(),
    )

    def mailed(s: Session) -> None:
        a = s.get(Account, "acme")
        a.last_touch_at = NOW
        s.add(a)

    meanwhile(crm_rt, monkeypatch, "account_writers", mailed)
    assert crm_sync.sync(crm_rt, hubspot(hub)).ok
    with crm_rt.db.session() as s:
        assert s.get(Account, "acme").last_touch_at == NOW


@pytest.mark.parametrize("taker_first", [True, False])
def test_an_address_handed_over_within_one_page_ends_with_its_new_holder(
    crm_rt, hub, acme, taker_first
):
    # In HubSpot Tom takes Priya's address and Priya gets a new one, in one page either way.
    taker, giver = (1, 2) if taker_first else (2, 1)
    hub.touch("contacts", acme["tom"], T0 + timedelta(minutes=taker), email=PRIYA)
    hub.touch("contacts", acme["priya"], T0 + timedelta(minutes=giver), email="priya@acme.example")
    report = crm_sync.sync(crm_rt, hubspot(hub))
    assert report.ok, report.error
    assert (report.contacts.seen, report.contacts.skipped) == (2, 0)
    assert contact(crm_rt, "c-acme-2").email == PRIYA
    assert contact(crm_rt, "c-acme-1").email == "priya@acme.example"


def test_two_addresses_swapped_within_one_page(crm_rt, hub, acme):
    hub.touch("contacts", acme["priya"], T0 + timedelta(minutes=1), email=TOM)
    hub.touch("contacts", acme["tom"], T0 + timedelta(minutes=2), email=PRIYA)
    report = crm_sync.sync(crm_rt, hubspot(hub))
    assert report.ok, report.error
    assert contact(crm_rt, "c-acme-1").email == TOM
    assert contact(crm_rt, "c-acme-2").email == PRIYA


def test_an_address_freed_within_the_page_goes_to_a_new_contact(crm_rt, hub, acme):
    # A new HubSpot contact comes first with Priya's address; Priya's record gives it up.
    newcomer = hub.add_contact(PRIYA.upper(), acme["acme"], T0 + timedelta(minutes=1))
    hub.touch("contacts", acme["priya"], T0 + timedelta(minutes=2), email="priya@acme.example")
    report = crm_sync.sync(crm_rt, hubspot(hub))
    assert report.ok, report.error
    assert report.contacts.new == 1
    with crm_rt.db.session() as s:
        holder = s.exec(select(Contact).where(Contact.email == PRIYA)).one()
        assert (holder.id, holder.crm_id) == (f"hubspot-{newcomer}", newcomer)
        assert s.get(Contact, "c-acme-1").email == "priya@acme.example"


def test_an_address_another_contact_keeps_is_not_taken(crm_rt, hub, acme):
    # Tom's record claims Priya's address, but Priya's own record does not give it up.
    hub.touch("contacts", acme["tom"], T0 + timedelta(minutes=1), email=PRIYA)
    hub.touch("contacts", acme["priya"], T0 + timedelta(minutes=2), jobtitle="CDO")
    report = crm_sync.sync(crm_rt, hubspot(hub))
    assert report.ok, report.error
    assert contact(crm_rt, "c-acme-2").email == TOM
    assert (contact(crm_rt, "c-acme-1").email, contact(crm_rt, "c-acme-1").title) == (
        PRIYA,
        "CDO",
    )


def test_a_write_the_database_refuses_is_a_crm_error_naming_the_record(
    crm_rt, hub, acme, monkeypatch
):
    newcomer = hub.add_contact("nina@acme-analytics.example", acme["acme"], T0 + timedelta(hours=1))

    def imported_meanwhile(s: Session) -> None:
        s.add(
            Contact(
                id="c-acme-9",
                account_id="acme",
                first_name="Nina",
                email="nina@acme-analytics.example",
            )
        )

    meanwhile(crm_rt, monkeypatch, "contact_writer", imported_meanwhile)
    report = crm_sync.sync(crm_rt, hubspot(hub))
    assert not report.ok
    assert f"hubspot contact {newcomer} " in report.error
    assert "nina@acme-analytics.example" in report.error
    assert contact(crm_rt, f"hubspot-{newcomer}") is None  # the page wrote nothing
    assert crm_rt.humans.notices  # operators told, as for any failed sync
