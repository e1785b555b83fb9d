"""Opening, posting, reminding, expiring and resurfacing reviews: the handoff's lifecycle."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlmodel import Session

from bot.config.agents import AgentSpec
from bot.memory import owners
from bot.review import posting, targets
from bot.review.cards import card_for
from bot.runtime import Runtime
from storage import audit
from storage import reviews as store
from storage.models import Draft, InboundMessage, Review

log = logging.getLogger(__name__)


def content_hash(subject: str, body: str, followups: list | None = None) -> str:
    """What an approval binds to: the exact text shown on the card, follow-ups included."""
    steps = "\n\x00\n".join(f"{f['after_days']}\n{f['body']}" for f in followups or [])
    return hashlib.sha256(f"{subject}\n\x00\n{body}\n\x01\n{steps}".encode()).hexdigest()[:20]


def new_review(
    rt: Runtime,
    s: Session,
    kind: str,
    subject_id: int,
    spec: AgentSpec,
    content_hash: str,
    reasons: list[str],
    now: datetime,
    *,
    account_id: str = "",
    reply: InboundMessage | None = None,
    route: owners.Route | None = None,
) -> Review:
    """An open review, reminded at 80% of the window, expiring at its end
    (TWOLOOP_REVIEW_WINDOW_HOURS). About an account (`account_id`), it is its owner AM's to
    decide, in their channel (bot/memory/owners.py); otherwise the agent's owner's.

    About a `reply`, it has a target instead (bot/review/targets.py): its owner is nudged
    before it, the operators are told at it, and it never expires. `route`: who decides, as
    the caller already asked `owners.route` (a tick asks once per account owner)."""
    window = timedelta(hours=rt.settings.review_window_hours)
    who = route or (
        owners.route(rt, s, spec, account_id)
        if account_id
        else owners.Route(spec.owner, spec.channel)
    )
    remind_at = now + window * 0.8
    target = None
    if reply is not None:
        readings = (reply.detail or {}).get("intents") or ()
        target = targets.for_reply(
            rt, s, who.owner, spec.id, reply.intent, reply.triggers, now, readings
        )
        remind_at = target.remind_at
    review = Review(
        kind=kind,
        subject_id=subject_id,
        agent_id=spec.id,
        owner=who.owner,
        channel=who.channel,
        content_hash=content_hash,
        reasons=reasons,
        created_at=now,
        remind_at=remind_at,
        expires_at=now + window,
        sla=target.sla if target else "",
        respond_by=target.respond_by if target else None,
    )
    s.add(review)
    s.flush()
    return review


def open_draft_review(
    rt: Runtime,
    s: Session,
    draft: Draft,
    spec: AgentSpec,
    now: datetime,
    route: owners.Route | None = None,
) -> Review:
    assert draft.id is not None  # the draft is flushed before its review opens
    digest = content_hash(draft.subject, draft.body, draft.followups)
    reasons = [r["text"] for r in draft.gate_reasons]
    review = new_review(
        rt,
        s,
        "draft",
        draft.id,
        spec,
        digest,
        reasons,
        now,
        account_id=draft.account_id,
        route=route,
    )
    audit.record(
        s,
        "system",
        "review.opened",
        f"review:{review.id}",
        {"draft": draft.id},
        draft.config_version,
        agent_id=draft.agent_id,
    )
    return review


def post_pending(rt: Runtime, limit: int | None = None, *, budget: float = 0.0) -> int:
    """Post open reviews that have no card yet (see bot/review/posting.py: paced per channel, a
    failed post is retried, never lost). Then the operators hear of account owners who
    turned out to be gone (their reviews went to the agents' owners)."""
    posted = posting.post_pending(rt, limit, budget=budget)
    _tell_missing(rt)
    return posted


def _tell_missing(rt: Runtime) -> None:
    try:
        owners.tell_missing(rt)
    except Exception:  # cards still go out; the next run tells
        log.exception("telling operators about missing account owners failed")


def redraw(rt: Runtime, review_id: int) -> None:
    if rt.humans is None:
        return
    with rt.db.session() as s:
        card = card_for(rt, s, review_id)
    if not card.message_ts:
        return
    try:
        rt.humans.update_review(card)
    except Exception as exc:  # noqa: BLE001 - the decision stands; the card is cosmetic
        log.warning("updating card for review %s failed: %s", review_id, type(exc).__name__)


def reopen(rt: Runtime, s: Session, draft: Draft, now: datetime) -> Review | None:
    """A fresh review (and so a fresh card) for a draft, unless one is already open."""
    assert draft.id is not None  # a row read from the database has its id
    if store.open_for(s, "draft", draft.id) is not None:
        return None
    spec = rt.fleet().agents.get(draft.agent_id)
    if spec is None:
        return None
    store.set_draft_status(s, draft.id, "review", now, deferred_until=None)
    return open_draft_review(rt, s, draft, spec.spec, now)


def sweep(rt: Runtime) -> dict[str, int]:
    """Reminders at 80% of the window (before the target, for a reply), expiry at its end
    (never, for a reply with a target: the operators are told when it passes), deferred
    drafts coming back."""
    now = rt.now()
    counts = {"reminded": 0, "expired": 0, "resurfaced": 0, "overdue": 0}
    try:  # what the chat says of account owners, asked here and not while a review opens
        owners.refresh(rt)
    except Exception:  # routing falls back on the cache
        log.exception("refreshing account owners failed")
    _tell_missing(rt)
    with rt.db.session() as s:
        reminders = _ids(store.due_reminders(s, now))
        expiries = _ids(store.due_expiries(s, now))
        deferred = _ids(store.deferred_due(s, now))
    for review_id in reminders:
        with rt.db.session() as s:
            if not store.claim_reminder(s, review_id, now):
                continue
            card = card_for(rt, s, review_id)
        if rt.humans is not None:
            try:
                rt.humans.remind(card)
            except Exception as exc:  # noqa: BLE001
                log.warning("reminder for review %s failed: %s", review_id, type(exc).__name__)
        counts["reminded"] += 1
    overdue = targets.tell_overdue(rt, now)
    counts["overdue"] = len(overdue)
    for review_id in overdue:  # the card now says it is overdue
        redraw(rt, review_id)
    for review_id in expiries:
        with rt.db.session() as s:
            if not store.close(
                s, review_id, status="expired", outcome="expired", actor="system", now=now
            ):
                continue
            review = s.get_one(Review, review_id)  # just closed in this transaction
            if review.kind == "draft":
                store.set_draft_status(s, review.subject_id, "expired", now)
            audit.record(
                s,
                "system",
                "review.expired",
                f"review:{review_id}",
                {"sent": False},
                agent_id=review.agent_id,
            )
        redraw(rt, review_id)
        counts["expired"] += 1
    for draft_id in deferred:
        with rt.db.session() as s:
            draft = s.get_one(Draft, draft_id)  # drafts are never deleted
            if draft.status == "deferred" and reopen(rt, s, draft, now) is not None:
                audit.record(
                    s, "system", "draft.resurfaced", f"draft:{draft_id}", agent_id=draft.agent_id
                )
                counts["resurfaced"] += 1
    if counts["resurfaced"]:
        post_pending(rt)
    return counts


def _ids(rows: Iterable[Review | Draft]) -> list[int]:
    """The ids of rows read from the database (every one has its id)."""
    return [row.id for row in rows if row.id is not None]
