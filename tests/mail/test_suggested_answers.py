"""Suggested answers on reply cards: with a model, a drafted answer grounded in our stored
facts (price only from a pricing fact, links only from facts, the owner's booking link for a
meeting); offline or rejected, notes on what to cover and nothing sendable. Send reply sends a
drafted answer in the thread through the real SMTP path; Take over stops the contact."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx
import pytest
import respx
import yaml
from sqlmodel import select

from bot.agent import loop
from bot.cli.scaffold import init
from bot.config.account_managers import load_managers
from bot.config.frontmatter import FileError
from bot.decisions import Action, Request, decide
from bot.intake.importer import ImportFailed, load
from bot.mail.inbound import suggested
from bot.mail.outbound import outbox
from bot.mail.transport import SmtpTransport
from bot.model.answers import ReplyWriter
from bot.model.structured import Modes
from bot.model.writer import make_client
from bot.ports import ReplyCard
from bot.runtime import Runtime
from handlers.views.cards import card_blocks
from handlers.views.modals import reply_edit_modal
from storage.models import (
    Capability,
    Contact,
    Decision,
    Draft,
    InboundMessage,
    ModelEndpoint,
    Sequence,
)
from tests.conftest import RecordingHumans, approve_plays, make_settings, unpaced
from tests.fakes import llm as fake_llm
from tests.fakes.llm import claim
from tests.mail.test_send_paths import (
    WITH_STEPS,
    Clock,
    body_of,
    first_touch,
    fresh,
    prospect_replies,
    received,
    row_for,
)

T0 = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
BASE = "http://llm.test/v1"
PRICE = "Northwind Pipelines starts at $1,200 per month for up to 20 pipelines, billed annually."
BOOKING = {
    "U0AMDANA01": "https://cal.northwind.example/dana",
    "U0AMLEO002": "https://cal.northwind.example/leo",
}
PRICING_ID = "capability:managed-pipelines:pricing"


@pytest.fixture
def rt(tmp_path, db_url, smtp_server):
    home = tmp_path / "home"
    init(home, now=T0)
    unpaced(home)
    ams = yaml.safe_load((home / "ams.yml").read_text())
    for user, link in BOOKING.items():
        entry = ams["account_managers"][user]
        ams["account_managers"][user] = {**entry, "booking_link": link}
    (home / "ams.yml").write_text(yaml.safe_dump(ams))
    runtime = Runtime(make_settings(home, db_url), humans=RecordingHumans(), clock=Clock(T0))
    runtime.transport = SmtpTransport(smtp_server.url, timeout=5)
    runtime.db.upgrade()
    load(runtime.db, sorted((home / "data").iterdir()))
    approve_plays(runtime)
    loop.tick(runtime)
    yield runtime
    runtime.db.dispose()


@pytest.fixture
def api():
    with respx.mock(base_url=BASE, assert_all_called=False) as router:
        yield router


@pytest.fixture
def model(rt, api):
    """The reply writer on a respx'd endpoint; drafting and triage stay offline."""
    client = make_client("sk-test-Zq9fXw3Lr8Tn2Vb7Km4Hs6Jd", BASE, 5, 0, httpx.Client())
    rt.reply_writer = ReplyWriter(client, fake_llm.MODEL, Modes())
    return api


def answers_with(api, body: str, *claims) -> respx.Route:
    content = {"body": body, "claims": list(claims)}
    return api.post("/chat/completions").mock(return_value=fake_llm.ok(content))


def thread(rt, text: str):
    """Our first touch goes out; the prospect answers it with `text`."""
    ours = first_touch(rt, WITH_STEPS)
    outbox.flush(rt)
    ours = fresh(rt, ours)
    theirs, review = prospect_replies(rt, ours, text)
    return ours, theirs, review


def card(rt) -> ReplyCard:
    """The reply card as it stands: posted at once, redrawn when a drafted answer came."""
    posted = (rt.humans.updated or rt.humans.posted)[-1]
    assert isinstance(posted, ReplyCard)
    return posted


def words(c: ReplyCard) -> str:
    return json.dumps([b.to_dict() for b in card_blocks(c)])


def buttons(c: ReplyCard) -> list[str]:
    actions = [b for b in card_blocks(c) if b.type == "actions"][0]
    return [e.text.text for e in actions.elements]


def sent_body(route: respx.Route) -> dict:
    return json.loads(route.calls.last.request.content)


# --- with a model ------------------------------------------------------------------------------


