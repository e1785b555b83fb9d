"""`twoloop proposals`: mine the AMs' decisions now and print what the agent files should
change, as the operators' cards show it (they decide there, in the chat)."""

from __future__ import annotations

from typing import Annotated

import typer

from bot.agent import proposals as mining
from bot.cli.common import fail, runtime, settings
from storage import proposals as store
from storage import reviews as review_store


def proposals(
    agent: Annotated[str | None, typer.Option(help="Only this agent id")] = None,
) -> None:
    """Mine recent edits and kills now; print every open proposed change with its diff."""
    rt = runtime(settings())
    try:
        made = {p.id for p in mining.mine(rt, agent)}
    except KeyError as exc:
        raise fail(exc.args[0]) from None
    with rt.db.session() as s:
        rows = store.listing(s, agent)
        reviews = {p.id: review_store.open_for(s, "proposal", p.id) for p in rows if p.id}
    if not rows:
        typer.echo("no proposed changes" + (f" for {agent}" if agent else ""))
        return
    typer.echo(f"{len(rows)} proposed changes ({len(made)} new):")
    for p in rows:
        review = reviews.get(p.id) if p.id is not None else None
        if review is not None:
            where = f"review #{review.id} for the operators in {review.channel}"
        elif not rt.settings.operators:
            where = "no card: set TWOLOOP_OPERATORS (and TWOLOOP_OPERATOR_CHANNEL) to decide it"
        else:
            where = "its card expired undecided"
        typer.echo("")
        typer.echo(f"#{p.id} [{p.kind}] {p.agent_id}{' (new)' if p.id in made else ''}: {where}")
        typer.echo(f"  {p.summary}")
        for line in p.evidence.get("lines", []):
            typer.echo(f"  • {line}")
        for line in p.diff.rstrip().splitlines():
            typer.echo(f"    {line}")
