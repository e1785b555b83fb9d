"""Machine mail first, before any model: parse one inbound message and say what it is.

`parse(raw)` returns a `Parsed`: the threading headers, the new human text (quoted history
and signature removed) and what kind of message it is, decided in this order:

1. complaint: an ARF feedback report (RFC 5965: multipart/report; report-type=feedback-report,
   or a message/feedback-report part), a Microsoft JMRP report (a Hotmail/Outlook.com message
   carrying our mail with X-HmXmrOriginalRecipient) or an Apple Mail unsubscribe
   (X-Apple-Unsubscribe: true, reported as feedback type "opt-out");
2. bounce: an RFC 3464 delivery status notification, an Amazon SES event sent as JSON, or a
   non-standard one recognised the way bounce parsers do (`bot.mail.inbound.machine`: who sent
   it, its subject, the opening of its notice, in en/de/fr/es/it/pt/nl/ja);
3. auto_reply: RFC 3834 Auto-Submitted (other than "no"), X-Autoreply/X-Autorespond,
   X-Auto-Response-Suppress with OOF/AutoReply, Precedence auto_reply/bulk/junk, or a subject
   such as "Out of Office", "Automatic reply", "Abwesenheitsnotiz", "Réponse automatique";
   and other software that no person wrote (`bot.mail.inbound.machine`): a read receipt
   (RFC 8098), a mailing-list manager's notice about a post, a calendar answer (RFC 5546
   METHOD:REPLY, without an attendee's note), newsletter software's notices, a no-reply or
   mail-system sender, a null Return-Path, or a notice that says it was generated
   automatically. Those weak signs need two of a kind apart on a message that threads to
   another (a person's reply looks like that; so does a "Re:" from postmaster@), and none
   counts when the text asks to stop (`_machine_reason`);
4. human: everything else. Body text alone never makes a message automatic: a person who
   writes "I was out of office last week" is still a person.

Bounces: `bounce_status` is the DSN Status of the failed recipient. For non-standard bounces
it is inferred, in this order: an enhanced code in the text ("550 5.1.1", "#5.1.1"), a known
phrase ("user unknown" 5.1.1, "unknown host" 5.1.2, "mailbox full"/"over quota" 4.2.2), a delay
notice 4.0.0, a bare SMTP reply code (550 -> 5.0.0, 452 -> 4.0.0), generic wording, and else
5.0.0 (the server gave up on the message). `bounce_hard` follows the class: 5 -> True,
4 -> False, 2 (a "delivered/relayed" DSN, not a failure) -> None.

Out-of-office return dates (English, German, French, Spanish, some Italian; read by
`bot.mail.text.return_date`, as the new text is by `bot.mail.text.strip_quotes`) are taken from a
date that follows a return word ("back on", "returning", "until", "bis", "jusqu'au",
"de retour le", "hasta el", ...) or precedes one ("am 16.3. wieder im Büro"). Choices:
- "until X" gives X: the person may be back that day (or the next; add a day for margin);
- numeric dates: "15.03." is always day.month; "04/03/2026" is read month/day only for a
  sender that looks American (an address under .us/.gov/.edu/.mil, or English text sent with
  a Date header at UTC-4..-10), else day/month; a part over 12 settles it either way;
- a date without a year is the next occurrence on or after `today`, except that a date up to
  14 days in the past stays in the past (a stale notice: they are back already) instead of
  jumping a whole year ahead.

The module is pure: no database, no network, no Slack. It never raises on bad input: a
message it cannot make sense of comes back as "human" with `diagnostic` starting "unparsable".
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import logging
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes
from email.header import decode_header, make_header
from email.headerregistry import Address
from email.message import Message
from email.parser import HeaderParser
from email.policy import compat32
from email.utils import getaddresses, parsedate_to_datetime
from html.parser import HTMLParser
from typing import Any, cast

from bot.mail import absence
from bot.mail.inbound import machine
from bot.mail.text import (
    AUTO_REPLY_SUBJECT,
    REPLY_PREFIX,
    auto_reply_wording,
    normalize,
    return_date,
    strip_quotes,
)
from bot.mail.triage.rules import asks_to_stop
from bot.storable import storable

log = logging.getLogger(__name__)

MAX_TEXT = 20_000  # characters of `text` kept
MAX_DIAGNOSTIC = 300
_SCAN = 100_000  # characters of body text the heuristics look at
_MAX_PARTS = 300  # MIME parts walked, at most


@dataclass(frozen=True)
class Parsed:
    kind: str  # "human" | "auto_reply" | "bounce" | "complaint"
    message_id: str  # angle brackets kept; synthetic "<sha256[:32]@twoloop.invalid>" if absent
    in_reply_to: str  # "" if none
    references: tuple[str, ...]
    from_addr: str  # lower-case address only; not necessarily valid (see `mailbox_address`)
    subject: str
    date: datetime | None  # aware, UTC
    text: str  # the new human text, quoted history and signature stripped
    original_message_id: str = ""  # bounces/complaints: the Message-ID of our message
    original_recipient: str = ""  # the address that bounced / complained
    bounce_status: str = ""  # e.g. "5.1.1"
    bounce_hard: bool | None = None  # 5.x.x True, 4.x.x False, else None
    diagnostic: str = ""  # short diagnostic text
    feedback_type: str = ""  # ARF Feedback-Type (abuse, fraud, opt-out, ...)
    return_date: dt.date | None = None  # out-of-office: when they are back, if the text says
    permanent_absence: bool = False  # no longer with the company / mailbox no longer in use
    auto_reason: str = ""  # what made it an auto-reply (header or subject), for the operator


def parse(
    raw: bytes, *, today: date | None = None, our_domains: frozenset[str] = frozenset()
) -> Parsed:
    """Parse one raw RFC 5322 message. Never raises. Every text it returns is storable.
    `our_domains`: the domains of our own mailboxes (mail from them is our own tooling or a
    colleague, never a prospect)."""
    raw = bytes(raw)
    try:
        return _storable(_parse(raw, today, our_domains))
    except Exception as exc:  # hostile input must never stop ingestion
        log.exception("mailparse: could not parse a message (%d bytes)", len(raw))
        return _storable(_degraded(raw, exc))


def _storable(p: Parsed) -> Parsed:
    """A NUL (an encoded word, quoted-printable =00) must not keep the reply out of the
    database, nor the replies behind it."""
    changes: dict[str, Any] = {}
    for f in dataclasses.fields(p):
        value = getattr(p, f.name)
        if isinstance(value, str):
            changes[f.name] = storable(value)
        elif isinstance(value, tuple):
            changes[f.name] = tuple(storable(v) for v in value)
    return dataclasses.replace(p, **changes)


# --------------------------------------------------------------------------- the whole


def _parse(raw: bytes, today: date | None, our_domains: frozenset[str]) -> Parsed:
    msg = message_from_bytes(raw, policy=compat32)
    sent_local = _date(_hdr(msg, "Date"))
    base: dict[str, Any] = {
        "message_id": _msgid(_hdr(msg, "Message-ID")) or _synthetic_id(raw),
        "in_reply_to": _msgid(_hdr(msg, "In-Reply-To")),
        "references": tuple(_msgids(_hdr(msg, "References"))),
        "from_addr": _first_addr(_hdr(msg, "From")),
        "subject": _hdr(msg, "Subject"),
        "date": sent_local.astimezone(UTC) if sent_local else None,
    }
    parts = _walk(msg)
    ours = base["from_addr"].rpartition("@")[2].lower() in our_domains

    complaint = _complaint(msg, parts, raw, base["from_addr"], base["subject"], ours)
    if complaint is not None:
        return Parsed(kind="complaint", text=_clip(_notice_text(parts)), **base, **complaint)

    ses = _ses_event(msg, parts)
    if ses is not None:
        kind, fields = ses
        return Parsed(kind=kind, text=_clip(_notice_text(parts)), **base, **fields)

    bounce = _bounce(msg, parts, base["from_addr"], base["subject"]) or _esp_bounce(
        msg, parts, base["from_addr"], ours
    )
    if bounce is not None:
        return Parsed(kind="bounce", text=_clip(_notice_text(parts)), **base, **bounce)

    body = _body_text(parts)
    text = _clip(strip_quotes(body))
    reason = _auto_reason(msg, base["subject"], text) or _machine_reason(msg, parts, base, text)
    if not reason:
        return Parsed(kind="human", text=text, **base)

    if today is None:
        today = sent_local.date() if sent_local else datetime.now(UTC).date()
    us = _looks_american(base["from_addr"], sent_local, text)
    back = _apple_end(_hdr(msg, "X-Apple-Criteria")) or return_date(
        f"{base['subject']}\n{text}", today, us_dates=us
    )
    gone = bool(_GONE.search(f"{base['subject']}\n{text}"))
    return Parsed(
        kind="auto_reply",
        text=text,
        return_date=back,
        permanent_absence=gone,
        auto_reason=reason,
        **base,
    )


def _degraded(raw: bytes, exc: Exception) -> Parsed:
    head = raw[:65536].decode("utf-8", "replace")
    m = re.search(r"^Message-ID:[ \t]*(\S[^\r\n]*)", head, re.I | re.M)
    body = head.split("\n\n", 1)[-1] if "\n\n" in head else ""
    return Parsed(
        kind="human",
        message_id=(_msgid(m.group(1)) if m else "") or _synthetic_id(raw),
        in_reply_to="",
        references=(),
        from_addr="",
        subject="",
        date=None,
        text=_clip(body.strip()),
        diagnostic=f"unparsable: {type(exc).__name__}: {exc}"[:MAX_DIAGNOSTIC],
    )


# --------------------------------------------------------------------------- headers


def _unsurrogate(value: str) -> str:
    """compat32 keeps raw 8-bit bytes as surrogates: read them as UTF-8, else Windows-1252."""
    try:
        data = value.encode("utf-8", "surrogateescape")
    except UnicodeError:
        return value.encode("utf-8", "replace").decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", "replace")


def _decode_words(value: str) -> str:
    value = _unsurrogate(value)
    try:
        text = str(make_header(decode_header(value)))
    except Exception:  # noqa: BLE001 - bad encoded words, unknown charsets
        text = value
    return " ".join(text.split())


def _hdr(msg: Message, name: str) -> str:
    """A header's first value as text: encoded words decoded, folding whitespace collapsed."""
    name = name.lower()
    try:
        for key, value in msg.raw_items():  # raw: 8-bit bytes are kept, not replaced
            if key.lower() == name:
                return _decode_words(str(value))
    except Exception:  # noqa: BLE001
        pass
    return ""


