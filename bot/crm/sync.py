"""One CRM sync, both ways: owners, companies, contacts and deals in (the CRM wins over the
CSV for owners, customer status, open deals and last activity), then what the agents did out
(sent mail, replies, AM decisions), each logged once.

Nothing is half-synced: each page of a pull is written in one transaction together with its
cursor, so a failure leaves the cursor where the last whole page ended; each pushed batch is
remembered (CrmPush) right after the CRM took it. No CRM call is made inside a transaction.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session

from bot.crm.base import (
    Company,
    CompanyDeals,
    Crm,
    CrmAuthError,
    CrmError,
    Engagement,
    Page,
    Person,
    Who,
)
from bot.crm.hubspot import HubSpot
from bot.memory.events import set_customer
from bot.ports import PAST, Notice
from bot.runtime import Runtime
from bot.settings import Settings
from storage import crm as store
from storage.bulk import Refused
from storage.models import Account, Contact, Decision

log = logging.getLogger(__name__)

CUSTOMER_STAGES = frozenset({"customer", "evangelist"})
# Lifecycle stages before "customer" (HubSpot's names; another CRM maps its own to these).
EARLIER_STAGES = frozenset(
    {"subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity"}
)
# Customer statuses that came from a file, which the CRM may take back; one a person or the
# CRM itself set stays until a person changes it.
FROM_FILES = frozenset({"", "import"})
PUSH_LIMIT = 1000  # per kind and run; the rest goes next time
BATCH = 100  # per CRM request
RUN_LEASE = timedelta(minutes=30)  # a sync's hold on the run; one that died frees it by then
NOT_CONFIGURED = "HubSpot is not configured: set HUBSPOT_ACCESS_TOKEN"


@dataclass
class Tally:
    seen: int = 0
    new: int = 0
    skipped: int = 0

    def text(self, new_word: str = "new") -> str:
        extra = [f"{self.new} {new_word}"] if self.new else []
        extra += [f"{self.skipped} skipped"] if self.skipped else []
        return f"{self.seen}" + (f" ({', '.join(extra)})" if extra else "")


@dataclass
class SyncReport:
    crm: str
    companies: Tally = field(default_factory=Tally)
    contacts: Tally = field(default_factory=Tally)
    owners: Tally = field(default_factory=Tally)  # new: mapped to a chat user
    deals: Tally = field(default_factory=Tally)  # seen: accounts whose deals were read
    customers: int = 0  # accounts whose customer status the CRM changed
    pushed: dict[str, int] = field(default_factory=lambda: {"email": 0, "reply": 0, "note": 0})
    push_errors: list[str] = field(default_factory=list)
    error: str = ""  # what stopped the sync
    auth_failed: bool = False

    @property
    def ok(self) -> bool:
        return not self.error

    def line(self) -> str:
        p = self.pushed
        text = (
            f"crm sync: companies {self.companies.text()}, contacts {self.contacts.text()}, "
            f"owners {self.owners.text('in chat')}, deals {self.deals.text()}, "
            f"pushed: emails {p['email']}, replies {p['reply']}, notes {p['note']}"
        )
        if self.push_errors:
            text += f"; {len(self.push_errors)} not pushed ({self.push_errors[0]})"
        return text + (f"; stopped: {self.error}" if self.error else "")


def crm_for(settings: Settings, sleep: Callable[[float], None] | None = None) -> Crm | None:
    """The configured CRM, or None when there is none."""
    token = settings.secret("hubspot_access_token")
    if not token:
        return None
    if sleep is None:
        return HubSpot(token, host=settings.hubspot_api_url)
    return HubSpot(token, host=settings.hubspot_api_url, sleep=sleep)


def run(rt: Runtime) -> SyncReport | None:
    """The scheduler's job: one sync with the configured CRM, its summary logged."""
    crm = crm_for(rt.settings)
    if crm is None:
        return None
    report = sync(rt, crm)
    (log.info if report.ok else log.warning)("%s", report.line())
    return report


