"""What every `twoloop` command module shares: one-line errors, settings, a ready runtime."""

from __future__ import annotations

from typing import Any

import typer

from bot.runtime import Runtime
from bot.settings import Settings, SettingsError, load_settings


def fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def settings(*, needs_home: bool = True) -> Settings:
    """`needs_home`: the command reads the config folder or its database, so a missing or
    unset one is a one-line error rather than a twoloop.db made wherever it ran."""
    try:
        s = load_settings()
    except SettingsError as exc:
        raise fail(str(exc)) from None
    problem = s.home_problem() if needs_home else None
    if problem:
        raise fail(problem)
    return s


def runtime(s: Settings, **kw: Any) -> Runtime:
    rt = Runtime(s, **kw)
    rt.db.upgrade()
    return rt
