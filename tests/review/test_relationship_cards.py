"""Cards carry the whole relationship: the account's owner, the contact's standing (what holds
outreach back, what needs a look) and the history, newest first; a reply card also carries
the thread (ours and theirs, in order), the signals and the match path that started it."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlmodel import col, select

from bot.agent import loop
from bot.cli.console import ConsoleHumans
from bot.core import relationship as rel
from bot.mail.inbound import replies
from bot.ports import ReplyCard, ReviewCard
from bot.review.cards import card_for, path_text
from bot.review.context import history_line
from storage import relationships
from storage.models import (
    Account,
    Contact,
    Draft,
    InboundMessage,
    OutboxMessage,
    Review,
    Signal,
)
from tests.conftest import approve_plays, sent_first
from tests.mail.test_replies import reply_to

THEIR_TEXT = "What does it cost for 40 seats? <!channel> <@U123> & <https://evil|Sign in>"
OWNER_NAME = "Dana Ng"


def name_owners(rt) -> None:
    """ams.yml with a name of our own for each sample AM: what a card calls the owner."""
    (rt.settings.home / "ams.yml").write_text(
        "account_managers:\n"
        f"  U0AMDANA01: {{channel: C0REVIEWS01, name: {OWNER_NAME}}}\n"
        "  U0AMLEO002: {channel: C0REVIEWS02, name: Leo Ng}\n"
    )


def later(rt) -> datetime:
    """Move the runtime's clock two days on: the conversation happens in that gap."""
    moved = rt.now().astimezone(UTC).replace(microsecond=0) + timedelta(days=2)
    rt.clock = lambda: moved
    return moved


@dataclass
class Conversation:
    review_id: int  # the reply's review
    draft: Draft
    account: Account
    contact: Contact
    colleague: Contact
    now: datetime  # the runtime's clock when the card is built
    killed_at: datetime
    no_at: datetime


def conversation(rt) -> Conversation:
    """A draft sent, a follow-up, an auto-reply, their answer (the card's subject), our answer
    to it, and an account history with a colleague's "not interested" and an AM's kill."""
    name_owners(rt)
    ours = sent_first(rt)
    now = later(rt)
    got = replies.ingest(rt, reply_to(ours, THEIR_TEXT), "test")
    assert got.route == "review", got
    with rt.db.session() as s:
        first = s.get_one(OutboxMessage, ours.id)
        draft = s.get_one(Draft, first.draft_id)
        account = s.get_one(Account, draft.account_id)
        contact = s.get_one(Contact, draft.contact_id)
        colleague = s.exec(
            select(Contact).where(Contact.account_id == account.id, Contact.id != contact.id)
        ).first()
        assert colleague is not None, "the sample account has a second contact"
        first.sent_at = now - timedelta(days=1, hours=20)
        s.add(first)
        base = dict(draft_id=draft.id, agent_id=draft.agent_id, contact_id=contact.id)
        s.add(
            OutboxMessage(
                **base,
                step=1,
                message_id="<followup-1@twoloop.test>",
                from_addr=first.from_addr,
                to_addr=first.to_addr,
                subject=f"Re: {first.subject}",
                body="Following up on my note.\nAny thoughts?",
                status="sent",
                sent_at=now - timedelta(days=1, hours=10),
            )
        )
        s.add(
            OutboxMessage(
                **base,
                step=2,
                message_id="<followup-2@twoloop.test>",
                from_addr=first.from_addr,
                to_addr=first.to_addr,
                subject="never sent",
                body="queued only",
                status="queued",
            )
        )
        s.add(
            InboundMessage(
                **base,
                message_id="<ooo@prospect.test>",
                from_addr=first.to_addr,
                subject="Out of office",
                text="Back on Monday.",
                kind="auto_reply",
                received_at=now - timedelta(days=1, hours=9),
            )
        )
        reply = s.get_one(InboundMessage, got.inbound_id)
        reply.received_at = now - timedelta(hours=5)
        s.add(reply)
        s.add(
            OutboxMessage(
                **base,
                step=-1,
                message_id="<answer-1@twoloop.test>",
                from_addr=first.from_addr,
                to_addr=first.to_addr,
                subject=f"Re: {first.subject}",
                body="About 40k a year. <b>Talk soon</b>",
                status="sent",
                sent_at=now - timedelta(hours=2),
            )
        )
        killed_at, no_at = now - timedelta(hours=1), now - timedelta(minutes=30)
        relationships.record(
            s,
            account.id,
            rel.NOT_INTERESTED,
            no_at,
            contact_id=colleague.id,
            summary='"Not for us, thanks"',
        )
        relationships.record(
            s,
            account.id,
            rel.DECISION,
            killed_at,
            contact_id=contact.id,
            actor="user:U0AMDANA01",
            summary='"wrong person"',
            detail={"action": "kill", "reason": "wrong_person", "reason_label": "wrong person"},
        )
        review = s.exec(
            select(Review).where(Review.kind == "reply", Review.subject_id == got.inbound_id)
        ).one()
        s.commit()
        for row in (draft, account, contact, colleague):
            s.refresh(row)
        assert review.id is not None
        return Conversation(review.id, draft, account, contact, colleague, now, killed_at, no_at)


