"""`twoloop import`: accounts, contacts, signals and the knowledge graph from files.

Everything is parsed and validated first; only when every row of every file is good is
anything written, in one transaction. A bad row is reported with its file, line and field.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, get_args

import numpy as np
import numpy.typing as npt
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlmodel import Session, SQLModel

from bot.config.agents import SignalKind
from bot.config.frontmatter import FileError, line_of
from bot.core.signal_edges import NAMED, mentions
from bot.storable import storable
from storage import candidates, prospects
from storage.bulk import Bulk, LaterIndexes, Pipeline
from storage.db import Database
from storage.models import Account, Capability, Contact, Edge, Node, Signal, session_now
from storage.upsert import upsert

KINDS = ("accounts", "contacts", "signals", "knowledge")


class ImportFailed(Exception):
    def __init__(self, errors: list[FileError]):
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


class Row(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _storable(cls, v: Any) -> Any:
        # Files, webhooks and feeds alike: a NUL would make PostgreSQL refuse the batch.
        return storable(v) if isinstance(v, str) else v


def _aware(v: Any) -> Any:
    if isinstance(v, str) and v:
        v = datetime.fromisoformat(v.replace("Z", "+00:00"))
    if isinstance(v, datetime) and v.tzinfo is None:
        v = v.replace(tzinfo=UTC)
    return v or None


class AccountRow(Row):
    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    domain: str = Field(pattern=r"^[a-z0-9.-]+\.[a-z]{2,}$")
    industry: str = ""
    employees: int = Field(0, ge=0)
    country: str = ""
    owner_am: str = ""
    customer_status: str = Field("prospect", pattern=r"^(prospect|customer|former_customer)$")
    do_not_contact: bool = False
    tech: str = ""
    am_notes: str = ""
    open_deal: str = ""
    last_thread: str = ""
    last_touch_at: datetime | None = None

    _touch = field_validator("last_touch_at", mode="before")(lambda cls, v: _aware(v))

    @field_validator("domain", "industry", mode="before")
    @classmethod
    def _lower(cls, v: str) -> str:
        return v.strip().lower() if isinstance(v, str) else v

    @field_validator("country", mode="before")
    @classmethod
    def _upper(cls, v: str) -> str:
        return v.strip().upper() if isinstance(v, str) else v


class ContactRow(Row):
    id: str = Field(min_length=1)
    account_id: str = Field(min_length=1)
    first_name: str = Field(min_length=1)
    last_name: str = ""
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    title: str = ""
    do_not_contact: bool = False

    @field_validator("email", mode="before")
    @classmethod
    def _lower(cls, v: str) -> str:
        return v.strip().lower() if isinstance(v, str) else v


class SignalRow(Row):
    account_id: str = Field(min_length=1)
    kind: SignalKind
    summary: str = Field(min_length=1)
    detail: str = ""
    source: str = ""
    url: str = ""
    observed_at: datetime
    dedupe_key: str = ""

    _observed = field_validator("observed_at", mode="before")(lambda cls, v: _aware(v))


class Weighted(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    matches: list[str] = []
    indicates: dict[str, float] = {}


class CapabilityEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    name: str
    summary: str
    proof: str = ""
    # The only price text a drafted answer may use ("" = none: a person answers pricing).
    pricing: str = Field("", max_length=500, pattern=r"^[^\r\n]*$")
    solves: dict[str, float] = Field(min_length=1)


class Knowledge(BaseModel):
    """The typed graph's fixed part: what we sell and what indicates which problem."""

    model_config = ConfigDict(extra="forbid")
    capabilities: list[CapabilityEntry] = Field(min_length=1)
    problems: dict[str, str] = Field(min_length=1)
    roles: dict[str, Weighted] = {}
    tech: dict[str, Weighted] = {}
    events: dict[SignalKind, dict[str, float]] = {}


@dataclass
class Batch:
    accounts: list[tuple[AccountRow, FileError]] = field(default_factory=list)
    contacts: list[tuple[ContactRow, FileError]] = field(default_factory=list)
    signals: list[tuple[SignalRow, FileError]] = field(default_factory=list)
    knowledge: Knowledge | None = None
    errors: list[FileError] = field(default_factory=list)


def kind_of(path: Path) -> str | None:
    stem = path.stem.lower()
    return next((k for k in KINDS if stem.startswith(k)), None)


class Progress:
    """What `load` tells as it goes (the CLI draws bars from it); this one says nothing."""

    def start(self, path: Path, size: int) -> None:
        """A file is about to be read; `size` in bytes."""

    def read(self, path: Path, rows: int, at: int) -> None:
        """`rows` rows of `path` read and validated so far, about `at` bytes into it."""

    def written(self, path: Path, rows: int) -> None:
        """`rows` rows of `path` written so far (not yet committed)."""