_MSGID = re.compile(r"<[^<>\s]+>")


def _msgid(value: str) -> str:
    """The first Message-ID in a header value, with angle brackets (added if missing)."""
    value = (value or "").strip()
    m = _MSGID.search(value)
    if m:
        return m.group(0)
    token = value.split()[0].strip("<>\"'") if value.split() else ""
    return f"<{token}>" if token else ""


def _msgids(value: str) -> list[str]:
    found = _MSGID.findall(value or "") or [
        f"<{t.strip('<>')}>" for t in (value or "").split() if t.strip("<>")
    ]
    return list(dict.fromkeys(found))[:100]


def _synthetic_id(raw: bytes) -> str:
    return f"<{hashlib.sha256(raw).hexdigest()[:32]}@twoloop.invalid>"


_ADDR = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+"
)


def _first_addr(value: str) -> str:
    """The first e-mail address in an address header, lower-cased ("" if none): in its
    canonical form when it is a valid one, else as written (for people to read)."""
    try:
        pairs = getaddresses([value])
    except Exception:  # noqa: BLE001
        pairs = []
    for _, addr in pairs:
        if "@" in addr:
            addr = addr.strip().strip("<>").lower()
            return mailbox_address(addr) or addr
    m = _ADDR.search(value or "")
    return m.group(0).lower() if m else ""


_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")


def mailbox_address(value: str) -> str:
    """`value` as one full, valid address (`local@domain`, lower-cased, quotes only where
    needed), or "" when it is anything else.

    The suppression list reads '@example.com' as a whole domain: only what this returns may
    be suppressed on a sender's word, so a From of '"@example.com"', '@example.com' or
    '""@example.com' can never stop mail to a whole company."""
    try:
        addr = Address(addr_spec=(value or "").strip())
    except Exception:  # noqa: BLE001 - HeaderParseError, defects, ValueError: not one address
        return ""
    local, domain = addr.username, addr.domain.lower()
    if not local or not _valid_domain(domain):
        return ""
    return addr.addr_spec.lower()


def _valid_domain(domain: str) -> bool:
    """A host name with at least two labels (no literal, no bare TLD, no empty label)."""
    try:
        ascii_domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        return False
    labels = ascii_domain.split(".")
    return (
        len(labels) >= 2
        and len(ascii_domain) <= 253
        and all(_LABEL.fullmatch(label) for label in labels)
        and not labels[-1].isdigit()
    )


def _date(value: str) -> datetime | None:
    """The Date header as an aware datetime in the sender's own offset (UTC if none)."""
    if not value:
        return None
    try:
        dt = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt


# --------------------------------------------------------------------------- MIME parts

_FIELD_TYPES = {  # parts whose content is header-like fields, not a message
    "message/delivery-status",
    "message/global-delivery-status",
    "message/feedback-report",
}
_EMBEDDED_TYPES = {"message/rfc822", "message/global"}
_HEADER_TYPES = {
    "text/rfc822-headers",
    "text/rfc822-header",
    "message/rfc822-headers",
    "message/global-headers",
}


@dataclass(frozen=True)
class _Part:
    msg: Message
    ctype: str
    embedded: bool  # inside an attached message/rfc822


def _ctype(part: Message) -> str:
    try:
        return part.get_content_type().lower()
    except Exception:  # noqa: BLE001
        return "text/plain"