def test_a_price_from_the_pricing_fact_is_drafted_and_sent_in_the_thread(rt, model, smtp_server):
    route = answers_with(
        model,
        "Hi Priya,\n\nNorthwind Pipelines starts at $1,200 per month for up to 20 pipelines, "
        "billed annually.\n\nBest,\nSam",
        claim("starts at $1,200 per month", PRICING_ID),
    )
    ours, theirs, review = thread(rt, "Interesting. What does it cost for 40 seats?")
    assert route.call_count == 1
    user = sent_body(route)["messages"][1]["content"]
    pricing = [f for f in given_facts(route.calls.last.request) if f["id"] == PRICING_ID]
    assert [f["text"] for f in pricing] == [PRICE]  # the fact, fenced as data
    assert "What does it cost for 40 seats?" in user and "<reply-" in user

    row = fresh_inbound(rt, theirs.id)
    assert row.detail["suggestion_source"] == "model"
    assert "$1,200 per month" in row.detail["suggestion"]
    assert row.detail["suggestion_tokens"] > 0
    c = card(rt)
    assert c.suggestion_source == "model" and "Northwind Pipelines pricing" in c.drafted_from
    shown = words(c)
    assert "drafted by the model from: " in shown and "Northwind Pipelines pricing" in shown
    assert buttons(c)[0] == "Send reply"

    result = decide(
        rt, Request(review.id, review.owner, Action.SEND_REPLY, content_hash=review.content_hash)
    )
    assert result.status == "decided", result
    assert outbox.flush(rt)["sent"] == 1
    mail = received(smtp_server, row_for(rt, ours.draft_id, -1))
    assert mail["In-Reply-To"] == theirs.message_id
    assert mail["References"].split() == [ours.message_id, theirs.message_id]
    assert mail["Subject"] == f"Re: {ours.subject}"
    assert body_of(mail).startswith(row.detail["suggestion"].strip())


def test_an_invented_price_is_rejected_and_the_card_has_cover_notes(rt, model):
    answers_with(
        model,
        "Hi Priya,\n\nFor 40 seats it is $999/month, with a 20% discount this quarter.\n\nSam",
        claim("it is $999/month", PRICING_ID),
    )
    _, theirs, review = thread(rt, "Interesting. What does it cost for 40 seats?")
    row = fresh_inbound(rt, theirs.id)
    assert (row.detail["suggestion"], row.detail["suggestion_source"]) == ("", "")
    problems = " ".join(row.detail["suggestion_problems"])
    assert "price not taken from a pricing fact" in problems and "$999" in problems
    assert any(PRICE in n for n in row.detail["cover"])
    c = card(rt)
    assert "Send reply" not in buttons(c)
    assert "What to cover" in words(c) and "not used" in words(c)
    refused = decide(
        rt, Request(review.id, review.owner, Action.SEND_REPLY, content_hash=review.content_hash)
    )
    assert refused.status == "blocked" and "nothing is drafted" in refused.detail


def test_a_meeting_request_gets_the_owners_booking_link(rt, model):
    route = model.post("/chat/completions")

    def reply(request: httpx.Request) -> httpx.Response:
        [booking] = [f for f in given_facts(request) if f["slot"] == "booking_link"]
        body = f"Hi,\n\nGlad to. Pick a time that suits you here: {booking['text']}\n\nSam"
        return fake_llm.ok({"body": body, "claims": [claim("my booking link", booking["id"])]})

    route.mock(side_effect=reply)
    _, theirs, review = thread(rt, "Looks useful. Can we set up a call next week?")
    row = fresh_inbound(rt, theirs.id)
    assert row.intent == "meeting_request"
    link = BOOKING[review.owner]
    assert row.detail["suggestion_source"] == "model" and link in row.detail["suggestion"]
    assert "booking link" in card(rt).drafted_from


def test_a_link_not_in_the_facts_is_rejected(rt, model):
    answers_with(
        model,
        "Hi Priya,\n\nBook me here: https://calendly.com/sam-northwind\n\nSam",
        claim("book here", "agent:data-platform:sender"),
    )
    _, theirs, review = thread(rt, "Looks useful. Can we set up a call next week?")
    row = fresh_inbound(rt, theirs.id)
    assert row.detail["suggestion"] == ""
    assert any("calendly.com" in p for p in row.detail["suggestion_problems"])
    # The notes still offer the owner's own link.
    assert any(BOOKING[review.owner] in n for n in row.detail["cover"])


