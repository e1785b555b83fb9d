"""POST /signals on the running service: bearer token, all-or-nothing, idempotent."""

from __future__ import annotations

from sqlmodel import func, select

from storage.models import Edge, Signal
from tests.conftest import SIGNALS_TOKEN

AUTH = {"Authorization": f"Bearer {SIGNALS_TOKEN}"}


def signal(**kw):
    base = {
        "account_id": "harbor",
        "kind": "hiring",
        "summary": "Harbor is hiring an analytics engineer",
        "detail": "Analytics Engineer",
        "observed_at": "2026-11-20T08:00:00Z",
        "dedupe_key": "harbor-ae-1",
    }
    return {**base, **kw}


def count(service, model):
    with service.rt.db.session() as s:
        return s.exec(select(func.count()).select_from(model)).one()


def test_stores_a_signal_and_its_graph_edges_once(service, http):
    before = count(service, Signal)
    resp = http.post("/signals", json=signal(), headers=AUTH)
    assert resp.status_code == 200
    assert resp.json() == {"received": 1, "stored": 1, "duplicates": 0}
    again = http.post("/signals", json={"signals": [signal()]}, headers=AUTH)
    assert again.json() == {"received": 1, "stored": 0, "duplicates": 1}
    assert count(service, Signal) == before + 1
    with service.rt.db.session() as s:
        edge = s.exec(
            select(Edge).where(Edge.src == "account:harbor", Edge.rel == "hiring_for")
        ).first()
    assert edge is not None and edge.dst == "role:data-engineer"


def test_one_bad_item_rejects_the_whole_batch(service, http):
    before = count(service, Signal)
    batch = [
        signal(dedupe_key="a"),
        signal(dedupe_key="b", kind="rumour"),
        signal(dedupe_key="c", account_id="nobody"),
    ]
    resp = http.post("/signals", json=batch, headers=AUTH)
    assert resp.status_code == 422
    body = resp.json()
    assert body["error"] == "nothing was stored"
    fields = {p["field"] for p in body["problems"]}
    assert "signals[1].kind" in fields
    assert count(service, Signal) == before


def test_unknown_account_is_named(service, http):
    resp = http.post(
        "/signals", json=[signal(), signal(account_id="nobody", dedupe_key="z")], headers=AUTH
    )
    assert resp.status_code == 422
    assert resp.json()["problems"] == [
        {"field": "signals[1].account_id", "message": "no account 'nobody'"}
    ]


def test_token_is_required_and_checked(service, http):
    assert http.post("/signals", json=signal()).status_code == 401
    wrong = http.post("/signals", json=signal(), headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401 and wrong.headers["WWW-Authenticate"].startswith("Bearer")
    assert count(service, Signal) == 10


def test_bad_bodies_get_clear_4xx(service, http):
    resp = http.post(
        "/signals", content=b"not json", headers={**AUTH, "Content-Type": "text/plain"}
    )
    assert resp.status_code == 400 and "JSON" in resp.json()["error"]
    empty = http.post("/signals", json=[], headers=AUTH)
    assert empty.status_code == 422
    huge = http.post(
        "/signals",
        content=b"[" + b" " * (2 * 1024 * 1024) + b"]",
        headers={**AUTH, "Content-Type": "application/json"},
    )
    assert huge.status_code == 413
