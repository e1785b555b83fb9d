"""The `twoloop` command."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from bot.settings import Settings, SettingsError, load_settings

app = typer.Typer(
    help="Twoloop: agents do the outbound volume, account managers keep the judgment in Slack.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
IMPORTABLE = (".csv", ".jsonl", ".yml", ".yaml")
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
agents_app = typer.Typer(help="Agent files.", no_args_is_help=True)
feeds_app = typer.Typer(help="RSS/Atom feeds in feeds.yml.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(agents_app, name="agents")
app.add_typer(feeds_app, name="feeds")


def fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def settings() -> Settings:
    try:
        return load_settings()
    except SettingsError as exc:
        raise fail(str(exc)) from None


def runtime(s: Settings, **kw):
    from bot.runtime import Runtime

    rt = Runtime(s, **kw)
    rt.db.upgrade()
    return rt


@app.command()
def init(
    directory: Annotated[
        Path, typer.Argument(help="Folder to create (default: TWOLOOP_HOME)")
    ] = None,
    force: Annotated[bool, typer.Option(help="Overwrite existing files")] = False,
):
    """Write a working config folder: agents/, plays/ and sample data/."""
    from bot.scaffold import init as scaffold

    target = directory or settings().home
    try:
        written = scaffold(target, force=force)
    except FileExistsError as exc:
        raise fail(str(exc)) from None
    typer.echo(f"wrote {len(written)} files to {target}")
    typer.echo(f"next: TWOLOOP_HOME={target} twoloop import && TWOLOOP_HOME={target} twoloop tick")


@app.command("import")
def import_(
    paths: Annotated[
        list[str],
        typer.Argument(help="[KIND] files or folders (default: $TWOLOOP_HOME/data)"),
    ] = None,
    kind: Annotated[str, typer.Option(help="accounts|contacts|signals|knowledge")] = None,
):
    """Load accounts, contacts, signals and knowledge. All or nothing.

    A file's kind comes from its name, from a leading KIND word (`twoloop import signals
    today.jsonl`), or from --kind.
    """
    from bot.importer import KINDS, ImportFailed, load

    s = settings()
    args = list(paths or [])
    if args and args[0] in KINDS and not Path(args[0]).exists():
        kind = kind or args.pop(0)
    files: list[Path] = []
    for p in [Path(a) for a in args] or [s.data_dir]:
        if p.is_dir():
            files.extend(sorted(f for f in p.iterdir() if f.suffix in IMPORTABLE))
        else:
            files.append(p)
    if not files:
        raise fail("nothing to import (no .csv, .jsonl or .yml files)")
    rt = runtime(s)
    try:
        counts = load(rt.db, files, kind)
    except ImportFailed as exc:
        for err in exc.errors:
            typer.echo(f"error: {err}", err=True)
        typer.echo("nothing was imported", err=True)
        raise typer.Exit(1) from None
    typer.echo("imported " + ", ".join(f"{n} {k}" for k, n in counts.items()))


@app.command()
def tick(agent: Annotated[str, typer.Option(help="Only this agent id")] = None):
    """Run one pass of the agent loop now."""
    from bot import loop

    rt = runtime(settings())
    try:
        reports = loop.tick(rt, agent)
    except KeyError as exc:
        raise fail(exc.args[0]) from None
    for err in rt.fleet().errors:
        typer.echo(f"skipped: {err}", err=True)
    for r in reports:
        typer.echo(r.line())


@app.command()
def serve(
    port: Annotated[int, typer.Option(help="HTTP port")] = 3000,
    host: Annotated[str, typer.Option(help="HTTP bind address")] = "0.0.0.0",
    threads: Annotated[int, typer.Option(help="HTTP worker threads")] = 16,
):
    """Run the Slack app (Socket Mode if SLACK_APP_TOKEN is set, else HTTP) and the scheduler."""
    from bot import logs

    s = settings()
    logs.setup(s)
    # The composition root is the one place bot/ reaches into handlers/ (the Slack side).
    from handlers.serve import serve as run_server

    try:
        run_server(s, host=host, port=port, threads=threads)
    except SettingsError as exc:
        raise fail(str(exc)) from None


@app.command()
def demo(
    interactive: Annotated[bool, typer.Option(help="Decide each card yourself")] = False,
    home: Annotated[
        Path, typer.Option(help="Keep the demo folder here instead of a temp dir")
    ] = None,
):
    """Everything offline: init, import, tick, review cards, decisions, .eml outbox."""
    from bot.demo import run

    sys.exit(run(home=home, interactive=interactive))


@db_app.command("upgrade")
def db_upgrade():
    """Apply database migrations (also done on every start)."""
    s = settings()
    runtime(s)
    typer.echo("database is up to date")


@agents_app.command("list")
def agents_list():
    """The fleet: id, name, owner, schedule, config version."""
    from bot.runtime import FleetCache

    s = settings()
    fleet = FleetCache(s.agents_dir, s.plays_dir).get()
    for a in fleet.agents.values():
        typer.echo(
            f"{a.id:24} {a.spec.name[:32]:32} owner {a.spec.owner:12} "
            f"'{a.spec.schedule}' {a.spec.timezone:18} v{a.config_version}"
        )
    for err in fleet.errors:
        typer.echo(f"broken: {err}", err=True)


@agents_app.command("check")
def agents_check():
    """Validate every agent and play file; exit 1 on any problem."""
    from bot.runtime import FleetCache

    s = settings()
    fleet = FleetCache(s.agents_dir, s.plays_dir).get()
    for err in fleet.errors:
        typer.echo(str(err), err=True)
    typer.echo(
        f"{len(fleet.agents)} agents, {len(fleet.plays)} plays, {len(fleet.errors)} problems"
    )
    raise typer.Exit(1 if fleet.errors else 0)


@feeds_app.command("fetch")
def feeds_fetch(force: Annotated[bool, typer.Option(help="Ignore every_minutes")] = True):
    """Fetch the feeds now and store new signals."""
    from bot import feeds

    rt = runtime(settings())
    report = feeds.fetch_due(rt, force=force)
    for line in report.lines():
        typer.echo(line)
    if not report.feeds:
        typer.echo(f"no feeds in {rt.settings.home / 'feeds.yml'}")
    raise typer.Exit(1 if any(r.status == "error" for r in report.feeds) else 0)


def main() -> None:
    logging.basicConfig(level=os.environ.get("TWOLOOP_LOG_LEVEL", "WARNING"))
    app()
