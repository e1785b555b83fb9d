"""The streaming bulk import: all or nothing across many written batches on both
databases, the fast validation path agreeing with the models, and the progress it reports."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import ValidationError
from rich.console import Console
from sqlmodel import func, select

from bot.cli.progress import ImportBars
from bot.intake import importer
from bot.intake.importer import (
    ACCOUNT_COLUMNS,
    CONTACT_COLUMNS,
    SIGNAL_COLUMNS,
    AccountRow,
    ContactRow,
    ImportFailed,
    Progress,
    SignalRow,
    load,
    validated,
)
from storage.models import Account, Contact, Edge, Signal

TABLES = (Account, Contact, Signal, Edge)


def files(folder: Path, n: int, bad: str = "") -> list[Path]:
    """n accounts with two contacts and one signal each; `bad` spoils the last row of one."""
    folder.mkdir(parents=True, exist_ok=True)
    accounts = ["id,name,domain,industry,employees,country,owner_am,customer_status,tech"]
    contacts = ["id,account_id,first_name,last_name,email,title"]
    signals = ["account_id,kind,summary,detail,source,url,observed_at"]
    for i in range(n):
        accounts.append(f"a{i},Co {i},co{i}.example,software,{i},GB,U1,customer,Airflow;dbt")
        for c in range(2):
            contacts.append(f"a{i}-{c},a{i},Ann,L{i},p{c}@co{i}.example,CTO")
        signals.append(f"a{i},funding,Co {i} raised,Series A,news,,2025-01-0{1 + i % 9}T09:00:00Z")
    if bad == "contacts":
        contacts.append(f"zz,a{n - 1},Zed,Z,not-an-email,CTO")
    if bad == "signals":
        signals.append("ghost,funding,Ghost raised,Series A,news,,2025-01-01T09:00:00Z")
    if bad == "accounts":
        accounts.append("a0,Again,again.example,software,1,GB,U1,prospect,")
    out = []
    for name, rows in (("accounts", accounts), ("contacts", contacts), ("signals", signals)):
        path = folder / f"{name}.csv"
        path.write_text("\n".join(rows) + "\n", encoding="utf-8")
        out.append(path)
    return out


def counts(db) -> dict[str, int]:
    with db.session() as s:
        return {m.__name__: s.exec(select(func.count()).select_from(m)).one() for m in TABLES}


class Recording(Progress):
    def __init__(self) -> None:
        self.events: list[tuple[str, str, int]] = []

    def start(self, path: Path, size: int) -> None:
        self.events.append(("start", path.name, size))

    def read(self, path: Path, rows: int, at: int) -> None:
        self.events.append(("read", path.name, rows))

    def written(self, path: Path, rows: int) -> None:
        self.events.append(("written", path.name, rows))


@pytest.fixture
def small_batches(monkeypatch):
    monkeypatch.setattr(importer, "WRITE_BATCH", 7)


# --- all or nothing, with batches already written ------------------------------------------


@pytest.mark.parametrize(
    ("bad", "line", "field"),
    [("contacts", 62, "email"), ("signals", 32, "account_id"), ("accounts", 32, "id")],
)
def test_a_bad_last_row_takes_back_every_written_batch(
    empty_db, tmp_path, small_batches, bad, line, field
):
    paths = files(tmp_path / "data", 30, bad=bad)
    with pytest.raises(ImportFailed) as info:
        load(empty_db, paths)
    [only] = info.value.errors
    assert (only.path.name, only.line, only.field) == (f"{bad}.csv", line, field)
    assert counts(empty_db) == dict.fromkeys(counts(empty_db), 0)


def test_a_failed_reimport_leaves_the_stored_rows_as_they_were(empty_db, tmp_path, small_batches):
    load(empty_db, files(tmp_path / "v1", 30))
    before = counts(empty_db)
    v2 = files(tmp_path / "v2", 40, bad="signals")
    v2[0].write_text(v2[0].read_text().replace("Co 3,", "Renamed,"))
    with pytest.raises(ImportFailed):
        load(empty_db, v2)
    assert counts(empty_db) == before
    with empty_db.session() as s:
        assert s.get(Account, "a3").name == "Co 3"


def test_many_batches_write_everything_once(empty_db, tmp_path, small_batches):
    paths = files(tmp_path / "data", 30)
    assert load(empty_db, paths) == {"accounts": 30, "contacts": 60, "signals": 30}
    again = load(empty_db, paths)
    assert again == {"accounts": 30, "contacts": 60, "signals": 0, "duplicate signals": 30}
    got = counts(empty_db)
    assert (got["Account"], got["Contact"], got["Signal"]) == (30, 60, 30)
    with empty_db.session() as s:
        edges = {(e.src, e.rel, e.dst) for e in s.exec(select(Edge))}
    assert ("account:a29", "uses", "tech:dbt") in edges
    assert ("am:U1", "won", "account:a0") in edges
    assert ("account:a5", "signalled", "event:funding") in edges


def test_a_synced_owner_survives_a_bulk_reimport(empty_db, tmp_path):
    paths = files(tmp_path / "data", 3)
    load(empty_db, paths)
    with empty_db.session() as s:
        a = s.get(Account, "a1")
        a.crm_id, a.owner_am, a.customer_source = "77", "U0FROMCRM", "crm:hubspot"
        a.customer_status = "prospect"
        s.add(a)
    load(empty_db, paths)
    with empty_db.session() as s:
        a = s.get(Account, "a1")
        assert (a.owner_am, a.customer_status, a.name) == ("U0FROMCRM", "prospect", "Co 1")


# --- the fast path says what the models say -------------------------------------------------

ACCOUNTS = [
    {"id": "a", "name": "N", "domain": "a.io"},
    {
        "id": " a ",
        "name": " Ünïcode ",
        "domain": " A.IO ",
        "industry": " SoftWare ",
        "country": "gb",
    },
    {"id": "a", "name": "N", "domain": "a.io", "employees": "007", "do_not_contact": "Yes"},
    {"id": "a", "name": "N", "domain": "a.io", "employees": " 12 ", "do_not_contact": "0"},
    {"id": "a", "name": "N\x00", "domain": "a.io", "last_touch_at": "2025-01-02T10:00:00+02:00"},
    {"id": "a", "name": "N", "domain": "a.io", "last_touch_at": "2025-01-02", "tech": " x;y "},
    {"id": "a", "name": "N", "domain": "a.io", "customer_status": "customer", "extra": "x"},
]
CONTACTS = [
    {"id": "c", "account_id": "a", "first_name": "A", "email": " Ann@X.IO "},
    {"id": "c", "account_id": "a", "first_name": "Zoë", "email": "zoë@x.io", "title": " CTO "},
    {"id": "c", "account_id": "a", "first_name": "A", "email": "a@x.io", "do_not_contact": "T"},
]
SIGNALS = [
    {"account_id": "a", "kind": "hiring", "summary": " S ", "observed_at": "2025-01-02"},
    {"account_id": "a", "kind": "intent", "summary": "S", "observed_at": "2025-01-02T09:00Z"},
    {"account_id": "a", "kind": "funding", "summary": "S", "observed_at": "2025-01-02T09:00:00"},
]
BAD = [
    ("accounts", {"id": "a", "name": "N", "domain": "nodot"}),
    ("accounts", {"id": "a", "name": " ", "domain": "a.io"}),
    ("accounts", {"id": "a", "name": "N", "domain": "a.io", "employees": "-1"}),
    ("accounts", {"id": "a", "name": "N", "domain": "a.io", "customer_status": "lead"}),
    ("contacts", {"id": "c", "account_id": "a", "first_name": "A", "email": "a@@x"}),
    (
        "contacts",
        {
            "id": "c",
            "account_id": "a",
            "first_name": "A",
            "email": "a@x.io",
            "do_not_contact": "maybe",
        },
    ),
    ("signals", {"account_id": "a", "kind": "Hiring", "summary": "S", "observed_at": "2025-01-02"}),
    ("signals", {"account_id": "a", "kind": "intent", "summary": "S", "observed_at": "soon"}),
    ("signals", {"account_id": "a", "kind": "intent", "summary": "S"}),
]


def as_model(kind: str, raw: dict) -> object:
    if kind == "accounts":
        a = AccountRow.model_validate(raw)
        return tuple(getattr(a, c) for c in ACCOUNT_COLUMNS), a.tech
    if kind == "contacts":
        c = ContactRow.model_validate(raw)
        return tuple(getattr(c, f) for f in CONTACT_COLUMNS)
    sig = SignalRow.model_validate(raw)
    return tuple(getattr(sig, f) for f in SIGNAL_COLUMNS[:-1])


@pytest.mark.parametrize(
    ("kind", "raw"),
    [*(("accounts", r) for r in ACCOUNTS), *(("contacts", r) for r in CONTACTS)]
    + [("signals", r) for r in SIGNALS],
)
def test_fast_path_gives_what_the_model_gives(kind, raw):
    assert validated(kind, raw) == as_model(kind, raw)


@pytest.mark.parametrize(("kind", "raw"), BAD)
def test_fast_path_leaves_bad_rows_to_the_model(kind, raw):
    with pytest.raises(ValidationError) as fast:
        validated(kind, raw)
    with pytest.raises(ValidationError) as model:
        as_model(kind, raw)
    assert fast.value.errors()[0]["msg"] == model.value.errors()[0]["msg"]


def test_times_keep_their_offset():
    row = validated("signals", SIGNALS[0] | {"observed_at": "2025-01-02T10:00:00+02:00"})
    assert row[6].astimezone(UTC) == datetime(2025, 1, 2, 8, tzinfo=UTC)


# --- progress ---------------------------------------------------------------------------------


def test_progress_counts_rows_read_and_written_per_file(empty_db, tmp_path, small_batches):
    paths = files(tmp_path / "data", 10)
    seen = Recording()
    load(empty_db, paths, progress=seen)
    last = {}
    for event, name, n in seen.events:
        last[(event, name)] = n
    assert [e for e in seen.events if e[0] == "start"] == [
        ("start", p.name, p.stat().st_size) for p in paths
    ]
    assert last[("read", "contacts.csv")] == last[("written", "contacts.csv")] == 20
    assert last[("written", "signals.csv")] == 10
    # contacts were reported in batches as they went, not once at the end
    assert len([e for e in seen.events if e[:2] == ("written", "contacts.csv")]) >= 3


def test_progress_stops_counting_writes_after_an_error(empty_db, tmp_path, small_batches):
    paths = files(tmp_path / "data", 10, bad="accounts")
    seen = Recording()
    with pytest.raises(ImportFailed):
        load(empty_db, paths, progress=seen)
    written = {name: n for event, name, n in seen.events if event == "written"}
    assert written["signals.csv"] == 0  # checked, never written
    read = {name: n for event, name, n in seen.events if event == "read"}
    assert read["signals.csv"] == 10


def test_bars_are_drawn_on_a_terminal(empty_db, tmp_path):
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=120)
    with ImportBars(console) as bars:
        load(empty_db, files(tmp_path / "data", 5), progress=bars)
    text = out.getvalue()
    for name in ("accounts.csv", "contacts.csv", "signals.csv"):
        assert name in text
    assert "10 read" in text and "10 written" in text  # the contacts file, done
    assert "100%" in text


def test_bars_say_nothing_when_not_on_a_terminal(empty_db, tmp_path):
    out = io.StringIO()
    with ImportBars(Console(file=out, force_terminal=False)) as bars:
        load(empty_db, files(tmp_path / "data", 5), progress=bars)
    assert out.getvalue() == ""
