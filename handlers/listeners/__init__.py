"""Bolt listeners, one module per kind, as in Slack's bolt-python starter template. Each one
parses the payload, acks at once and hands the rest off (handlers/jobs.py), so a burst of
clicks never delays the next ack.

Click and event listeners run on the HTTP server's event loop (handlers/hosting/asgi.py
`ON_LOOP`): before their ack they must not touch the database or the network, or every other
ack waits. Slash commands and modal submissions run on a thread and may read before they
answer."""

from __future__ import annotations

from slack_bolt import App

from handlers.listeners import actions, commands, events, views
from handlers.listeners.deps import Deps


def register(app: App, deps: Deps) -> None:
    actions.register(app, deps)
    commands.register(app, deps)
    events.register(app, deps)
    views.register(app, deps)
