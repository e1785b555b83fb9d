"""`twoloop demo`'s week of reviews: trust is earned from the scripted AM's real verdicts, and
only then do drafts leave without review, each printed with the numbers that let it go."""

from __future__ import annotations

import contextlib
import io
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import select

from bot.cli import demo, demo_week
from storage import trail
from storage.db import Database
from storage.models import AuditEvent, Decision, Draft

SENT = re.compile(
    r"^   (\S+) -> (\S+)\n     sent without review: supervised since (\d{4}-\d\d-\d\d); "
    r"personalization (\d\.\d\d) <= (\d\.\d\d); confidence (\d\.\d\d) >= (\d\.\d\d); "
    r"second check (\d\.\d\d) >= (\d\.\d\d) from (\d+) decisions",
    re.M,
)
HELD = re.compile(r"^   (\S+) -> (\S+)\n     to a person: (.+)$", re.M)


@pytest.fixture(scope="module")
def ran(tmp_path_factory) -> tuple[str, Path]:
    home = tmp_path_factory.mktemp("demo")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert demo.run(home) == 0
    return out.getvalue(), home


@pytest.fixture(scope="module")
def db(ran):
    database = Database(f"sqlite:///{ran[1] / 'twoloop.db'}")
    yield database
    database.dispose()


def naive(at: datetime) -> datetime:
    """SQLite reads times back without their zone; they were stored in UTC."""
    return at.replace(tzinfo=None) if at.tzinfo is None else at.astimezone(UTC).replace(tzinfo=None)


def week_of(out: str) -> str:
    return out[out.index("== 10.") : out.index("== 11.")]


def test_the_demo_says_its_scale_and_prints_each_day(ran):
    out = week_of(ran[0])
    assert (
        "demo scale: promotion after 8 reviewed drafts on 5 working days, 4 of them drafts the "
        "gate would have sent on its own" in out
    )
    assert "the second check trains from 10 decisions" in out
    assert "TWOLOOP_TRUST_MIN_REVIEWS=20" in out  # next to the product's own default
    days = re.findall(r"^   (Mon|Tue|Wed|Thu|Fri) \d{4}-\d\d-\d\d$", out, re.M)
    assert days == ["Mon", "Tue", "Wed", "Thu", "Fri"]
    lines = re.findall(
        r"^     (\S+): drafted (\d+), reviewed (\d+).*, would-send (\d+), killed (\d+)$", out, re.M
    )
    assert len(lines) == 10  # both agents, every day
    # The scripted AM kills the two wrong-fit accounts, one per agent, on the first day.
    assert [int(k) for *_, k in lines[:2]] == [1, 1]
    assert sum(int(k) for *_, k in lines[2:]) == 0
    assert "retrained on" in out


def test_promotion_rests_on_the_real_verdicts(ran, db):
    out = week_of(ran[0])
    promoted = re.findall(
        r"↑ (\S+) promoted to supervised: (\d+) reviewed drafts over (\d+) working days.*\n"
        r"\s+if promoted today: would auto-send (\d+)% of drafts; of those, (\d+) of (\d+) were "
        r"killed",
        out,
    )
    assert {p[0] for p in promoted} == {"data-platform", "security-expansion"}
    with db.session() as s:
        events = {
            e.subject.removeprefix("agent:"): e
            for e in s.exec(select(AuditEvent).where(AuditEvent.action == "trust.promoted"))
        }
    for agent, reviews, days, share, kills, sends in promoted:
        detail = events[agent].detail
        assert (int(reviews), int(days)) == (detail["reviews"], detail["working_days"])
        assert (int(kills), int(sends)) == (detail["shadow_kills"], detail["shadow_sends"])
        assert int(reviews) >= 8 and int(days) >= 5 and int(sends) >= 4 and int(kills) == 0
        assert int(share) == round(100 * int(sends) / int(reviews))


def test_nothing_leaves_without_review_before_promotion(ran, db):
    with db.session() as s:
        promoted = {
            e.subject.removeprefix("agent:"): e.at
            for e in s.exec(select(AuditEvent).where(AuditEvent.action == "trust.promoted"))
        }
        sent = list(s.exec(select(Draft).where(Draft.gate_outcome == "send")))
        decided = {d.draft_id for d in s.exec(select(Decision))}
    assert sent, "some drafts go out unreviewed once an agent is supervised"
    for draft in sent:
        assert draft.agent_id in promoted
        assert naive(draft.created_at) > naive(promoted[draft.agent_id])
        assert draft.id not in decided  # no person saw it
    out = ran[0]
    first_promotion = out.index(" promoted to supervised")
    assert "sent without review" not in out[:first_promotion]


def test_each_unreviewed_draft_says_why_from_its_own_row(ran, db):
    out = ran[0][ran[0].index("== 11.") :]
    found = SENT.findall(out)
    assert found, out
    with db.session() as s:
        promoted = {
            e.subject.removeprefix("agent:"): e.at
            for e in s.exec(select(AuditEvent).where(AuditEvent.action == "trust.promoted"))
        }
        sent = {email: d for d, email in trail.drafts(s, status="approved", limit=1000)}
        sent |= {email: d for d, email in trail.drafts(s, status="sent", limit=1000)}
    for agent, email, since, pers, pers_t, conf, conf_t, check, check_t, n in found:
        draft = sent[email]
        assert draft.agent_id == agent and draft.gate_outcome == "send"
        assert since == f"{promoted[agent]:%Y-%m-%d}"
        assert pers == f"{draft.personalization:.2f}"
        assert conf == f"{draft.confidence:.2f}"
        assert check == f"{draft.second_check:.2f}"
        assert pers_t == f"{draft.explain['personalization_threshold']:.2f}"
        assert conf_t == f"{draft.explain['confidence_threshold']:.2f}"
        assert check_t == f"{draft.explain['second_check_threshold']:.2f}"
        assert draft.explain["second_check_basis"].startswith(f"from {n} decisions")
        assert draft.second_check >= draft.explain["second_check_threshold"]


def test_drafts_still_held_show_the_gates_reasons(ran, db):
    out = ran[0][ran[0].index("== 11.") :]
    held = {email: reasons for _, email, reasons in HELD.findall(out)}
    # The unusual ones of the Monday after: an AM's note, a thin match, a funding round alone.
    assert {"rosa.delgado@aldersystems.example", "kit.harper@brooklinebooks.example"} <= set(held)
    assert "AM note:" in held["rosa.delgado@aldersystems.example"]
    assert re.search(
        r"confidence 0\.\d\d below threshold 0\.60", held["kit.harper@brooklinebooks.example"]
    )
    with db.session() as s:
        drafts = list(s.exec(select(Draft).where(Draft.gate_outcome == "review")))
    texts = {"; ".join(r["text"] for r in d.gate_reasons) for d in drafts}
    assert set(held.values()) <= texts


def test_the_scripted_taste_is_what_the_am_clicked(db):
    with db.session() as s:
        kills = list(s.exec(select(Decision).where(Decision.reason_code == "wrong_account")))
        accounts = {s.get(Draft, k.draft_id).account_id for k in kills}
    assert accounts == set(demo_week.WRONG_FIT)
