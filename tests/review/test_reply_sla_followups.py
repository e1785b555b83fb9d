"""Reply targets, follow-ups from review: the overdue notice reaches somebody (the owner, in
the card's thread, when no operator channel is set) and is sent again when Slack did not take
it; a new hot reply leads the queue and App Home however many "other" replies are overdue;
an AM's digest counts the replies routed to that AM."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update
from sqlmodel import col

from bot.mail.inbound import replies
from bot.ports import CardRef, User
from bot.reports import digest, home, status
from bot.review import lifecycle, sla, targets
from storage import reviews as store
from storage.models import Review
from tests.conftest import OPERATOR
from tests.mail.test_replies import reply_to
from tests.review.test_reply_sla import BERLIN, OPS, at_berlin, review_of, start

HOT = "Could we set up a call next Tuesday?"
OTHER = "Who else uses this in our industry?"


def overdue_told(rt) -> list:
    return [(ch, n) for ch, n in rt.humans.notices if "past its target" in n.plain()]


# --- the overdue notice reaches somebody -----------------------------------------------------


def test_without_an_operator_channel_the_owner_is_told_in_the_cards_thread(rt):
    ours, clock = start(rt)
    rt.settings.operator_channel = ""
    got = replies.ingest(rt, reply_to(ours, HOT), "t")
    review = review_of(rt, got.review_id)
    assert review.message_ts, "the card is posted"

    clock.at = at_berlin(clock, 11)
    assert lifecycle.sweep(rt)["overdue"] == 1
    [(channel, notice)] = overdue_told(rt)
    assert channel == review.channel and notice.thread == review.message_ts
    assert notice.parts[0] == User(review.owner) and notice.tone == "alarm"
    assert "this hot reply is past its target (1 working hour): it was due 11:00" in (
        notice.plain()
    )
    assert "no operator channel is set (TWOLOOP_OPERATOR_CHANNEL)" in notice.plain()
    assert not any(isinstance(p, CardRef) for p in notice.parts), "it sits under the card"
    assert review_of(rt, got.review_id).overdue_told_at == at_berlin(clock, 11)

    clock.at = at_berlin(clock, 12)
    assert lifecycle.sweep(rt)["overdue"] == 0, "told once"
    assert len(overdue_told(rt)) == 1


def test_a_card_not_posted_yet_is_named_beside_the_owners_notice(rt):
    ours, clock = start(rt)
    rt.settings.operator_channel = ""
    got = replies.ingest(rt, reply_to(ours, HOT), "t")
    with rt.db.session() as s:  # as if Slack never took the card
        s.execute(update(Review).where(col(Review.id) == got.review_id).values(message_ts=""))
    clock.at = at_berlin(clock, 11)
    assert targets.tell_overdue(rt, clock()) == [got.review_id]
    [(channel, notice)] = overdue_told(rt)
    review = review_of(rt, got.review_id)
    assert channel == review.channel and notice.thread == ""
    assert CardRef(review.id, review.channel, "") in notice.parts


def test_a_notice_slack_did_not_take_is_sent_again_at_the_next_sweep(rt, monkeypatch):
    ours, clock = start(rt)
    got = replies.ingest(rt, reply_to(ours, HOT), "t")
    recorded = rt.humans.notify
    failures = []

    def flaky(channel, notice):
        if "past its target" in notice.plain() and not failures:
            failures.append(channel)
            raise ConnectionError("slack is down")
        recorded(channel, notice)

    monkeypatch.setattr(rt.humans, "notify", flaky)
    clock.at = at_berlin(clock, 11)
    assert lifecycle.sweep(rt)["overdue"] == 0
    assert failures == [OPS] and not overdue_told(rt)
    assert review_of(rt, got.review_id).overdue_told_at is None, "the claim was given back"

    clock.at = at_berlin(clock, 11, 5)
    assert lifecycle.sweep(rt)["overdue"] == 1
    [(channel, notice)] = overdue_told(rt)
    assert channel == OPS and User(review_of(rt, got.review_id).owner) in notice.parts
    assert review_of(rt, got.review_id).overdue_told_at == at_berlin(clock, 11, 5)
    clock.at = at_berlin(clock, 12)
    assert lifecycle.sweep(rt)["overdue"] == 0 and len(overdue_told(rt)) == 1


def test_a_release_gives_back_only_its_own_claim(rt):
    ours, clock = start(rt)
    got = replies.ingest(rt, reply_to(ours, HOT), "t")
    first, later = at_berlin(clock, 11), at_berlin(clock, 11, 5)
    with rt.db.session() as s:
        assert store.claim_overdue(s, got.review_id, later)
    with rt.db.session() as s:
        assert not store.release_overdue(s, got.review_id, first), "another replica's claim"
    assert review_of(rt, got.review_id).overdue_told_at == later
    with rt.db.session() as s:
        assert store.release_overdue(s, got.review_id, later)
    assert review_of(rt, got.review_id).overdue_told_at is None


def test_with_nobody_to_tell_nothing_is_claimed(rt):
    ours, clock = start(rt)
    got = replies.ingest(rt, reply_to(ours, HOT), "t")
    humans, rt.humans = rt.humans, None
    clock.at = at_berlin(clock, 11)
    assert targets.tell_overdue(rt, clock()) == []
    assert review_of(rt, got.review_id).overdue_told_at is None
    rt.humans = humans  # a process connected to the chat tells
    assert targets.tell_overdue(rt, clock()) == [got.review_id]


# --- a hot reply leads the lists ------------------------------------------------------------


def test_storage_knows_the_classes_in_the_same_order():
    assert store.URGENCY == sla.CLASSES


def twenty_overdue_others_and_a_new_hot(rt):
    """20 "other" replies opened on a Wednesday (due Thursday), then on Friday at 10:00 a
    meeting request: the others are a day overdue, the hot one due at 11:00."""
    ours, clock = start(rt)
    others = [replies.ingest(rt, reply_to(ours, OTHER), "t").review_id for _ in range(20)]
    assert {review_of(rt, r).sla for r in others} == {"other"}
    clock.at += timedelta(days=2)
    hot = replies.ingest(rt, reply_to(ours, HOT), "t").review_id
    assert review_of(rt, hot).sla == "hot"
    return clock, others, hot


def test_a_new_hot_reply_leads_queue_and_home_over_twenty_overdue_others(rt):
    clock, others, hot = twenty_overdue_others_and_a_new_hot(rt)

    queue = status.queue(rt, None)
    assert len(queue.items) == 20 and queue.items[0].review_id == hot
    assert queue.items[0].due == "due 11:00 (Europe/Berlin)" and not queue.items[0].overdue
    assert [i.review_id for i in queue.items[1:]] == others[:19], "then by target"
    assert all(i.overdue for i in queue.items[1:])
    assert queue.total > len(queue.items), "what is not listed is counted"

    page = home.home_for(rt, OPERATOR)
    assert len(page.cards) == 15 and page.cards[0].review_id == hot
    assert page.open_total - len(page.cards) >= 6  # 5 "other" replies and the drafts

    owner = review_of(rt, hot).owner
    mine = status.queue(rt, owner)
    assert mine.items[0].review_id == hot


def test_escalation_comes_before_other_replies_however_late(rt):
    ours, clock = start(rt)
    other = replies.ingest(rt, reply_to(ours, OTHER), "t").review_id
    clock.at += timedelta(days=2)
    pricing = "Interesting. What does it cost for 40 seats?"
    escalation = replies.ingest(rt, reply_to(ours, pricing), "t").review_id
    hot = replies.ingest(rt, reply_to(ours, HOT), "t").review_id
    assert review_of(rt, escalation).sla == "escalation"
    ids = [i.review_id for i in status.queue(rt, None).items[:3]]
    assert ids == [hot, escalation, other]


# --- an AM's digest counts the replies routed to them ---------------------------------------


def test_am_digest_counts_replies_by_their_owner_not_the_agents(rt):
    ours, clock = start(rt)
    got = replies.ingest(rt, reply_to(ours, HOT), "t")
    review = review_of(rt, got.review_id)
    agent_owner = rt.fleet().agents[review.agent_id].spec.owner
    account_owner = "U0AMACCOUNT"  # the account's owner AM, who owns no agent
    with rt.db.session() as s:  # routed to the account's owner (bot/memory/owners.py)
        s.execute(update(Review).where(col(Review.id) == review.id).values(owner=account_owner))
    clock.at = at_berlin(clock, 12)
    day = clock.at.astimezone(BERLIN).date()
    agents = [a for a, x in rt.fleet().agents.items() if x.spec.owner == agent_owner]

    def am(owner: str, ids: list[str]):
        return digest.digest_for(
            rt, day, ids, tz="Europe/Berlin", scope="am", owner=owner, partial=True
        ).reply_targets

    assert am(agent_owner, agents).due == 0, "not the agent owner's to answer"
    mine = am(account_owner, [])
    assert (mine.within, mine.late, mine.open_past) == (0, 0, 1)
    # The fleet digest still counts it, by agent.
    fleet = digest.digest_for(rt, day, tz="Europe/Berlin", partial=True).reply_targets
    assert fleet.open_past == 1