def sync(rt: Runtime, crm: Crm, progress: Progress | None = None) -> SyncReport:
    report = SyncReport(crm.name)
    status_key = f"{crm.name}:sync"
    now = rt.now()
    with rt.db.session() as s:
        claimed = store.claim_run(s, status_key, now, now + RUN_LEASE)
    if not claimed:
        # The scheduler's run and `twoloop crm sync` at once would log the same mail twice.
        report.error = "another sync is running; try again when it is done"
        return report
    try:
        return _sync(rt, crm, report, status_key, progress or Progress())
    finally:
        with rt.db.session() as s:
            store.release_run(s, status_key)


def _sync(
    rt: Runtime, crm: Crm, report: SyncReport, status_key: str, progress: Progress
) -> SyncReport:
    try:
        owners = pull_owners(rt, crm, report)
        _pull(rt, crm, "companies", crm.companies, _companies, report, owners, progress)
        _pull(rt, crm, "contacts", crm.contacts, _contacts, report, owners, progress)
        _pull(rt, crm, "deals", crm.deals, _deals, report, owners, progress)
        push(rt, crm, report)
    except CrmError as exc:
        report.error, report.auth_failed = str(exc), isinstance(exc, CrmAuthError)
        with rt.db.session() as s:
            first = store.note_failure(s, status_key, report.error)
        if first:
            rt.tell_operators(
                Notice.of(f"CRM sync with {crm.name} stopped: {report.error}", tone="failed")
            )
        return report
    with rt.db.session() as s:
        row = store.cursor(s, status_key)
        was_failing = row is not None and bool(row.last_error)
        store.note_success(s, status_key, rt.now())
    if was_failing:
        rt.tell_operators(Notice.of(f"CRM sync with {crm.name} works again", tone="resumed"))
    return report


def pull_owners(rt: Runtime, crm: Crm, report: SyncReport) -> dict[str, str]:
    """CRM owner id -> what an account's owner_am holds: the chat user found by the owner's
    email (remembered as an AccountManager), else the email itself, to be resolved later."""
    owners = crm.owners()
    with rt.db.session() as s:
        known = {
            e: m.user_id for e, m in store.managers_by_email(s, [o.email for o in owners]).items()
        }
    humans = rt.humans
    for o in owners:
        if o.email not in known and o.active and humans is not None:
            try:
                user = humans.user_by_email(o.email)  # outside any transaction: a network call
            except Exception as exc:  # noqa: BLE001 - no answer now: the owner stays an address
                log.warning("chat lookup of a CRM owner failed: %s", type(exc).__name__)
                user = None
            if user:
                known[o.email] = user
    with rt.db.session() as s:
        for o in owners:
            user = known.get(o.email)
            report.owners.seen += 1
            if user:
                report.owners.new += 1
                store.save_manager(s, user, o.email, o.name, f"crm:{crm.name}")
                store.repoint_owner(s, o.email, user)
        store.advance(s, f"{crm.name}:owners", None, rt.now())
    return {o.crm_id: known.get(o.email, o.email) for o in owners}


class Progress:
    """What a pull tells as it goes (nothing, here; `twoloop crm sync` draws bars)."""

    def pulled(self, kind: str, done: int, total: int | None) -> None:
        """`done` records of `kind` read and written so far, of about `total`."""


def _pull(
    rt: Runtime,
    crm: Crm,
    kind: str,
    pages: Callable[[datetime | None], Iterator[Page[Any]]],
    apply: Callable[[Runtime, Session, Crm, Any, SyncReport, dict[str, str]], None],
    report: SyncReport,
    owners: dict[str, str],
    progress: Progress,
) -> None:
    key = f"{crm.name}:{kind}"
    with rt.db.session() as s:
        row = store.cursor(s, key)
        since = row.modified_after if row is not None else None
    done = 0
    progress.pulled(kind, done, None)
    for page in pages(since):
        with rt.db.session() as s:  # the page and its cursor, or neither
            apply(rt, s, crm, page, report, owners)
            store.advance(s, key, page.through, rt.now())
        done += len(page.rows)
        progress.pulled(kind, done, page.total)