def _walk(msg: Message) -> list[_Part]:
    """All MIME parts, depth first, without descending into field parts."""
    out: list[_Part] = []
    stack: list[tuple[Message, bool]] = [(msg, False)]
    while stack and len(out) < _MAX_PARTS:
        part, embedded = stack.pop()
        ctype = _ctype(part)
        out.append(_Part(part, ctype, embedded))
        if ctype in _FIELD_TYPES:
            continue
        payload = part.get_payload()
        if isinstance(payload, list):
            inner = embedded or ctype in _EMBEDDED_TYPES
            stack.extend((p, inner) for p in reversed(payload) if isinstance(p, Message))
    return out


def _is_leaf_text(p: _Part, subtype: str) -> bool:
    """A text/<subtype> leaf; a multipart whose boundary never came counts as text/plain."""
    payload = p.msg.get_payload()
    if not isinstance(payload, str):
        return False
    if p.ctype == f"text/{subtype}":
        return True
    return subtype == "plain" and p.ctype.startswith(("multipart/", "message/"))


def _decoded(part: Message) -> str:
    try:
        data = part.get_payload(decode=True)
    except Exception:  # noqa: BLE001
        data = None
    if data is None:
        payload = part.get_payload()
        return _unsurrogate(payload) if isinstance(payload, str) else ""
    if isinstance(data, str):
        return _unsurrogate(data)
    charset = "utf-8"
    with contextlib.suppress(Exception):
        charset = part.get_content_charset() or "utf-8"
    try:
        return cast(bytes, data).decode(charset, "replace")
    except (LookupError, TypeError, ValueError):
        return cast(bytes, data).decode("utf-8", "replace")


def _attachment(part: Message) -> bool:
    try:
        disposition = (part.get("Content-Disposition") or "").lower()
    except Exception:  # noqa: BLE001
        return False
    return disposition.strip().startswith("attachment")


def _body_text(parts: list[_Part]) -> str:
    """The message's own text: text/plain preferred, else HTML turned to text."""
    own = [p for p in parts if not p.embedded and not _attachment(p.msg)]
    for p in own:
        if _is_leaf_text(p, "plain"):
            text = _decoded(p.msg)
            if text.strip():
                return text[:_SCAN]
    for p in own:
        if _is_leaf_text(p, "html"):
            return html_to_text(_decoded(p.msg)[: _SCAN * 2])[:_SCAN]
    return ""


def _notice_text(parts: list[_Part]) -> str:
    """A bounce's or report's human-readable part, as it is (not quote-stripped)."""
    return _body_text(parts).strip()


def _fields_text(part: Message) -> str:
    """The content of a field part (delivery-status, feedback-report) as text."""
    payload = part.get_payload()
    if isinstance(payload, list):
        chunks = []
        for block in payload:
            if not isinstance(block, Message):
                continue
            chunks.append("\n".join(f"{k}: {_unsurrogate(str(v))}" for k, v in block.items()))
            inner = block.get_payload()
            if isinstance(inner, str) and inner.strip():
                chunks.append(_unsurrogate(inner))
        return "\n\n".join(chunks)
    return _decoded(part)


_FIELD_LINE = re.compile(r"([A-Za-z][A-Za-z0-9-]*)[ \t]*:[ \t]*(.*)")


def _field_blocks(text: str) -> list[dict[str, str]]:
    """Blank-line separated blocks of "Name: value" fields (names lower-cased, first wins)."""
    blocks: list[dict[str, str]] = []
    cur: dict[str, str] = {}
    last = ""
    for line in text.splitlines():
        if not line.strip():
            if cur:
                blocks.append(cur)
            cur, last = {}, ""
            continue
        if line[0] in " \t" and last:
            cur[last] = f"{cur[last]} {line.strip()}".strip()
            continue
        m = _FIELD_LINE.match(line)
        if m:
            last = m.group(1).lower()
            if last in cur:
                last = ""  # a repeated field: keep the first, ignore its continuations
            else:
                cur[last] = m.group(2).strip()
        else:
            last = ""
    if cur:
        blocks.append(cur)
    return blocks


def _scan_text(parts: list[_Part]) -> str:
    """Every plain-text-ish leaf outside attached messages, for the fallbacks to search."""
    chunks = []
    for p in parts:
        if p.embedded:
            continue
        if _is_leaf_text(p, "plain") or p.ctype in _HEADER_TYPES:
            chunks.append(_decoded(p.msg))
        elif p.ctype in _FIELD_TYPES:
            chunks.append(_fields_text(p.msg))
    return "\n\n".join(chunks)[:_SCAN]


def _headers_from_text(text: str) -> Message:
    text = text.lstrip("\r\n")
    return HeaderParser(policy=compat32).parsestr(text, headersonly=True)


def _embedded(parts: list[_Part]) -> Message | None:
    """The headers of the attached original (message/rfc822 or text/rfc822-headers)."""
    for p in parts:
        if p.embedded:
            continue
        if p.ctype in _EMBEDDED_TYPES:
            payload = p.msg.get_payload()
            if isinstance(payload, list) and payload and isinstance(payload[0], Message):
                return payload[0]
            if isinstance(payload, str):
                return _headers_from_text(_decoded(p.msg))
        if p.ctype in _HEADER_TYPES:
            return _headers_from_text(_decoded(p.msg))
    return None


_ORIG_MSGID = re.compile(r"^[ \t>]*Message-I[Dd][ \t]*:[ \t]*(\S[^\r\n]*)", re.I | re.M)


def _original_id(parts: list[_Part], embedded: Message | None, scan: str) -> str:
    found = _msgid(_hdr(embedded, "Message-ID")) if embedded is not None else ""
    if found:
        return found
    m = _ORIG_MSGID.search(scan)
    return _msgid(m.group(1)) if m else ""


# --------------------------------------------------------------------------- complaints


