"""`twoloop account`: what the agents remember of an account, and the changes a person may make
(the same rules and audit trail as `/twoloop account` in Slack)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

import typer

from bot.cli.common import fail, runtime, settings
from bot.review import accounts
from bot.review.control import Done, Refused

app = typer.Typer(help="An account's relationship memory, customer status and handoff.")

AS_USER = typer.Option(
    "--as", help="The Slack user id making the change (an operator, or for release its owner)"
)


def _run(fn: Callable[[], Done]) -> None:
    try:
        typer.echo(fn().answer.plain())
    except Refused as exc:
        raise fail(exc.notice.plain()) from None


@app.command("show")
def show(account_id: Annotated[str, typer.Argument(help="The account's id")]) -> None:
    """The account's status, owner, history (newest first) and any open conversation."""
    rt = runtime(settings())
    _run(lambda: accounts.show(rt, account_id))


@app.command("set-status")
def set_status(
    account_id: Annotated[str, typer.Argument(help="The account's id")],
    status: Annotated[str, typer.Argument(help="prospect | customer | former_customer")],
    as_user: Annotated[str, AS_USER],
) -> None:
    """Correct the customer status (operators only), e.g. after a wrong "current customer"."""
    rt = runtime(settings())
    _run(lambda: accounts.set_status(rt, as_user, account_id, status))


@app.command("release")
def release(
    account_id: Annotated[str, typer.Argument(help="The account's id")],
    as_user: Annotated[str, AS_USER],
) -> None:
    """Give an account that went to its owner (interest, a meeting request) back to the agents."""
    rt = runtime(settings())
    _run(lambda: accounts.release(rt, as_user, account_id))
