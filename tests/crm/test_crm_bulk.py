"""CRM sync at scale: thousands of companies (two contacts each) from the HubSpot stand-in's
generated mode, written through the bulk path page by page: every field lands as the sync
promises, a page that fails midway leaves nothing of itself (and the cursor at the page
before), and a second sync reads only what changed and undoes nothing a person set."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import col, func, select

from bot.crm import sync as crm_sync
from bot.crm.hubspot import HubSpot
from storage.models import Account, Contact, CrmCursor, RelationshipEvent
from tests.fakes.hubspot import GEN_COMPANY, GEN_CONTACT, GEN_T0

from .test_hubspot_sync import OLIVIA

N = 2000  # companies; 4000 contacts


def crm(hub, **kw) -> HubSpot:
    return HubSpot(hub.token, host=hub.url, sleep=lambda _: None, **kw)


@pytest.fixture
def gen(hub):
    """Olivia (in chat) owns the even companies, Noah (not in chat) the odd ones."""
    hub.add_owner("olivia@ours.example", "Olivia", "Grant")
    hub.add_owner("noah@ours.example", "Noah", "Park")
    hub.generated(N)
    return hub


def count(rt, model, *where) -> int:
    with rt.db.session() as s:
        return s.exec(select(func.count()).select_from(model).where(*where)).one()


def test_thousands_of_companies_and_contacts_land_field_by_field(crm_rt, gen):
    report = crm_sync.sync(crm_rt, crm(gen))
    assert report.ok, report.error
    assert (report.companies.seen, report.companies.new) == (N, N)
    assert (report.contacts.seen, report.contacts.new) == (2 * N, 2 * N)
    assert report.customers == N // 50  # every 50th company is a customer in HubSpot
    assert count(crm_rt, Account, col(Account.crm_id) != "") == N
    assert count(crm_rt, Contact, col(Contact.crm_id) != "") == 2 * N
    with crm_rt.db.session() as s:
        first = s.get(Account, f"hubspot-{GEN_COMPANY}")
        assert (first.name, first.domain, first.industry, first.country) == (
            "Company 0",
            "company0.example",
            "computer_software",
            "US",
        )
        assert (first.employees, first.owner_am, first.crm_id) == (10, OLIVIA, str(GEN_COMPANY))
        assert (first.customer_status, first.customer_source) == ("customer", "crm:hubspot")
        assert first.last_touch_at == GEN_T0
        odd = s.get(Account, f"hubspot-{GEN_COMPANY + 7}")
        assert (odd.owner_am, odd.customer_status) == ("noah@ours.example", "prospect")
        assert odd.last_touch_at == GEN_T0 + timedelta(seconds=7)
        person = s.get(Contact, f"hubspot-{GEN_CONTACT + 15}")
        assert (person.email, person.account_id, person.crm_id) == (
            "person15@company7.example",
            odd.id,
            str(GEN_CONTACT + 15),
        )
        assert (person.first_name, person.last_name, person.title) == (
            "Pat15",
            "Doe",
            "Head of Data",
        )
        assert s.get(Contact, f"hubspot-{GEN_CONTACT + 97}").do_not_contact  # opted out
        assert not person.do_not_contact
        events = s.exec(select(RelationshipEvent).where(RelationshipEvent.kind == "customer")).all()
        assert len(events) == N // 50
        assert {e.detail["status"] for e in events} == {"customer"}
        cursor = s.get(CrmCursor, "hubspot:contacts")
        assert cursor.modified_after == GEN_T0 + timedelta(seconds=2 * N - 1)


def test_a_page_that_fails_midway_leaves_nothing_of_itself(crm_rt, gen, monkeypatch):
    real = crm_sync.set_customer

    def fail_on_150(s, account_id, *args):
        # Company 150 (a customer) is on the second page, after its bulk writes ran.
        if account_id == f"hubspot-{GEN_COMPANY + 150}":
            raise RuntimeError("the database went away")
        return real(s, account_id, *args)

    monkeypatch.setattr(crm_sync, "set_customer", fail_on_150)
    with pytest.raises(RuntimeError):
        crm_sync.sync(crm_rt, crm(gen))
    assert count(crm_rt, Account, col(Account.crm_id) != "") == 100  # the first page, whole
    with crm_rt.db.session() as s:
        assert s.get(Account, f"hubspot-{GEN_COMPANY + 101}") is None
        cursor = s.get(CrmCursor, "hubspot:companies")
        assert cursor.modified_after == GEN_T0 + timedelta(seconds=99)
        assert s.get(CrmCursor, "hubspot:sync").running_until is None  # the run was let go

    monkeypatch.setattr(crm_sync, "set_customer", real)
    gen.fail_next(500, path="/contacts/search", times=5)  # past every retry, on the first page
    report = crm_sync.sync(crm_rt, crm(gen, attempts=5))
    assert "500" in report.error
    assert report.companies.seen == N - 99  # carried on from the last whole page (seam again)
    assert count(crm_rt, Account, col(Account.crm_id) != "") == N
    assert count(crm_rt, Contact, col(Contact.crm_id) != "") == 0


def test_the_second_sync_is_incremental_and_undoes_nothing_a_person_set(crm_rt, gen):
    assert crm_sync.sync(crm_rt, crm(gen)).ok
    again = crm_sync.sync(crm_rt, crm(gen))
    assert again.ok
    # Only the records at each cursor come again (GTE), and they change nothing.
    assert (again.companies.seen, again.companies.new) == (1, 0)
    assert (again.contacts.seen, again.contacts.new) == (1, 0)

    lead = f"hubspot-{GEN_COMPANY + 1}"  # a lead in HubSpot
    with crm_rt.db.session() as s:
        account = s.get(Account, lead)
        account.customer_status, account.customer_source = "customer", "kill:U0AMLEO002"
        s.add(account)
        person = s.get(Contact, f"hubspot-{GEN_CONTACT + 2}")
        person.do_not_contact = True
        s.add(person)
        for key in ("hubspot:companies", "hubspot:contacts"):
            s.delete(s.get(CrmCursor, key))  # read everything again
    full = crm_sync.sync(crm_rt, crm(gen))
    assert full.ok and (full.companies.seen, full.companies.new) == (N, 0)
    assert (full.contacts.seen, full.contacts.new) == (2 * N, 0)
    assert count(crm_rt, Account, col(Account.crm_id) != "") == N
    with crm_rt.db.session() as s:
        account = s.get(Account, lead)
        assert (account.customer_status, account.customer_source) == ("customer", "kill:U0AMLEO002")
        assert s.get(Contact, f"hubspot-{GEN_CONTACT + 2}").do_not_contact
        events = s.exec(select(RelationshipEvent).where(RelationshipEvent.kind == "customer")).all()
        assert len(events) == N // 50  # nothing recorded twice
