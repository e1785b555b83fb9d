"""One-click unsubscribe (RFC 8058): signed links for outgoing mail, and honouring them.

A token names one contact and carries an HMAC over it, so it cannot be guessed or turned
into another contact's. Unsubscribing suppresses the contact's address for good; doing it
twice, or twice at once, is the same as doing it once.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parseaddr
from typing import Literal

from sqlmodel import Session

from bot.mail.outbound import sequences
from bot.runtime import Runtime
from storage import audit
from storage import secrets as secret_store
from storage.models import Contact, Suppression

log = logging.getLogger(__name__)

SECRET_NAME = "unsubscribe"  # the AppSecret row used when TWOLOOP_UNSUBSCRIBE_SECRET is unset
REASON = "unsubscribe"  # the Suppression reason
MAC_BYTES = 16
MAX_TOKEN = 512  # characters; anything longer is not one of ours
_CACHE = "_unsubscribe_key"  # attribute on the Runtime holding the key once read


# Called as hook(rt, contact_id) after a contact unsubscribes (also on a repeat, so a hook
# that failed once gets another chance): e.g. stop the contact's sequences. Hooks must be
# idempotent; one raising is logged and does not undo the unsubscribe or skip the others.
def _stop_sequences(rt: Runtime, contact_id: str) -> None:
    with rt.db.session() as s:
        sequences.stop_contact(s, contact_id, "unsubscribed", rt.now())


# Run after an unsubscribe is stored (idempotent: a repeated click runs them again).
HOOKS: list[Callable[[Runtime, str], None]] = [_stop_sequences]


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    """Strict: only the url-safe alphabet, no padding, and the one canonical spelling."""
    raw = base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
    if _b64(raw) != text:
        raise ValueError("not canonical base64url")
    return raw


def _mac(key: bytes, contact_id: str) -> bytes:
    return hmac.new(key, b"unsub:" + contact_id.encode(), hashlib.sha256).digest()[:MAC_BYTES]


def token_for(key: bytes, contact_id: str) -> str:
    """`<b64url(contact id)>.<b64url(first 16 bytes of HMAC-SHA256(key, "unsub:" + id))>`."""
    return f"{_b64(contact_id.encode())}.{_b64(_mac(key, contact_id))}"


def verify(key: bytes, token: str) -> str | None:
    """The contact id a token names, or None if it is not a token we made. Never raises."""
    try:
        if not isinstance(token, str) or len(token) > MAX_TOKEN or token.count(".") != 1:
            return None
        id_part, mac_part = token.split(".")
        contact_id = _unb64(id_part).decode("utf-8")
        given = _unb64(mac_part)
    except (ValueError, binascii.Error):  # UnicodeError is a ValueError
        return None
    if not contact_id or len(given) != MAC_BYTES:
        return None
    return contact_id if hmac.compare_digest(given, _mac(key, contact_id)) else None


def key(rt: Runtime) -> bytes:
    """TWOLOOP_UNSUBSCRIBE_SECRET, else the key stored in the database (made on first use, the
    same for every replica and restart). Read once per Runtime."""
    cached = rt.__dict__.get(_CACHE)
    if cached is not None:
        return cached
    configured = rt.settings.secret("unsubscribe_secret")
    if configured is not None:
        value = configured
    else:
        with rt.db.session() as s:
            value = secret_store.get_or_create(s, SECRET_NAME, lambda: secrets.token_urlsafe(32))
    rt.__dict__[_CACHE] = value.encode()
    return rt.__dict__[_CACHE]


@dataclass(frozen=True)
class Links:
    url: str  # https://PUBLIC_URL/u/TOKEN: GET shows a confirmation page, POST unsubscribes
    mailto: str  # "" when the From address has no domain (then the header has the URL only)
    headers: dict[str, str]  # List-Unsubscribe and List-Unsubscribe-Post, ready to set
    body_line: str  # a visible line for the end of the body


def links(rt: Runtime, contact_id: str, from_addr: str) -> Links:
    """What one outgoing message to `contact_id` needs to carry (RFC 2369 + RFC 8058)."""
    token = token_for(key(rt), contact_id)
    url = f"{rt.settings.public_url.rstrip('/')}/u/{token}"
    domain = parseaddr(from_addr)[1].rpartition("@")[2].strip().lower()
    mailto = f"mailto:unsubscribe@{domain}?subject=unsubscribe%20{token}" if domain else ""
    targets = f"<{url}>, <{mailto}>" if mailto else f"<{url}>"
    return Links(
        url=url,
        mailto=mailto,
        headers={
            "List-Unsubscribe": targets,
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
        body_line=f"Not the right time? Unsubscribe with one click: {url}",
    )


Status = Literal["done", "already", "invalid", "ready"]


@dataclass(frozen=True)
class Outcome:
    # unsubscribe(): done | already | invalid; preview(): ready | already | invalid
    status: Status
    email: str = ""  # the contact's address, lower case ("" when invalid)
    contact_id: str = ""


def _contact(s: Session, k: bytes, token: str) -> Contact | None:
    contact_id = verify(k, token)
    return s.get(Contact, contact_id) if contact_id is not None else None


def preview(rt: Runtime, token: str) -> Outcome:
    """What a GET may know without changing anything: whose link this is, and whether that
    address is suppressed already (so `unsubscribe` would answer "already")."""
    k = key(rt)  # before the session: the first call may store a new key in its own
    with rt.db.session() as s:
        contact = _contact(s, k, token)
        if contact is None:
            return Outcome("invalid")
        email = contact.email.strip().lower()
        status: Status = "already" if s.get(Suppression, email) is not None else "ready"
        return Outcome(status, email, contact.id)


def unsubscribe(rt: Runtime, token: str, via: str) -> Outcome:
    """Suppress the contact a token names. Idempotent and race-safe: the first call inserts
    the suppression and the audit event ("done"), every later one changes nothing
    ("already"). `via` says how it came in (one-click, page, mailto) for the audit log."""
    k = key(rt)
    with rt.db.session() as s:
        contact = _contact(s, k, token)
        if contact is None:
            return Outcome("invalid")
        email = contact.email.strip().lower()
        added = secret_store.insert_if_absent(
            s, Suppression, {"value": email, "reason": REASON, "created_at": rt.now()}
        )
        subject = f"contact:{contact.id}"
        # A repeat changes nothing, but is kept: it is the contact asking again, so a person
        # lifting a suppression read into a reply (bot/mail/inbound/answers.py) must not.
        action = "unsubscribe" if added else "unsubscribe.repeated"
        audit.record(s, subject, action, subject, {"via": via})
    on_unsubscribe(rt, contact.id)
    return Outcome("done" if added else "already", email, contact.id)


def on_unsubscribe(rt: Runtime, contact_id: str) -> None:
    for hook in list(HOOKS):
        try:
            hook(rt, contact_id)
        except Exception:
            log.exception("unsubscribe hook %r failed for contact %s", hook, contact_id)


def mask(email: str) -> str:
    """pr***@acme-analytics.example: enough for its owner to recognise, little for others."""
    local, at, domain = email.rpartition("@")
    if not at:
        return "***"
    return f"{local[:2] if len(local) > 2 else local[:1]}***@{domain}"