def _rows(path: Path, fh: Any) -> Iterator[tuple[int, dict[str, Any]]]:
    if path.suffix == ".jsonl":
        for n, line in enumerate(fh, 1):
            if line.strip():
                try:
                    yield n, json.loads(line)
                except json.JSONDecodeError as exc:
                    raise FileError(path, n, None, f"invalid JSON: {exc.msg}") from None
        return
    reader = csv.reader(fh)
    header = next(reader, None)
    if header is None:
        return
    width = len(header)
    start = reader.line_num + 1
    for row in reader:
        if not row:
            continue  # a blank line, as csv.DictReader skips it
        # line_num is where a record ends; a quoted field may span lines, so report the
        # line it starts on.
        if len(row) > width:
            raise FileError(path, start, None, "more values than header columns")
        yield start, {k: v for k, v in zip(header, row, strict=False) if v}
        start = reader.line_num + 1


def _read_knowledge(path: Path, batch: Batch) -> None:
    try:
        node = yaml.compose(path.read_text("utf-8"), Loader=yaml.SafeLoader)
        data = yaml.safe_load(path.read_text("utf-8"))
        batch.knowledge = Knowledge.model_validate(data)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        batch.errors.append(FileError(path, mark.line + 1 if mark else None, None, str(exc)))
    except ValidationError as exc:
        err = exc.errors()[0]
        batch.errors.append(
            FileError(path, line_of(node, err["loc"]), ".".join(map(str, err["loc"])), err["msg"])
        )


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _check_references(db: Database, batch: Batch) -> None:
    known = {a.id for a, _ in batch.accounts}
    wanted = {r.account_id for r, _ in batch.contacts} | {r.account_id for r, _ in batch.signals}
    missing_in_files = wanted - known
    if missing_in_files:
        with db.session() as s:
            known |= prospects.existing_accounts(s, missing_in_files)
    for referring in (batch.contacts, batch.signals):
        for ref, where in referring:
            if ref.account_id not in known:
                batch.errors.append(
                    FileError(
                        where.path, where.line, "account_id", f"no account {ref.account_id!r}"
                    )
                )
    for rows in (batch.accounts, batch.contacts):
        first: dict[str, FileError] = {}
        for row, where in rows:
            if row.id in first:
                batch.errors.append(_again(where, "id", row.id, first[row.id]))
            first.setdefault(row.id, where)
    by_email: dict[str, tuple[str, FileError]] = {}
    for row, where in batch.contacts:
        if row.email in by_email and by_email[row.email][0] != row.id:
            batch.errors.append(_again(where, "email", row.email, by_email[row.email][1]))
        by_email.setdefault(row.email, (row.id, where))
    if by_email:
        with db.session() as s:
            stored = prospects.contact_ids_by_email(s, by_email)
        for row, where in batch.contacts:
            owner = stored.get(row.email, row.id)
            if owner != row.id:
                message = f"{row.email} already belongs to contact {owner!r}"
                batch.errors.append(FileError(where.path, where.line, "email", message))


def _again(where: FileError, field: str, value: str, first: FileError) -> FileError:
    place = f"line {first.line}" if first.path == where.path else f"{first.path}:{first.line}"
    return FileError(where.path, where.line, field, f"{value} is already on {place}")


def edges_for_signal(sig: SignalRow, knowledge: Knowledge | None) -> list[dict[str, Any]]:
    """The typed edges a signal adds to its account (the rules in the knowledge file)."""
    src = f"account:{sig.account_id}"
    out = [
        {
            "src": src,
            "rel": "signalled",
            "dst": f"event:{sig.kind}",
            "weight": 1.0,
            "source": "signal",
        }
    ]
    if knowledge is None:
        return out
    if sig.kind in ("hiring", "leadership_change"):
        rel = NAMED[sig.kind][0]
        for role_id, role in knowledge.roles.items():
            if mentions(sig.summary, sig.detail, role.matches or [role.name]):
                out.append(
                    {
                        "src": src,
                        "rel": rel,
                        "dst": f"role:{role_id}",
                        "weight": 1.0,
                        "source": "signal",
                    }
                )
    if sig.kind == "tech_adoption":
        for tech_id, tech in knowledge.tech.items():
            if mentions(sig.summary, sig.detail, tech.matches or [tech.name]):
                out.append(
                    {
                        "src": src,
                        "rel": "uses",
                        "dst": f"tech:{tech_id}",
                        "weight": 1.0,
                        "source": "signal",
                    }
                )
    return out