def test_an_answer_that_says_something_is_attached_is_rejected(rt, model):
    answers_with(model, "Hi Priya,\n\nThe overview is attached.\n\nSam")
    _, theirs, _ = thread(rt, "Sounds interesting. Tell me more?")
    row = fresh_inbound(rt, theirs.id)
    assert row.detail["suggestion"] == ""
    assert any("attach" in p for p in row.detail["suggestion_problems"])


def test_an_ungrounded_claim_is_rejected(rt, model):
    answers_with(
        model,
        "Hi Priya,\n\nWe work with most banks in Europe.\n\nSam",
        claim("We work with most banks in Europe", "made-up:1"),
    )
    _, theirs, _ = thread(rt, "Sounds interesting. Who do you work with?")
    problems = fresh_inbound(rt, theirs.id).detail["suggestion_problems"]
    assert any("ungrounded claim" in p for p in problems)


def test_a_reply_a_person_must_answer_gets_no_model_call(rt, model):
    route = answers_with(model, "Hi Priya,\n\nSure.\n\nSam")
    _, theirs, _ = thread(rt, "Please send your contract and the NDA to our lawyer first.")
    row = fresh_inbound(rt, theirs.id)
    assert "contract_legal" in row.triggers
    assert route.call_count == 0
    assert row.detail["suggestion"] == ""
    assert any("A person writes this answer" in n for n in row.detail["cover"])


def test_a_price_question_without_a_pricing_fact_gets_no_model_call(rt, model):
    with rt.db.session() as s:
        for cap in s.exec(select(Capability)):
            cap.pricing = ""
            s.add(cap)
    route = answers_with(model, "Hi Priya,\n\nIt is $10.\n\nSam")
    _, theirs, _ = thread(rt, "Interesting. What does it cost for 40 seats?")
    row = fresh_inbound(rt, theirs.id)
    assert route.call_count == 0 and row.detail["suggestion"] == ""
    assert any("no pricing fact is configured" in n for n in row.detail["cover"])


def test_take_over_stops_the_contacts_sequences(rt, model):
    answers_with(model, "Hi Priya,\n\nHappy to.\n\nSam")
    ours, theirs, review = thread(rt, "Sounds interesting. Tell me more?")
    assert decide(rt, Request(review.id, review.owner, Action.TAKE_OVER)).status == "decided"
    with rt.db.session() as s:
        assert s.get(Draft, ours.draft_id).status == "taken_over"
        assert (
            s.exec(
                select(Sequence).where(
                    Sequence.contact_id == ours.contact_id, Sequence.status == "active"
                )
            ).all()
            == []
        )


# --- offline ------------------------------------------------------------------------------------


def test_offline_the_card_has_cover_notes_and_nothing_to_send(rt):
    assert rt.reply_writer is None
    _, theirs, review = thread(rt, "Looks useful. Can we set up a call next week?")
    row = fresh_inbound(rt, theirs.id)
    assert (row.detail["suggestion"], row.detail["suggestion_source"]) == ("", "")
    link = BOOKING[review.owner]
    assert row.detail["cover"] == [f"Propose two times, or send your booking link {link}"]
    c = card(rt)
    assert buttons(c) == ["Edit", "Take over", "Reclassify"]
    assert "What to cover" in words(c) and link in words(c)
    # Edit opens a greeting to write under, not a promise.
    with rt.db.session() as s:
        first = s.get(Contact, theirs.contact_id).first_name
    assert c.starter == f"Hi {first},\n\n"
    assert json.dumps(c.starter)[1:-1] in json.dumps(reply_edit_modal(c).to_dict())
    refused = decide(
        rt, Request(review.id, review.owner, Action.SEND_REPLY, content_hash=review.content_hash)
    )
    assert refused.status == "blocked" and "write the answer with Edit" in refused.detail
    written = decide(
        rt, Request(review.id, review.owner, Action.EDIT, body="Hi Priya,\n\nTuesday 10:00?\n")
    )
    assert written.status == "decided"
    with rt.db.session() as s:
        d = s.exec(select(Decision).where(Decision.action == "edit")).one()
    assert (d.before_body, d.after_body) == ("", "Hi Priya,\n\nTuesday 10:00?\n")


def test_offline_a_question_is_quoted_in_the_notes(rt):
    _, theirs, _ = thread(rt, "Does it work with Airflow 2?")
    cover = fresh_inbound(rt, theirs.id).detail["cover"]
    assert cover == ["Answer their question: \u201cDoes it work with Airflow 2?\u201d"]


