"""The Bolt app: Slack's client, the delivery-naming middleware and every listener."""

from __future__ import annotations

from slack_bolt import App
from slack_bolt.error import BoltError

from bot.settings import Settings, SettingsError
from handlers.listeners import Deps, register
from handlers.redelivery import name_deliveries
from handlers.slack_clients import web_client


def build_app(settings: Settings, deps: Deps, *, socket_mode: bool) -> App:
    client = web_client(settings)
    try:
        app = App(
            client=client,
            signing_secret=settings.secret("slack_signing_secret") or "",
            request_verification_enabled=not socket_mode,
            # Our listeners only ack and hand off to our pools, so they run in the request
            # thread: no second thread hop, and no polling for ack() (Bolt polls every 10 ms).
            process_before_response=True,
        )
    except BoltError as exc:
        # Bolt checks the token with auth.test at start; a revoked or mistyped token ends here.
        cause = exc.__cause__ or exc.__context__
        answer = getattr(getattr(cause, "response", None), "data", None) or {}
        reason = answer.get("error", "no answer") if isinstance(answer, dict) else "no answer"
        raise SettingsError(f"SLACK_BOT_TOKEN: Slack did not accept it ({reason})") from None
    app.use(name_deliveries)  # after Bolt's signature check, before any listener
    register(app, deps)
    return app
