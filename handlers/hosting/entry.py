"""The `twoloop` program: bot's terminal commands (bot/cli/main.py) and `serve`, which runs the
Slack app. bot/ knows nothing of Slack, so what its commands need from the Slack side (the
people's side of a runtime, to redraw a card decided in the terminal) is lent to them here,
through click's context object."""

from __future__ import annotations

import logging
import os
from typing import Annotated

import typer

from bot import logs
from bot.cli import main as cli
from bot.settings import SettingsError
from handlers.hosting.serve import serve as run_server
from handlers.slack_clients import humans_for

app = cli.app
HOST = cli.Host(humans_for=humans_for)


@app.command()
def serve(
    port: Annotated[int, typer.Option(help="HTTP port")] = 3000,
    host: Annotated[str, typer.Option(help="HTTP bind address")] = "0.0.0.0",
    threads: Annotated[
        int, typer.Option(help="threads for the web pages and the signals webhook")
    ] = 16,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            envvar="TWOLOOP_WORKERS",
            help="processes sharing the port, one per core is a good start",
        ),
    ] = 1,
):
    """Run the Slack app (Socket Mode if SLACK_APP_TOKEN is set, else HTTP) and the scheduler."""
    s = cli.settings()
    level = os.environ.get("TWOLOOP_LOG_LEVEL", "").upper()
    logs.setup(s, getattr(logging, level) if level in logs.LEVELS else logging.INFO)
    try:
        run_server(s, host=host, port=port, threads=threads, workers=workers)
    except SettingsError as exc:
        raise cli.fail(str(exc)) from None


def main() -> None:
    cli.main(HOST)
