"""Events (event_callback): App Home opened."""

from __future__ import annotations

from functools import partial

from slack_bolt import Ack, App, BoltContext

from handlers.jobs import HOME, Job
from handlers.listeners.deps import Deps
from handlers.redelivery import DELIVERY_KEY


def register(app: App, deps: Deps) -> None:
    app.event("app_home_opened")(partial(home_opened, deps=deps))


def home_opened(ack: Ack, event: dict, context: BoltContext, deps: Deps) -> None:
    ack()
    if event.get("tab", "home") == "home":
        deps.hand_off(Job(HOME, context.get(DELIVERY_KEY), (event["user"],)))
