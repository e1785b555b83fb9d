"""Relationship memory end to end, on both databases: replies, bounces and decisions become
dated history; the gate, the outbox and the next agent read it."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlmodel import col, select

from bot.agent import loop
from bot.decisions import Action, Request, decide
from bot.intake.importer import load
from bot.mail.inbound import replies
from bot.mail.outbound import outbox
from bot.memory import events as memory
from bot.review import control, lifecycle
from handlers.commands import run_command
from storage import relationships
from storage.models import (
    Account,
    AuditEvent,
    Draft,
    OutboxMessage,
    RelationshipEvent,
    Review,
    Sequence,
    Signal,
)
from tests.conftest import OPERATOR, approve_plays, sent_first
from tests.mail.test_replies import reply_to


class NeverSampled(random.Random):
    """No random audit picks (of clear replies or clear drafts): what these tests look at is
    what the history does, not the audit's dice."""

    def random(self) -> float:
        return 0.999


@pytest.fixture(autouse=True)
def no_audit_dice(rt):
    rt.rng = NeverSampled()


def drafted_for_review(rt) -> list[Review]:
    """Plays approved, one data-platform tick: its open draft reviews, oldest first."""
    approve_plays(rt)
    loop.tick(rt, "data-platform")
    with rt.db.session() as s:
        return list(
            s.exec(
                select(Review)
                .where(Review.kind == "draft", Review.status == "open")
                .order_by(col(Review.id))
            )
        )


def decided(rt, review: Review, action: Action, reason: str = ""):
    return decide(
        rt,
        Request(
            review.id, review.owner, action, reason_code=reason, content_hash=review.content_hash
        ),
    )


def events(rt, contact_id: str) -> list[RelationshipEvent]:
    with rt.db.session() as s:
        return list(
            s.exec(
                select(RelationshipEvent)
                .where(RelationshipEvent.contact_id == contact_id)
                .order_by(col(RelationshipEvent.id))
            )
        )


def draft_of(rt, draft_id: int) -> Draft:
    with rt.db.session() as s:
        return s.get(Draft, draft_id)


def new_signal(rt, account_id: str, kind: str = "hiring", n: int = 1) -> None:
    with rt.db.session() as s:
        s.add(
            Signal(
                account_id=account_id,
                kind=kind,
                summary=f"{account_id} is hiring again (round {n})",
                detail="Senior Data Engineer",
                source="jobs feed",
                observed_at=rt.now(),
                dedupe_key=f"{account_id}-{kind}-again-{n}",
            )
        )


def newest_draft(rt, agent_id: str, account_id: str) -> Draft:
    """The agent's latest draft to that account (other accounts' signals are fresh too)."""
    with rt.db.session() as s:
        return s.exec(
            select(Draft)
            .where(Draft.agent_id == agent_id, Draft.account_id == account_id)
            .order_by(col(Draft.id).desc())
        ).first()


def later(rt, days: float) -> None:
    start = rt.now()
    rt.clock = lambda: start + timedelta(days=days)


def supervised(rt, agent_id: str) -> None:
    control.set_trust(rt, OPERATOR, agent_id, "supervised", "the test wants the gate to decide")


