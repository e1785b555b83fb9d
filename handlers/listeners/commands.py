"""Slash commands: `/twoloop` (its verbs are handlers/commands.py)."""

from __future__ import annotations

import logging
from functools import partial

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from handlers.commands import run_command
from handlers.listeners.deps import Deps
from handlers.redelivery import DELIVERY_KEY

log = logging.getLogger(__name__)


def register(app: App, deps: Deps) -> None:
    app.command("/twoloop")(partial(twoloop, deps=deps))


def twoloop(ack: Ack, command: dict, client: WebClient, context: BoltContext, deps: Deps) -> None:
    # Answers are quick (a grouped query or one small write), so they ride on the ack;
    # notices to owners and the digest go to the work pool after it.
    user, channel = command["user_id"], command.get("channel_id", "")

    def tell(text: str) -> None:
        try:
            client.chat_postEphemeral(channel=channel, user=user, text=text)
        except Exception as exc:  # noqa: BLE001 - a lost ephemeral is cosmetic
            log.warning("ephemeral to %s failed: %s", user, type(exc).__name__)

    ack(
        response_type="ephemeral",
        **run_command(
            deps.rt,
            user,
            command.get("text", ""),
            later=deps.later,
            tell=tell,
            once=context.get(DELIVERY_KEY),
        ),
    )
