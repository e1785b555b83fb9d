"""Logging set-up with a filter that scrubs every configured secret from every record."""

from __future__ import annotations

import logging

from bot.settings import Settings

SECRET_FIELDS = (
    "slack_bot_token",
    "slack_app_token",
    "slack_signing_secret",
    "database_url",
    "openai_api_key",
    "smtp_url",
    "signals_token",
)


class RedactSecrets(logging.Filter):
    def __init__(self, secrets: list[str]):
        super().__init__()
        self.secrets = sorted({s for s in secrets if len(s) >= 6}, key=len, reverse=True)

    def filter(self, record: logging.LogRecord) -> bool:
        if self.secrets:
            message = record.getMessage()
            clean = message
            for secret in self.secrets:
                clean = clean.replace(secret, "***")
            if clean != message:
                record.msg, record.args = clean, ()
        return True


def secrets_of(settings: Settings) -> list[str]:
    found = []
    for name in SECRET_FIELDS:
        value = settings.secret(name)
        if value:
            found.append(value)
            # the password inside a URL, too
            from urllib.parse import urlsplit

            password = urlsplit(value).password if "://" in value else None
            if password:
                found.append(password)
    return found


def setup(settings: Settings, level: int = logging.INFO) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactSecrets(secrets_of(settings)))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
