"""CRM sync queries: cursors, what is matched to CRM records, and what is still to be logged.

Cursor rows (CrmCursor) per CRM: "<crm>:<object>" is how far that pull has read;
"<crm>:sync" is the sync as a whole: `synced_at` its last clean run, `last_error` the failure
it is in now ("" when healthy), which says whether operators were already told, and
`running_until` the lease a running sync holds.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import String, and_, cast, exists, func, literal, or_, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from storage.bulk import Bulk
from storage.db import rowcount
from storage.models import (
    Account,
    AccountManager,
    Contact,
    CrmCursor,
    CrmPush,
    Decision,
    Draft,
    InboundMessage,
    OutboxMessage,
)
from storage.upsert import dialect_insert, table_of


def cursor(s: Session, key: str) -> CrmCursor | None:
    return s.get(CrmCursor, key)


def cursors(s: Session, crm: str) -> list[CrmCursor]:
    return list(
        s.exec(
            select(CrmCursor)
            .where(col(CrmCursor.key).startswith(f"{crm}:"))
            .order_by(col(CrmCursor.key))
        )
    )


def _row(s: Session, key: str) -> CrmCursor:
    row = s.get(CrmCursor, key)
    if row is None:
        row = CrmCursor(key=key)
        s.add(row)
    return row


def advance(s: Session, key: str, modified_after: datetime | None, now: datetime) -> None:
    """Where the next pull of this object starts; never moves back."""
    row = _row(s, key)
    if modified_after is not None and (
        row.modified_after is None or modified_after > row.modified_after
    ):
        row.modified_after = modified_after
    row.synced_at, row.last_error = now, ""
    s.add(row)


def claim_run(s: Session, key: str, now: datetime, until: datetime) -> bool:
    """Take the run lease (one sync at a time, across processes), unless another run holds
    it: one conditional update, so two claims cannot both win."""
    s.execute(dialect_insert(s, CrmCursor).values(key=key, last_error="").on_conflict_do_nothing())
    res = s.execute(
        update(CrmCursor)
        .where(
            col(CrmCursor.key) == key,
            or_(col(CrmCursor.running_until).is_(None), col(CrmCursor.running_until) < now),
        )
        .values(running_until=until)
    )
    return rowcount(res) == 1


def release_run(s: Session, key: str) -> None:
    s.execute(update(CrmCursor).where(col(CrmCursor.key) == key).values(running_until=None))


def note_failure(s: Session, key: str, error: str) -> bool:
    """Remember the failure; True when it starts a streak (the last run was fine)."""
    row = _row(s, key)
    first = not row.last_error
    row.last_error = error[:500]
    s.add(row)
    return first


def note_success(s: Session, key: str, now: datetime) -> None:
    row = _row(s, key)
    row.synced_at, row.last_error = now, ""
    s.add(row)


def accounts_by_crm_id(s: Session, crm_ids: Iterable[str]) -> dict[str, Account]:
    ids = [i for i in dict.fromkeys(crm_ids) if i]
    if not ids:
        return {}
    return {a.crm_id: a for a in s.exec(select(Account).where(col(Account.crm_id).in_(ids)))}


# What a page of the sync reads of the rows it may update, as plain dicts (no ORM objects):
# a million-company sync reads ten thousand pages.
ACCOUNT_STATE: tuple[Any, ...] = (
    Account.id,
    Account.crm_id,
    Account.name,
    Account.domain,
    Account.owner_am,
    Account.customer_status,
    Account.customer_source,
    Account.last_touch_at,
)
CONTACT_STATE: tuple[Any, ...] = (
    Contact.id,
    Contact.account_id,
    Contact.crm_id,
    Contact.first_name,
    Contact.last_name,
    Contact.email,
    Contact.title,
    Contact.do_not_contact,
    Contact.last_touch_at,
)
# The columns the sync writes: a new account whole, a known one only what the CRM owns.
NEW_ACCOUNT = ("id", "name", "domain", "industry", "employees", "country") + (
    "owner_am",
    "last_touch_at",
    "crm_id",
)
KNOWN_ACCOUNT = ("id", "crm_id", "name", "domain", "owner_am", "last_touch_at")
SYNCED_CONTACT = tuple(c.key for c in CONTACT_STATE)


def account_rows_by_crm_id(s: Session, crm_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    ids = [i for i in dict.fromkeys(crm_ids) if i]
    if not ids:
        return {}
    rows = s.execute(sa_select(*ACCOUNT_STATE).where(col(Account.crm_id).in_(ids)))
    return {r.crm_id: dict(r._mapping) for r in rows}


def account_rows_by_domain(s: Session, domains: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Accounts not yet matched to a CRM company, by domain. Every writer stores domains in
    lower case (the import and the CRM lower them), so the plain index answers; the CRM id
    is checked here, not in SQL, so no planner picks the crm_id index (mostly '') instead."""
    wanted = [d for d in dict.fromkeys(domains) if d]
    if not wanted:
        return {}
    rows = s.execute(
        sa_select(*ACCOUNT_STATE).where(col(Account.domain).in_(wanted)).order_by(col(Account.id))
    )
    out: dict[str, dict[str, Any]] = {}
    for r in rows:
        if not r.crm_id:
            out.setdefault(r.domain, dict(r._mapping))
    return out


