"""The handoff on both databases: tick -> review -> decision -> outbox, first click wins."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlmodel import select

from bot.agent import loop
from bot.decisions import Action, Request, decide
from bot.mail.outbound import outbox
from bot.review import lifecycle as reviews
from storage.models import AuditEvent, Decision, Draft, OutboxMessage, Review
from tests.conftest import OPERATOR, approve_plays

DRAFT_DECISIONS = select(Decision).where(Decision.play_version_id.is_(None))


def open_reviews(rt):
    with rt.db.session() as s:
        q = select(Review).where(Review.status == "open", Review.kind == "draft")
        return list(s.exec(q.order_by(Review.id)))


def ticked(rt):
    approve_plays(rt)
    loop.tick(rt)
    reviews.post_pending(rt)
    return open_reviews(rt)


def approve(rt, review, actor=None):
    return decide(
        rt,
        Request(review.id, actor or review.owner, Action.APPROVE, content_hash=review.content_hash),
    )


def test_probation_sends_every_draft_to_review(rt):
    revs = ticked(rt)
    assert revs, "the sample data should produce drafts"
    assert all("probation" in " ".join(r.reasons) for r in revs)
    assert len([c for c in rt.humans.posted if c.kind == "draft"]) == len(revs)
    with rt.db.session() as s:
        assert s.exec(select(OutboxMessage)).all() == []


def test_second_tick_drafts_nothing_new(rt):
    first = ticked(rt)
    reports = loop.tick(rt)
    assert sum(r.drafted for r in reports) == 0
    assert len(open_reviews(rt)) == len(first)


def test_approve_sends_once_and_records_feedback(rt):
    review = ticked(rt)[0]
    result = approve(rt, review)
    assert result.status == "decided"
    assert outbox.flush(rt)["sent"] == 1
    assert outbox.flush(rt)["sent"] == 0
    emls = list(rt.settings.outbox_dir.glob("*.eml"))
    assert len(emls) == 1
    with rt.db.session() as s:
        draft = s.get(Draft, review.subject_id)
        decision = s.exec(DRAFT_DECISIONS).one()
        assert draft.status == "sent"
        assert decision.action == "approve" and decision.actor == review.owner
        assert decision.config_version == draft.config_version
        assert s.exec(select(AuditEvent).where(AuditEvent.action == "outbox.sent")).one()
    assert draft.subject in emls[0].read_text()
    assert rt.humans.updated[-1].status == "decided"


def test_first_decision_wins_and_later_clicks_are_told_who(rt):
    review = ticked(rt)[0]
    assert approve(rt, review).status == "decided"
    late = decide(rt, Request(review.id, OPERATOR, Action.KILL, reason_code="off_brand"))
    assert (late.status, late.outcome, late.decided_by) == (
        "already_decided",
        "approved",
        review.owner,
    )
    with rt.db.session() as s:
        assert len(s.exec(DRAFT_DECISIONS).all()) == 1


def test_only_owner_or_operator_may_decide_and_attempts_are_audited(rt):
    review = ticked(rt)[0]
    assert approve(rt, review, actor="U0STRANGER").status == "forbidden"
    with rt.db.session() as s:
        refused = s.exec(select(AuditEvent).where(AuditEvent.action == "decision.refused")).one()
        assert refused.actor == "user:U0STRANGER"
        assert s.get(Review, review.id).status == "open"
    assert approve(rt, review, actor=OPERATOR).status == "decided"


def test_edit_sends_edited_text_and_keeps_before_and_after(rt):
    review = ticked(rt)[0]
    with rt.db.session() as s:
        before = s.get(Draft, review.subject_id)
    result = decide(
        rt,
        Request(
            review.id,
            review.owner,
            Action.EDIT,
            content_hash=review.content_hash,
            subject="Better subject",
            body="Short and specific.\n",
        ),
    )
    assert result.status == "decided"
    outbox.flush(rt)
    [eml] = rt.settings.outbox_dir.glob("*.eml")
    assert "Better subject" in eml.read_text() and "Short and specific." in eml.read_text()
    with rt.db.session() as s:
        d = s.exec(DRAFT_DECISIONS).one()
    assert (d.before_subject, d.after_subject) == (before.subject, "Better subject")
    assert d.before_body == before.body and d.after_body.startswith("Short and specific.")


def test_kill_sends_nothing_and_requires_a_reason(rt):
    review = ticked(rt)[0]
    bad = decide(rt, Request(review.id, review.owner, Action.KILL))
    assert bad.status == "invalid"
    ok = decide(
        rt,
        Request(
            review.id,
            review.owner,
            Action.KILL,
            reason_code="wrong_account",
            reason_text="subsidiary",
        ),
    )
    assert ok.status == "decided"
    assert outbox.flush(rt)["sent"] == 0
    with rt.db.session() as s:
        assert s.get(Draft, review.subject_id).status == "killed"
        assert s.exec(DRAFT_DECISIONS).one().reason_code == "wrong_account"


def test_defer_brings_a_new_card_back_on_the_date(rt):
    review = ticked(rt)[0]
    until = (rt.now() + timedelta(days=3)).date()
    assert (
        decide(rt, Request(review.id, review.owner, Action.DEFER, defer_until=until)).status
        == "decided"
    )
    posted = len(rt.humans.posted)
    assert reviews.sweep(rt)["resurfaced"] == 0
    later = rt.now() + timedelta(days=4)
    rt.clock = lambda: later
    assert reviews.sweep(rt)["resurfaced"] == 1
    assert len(rt.humans.posted) == posted + 1
    fresh = rt.humans.posted[-1]
    assert fresh.review_id != review.id and fresh.status == "open"
    assert reviews.sweep(rt)["resurfaced"] == 0


def test_changed_draft_refuses_approval_and_posts_a_fresh_card(rt):
    review = ticked(rt)[0]
    with rt.db.session() as s:
        draft = s.get(Draft, review.subject_id)
        draft.body = draft.body + "\nP.S. changed after posting\n"
        s.add(draft)
    result = approve(rt, review)
    assert result.status == "stale" and result.new_review_id
    assert outbox.flush(rt)["sent"] == 0
    with rt.db.session() as s:
        assert s.get(Review, review.id).status == "superseded"
        new = s.get(Review, result.new_review_id)
    assert rt.humans.posted[-1].review_id == new.id
    assert approve(rt, new).status == "decided"


def test_reminder_at_80_percent_then_safe_expiry(rt):
    review = ticked(rt)[0]
    window = timedelta(hours=rt.settings.review_window_hours)
    start = rt.now()
    rt.clock = lambda: start + window * 0.5
    assert reviews.sweep(rt)["reminded"] == 0
    rt.clock = lambda: start + window * 0.81
    assert reviews.sweep(rt)["reminded"] >= 1
    assert reviews.sweep(rt)["reminded"] == 0, "reminded once only"
    rt.clock = lambda: start + window + timedelta(minutes=1)
    assert reviews.sweep(rt)["expired"] >= 1
    with rt.db.session() as s:
        assert s.get(Review, review.id).status == "expired"
        assert s.get(Draft, review.subject_id).status == "expired"
    assert outbox.flush(rt)["sent"] == 0
    assert approve(rt, review).status == "already_decided"


def test_twenty_simultaneous_approvals_send_one_email(rt):
    review = ticked(rt)[0]
    barrier = threading.Barrier(20)
    results = []

    def click(i):
        barrier.wait()
        results.append(approve(rt, review, actor=review.owner if i % 2 else OPERATOR).status)

    threads = [threading.Thread(target=click, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results).count("decided") == 1
    assert results.count("already_decided") == 19
    for _ in range(3):
        outbox.flush(rt)
    assert len(list(rt.settings.outbox_dir.glob("*.eml"))) == 1
    with rt.db.session() as s:
        assert len(s.exec(DRAFT_DECISIONS).all()) == 1
        assert len(s.exec(select(OutboxMessage)).all()) == 1


def test_failed_post_is_retried_not_lost(rt):
    approve_plays(rt)
    rt.humans.fail_posts = 1
    loop.tick(rt)
    total = len(open_reviews(rt))
    assert reviews.post_pending(rt) == total - 1
    assert reviews.post_pending(rt) == 1
    assert reviews.post_pending(rt) == 0
    assert len({c.review_id for c in rt.humans.posted}) == total