def test_not_interested_holds_outreach_then_reviews_with_the_conversation_on_the_card(rt):
    ours = sent_first(rt)
    first = draft_of(rt, ours.draft_id)
    got = replies.ingest(rt, reply_to(ours, "Not interested, thanks."), "test")
    assert got.route == "auto"
    said = [e for e in events(rt, ours.contact_id) if e.kind == "not_interested"]
    assert len(said) == 1 and said[0].summary == '"Not interested, thanks."'
    supervised(rt, first.agent_id)  # so only the history can hold a draft back

    later(rt, 45)
    new_signal(rt, first.account_id, n=1)
    loop.tick(rt, first.agent_id)
    d = newest_draft(rt, first.agent_id, first.account_id)
    assert d.id != first.id and d.contact_id == ours.contact_id
    assert d.gate_outcome == "stop"
    stop = next(r["text"] for r in d.gate_reasons if r["code"] == "relationship")
    assert "said not interested on" in stop and "Not interested, thanks." in stop
    with rt.db.session() as s:
        assert s.exec(select(OutboxMessage).where(OutboxMessage.draft_id == d.id)).first() is None

    later(rt, 181 - 45)
    new_signal(rt, first.account_id, n=2)
    loop.tick(rt, first.agent_id)
    d2 = newest_draft(rt, first.agent_id, first.account_id)
    assert d2.id != d.id and d2.gate_outcome == "review"
    flagged = [r["text"] for r in d2.gate_reasons if r["code"] == "relationship"]
    assert any("said not interested on" in f and "Not interested" in f for f in flagged)
    lifecycle.post_pending(rt)
    with rt.db.session() as s:
        review = s.exec(
            select(Review).where(Review.kind == "draft", Review.subject_id == d2.id)
        ).one()
    card = next(c for c in rt.humans.posted if c.review_id == review.id)
    assert any("said not interested" in r for r in card.reasons)


def test_a_later_yes_lifts_an_earlier_no(rt):
    ours = sent_first(rt)
    first = draft_of(rt, ours.draft_id)
    replies.ingest(rt, reply_to(ours, "Not interested, thanks."), "test")
    later(rt, 2)
    yes = reply_to(ours, "Actually, we should talk. Can we book a call next week?")
    got = replies.ingest(rt, yes, "test")
    kinds = [e.kind for e in events(rt, ours.contact_id)]
    assert kinds[-1] in ("meeting_request", "interested")

    # While their reply waits for a person, that is the open conversation: no agent drafts.
    later(rt, 40)
    new_signal(rt, first.account_id)
    report = loop.tick(rt, first.agent_id)[0]
    assert report.dropped["open conversation"] == 1
    assert newest_draft(rt, first.agent_id, first.account_id).id == first.id

    # The owner answers it; the account stays theirs: the next draft stops, and says why.
    with rt.db.session() as s:
        review = s.get(Review, got.review_id)
    decide(rt, Request(review.id, review.owner, Action.EDIT, body="Hi, Tuesday at 10 works."))
    outbox.flush(rt)
    new_signal(rt, first.account_id, n=2)
    loop.tick(rt, first.agent_id)
    d = newest_draft(rt, first.agent_id, first.account_id)
    assert d.id != first.id and d.gate_outcome == "stop"
    texts = " ".join(r["text"] for r in d.gate_reasons)
    assert "not interested" not in texts and "handed to the account's owner" in texts


def test_a_referral_moves_outreach_to_the_colleague_and_cites_the_reply(rt):
    ours = sent_first(rt)
    first = draft_of(rt, ours.draft_id)
    assert ours.contact_id == "c-acme-1"  # Priya; Tom Reid is her colleague at Acme
    replies.ingest(
        rt, reply_to(ours, "I'm not the right person for this. Please talk to Tom Reid."), "test"
    )
    said = events(rt, "c-acme-1")[-1]
    assert said.kind == "referral" and said.detail["to_contact"] == "c-acme-2"
    supervised(rt, first.agent_id)

    later(rt, 35)  # past the touch window
    new_signal(rt, "acme")
    loop.tick(rt, first.agent_id)
    d = newest_draft(rt, first.agent_id, first.account_id)
    assert d.contact_id == "c-acme-2", "outreach moves to whom the reply named"
    assert d.gate_outcome == "review"
    cited = [r["text"] for r in d.gate_reasons if r["code"] == "relationship"]
    assert any("referred by Priya Shah" in c and "Tom Reid" in c for c in cited)