def _complaint(
    msg: Message, parts: list[_Part], raw: bytes, from_addr: str, subject: str, ours: bool
) -> dict | None:
    top = parts[0].ctype
    report = (_param(msg, "report-type") or "").lower()
    arf = (top == "multipart/report" and report == "feedback-report") or any(
        p.ctype == "message/feedback-report" for p in parts
    )
    if not arf and top.startswith("multipart/"):  # a boundary that never came
        arf = bool(re.search(rb"^Content-Type:[ \t]*message/feedback-report", raw, re.I | re.M))
    embedded = _embedded(parts)
    jmrp = (
        not arf
        and embedded is not None
        and bool(_hdr(embedded, "X-HmXmrOriginalRecipient"))
        and (
            from_addr.rpartition("@")[2] in {"hotmail.com", "outlook.com", "msn.com", "live.com"}
            or "complaint about message" in subject.lower()
        )
    )
    apple = _hdr(msg, "X-Apple-Unsubscribe").lower() == "true"
    if not (arf or jmrp or apple):
        return _informal_complaint(msg, parts, from_addr, subject, ours)

    scan = _scan_text(parts)
    fields: dict[str, str] = {}
    for p in parts:
        if p.ctype == "message/feedback-report":
            for block in _field_blocks(_fields_text(p.msg)):
                fields = {**block, **fields}
    if not fields and arf:
        for block in _field_blocks(scan):
            if "feedback-type" in block:
                fields = block
                break

    feedback = (fields.get("feedback-type", "").split() or [""])[0].lower()
    if jmrp:
        feedback = feedback or "abuse"
    if apple and not arf:
        feedback = "opt-out"

    recipient = ""
    for value in (
        fields.get("original-rcpt-to", ""),
        fields.get("removal-recipient", ""),
        _hdr(embedded, "X-HmXmrOriginalRecipient") if embedded is not None else "",
        _hdr(embedded, "To") if embedded is not None else "",
        from_addr if apple and not arf else "",
    ):
        recipient = _first_addr(value)
        if recipient:
            break

    original = _original_id(parts, embedded, "" if apple else scan)
    if not original and fields.get("message-id"):
        original = _msgid(fields["message-id"])
    notice = _notice_text(parts)
    first_line = next((ln.strip() for ln in notice.splitlines() if ln.strip()), "")
    return {
        "feedback_type": feedback,
        "original_recipient": recipient,
        "original_message_id": original,
        "diagnostic": first_line[:MAX_DIAGNOSTIC],
    }


def _unwrapped(text: str) -> str:
    """Plain text is wrapped at about 72 columns, often mid-sentence ("... sent\nunsolicited
    bulk email"); a notice's sentences are read with those line breaks undone, paragraphs
    kept."""
    return re.sub(r"(?<![\r\n])\r?\n(?![\r\n])", " ", text)


def _informal_complaint(
    msg: Message, parts: list[_Part], from_addr: str, subject: str, ours: bool
) -> dict | None:
    """A complaint in prose or in an ESP's event, not in ARF: an abuse desk's ticket that says
    a complaint about unsolicited mail came in and quotes the reported message (whose To: is
    the complainant), or an ESP's complaint webhook relayed as mail (its recipient)."""
    body = _body_text(parts)[:_SCAN]
    automatic = _auto_submitted(msg)
    event = machine.esp_complaint(
        body,
        from_addr,
        display=_display_name(msg),
        automatic=automatic,
        reply=_in_thread(msg, subject),
        subject=subject,
        ours=ours,
    )
    if event is not None:
        recipient, original = event
        return {
            "feedback_type": "abuse",
            "original_recipient": _first_addr(recipient),
            "original_message_id": _msgid(original) if original else "",
            "diagnostic": "complaint event from the sending service",
        }
    if machine.report_service(from_addr, subject):
        return _service_report(parts, body, subject)
    if not machine.abuse_desk(from_addr, _display_name(msg), subject):
        return None
    # A desk's own ticket (its role mailbox, not answering our mail) may report abuse about
    # mail without a word for spam ("an abuse report concerning email sent from your server").
    desk = machine.abuse_mailbox(from_addr) and not _in_thread(msg, subject)
    unwrapped = _unwrapped(body)
    if not machine.COMPLAINT_BODY.search(unwrapped) and not (
        desk and machine.ABUSE_ABOUT_MAIL.search(unwrapped)
    ):
        return None
    embedded = _embedded(parts)
    quoted = _hdr(embedded, "To") if embedded is not None else ""
    if not quoted:
        m = machine.QUOTED_TO.search(body)
        quoted = m.group(1) if m and machine.QUOTED_FROM.search(body) else ""
    recipient = _first_addr(quoted)
    # A desk that withholds the complainant (its ticket says so, software sent it, or its
    # abuse role mailbox opened the ticket, not answering our mail) still reports a
    # complaint; it matches no address of ours, so it suppresses nobody by guess.
    if not recipient and not (automatic or desk or machine.REDACTED_RECIPIENT.search(body)):
        return None
    first_line = next((ln.strip() for ln in body.splitlines() if ln.strip()), "")
    return {
        "feedback_type": "abuse",
        "original_recipient": recipient,
        "original_message_id": _original_id(parts, embedded, body),
        "diagnostic": (subject or first_line)[:MAX_DIAGNOSTIC],
    }


def _service_report(parts: list[_Part], body: str, subject: str) -> dict:
    """A spam-reporting service's report: a complaint, the complainant's address only when
    the quoted message still shows one (SpamCop masks it, so nobody is suppressed by guess)."""
    embedded = _embedded(parts)
    quoted = _hdr(embedded, "To") if embedded is not None else ""
    if not quoted:
        m = machine.QUOTED_TO.search(body)
        quoted = m.group(1) if m else ""
    recipient = _first_addr(quoted)
    return {
        "feedback_type": "abuse",
        "original_recipient": recipient if "@" in recipient else "",
        "original_message_id": _original_id(parts, embedded, body),
        "diagnostic": subject[:MAX_DIAGNOSTIC],
    }


# A subject that answers ("Re:", "AW:", "SV:"), not one that forwards ("Fwd:", "WG:"): a
# relay forwards events, only a person answers our mail.
_ANSWER_PREFIX = re.compile(r"^\s*(?:re|aw|sv|vs|antw|rif|res)\s*(?:\[\d+\])?\s*:", re.I)


def _in_thread(msg: Message, subject: str) -> bool:
    """A reply in a thread: it names the mail it answers, or its subject answers."""
    return bool(_hdr(msg, "In-Reply-To") or _hdr(msg, "References")) or bool(
        _ANSWER_PREFIX.match(subject)
    )


def _esp_bounce(msg: Message, parts: list[_Part], from_addr: str, ours: bool) -> dict | None:
    """An ESP's bounce event relayed as mail (JSON), from a machine sender."""
    event = machine.esp_bounce(
        _body_text(parts)[:_SCAN],
        from_addr,
        display=_display_name(msg),
        automatic=_auto_submitted(msg),
        reply=_in_thread(msg, _hdr(msg, "Subject")),
        subject=_hdr(msg, "Subject"),
        ours=ours,
    )
    if event is None:
        return None
    status = _status_code(event["status"]) or _infer_status(event["reason"], "", "")[0]
    return {
        "original_message_id": _msgid(event["message_id"]) if event["message_id"] else "",
        "original_recipient": _first_addr(event["recipient"]),
        "bounce_status": status,
        "bounce_hard": {"5": True, "4": False}.get(status[:1]),
        "diagnostic": " ".join(event["reason"].split())[:MAX_DIAGNOSTIC],
    }


def _param(msg: Message, name: str) -> str:
    try:
        value = msg.get_param(name)
    except Exception:  # noqa: BLE001
        return ""
    if isinstance(value, tuple):  # RFC 2231
        value = value[2]
    return str(value or "").strip()


# --------------------------------------------------------------------------- bounces


