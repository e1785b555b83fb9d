"""`twoloop second-check`: train the second check now and show what it learned."""

from __future__ import annotations

from typing import Annotated

import typer

from bot.cli.common import fail, runtime, settings
from bot.review import second_check
from storage import second_check as store


def command(
    top: Annotated[int, typer.Option(help="How many of the largest weights to show")] = 15,
) -> None:
    """Train the second check (a model of the AMs' own approve/edit/kill verdicts) on the
    newest verdicts now, and print how many it learned from, its Brier score and log loss on
    the newest 20% (trained on the rest), and its largest weights."""
    rt = runtime(settings())
    row = second_check.train(rt, force=True)
    if row is None:
        with rt.db.session() as s:
            so_far = store.verdict_count(s)
        needs = rt.settings.second_check_min_decisions
        raise fail(
            f"{so_far} decisions so far, needs {needs} (TWOLOOP_SECOND_CHECK_MIN_DECISIONS): "
            "every draft goes to review until then",
            code=1,
        )
    m = row.metrics
    counts = row.model.get("counts", {})
    agents, ams = len(counts.get("agents", {})), len(counts.get("ams", {}))
    typer.echo(
        f"trained on {row.decisions} decisions (through decision {row.through_decision_id}) "
        f"of {agents} agent{'s' if agents != 1 else ''} and {ams} AM{'s' if ams != 1 else ''}; "
        f"approved as is: {m.get('approve_rate', 0):.0%}; L2 strength C={m.get('c', '?')}"
    )
    if m.get("holdout"):
        typer.echo(
            f"on the newest {m['holdout']}: Brier {m['brier']:.4f} (approval rate alone "
            f"{m['base_brier']:.4f}), log loss {m['log_loss']:.4f} (alone "
            f"{m['base_log_loss']:.4f})"
        )
    else:
        typer.echo("too few decisions to hold any out: no metrics yet")
    k = m.get("kill", {})
    if "kill" in row.model:
        typer.echo(
            f"kill prediction: on the newest {k['holdout']}: Brier {k['brier']:.4f} (kill rate "
            f"alone {k['base_brier']:.4f}); drafts it predicts killed are not written"
        )
    else:
        typer.echo("kill prediction: off (it has not beaten the kill rate alone yet)")
    typer.echo(f"intercept {row.model.get('intercept', 0.0):+.3f}; largest weights:")
    coef: dict[str, float] = row.model.get("coef", {})
    for name, w in sorted(coef.items(), key=lambda kv: (-abs(kv[1]), kv[0]))[:top]:
        typer.echo(f"  {w:+.3f}  {name}")
    if not coef:
        typer.echo("  none: every verdict so far was the same, so it scores the smoothed rate")
