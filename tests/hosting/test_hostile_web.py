"""POST /signals against hostile and careless callers: bodies that nest without end, tokens
sent without their scheme, shapes that are not signals. Each gets a 4xx a person can act on,
never a 500 with a traceback, and nothing is stored."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import func, select

from bot.intake.importer import load
from bot.runtime import Runtime
from handlers.hosting.web import MAX_DEPTH, build_web
from storage.models import Signal
from tests.conftest import SIGNALS_TOKEN, make_settings

AUTH = {"Authorization": f"Bearer {SIGNALS_TOKEN}"}
JSON = {**AUTH, "Content-Type": "application/json"}
GOOD = {
    "account_id": "harbor",
    "kind": "hiring",
    "summary": "Harbor is hiring an analytics engineer",
    "detail": "Analytics Engineer",
    "observed_at": "2026-11-20T08:00:00Z",
    "dedupe_key": "harbor-ae-hostile",
}


@pytest.fixture
def web(home: Path, tmp_path):
    """The Flask app behind the HTTP front, over SQLite, with the sample data."""
    rt = Runtime(
        make_settings(home, f"sqlite:///{tmp_path / 'web.db'}", TWOLOOP_SIGNALS_TOKEN=SIGNALS_TOKEN)
    )
    rt.db.upgrade()
    load(rt.db, sorted((home / "data").iterdir()))
    app = build_web(rt)
    app.rt = rt
    yield app.test_client()
    rt.db.dispose()


def stored(client) -> int:
    with client.application.rt.db.session() as s:
        return s.exec(select(func.count()).select_from(Signal)).one()


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("depth", [100_000, MAX_DEPTH + 2])
def test_deeply_nested_json_is_a_400_not_a_500(web, depth):
    before = stored(web)
    resp = web.post("/signals", data=nested(depth), headers=JSON)
    assert resp.status_code == 400, resp.get_data(as_text=True)[:300]
    error = resp.get_json()["error"]
    assert "nests deeper" in error and str(MAX_DEPTH) in error
    assert "Traceback" not in resp.get_data(as_text=True)
    assert stored(web) == before


def test_nesting_inside_a_signal_is_refused_too(web):
    deep = {"signals": [{**GOOD, "detail": {"a": [[[[[[[[[["x"]]]]]]]]]]}}]}
    resp = web.post("/signals", json=deep, headers=AUTH)
    assert resp.status_code == 400
    assert "nests deeper" in resp.get_json()["error"]


def test_a_batch_of_ordinary_depth_still_goes_through(web):
    resp = web.post("/signals", json={"signals": [GOOD]}, headers=AUTH)
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json() == {"received": 1, "stored": 1, "duplicates": 0}


def test_deep_nesting_over_real_http_is_a_400(service, http):
    resp = http.post("/signals", content=nested(50_000), headers=JSON)
    assert resp.status_code == 400
    assert "nests deeper" in resp.json()["error"]


@pytest.mark.parametrize(
    "header",
    [
        SIGNALS_TOKEN,  # the bare token: no scheme
        f"Token {SIGNALS_TOKEN}",
        f"Basic {SIGNALS_TOKEN}",
        f"Bearer{SIGNALS_TOKEN}",
        f"x Bearer {SIGNALS_TOKEN}",
        "Bearer",
        "Bearer ",
        "",
    ],
)
def test_only_the_bearer_scheme_is_accepted(web, header):
    before = stored(web)
    resp = web.post(
        "/signals",
        json={"signals": [GOOD]},
        headers={"Authorization": header} if header else {},
    )
    assert resp.status_code == 401
    assert resp.headers["WWW-Authenticate"].startswith("Bearer ")
    assert "Bearer" in resp.get_json()["error"]
    assert stored(web) == before


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER"])
def test_the_scheme_name_is_case_insensitive(web, scheme):
    resp = web.post(
        "/signals",
        json={"signals": [GOOD]},
        headers={"Authorization": f"{scheme}  {SIGNALS_TOKEN}"},
    )
    assert resp.status_code == 200


def test_a_wrong_token_is_still_refused(web):
    resp = web.post(
        "/signals", json={"signals": [GOOD]}, headers={"Authorization": f"Bearer {SIGNALS_TOKEN}x"}
    )
    assert resp.status_code == 401


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ("5", "body"),
        ('"a signal"', "body"),
        ("[]", "body"),
        ('{"signals": 5}', "body"),
        ("[1, 2]", "signals[0]"),
        ('{"signals": [["x"]]}', "signals[0]"),
        ('[{"kind": "hiring"}]', "signals[0].account_id"),
        ('[{"account_id": {"id": "harbor"}}]', "signals[0].account_id"),
    ],
)
def test_shapes_that_are_not_signals_name_the_field(web, body, field):
    before = stored(web)
    resp = web.post("/signals", data=body, headers=JSON)
    assert resp.status_code == 422, resp.get_data(as_text=True)
    assert field in {p["field"] for p in resp.get_json()["problems"]}
    assert stored(web) == before


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        ("{not json", JSON),
        (b"\xff\xfe\x00", JSON),
        ('{"signals": []}', {**AUTH, "Content-Type": "text/plain"}),
    ],
)
def test_a_body_that_is_not_json_is_a_400(web, body, headers):
    resp = web.post("/signals", data=body, headers=headers)
    assert resp.status_code == 400
    assert "JSON" in resp.get_json()["error"]