def _bounce(msg: Message, parts: list[_Part], from_addr: str, subject: str) -> dict | None:
    top = parts[0].ctype
    report = (_param(msg, "report-type") or "").lower()
    standard = (top == "multipart/report" and report == "delivery-status") or any(
        p.ctype in ("message/delivery-status", "message/global-delivery-status") for p in parts
    )
    scan = _scan_text(parts)
    if not standard and not _nonstandard_bounce(msg, from_addr, subject, scan):
        return None

    embedded = _embedded(parts)
    blocks: list[dict[str, str]] = []
    for p in parts:
        if p.ctype in ("message/delivery-status", "message/global-delivery-status"):
            blocks += _field_blocks(_fields_text(p.msg))
    recipients = [b for b in blocks if _recipient_block(b, strict=False)]
    if not recipients:  # no DSN part, or a broken one: DSN fields written into the text
        recipients = [b for b in _field_blocks(scan) if _recipient_block(b, strict=True)]

    original = _original_id(parts, embedded, scan)
    if recipients:
        block = _pick_recipient(recipients)
        diagnostic = re.sub(r"^[\w.-]+[ \t]*;[ \t]*", "", block.get("diagnostic-code", ""))
        status = _status_code(block.get("status", ""))
        if not status:
            status, _ = _infer_status(diagnostic, "", block.get("action", ""))
        if not diagnostic:
            comment = re.search(r"\((.+)\)", block.get("status", ""))
            diagnostic = comment.group(1) if comment else ""
        recipient = _dsn_addr(block.get("original-recipient", "")) or _dsn_addr(
            block.get("final-recipient", "")
        )
        if not recipient:
            recipient = _nonstandard_recipient(msg, _cut_original(scan), embedded)
    else:
        notice = _cut_original(scan)
        status, diagnostic = _infer_status(notice, subject, "")
        recipient = _nonstandard_recipient(msg, notice, embedded)
    return {
        "original_message_id": original,
        "original_recipient": recipient,
        "bounce_status": status,
        "bounce_hard": {"5": True, "4": False}.get(status[:1]),
        "diagnostic": " ".join(diagnostic.split())[:MAX_DIAGNOSTIC],
    }


def _nonstandard_bounce(msg: Message, from_addr: str, subject: str, scan: str) -> bool:
    """Two independent signs, as bounce parsers ask: who sent it (a server's mailbox or name,
    a no-reply box, a null reverse-path, a header only notices carry), its subject and the
    opening of its notice. A subject plus a notice is enough without the sender, so a server
    we know nothing about still counts; a person forwarding a bounce ("Fwd: Undeliverable")
    does not."""
    display = _display_name(msg)
    daemon = machine.daemon_sender(from_addr, display)
    head = scan[:20_000]
    body = bool(machine.BOUNCE_BODY.search(head))
    if re.search(r"created automatically by mail delivery software", head, re.I):
        return daemon or not from_addr or _hdr(msg, "Return-Path").strip() in ("<>", "")
    software = (
        daemon
        or machine.noreply_sender(from_addr)
        or machine.null_sender(_hdr(msg, "Return-Path"))
        or machine.bounce_header(_headers(msg))
    )
    body = body or bool(machine.BOUNCE_BODY_MORE.search(head))
    found = machine.BOUNCE_SUBJECT.search(subject) or machine.BOUNCE_SUBJECT_MORE.search(subject)
    subj = bool(found) and not (REPLY_PREFIX.match(subject) and not software)
    return (software and (subj or body)) or (subj and body)


def _display_name(msg: Message) -> str:
    """The From header's display name; for a From with no address at all ("MAILER-DAEMON"),
    the whole value."""
    value = _hdr(msg, "From")
    try:
        pairs = getaddresses([value])
    except Exception:  # noqa: BLE001
        pairs = []
    names = " ".join(name for name, _ in pairs if name)
    return names or ("" if "@" in value else value)


def _headers(msg: Message) -> dict[str, str]:
    """Header names (lower-cased) to their values; Received headers joined."""
    out: dict[str, str] = {}
    try:
        items = list(msg.raw_items())
    except Exception:  # noqa: BLE001
        return out
    for key, value in items[:200]:
        name = key.lower()
        text = _unsurrogate(str(value))
        out[name] = f"{out[name]}\n{text}" if name in out else text
    return out


def _recipient_block(block: dict[str, str], *, strict: bool) -> bool:
    named = "final-recipient" in block or "original-recipient" in block
    if strict:
        return named and ("status" in block or "action" in block)
    return named or ("status" in block and "action" in block)


def _pick_recipient(blocks: list[dict[str, str]]) -> dict[str, str]:
    """The recipient the notice is most about: the first failed one, else the first."""
    for block in blocks:
        if block.get("action", "").lower().startswith("failed"):
            return block
    for block in blocks:
        if _status_code(block.get("status", "")).startswith("5"):
            return block
    return blocks[0]


_ENHANCED = re.compile(r"(?<![\d.])([245])\.(\d{1,3})\.(\d{1,3})(?![\d.]*\d)")
_SMTP_CODE = re.compile(r"(?<![\w.:/+-])([45][0-5]\d)(?=[\s-])")


def _status_code(value: str) -> str:
    m = _ENHANCED.search(value or "")
    return ".".join(m.groups()) if m else ""


def _dsn_addr(value: str) -> str:
    """ "rfc822; <user@example.com>" -> "user@example.com"."""
    value = value.rpartition(";")[2] if ";" in value else value
    m = _ADDR.search(value)
    return m.group(0).rstrip(".").lower() if m else ""


_SPECIFIC = [  # (pattern, status): phrases that settle hard or soft on their own
    (
        r"user unknown|unknown user|no such (?:user|mailbox|recipient|address)|"
        r"(?:account|mailbox|address|user)[^.\n]{0,40}(?:does not|doesn't) exist|"
        r"invalid (?:recipient|mailbox|address)|unknown (?:recipient|local[- ]?part)|"
        r"recipient (?:address )?rejected|recipient not found|address not found|"
        r"no mailbox here|mailbox (?:unavailable|not found)|not a registered|"
        r"(?:account|mailbox) (?:is |has been )?(?:disabled|closed|deactivated)|"
        r"benutzer unbekannt|utilisateur inconnu|usuario desconocido",
        "5.1.1",
    ),
    (
        r"unknown host|host (?:not found|unknown)|domain (?:not found|does not exist)|"
        r"host or domain name not found|name or service not known|nxdomain|no mx",
        "5.1.2",
    ),
    (
        r"mailbox (?:is )?full|over ?quota|quota exceeded|exceeded (?:the )?(?:storage|quota)|"
        r"mailfolder is over|insufficient (?:disk )?(?:space|storage)|postfach (?:ist )?voll|"
        r"boîte (?:aux lettres )?pleine|buzón (?:está )?lleno",
        "4.2.2",
    ),
]
_DELAY = re.compile(
    r"delay|not yet been delivered|still being retried|will (?:be )?retr(?:y|ied)"
    r"|warning only|temporar(?:y|ily)|try again later|deferred|greylist",
    re.I,
)
_PERMANENT = re.compile(
    r"permanent(?:ly)?|given up|gave up|rejected|refused|blocked|not permitted|"
    r"could not be delivered|wasn't delivered|did not reach|failed",
    re.I,
)


