"""`/twoloop queue`, the digest and App Home count and list every kind of open review: drafts,
replies waiting on a person, and plays waiting for approval."""

from __future__ import annotations

from sqlmodel import func, select

from bot.agent import loop
from bot.mail.inbound import replies
from bot.reports import digest, status
from bot.reports.home import home_for
from handlers.views.answers import queue_text
from storage.models import Review
from tests.conftest import OPERATOR, sent_first
from tests.mail.test_replies import reply_to

AM = "U0AMDANA01"  # owns data-platform


def open_by_kind(rt, owner: str | None = None) -> dict[str, int]:
    with rt.db.session() as s:
        q = select(Review.kind, func.count()).where(Review.status == "open")
        if owner:
            q = q.where(Review.owner == owner)
        return dict(s.exec(q.group_by(Review.kind)).all())


def test_plays_waiting_for_approval_are_counted_everywhere(rt):
    loop.tick(rt)  # new plays ask for approval first: the only open reviews
    kinds = open_by_kind(rt)
    assert set(kinds) == {"play"} and kinds["play"] > 0
    queue = status.queue(rt, None)
    assert {i.kind for i in queue.items} == {"play"}
    assert queue.total == kinds["play"] == len(queue.items)
    assert all(i.subject for i in queue.items), "a play is listed by its name"
    assert f"*{kinds['play']} open reviews*" in queue_text(queue.items, queue.total)
    home = home_for(rt, OPERATOR)
    assert home.open_total == kinds["play"]
    assert sum(a.open_reviews for a in home.agents) == kinds["play"]
    digest.post_now(rt, AM)
    mine = open_by_kind(rt, AM)["play"]
    assert rt.humans.digests[-1][1].open_reviews == mine > 0


def test_replies_are_listed_and_counted_with_drafts(rt):
    ours = sent_first(rt)
    got = replies.ingest(rt, reply_to(ours, "Interesting. What does it cost for 40 seats?"), "t")
    assert got.route == "review"
    kinds = open_by_kind(rt, AM)
    assert kinds.get("reply") == 1 and kinds.get("draft", 0) > 0
    queue = status.queue(rt, AM)
    listed = [i for i in queue.items if i.kind == "reply"]
    assert [i.review_id for i in listed] == [got.review_id]
    assert listed[0].subject.startswith("Re:") and listed[0].account
    assert queue.total == sum(kinds.values())
    text = queue_text(queue.items, queue.total)
    assert f"#{got.review_id} _reply_" in text
    digest.post_now(rt, AM)
    assert rt.humans.digests[-1][1].open_reviews == sum(kinds.values())


def test_the_queue_says_how_many_it_did_not_list(rt):
    loop.tick(rt)
    total = sum(open_by_kind(rt).values())
    queue = status.queue(rt, None, limit=2)
    assert len(queue.items) == 2 and queue.total == total > 2
    text = queue_text(queue.items, queue.total)
    assert f"*{total} open reviews*" in text and f"…and {total - 2} more" in text
