"""What a message's text itself says, checked against the facts we stored.

A writer (a model above all) reports which facts it used and how sure it is; none of that is
evidence. These checks read the subject and body: which facts really appear in them, which
links and domains they carry (with or without a scheme, as a mail client would autolink
them), and whether they ask for money. Pure: no database, no runtime.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from publicsuffixlist import PublicSuffixList

# Every top-level domain in the Public Suffix List (the publicsuffixlist package ships it, so
# nothing is fetched), plus the names RFC 2606 / 6761 reserve, which tests and phishing
# examples use. A dotted word ending in anything else ("Node.js", "e.g.", "v3.11") is not a
# domain to a reader or a mail client.
SUFFIXES = PublicSuffixList(accept_unknown=False)
RESERVED_TLDS = frozenset(["example", "test", "invalid", "localhost", "local", "internal"])

# Defanged dots ("evil[.]io", "evil(dot)io") read as dots: a person still follows them.
DEFANGED = re.compile(r"\s?[\[({]\s*(?:\.|dot)\s*[\])}]\s?", re.IGNORECASE)
_LABEL = r"[^\W_](?:[\w-]{0,61}[^\W_])?"
_HOST = rf"(?:{_LABEL}\.)+(?P<tld>[^\W\d_]{{2,63}}|xn--[a-z0-9-]{{1,59}})(?![\w@-])"
_PATH = r"(?P<path>[/?#][^\s<>\"'`]*)?"
SCHEME_URL = re.compile(r"\b(?:[a-z][a-z0-9+.-]{1,15})://[^\s<>\"'`]+", re.IGNORECASE)
BARE = re.compile(rf"(?<![\w@.-])(?P<host>{_HOST})\.?(?P<port>:\d{{1,5}})?{_PATH}", re.IGNORECASE)
IP_LINK = re.compile(
    rf"(?<![\w.])(?P<host>(?:\d{{1,3}}\.){{3}}\d{{1,3}})(?:(?P<port>:\d{{1,5}})|(?=/)){_PATH}"
)
EMAIL = re.compile(rf"(?<![\w.+-])[\w.+-]+@(?P<host>(?:{_LABEL}\.)+{_LABEL})", re.IGNORECASE)
TRAILING = ".,;:!?)]}'\"’”*>"


@dataclass(frozen=True)
class Link:
    text: str  # as written (trailing punctuation dropped)
    host: str  # lowercased, without "www."
    path: str  # "" when none


def _host(host: str) -> str:
    host = host.strip(".").casefold()
    return host.removeprefix("www.")


def _path(path: str | None) -> str:
    return (path or "").rstrip(TRAILING).rstrip("/")


def links(text: str) -> list[Link]:
    """Every link and bare domain in `text`, scheme or not, in order of appearance."""
    text = DEFANGED.sub(".", unicodedata.normalize("NFKC", text))
    found: list[tuple[int, Link]] = []
    taken: list[tuple[int, int]] = []
    for m in SCHEME_URL.finditer(text):
        raw = m.group().rstrip(TRAILING)
        found.append((m.start(), _link(raw, raw)))
        taken.append(m.span())
    for pattern in (BARE, IP_LINK):
        for m in pattern.finditer(text):
            if any(a <= m.start() < b for a, b in taken):
                continue
            tld = (m.groupdict().get("tld") or "").casefold()
            if pattern is BARE and not _is_tld(tld):
                continue
            raw = m.group().rstrip(TRAILING)
            found.append((m.start(), _link(raw, "http://" + raw)))
            taken.append(m.span())
    return [link for _, link in sorted(found, key=lambda x: x[0])]


def _link(raw: str, url: str) -> Link:
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:  # e.g. a malformed port or IPv6 literal: still a link, of no known host
        return Link(raw, "", "")
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return Link(raw, _host(host), _path(path))


def _is_tld(tld: str) -> bool:
    return (
        tld in RESERVED_TLDS
        or SUFFIXES.is_public(tld)
        or tld.startswith("xn--")
        or not tld.isascii()
    )


def email_domains(text: str) -> list[tuple[str, str]]:
    """(address, domain) for each email address in `text`."""
    text = DEFANGED.sub(".", unicodedata.normalize("NFKC", text))
    return [(m.group().rstrip(TRAILING), _host(m.group("host"))) for m in EMAIL.finditer(text)]


def link_problems(text: str, sources: Iterable[str]) -> list[str]:
    """Links, domains and email domains in `text` that no source text vouches for.

    A host counts when a source names it (compared case-insensitively, "www." aside); a link
    with a path must match a link in a source, path and all: a known host does not make up
    for a made-up page on it."""
    hosts: set[str] = set()
    paths: set[tuple[str, str]] = set()
    for source in sources:
        named, linked = _vouches(source)
        hosts |= named
        paths |= linked
    out: list[str] = []
    for link in links(text):
        if link.host not in hosts or (link.path and (link.host, link.path) not in paths):
            out.append(f"link not taken from a stored fact: {link.text}")
    for address, domain in email_domains(text):
        if domain not in hosts:
            out.append(f"email address at a domain no stored fact names: {address}")
    return list(dict.fromkeys(out))


# The same facts (a capability's proof, the sender) vouch for every draft of a tick.
@functools.lru_cache(maxsize=4096)
def _vouches(source: str) -> tuple[frozenset[str], frozenset[tuple[str, str]]]:
    """The hosts a source text names (links and email domains) and its (host, path) links."""
    found = links(source)
    hosts = {link.host for link in found} | {domain for _, domain in email_domains(source)}
    return frozenset(hosts), frozenset((link.host, link.path) for link in found)


# --- payment details -------------------------------------------------------------------------

IBAN_START = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?=[ -]?[A-Za-z0-9])")
IBAN_CHAR = re.compile(r"[ -]?([A-Za-z0-9])")
CARD = re.compile(r"(?<![\d-])[2-6]\d{3}(?:[ -]?\d){9,15}(?![\d-])")
BANK_PHRASES = [
    (
        "account number",
        re.compile(
            r"\b(?:bank\s+)?(?:account|acct|a/c)\s*(?:no\.?|number|num|#)?\s*[:#.]?\s*"
            r"\d[\d -]{4,}\d",
            re.IGNORECASE,
        ),
    ),
    (
        "routing number",
        re.compile(
            r"\b(?:routing|aba|bsb)\s*(?:no\.?|number|num|#|code)?\s*[:#.]?\s*\d[\d -]{4,}\d",
            re.IGNORECASE,
        ),
    ),
    (
        "sort code",
        re.compile(r"\bsort\s*code\s*[:#.]?\s*\d{2}[ -]?\d{2}[ -]?\d{2}\b", re.IGNORECASE),
    ),
    (
        "SWIFT/BIC code",
        re.compile(
            r"(?i:\b(?:swift|bic)(?:\s*/\s*bic)?(?:\s*code)?\s*[:#.]?\s*)"
            r"[A-Z]{6}[A-Z0-9]{2}(?:[A-Z0-9]{3})?\b",  # the code itself is upper case
        ),
    ),
    (
        "transfer instruction",
        re.compile(
            r"\b(?:(?:wire|bank|electronic|ach|sepa|swift)\s+(?:the\s+)?(?:transfer|payment|funds?)"
            r"|(?:wire|remit|transfer|pay|deposit)\s+(?:the\s+|your\s+|a\s+)?(?:\w+\s+){0,2}?"
            r"(?:fee|fees|funds?|payment|amount|balance|deposit|money|sum))"
            r"\b[^.\n]{0,60}?\b(?:to|into)\b",
            re.IGNORECASE,
        ),
    ),
    (
        "transfer instruction",
        re.compile(
            r"\b(?:pay|payments?|wire|transfer)\s+(?:it\s+)?(?:to|into)\s+(?:the\s+|our\s+|this\s+|"
            r"my\s+|a\s+|the\s+following\s+)?(?:new\s+|updated\s+)?(?:bank\s+)?"
            r"(?:account|iban|beneficiary)",
            re.IGNORECASE,
        ),
    ),
]


def _iban_ok(code: str) -> bool:
    """ISO 13616 check digits: letters to numbers, first four moved last, mod 97 is 1."""
    code = code.upper()
    if not 15 <= len(code) <= 34 or not code[:2].isalpha() or not code[2:4].isdigit():
        return False
    moved = code[4:] + code[:4]
    return int("".join(str(int(c, 36)) for c in moved)) % 97 == 1


def ibans(text: str) -> list[str]:
    """IBANs, spaced or not, that pass the mod-97 check (so "GB12 ABCD ..." typos do not)."""
    out = []
    for m in IBAN_START.finditer(text):
        chars = [m.group()]
        ends = [m.end()]
        pos = m.end()
        while len(chars) < 31:  # 4 + 30: the longest IBAN is 34
            nxt = IBAN_CHAR.match(text, pos)
            if not nxt:
                break
            chars.append(nxt.group(1))
            pos = nxt.end()
            ends.append(pos)
        for n in range(len(chars), 11, -1):  # longest valid prefix, at least 15 characters
            code = "".join(chars[:n])
            if _iban_ok(code) and not text[ends[n - 1] : ends[n - 1] + 1].isalnum():
                out.append(text[m.start() : ends[n - 1]])
                break
    return out


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def card_numbers(text: str) -> list[str]:
    """Payment card numbers (13 to 19 digits, Luhn-valid), by their last four digits."""
    out = []
    for m in CARD.finditer(text):
        digits = re.sub(r"\D", "", m.group())
        if 13 <= len(digits) <= 19 and _luhn_ok(digits):
            out.append(digits[-4:])
    return out


def payment_problems(text: str) -> list[str]:
    """Bank or card details and instructions to pay: never part of an outbound sales email."""
    out = [f"payment details: IBAN {code}" for code in ibans(text)]
    out += [f"payment details: card number ending {last4}" for last4 in card_numbers(text)]
    for what, pattern in BANK_PHRASES:
        m = pattern.search(text)
        if m:
            out.append(f"payment details: {what} ({' '.join(m.group().split())})")
    return list(dict.fromkeys(out))


# --- which facts a text really uses ----------------------------------------------------------

STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "of",
        "in",
        "on",
        "at",
        "to",
        "for",
        "from",
        "by",
        "with",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "their",
        "our",
        "your",
        "his",
        "her",
        "they",
        "we",
        "you",
        "i",
        "he",
        "she",
        "them",
        "us",
        "has",
        "have",
        "had",
        "do",
        "does",
        "did",
        "not",
        "no",
        "so",
        "than",
        "then",
        "there",
        "here",
        "about",
        "into",
        "over",
        "after",
        "before",
        "via",
        "per",
    ]
)
MOST = 0.6  # share of a long fact's distinctive words that must appear


def _words(text: str) -> list[str]:
    return [w if len(w) <= 3 else w.removesuffix("s") for w in re.findall(r"[^\W_]+", text)]


def appears(fact: str, text: str) -> bool:
    """Whether `text` carries this fact: the fact's words as written, or, for a fact of three
    or more distinctive words, most of them (a writer may reword "hiring 4 data engineers"
    as "4 data engineer roles")."""
    whole, distinctive = _fact(fact)
    if not whole:
        return False
    body, seen = _text(text)
    if _as_word(whole, body):
        return True
    if len(distinctive) < 3:
        return False
    return len(distinctive & seen) / len(distinctive) >= MOST


def _as_word(needle: str, text: str) -> bool:
    """Whether `needle` occurs in `text` with no word character (regex \\w: a letter, digit
    or "_") touching either end. A plain search, not a regex compiled per fact: most facts
    (a company's name, a signal) are new to each draft."""
    start = text.find(needle)
    while start != -1:
        end = start + len(needle)
        if (start == 0 or not _is_word(text[start - 1])) and (
            end == len(text) or not _is_word(text[end])
        ):
            return True
        start = text.find(needle, start + 1)
    return False


def _is_word(c: str) -> bool:
    return c.isalnum() or c == "_"


# A draft's facts are checked against its text several times over, and the same facts
# (a capability's proof, a company's name) recur across a tick's thousand drafts.
@functools.lru_cache(maxsize=8192)
def _fact(fact: str) -> tuple[str, frozenset[str]]:
    """The fact as compared ("" when empty), and its distinctive words."""
    norm = " ".join(unicodedata.normalize("NFKC", fact).casefold().split()).strip(TRAILING + " ")
    if not norm:
        return "", frozenset()
    return norm, frozenset(w for w in _words(norm) if w not in STOPWORDS)


@functools.lru_cache(maxsize=64)
def _text(text: str) -> tuple[str, frozenset[str]]:
    body = " ".join(unicodedata.normalize("NFKC", text).casefold().split())
    return body, frozenset(_words(body))