def contact_rows_by_crm_id(s: Session, crm_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    ids = [i for i in dict.fromkeys(crm_ids) if i]
    if not ids:
        return {}
    rows = s.execute(sa_select(*CONTACT_STATE).where(col(Contact.crm_id).in_(ids)))
    return {r.crm_id: dict(r._mapping) for r in rows}


def contact_rows_by_email(s: Session, emails: Iterable[str]) -> dict[str, dict[str, Any]]:
    """By email, which every writer stores in lower case (so the unique index answers)."""
    wanted = [e for e in dict.fromkeys(emails) if e]
    if not wanted:
        return {}
    rows = s.execute(sa_select(*CONTACT_STATE).where(col(Contact.email).in_(wanted)))
    return {r.email: dict(r._mapping) for r in rows}


def _later_touch(model: type[Account] | type[Contact]) -> str:
    """The stored last touch stays when it is the later one (NULL-safe): mail sent while a
    page was being read must not be moved back to the CRM's older time."""
    t = f'"{table_of(model).name}"'
    return f"excluded.last_touch_at IS NULL OR {t}.last_touch_at > excluded.last_touch_at"


def account_writers(s: Session) -> tuple[Bulk, Bulk]:
    """(new accounts, known accounts' CRM-owned columns), as plain-tuple bulk writes; the
    last touch is merged in SQL, against the row as it is at the write."""
    return (
        Bulk(s, Account, NEW_ACCOUNT, ["id"], update=False),
        Bulk(s, Account, KNOWN_ACCOUNT, ["id"], keep={"last_touch_at": _later_touch(Account)}),
    )


def contact_writer(s: Session) -> Bulk:
    """New and known contacts alike: every column the sync owns, by id. A suppression and a
    later touch the product wrote after the page read the row are kept (merged in SQL, so
    it holds under concurrent writers): a sync never clears do_not_contact."""
    keep = {
        "do_not_contact": f'"{table_of(Contact).name}".do_not_contact',
        "last_touch_at": _later_touch(Contact),
    }
    return Bulk(s, Contact, SYNCED_CONTACT, ["id"], keep=keep)


def park_emails(s: Session, contact_ids: Iterable[str]) -> None:
    """Give these contacts a stand-in address no one holds ("(moving) <id>"), within the
    page's transaction, so addresses moving between them never meet the unique index twice."""
    ids = list(dict.fromkeys(contact_ids))
    if ids:
        s.execute(
            update(Contact)
            .where(col(Contact.id).in_(ids))
            .values(email=literal("(moving) ") + col(Contact.id))
        )


def taken_ids(s: Session, model: type[Account] | type[Contact], ids: Iterable[str]) -> set[str]:
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return set()
    return set(s.exec(select(model.id).where(col(model.id).in_(wanted))))


def managers_by_email(s: Session, emails: Iterable[str]) -> dict[str, AccountManager]:
    wanted = [e for e in dict.fromkeys(emails) if e]
    if not wanted:
        return {}
    rows = s.exec(
        select(AccountManager)
        .where(func.lower(col(AccountManager.email)).in_(wanted))
        .order_by(col(AccountManager.user_id))
    )
    out: dict[str, AccountManager] = {}
    for m in rows:
        out.setdefault(m.email.lower(), m)
    return out


def manager_names(s: Session, user_ids: Iterable[str]) -> dict[str, str]:
    ids = [i for i in dict.fromkeys(user_ids) if i]
    if not ids:
        return {}
    rows = s.exec(select(AccountManager).where(col(AccountManager.user_id).in_(ids)))
    return {m.user_id: m.name for m in rows if m.name}


def save_manager(s: Session, user_id: str, email: str, name: str, source: str) -> bool:
    """Create or complete an AM row (where their cards go and their status stay as they
    are). True when it was new."""
    row = s.get(AccountManager, user_id)
    if row is None:
        s.add(AccountManager(user_id=user_id, email=email, name=name, source=source))
        return True
    row.email = email or row.email
    row.name = name or row.name
    row.source = row.source or source
    s.add(row)
    return False


def repoint_owner(s: Session, email: str, user_id: str) -> int:
    """Accounts whose owner was known only by email now name the chat user."""
    result = s.execute(
        update(Account)
        .where(func.lower(col(Account.owner_am)) == email.lower())
        .values(owner_am=user_id)
    )
    return rowcount(result)


def _not_pushed(key_col, crm: str, kind: str):
    return ~exists().where(col(CrmPush.key) == literal(f"{crm}:{kind}:") + key_col)


def unpushed_mail(s: Session, crm: str, limit: int) -> list[tuple[OutboxMessage, Contact, Account]]:
    """Sent mail not yet logged on the CRM, oldest first."""
    q = (
        select(OutboxMessage, Contact, Account)
        .join(Contact, col(Contact.id) == col(OutboxMessage.contact_id))
        .join(Account, col(Account.id) == col(Contact.account_id))
        .where(
            col(OutboxMessage.status) == "sent",
            _not_pushed(col(OutboxMessage.message_id), crm, "email"),
        )
        .order_by(col(OutboxMessage.sent_at), col(OutboxMessage.id))
        .limit(limit)
    )
    return [(m, c, a) for m, c, a in s.exec(q)]


def unpushed_replies(
    s: Session, crm: str, limit: int
) -> list[tuple[InboundMessage, Contact, Account, str]]:
    """People's replies (not auto-replies or bounces) not yet logged on the CRM, with the
    address of ours they answered ("" when unknown)."""
    q = (
        select(InboundMessage, Contact, Account, OutboxMessage.from_addr)
        .join(Contact, col(Contact.id) == col(InboundMessage.contact_id))
        .join(Account, col(Account.id) == col(Contact.account_id))
        .outerjoin(OutboxMessage, col(OutboxMessage.id) == col(InboundMessage.outbox_id))
        .where(
            col(InboundMessage.kind) == "human",
            _not_pushed(col(InboundMessage.message_id), crm, "reply"),
        )
        .order_by(col(InboundMessage.received_at), col(InboundMessage.id))
        .limit(limit)
    )
    return [(m, c, a, ours or "") for m, c, a, ours in s.exec(q)]


def unpushed_decisions(
    s: Session, crm: str, limit: int
) -> list[tuple[Decision, Draft, Contact, Account]]:
    """AM decisions on drafts and replies (a contact's conversation) not yet on the CRM."""
    q = (
        select(Decision, Draft, Contact, Account)
        .join(Draft, col(Draft.id) == col(Decision.draft_id))
        .join(Contact, col(Contact.id) == col(Draft.contact_id))
        .join(Account, col(Account.id) == col(Contact.account_id))
        .where(_not_pushed(cast(col(Decision.id), String), crm, "decision"))
        .order_by(col(Decision.decided_at), col(Decision.id))
        .limit(limit)
    )
    return [(d, dr, c, a) for d, dr, c, a in s.exec(q)]


def set_contact_crm_ids(s: Session, crm_ids: dict[str, str]) -> None:
    for contact_id, crm_id in crm_ids.items():
        s.execute(
            update(Contact)
            .where(and_(col(Contact.id) == contact_id, col(Contact.crm_id) == ""))
            .values(crm_id=crm_id)
        )


def record_push(
    s: Session, key: str, crm: str, kind: str, remote_id: str, contact_id: str, at: datetime
) -> None:
    s.add(CrmPush(key=key, crm=crm, kind=kind, remote_id=remote_id, contact_id=contact_id, at=at))


def pushed_keys(s: Session, keys: Iterable[str]) -> set[str]:
    wanted = list(dict.fromkeys(keys))
    if not wanted:
        return set()
    return set(s.exec(select(CrmPush.key).where(col(CrmPush.key).in_(wanted))))


def push_counts(s: Session, crm: str) -> dict[str, int]:
    rows = s.exec(
        select(CrmPush.kind, func.count()).where(col(CrmPush.crm) == crm).group_by(CrmPush.kind)
    )
    return {k: n for k, n in rows}
