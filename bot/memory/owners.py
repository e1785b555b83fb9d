"""Who decides an account's drafts and replies: the relationship's owner.

With `review_by: account_owner` (the default) the account's owner AM decides what is sent to
it: the review is theirs, in their channel from ams.yml (else in the agent's channel, naming
them). An owner the chat does not know, or no longer has (deactivated), cannot decide: the
agent's owner does, and the operators are told once per AM which accounts it concerns. An
account with no owner, and an agent with `review_by: agent_owner`, keep the agent's owner.

What the chat says of an AM is cached on AccountManager and asked again at most daily. The
review sweep refreshes it outside any transaction, so opening a review (inside one) asks
the chat only about an AM it has never seen, or not for a day. Without a chat (the CLI with
no Slack) the cache and ams.yml are trusted as they are.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlmodel import Session

from bot.config.account_managers import FILE, ManagerSpec, load_managers
from bot.config.agents import AgentSpec
from bot.config.frontmatter import FileError
from bot.ports import Humans, Notice, User
from bot.runtime import Runtime
from storage import owners as store
from storage.models import AccountManager

log = logging.getLogger(__name__)

FRESH = timedelta(days=1)  # how long what the chat said of an AM holds
ACTIVE, DEACTIVATED, UNKNOWN = "active", "deactivated", "unknown"
ACCOUNTS_NAMED = 10  # in the operators' notice; the rest are counted


@dataclass(frozen=True)
class Manager:
    """An AM as routing sees them: `user_id` "" when an address matched nobody."""

    key: str  # as the account names them: a chat user id or an email address
    user_id: str
    status: str  # active | deactivated | unknown
    channel: str = ""  # where their reviews go ("" = the agent's channel)
    name: str = ""


@dataclass(frozen=True)
class Route:
    """Who decides one review, and where its card goes."""

    owner: str
    channel: str
    account_owner: str = ""  # the account's owner as the account names them, "" when none
    fallback: str = ""  # why the agent's owner decides an owned account's review, else ""

    @property
    def to_account_owner(self) -> bool:
        return bool(self.account_owner) and not self.fallback


# ams.yml, re-read when it changes (path -> (its stat stamp, managers))
_files: dict[Path, tuple[tuple[int, ...], dict[str, ManagerSpec]]] = {}
_files_lock = threading.Lock()


def managers_file(rt: Runtime) -> dict[str, ManagerSpec]:
    """ams.yml of TWOLOOP_HOME; a broken file is logged (with its line) and counts as empty
    until fixed, so a typo sends reviews to the agents' owners rather than stopping the loop."""
    path = rt.settings.home / FILE
    try:
        st = path.stat()
    except OSError:
        return {}
    stamp = (st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino)
    with _files_lock:
        hit = _files.get(path)
        if hit is not None and hit[0] == stamp:
            return hit[1]
        try:
            found = load_managers(path)
        except FileError as exc:
            log.error("account managers: %s", exc)
            found = {}
        _files[path] = (stamp, found)
        return found


def route(rt: Runtime, s: Session, spec: AgentSpec, account_id: str) -> Route:
    """Who decides a review of this agent about this account (in the caller's transaction)."""
    agent = Route(spec.owner, spec.channel)
    if rt.relationship_policy(spec).review_by != "account_owner":
        return agent
    key = store.owner_of(s, account_id).strip()
    if not key:
        return agent
    am = manager(rt, s, key, rt.now())
    if am.status != ACTIVE:
        why = "not in the chat" if am.status == UNKNOWN else am.status
        return Route(spec.owner, spec.channel, key, f"the account's owner is {why}")
    return Route(am.user_id, am.channel or spec.channel, key)


def manager(rt: Runtime, s: Session, key: str, now: datetime, *, ask: bool = True) -> Manager:
    """The AM an account names, from the cache; asked of the chat (and cached) when never
    asked or not for a day, if `ask` and there is a chat."""
    mapping = managers_file(rt)
    chat = rt.humans if ask else None
    email = key.lower() if "@" in key else ""
    user_id = key if not email else _user_for(rt, s, email, mapping, now, chat)
    if not user_id:
        return Manager(key, "", UNKNOWN)
    row = store.managers(s, [user_id]).get(user_id)
    listed = mapping.get(user_id)
    answer = _status(chat, user_id) if chat is not None and not _fresh(row, now) else None
    if answer is not None:
        status = answer
        store.save(s, [_row(user_id, status, now, listed, row, email)])
    elif row is not None and row.checked_at is not None:
        # Fresh, or the chat did not answer now: what it said last still holds (a Slack
        # blip must not make an active AM look gone, nor tell the operators so).
        status = row.status
    else:
        status = ACTIVE if listed is not None else UNKNOWN  # no chat: trust ams.yml
    channel = listed.channel if listed else (row.channel if row and row.source != FILE else "")
    name = (listed.name if listed else "") or (row.name if row else "")
    return Manager(key, user_id, status, channel, name)


