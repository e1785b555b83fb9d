"""What every listener is given (instead of closing over the serving process's locals)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.runtime import Runtime
from handlers.jobs import Job


@dataclass(frozen=True)
class Deps:
    rt: Runtime
    # Takes the jobs clicks and events set off (handlers/jobs.py), to run after the ack,
    # in this process or in the work process.
    hand_off: Callable[[Job], None]
    # Runs a slash command's follow-ups (notices to owners, the digest) after its ack.
    later: Callable[..., object]