def test_interest_hands_the_whole_account_to_its_owner(rt):
    for r in drafted_for_review(rt):  # approve them all; Bluefin's goes to Ana (VP Data)
        decided(rt, r, Action.APPROVE)
    outbox.flush(rt)
    with rt.db.session() as s:
        to_ana = s.exec(select(OutboxMessage).where(OutboxMessage.contact_id == "c-blue-2")).one()
    assert to_ana.status == "sent"
    got = replies.ingest(
        rt, reply_to(to_ana, "Yes, this is interesting. Can we set up a meeting on Tuesday?"), "t"
    )
    assert "account handed to its owner" in got.action

    # The other agent, on the same account: its draft to Marcus (the CISO) stops.
    loop.tick(rt, "security-expansion")
    with rt.db.session() as s:
        to_marcus = s.exec(select(Draft).where(Draft.contact_id == "c-blue-1")).one()
    assert to_marcus.gate_outcome == "stop"
    assert any(
        r["code"] == "relationship" and "handed to the account's owner: Ana Lopes" in r["text"]
        for r in to_marcus.gate_reasons
    )

    # An operator or the owner gives it back; the history stays on the next card.
    answer = run_command(rt, "U0AMDANA01", "account bluefin")
    assert "Ana Lopes" in answer["text"] and "With its owner" in answer["text"]
    refused = run_command(rt, "U0NOBODY01", "account bluefin release")
    assert "Only the account's owner" in refused["text"]
    assert (
        "back with the agents" in run_command(rt, "U0AMLEO002", "account bluefin release")["text"]
    )
    with rt.db.session() as s:
        assert s.exec(
            select(RelationshipEvent).where(RelationshipEvent.kind == "handoff_released")
        ).one()


def test_an_approved_message_is_checked_again_just_before_it_is_sent(rt):
    """Approved, queued, then the person says no on another thread: nothing goes out."""
    decided(rt, drafted_for_review(rt)[0], Action.APPROVE)
    with rt.db.session() as s:
        queued = s.exec(select(OutboxMessage).where(OutboxMessage.status == "queued")).one()
        contact_id = queued.contact_id
        account_id = s.get(Draft, queued.draft_id).account_id
    # What the AM could not know when approving: the person said no (recorded by triage).
    with rt.db.session() as s:
        s.add(
            RelationshipEvent(
                account_id=account_id,
                contact_id=contact_id,
                kind="not_interested",
                at=rt.now(),
                summary='"please stop, not interested"',
            )
        )
    counts = outbox.flush(rt)
    assert counts["sent"] == 0 and counts["blocked"] == 1
    with rt.db.session() as s:
        msg = s.get(OutboxMessage, queued.id)
        draft = s.get(Draft, queued.draft_id)
        blocked = s.exec(select(AuditEvent).where(AuditEvent.action == "outbox.blocked")).one()
    assert msg.status == "failed" and "said not interested" in msg.last_error
    assert draft.status == "stopped"
    assert "said not interested" in blocked.detail["reason"]


def test_another_agents_mail_to_the_account_meanwhile_blocks_the_send(rt):
    ours = sent_first(rt)
    first = draft_of(rt, ours.draft_id)
    # A second approved message to the same account, from another thread, waiting to go.
    with rt.db.session() as s:
        other = Draft(
            **{
                **first.model_dump(exclude={"id", "trigger_key", "status"}),
                "trigger_key": "another-thread",
                "status": "approved",
            }
        )
        s.add(other)
        s.flush()
        s.add(
            OutboxMessage(
                draft_id=other.id,
                agent_id=other.agent_id,
                contact_id=other.contact_id,
                message_id="<another@northwind.example>",
                from_addr=ours.from_addr,
                to_addr=ours.to_addr,
                subject="again",
                body="again",
                next_attempt_at=rt.now(),
            )
        )
    later(rt, 1)
    counts = outbox.flush(rt)
    assert counts["blocked"] == 1 and counts["sent"] == 0
    with rt.db.session() as s:
        msg = s.exec(
            select(OutboxMessage).where(OutboxMessage.message_id == "<another@northwind.example>")
        ).one()
    assert msg.status == "failed" and "touched 1 days ago" in msg.last_error


