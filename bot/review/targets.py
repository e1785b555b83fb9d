"""Reply targets in use: the target a reply review opens with, how a card and the queue
describe it, and telling the operators when one passes (bot/review/sla.py does the sums).

The owner's time zone is what the chat last told us (the SlackUser cache that digests and
App Home fill), else the agent file's `timezone` when it sets one, else TWOLOOP_TIMEZONE.
Opening a review reads the cache only: no chat call inside the ingest's transaction.
"""

from __future__ import annotations

import logging
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import Session

from bot.config.agents import AgentSpec
from bot.ports import CardRef, Notice, User
from bot.review import sla
from bot.runtime import Runtime
from storage import reviews as store
from storage import slack_users
from storage.models import Review

log = logging.getLogger(__name__)


def owner_zone(rt: Runtime, s: Session, owner: str, agent_id: str) -> ZoneInfo:
    cached = slack_users.cached(s, [owner]).get(owner) if owner else None
    found = rt.fleet().agents.get(agent_id)
    spec: AgentSpec | None = found.spec if found else None
    own = spec.timezone if spec is not None and "timezone" in spec.model_fields_set else ""
    for name in (cached.tz if cached else "", own, rt.settings.timezone):
        try:
            if name:
                return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):  # a zone Slack knows and we do not
            continue
    return ZoneInfo("UTC")


def for_reply(
    rt: Runtime,
    s: Session,
    owner: str,
    agent_id: str,
    intent: str,
    triggers: tuple[str, ...] | list[str],
    now: datetime,
) -> sla.Target:
    """The target of a reply that `owner` must answer, counted from `now`."""
    hours = sla.targets(rt.settings)
    cls = sla.classify(intent, triggers, hours)
    week = sla.week_of(rt.settings)
    return sla.target(cls, hours[cls], now, owner_zone(rt, s, owner, agent_id), week)


def describe(rt: Runtime, s: Session, review: Review, now: datetime) -> str:
    """'reply within 1 working hour: due 10:30 (Europe/Berlin)' ('' without a target)."""
    if review.respond_by is None:
        return ""
    hours = sla.targets(rt.settings).get(review.sla)
    zone = owner_zone(rt, s, review.owner, review.agent_id)
    week = sla.week_of(rt.settings)
    if hours is None:  # a class no longer configured: say when, not how long
        return sla.overdue_text(review.respond_by, now) or sla.due_text(
            review.respond_by, zone, now
        )
    return sla.target_text(hours, review.respond_by, zone, week, now)


def due_line(rt: Runtime, s: Session, review: Review, now: datetime) -> str:
    """For a list (queue, Home): 'overdue by 2 h' or 'due 10:30 (Europe/Berlin)'."""
    if review.respond_by is None:
        return ""
    zone = owner_zone(rt, s, review.owner, review.agent_id)
    return sla.overdue_text(review.respond_by, now) or sla.due_text(review.respond_by, zone, now)


def tell_overdue(rt: Runtime, now: datetime) -> list[int]:
    """Tell the operator channel once of each reply past its target, with the card and who
    owns it. The claim (one conditional update) makes it once across replicas; the review
    stays open until someone decides."""
    with rt.db.session() as s:
        due = [r.id for r in store.due_overdue(s, now) if r.id is not None]
    told = []
    for review_id in due:
        with rt.db.session() as s:
            if not store.claim_overdue(s, review_id, now):
                continue
            review = s.get_one(Review, review_id)
            notice = overdue_notice(rt, s, review, now)
        try:
            rt.tell_operators(notice)
        except Exception as exc:  # noqa: BLE001 - the claim stands: told at most once
            log.warning("overdue notice for review %s failed: %s", review_id, type(exc).__name__)
        told.append(review_id)
    return told


def overdue_notice(rt: Runtime, s: Session, review: Review, now: datetime) -> Notice:
    assert review.id is not None and review.respond_by is not None  # a due overdue row
    hours = sla.targets(rt.settings).get(review.sla)
    week = sla.week_of(rt.settings)
    span = f" ({sla.span_text(hours, week)})" if hours is not None else ""
    zone = owner_zone(rt, s, review.owner, review.agent_id)
    due = sla.due_text(review.respond_by, zone, now).removeprefix("due ")
    return Notice.of(
        f"A {review.sla} reply is past its target{span}: it was due {due} and nobody has "
        "answered it yet. ",
        CardRef(review.id, review.channel, review.message_ts),
        ", owned by ",
        User(review.owner),
        ". It stays open until someone decides.",
        tone="alarm" if review.sla == "hot" else "warning",
        agent_id=review.agent_id,
    )
