"""`twoloop crm`: sync with the CRM (HubSpot) now, and see where the sync stands."""

from __future__ import annotations

import typer

from bot.cli.common import fail, runtime, settings
from bot.cli.progress import SyncBars
from bot.crm import sync as crm_sync
from bot.runtime import Runtime
from bot.settings import Settings
from storage import crm as store

app = typer.Typer(
    help="CRM sync (HubSpot): owners, customers, deals in; what agents did out.",
    no_args_is_help=True,
)


def _runtime(ctx: typer.Context, s: Settings) -> Runtime:
    rt = runtime(s)
    # The hosting program lends the chat (bot/cli/main.py `Host`): owners are looked up in
    # Slack by email and operators hear of a failing sync.
    humans_for = getattr(ctx.obj, "humans_for", None)
    if humans_for is not None:
        rt.humans = humans_for(rt)
    return rt


@app.command("sync")
def sync(ctx: typer.Context) -> None:
    """Pull owners, companies, contacts and deals changed since the last sync; log sent mail,
    replies and decisions on the CRM contacts."""
    s = settings()
    crm = crm_sync.crm_for(s)
    if crm is None:
        raise fail(crm_sync.NOT_CONFIGURED)
    rt = _runtime(ctx, s)
    with SyncBars() as bars:  # drawn in a terminal only: piped output is the summary
        report = crm_sync.sync(rt, crm, bars)
    if report.auth_failed:
        raise fail(report.error, code=1)
    typer.echo(report.line())
    raise typer.Exit(0 if report.ok else 1)


@app.command("status")
def status() -> None:
    """Where each pull stands, the last error, and what was logged on the CRM."""
    s = settings()
    rt = runtime(s)
    name = "hubspot"
    configured = s.hubspot_access_token is not None
    with rt.db.session() as session:
        rows = store.cursors(session, name)
        counts = store.push_counts(session, name)
    typer.echo(f"{name}: {'configured' if configured else 'not configured (HUBSPOT_ACCESS_TOKEN)'}")
    if not rows:
        typer.echo("never synced")
    for row in rows:
        what = row.key.split(":", 1)[1]
        through = f" through {row.modified_after.isoformat()}" if row.modified_after else ""
        when = row.synced_at.isoformat() if row.synced_at else "never"
        error = f"; failing: {row.last_error}" if row.last_error else ""
        typer.echo(f"  {what:10} synced {when}{through}{error}")
    typer.echo(
        f"pushed: emails {counts.get('email', 0)}, replies {counts.get('reply', 0)}, "
        f"notes {counts.get('decision', 0)}"
    )