def _infer_status(text: str, subject: str, action: str) -> tuple[str, str]:
    """(status, evidence line) for a bounce without a usable Status field."""

    def line_of(pos: int) -> str:  # the line at pos, with its indented continuations
        start = text.rfind("\n", 0, pos) + 1
        m = re.compile(r"[^\n]*(?:\n[ \t]+\S[^\n]*)*").match(text, start)
        return " ".join(m.group(0).split()) if m else ""

    for enhanced in _ENHANCED.finditer(text):
        if enhanced.group(1) in "45":
            return ".".join(enhanced.groups()), line_of(enhanced.start())
    for pattern, status in _SPECIFIC:
        phrase = re.search(pattern, text, re.I)
        if phrase:
            line = line_of(phrase.start())
            code = _SMTP_CODE.search(line)
            if status[0] == "5" and code and code.group(1)[0] == "4":  # "450 ... rejected:
                return "4.0.0", line  # greylisted": the server's own class wins
            return status, line
    action = action.lower()
    if action.startswith("delayed") or _DELAY.search(subject):
        m = _DELAY.search(text)
        return "4.0.0", line_of(m.start()) if m else subject
    m = _SMTP_CODE.search(text)
    if m:
        return f"{m.group(1)[0]}.0.0", line_of(m.start())
    if action.startswith("failed"):
        return "5.0.0", ""
    if action.startswith(("delivered", "relayed", "expanded", "deliverable")):
        return "2.0.0", ""
    m = _DELAY.search(text)
    if m:
        return "4.0.0", line_of(m.start())
    m = _PERMANENT.search(text)
    return "5.0.0", line_of(m.start()) if m else ""


_ORIGINAL_START = re.compile(
    r"this is a copy of the message|below this line is a copy of the message"
    r"|original message follows|message text follows|undelivered message follows"
    r"|original message headers|headers of the original message|^-+\s*original message"
    r"|ursprüngliche nachrichtenkopfzeilen|en-têtes du message d'origine"
    r"|^return-path:|^received:\s+(?:from|by)\s",
    re.I | re.M,
)


def _cut_original(text: str) -> str:
    """The notification alone, without the returned original that follows it."""
    m = _ORIGINAL_START.search(text)
    return text[: m.start()] if m else text


_RECIPIENT_PATTERNS = [
    re.compile(p, re.I | re.M)
    for p in (
        r"(?:wasn't|was not|couldn't be|could not be|has not been) delivered to\s+<?(\S+@[^\s>]+)",
        r"did not reach the following recipients?\)?:\s*<?(\S+@[^\s>]+)",
        r"failed to these recipients or groups:\s*<?(\S+@[^\s>()]+)",
        r"following address(?:\(es\))? failed:\s*<?(\S+@[^\s>]+)",
        r"delivery to the following recipients? failed(?: permanently)?:\s*<?(\S+@[^\s>]+)",
        r"^<(\S+@[^\s>]+)>:",
        r"^\s*(?:recipient|original) address:\s*<?(\S+@[^\s>]+)",
        r"n.a pas pu être remis à\s*<?(\S+@[^\s>]+)",
    )
]


def _nonstandard_recipient(msg: Message, notice: str, embedded: Message | None) -> str:
    failed = _first_addr(_hdr(msg, "X-Failed-Recipients"))
    if failed:
        return failed
    for pattern in _RECIPIENT_PATTERNS:
        m = pattern.search(notice)
        if m:
            found = _ADDR.search(m.group(1))
            if found:
                return found.group(0).rstrip(".").lower()
    own = {_first_addr(_hdr(msg, "From")), _first_addr(_hdr(msg, "To"))}
    for m in _ADDR.finditer(notice):
        addr = m.group(0).rstrip(".").lower()
        if addr not in own and not machine.daemon_sender(addr, ""):
            return addr
    return _first_addr(_hdr(embedded, "To")) if embedded is not None else ""


# --------------------------------------------------------------------------- auto-replies

_AUTO_HEADERS = ("X-Autoreply", "X-Autorespond", "X-Autoresponder", "X-Mail-Autoreply")


def _auto_submitted(msg: Message) -> bool:
    """RFC 3834: software marked the message as sent without a person."""
    value = _hdr(msg, "Auto-Submitted")
    return bool(value) and value.split(";")[0].strip().lower() != "no"


def _auto_reason(msg: Message, subject: str, text: str) -> str:
    value = _hdr(msg, "Auto-Submitted")
    if value and value.split(";")[0].strip().lower() != "no":
        return f"Auto-Submitted: {value}"
    for name in _AUTO_HEADERS:
        value = _hdr(msg, name)
        if value and value.lower() not in ("no", "false", "0"):
            return f"{name}: {value}"
    value = _hdr(msg, "X-Autogenerated")
    if value.lower() == "reply":
        return f"X-Autogenerated: {value}"
    value = _hdr(msg, "X-Auto-Response-Suppress")
    if re.search(r"\b(?:oof|autoreply)\b", value, re.I):
        return f"X-Auto-Response-Suppress: {value}"
    # Precedence: bulk/junk is what bulk senders and CRMs put on all their mail, a person's
    # reply sent through one included: a weak sign (`_machine_signs`); auto_reply is RFC 3834's.
    value = _hdr(msg, "Precedence")
    if value.lower() == "auto_reply":
        return f"Precedence: {value}"
    value = _hdr(msg, "X-Apple-Action")
    if value.lower() == "vacation":
        return f"X-Apple-Action: {value}"
    if not REPLY_PREFIX.match(subject):
        m = AUTO_REPLY_SUBJECT.search(subject)
        if m:
            # "Abwesenheit" + "snotiz"
            word = cast("re.Match[str]", re.match(r"\w*", subject[m.end() :])).group(0)
            return f"subject: {(m.group(0) + word).strip()}"
        # The absence words in the languages the wording above does not know; a notice
        # states, so a text that asks something ("Absence management: does it ...?") is a
        # person's own subject and they get their card.
        m = absence.SUBJECT.match(subject)
        if m and not absence.asks(text) and not asks_to_stop(text):
            return f"subject: {m.group(0).strip()}"
    return ""


