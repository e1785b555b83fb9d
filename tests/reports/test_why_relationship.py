"""`twoloop why DRAFT_ID` has a relationship section: the account's owner, the contact's
standing at the time asked (what would hold a message back, what would send it to a person)
and the account's whole history, newest first."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlmodel import col, select

from bot.agent import loop
from bot.core import relationship as rel
from storage import relationships
from storage.models import Draft
from tests.conftest import approve_plays
from tests.reports.test_reports import cli
from tests.review.test_relationship_cards import OWNER_NAME, conversation, expected_history


def test_why_shows_owner_standing_and_history(rt, home, db_url, monkeypatch):
    c = conversation(rt)
    # Their answer to our answer, "not interested": at the time asked it holds outreach back.
    said_no_at = c.now + timedelta(minutes=10)
    with rt.db.session() as s:
        relationships.record(
            s,
            c.account.id,
            rel.NOT_INTERESTED,
            said_no_at,
            contact_id=c.contact.id,
            summary='"Please no more"',
        )
        for days in (20, 30, 40):  # older sends to a colleague: more than a card's five lines
            relationships.record(
                s, c.account.id, rel.SENT, c.now - timedelta(days=days), contact_id=c.colleague.id
            )
        s.commit()
    # The CLI's runtime reads the wall clock: the events are at most two days ahead of it.
    out = cli(home, db_url, monkeypatch, "why", str(c.draft.id), "--json")
    assert out.exit_code == 0, out.output
    r = json.loads(out.stdout)["relationship"]
    assert r["account_owner"] == c.account.owner_am and r["account_owner_name"] == OWNER_NAME
    until = said_no_at + timedelta(days=180)
    assert r["stops"] == [
        f'said not interested on {said_no_at:%Y-%m-%d}: "Please no more"; '
        f"no outreach until {until:%Y-%m-%d}"
    ]
    assert any(f.startswith("a draft to them was killed on") for f in r["flags"])
    whole = expected_history(rt, c.account.id)
    assert [e["line"] for e in r["history"]] == whole and len(whole) > 5, "all of it, not 5"
    said_no = next(e for e in r["history"] if e["summary"] == '"Please no more"')
    assert (said_no["kind"], said_no["contact_id"]) == ("not_interested", c.contact.id)
    assert said_no["contact"] == f"{c.contact.first_name} {c.contact.last_name}".strip()
    assert r["asked_at"]

    text = cli(home, db_url, monkeypatch, "why", str(c.draft.id)).stdout
    section = text[text.index("Relationship (as of") : text.index("\nAudit")]
    assert f"account owner: {OWNER_NAME} ({c.account.owner_am})" in section
    assert f"no new outreach: {r['stops'][0]}" in section
    assert all(f"needs a look: {f}" in section for f in r["flags"])
    lines = [ln.strip() for ln in section.splitlines()]
    assert [ln for ln in lines if ln in whole] == whole, "every line, newest first"


def test_why_for_an_account_with_no_history_says_so(rt, home, db_url, monkeypatch):
    approve_plays(rt)
    loop.tick(rt)
    with rt.db.session() as s:
        draft = s.exec(select(Draft).order_by(col(Draft.id))).first()
    assert draft is not None
    text = cli(home, db_url, monkeypatch, "why", str(draft.id)).stdout
    assert "Relationship (as of" in text
    assert "standing: nothing holds a message to them back" in text
