"""Standard crontab expressions on APScheduler 3, whose weekday numbers differ from cron's."""

from __future__ import annotations

from apscheduler.triggers.cron import CronTrigger

DAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


def crontab_days(field: str) -> str:
    """Standard crontab weekdays (0 or 7 = Sunday) as APScheduler 3 names.

    APScheduler 3 numbers Monday as 0, so a plain '1-5' would run Tuesday to Saturday.
    """
    if field in ("*", "?"):
        return "*"
    days: set[int] = set()
    for part in field.lower().split(","):
        rng, _, step = part.partition("/")
        if rng == "*":
            lo, hi = 0, 6
        elif "-" in rng:
            a, b = rng.split("-", 1)
            lo, hi = _day(a), _day(b, end=True)
        else:
            lo = hi = _day(rng)
            if step:
                hi = 6
        if hi < lo:
            hi += 7
        days.update(d % 7 for d in range(lo, hi + 1, int(step or 1)))
    return ",".join(DAY_NAMES[d] for d in sorted(days, key=lambda d: (d + 6) % 7))


def _day(token: str, end: bool = False) -> int:
    """A weekday number; as a range's end, 7 stays 7 so that '0-7' means every day."""
    if token[:3] in DAY_NAMES:
        return DAY_NAMES.index(token[:3])
    n = int(token)
    if not 0 <= n <= 7:
        raise ValueError(f"day of week {n} is out of range 0-7")
    return n if end else n % 7


def cron_trigger(expr: str, timezone: str) -> CronTrigger:
    """A CronTrigger from a standard 5-field crontab expression."""
    fields = expr.split()
    if len(fields) != 5:
        raise ValueError(f"cron needs 5 fields (minute hour day month weekday), got {len(fields)}")
    minute, hour, day, month, weekday = fields
    return CronTrigger(
        minute=minute,
        hour=hour,
        day=day,
        month=month,
        day_of_week=crontab_days(weekday),
        timezone=timezone,
    )