def _user_for(
    rt: Runtime,
    s: Session,
    email: str,
    mapping: dict[str, ManagerSpec],
    now: datetime,
    chat: Humans | None,
) -> str:
    """The chat user behind an owner given as an address: ams.yml, the cache, then the chat
    (a miss is cached as a row keyed by the address, so it is asked again only tomorrow)."""
    listed = next((u for u, m in mapping.items() if m.email == email), "")
    if listed:
        return listed
    row = store.by_email(s, email)
    if row is not None and (row.user_id != email) and (chat is None or _fresh(row, now)):
        return row.user_id
    if chat is None or (row is not None and row.user_id == email and _fresh(row, now)):
        return ""
    try:
        found = chat.user_by_email(email)
    except Exception as exc:  # noqa: BLE001 - no answer now: ask again next time, cache nothing
        log.warning("looking up an account owner by email failed: %s", type(exc).__name__)
        return row.user_id if row is not None and row.user_id != email else ""
    if found:
        # Cached by this address, unless ams.yml gives the AM another one (one per AM here).
        if found not in mapping or mapping[found].email in ("", email):
            store.save(s, [{"user_id": found, "email": email}])
        return found
    store.save(
        s,
        [
            {
                "user_id": email,
                "email": email,
                "status": UNKNOWN,
                "source": "chat",
                "checked_at": now,
            }
        ],
    )
    return ""


def _fresh(row: AccountManager | None, now: datetime) -> bool:
    return row is not None and row.checked_at is not None and now - row.checked_at < FRESH


def _status(chat: Humans, user_id: str) -> str | None:
    """What the chat says of the user, or None when it did not answer (then nothing is
    cached, and the next review asks again)."""
    try:
        status = chat.user_status(user_id)
    except Exception as exc:  # noqa: BLE001 - no answer is not "gone"
        log.warning("status of %s not known now: %s", user_id, type(exc).__name__)
        return None
    return status if status in (ACTIVE, DEACTIVATED) else UNKNOWN


def _row(
    user_id: str,
    status: str,
    now: datetime,
    listed: ManagerSpec | None,
    row: AccountManager | None,
    email: str = "",
) -> dict:
    """The cache row after a lookup; back from the dead, an AM may be missed (and told) again."""
    out: dict = {"user_id": user_id, "status": status, "checked_at": now}
    if listed is not None:
        out.update(channel=listed.channel, name=listed.name, source=FILE)
        out["email"] = listed.email or email or (row.email if row else "")
    else:
        out["source"] = row.source if row and row.source and row.source != FILE else "chat"
        if row is not None and row.source == FILE:
            out["channel"] = ""  # no longer in ams.yml: their channel is no longer theirs
        if email:
            out["email"] = email
    if status == ACTIVE:
        out["missing_told_at"] = None
    return out


def refresh(rt: Runtime) -> int:
    """Ask the chat about every AM that owns accounts or is in ams.yml and was not asked for
    a day; returns how many were asked. Call it outside any transaction: the lookups happen
    before each short one writes what they said."""
    if rt.humans is None:
        return 0
    now = rt.now()
    mapping = managers_file(rt)
    with rt.db.session() as s:
        keys = sorted(set(store.owner_keys(s)) | set(mapping))
        cached = store.managers(s)
    # An owner named by address: the user ams.yml gives it, else the cached user who has it
    # (a real user before the row that records a miss).
    listed = {m.email: u for u, m in mapping.items() if m.email}
    by_address = {
        m.email: m for m in sorted(cached.values(), key=lambda m: m.user_id != m.email) if m.email
    }
    due = []
    for key in keys:
        address = key.lower() if "@" in key else ""
        if address and address in listed:
            row = cached.get(listed[address])
        else:
            row = by_address.get(address) if address else cached.get(key)
        if not _fresh(row, now):
            due.append(key)
    for key in due:
        with rt.db.session() as s:
            manager(rt, s, key, now)
    return len(due)


def tell_missing(rt: Runtime) -> int:
    """Tell the operators, once per AM, that an account owner the chat does not know (or no
    longer: deactivated) cannot decide: which accounts it concerns, and who decides now."""
    now = rt.now()
    told = 0
    with rt.db.session() as s:
        gone = [
            m
            for m in store.managers(s).values()
            if m.checked_at is not None and m.status != ACTIVE and m.missing_told_at is None
        ]
        pending = []
        for m in gone:
            owned = store.accounts_owned(s, {m.user_id, m.email}, limit=1000)
            if owned:
                pending.append((m.user_id, m.status, [a.name or a.id for a in owned]))
    for user_id, status, names in pending:
        with rt.db.session() as s:
            if not store.claim_missing_notice(s, user_id, now):
                continue  # another replica (or an earlier run) told them
        shown = ", ".join(names[:ACCOUNTS_NAMED])
        more = f" and {len(names) - ACCOUNTS_NAMED} more" if len(names) > ACCOUNTS_NAMED else ""
        who: tuple[str | User, ...] = (user_id,) if "@" in user_id else (User(user_id),)
        why = "is deactivated" if status == DEACTIVATED else "is not in the chat"
        try:
            rt.tell_operators(
                Notice.of(
                    "Account owner ",
                    *who,
                    f" {why}: the agents' owners decide the reviews of the "
                    f"{len(names)} account(s) they own until those get a new owner "
                    f"({shown}{more}).",
                    tone="warning",
                )
            )
        except Exception as exc:  # noqa: BLE001 - the routing stands; the notice is lost
            log.warning("telling operators about %s failed: %s", user_id, type(exc).__name__)
        told += 1
    return told