def build(rt, review_id: int):
    with rt.db.session() as s:
        return card_for(rt, s, review_id)


def expected_history(rt, account_id: str) -> list[str]:
    with rt.db.session() as s:
        rows = relationships.events_for(s, [account_id]).get(account_id, [])
        names = relationships.contact_names(s, [account_id])
    events = [rel.Event(r.kind, r.at, r.contact_id, r.summary, r.actor, r.detail) for r in rows]
    return [history_line(e, names) for e in reversed(events)]


def test_reply_card_has_the_thread_signals_path_owner_and_history(rt):
    c = conversation(rt)
    card = build(rt, c.review_id)
    assert isinstance(card, ReplyCard)

    # The thread: every message we sent (not the one still queued) and all that came back.
    got = [(m.ours, m.label, m.current) for m in card.thread]
    assert got == [
        (True, "first message", False),
        (True, "follow-up 1", False),
        (False, "auto-reply", False),
        (False, f"reply, read as {card.intent.replace('_', ' ')}", True),
        (True, "our answer", False),
    ]
    assert [m.at for m in card.thread] == sorted(m.at for m in card.thread)
    assert card.thread[3].body.startswith("What does it cost for 40 seats?")
    assert "never sent" not in [m.subject for m in card.thread]
    assert card.thread[4].body == "About 40k a year. <b>Talk soon</b>"

    # What started it: the draft's signals and match path, as the draft card says them.
    with rt.db.session() as s:
        signals = s.exec(select(Signal).where(col(Signal.id).in_(c.draft.signal_ids))).all()
    assert signals and len(card.signals) == len(signals)
    for sig in signals:
        assert f"{sig.kind.replace('_', ' ')}: {sig.summary} ({sig.observed_at:%Y-%m-%d})" in (
            card.signals
        )
    assert card.paths and card.paths[0].steps[0].rel == c.draft.match["paths"][0]["steps"][0]["rel"]

    # The relationship: owner, the kill of a draft to them (a flag), history newest first.
    m = card.memory
    assert (m.owner, m.owner_name) == (c.account.owner_am, OWNER_NAME)
    kill = f'a draft to them was killed on {c.killed_at:%Y-%m-%d} (wrong person): "wrong person"'
    assert kill in m.flags
    colleague = f"{c.colleague.first_name} {c.colleague.last_name}".strip()
    said_no = f'{c.no_at:%Y-%m-%d} not interested ({colleague}): "Not for us, thanks"'
    assert said_no in m.history
    assert m.history.index(said_no) < m.history.index(
        next(
            x
            for x in m.history
            if x.startswith(f"{c.killed_at:%Y-%m-%d} decision: killed, wrong person (")
        )
    ), "newest first"
    whole = expected_history(rt, c.account.id)
    assert list(m.history) == whole[:5] and m.earlier == max(len(whole) - 5, 0)
    assert card.relationship and card.relationship[0].startswith("status: ")