def _new_ids(
    s: Session, model: type[Account] | type[Contact], crm: str, crm_ids: list[str]
) -> dict[str, str]:
    """CRM id -> a new row id, "hubspot-123" (a suffix in the unlikely case a file already
    used that id): two queries for a whole page, the second only when a name is taken."""
    bases = {c: f"{crm}-{c}" for c in crm_ids}
    taken = store.taken_ids(s, model, bases.values())
    if taken:
        more = [f"{bases[c]}-{n}" for c in crm_ids if bases[c] in taken for n in range(2, 10)]
        taken |= store.taken_ids(s, model, more)
    out: dict[str, str] = {}
    for c in crm_ids:
        candidates = [bases[c], *(f"{bases[c]}-{n}" for n in range(2, 10))]
        out[c] = next(i for i in candidates if i not in taken)
        taken.add(out[c])
    return out


def _later(a: datetime | None, b: datetime | None) -> datetime | None:
    return b if a is None or (b is not None and b > a) else a


def _companies(
    rt: Runtime, s: Session, crm: Crm, page: Page[Company], r: SyncReport, owners: dict[str, str]
) -> None:
    """A page of companies as plain-row bulk writes; only the few whose customer status
    changes go through the ORM (`set_customer` records the event and the audit)."""
    now, source = rt.now(), f"crm:{crm.name}"
    by_id = store.account_rows_by_crm_id(s, [c.crm_id for c in page.rows])
    by_domain = store.account_rows_by_domain(
        s, [c.domain for c in page.rows if c.crm_id not in by_id]
    )
    matched: dict[str, dict[str, Any]] = {}
    for c in page.rows:
        account = by_id.get(c.crm_id) or (by_domain.pop(c.domain, None) if c.domain else None)
        if account is not None:
            matched[c.crm_id] = by_id[c.crm_id] = account
    fresh = [c.crm_id for c in page.rows if c.crm_id not in matched and c.name]
    ids = _new_ids(s, Account, crm.name, list(dict.fromkeys(fresh))) if fresh else {}
    inserts, updates, customers = [], {}, []
    for c in page.rows:
        account = matched.get(c.crm_id)
        if account is None:
            if not c.name:
                r.companies.skipped += 1
                continue
            owner = owners.get(c.owner_id, "")
            account = {
                "id": ids[c.crm_id],
                "crm_id": c.crm_id,
                "name": c.name,
                "domain": c.domain,
                "owner_am": owner,
                "customer_status": "prospect",
                "customer_source": "",
                "last_touch_at": c.last_activity,
            }
            inserts.append(
                (
                    account["id"],
                    c.name,
                    c.domain,
                    c.industry,
                    c.employees or 0,
                    c.country.upper() if len(c.country) == 2 else "",
                    owner,
                    c.last_activity,
                    c.crm_id,
                )
            )
            matched[c.crm_id] = account
            r.companies.new += 1
        else:
            account["crm_id"] = c.crm_id
            if c.owner_id in owners:
                account["owner_am"] = owners[c.owner_id]
            account["last_touch_at"] = _later(account["last_touch_at"], c.last_activity)
            account["name"] = c.name or account["name"]
            account["domain"] = account["domain"] or c.domain
            updates[account["id"]] = tuple(account[k] for k in store.KNOWN_ACCOUNT)
        r.companies.seen += 1
        customers.append((account, c.lifecycle))
    new_w, known_w = store.account_writers(s)
    try:
        new_w.write(inserts)
        known_w.write(list(updates.values()))
    except Refused as exc:
        raise _refused(crm, "companies", [c.crm_id for c in page.rows], exc) from None
    for account, stage in customers:
        if stage in CUSTOMER_STAGES:
            if (account["customer_status"], account["customer_source"]) == ("customer", source):
                continue  # set already: set_customer would change nothing
            why = f"{crm.name}: lifecycle stage {stage}"
            r.customers += set_customer(s, account["id"], "customer", source, now, why)
            account["customer_status"], account["customer_source"] = "customer", source
        elif (
            stage in EARLIER_STAGES
            and account["customer_status"] == "customer"
            and account["customer_source"] in FROM_FILES
        ):
            why = f"{crm.name}: lifecycle stage {stage}, not a customer"
            r.customers += set_customer(s, account["id"], "prospect", source, now, why)
            account["customer_status"], account["customer_source"] = "prospect", source


