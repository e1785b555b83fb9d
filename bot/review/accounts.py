"""An account's relationship, for people: what the agents remember of it, and the two changes a
person may make: correct its customer status (operators) and give an account that went to its
owner back to the agents (its owner or an operator). Every change is remembered and audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.core import relationship as rel
from bot.memory import events as memory
from bot.memory import standing
from bot.ports import Notice, User
from bot.review.control import Done, Refused, answer, require_operator
from bot.runtime import Runtime
from storage import audit
from storage import relationships as store
from storage.models import Account

STATUSES = ("prospect", "customer", "former_customer")
SHOWN = 10  # history lines in an answer


@dataclass(frozen=True)
class AccountView:
    account: Account
    history: list[str]  # newest first
    more: int  # older lines not shown
    handed_off: str  # why the account is its owner's now, or ""
    open: list[str]  # conversations open with it now


def view(rt: Runtime, account_id: str) -> AccountView:
    now = rt.now()
    with rt.db.session() as s:
        account = s.get(Account, account_id)
        if account is None:
            raise Refused(f"No account `{account_id}`.")
        events, names = standing.account_history(s, account_id)
        busy = store.open_conversations(s, (), [account_id])
    handoff = handed_off(events, names, now, rt)
    lines = [rel.line(e, names) for e in events]
    conversation = busy.get(account_id)
    open_ = (
        [f"{conversation[2]} (agent `{conversation[1]}`, draft {conversation[0]})"]
        if conversation
        else []
    )
    return AccountView(account, lines[:SHOWN], max(0, len(lines) - SHOWN), handoff, open_)


def handed_off(events: list[rel.Event], names: dict[str, str], now: datetime, rt: Runtime) -> str:
    """What made the account its owner's, while it is (the fleet's handoff period), or ""."""
    held, said = rel.handoff(events, now, rt.settings.handoff_days, names)
    return said if held else ""


def show(rt: Runtime, account_id: str) -> Done:
    v = view(rt, account_id)
    a = v.account
    owner: list[str | User] = [" owner ", User(a.owner_am)] if a.owner_am else [" no owner"]
    lines = [
        f"*{a.name}* (`{a.id}`): {a.customer_status.replace('_', ' ')}",
        *([f" (set by {a.customer_source})"] if a.customer_source else []),
    ]
    body = [
        *(f"\n• {line}" for line in v.history),
        *([f"\n…and {v.more} earlier"] if v.more else []),
    ] or ["\nNothing happened with this account yet."]
    extra = [f"\nWith its owner: {v.handed_off}"] if v.handed_off else []
    extra += [f"\nOpen now: {o}" for o in v.open]
    return answer("".join(lines), ",", *owner, ".", *extra, *body)


def set_status(rt: Runtime, actor: str, account_id: str, status: str) -> Done:
    """An operator corrects the customer status (e.g. a "current customer" kill was wrong)."""
    require_operator(rt, actor, "account", f"account {account_id} {status}")
    if status not in STATUSES:
        raise Refused(f"Status must be one of {', '.join(STATUSES)}, not `{status}`.")
    with rt.db.session() as s:
        try:
            changed = memory.set_customer(
                s, account_id, status, f"user:{actor}", rt.now(), f"set by an operator to {status}"
            )
        except KeyError:
            raise Refused(f"No account `{account_id}`.") from None
    if not changed:
        return answer(f"`{account_id}` is already {status.replace('_', ' ')}.")
    return answer(
        f"`{account_id}` is now {status.replace('_', ' ')}; agents follow it from now on."
    )


def release(rt: Runtime, actor: str, account_id: str) -> Done:
    """The owner gives an account that went to them (interest, a meeting) back to the agents."""
    now = rt.now()
    with rt.db.session() as s:
        account = s.get(Account, account_id)
        if account is None:
            raise Refused(f"No account `{account_id}`.")
        if actor != account.owner_am and not rt.is_operator(actor):
            audit.record(
                s, f"user:{actor}", "command.refused", "command:account", {"release": account_id}
            )
            who: list[str | User] = [User(account.owner_am)] if account.owner_am else ["nobody"]
            raise Refused("Only the account's owner (", *who, ") or an operator can release it.")
        events, names = standing.account_history(s, account_id)
        if not handed_off(events, names, now, rt):
            return answer(f"`{account_id}` is not with its owner; nothing to release.")
        store.record(
            s,
            account_id,
            rel.HANDOFF_RELEASED,
            now,
            actor=f"user:{actor}",
            summary="given back to the agents",
        )
        audit.record(s, f"user:{actor}", "account.released", f"account:{account_id}")
    return Done(
        Notice.of(f"`{account_id}` is back with the agents; their gate still shows its history.")
    )
