"""`twoloop import`: accounts, contacts, signals and the knowledge graph from files.

Everything is parsed and validated first; only when every row of every file is good is
anything written, in one transaction. A bad row is reported with its file, line and field.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.config.agents import SignalKind
from bot.config.frontmatter import FileError, line_of
from bot.core.signal_edges import NAMED, mentions
from bot.storable import storable
from storage import prospects
from storage.db import Database
from storage.models import Capability, Contact, Edge, Node, Signal
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


def _rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    if path.suffix == ".jsonl":
        with path.open(encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                if line.strip():
                    try:
                        yield n, json.loads(line)
                    except json.JSONDecodeError as exc:
                        raise FileError(path, n, None, f"invalid JSON: {exc.msg}") from None
        return
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        start = 2
        for row in reader:
            # line_num is where a record ends; a quoted field may span lines, so report the
            # line it starts on.
            if None in row:
                raise FileError(path, start, None, "more values than header columns")
            yield start, {k: v for k, v in row.items() if v not in (None, "")}
            start = reader.line_num + 1


def read(paths: list[Path], kind: str | None = None) -> Batch:
    batch = Batch()
    for path in paths:
        k = kind or kind_of(path)
        if k is None:
            batch.errors.append(
                FileError(
                    path,
                    None,
                    None,
                    f"cannot tell what this holds; name it {', '.join(KINDS)} or pass --kind",
                )
            )
            continue
        if not path.is_file():
            batch.errors.append(FileError(path, None, None, "no such file"))
            continue
        if k == "knowledge":
            _read_knowledge(path, batch)
            continue
        models: dict[str, type[Row]] = {
            "accounts": AccountRow,
            "contacts": ContactRow,
            "signals": SignalRow,
        }
        model = models[k]
        target = getattr(batch, k)
        try:
            for line, raw in _rows(path):
                try:
                    target.append((model.model_validate(raw), FileError(path, line, None, "")))
                except ValidationError as exc:
                    err = exc.errors()[0]
                    batch.errors.append(
                        FileError(path, line, ".".join(map(str, err["loc"])), err["msg"])
                    )
        except FileError as err:
            batch.errors.append(err)
        except UnicodeDecodeError:
            batch.errors.append(FileError(path, None, None, "not UTF-8 text"))
    return batch


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


def load(db: Database, paths: list[Path], kind: str | None = None) -> dict[str, int]:
    """Validate everything, then write everything in one transaction. Returns row counts."""
    batch = read(paths, kind)
    if batch.knowledge is not None:
        kpath = next((p for p in paths if (kind or kind_of(p)) == "knowledge"), None)
        _check_knowledge(kpath, batch.knowledge, batch)
    return commit(db, batch)


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


def commit(db: Database, batch: Batch) -> dict[str, int]:
    _check_references(db, batch)
    if batch.errors:
        raise ImportFailed(batch.errors)

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
