"""Writing the memory: every send, reply, bounce, unsubscribe, referral and decision becomes a
dated event on the contact and its account, in the same transaction as what caused it."""

from __future__ import annotations

from datetime import date, datetime
from email.utils import parseaddr

from sqlmodel import Session

from bot.core import relationship as rel
from bot.readouts import KILL_REASONS
from storage import audit, prospects
from storage import relationships as store
from storage.models import Contact

# What triage's intent means for the relationship; any other human answer is "replied".
INTENT_EVENTS = {
    "not_interested": rel.NOT_INTERESTED,
    "not_now": rel.NOT_NOW,
    "interested": rel.INTERESTED,
    "meeting_request": rel.MEETING_REQUEST,
    "referral": rel.REFERRAL,
    "unsubscribe": rel.UNSUBSCRIBE,
}


def excerpt(text: str, limit: int = 140) -> str:
    """Their words, quoted, on one line: what a card cites."""
    flat = " ".join(text.split())
    if not flat:
        return ""
    return '"' + (flat if len(flat) <= limit else flat[: limit - 1] + "…") + '"'


def on_contact(
    s: Session,
    contact_id: str,
    kind: str,
    at: datetime,
    *,
    actor: str = "system",
    agent_id: str = "",
    draft_id: int | None = None,
    inbound_id: int | None = None,
    summary: str = "",
    detail: dict | None = None,
) -> str | None:
    """Record an event on a contact (and so its account); returns the account id, or None
    when the contact is unknown (nothing to remember it on)."""
    contact = s.get(Contact, contact_id) if contact_id else None
    if contact is None:
        return None
    store.record(
        s,
        contact.account_id,
        kind,
        at,
        contact_id=contact_id,
        actor=actor,
        agent_id=agent_id,
        draft_id=draft_id,
        inbound_id=inbound_id,
        summary=summary,
        detail=detail,
    )
    return contact.account_id


def reply(
    s: Session,
    contact_id: str,
    intent: str,
    text: str,
    at: datetime,
    *,
    agent_id: str = "",
    draft_id: int | None = None,
    inbound_id: int | None = None,
    referral_to: str = "",
    until: date | None = None,
    actor: str = "",
) -> str | None:
    """A human reply, as read (or as a person re-read it). A referral names whom it points
    to; when that person is a contact of the same account, outreach moves to them."""
    kind = INTENT_EVENTS.get(intent, rel.REPLIED)
    detail: dict = {"intent": intent}
    contact = s.get(Contact, contact_id) if contact_id else None
    if contact is None:
        return None
    if kind == rel.REFERRAL:
        detail.update(referral_target(s, contact, referral_to))
    if kind == rel.NOT_NOW and until is not None:
        detail["until"] = until.isoformat()
    store.record(
        s,
        contact.account_id,
        kind,
        at,
        contact_id=contact_id,
        actor=actor or f"contact:{contact_id}",
        agent_id=agent_id,
        draft_id=draft_id,
        inbound_id=inbound_id,
        summary=excerpt(text),
        detail=detail,
    )
    return contact.account_id


def referral_target(s: Session, referrer: Contact, named: str) -> dict:
    """Who "talk to Dana <dana@acme.com>" points to: a contact of the same account, found by
    address, else by full or first name (only when exactly one contact has it)."""
    name, address = parseaddr(named) if "@" in named else (named, "")
    name = " ".join(name.split()).strip(" .,;:")
    out: dict = {"to_name": name or address, "to_email": address.lower()}
    colleagues = [
        c
        for c in prospects.contacts_for(s, [referrer.account_id]).get(referrer.account_id, [])
        if c.id != referrer.id
    ]
    found = [c for c in colleagues if address and c.email.lower() == address.lower()]
    if not found and name:
        wanted = name.lower()
        full = [c for c in colleagues if f"{c.first_name} {c.last_name}".strip().lower() == wanted]
        first = [c for c in colleagues if c.first_name.lower() == wanted.split()[0]]
        found = full or (first if len(first) == 1 else [])
    if len(found) == 1:
        out["to_contact"] = found[0].id
        out["to_name"] = f"{found[0].first_name} {found[0].last_name}".strip()
    return out


def decision(
    s: Session,
    contact_id: str,
    action: str,
    actor: str,
    at: datetime,
    *,
    agent_id: str,
    draft_id: int | None,
    reason: str = "",
    note: str = "",
) -> None:
    """An AM's decision on a draft or a reply to this contact."""
    on_contact(
        s,
        contact_id,
        rel.DECISION,
        at,
        actor=f"user:{actor}",
        agent_id=agent_id,
        draft_id=draft_id,
        summary=excerpt(note),
        detail={
            "action": action,
            "reason": reason,
            **({"reason_label": KILL_REASONS[reason]} if reason in KILL_REASONS else {}),
        },
    )


def set_customer(
    s: Session, account_id: str, status: str, actor: str, at: datetime, why: str
) -> bool:
    """Change an account's customer status (a kill for "current customer", an operator's
    correction, the CRM), remembered and audited. Returns whether it changed."""
    changed = store.set_customer_status(s, account_id, status, actor)
    if changed is None:
        raise KeyError(f"no account {account_id!r}")
    was, now_ = changed
    if was == now_:
        return False
    store.record(
        s,
        account_id,
        rel.CUSTOMER,
        at,
        actor=actor,
        summary=why,
        detail={"status": now_, "was": was},
    )
    audit.record(
        s, actor, "account.customer_status", f"account:{account_id}", {"was": was, "now": now_}
    )
    return True