def test_a_hard_bounce_invalidates_the_address(rt):
    ours = sent_first(rt)
    first = draft_of(rt, ours.draft_id)
    with rt.db.session() as s:
        msg = s.get(OutboxMessage, ours.id)

    # A 5.1.1 bounce report for our message.
    bounce = (
        f"From: MAILER-DAEMON@mx.acme-analytics.example\r\nTo: {ours.from_addr}\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\nMessage-ID: <b1@mx.example>\r\n"
        "MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status;"
        ' boundary="B"\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\nUser unknown\r\n'
        "--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example\r\n\r\n"
        f"Final-Recipient: rfc822; {ours.to_addr}\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n"
        "--B\r\nContent-Type: message/rfc822\r\n\r\n"
        f"Message-ID: {msg.message_id}\r\nTo: {ours.to_addr}\r\nSubject: x\r\n\r\nbody\r\n--B--\r\n"
    ).encode()
    got = replies.ingest(rt, bounce, "test")
    assert got.kind == "bounce" and "hard bounce" in got.action
    bounced = [e for e in events(rt, ours.contact_id) if e.kind == "hard_bounce"]
    assert len(bounced) == 1 and bounced[0].detail["address"] == ours.to_addr.lower()
    later(rt, 40)
    new_signal(rt, first.account_id)
    loop.tick(rt, first.agent_id)
    d = newest_draft(rt, first.agent_id, first.account_id)
    assert d.gate_outcome == "stop"
    assert any("address invalid: hard bounce" in r["text"] for r in d.gate_reasons)


def test_a_current_customer_kill_marks_the_account_and_an_operator_can_undo_it(rt):
    review = drafted_for_review(rt)[0]
    draft = draft_of(rt, review.subject_id)
    result = decided(rt, review, Action.KILL, "current_customer")
    assert result.status == "decided"
    with rt.db.session() as s:
        account = s.get(Account, draft.account_id)
        marked = s.exec(
            select(RelationshipEvent).where(
                RelationshipEvent.account_id == draft.account_id,
                RelationshipEvent.kind == "customer",
            )
        ).one()
        audited = s.exec(
            select(AuditEvent).where(AuditEvent.action == "account.customer_status")
        ).one()
    assert account.customer_status == "customer" and account.customer_source == (
        f"user:{review.owner}"
    )
    assert marked.detail == {"status": "customer", "was": "prospect"}
    assert audited.actor == f"user:{review.owner}"

    # The next agent's draft to that account stops as a customer's would.
    later(rt, 1)
    new_signal(rt, draft.account_id, kind="funding")
    loop.tick(rt, "security-expansion")
    with rt.db.session() as s:
        theirs = s.exec(
            select(Draft).where(
                Draft.agent_id == "security-expansion", Draft.account_id == draft.account_id
            )
        ).all()
    for d in theirs:
        assert d.gate_outcome == "stop"
        assert any(r["code"] == "current_customer" for r in d.gate_reasons)

    # Only an operator may set it back.
    refused = run_command(rt, review.owner, f"account {draft.account_id} prospect")
    assert "Only operators" in refused["text"]
    done = run_command(rt, OPERATOR, f"account {draft.account_id} prospect")
    assert "now prospect" in done["text"]
    with rt.db.session() as s:
        assert s.get(Account, draft.account_id).customer_status == "prospect"