def _machine_reason(msg: Message, parts: list[_Part], base: dict[str, Any], text: str) -> str:
    """Software that is not an out-of-office: a list manager about a post, a read receipt, a
    no-reply box, a null reverse-path, an acknowledgement that says it is automatic. Each
    answers no person's question, so none may become a reply card.

    Structure decides alone (an RFC 8098 receipt, a challenge-response filter's notice,
    Mailman's administrivia mark), and so does a subject the software wrote (not a "Re:"), as
    the out-of-office subjects in `_auto_reason` do. The other signs are weak, and a reply that threads to a message (In-Reply-To or
    References) is what a person's answer looks like: there it takes two independent signs,
    as `_nonstandard_bounce` asks, so "Is this automated?" or a From of office-admin@ cannot
    cost a hot reply its card. Automatic by weak signs but asking to stop is a person's mail:
    triage suppresses the sender and a person reads it, where parking it loses the request."""
    headers = _headers(msg)
    from_addr, subject = base["from_addr"], base["subject"]
    display = _display_name(msg)
    part_types = [p.ctype for p in parts]
    if machine.read_receipt(parts[0].ctype, (_param(msg, "report-type") or "").lower(), part_types):
        return "read receipt (RFC 8098)"
    if machine.challenge_response(text) and not asks_to_stop(_unwrapped(text)):
        return "challenge-response filter: our message is held until we register"
    if headers.get("x-list-administrivia", "").strip().lower() == "yes":
        return f"mailing-list manager: {from_addr or display}"
    if not REPLY_PREFIX.match(subject) and machine.list_digest(
        headers, part_types, subject, _body_text(parts)
    ):
        return f"mailing-list digest: {subject[:60]}"
    threaded = bool(base["in_reply_to"] or base["references"])
    if not REPLY_PREFIX.match(subject) and (
        machine.AUTO_SUBJECT.search(subject)
        or (
            machine.AUTO_SUBJECT_MORE.search(subject)
            and not absence.asks(text)
            and not asks_to_stop(text)
        )
        or machine.SUBSCRIPTION_SUBJECT.search(subject)
        or (
            not threaded
            and (
                machine.SUBSCRIPTION_LEAD_IN.search(subject)
                or (machine.SUBSCRIPTION_SUBJECT_MORE.search(subject) and not absence.asks(text))
            )
            and not asks_to_stop(text)
        )
    ):
        return f"subject: {subject[:60]}"
    signs = _machine_signs(msg, headers, from_addr, display, subject, text, threaded)
    calendars = [_decoded(p.msg)[:_SCAN] for p in parts if p.ctype in machine.CALENDAR_TYPES]
    if machine.calendar_reply(calendars):
        signs.append("calendar reply (RFC 5546 METHOD:REPLY)")
        if machine.CALENDAR_SUBJECT.search(subject):
            signs.append(f"calendar answer subject: {subject[:40]}")
    # A server's notices carry a subject of their own, never a reply's: "Re:" from postmaster@
    # with nothing else machine-like is a person who runs the mail server themselves.
    if REPLY_PREFIX.match(subject) and [sign.partition(":")[0] for sign in signs] == [_DAEMON_SIGN]:
        return ""
    if not signs or (threaded and len(signs) < 2) or asks_to_stop(text):
        return ""
    return "; ".join(signs)


def _machine_signs(
    msg: Message,
    headers: dict[str, str],
    from_addr: str,
    display: str,
    subject: str,
    text: str,
    threaded: bool,
) -> list[str]:
    """The weak signs: who sent it, the reverse-path, out-of-office wording, and what the
    notice says of itself (two different statements, "This mailbox is not monitored. This is
    an automated message.", are two signs: a person asking "is this automated?" makes
    neither). Out-of-office wording alone never counts: people write "I was away" too."""
    signs = []
    if machine.list_manager(from_addr, display, headers, f"{subject}\n{text[:1500]}"):
        signs.append(f"mailing-list manager: {from_addr or display}")
    elif machine.noreply_sender(from_addr):
        signs.append(f"no-reply sender: {from_addr}")
    elif machine.daemon_sender(from_addr, display):
        signs.append(f"{_DAEMON_SIGN}: {from_addr or display}")
    if machine.null_sender(_hdr(msg, "Return-Path")):
        signs.append("Return-Path: <> (null sender)")
    if machine.bulk_sender(headers):
        signs.append("newsletter software's header")
    # A bulk precedence is what bulk senders and CRMs put on everything they send.
    precedence = _hdr(msg, "Precedence")
    if precedence.lower() in ("bulk", "junk"):
        signs.append(f"Precedence: {precedence}")
    head = text[:1500]
    # One sign, so never enough in a thread: a person answering us writes no opt-in.
    if not REPLY_PREFIX.match(subject) and machine.subscription_confirmation(
        headers, head, threaded=threaded
    ):
        signs.append("double opt-in: list software's mark around a confirmation link")
    said = dict.fromkeys(
        m.group(0).lower()
        for pattern in (machine.SELF_DECLARED, machine.SELF_DECLARED_MORE)
        for m in pattern.finditer(head)
    )
    signs += [f"says it is automatic: {phrase[:60]}" for phrase in list(said)[:2]]
    ticket = machine.TICKET_NOTICE.search(" ".join(f"{subject}\n{text[:1500]}".split()))
    if ticket:
        signs.append(f"helpdesk acknowledgement: {ticket.group(0)[:60]}")
        # ... under the subject the helpdesk gave the case: two statements of one notice (a
        # technician answering in the ticket keeps the subject, but does not announce the
        # ticket).
        case = machine.TICKET_SUBJECT.search(subject)
        if case:
            signs.append(f"helpdesk case subject: {case.group(0)[:40]}")
    # Headers that software sets and a person's client may set too (Outlook's request that
    # nothing answer a message, a loop guard): they back another sign, never stand alone.
    suppress, loop = _hdr(msg, "X-Auto-Response-Suppress"), _hdr(msg, "X-Loop")
    if signs and suppress:
        signs.append(f"X-Auto-Response-Suppress: {suppress[:30]}")
    if signs and loop:
        signs.append("X-Loop header")
    # RFC 8058's one-click unsubscribe: bulk senders put it on list mail, and so do the sales
    # tools a person may write from, so it too only backs another sign.
    if signs and "one-click" in _hdr(msg, "List-Unsubscribe-Post").lower().replace(" ", ""):
        signs.append("List-Unsubscribe-Post: one-click (RFC 8058)")
    other = bool(signs)
    # An out-of-office by its parts (an absence with an end, and no mail read or a colleague
    # to write to) and the notice's thanks for "your message" are two statements a person
    # answering us does not make together.
    if machine.absence_notice(normalize(head)):
        signs.append("out-of-office notice: an absence with an end, and a redirect")
        if _THANKS_FOR_MESSAGE.match(normalize(head)):
            signs.append("acknowledges receipt of the message")
    elif absence.notice(normalize(head), from_addr):
        signs.append("out-of-office notice: an absence word and a date")
        signs.append("names someone else to write to meanwhile")
    # The wording is the same evidence as an absence notice: it adds only to another sign.
    if other and auto_reply_wording(normalize(text[:3000]), subject):
        signs.append("reads like an out-of-office")
    return signs


_DAEMON_SIGN = "mail system sender"
_THANKS_FOR_MESSAGE = re.compile(
    r"\s*(?:thank you|thanks|many thanks) for (?:your|the) (?:e-?mail|message|note|mail)\b", re.I
)


