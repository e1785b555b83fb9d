"""Sending mailboxes (`mailboxes.yml`): who mail is from, and how fast each may send.

A mailbox has an identity (name, address, signature, the sender's postal address that
CAN-SPAM asks for in every message), a daily cap reached through a warm-up ramp, a sending
window in the recipient's local time, and a minimum gap with jitter between two sends.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from email.utils import formataddr
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator

from bot.config.cron import DAY_NAMES, crontab_days
from bot.config.frontmatter import FileError, line_of, load_yaml


class Window(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    start: time = time(8, 0)
    end: time = time(18, 0)
    days: str = "1-5"  # crontab weekdays: 1-5 is Monday to Friday

    @field_validator("days")
    @classmethod
    def _days(cls, v: str) -> str:
        crontab_days(v)  # raises ValueError with what is wrong
        return v

    def weekdays(self) -> set[int]:
        """Python weekday numbers (Monday 0) the window is open on."""
        names = crontab_days(self.days)
        if names == "*":
            return set(range(7))
        return {(DAY_NAMES.index(n) + 6) % 7 for n in names.split(",")}


class Warmup(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    start: int = Field(10, ge=1)  # sends allowed on the first day
    step: int = Field(5, ge=0)  # added every day after, up to the daily cap


class MailboxSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    address: str = Field(pattern=r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
    name: str = Field(min_length=1)
    signature: str = ""
    postal_address: str = Field(min_length=10)
    daily_cap: int = Field(50, ge=1)
    warmup: Warmup | None = Warmup()
    timezone: str = "UTC"
    window: Window = Window()
    min_gap_seconds: float = Field(90, ge=0)
    jitter_seconds: float = Field(60, ge=0)

    @field_validator("address")
    @classmethod
    def _lower(cls, v: str) -> str:
        return v.lower()

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {v!r}") from None
        return v

    @property
    def from_header(self) -> str:
        return formataddr((self.name, self.address))

    def cap_on(self, day: date, first_send_on: date | None) -> int:
        """Today's cap: the warm-up ramp from the first send, never above the daily cap."""
        if self.warmup is None:
            return self.daily_cap
        days_in = (day - first_send_on).days if first_send_on else 0
        return min(self.daily_cap, self.warmup.start + self.warmup.step * max(0, days_in))

    def next_open(self, now: datetime, tz: str | None = None) -> datetime | None:
        """None when the window is open now (in `tz`, the recipient's zone, else the
        mailbox's); otherwise when it opens next."""
        zone = _zone(tz) or ZoneInfo(self.timezone)
        local = now.astimezone(zone)
        days = self.window.weekdays()
        if local.weekday() in days and self.window.start <= local.time() < self.window.end:
            return None
        for ahead in range(0, 8):
            day = (local + timedelta(days=ahead)).date()
            opening = datetime.combine(day, self.window.start, zone)
            if day.weekday() in days and opening > local:
                return opening.astimezone(now.tzinfo)
        return None  # an empty window (no days): never open, never sends


def _zone(name: str | None) -> ZoneInfo | None:
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


class MailboxesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    mailboxes: list[MailboxSpec] = []


def load_mailboxes(path: Path) -> dict[str, MailboxSpec]:
    if not path.is_file():
        return {}
    parsed, node = load_yaml(path, MailboxesFile)
    out: dict[str, MailboxSpec] = {}
    for i, spec in enumerate(parsed.mailboxes):
        if spec.address in out:
            raise FileError(
                path,
                line_of(node, ("mailboxes", i)),
                f"mailboxes.{i}.address",
                f"{spec.address} is listed twice",
            )
        out[spec.address] = spec
    return out


def open_all_hours(path: Path, **also: Any) -> None:
    """Rewrite a mailboxes.yml so its mailboxes send at any hour with no gap (the demo,
    benchmarks and tests of things other than pacing). `also` sets more fields."""
    data = yaml.safe_load(path.read_text())
    for mb in data["mailboxes"]:
        mb.update(
            min_gap_seconds=0,
            jitter_seconds=0,
            window={"start": "00:00", "end": "23:59:59", "days": "*"},
            **also,
        )
    path.write_text(yaml.safe_dump(data, sort_keys=False))