def _contacts(
    rt: Runtime, s: Session, crm: Crm, page: Page[Person], r: SyncReport, owners: dict[str, str]
) -> None:
    """A page of contacts, matched and merged in memory, written in one bulk upsert. An
    address may move between contacts within the page (handed over, swapped), in any order:
    who ends with it is settled first, and its old holder lets go of it before the write."""
    rows = [p for p in page.rows if p.email]
    r.contacts.skipped += len(page.rows) - len(rows)  # no address
    by_crm = store.contact_rows_by_crm_id(s, [p.crm_id for p in rows])
    by_email = store.contact_rows_by_email(s, [p.email for p in rows])
    accounts = store.account_rows_by_crm_id(s, [c for p in rows for c in p.company_ids])
    # Addresses whose holder's own record in this page gives them up.
    leaving = {
        c["email"].lower()
        for p in rows
        if (c := by_crm.get(p.crm_id)) is not None and c["email"].lower() != p.email
    }
    matched: list[tuple[Person, dict[str, Any] | None, dict[str, Any] | None]] = []
    for p in rows:
        account = next((accounts[c] for c in p.company_ids if c in accounts), None)
        contact = by_crm.get(p.crm_id)
        if contact is None:
            holder = by_email.get(p.email)
            if holder is not None and holder["crm_id"] == "":
                contact = holder  # a contact from a file, matched by address
            elif holder is not None and p.email not in leaving:
                r.contacts.skipped += 1  # a second CRM record for one person
                continue
            elif account is None:
                r.contacts.skipped += 1  # their company is not one we know
                continue
        if contact is not None:
            contact["crm_id"], by_crm[p.crm_id] = p.crm_id, contact
        matched.append((p, contact, account))
    fresh = [p.crm_id for p, contact, _ in matched if contact is None]
    ids = _new_ids(s, Contact, crm.name, list(dict.fromkeys(fresh))) if fresh else {}
    out: dict[str, dict[str, Any]] = {}
    was: dict[str, str] = {}  # contact id -> the address it holds now ("" for a new one)
    for p, contact, account in matched:
        if contact is None:
            contact = {
                "id": ids[p.crm_id],
                "account_id": "",  # set below: a new contact's company is known
                "first_name": p.first_name or p.email.split("@")[0],
                "last_name": "",
                "email": "",
                "title": "",
                "do_not_contact": False,
                "last_touch_at": None,
            }
        if contact["id"] in out:
            r.contacts.skipped += 1  # a second CRM record for one person
            continue
        was[contact["id"]] = contact["email"].lower()
        contact["crm_id"] = p.crm_id
        contact["first_name"] = p.first_name or contact["first_name"]
        contact["last_name"] = p.last_name or contact["last_name"]
        contact["title"] = p.title or contact["title"]
        contact["email"] = p.email  # wanted; `_settle_addresses` says whether it may move
        if account is not None:
            contact["account_id"] = account["id"]
        contact["do_not_contact"] = contact["do_not_contact"] or p.opted_out
        contact["last_touch_at"] = _later(contact["last_touch_at"], p.last_activity)
        out[contact["id"]] = contact
    written = _settle_addresses(list(out.values()), was, by_email)
    r.contacts.skipped += len(out) - len(written)
    r.contacts.seen += len(written)
    r.contacts.new += sum(1 for c in written if not was[c["id"]])
    # Whoever gives up an address another contact of the page ends with lets go of it first.
    finals = {c["email"]: c["id"] for c in written}
    store.park_emails(
        s,
        [c["id"] for c in written if was[c["id"]] and finals.get(was[c["id"]], c["id"]) != c["id"]],
    )
    try:
        store.contact_writer(s).write([tuple(c[k] for k in store.SYNCED_CONTACT) for c in written])
    except Refused as exc:
        raise _blame(s, crm, written, exc) from None