# --- configuration --------------------------------------------------------------------------------


def test_the_starter_pricing_is_imported(rt):
    with rt.db.session() as s:
        assert s.get(Capability, "managed-pipelines").pricing == PRICE
        assert s.get(Capability, "compliance-autopilot").pricing == ""


def test_a_multi_line_pricing_is_refused_with_its_line(tmp_path, empty_db):
    home = tmp_path / "h"
    init(home, now=T0)
    path = home / "data" / "knowledge.yml"
    path.write_text(path.read_text().replace("    pricing: Northwind", '    pricing: "a\\nb" #'))
    with pytest.raises(ImportFailed) as failed:
        load(empty_db, [path])
    [err] = failed.value.errors
    assert "capabilities.0.pricing" in str(err) and err.line == 9


def test_a_booking_link_must_be_https(tmp_path):
    path = tmp_path / "ams.yml"
    path.write_text(
        "account_managers:\n"
        "  U0AMDANA01:\n"
        "    channel: C0REVIEWS01\n"
        "    booking_link: http://cal.example/dana\n"
    )
    with pytest.raises(FileError) as failed:
        load_managers(path)
    text = str(failed.value)
    assert "ams.yml:4" in text and "account_managers.U0AMDANA01.booking_link" in text
    assert "https" in text
    path.write_text(path.read_text().replace("http://", "https://"))
    assert load_managers(path)["U0AMDANA01"].booking_link == "https://cal.example/dana"


def fresh_inbound(rt, inbound_id: int) -> InboundMessage:
    with rt.db.session() as s:
        row = s.get(InboundMessage, inbound_id)
        assert row is not None
        return row


def given_facts(request: httpx.Request) -> list[dict]:
    """The facts array the model was given, read back out of its fence."""
    user = json.loads(request.content)["messages"][1]["content"]
    return json.loads(user.split("<facts>\n", 1)[1].split("\n</facts>", 1)[0])


def test_the_answer_is_drafted_outside_the_replys_transaction(rt, api):
    """The model is asked after the reply is stored, not while its transaction holds the
    database: the endpoint's learned mode is saved by another session as the answer comes back
    (on SQLite, a save inside the reply's write transaction would wait on its lock and fail)."""
    client = make_client("sk-test-Zq9fXw3Lr8Tn2Vb7Km4Hs6Jd", BASE, 5, 0, httpx.Client())
    rt.reply_writer = ReplyWriter(client, fake_llm.MODEL, rt.model_modes)  # the stored modes
    answers_with(
        api, "Hi,\n\nHappy to talk.\n\nSam", claim("we talk", "agent:data-platform:sender")
    )
    _, theirs, review = thread(rt, "Looks useful. Can we set up a call next week?")
    with rt.db.session() as s:
        [saved] = s.exec(select(ModelEndpoint)).all()
    assert saved.mode == "json_schema" and saved.endpoint == f"{BASE} {fake_llm.MODEL}"
    row = fresh_inbound(rt, theirs.id)
    assert "wants_answer" not in row.detail
    assert row.detail["suggestion_tokens"] > 0


def test_an_answer_the_model_was_away_for_is_drafted_when_it_is_back(rt, model):
    """The card goes out at once with notes; the answer comes when the model answers again."""
    route = model.post("/chat/completions").mock(return_value=fake_llm.server_error(503))
    _, theirs, review = thread(rt, "Looks useful. Can we set up a call next week?")
    row = fresh_inbound(rt, theirs.id)
    assert row.detail["wants_answer"] and row.detail["suggestion"] == ""
    assert card(rt).cover, "the posted card carries the notes meanwhile"

    def reply(request: httpx.Request) -> httpx.Response:
        [booking] = [f for f in given_facts(request) if f["slot"] == "booking_link"]
        body = f"Hi,\n\nGlad to. Pick a time that suits you here: {booking['text']}\n\nSam"
        return fake_llm.ok({"body": body, "claims": [claim("my booking link", booking["id"])]})

    route.mock(side_effect=reply)
    assert suggested.retry_waiting(rt) == 1
    row = fresh_inbound(rt, theirs.id)
    assert row.detail["suggestion_source"] == "model" and "wants_answer" not in row.detail
    assert BOOKING[review.owner] in card(rt).suggestion, "the card was redrawn with it"
    assert suggested.retry_waiting(rt) == 0