def knowledge_rows(k: Knowledge) -> tuple[list[dict], list[dict], list[dict]]:
    caps, edges, nodes = [], [], []
    for pid, label in k.problems.items():
        nodes.append({"key": f"problem:{pid}", "label": label, "aliases": []})
    for c in k.capabilities:
        caps.append(
            {
                "id": c.id,
                "name": c.name,
                "summary": c.summary,
                "proof": c.proof,
                "pricing": " ".join(c.pricing.split()),
            }
        )
        nodes.append({"key": f"capability:{c.id}", "label": c.name, "aliases": []})
        for pid, w in c.solves.items():
            edges.append(
                {
                    "src": f"capability:{c.id}",
                    "rel": "solves",
                    "dst": f"problem:{pid}",
                    "weight": w,
                    "source": "knowledge",
                }
            )
    for prefix, table in (("role", k.roles), ("tech", k.tech)):
        for nid, entry in table.items():
            nodes.append({"key": f"{prefix}:{nid}", "label": entry.name, "aliases": entry.matches})
            for pid, w in entry.indicates.items():
                edges.append(
                    {
                        "src": f"{prefix}:{nid}",
                        "rel": "indicates",
                        "dst": f"problem:{pid}",
                        "weight": w,
                        "source": "knowledge",
                    }
                )
    for kind, problems in k.events.items():
        nodes.append({"key": f"event:{kind}", "label": kind.replace("_", " "), "aliases": []})
        for pid, w in problems.items():
            edges.append(
                {
                    "src": f"event:{kind}",
                    "rel": "indicates",
                    "dst": f"problem:{pid}",
                    "weight": w,
                    "source": "knowledge",
                }
            )
    return caps, edges, nodes


def _check_knowledge(path_of: Path | None, k: Knowledge, batch: Batch) -> None:
    for entry_kind, ids in (
        ("capabilities", [p for c in k.capabilities for p in c.solves]),
        ("roles", [p for r in k.roles.values() for p in r.indicates]),
        ("tech", [p for t in k.tech.values() for p in t.indicates]),
        ("events", [p for e in k.events.values() for p in e]),
    ):
        for pid in ids:
            if pid not in k.problems:
                batch.errors.append(
                    FileError(
                        path_of or Path("knowledge"),
                        None,
                        entry_kind,
                        f"unknown problem {pid!r}; add it under problems",
                    )
                )


ACCOUNT_COLUMNS = (
    "id",
    "name",
    "domain",
    "industry",
    "employees",
    "country",
    "owner_am",
    "customer_status",
    "do_not_contact",
    "am_notes",
    "open_deal",
    "last_thread",
    "last_touch_at",
)
CONTACT_COLUMNS = (
    "id",
    "account_id",
    "first_name",
    "last_name",
    "email",
    "title",
    "do_not_contact",
)
SIGNAL_COLUMNS = (
    "account_id",
    "kind",
    "summary",
    "detail",
    "source",
    "url",
    "observed_at",
    "dedupe_key",
    "created_at",
)
EDGE_COLUMNS = ("src", "rel", "dst", "weight", "source")
WRITE_BATCH = 20_000  # rows per bulk write: memory stays flat, progress moves
# What a row of an accounts, contacts or signals file takes, about (60-150 bytes in the
# sample files): how many rows an import brings, guessed from its files before reading them.
BYTES_PER_ROW = 100