def _settle_addresses(
    contacts: list[dict[str, Any]], was: dict[str, str], by_email: dict[str, dict[str, Any]]
) -> list[dict[str, Any]]:
    """Each address to one contact: one the page does not move keeps its own; else the one
    holding it now, else the first to want it. A loser keeps its old address (a new contact
    without one is left out); repeated until nobody loses. Returns the contacts to write."""
    ids = {c["id"] for c in contacts}
    while True:
        claims: dict[str, list[dict[str, Any]]] = {}
        for c in contacts:
            claims.setdefault(c["email"], []).append(c)
        losers = []
        for email, claimants in claims.items():
            holder = by_email.get(email)
            if holder is not None and holder["id"] not in ids:
                losers += claimants  # held by a contact outside this page
            else:
                keep = next((c for c in claimants if was[c["id"]] == email), claimants[0])
                losers += [c for c in claimants if c is not keep]
        if not losers:
            return contacts
        for c in losers:
            c["email"] = was[c["id"]]
        ids -= {c["id"] for c in losers if not c["email"]}
        contacts = [c for c in contacts if c["id"] in ids]


def _blame(s: Session, crm: Crm, written: list[dict[str, Any]], exc: Refused) -> CrmError:
    """The database refused a page of contacts (a writer took an address meanwhile): name
    the CRM record whose address another contact holds, else say what the database said."""
    held = store.contact_rows_by_email(s, [c["email"] for c in written])
    for c in written:
        other = held.get(c["email"])
        if other is not None and other["id"] != c["id"]:
            return CrmError(
                f"{crm.name} contact {c['crm_id']} ({c['email']}): the address is held by our "
                f"contact {other['id']}; the page was not written, the next sync tries again"
            )
    return _refused(crm, "contacts", [c["crm_id"] for c in written], exc)


def _refused(crm: Crm, kind: str, crm_ids: list[str], exc: Refused) -> CrmError:
    """A refusal no record explains: which page, and the database's first line."""
    first = (str(exc).splitlines() or ["refused"])[0]
    ids = ", ".join(crm_ids[:3]) + (", ..." if len(crm_ids) > 3 else "")
    return CrmError(f"the database refused a page of {crm.name} {kind} ({ids}): {first}")


def _deals(
    rt: Runtime,
    s: Session,
    crm: Crm,
    page: Page[CompanyDeals],
    r: SyncReport,
    owners: dict[str, str],
) -> None:
    now, source = rt.now(), f"crm:{crm.name}"
    accounts = store.accounts_by_crm_id(s, [cd.company_id for cd in page.rows])
    for cd in page.rows:
        account = accounts.get(cd.company_id)
        if account is None:
            r.deals.skipped += 1
            continue
        r.deals.seen += 1
        latest = datetime.min.replace(tzinfo=now.tzinfo)
        open_ = sorted(
            (d for d in cd.deals if not d.closed),
            key=lambda d: d.modified_at or latest,
            reverse=True,
        )
        account.open_deal = "; ".join(f"{d.name} ({d.stage})" for d in open_)[:500]
        s.add(account)
        won = next((d for d in cd.deals if d.won), None)
        if won is not None:
            why = f"{crm.name}: deal won ({won.name})"
            r.customers += set_customer(s, account.id, "customer", source, now, why)


