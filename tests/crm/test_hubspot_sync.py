"""HubSpot sync both ways, against the stand-in on loopback (tests/fakes/hubspot.py) that
speaks the endpoints and payloads of the official client: owners, companies, contacts and
deals in (paged, incremental, over the CSV), sends, replies and decisions out (once each),
HubSpot's 429s and 5xx, and a revoked token that writes nothing and tells operators once."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlmodel import col, select

from bot.crm import sync as crm_sync
from bot.crm.hubspot import HubSpot, millis
from bot.ops import scheduler as scheduling
from bot.runtime import Runtime
from storage.models import (
    Account,
    AccountManager,
    Contact,
    CrmCursor,
    CrmPush,
    Decision,
    InboundMessage,
    RelationshipEvent,
)
from tests.conftest import RecordingHumans, make_settings, sent_first
from tests.fakes import hubspot as fake_hubspot

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
NOW = T0 + timedelta(days=1)
OPS = "C0OPERATORS"
OLIVIA = "U0OLIVIA01"


def hubspot(fake, sleeps: list[float] | None = None, **kw) -> HubSpot:
    """Two records a page, so every pull pages; sleeps recorded, not slept."""
    record = sleeps if sleeps is not None else []
    return HubSpot(fake.token, host=fake.url, sleep=record.append, page_size=2, **kw)


def seed(fake) -> dict[str, str]:
    """A portal whose records meet the sample CSV: Acme (a customer now, Olivia's), Delta
    (a new open deal), a company we never heard of, and three contacts."""
    olivia = fake.add_owner("olivia@ours.example", "Olivia", "Grant")
    acme = fake.add_company(
        "Acme Analytics",
        "https://www.acme-analytics.example/",
        T0,
        lifecyclestage="customer",
        hubspot_owner_id=olivia,
        notes_last_contacted=fake_hubspot.iso(T0 - timedelta(hours=3)),
    )
    delta = fake.add_company(
        "Delta Retail",
        "delta-retail.example",
        T0 + timedelta(minutes=1),
        lifecyclestage="opportunity",
    )
    newco = fake.add_company(
        "Newco", "newco.example", T0 + timedelta(minutes=2), industry="COMPUTER_SOFTWARE"
    )
    priya = fake.add_contact(
        "Priya.Shah@acme-analytics.example", acme, T0, firstname="Priya", jobtitle="VP Data"
    )
    sam = fake.add_contact(
        "sam@newco.example", newco, T0 + timedelta(minutes=1), firstname="Sam", lastname="Lee"
    )
    fake.add_contact("ghost@nowhere.example", None, T0 + timedelta(minutes=2), firstname="G")
    fake.add_deal("Expansion", "contractsent", delta, T0 + timedelta(minutes=3))
    fake.add_deal("Pilot", "closedlost", delta, T0 + timedelta(minutes=4))
    return {
        "olivia": olivia,
        "acme": acme,
        "delta": delta,
        "newco": newco,
        "priya": priya,
        "sam": sam,
    }


def account(rt: Runtime, account_id: str) -> Account:
    with rt.db.session() as s:
        return s.get(Account, account_id)


def test_pull_owners_companies_contacts_and_deals_over_the_csv(crm_rt, hub):
    ids = seed(hub)
    report = crm_sync.sync(crm_rt, hubspot(hub))
    assert report.ok, report.error

    acme = account(crm_rt, "acme")
    assert acme.crm_id == ids["acme"]
    assert acme.owner_am == OLIVIA  # the CSV said U0AMDANA01; the CRM's owner, found in Slack
    assert (acme.customer_status, acme.customer_source) == ("customer", "crm:hubspot")
    assert acme.last_touch_at == T0 - timedelta(hours=3)
    delta = account(crm_rt, "delta")
    assert delta.open_deal == "Expansion (Contract sent)"  # the CSV said "Pilot for Pipelines"
    assert delta.customer_status == "prospect"
    with crm_rt.db.session() as s:
        events = s.exec(select(RelationshipEvent).where(RelationshipEvent.kind == "customer")).all()
        assert [(e.account_id, e.actor, e.detail) for e in events] == [
            ("acme", "crm:hubspot", {"status": "customer", "was": "prospect"})
        ]
        newco = s.exec(select(Account).where(Account.crm_id == ids["newco"])).one()
        assert (newco.name, newco.domain, newco.id) == (
            "Newco",
            "newco.example",
            f"hubspot-{ids['newco']}",
        )
        priya = s.get(Contact, "c-acme-1")
        assert (priya.crm_id, priya.title) == (ids["priya"], "VP Data")
        sam = s.exec(select(Contact).where(Contact.email == "sam@newco.example")).one()
        assert (sam.account_id, sam.crm_id, sam.last_name) == (newco.id, ids["sam"], "Lee")
        assert (
            s.exec(select(Contact).where(Contact.email == "ghost@nowhere.example")).first() is None
        )
        am = s.get(AccountManager, OLIVIA)
        assert (am.email, am.name, am.source) == (
            "olivia@ours.example",
            "Olivia Grant",
            "crm:hubspot",
        )
    assert crm_rt.humans.lookups == [("email", "olivia@ours.example")]

    assert (report.companies.seen, report.companies.new) == (3, 1)
    assert (report.contacts.seen, report.contacts.new, report.contacts.skipped) == (2, 1, 1)
    assert report.line().startswith(
        "crm sync: companies 3 (1 new), contacts 2 (1 new, 1 skipped), owners 1 (1 in chat), "
        "deals 1, pushed: emails 0, replies 0, notes 0"
    )
    # Paged two at a time: the second request of a pull carries the first one's `after`.
    searches = hub.searches("companies")
    assert [b.get("after") for b in searches] == [None, "2"]
    assert searches[0]["sorts"] == [
        {"propertyName": "hs_lastmodifieddate", "direction": "ASCENDING"}
    ]
    assert searches[0]["filterGroups"] == []  # the first sync reads everything


def test_the_second_sync_asks_only_for_what_changed_since(crm_rt, hub):
    ids = seed(hub)
    assert crm_sync.sync(crm_rt, hubspot(hub)).ok
    with crm_rt.db.session() as s:
        cursor = s.get(CrmCursor, "hubspot:companies")
        assert cursor.modified_after == T0 + timedelta(minutes=2)
    hub.requests.clear()

    hub.touch("companies", ids["delta"], T0 + timedelta(hours=5), lifecyclestage="customer")
    hub.touch(
        "deals", next(iter(hub.objects["deals"])), T0 + timedelta(hours=5), dealstage="closedwon"
    )
    report = crm_sync.sync(crm_rt, hubspot(hub))

    (search,) = hub.searches("companies")
    (gte,) = search["filterGroups"][0]["filters"]
    assert gte == {
        "propertyName": "hs_lastmodifieddate",
        "operator": "GTE",
        "value": millis(T0 + timedelta(minutes=2)),
    }
    # Newco (modified at the cursor) comes again and changes nothing; Delta is the news.
    assert report.companies.seen == 2 and report.companies.new == 0
    delta = account(crm_rt, "delta")
    assert delta.customer_status == "customer"
    assert delta.open_deal == ""  # its open deal was won
    with crm_rt.db.session() as s:
        assert s.get(CrmCursor, "hubspot:companies").modified_after == T0 + timedelta(hours=5)
        kinds = s.exec(
            select(RelationshipEvent.account_id).where(RelationshipEvent.kind == "customer")
        )
        assert sorted(kinds) == ["acme", "delta"]


def test_the_crm_takes_back_a_customer_status_from_a_file_but_not_one_a_person_set(crm_rt, hub):
    with crm_rt.db.session() as s:
        for account_id, source in (("bluefin", "import"), ("cobalt", "kill:U0AMLEO002")):
            row = s.get(Account, account_id)
            row.customer_status, row.customer_source = "customer", source
            s.add(row)
    hub.add_company("Bluefin Pay", "bluefin.example", T0, lifecyclestage="lead")
    hub.add_company("Cobalt Health", "cobalt-health.example", T0, lifecyclestage="lead")
    assert crm_sync.sync(crm_rt, hubspot(hub)).ok
    assert account(crm_rt, "bluefin").customer_status == "prospect"
    assert account(crm_rt, "cobalt").customer_status == "customer"


def test_an_owner_not_in_slack_yet_is_kept_by_email_then_resolved(crm_rt, hub):
    ids = seed(hub)
    crm_rt.humans.emails.clear()
    assert crm_sync.sync(crm_rt, hubspot(hub)).ok
    assert account(crm_rt, "acme").owner_am == "olivia@ours.example"

    crm_rt.humans.emails["olivia@ours.example"] = OLIVIA  # she joined the workspace
    report = crm_sync.sync(crm_rt, hubspot(hub))
    assert report.companies.seen == 1  # only Newco, at the cursor: Acme is not read again
    assert account(crm_rt, "acme").owner_am == OLIVIA
    assert ids["olivia"]


def test_sent_mail_replies_and_decisions_are_logged_once(crm_rt, hub):
    seed(hub)
    sent = sent_first(crm_rt)
    with crm_rt.db.session() as s:
        contact = s.get(Contact, sent.contact_id)
        s.add(
            InboundMessage(
                message_id="<their-answer@example.net>",
                in_reply_to=sent.message_id,
                from_addr=contact.email,
                subject="Re: " + sent.subject,
                text="Sounds interesting, tell me more.",
                received_at=NOW,
                kind="human",
                contact_id=contact.id,
                outbox_id=sent.id,
            )
        )
        s.add(
            InboundMessage(
                message_id="<ooo@example.net>",
                from_addr=contact.email,
                kind="auto_reply",
                contact_id=contact.id,
            )
        )
        decisions = s.exec(select(Decision).where(col(Decision.draft_id).is_not(None))).all()
        assert decisions

    first = crm_sync.sync(crm_rt, hubspot(hub))
    assert first.ok, first.error
    assert first.pushed == {"email": 1, "reply": 1, "note": len(decisions)}
    again = crm_sync.sync(crm_rt, hubspot(hub))
    assert again.pushed == {"email": 0, "reply": 0, "note": 0}
    # One batch for our mail, one for their replies; the second sync had nothing to send.
    assert len(hub.asked("/emails/batch/create")) == 2

    emails = hub.created("emails")
    assert sorted(e["properties"]["hs_email_direction"] for e in emails) == [
        "EMAIL",
        "INCOMING_EMAIL",
    ]
    ours = next(e for e in emails if e["properties"]["hs_email_direction"] == "EMAIL")
    assert ours["properties"]["hs_email_subject"] == sent.subject
    assert json.loads(ours["properties"]["hs_email_headers"])["messageId"] == sent.message_id
    assert ours["trace"] == f"email:{sent.message_id}"
    theirs = next(e for e in emails if e["properties"]["hs_email_direction"] == "INCOMING_EMAIL")
    headers = json.loads(theirs["properties"]["hs_email_headers"])
    assert headers["to"] == [{"email": sent.from_addr}]
    notes = hub.created("notes")
    assert len(notes) == len(decisions)
    assert "approved the draft" in notes[0]["properties"]["hs_note_body"]

    with crm_rt.db.session() as s:
        crm_contact = s.get(Contact, sent.contact_id).crm_id
        pushes = s.exec(select(CrmPush).order_by(CrmPush.key)).all()
    assert crm_contact  # found in HubSpot by email, or created there
    linked = hub.links[("emails", next(iter(hub.objects["emails"])), "contacts")]
    assert linked == [(crm_contact, 198)]
    assert {p.key.split(":", 2)[1] for p in pushes} == {"email", "reply", "decision"}
    assert f"hubspot:email:{sent.message_id}" in {p.key for p in pushes}


def test_a_contact_hubspot_does_not_have_is_created_there_with_its_company(crm_rt, hub):
    acme = hub.add_company("Acme Analytics", "acme-analytics.example", T0)
    assert crm_sync.sync(crm_rt, hubspot(hub)).ok  # Acme matched by domain; no contacts yet
    sent = sent_first(crm_rt)
    report = crm_sync.sync(crm_rt, hubspot(hub))
    assert report.pushed["email"] == 1
    (created,) = hub.created("contacts")
    with crm_rt.db.session() as s:
        contact = s.get(Contact, sent.contact_id)
    assert created["properties"]["email"] == contact.email
    assert contact.account_id == "acme" and contact.crm_id == created["properties"]["hs_object_id"]
    assert hub.links[("contacts", contact.crm_id, "companies")] == [(acme, 279)]


def test_429_waits_what_hubspot_says_and_5xx_is_retried(crm_rt, hub):
    seed(hub)
    hub.fail_next(429, path="/companies/search", headers={"Retry-After": "7"})
    hub.fail_next(
        429,
        path="/contacts/search",
        headers={
            "X-HubSpot-RateLimit-Remaining": "0",
            "X-HubSpot-RateLimit-Interval-Milliseconds": "10000",
        },
    )
    hub.fail_next(502, path="/owners", times=2)
    hub.fail_next(500, path="/deals/batch/read")
    sleeps: list[float] = []
    report = crm_sync.sync(crm_rt, hubspot(hub, sleeps))
    assert report.ok, report.error
    assert 7.0 in sleeps and 10.0 in sleeps
    assert len(hub.asked("/crm/v3/owners")) == 3
    assert account(crm_rt, "acme").crm_id


def test_a_429_that_will_not_end_stops_the_sync_where_the_last_whole_page_ended(crm_rt, hub):
    seed(hub)
    # The first companies page goes through; the second is refused past every retry.
    sleeps: list[float] = []
    crm = hubspot(hub, sleeps, attempts=3)
    original = hub._search

    def refuse_second_page(kind, body):
        if kind == "companies" and body.get("after"):
            raise fake_hubspot.Refused(429, "You have reached your secondly limit.", "RATE_LIMIT")
        return original(kind, body)

    hub._search = refuse_second_page
    report = crm_sync.sync(crm_rt, crm)
    assert not report.ok and "429" in report.error
    assert len(sleeps) == 2  # bounded: three attempts, two waits
    with crm_rt.db.session() as s:
        cursor = s.get(CrmCursor, "hubspot:companies")
        assert cursor.modified_after == T0 + timedelta(minutes=1)  # the first page, whole
        assert s.get(CrmCursor, "hubspot:contacts") is None  # never started
        assert s.exec(select(Account).where(Account.crm_id != "")).all()
    assert [n for _, n in crm_rt.humans.notes] == [f"CRM sync with hubspot stopped: {report.error}"]


def test_a_revoked_token_writes_nothing_and_tells_operators_once(crm_rt, hub):
    seed(hub)
    revoked = HubSpot("pat-na1-revoked-token", host=hub.url, sleep=lambda _: None)
    first = crm_sync.sync(crm_rt, revoked)
    second = crm_sync.sync(crm_rt, revoked)
    assert first.auth_failed and second.auth_failed
    assert "401" in first.error and "HUBSPOT_ACCESS_TOKEN" in first.error
    assert "pat-na1-revoked-token" not in first.error
    assert len(crm_rt.humans.notices) == 1  # once per failure streak
    channel, notice = crm_rt.humans.notices[0]
    assert channel == OPS and notice.tone == "failed" and "401" in notice.plain()
    with crm_rt.db.session() as s:
        assert s.exec(select(Account).where(Account.crm_id != "")).all() == []
        assert s.exec(select(AccountManager)).all() == []
        assert [c.key for c in s.exec(select(CrmCursor))] == ["hubspot:sync"]
    assert len(hub.requests) == 2  # one refused request each: no retries of a 401

    assert crm_sync.sync(crm_rt, hubspot(hub)).ok
    assert crm_rt.humans.notes[-1] == (OPS, "CRM sync with hubspot works again")


def test_a_token_revoked_mid_sync_keeps_the_whole_pages_before_it(crm_rt, hub):
    seed(hub)
    hub.fail_next(401, path="/contacts/search", body={"status": "error", "message": "expired"})
    report = crm_sync.sync(crm_rt, hubspot(hub))
    assert report.auth_failed
    assert account(crm_rt, "acme").crm_id  # companies were read whole, with their cursor
    with crm_rt.db.session() as s:
        assert s.get(CrmCursor, "hubspot:companies").modified_after is not None
        assert s.get(CrmCursor, "hubspot:contacts") is None
        assert s.get(Contact, "c-acme-1").crm_id == ""


def test_a_pull_past_the_search_cap_starts_over_from_the_last_time_it_read(crm_rt, hub):
    for n in range(7):
        hub.add_company(f"Company {n}", f"c{n}.example", T0 + timedelta(minutes=n))
    hub.search_cap = 4  # HubSpot's is 10,000 results per query; the same rule, smaller
    crm = hubspot(hub)
    crm.search_limit = 4
    report = crm_sync.sync(crm_rt, crm)
    assert report.ok, report.error
    assert (report.companies.seen, report.companies.new) == (8, 7)  # one read twice, at the seam
    # Pages of two: after four results the search starts over from the last time it read.
    restarts = [b for b in hub.searches("companies") if b["filterGroups"]]
    assert [r["filterGroups"][0]["filters"][0]["value"] for r in restarts] == [
        millis(T0 + timedelta(minutes=3))
    ] * 2
    assert [r.get("after") for r in restarts] == [None, "2"]


def test_hubspots_daily_limit_stops_at_once(crm_rt, hub):
    seed(hub)
    hub.fail_next(
        429,
        path="/owners",
        body={"status": "error", "message": "daily limit", "policyName": "DAILY"},
    )
    sleeps: list[float] = []
    report = crm_sync.sync(crm_rt, hubspot(hub, sleeps))
    assert "daily API limit" in report.error and sleeps == []


def test_a_missing_scope_is_named(crm_rt, hub):
    seed(hub)
    hub.fail_next(
        403,
        path="/deals/search",
        body={
            "status": "error",
            "message": "This app hasn't been granted all required scopes to make this call.",
            "category": "MISSING_SCOPES",
            "errors": [{"context": {"requiredGranularScopes": ["crm.objects.deals.read"]}}],
        },
    )
    report = crm_sync.sync(crm_rt, hubspot(hub))
    assert report.auth_failed
    assert "403" in report.error and "needs crm.objects.deals.read" in report.error


def test_the_scheduler_syncs_only_when_a_token_is_set(home, db_url, hub):
    plain = Runtime(make_settings(home, db_url), humans=RecordingHumans())
    assert plain.settings.hubspot_access_token is None
    assert scheduling.build(plain).get_job("crm-sync") is None
    configured = Runtime(
        make_settings(
            home,
            db_url,
            HUBSPOT_ACCESS_TOKEN=hub.token,
            HUBSPOT_API_URL=hub.url,
            TWOLOOP_CRM_SYNC_MINUTES="30",
        ),
        humans=RecordingHumans(),
    )
    job = scheduling.build(configured).get_job("crm-sync")
    assert job is not None and job.trigger.interval == timedelta(minutes=30)
    configured.db.upgrade()
    hub.add_company("Acme Analytics", "acme-analytics.example", T0)
    report = job.func(*job.args)
    assert report is not None and report.ok and report.companies.seen == 1