def _ses_event(msg: Message, parts: list[_Part]) -> tuple[str, dict[str, Any]] | None:
    """Amazon SES bounce and complaint events that arrive as SNS e-mails (JSON bodies)."""
    event = machine.ses_notification(_headers(msg), _body_text(parts)[:_SCAN])
    if event is None:
        return None
    recipient = _first_addr(event["recipient"])
    original = _msgid(event["message_id"]) if event["message_id"] else ""
    if event["type"] == "Complaint":
        fields = {
            "feedback_type": (event["feedback_type"] or "abuse").lower(),
            "original_recipient": recipient,
            "original_message_id": original,
            "diagnostic": "Amazon SES complaint notification",
        }
        return "complaint", fields
    status = _status_code(event["status"]) or _status_code(event["diagnostic"])
    if not status:
        status = "5.0.0" if event["bounce_type"] == "Permanent" else "4.0.0"
    diagnostic = re.sub(r"^[\w.-]+[ \t]*;[ \t]*", "", event["diagnostic"])
    fields = {
        "original_recipient": recipient,
        "original_message_id": original,
        "bounce_status": status,
        "bounce_hard": {"5": True, "4": False}.get(status[:1]),
        "diagnostic": " ".join(diagnostic.split())[:MAX_DIAGNOSTIC],
    }
    return "bounce", fields


_GONE = re.compile(
    r"\bno longer (?:with|at|employed|working|works? (?:for|at|here|with)|part of|a member"
    r"|an? employee|in (?:the|our) (?:company|organi[sz]ation|firm)|active at)\b"
    r"|\b(?:has|have) (?:left|departed)\b.{0,40}?\b(?:company|organi[sz]ation|firm|business"
    r"|agency|group)\b|\bleft the (?:company|organi[sz]ation|firm|business)\b"
    r"|\b(?:mailbox|inbox|e-?mail|address|account)\b[^\n]{0,60}?\b(?:is |are )?no longer"
    r" (?:in use|active|monitored|valid|being monitored|checked|exists?)\b"
    r"|\bhas retired\b"
    r"|\bnicht mehr (?:im|in unserem|in unserer) (?:unternehmen|haus|team|firma|konzern)\b"
    r"|\bnicht mehr (?:bei|für) (?:uns|der|dem|die|das)\b"
    r"|\bnicht mehr (?:tätig|beschäftigt|angestellt|mitarbeiter(?:in)?)\b"
    r"|\b(?:unternehmen|firma|haus) verlassen\b|\bausgeschieden\b"
    r"|\b(?:postfach|adresse|mailbox|konto)\b[^\n]{0,60}?\b(?:wird|ist) nicht mehr"
    r" (?:aktiv|in verwendung|gültig|besetzt|genutzt|abgerufen|gelesen)\b"
    r"|\bne fai[ts] plus partie\b|\bne travaille plus\b"
    r"|\ba quitt[ée] (?:l['’]entreprise|la soci[ée]t[ée]|le groupe|notre (?:soci[ée]t[ée]"
    r"|entreprise|groupe|cabinet)|nos effectifs)"
    r"|\bn['’]est plus (?:en poste|employ|avec nous|au sein|dans (?:la|l['’]|notre)|chez"
    r"|membre|acti|utilis|valide|consult)"
    r"|\bya no (?:trabaja|forma parte|está (?:en|con)|pertenece|colabora)\b"
    r"|\b(?:ha|había) dejado (?:la|nuestra) (?:empresa|compañía|organización)\b"
    r"|\bdejó la empresa\b|\bnon fa più parte\b|\bnon lavora più\b",
    re.I,
)


def _apple_end(criteria: str) -> date | None:
    """Apple's vacation responder: X-Apple-Criteria {..., endDate=2020-01-10T14:59:59Z}. The
    end is the last second of the last day in the sender's zone; rounding it to the nearest
    midnight gives the first day back for any zone within 12 hours of UTC."""
    m = re.search(r"endDate=(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)Z", criteria or "")
    if not m:
        return None
    try:
        end = datetime.fromisoformat(m.group(1))
    except ValueError:
        return None
    return (end + timedelta(seconds=1, hours=12)).date()


# --------------------------------------------------------------------------- month first?

_US_TLDS = ("us", "gov", "edu", "mil")
_EN_WORDS = re.compile(r"\b(?:the|and|will|be|office|until|back|my|your|with|thank|you)\b", re.I)
_OTHER_WORDS = re.compile(
    r"\b(?:ich|und|bin|bis|nicht|wieder|ihre|je|suis|jusqu|vous|merci|estoy|hasta|gracias"
    r"|oficina|estaré|sono|fino|grazie)\b",
    re.I,
)


def _looks_american(from_addr: str, sent: datetime | None, text: str) -> bool:
    """Whether a slashed date like 04/03 should be read month first. See the module docs."""
    if from_addr.rpartition(".")[2] in _US_TLDS:
        return True
    offset = sent.utcoffset() if sent else None
    if offset is None or not timedelta(hours=-10) <= offset <= timedelta(hours=-4):
        return False
    sample = text[:3000]
    return len(_EN_WORDS.findall(sample)) > len(_OTHER_WORDS.findall(sample))


# --------------------------------------------------------------------------- text


def _clip(text: str) -> str:
    return text[:MAX_TEXT]


_BLOCK_TAGS = {
    "p", "div", "br", "li", "tr", "table", "ul", "ol", "hr", "pre", "section", "article",
    "header", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "dd", "dt", "address",
}  # fmt: skip
_SKIP_TAGS = {"script", "style", "head", "title", "template"}
_QUOTE_CLASSES = re.compile(r"\b(?:gmail_quote|yahoo_quoted|moz-cite-prefix)\b", re.I)


class _HTMLText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.drop_tag = ""  # the tag whose content is being dropped (quote, script, ...)
        self.drop_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.drop_depth:
            if tag == self.drop_tag:
                self.drop_depth += 1
            return
        classes = " ".join(v or "" for k, v in attrs if k in ("class", "id"))
        if tag in _SKIP_TAGS or tag == "blockquote" or _QUOTE_CLASSES.search(classes):
            self.drop_tag, self.drop_depth = tag, 1
            return
        if tag in _BLOCK_TAGS:
            self.out.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if not self.drop_depth and tag in _BLOCK_TAGS:
            self.out.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if self.drop_depth:
            if tag == self.drop_tag:
                self.drop_depth -= 1
            return
        if tag in _BLOCK_TAGS:
            self.out.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.drop_depth:
            self.out.append(re.sub(r"\s+", " ", data))


def html_to_text(markup: str) -> str:
    """Readable text from HTML, without scripts, styles and quoted (blockquote) history."""
    parser = _HTMLText()
    try:
        parser.feed(markup)
        parser.close()
    except Exception:  # noqa: BLE001 - html.parser is lenient, but never trust it fully
        pass
    lines = [" ".join(ln.split()) for ln in "".join(parser.out).split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