def push(rt: Runtime, crm: Crm, report: SyncReport) -> None:
    """Log sent mail, replies and decisions on the CRM contacts; each once."""
    with rt.db.session() as s:
        mail = store.unpushed_mail(s, crm.name, PUSH_LIMIT)
        replies = store.unpushed_replies(s, crm.name, PUSH_LIMIT)
        decisions = store.unpushed_decisions(s, crm.name, PUSH_LIMIT)
        names = store.manager_names(s, [d.actor for d, *_ in decisions])
    people = {c.id: (c, a) for _, c, a in mail}
    people.update({c.id: (c, a) for _, c, a, _ in replies})
    people.update({c.id: (c, a) for _, _, c, a in decisions})
    missing = [
        Who(c.id, c.email, c.first_name, c.last_name, c.title, a.crm_id)
        for c, a in people.values()
        if not c.crm_id
    ]
    found = crm.contact_ids(missing) if missing else {}
    if found:
        with rt.db.session() as s:
            store.set_contact_crm_ids(s, found)

    def on(c: Contact) -> str:
        return c.crm_id or found.get(c.id, "")

    emails = [
        Engagement(
            key=f"email:{m.message_id}",
            kind="email",
            crm_contact=on(c),
            crm_company=a.crm_id,
            at=m.sent_at or m.created_at,
            subject=m.subject,
            text=m.body,
            from_addr=m.from_addr,
            to_addr=m.to_addr,
            message_id=m.message_id,
        )
        for m, c, a in mail
    ]
    answers = [
        Engagement(
            key=f"reply:{m.message_id}",
            kind="reply",
            crm_contact=on(c),
            crm_company=a.crm_id,
            at=m.received_at,
            subject=m.subject,
            text=m.text,
            from_addr=m.from_addr,
            to_addr=ours,
            message_id=m.message_id,
        )
        for m, c, a, ours in replies
    ]
    notes = [
        Engagement(
            key=f"decision:{d.id}",
            kind="note",
            crm_contact=on(c),
            crm_company=a.crm_id,
            at=d.decided_at,
            text=note_text(d, names.get(d.actor, d.actor), dr.subject),
        )
        for d, dr, c, a in decisions
    ]
    owner = {e.key: cid for e, cid in zip(emails, [c.id for _, c, _ in mail], strict=True)}
    owner.update({e.key: c.id for e, (_, c, _, _) in zip(answers, replies, strict=True)})
    owner.update({e.key: c.id for e, (_, _, c, _) in zip(notes, decisions, strict=True)})
    for items in (emails, answers, notes):
        _log(rt, crm, items, owner, report)


def _log(
    rt: Runtime, crm: Crm, items: Sequence[Engagement], owner: dict[str, str], r: SyncReport
) -> None:
    ready = [e for e in items if e.crm_contact]
    if len(ready) < len(items):
        r.push_errors.append(f"{len(items) - len(ready)} without a CRM contact")
    for i in range(0, len(ready), BATCH):
        batch = ready[i : i + BATCH]
        logged = crm.log(batch)  # raises CrmError: nothing of this batch is remembered
        r.push_errors.extend(logged.errors)
        kind = {"email": "email", "reply": "reply", "note": "decision"}
        with rt.db.session() as s:  # right after the CRM answered: never logged twice
            done = store.pushed_keys(s, [f"{crm.name}:{e.key}" for e in batch])
            for e in batch:
                remote = logged.ids.get(e.key)
                key = f"{crm.name}:{e.key}"
                if remote is None or key in done:
                    continue
                store.record_push(s, key, crm.name, kind[e.kind], remote, owner[e.key], rt.now())
                r.pushed[e.kind] += 1


def note_text(d: Decision, who: str, subject: str) -> str:
    """A decision as the AM's CRM shows it (HubSpot notes are HTML: every part escaped)."""
    what = "the reply about" if d.kind == "reply" else "the draft"
    parts = [
        f"Twoloop: {who} {PAST.get(d.action, d.action)} {what} “{subject}” (agent {d.agent_id})."
    ]
    if d.reason_code:
        parts.append(
            f"Reason: {d.reason_code}" + (f" ({d.reason_text})" if d.reason_text else "") + "."
        )
    if d.defer_until is not None:
        parts.append(f"Deferred until {d.defer_until.isoformat()}.")
    return html.escape(" ".join(parts), quote=False)