def test_draft_card_shows_owner_standing_and_clipped_history(rt):
    name_owners(rt)
    approve_plays(rt)
    loop.tick(rt)
    now = later(rt)
    with rt.db.session() as s:
        review = s.exec(
            select(Review)
            .where(Review.kind == "draft", Review.status == "open")
            .order_by(col(Review.id))
        ).first()
        assert review is not None
        draft = s.get_one(Draft, review.subject_id)
        account = s.get_one(Account, draft.account_id)
        contact = s.get_one(Contact, draft.contact_id)
        others = s.exec(
            select(Contact).where(Contact.account_id == account.id, Contact.id != contact.id)
        ).all()
        someone = others[0].id if others else contact.id
        for days in range(6, 1, -1):  # five old sends to a colleague
            relationships.record(
                s, account.id, rel.SENT, now - timedelta(days=days), contact_id=someone
            )
        relationships.record(
            s,
            account.id,
            rel.NOT_INTERESTED,
            now - timedelta(days=400),
            contact_id=contact.id,
            summary='"Not now"',
        )
        relationships.record(
            s,
            account.id,
            rel.DECISION,
            now - timedelta(hours=3),
            contact_id=contact.id,
            summary='"too pushy"',
            detail={"action": "kill", "reason": "tone", "reason_label": "tone"},
        )
        review_id = review.id
        s.commit()
    card = build(rt, review_id)
    assert isinstance(card, ReviewCard)
    m = card.memory
    assert m.owner == account.owner_am and m.owner_name in (OWNER_NAME, "Leo Ng")
    kill = f'a draft to them was killed on {now - timedelta(hours=3):%Y-%m-%d} (tone): "too pushy"'
    said_no = f'said not interested on {now - timedelta(days=400):%Y-%m-%d}: "Not now"'
    assert m.flags == (said_no, kill) and m.stops == ()
    whole = expected_history(rt, account.id)
    assert len(whole) == 7
    assert list(m.history) == whole[:5] and m.earlier == 2
    assert m.history[0] == (
        f"{now - timedelta(hours=3):%Y-%m-%d} decision: killed, tone ({contact.first_name} "
        f'{contact.last_name}): "too pushy"'
    )
    assert "account owner" not in " ".join(card.relationship), "the owner is a person now"

    # A flag the gate's reasons already say is not said twice.
    with rt.db.session() as s:
        row = s.get_one(Review, review_id)
        row.reasons = [*row.reasons, kill]
        s.add(row)
        s.commit()
    again = build(rt, review_id)
    assert again.memory.flags == (said_no,) and kill in again.reasons

    # A stop that came up while the card waited (they asked us to stop) is on the card.
    with rt.db.session() as s:
        relationships.record(
            s, account.id, rel.UNSUBSCRIBE, now - timedelta(minutes=5), contact_id=contact.id
        )
        s.commit()
    stopped = build(rt, review_id)
    assert stopped.memory.stops == (f"asked to stop on {now - timedelta(minutes=5):%Y-%m-%d}",)


def test_console_prints_the_thread_and_the_relationship(rt):
    c = conversation(rt)
    card = build(rt, c.review_id)
    out = io.StringIO()
    ConsoleHumans(out).post_review(card)
    text = out.getvalue()
    assert "Thread:" in text and "(first message)" in text and "(our answer)" in text
    assert "← this reply" in text and "What does it cost for 40 seats?" in text
    assert f"Account owner: {OWNER_NAME}" in text
    assert card.memory.history[0] in text
    assert path_text(card.paths[0]) in text
    assert card.signals[0] in text
