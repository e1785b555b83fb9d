"""Logging set-up with a filter that scrubs every configured secret from every record."""

from __future__ import annotations

import logging
from urllib.parse import unquote, urlsplit

from bot.settings import Settings

SECRET_FIELDS = (
    "slack_bot_token",
    "slack_app_token",
    "slack_signing_secret",
    "database_url",
    "openai_api_key",
    "smtp_url",
    "imap_url",
    "signals_token",
    "unsubscribe_secret",
    "hubspot_access_token",
)


class RedactSecrets(logging.Filter):
    """Replaces every configured secret with *** in the message, its arguments, and the
    traceback text of an exception logged with it."""

    def __init__(self, secrets: list[str]):
        super().__init__()
        self.secrets = sorted({s for s in secrets if len(s) >= 6}, key=len, reverse=True)

    def scrub(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        message = record.getMessage()
        clean = self.scrub(message)
        if clean != message:
            record.msg, record.args = clean, ()
        if record.exc_info and not record.exc_text:
            # Formatters reuse exc_text when it is set, so the clean text is what gets printed.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = self.scrub(record.stack_info)
        return True


def secrets_of(settings: Settings) -> list[str]:
    """Every secret value, plus the password inside a URL as written and as decoded."""
    found = []
    for name in SECRET_FIELDS:
        value = settings.secret(name)
        if not value:
            continue
        found.append(value)
        password = urlsplit(value).password if "://" in value else None
        if password:
            found += [password, unquote(password)]
    return found


LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


def setup(settings: Settings | None, level: int = logging.INFO) -> None:
    """One handler on the root logger, so every library's records pass the filter too."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactSecrets(secrets_of(settings) if settings is not None else []))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
