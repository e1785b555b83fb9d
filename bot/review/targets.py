"""Reply targets in use: the target a reply review opens with, how a card and the queue
describe it, and telling the operators (or, with no operator channel, the owner) when one
passes (bot/review/sla.py does the sums).

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
    readings: tuple[str, ...] | list[str] = (),
) -> sla.Target:
    """The target of a reply that `owner` must answer, counted from `now`. `readings` as for
    `sla.classify`."""
    hours = sla.targets(rt.settings)
    cls = sla.classify(intent, triggers, hours, readings)
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
    owns it; with no operator channel, its owner, in the card's thread. The claim (one
    conditional update) makes it once across replicas; a notice that did not go out gives
    the claim back, so the next sweep tells again. The review stays open until someone
    decides."""
    if rt.humans is None:  # nobody to tell: a process connected to the chat will
        return []
    with rt.db.session() as s:
        due = [r.id for r in store.due_overdue(s, now) if r.id is not None]
    operators = rt.settings.operator_channel
    told = []
    for review_id in due:
        with rt.db.session() as s:
            if not store.claim_overdue(s, review_id, now):
                continue
            review = s.get_one(Review, review_id)
            if operators:
                channel, notice = operators, overdue_notice(rt, s, review, now)
            else:
                channel, notice = review.channel, owner_notice(rt, s, review, now)
        try:
            rt.humans.notify(channel, notice)
        except Exception as exc:  # noqa: BLE001 - the next sweep tries again
            log.warning("overdue notice for review %s failed: %s", review_id, type(exc).__name__)
            with rt.db.session() as s:
                store.release_overdue(s, review_id, now)
            continue
        told.append(review_id)
    return told


def _late(rt: Runtime, s: Session, review: Review, now: datetime) -> str:
    """'reply is past its target (1 working hour): it was due 11:00 (Europe/Berlin)'."""
    assert review.respond_by is not None  # a due overdue row
    hours = sla.targets(rt.settings).get(review.sla)
    week = sla.week_of(rt.settings)
    span = f" ({sla.span_text(hours, week)})" if hours is not None else ""
    zone = owner_zone(rt, s, review.owner, review.agent_id)
    due = sla.due_text(review.respond_by, zone, now).removeprefix("due ")
    return f"reply is past its target{span}: it was due {due}"


def overdue_notice(rt: Runtime, s: Session, review: Review, now: datetime) -> Notice:
    assert review.id is not None  # a row read from the database has its id
    return Notice.of(
        f"A {review.sla} {_late(rt, s, review, now)} and nobody has answered it yet. ",
        CardRef(review.id, review.channel, review.message_ts),
        ", owned by ",
        User(review.owner),
        ". It stays open until someone decides.",
        tone="alarm" if review.sla == "hot" else "warning",
        agent_id=review.agent_id,
    )


def owner_notice(rt: Runtime, s: Session, review: Review, now: datetime) -> Notice:
    """The overdue notice for the owner, when there is no operator channel to tell: under
    the card (beside it, while the card is not posted yet), saying why it came to them."""
    assert review.id is not None  # a row read from the database has its id
    card = () if review.message_ts else (" (", CardRef(review.id, review.channel, ""), ")")
    return Notice.of(
        User(review.owner),
        f" this {review.sla} {_late(rt, s, review, now)} and nobody has answered it yet",
        *card,
        ". It stays open until someone decides. You are told rather than the operators because "
        "no operator channel is set (TWOLOOP_OPERATOR_CHANNEL).",
        tone="alarm" if review.sla == "hot" else "warning",
        agent_id=review.agent_id,
        thread=review.message_ts,
    )
