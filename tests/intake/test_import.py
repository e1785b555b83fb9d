"""`twoloop import` on both databases: all or nothing, errors pinned to file, line and field."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
import yaml
from sqlmodel import func, select

from bot.intake.importer import ImportFailed, load
from storage.models import Account, Capability, Contact, Edge, Node, Signal

TABLES = (Account, Contact, Signal, Capability, Edge, Node)

KNOWLEDGE = """\
capabilities:
  - id: pipelines
    name: Pipelines
    summary: managed pipelines.
    proof: Fernhill cut incidents by 60%.
    solves: {pipeline-reliability: 0.9}
problems:
  pipeline-reliability: unreliable data pipelines
roles:
  data-engineer:
    name: data engineer
    matches: [data engineer, analytics engineer]
    indicates: {pipeline-reliability: 0.8}
tech:
  airflow:
    name: Airflow
    matches: [airflow]
    indicates: {pipeline-reliability: 0.7}
"""

ACCOUNTS = """\
id,name,domain,industry,employees,country,owner_am,customer_status,tech
good1,Good One,good1.example,software,100,GB,U0AMDANA01,prospect,Airflow
good2,Good Two,good2.example,software,200,US,U0AMDANA01,prospect,
good3,Good Three,good3.example,fintech,300,US,U0AMLEO002,customer,
"""

CONTACTS = """\
id,account_id,first_name,last_name,email,title
p1,good1,Ann,One,ann@good1.example,Head of Data
p2,good2,Bob,Two,bob@good2.example,CTO
p3,good3,Cat,Three,cat@good3.example,CISO
"""

SIGNALS = """\
account_id,kind,summary,detail,source,url,observed_at
good1,hiring,Good One is hiring data engineers,Senior Data Engineer,jobs,,2025-01-02T09:00:00Z
good2,tech_adoption,Good Two moved to Airflow,Airflow,blog,,2025-01-03T09:00:00Z
good3,funding,Good Three raised a Series A,Series A,news,,2025-01-04T09:00:00Z
"""


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def good(tmp_path) -> dict[str, Path]:
    folder = tmp_path / "good"
    return {
        "accounts": write(folder, "accounts.csv", ACCOUNTS),
        "contacts": write(folder, "contacts.csv", CONTACTS),
        "signals": write(folder, "signals.csv", SIGNALS),
        "knowledge": write(folder, "knowledge.yml", KNOWLEDGE),
    }


def counts(db) -> dict[str, int]:
    with db.session() as s:
        return {m.__name__: s.exec(select(func.count()).select_from(m)).one() for m in TABLES}


def edges(db) -> set[tuple[str, str, str]]:
    with db.session() as s:
        return {(e.src, e.rel, e.dst) for e in s.exec(select(Edge))}


def failure(db, paths: list[Path], kind: str | None = None) -> ImportFailed:
    with pytest.raises(ImportFailed) as info:
        load(db, paths, kind)
    return info.value


def csv_rows(path: Path) -> int:
    with path.open(newline="", encoding="utf-8") as fh:
        return sum(1 for _ in csv.DictReader(fh))


# --- the starter data -----------------------------------------------------------------------


def test_starter_data_imports(empty_db, home):
    files = sorted((home / "data").iterdir())
    data = home / "data"
    knowledge = yaml.safe_load((data / "knowledge.yml").read_text())
    result = load(empty_db, files)
    assert result["accounts"] == csv_rows(data / "accounts.csv")
    assert result["contacts"] == csv_rows(data / "contacts.csv")
    assert result["signals"] == csv_rows(data / "signals.csv")
    assert result["capabilities"] == len(knowledge["capabilities"])
    stored = counts(empty_db)
    assert stored["Account"] == result["accounts"]
    assert stored["Contact"] == result["contacts"]
    assert stored["Signal"] == result["signals"]
    assert stored["Capability"] == result["capabilities"]
    assert stored["Edge"] > result["knowledge edges"]  # plus accounts' and signals' edges


def test_reimport_is_idempotent(empty_db, home):
    files = sorted((home / "data").iterdir())
    load(empty_db, files)
    first = counts(empty_db)
    first_edges = edges(empty_db)
    with empty_db.session() as s:
        first_signals = {(x.id, x.dedupe_key) for x in s.exec(select(Signal))}
    load(empty_db, files)
    assert counts(empty_db) == first
    assert edges(empty_db) == first_edges
    with empty_db.session() as s:
        assert {(x.id, x.dedupe_key) for x in s.exec(select(Signal))} == first_signals


def test_reimport_updates_accounts_in_place(empty_db, good, tmp_path):
    load(empty_db, list(good.values()))
    changed = write(tmp_path / "v2", "accounts.csv", ACCOUNTS.replace("Good One", "Good Uno"))
    load(empty_db, [changed])
    with empty_db.session() as s:
        assert s.get(Account, "good1").name == "Good Uno"
    assert counts(empty_db)["Account"] == 3


def test_same_signal_twice_is_stored_once(empty_db, good, tmp_path):
    load(empty_db, list(good.values()))
    before = counts(empty_db)["Signal"]
    # the same signal again, later the same day and from a JSONL feed
    again = write(
        tmp_path / "feed",
        "signals.jsonl",
        json.dumps(
            {
                "account_id": "good1",
                "kind": "hiring",
                "summary": "Good One is hiring data engineers",
                "detail": "Senior Data Engineer",
                "observed_at": "2025-01-02T17:30:00Z",
            }
        )
        + "\n",
    )
    load(empty_db, [again])
    assert counts(empty_db)["Signal"] == before


# --- errors: file, line, field; nothing written ----------------------------------------------


@pytest.mark.parametrize(
    ("name", "bad_line", "field"),
    [
        ("contacts.csv", "p9,good2,Dan,Nine,not-an-email,CTO", "email"),
        ("signals.csv", "good2,gossip,Heard a rumour,,,,2025-01-05T09:00:00Z", "kind"),
        (
            "accounts.csv",
            "good9,Good Nine,good9.example,software,lots,GB,U0AMDANA01,prospect,",
            "employees",
        ),
    ],
)
def test_bad_row_on_line_4_fails_the_whole_batch(empty_db, good, name, bad_line, field):
    path = good[name.split(".")[0]]
    lines = path.read_text().splitlines()
    path.write_text("\n".join([*lines[:3], bad_line, *lines[3:]]) + "\n")
    assert path.read_text().splitlines()[3] == bad_line  # line 4 of the file

    err = failure(empty_db, list(good.values()))
    [only] = err.errors
    assert (only.path, only.line, only.field) == (path, 4, field)
    assert f"{path}:4: {field}: " in str(err)
    assert counts(empty_db) == dict.fromkeys(counts(empty_db), 0)


def test_errors_from_several_files_are_all_reported(empty_db, good):
    good["contacts"].write_text(CONTACTS.replace("bob@good2.example", "bob-at-good2"))
    good["signals"].write_text(SIGNALS.replace("tech_adoption", "gossip"))
    err = failure(empty_db, list(good.values()))
    assert {(e.path.name, e.line, e.field) for e in err.errors} == {
        ("contacts.csv", 3, "email"),
        ("signals.csv", 3, "kind"),
    }
    assert len(str(err).splitlines()) == 2
    assert sum(counts(empty_db).values()) == 0


def test_contact_of_an_unknown_account(empty_db, good):
    good["contacts"].write_text(CONTACTS + "p4,ghost,Gus,Host,gus@ghost.example,CTO\n")
    err = failure(empty_db, list(good.values()))
    [only] = err.errors
    assert (only.path, only.line, only.field) == (good["contacts"], 5, "account_id")
    assert "'ghost'" in only.message
    assert sum(counts(empty_db).values()) == 0


def test_contact_may_point_at_an_account_already_stored(empty_db, good, tmp_path):
    load(empty_db, [good["accounts"]])
    more = write(tmp_path / "more", "contacts.csv", CONTACTS)
    assert load(empty_db, [more])["contacts"] == 3


def test_signal_of_an_unknown_account(empty_db, good):
    err = failure(empty_db, [good["signals"]])
    assert {(e.line, e.field) for e in err.errors} == {
        (2, "account_id"),
        (3, "account_id"),
        (4, "account_id"),
    }


def test_duplicate_email_in_one_file(empty_db, good):
    good["contacts"].write_text(CONTACTS + "p4,good1,Ann,Again,ann@good1.example,CTO\n")
    err = failure(empty_db, list(good.values()))
    [only] = err.errors
    assert (only.line, only.field) == (5, "email")
    assert "line 2" in only.message


def test_too_many_values_on_a_row(empty_db, good):
    good["accounts"].write_text(
        ACCOUNTS + "x,X,x.example,software,1,GB,U0AMDANA01,prospect,,extra\n"
    )
    [only] = failure(empty_db, [good["accounts"]]).errors
    assert only.line == 5


def test_file_whose_kind_cannot_be_told(empty_db, tmp_path):
    path = write(tmp_path, "people.csv", CONTACTS)
    [only] = failure(empty_db, [path]).errors
    assert only.path == path and "--kind" in only.message


def test_kind_option_overrides_the_file_name(empty_db, good, tmp_path):
    load(empty_db, [good["accounts"]])
    path = write(tmp_path, "people.csv", CONTACTS)
    assert load(empty_db, [path], kind="contacts")["contacts"] == 3


# --- JSONL ----------------------------------------------------------------------------------


def jsonl(*rows: dict | str) -> str:
    return "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows)


def test_signals_as_jsonl(empty_db, good, tmp_path):
    path = write(
        tmp_path / "feed",
        "signals.jsonl",
        jsonl(
            {
                "account_id": "good2",
                "kind": "hiring",
                "summary": "Good Two is hiring an analytics engineer",
                "detail": "Analytics Engineer",
                "observed_at": "2025-02-01T10:00:00+00:00",
            },
            "",
            {
                "account_id": "good3",
                "kind": "intent",
                "summary": "Good Three read our pricing page",
                "observed_at": "2025-02-02",
            },
        ),
    )
    result = load(empty_db, [good["accounts"], good["knowledge"], path])
    assert result["signals"] == 2
    with empty_db.session() as s:
        stored = {x.account_id: x for x in s.exec(select(Signal))}
    assert set(stored) == {"good2", "good3"}
    assert stored["good3"].kind == "intent"
    assert stored["good2"].observed_at.year == 2025
    assert ("account:good2", "hiring_for", "role:data-engineer") in edges(empty_db)


def test_bad_json_line_names_its_line(empty_db, good, tmp_path):
    load(empty_db, [good["accounts"]])
    row = {"account_id": "good1", "kind": "hiring", "summary": "S", "observed_at": "2025-01-01"}
    path = write(tmp_path / "feed", "signals.jsonl", jsonl(row, "{not json", row))
    [only] = failure(empty_db, [path]).errors
    assert (only.path, only.line) == (path, 2)
    assert "JSON" in only.message
    assert counts(empty_db)["Signal"] == 0


def test_bad_field_in_jsonl_names_its_line(empty_db, good, tmp_path):
    load(empty_db, [good["accounts"]])
    ok = {"account_id": "good1", "kind": "hiring", "summary": "S", "observed_at": "2025-01-01"}
    path = write(
        tmp_path / "feed", "signals.jsonl", jsonl(ok, ok | {"observed_at": "yesterday-ish"})
    )
    [only] = failure(empty_db, [path]).errors
    assert (only.line, only.field) == (2, "observed_at")


# --- knowledge ------------------------------------------------------------------------------


def test_knowledge_with_an_unknown_problem(empty_db, good):
    good["knowledge"].write_text(
        KNOWLEDGE.replace("indicates: {pipeline-reliability: 0.8}", "indicates: {nosuch: 0.8}")
    )
    err = failure(empty_db, list(good.values()))
    [only] = err.errors
    assert only.path == good["knowledge"]
    assert "'nosuch'" in only.message and only.field == "roles"
    assert sum(counts(empty_db).values()) == 0


def test_knowledge_with_an_unknown_field_names_its_line(empty_db, good):
    good["knowledge"].write_text(KNOWLEDGE.replace("    proof:", "    colour: red\n    proof:"))
    [only] = failure(empty_db, [good["knowledge"]]).errors
    assert only.field == "capabilities.0.colour"
    assert only.line == 5


def test_graph_edges_from_signals_accounts_and_knowledge(empty_db, good):
    load(empty_db, list(good.values()))
    got = edges(empty_db)
    assert {
        ("account:good1", "hiring_for", "role:data-engineer"),
        ("account:good1", "signalled", "event:hiring"),
        ("account:good2", "uses", "tech:airflow"),  # tech_adoption signal
        ("account:good1", "uses", "tech:airflow"),  # tech column of accounts.csv
        ("am:U0AMLEO002", "won", "account:good3"),  # a customer
        ("capability:pipelines", "solves", "problem:pipeline-reliability"),
        ("role:data-engineer", "indicates", "problem:pipeline-reliability"),
    } <= got
    # a funding signal does not hire anybody
    assert not any(src == "account:good3" and rel == "hiring_for" for src, rel, _ in got)


def test_signals_imported_alone_still_map_to_roles(empty_db, good):
    load(empty_db, [good["accounts"], good["knowledge"]])
    load(empty_db, [good["signals"]])
    assert ("account:good1", "hiring_for", "role:data-engineer") in edges(empty_db)
    assert ("account:good2", "uses", "tech:airflow") in edges(empty_db)


def test_signals_imported_alone_use_the_role_synonyms(empty_db, good, tmp_path):
    load(empty_db, [good["accounts"], good["knowledge"]])
    path = write(
        tmp_path / "feed",
        "signals.csv",
        SIGNALS.splitlines()[0]
        + "\ngood2,hiring,Good Two is hiring,Analytics Engineer,jobs,,2025-01-05T09:00:00Z\n",
    )
    load(empty_db, [path])
    assert ("account:good2", "hiring_for", "role:data-engineer") in edges(empty_db)


def test_starter_hiring_signal_edge(empty_db, home):
    load(empty_db, sorted((home / "data").iterdir()))
    assert ("account:acme", "hiring_for", "role:data-engineer") in edges(empty_db)


# --- duplicates and multi-line records ------------------------------------------------------


def test_email_already_stored_for_another_contact(empty_db, good, tmp_path):
    load(empty_db, list(good.values()))
    other = write(tmp_path / "v2", "contacts.csv", CONTACTS.replace("p1,", "p1-new,"))
    [only] = failure(empty_db, [other]).errors
    assert (only.line, only.field) == (2, "email")


def test_duplicate_account_id_in_one_file(empty_db, good):
    good["accounts"].write_text(ACCOUNTS + "good1,Good One Again,good1b.example,software,5,,,,\n")
    [only] = failure(empty_db, [good["accounts"]]).errors
    assert (only.line, only.field) == (5, "id")


def test_same_email_in_two_files_of_one_batch(empty_db, good, tmp_path):
    header, first_row = CONTACTS.splitlines()[:2]
    more = write(
        tmp_path / "more", "contacts-more.csv", f"{header}\n{first_row.replace('p1,', 'p9,')}\n"
    )
    err = failure(empty_db, [*good.values(), more])
    [only] = err.errors
    assert (only.path, only.line, only.field) == (more, 2, "email")
    assert str(good["contacts"]) in only.message
    assert sum(counts(empty_db).values()) == 0


def test_multiline_record_reports_its_first_line(empty_db, tmp_path):
    path = write(
        tmp_path,
        "accounts.csv",
        'id,name,domain,employees,am_notes\nx1,X,x.example,lots,"two\nlines"\n',
    )
    [only] = failure(empty_db, [path]).errors
    assert (only.line, only.field) == (2, "employees")