def test_one_contact_one_conversation_across_agents(rt):
    """Bluefin's CTO-less contacts: both agents want someone at Bluefin. With the fleet
    policy set to one conversation per account, the second agent waits its turn."""
    rt.settings.one_conversation_per = "account"
    approve_plays(rt)
    loop.tick(rt, "data-platform")
    with rt.db.session() as s:
        first = s.exec(
            select(Draft).where(Draft.agent_id == "data-platform", Draft.account_id == "bluefin")
        ).one()
    assert first.status == "review"
    report = loop.tick(rt, "security-expansion")[0]
    assert report.dropped["open conversation"] >= 1
    with rt.db.session() as s:
        assert not s.exec(
            select(Draft).where(
                Draft.agent_id == "security-expansion", Draft.account_id == "bluefin"
            )
        ).all()
    # The first conversation ends (killed): the other agent may now write, next tick.
    with rt.db.session() as s:
        review = s.exec(
            select(Review).where(Review.kind == "draft", Review.subject_id == first.id)
        ).one()
    decided(rt, review, Action.KILL, "wrong_account")
    loop.tick(rt, "security-expansion")
    with rt.db.session() as s:
        theirs = s.exec(
            select(Draft).where(
                Draft.agent_id == "security-expansion", Draft.account_id == "bluefin"
            )
        ).all()
    assert len(theirs) == 1


def test_the_same_contact_is_never_in_two_conversations(rt):
    """Per contact (the default): an open sequence to a person blocks every other agent."""
    ours = sent_first(rt)
    with rt.db.session() as s:
        seq = s.get(Sequence, ours.draft_id)
    assert seq is not None and seq.status == "active"
    with rt.db.session() as s:
        busy = relationships.open_conversations(s, [ours.contact_id])
    assert busy[ours.contact_id][2] == "a sequence in flight"


def test_a_reimported_file_does_not_undo_what_a_person_or_the_crm_set(rt, home):
    with rt.db.session() as s:
        memory.set_customer(s, "acme", "customer", "user:U0AMDANA01", rt.now(), "a kill")
        bluefin = s.get(Account, "bluefin")
        bluefin.crm_id, bluefin.owner_am, bluefin.open_deal = "9001", "U0FROMCRM1", "Renewal (2)"
        s.add(bluefin)
    load(rt.db, sorted((home / "data").iterdir()))  # the same CSV files again
    with rt.db.session() as s:
        acme, bluefin, cobalt = (s.get(Account, a) for a in ("acme", "bluefin", "cobalt"))
    assert acme.customer_status == "customer"
    assert (bluefin.owner_am, bluefin.open_deal) == ("U0FROMCRM1", "Renewal (2)")
    assert cobalt.owner_am == "U0AMLEO002"  # nothing better than the file: the file wins


def test_a_draft_another_agent_stores_while_this_one_writes_wins(rt, monkeypatch):
    """Between choosing a contact and storing the draft (while the writer writes, possibly a
    slow model), another agent's tick stores its own draft to the same person: ours is not
    stored, and the tick tries that account again once the other conversation ends."""
    approve_plays(rt)
    real = rt.writer_for

    class Racing:
        def __init__(self, inner):
            self.inner = inner

        def write(self, request):
            contact = request.facts["contact.first_name"].id.split(":")[1]
            with rt.db.session() as s:
                if contact == "c-acme-1":
                    theirs = draft_of_other_agent(rt, s, contact, "acme")
                    s.add(theirs)
            return self.inner.write(request)

    monkeypatch.setattr(rt, "writer_for", lambda spec: Racing(real(spec)))
    loop.tick(rt, "data-platform")
    with rt.db.session() as s:
        to_priya = s.exec(select(Draft).where(Draft.contact_id == "c-acme-1")).all()
    assert [d.agent_id for d in to_priya] == ["security-expansion"], "the first one stored wins"


def draft_of_other_agent(rt, s, contact_id: str, account_id: str) -> Draft:
    return Draft(
        agent_id="security-expansion",
        account_id=account_id,
        contact_id=contact_id,
        play_id="funded-security",
        trigger_key=f"race-{contact_id}",
        subject="theirs",
        body="theirs",
        config_version="x",
        gate_outcome="review",
        status="review",
        created_at=rt.now(),
        updated_at=rt.now(),
    )