_BOOLS = {
    **dict.fromkeys(("1", "on", "t", "true", "y", "yes"), True),
    **dict.fromkeys(("0", "off", "f", "false", "n", "no"), False),
}
_STATUSES = frozenset(("prospect", "customer", "former_customer"))
_SIGNAL_KINDS = frozenset(get_args(SignalKind))
_DOMAIN = re.compile(r"[a-z0-9.-]+\.[a-z]{2,}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def _plain(raw: dict[str, Any]) -> bool:
    """Every value a string `storable` leaves alone: the fast path may take the row."""
    try:
        text = "".join(raw.values())  # one check for the row, not one per value
    except TypeError:
        return False  # a number or a list from JSON: the model converts or refuses it
    return "\x00" not in text and (text.isascii() or storable(text) == text)


def _int(v: str | None) -> int | None:
    if v is None:
        return 0
    v = v.strip()
    if v.isascii() and v.isdigit() and len(v) < 16 and (v[0] != "0" or v == "0"):
        return int(v)
    return None


def _bool(v: str | None) -> bool | None:
    return False if v is None else _BOOLS.get(v.lower())


def _when(v: str | None) -> datetime | None | bool:
    """The parsed time, None when absent, False when the fast path must leave it."""
    if v is None:
        return None
    try:
        return _aware(v)
    except (ValueError, TypeError):
        return False


def _fast_account(raw: dict[str, Any]) -> tuple[tuple, str] | None:
    """AccountRow's checks and clean-up without pydantic, for rows that plainly pass them;
    None sends the row to the model (which then names the error)."""
    g = raw.get
    id_, name = g("id", "").strip(), g("name", "").strip()
    domain = g("domain", "").strip().lower()
    employees, dnc = _int(g("employees")), _bool(g("do_not_contact"))
    status = g("customer_status", "prospect").strip()
    touch = _when(g("last_touch_at"))
    if (
        not id_
        or not name
        or not domain.isascii()
        or not _DOMAIN.fullmatch(domain)
        or employees is None
        or dnc is None
        or status not in _STATUSES
        or touch is False
    ):
        return None
    row = (
        id_,
        name,
        domain,
        g("industry", "").strip().lower(),
        employees,
        g("country", "").strip().upper(),
        g("owner_am", "").strip(),
        status,
        dnc,
        g("am_notes", "").strip(),
        g("open_deal", "").strip(),
        g("last_thread", "").strip(),
        touch,
    )
    return row, g("tech", "").strip()


def _fast_contact(raw: dict[str, Any]) -> tuple | None:
    g = raw.get
    id_, account = g("id", "").strip(), g("account_id", "").strip()
    first = g("first_name", "").strip()
    email, dnc = g("email", "").strip().lower(), _bool(g("do_not_contact"))
    if (
        not id_
        or not account
        or not first
        or not email.isascii()
        or not _EMAIL.fullmatch(email)
        or dnc is None
    ):
        return None
    return (id_, account, first, g("last_name", "").strip(), email, g("title", "").strip(), dnc)


def _fast_signal(raw: dict[str, Any]) -> tuple | None:
    g = raw.get
    account, kind, summary = g("account_id", "").strip(), g("kind"), g("summary", "").strip()
    observed = _when(g("observed_at"))
    if (
        not account
        or kind not in _SIGNAL_KINDS
        or not summary
        or not isinstance(observed, datetime)
    ):
        return None
    return (
        account,
        kind,
        summary,
        g("detail", "").strip(),
        g("source", "").strip(),
        g("url", "").strip(),
        observed,
        g("dedupe_key", "").strip(),
    )


def validated(kind: str, raw: dict[str, Any]) -> Any:
    """The row as a tuple in its table's column order (accounts: with the tech text).
    Plain rows take the fast path; the rest, bad ones included, go through the model, so
    errors read exactly as the model words them."""
    # Only rows of plain strings take the fast path (JSON numbers, booleans and non-objects
    # go to the model, which converts or names them).
    plain = isinstance(raw, dict) and _plain(raw)
    if kind == "accounts":
        fast = _fast_account(raw) if plain else None
        if fast is not None:
            return fast
        a = AccountRow.model_validate(raw)
        return tuple(getattr(a, c) for c in ACCOUNT_COLUMNS), a.tech
    if kind == "contacts":
        fast_c = _fast_contact(raw) if plain else None
        if fast_c is not None:
            return fast_c
        c = ContactRow.model_validate(raw)
        return tuple(getattr(c, f) for f in CONTACT_COLUMNS)
    fast_s = _fast_signal(raw) if plain else None
    if fast_s is not None:
        return fast_s
    sig = SignalRow.model_validate(raw)
    return tuple(getattr(sig, f) for f in SIGNAL_COLUMNS[:-1])


class _Matcher:
    """A signal's typed edges by the knowledge file's rules (as `edges_for_signal`), with
    the words lowered once rather than per signal."""

    def __init__(self, knowledge: Knowledge | None):
        self.rules: list[tuple[str, str, list[str]]] = []  # (kind, dst, lowered words)
        if knowledge is None:
            return
        for role_id, role in knowledge.roles.items():
            words = [w.lower() for w in (role.matches or [role.name]) if w]
            for k in ("hiring", "leadership_change"):
                self.rules.append((k, f"role:{role_id}", words))
        for tech_id, tech in knowledge.tech.items():
            words = [w.lower() for w in (tech.matches or [tech.name]) if w]
            self.rules.append(("tech_adoption", f"tech:{tech_id}", words))

    def edges(self, account: str, kind: str, summary: str, detail: str) -> list[tuple]:
        src = f"account:{account}"
        out = [(src, "signalled", f"event:{kind}", 1.0, "signal")]
        text = ""
        for k, dst, words in self.rules:
            if k == kind:
                text = text or f"{detail} {summary}".lower()
                if any(w in text for w in words):
                    out.append((src, NAMED[kind][0], dst, 1.0, "signal"))
        return out


Order = tuple[int, int, int, int]
Hashes = npt.NDArray[np.int64]


def _hashes(keys: Iterable[str]) -> Hashes:
    return np.fromiter(map(hash, keys), np.int64)


def _sorted(parts: list[Hashes]) -> Hashes:
    out = np.concatenate(parts) if parts else np.empty(0, np.int64)
    out.sort()
    return out


def _repeated(ordered: Hashes) -> set[int]:
    """The hashes a sorted array holds more than once."""
    return set(ordered[1:][ordered[1:] == ordered[:-1]].tolist())


def _among(keys: Hashes, ordered: Hashes) -> npt.NDArray[np.bool_]:
    """Which of `keys` the sorted `ordered` holds."""
    if not len(ordered):
        return np.zeros(len(keys), np.bool_)
    at = np.minimum(np.searchsorted(ordered, keys), len(ordered) - 1)
    return ordered[at] == keys


class _Load:
    """One streaming import: each file read once, each row validated, checked against what
    came before it and written in batches. The first error stops the writing (not the
    checking); any error rolls the whole transaction back."""

    def __init__(self, s: Session, paths: list[Path], progress: Progress):
        self.s, self.paths, self.progress = s, paths, progress
        self.now = session_now(s)
        # (sort key, error), sorted at the end into the order the checks have always used
        self.errors: list[tuple[Order, FileError]] = []
        # The 64-bit hashes of the ids and emails read, per batch: 8 bytes a row where a
        # dict of strings took over a hundred. A hash seen twice sends the files through
        # the exact check again (`_accounts_again`, `_contacts_again`): rare, and a
        # collision there reports nothing.
        self.hashes: dict[str, list[Hashes]] = {"accounts": [], "contacts": [], "emails": []}
        self.known: Hashes = np.empty(0, np.int64)  # the accounts read, sorted
        self.files_of: dict[str, list[int]] = {}  # kind -> its files, in reading order
        self.open_kind: str | None = None
        self.stored_accounts = prospects.any_rows(s, Account)
        self.stored_contacts = prospects.any_rows(s, Contact)
        self.counts: dict[str, int] = {}
        self.signal_rows = 0
        self.accounts_w = prospects.bulk_accounts(s, ACCOUNT_COLUMNS)
        self.contacts_w = Bulk(s, Contact, CONTACT_COLUMNS, ["id"])
        self.signals_w = Bulk(s, Signal, SIGNAL_COLUMNS, ["dedupe_key"], update=False)
        self.edges_w = Bulk(s, Edge, EDGE_COLUMNS, ["src", "rel", "dst"], only_changed=True)
        self.pipe = Pipeline(threaded=s.get_bind().dialect.name == "postgresql")

    def fail(self, order: tuple[int, int], index: int, err: FileError) -> None:
        self.errors.append(((*order, index, err.line or 0), err))

    def where(self, code: int) -> FileError:
        return FileError(self.paths[code >> 32], code & 0xFFFFFFFF, None, "")

    def add(self, key: str, n: int) -> None:
        self.counts[key] = self.counts.get(key, 0) + n

    def file(self, index: int, kind: str, matcher: _Matcher) -> None:
        if kind != self.open_kind:
            self.finish()
            self.open_kind = kind
        self.files_of.setdefault(kind, []).append(index)
        path = self.paths[index]
        size = path.stat().st_size
        self.progress.start(path, size)
        pending: list[tuple[int, Any]] = []
        read = written = 0
        try:
            with path.open("rb") as binary, io.TextIOWrapper(binary, "utf-8", newline="") as fh:
                for line, raw in _rows(path, fh):
                    read += 1
                    try:
                        pending.append((line, validated(kind, raw)))
                    except ValidationError as exc:
                        err = exc.errors()[0]
                        loc = ".".join(map(str, err["loc"]))
                        self.fail((0, 0), index, FileError(path, line, loc, err["msg"]))
                    if len(pending) >= WRITE_BATCH:
                        written += self.batch(index, kind, pending, matcher)
                        pending = []
                        self.progress.read(path, read, binary.tell())
                        self.progress.written(path, written)
        except FileError as err:
            self.fail((0, 0), index, err)
        except UnicodeDecodeError:
            self.fail((0, 0), index, FileError(path, None, None, "not UTF-8 text"))
        written += self.batch(index, kind, pending, matcher)
        self.progress.read(path, read, size)
        self.progress.written(path, written)

    def batch(self, index: int, kind: str, rows: list[tuple[int, Any]], m: _Matcher) -> int:
        """Check a batch against everything before it; write it while all is well."""
        if not rows:
            return 0
        if kind == "accounts":
            self.hashes["accounts"].append(_hashes(row[0] for _, (row, _) in rows))
            return 0 if self.errors else self._write_accounts([r for _, r in rows])
        self._refs(index, kind, rows)
        if kind == "contacts":
            self._contact_keys(index, rows)
            if self.errors:
                return 0
            self.pipe.submit(self.contacts_w, [r for _, r in rows])
            self.add("contacts", len(rows))
            return len(rows)
        if self.errors:
            return 0
        signals, edges = [], {}
        for _, r in rows:
            account, kind_, summary, detail = r[0], r[1], r[2], r[3]
            key = r[7] or f"{account}|{kind_}|{slug(detail or summary)}|{r[6]:%Y-%m-%d}"
            signals.append((*r[:7], key, self.now))
            for e in m.edges(account, kind_, summary, detail):
                edges[e[:3]] = e
        self.pipe.submit(self.signals_w, signals)
        self.pipe.submit(self.edges_w, list(edges.values()))
        self.signal_rows += len(signals)
        return len(signals)

    def _first(
        self, seen: dict[str, int], key: str, code: int, field: str, order: tuple[int, int]
    ) -> None:
        first = seen.setdefault(key, code)
        if first != code:
            self.fail(order, code >> 32, _again(self.where(code), field, key, self.where(first)))

    def finish(self) -> None:
        """The duplicate checks of the kind read last, once all its files are through."""
        kind, self.open_kind = self.open_kind, None
        if kind == "accounts":
            ids = _sorted(self.hashes.pop("accounts"))
            self.known = np.unique(ids)
            if len(self.known) < len(ids):
                self._accounts_again(_repeated(ids))
        elif kind == "contacts":
            again_ids = _repeated(_sorted(self.hashes.pop("contacts")))
            again_emails = _repeated(_sorted(self.hashes.pop("emails")))
            if again_ids or again_emails:
                self._contacts_again(again_ids, again_emails)

    def _again(self, kind: str) -> Iterator[tuple[int, int, Any]]:
        """The valid rows of the kind's files once more: (file index, line, row)."""
        for index in self.files_of.get(kind, []):
            path = self.paths[index]
            try:
                with path.open(encoding="utf-8", newline="") as fh:
                    for line, raw in _rows(path, fh):
                        try:
                            yield index, line, validated(kind, raw)
                        except ValidationError:
                            continue
            except (FileError, UnicodeDecodeError):
                continue  # already reported on the first reading

    def _accounts_again(self, repeated: set[int]) -> None:
        seen: dict[str, int] = {}  # id -> where first seen: (file index << 32) | line
        for index, line, (row, _) in self._again("accounts"):
            if hash(row[0]) in repeated:
                self._first(seen, row[0], (index << 32) | line, "id", (2, 0))

    def _contacts_again(self, ids: set[int], emails: set[int]) -> None:
        contacts: dict[str, int] = {}
        by_email: dict[str, int] = {}
        for index, line, r in self._again("contacts"):
            if hash(r[0]) not in ids and hash(r[4]) not in emails:
                continue  # once in the files: neither an id nor an email error
            code = (index << 32) | line
            self._first(contacts, r[0], code, "id", (2, 1))
            first = by_email.setdefault(r[4], code)
            # the same contact again is an id error, not an email one (as the id says)
            if first != code and contacts[r[0]] != first:
                again = _again(self.where(code), "email", r[4], self.where(first))
                self.fail((3, 0), index, again)

    def _refs(self, index: int, kind: str, rows: list[tuple[int, Any]]) -> None:
        at = 1 if kind == "contacts" else 0
        refs = [r[at] for _, r in rows]
        # An unknown id whose hash matches a known one slips through here; the foreign key
        # then refuses its batch (`Pipeline.refused`), so it is never written either way.
        unknown = {refs[i] for i in np.flatnonzero(~_among(_hashes(refs), self.known))}
        if unknown and self.stored_accounts:
            self.pipe.drain()
            unknown -= prospects.existing_accounts(self.s, unknown)
        for line, r in rows:
            if r[at] in unknown:
                err = FileError(self.paths[index], line, "account_id", f"no account {r[at]!r}")
                self.fail((1, 1 - at), index, err)

    def _contact_keys(self, index: int, rows: list[tuple[int, Any]]) -> None:
        self.hashes["contacts"].append(_hashes(r[0] for _, r in rows))
        self.hashes["emails"].append(_hashes(r[4] for _, r in rows))
        if not self.stored_contacts:
            return
        self.pipe.drain()
        stored = prospects.contact_ids_by_email(self.s, {r[4] for _, r in rows})
        for line, r in rows:
            owner = stored.get(r[4], r[0])
            if owner != r[0]:
                message = f"{r[4]} already belongs to contact {owner!r}"
                self.fail((4, 0), index, FileError(self.paths[index], line, "email", message))

    def _write_accounts(self, rows: list[Any]) -> int:
        edges = []
        for row, tech_text in rows:
            src = f"account:{row[0]}"
            for tech in filter(None, (t.strip() for t in tech_text.split(";"))):
                edges.append((src, "uses", f"tech:{slug(tech)}", 1.0, "accounts"))
            if row[7] == "customer" and row[6]:
                edges.append((f"am:{row[6]}", "won", src, 1.0, "accounts"))
        self.pipe.submit(self.accounts_w, [r for r, _ in rows])
        self.pipe.submit(self.edges_w, edges)
        self.add("accounts", len(rows))
        return len(rows)


_ORDER = {k: i for i, k in enumerate(KINDS)}
_TABLES: dict[str, tuple[type[SQLModel], ...]] = {
    "accounts": (Account, Edge),
    "contacts": (Contact,),
    "signals": (Signal, Edge),
}


def load(
    db: Database, paths: list[Path], kind: str | None = None, progress: Progress | None = None
) -> dict[str, int]:
    """Validate and write everything in one transaction, all or nothing. Returns row counts.

    Files are streamed (knowledge first, then accounts, contacts, signals), so a million
    rows need 8 bytes per id and email; a bad row anywhere rolls back what was written."""
    progress = progress or Progress()
    kinds = [kind or kind_of(p) for p in paths]
    errors: list[tuple[Order, FileError]] = []
    for i, (path, k) in enumerate(zip(paths, kinds, strict=True)):
        if k is None:
            message = f"cannot tell what this holds; name it {', '.join(KINDS)} or pass --kind"
            errors.append(((0, 0, i, 0), FileError(path, None, None, message)))
        elif not path.is_file():
            errors.append(((0, 0, i, 0), FileError(path, None, None, "no such file")))
    given = Batch()
    for i, (path, k) in enumerate(zip(paths, kinds, strict=True)):
        if k == "knowledge" and path.is_file():
            before = len(given.errors)
            _read_knowledge(path, given)
            if given.knowledge is not None and len(given.errors) == before:
                _check_knowledge(path, given.knowledge, given)
            errors += [((0, 0, i, e.line or 0), e) for e in given.errors[before:]]
    matcher = _Matcher(given.knowledge or _stored_knowledge(db))
    streamed = sorted(
        (i for i, k in enumerate(kinds) if k in ("accounts", "contacts", "signals")),
        key=lambda i: _ORDER[kinds[i] or ""],
    )
    mark = _signal_mark(db)
    with db.session() as s:
        run = _Load(s, paths, progress)
        run.errors += errors
        if given.knowledge is not None and not run.errors:
            caps, edges, nodes = knowledge_rows(given.knowledge)
            run.counts["capabilities"] = upsert(s, Capability, caps, ["id"])
            run.counts["knowledge edges"] = upsert(s, Edge, edges, ["src", "rel", "dst"])
            upsert(s, Node, nodes, ["key"])
        tables = {m for i in streamed for m in _TABLES[kinds[i] or ""] if paths[i].is_file()}
        incoming = sum(paths[i].stat().st_size for i in streamed if paths[i].is_file())
        later = LaterIndexes(s, sorted(tables, key=lambda m: m.__name__), incoming // BYTES_PER_ROW)
        try:
            for i in streamed:
                if paths[i].is_file():
                    run.file(i, kinds[i] or "", matcher)
            run.finish()
            run.pipe.drain()
        finally:
            run.pipe.close()  # no write may still be running when the session ends
        if run.errors:
            raise ImportFailed([e for _, e in sorted(run.errors, key=lambda x: x[0])])
        if run.pipe.refused is not None:
            # A constraint the checks above did not foresee (two ids sharing a hash, say):
            # nothing is written, with the database's words.
            raise run.pipe.refused
        later.build()
    if run.signals_w.written:
        _rewind(db, mark)
    db.analyze(sorted({str(m.__tablename__) for m in tables} | {"edge"}))
    counts = dict(run.counts)
    for k in ("accounts", "contacts"):
        if any(kinds[i] == k for i in streamed):
            counts.setdefault(k, 0)
    if any(kinds[i] == "signals" for i in streamed):
        counts["signals"] = run.signals_w.written
        if run.signal_rows > counts["signals"]:
            counts["duplicate signals"] = run.signal_rows - counts["signals"]
    return counts


def ingest_signals(db: Database, items: list[Any], source: str) -> dict[str, int]:
    """Signals from a webhook or a feed: the same validation, dedupe and graph edges as a
    file import, all or nothing. Errors name the item (`signals[3].kind`)."""
    batch = Batch()
    where = Path(source)
    for i, raw in enumerate(items):
        try:
            # `line` carries the item's index, so later checks can name signals[i] too
            batch.signals.append((SignalRow.model_validate(raw), FileError(where, i, None, "")))
        except ValidationError as exc:
            err = exc.errors()[0]
            path = ".".join(str(p) for p in err["loc"])
            batch.errors.append(
                FileError(where, None, f"signals[{i}]" + (f".{path}" if path else ""), err["msg"])
            )
    return commit(db, batch)


def _signal_mark(db: Database) -> int:
    with db.session() as s:
        return candidates.marks(s).signal


def _rewind(db: Database, mark: int) -> None:
    """This import's signals have ids above `mark`, committed only now: agents' ticks read
    from there again (see storage.candidates.rewind_signal_marks)."""
    with db.session() as s:
        candidates.rewind_signal_marks(s, mark)


def commit(db: Database, batch: Batch) -> dict[str, int]:
    _check_references(db, batch)
    if batch.errors:
        raise ImportFailed(batch.errors)
    mark = _signal_mark(db) if batch.signals else 0
    counts = _write(db, batch)
    if counts.get("signals"):
        _rewind(db, mark)
    return counts


def _write(db: Database, batch: Batch) -> dict[str, int]:

    knowledge = batch.knowledge or _stored_knowledge(db)
    counts = {}
    with db.session() as s:
        if batch.knowledge is not None:
            caps, edges, nodes = knowledge_rows(batch.knowledge)
            counts["capabilities"] = upsert(s, Capability, caps, ["id"])
            counts["knowledge edges"] = upsert(s, Edge, edges, ["src", "rel", "dst"])
            upsert(s, Node, nodes, ["key"])
        account_rows, tech_edges = [], []
        for row, _ in batch.accounts:
            data = row.model_dump(exclude={"tech"})
            account_rows.append(data)
            for tech in filter(None, (t.strip() for t in row.tech.split(";"))):
                tid = slug(tech)
                tech_edges.append(
                    {
                        "src": f"account:{row.id}",
                        "rel": "uses",
                        "dst": f"tech:{tid}",
                        "weight": 1.0,
                        "source": "accounts",
                    }
                )
            if row.customer_status == "customer" and row.owner_am:
                tech_edges.append(
                    {
                        "src": f"am:{row.owner_am}",
                        "rel": "won",
                        "dst": f"account:{row.id}",
                        "weight": 1.0,
                        "source": "accounts",
                    }
                )
        counts["accounts"] = prospects.upsert_accounts(s, account_rows)
        upsert(s, Edge, tech_edges, ["src", "rel", "dst"])
        counts["contacts"] = upsert(s, Contact, (r.model_dump() for r, _ in batch.contacts), ["id"])
        signal_rows, signal_edges = [], []
        for signal, _ in batch.signals:
            data = signal.model_dump()
            data["dedupe_key"] = signal.dedupe_key or dedupe_key(signal)
            signal_rows.append(data)
            signal_edges.extend(edges_for_signal(signal, knowledge))
        known = prospects.existing_dedupe_keys(s, [r["dedupe_key"] for r in signal_rows])
        fresh = {r["dedupe_key"] for r in signal_rows} - known
        upsert(s, Signal, signal_rows, ["dedupe_key"], update=False)
        counts["signals"] = len(fresh)
        if known:
            counts["duplicate signals"] = len(signal_rows) - len(fresh)
        upsert(s, Edge, signal_edges, ["src", "rel", "dst"])
    return counts


def dedupe_key(row: SignalRow) -> str:
    return (
        f"{row.account_id}|{row.kind}|{slug(row.detail or row.summary)}|{row.observed_at:%Y-%m-%d}"
    )


def _stored_knowledge(db: Database) -> Knowledge | None:
    """Rebuild the matching rules from stored nodes, so signals imported alone still map."""
    with db.session() as s:
        roles = prospects.nodes_with_prefix(s, "role:")
        tech = prospects.nodes_with_prefix(s, "tech:")
    if not roles and not tech:
        return None
    return Knowledge.model_construct(
        capabilities=[],
        problems={},
        roles={k: Weighted(name=label, matches=alias) for k, (label, alias) in roles.items()},
        tech={k: Weighted(name=label, matches=alias) for k, (label, alias) in tech.items()},
        events={},
    )
