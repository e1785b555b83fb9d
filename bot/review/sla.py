"""Reply targets: which class a reply that needs a person falls in, and when it must be
answered, counted in working time of the owner's time zone. Pure: no database, no clock.

Classes, most urgent first (targets: TWOLOOP_REPLY_TARGETS, the one place they are set):
- hot: interest or a meeting request. A buyer with their hand up cools within hours.
- escalation: pricing, contract or legal, an executive asking, a data-protection request
  (it may carry a legal deadline and must not sit for a day), and an angry complaint (not a
  sale, but left a day it becomes a spam report or a lost account).
- other: everything else a person must read (a question, a referral, an unclear reply).
An injection attempt alone is no reason to hurry: it is "other".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.settings import REPLY_TARGETS, WEEKDAYS, Settings

HOT_INTENTS = frozenset({"interested", "meeting_request"})
ESCALATION_TRIGGERS = frozenset(
    {
        "pricing",
        "contract_legal",
        "executive_request",
        "compliance_data_request",
        "anger_complaint",
    }
)
CLASSES = tuple(REPLY_TARGETS)  # hot, escalation, other: most urgent first
# The nudge comes halfway through the working time to the target (so the owner still has
# half of it to answer), and never later than this before the target.
NUDGE_LEAD = timedelta(minutes=5)
MAX_DAYS = 3660  # working time that does not fit in ten years is a configuration error


@dataclass(frozen=True)
class WorkingWeek:
    """When the owner works: `start`/`end` as offsets from local midnight, `days` as
    Monday=0 weekday numbers."""

    start: timedelta
    end: timedelta
    days: frozenset[int]

    @property
    def day_hours(self) -> float:
        return (self.end - self.start).total_seconds() / 3600


@dataclass(frozen=True)
class Target:
    sla: str  # the class
    hours: float  # working hours to the target
    respond_by: datetime  # UTC
    remind_at: datetime  # UTC, the nudge in the card's thread
    zone: str  # the owner's IANA zone the working time counted in


def week_of(settings: Settings) -> WorkingWeek:
    start, _, end = settings.working_hours.partition("-")
    days = frozenset(WEEKDAYS.index(d) for d in settings.working_days.split(","))
    return WorkingWeek(_offset(start), _offset(end), days)


def _offset(clock: str) -> timedelta:
    hh, mm = clock.split(":")
    return timedelta(hours=int(hh), minutes=int(mm))


def hours_of(duration: str, week: WorkingWeek) -> float:
    """'30m', '4h' or '1d' (d: working days, each as long as the working day) in hours."""
    n = float(duration[:-1])
    return {"m": n / 60, "h": n, "d": n * week.day_hours}[duration[-1]]


def targets(settings: Settings) -> dict[str, float]:
    """Class -> working hours to the target, from the settings."""
    week = week_of(settings)
    return {name: hours_of(settings.reply_targets[name], week) for name in CLASSES}


def classify(
    intent: str,
    triggers: tuple[str, ...] | list[str],
    hours: dict[str, float],
    readings: tuple[str, ...] | list[str] = (),
) -> str:
    """The class of a reply: of the classes that apply, the one with the shortest target
    (ties: the more urgent by nature). `readings`: every reader's intent (rules, model), so a
    buyer the model mislabels still counts as hot when either reading says so."""
    applies = ["other"]
    if HOT_INTENTS.intersection((intent, *readings)):
        applies.append("hot")
    if ESCALATION_TRIGGERS.intersection(triggers):
        applies.append("escalation")
    return min(applies, key=lambda c: (hours[c], CLASSES.index(c)))


def add_working_time(start: datetime, hours: float, tz: ZoneInfo, week: WorkingWeek) -> datetime:
    """`start` (aware) plus `hours` of working time in `tz`, in UTC. Counted on the local
    wall clock, so a day that changes to or from daylight saving time still works 09:00 to
    17:00; time outside working hours (evenings, weekends) does not count."""
    local = start.astimezone(tz).replace(tzinfo=None)
    left = timedelta(hours=hours)
    for _ in range(MAX_DAYS):
        midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
        if midnight.weekday() in week.days:
            opens, closes = midnight + week.start, midnight + week.end
            local = max(local, opens)
            if local < closes:
                if left <= closes - local:
                    return _utc(local + left, tz)
                left -= closes - local
        local = midnight + timedelta(days=1)
    raise ValueError("working time does not fit: check TWOLOOP_WORKING_DAYS")


def _utc(wall: datetime, tz: ZoneInfo) -> datetime:
    return wall.replace(tzinfo=tz).astimezone(UTC)


def target(sla: str, hours: float, start: datetime, tz: ZoneInfo, week: WorkingWeek) -> Target:
    """The target of a reply of class `sla` received at `start`, and its nudge."""
    nudge_hours = max(0.0, min(hours / 2, hours - NUDGE_LEAD.total_seconds() / 3600))
    return Target(
        sla=sla,
        hours=hours,
        respond_by=add_working_time(start, hours, tz, week),
        remind_at=add_working_time(start, nudge_hours, tz, week),
        zone=tz.key,
    )


# Plain text shared by every renderer (Slack, the terminal), so they say the same.


def span_text(hours: float, week: WorkingWeek) -> str:
    """'1 working hour', '30 working minutes', '1 working day'."""
    if hours >= week.day_hours and hours % week.day_hours == 0:
        n = int(hours // week.day_hours)
        return f"{n} working day{'s' if n != 1 else ''}"
    if hours < 1:
        n = round(hours * 60)
        return f"{n} working minute{'s' if n != 1 else ''}"
    n_text = f"{hours:g}"
    return f"{n_text} working hour{'s' if n_text != '1' else ''}"


def due_text(respond_by: datetime, tz: ZoneInfo, now: datetime) -> str:
    """'due 10:30 (Europe/Berlin)', with the day when it is not today there."""
    local = respond_by.astimezone(tz)
    day = "" if local.date() == now.astimezone(tz).date() else f"{local:%a %d %b} "
    return f"due {day}{local:%H:%M} ({tz.key})"


def overdue_text(respond_by: datetime, now: datetime) -> str:
    """'overdue by 2 h' (wall time since the target), '' before it. At the target itself it
    is overdue (by the first minute), as the operators are told then."""
    late = now - respond_by
    if late < timedelta(0):
        return ""
    minutes = late.total_seconds() / 60
    if minutes < 60:
        return f"overdue by {max(1, int(minutes))} min"
    hours = minutes / 60
    return f"overdue by {hours:.0f} h" if hours < 48 else f"overdue by {hours / 24:.1f} d"


def target_text(hours: float, respond_by: datetime, tz: ZoneInfo, week: WorkingWeek, now) -> str:
    """'reply within 1 working hour: due 10:30 (Europe/Berlin)', or '...: overdue by 2 h'."""
    late = overdue_text(respond_by, now)
    return f"reply within {span_text(hours, week)}: " + (late or due_text(respond_by, tz, now))
