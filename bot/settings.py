"""The one object that reads the environment (and `.env`)."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from dotenv import dotenv_values
from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

ENV_FILE = ".env"
# What `twoloop init` writes (and what using a folder leaves): a folder holding one of these
# is a config folder, so commands may run in it without TWOLOOP_HOME.
HOME_MARKERS = ("agents", "plays", "mailboxes.yml", "twoloop.db")


# Reply classes, most urgent first, and their default targets in working time.
REPLY_TARGETS = {"hot": "1h", "escalation": "4h", "other": "1d"}
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class SettingsError(Exception):
    """A setting is missing or malformed; the message is one line naming it."""


class Settings(BaseSettings):
    # Only the documented (aliased) names are read: not HOME, not a stray OPERATORS.
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    slack_bot_token: SecretStr | None = Field(None, alias="SLACK_BOT_TOKEN")
    slack_app_token: SecretStr | None = Field(None, alias="SLACK_APP_TOKEN")
    slack_signing_secret: SecretStr | None = Field(None, alias="SLACK_SIGNING_SECRET")
    slack_api_url: str | None = Field(None, alias="SLACK_API_URL")
    database_url: SecretStr | None = Field(None, alias="DATABASE_URL")
    openai_api_key: SecretStr | None = Field(None, alias="OPENAI_API_KEY")
    openai_base_url: str | None = Field(None, alias="OPENAI_BASE_URL")
    openai_model: str = Field("gpt-4o-mini", alias="OPENAI_MODEL")
    # The most model calls in flight per endpoint; the pacer (bot/model/pacing.py) adapts below.
    llm_concurrency: int = Field(32, alias="TWOLOOP_LLM_CONCURRENCY", ge=1, le=256)
    llm_timeout: float = Field(30.0, alias="TWOLOOP_LLM_TIMEOUT", gt=0)
    # A cap on each model answer's length; small local models can ramble to the context's end.
    llm_max_tokens: int | None = Field(None, alias="TWOLOOP_LLM_MAX_TOKENS", ge=64)
    smtp_url: SecretStr | None = Field(None, alias="SMTP_URL")
    # Where replies arrive: imaps://user:pass@host:993/INBOX (implicit TLS) or
    # imap://user:pass@host:143/INBOX (STARTTLS, required unless the host is loopback).
    imap_url: SecretStr | None = Field(None, alias="IMAP_URL")
    imap_poll_seconds: int = Field(60, alias="TWOLOOP_IMAP_POLL_SECONDS", ge=10)
    home: Path = Field(Path("."), alias="TWOLOOP_HOME")
    operators: Annotated[frozenset[str], NoDecode] = Field(frozenset(), alias="TWOLOOP_OPERATORS")
    review_window_hours: float = Field(72.0, alias="TWOLOOP_REVIEW_WINDOW_HOURS", gt=0)
    public_url: str = Field("http://localhost:3000", alias="TWOLOOP_PUBLIC_URL")
    signals_token: SecretStr | None = Field(None, alias="TWOLOOP_SIGNALS_TOKEN")
    operator_channel: str | None = Field(None, alias="TWOLOOP_OPERATOR_CHANNEL")
    # Digests go out at this local time: each AM's own time zone (from Slack), else this one.
    digest_time: str = Field("08:30", alias="TWOLOOP_DIGEST_TIME")
    timezone: str = Field("UTC", alias="TWOLOOP_TIMEZONE")
    bounce_rate: float = Field(0.05, alias="TWOLOOP_BOUNCE_RATE", gt=0, le=1)
    complaint_rate: float = Field(0.003, alias="TWOLOOP_COMPLAINT_RATE", gt=0, le=1)
    guard_window_days: float = Field(7, alias="TWOLOOP_GUARD_WINDOW_DAYS", gt=0)
    guard_min_sent: int = Field(20, alias="TWOLOOP_GUARD_MIN_SENT", ge=1)
    # Signs unsubscribe links; unset, a random key is made once and kept in the database.
    unsubscribe_secret: SecretStr | None = Field(None, alias="TWOLOOP_UNSUBSCRIBE_SECRET")
    # Replicas: how often a standby tries for the scheduler lock and the leader checks it.
    leader_poll_seconds: float = Field(5.0, alias="TWOLOOP_LEADER_POLL_SECONDS", gt=0, le=60)
    # Drills and tests: every agent ticks every N seconds instead of on its cron.
    tick_every_seconds: int | None = Field(None, alias="TWOLOOP_TICK_EVERY_SECONDS", ge=1)
    outbox_poll_seconds: float = Field(10.0, alias="TWOLOOP_OUTBOX_POLL_SECONDS", gt=0)
    # SIGTERM: how long running work may take to finish before it is released.
    shutdown_grace_seconds: float = Field(25.0, alias="TWOLOOP_SHUTDOWN_GRACE_SECONDS", ge=0)
    # Seconds between two review cards in one channel, counted from Slack's answer to the
    # previous one (Slack allows about one chat.postMessage a second per channel).
    slack_post_interval: float = Field(1.0, alias="TWOLOOP_SLACK_POST_INTERVAL", ge=0, le=60)
    # Trust: probation -> supervised after a clean week (bot/review/trust.py); back on a
    # critical kill of a draft the gate would have sent, or when kills in the last
    # `trust_window` verdicts on such drafts go over `trust_demote_kill_rate` (under
    # `promotion_rule=kill_rate`: any critical kill, and the last `trust_window` verdicts).
    # Fleet defaults of relationship memory (an agent file's `relationship:` overrides them).
    not_interested_days: int = Field(180, alias="TWOLOOP_NOT_INTERESTED_DAYS", ge=0)
    handoff_days: int = Field(90, alias="TWOLOOP_HANDOFF_DAYS", ge=0)
    recent_kill_days: int = Field(30, alias="TWOLOOP_RECENT_KILL_DAYS", ge=0)
    one_conversation_per: Literal["contact", "account"] = Field(
        "contact", alias="TWOLOOP_ONE_CONVERSATION_PER"
    )
    review_by: Literal["account_owner", "agent_owner"] = Field(
        "account_owner", alias="TWOLOOP_REVIEW_BY"
    )
    # CRM sync (HubSpot): a private app's access token; the API host (tests point it at a
    # stand-in); minutes between syncs on the scheduler.
    hubspot_access_token: SecretStr | None = Field(None, alias="HUBSPOT_ACCESS_TOKEN")
    hubspot_api_url: str | None = Field(None, alias="HUBSPOT_API_URL")
    crm_sync_minutes: int = Field(15, alias="TWOLOOP_CRM_SYNC_MINUTES", ge=1, le=1440)
    # The second check (a model of the AMs' own verdicts): no model until the fleet has this
    # many verdicts (the gate reviews until then); retrained every this many minutes when
    # new verdicts came in (each tick also retrains first when it would score with a stale one).
    second_check_min_decisions: int = Field(30, alias="TWOLOOP_SECOND_CHECK_MIN_DECISIONS", ge=2)
    second_check_minutes: int = Field(10, alias="TWOLOOP_SECOND_CHECK_MINUTES", ge=1, le=1440)
    trust_min_reviews: int = Field(20, alias="TWOLOOP_TRUST_MIN_REVIEWS", ge=1)
    trust_min_days: int = Field(5, alias="TWOLOOP_TRUST_MIN_DAYS", ge=1)
    trust_max_kill_rate: float = Field(0.10, alias="TWOLOOP_TRUST_MAX_KILL_RATE", ge=0, le=1)
    trust_demote_kill_rate: float = Field(0.25, alias="TWOLOOP_TRUST_DEMOTE_KILL_RATE", ge=0, le=1)
    trust_window: int = Field(20, alias="TWOLOOP_TRUST_WINDOW", ge=1)
    # Proposed changes to agent files are mined daily from the AMs' decisions of this many
    # days (bot/agent/proposals.py).
    proposal_window_days: int = Field(30, alias="TWOLOOP_PROPOSAL_WINDOW_DAYS", ge=1, le=365)
    # The operator's load, measured from clicks: a gap between one reviewer's clicks longer
    # than this means they were doing something else (bot/reports/load.py); and the review
    # minutes a day the queue should take, which digests and status compare against.
    review_gap_seconds: float = Field(300.0, alias="TWOLOOP_REVIEW_GAP_SECONDS", gt=0)
    queue_target_minutes: float = Field(20.0, alias="TWOLOOP_QUEUE_TARGET_MINUTES", gt=0)
    # Ticks read only what changed; this often (days) one re-matches the whole segment anyway,
    # for what no signal or event announces (an edited account, a lifted suppression).
    full_tick_days: float = Field(7.0, alias="TWOLOOP_FULL_TICK_DAYS", ge=0)
    # How promotion is judged: `clean_week` (shadow evaluation in a rolling window: enough
    # verdicts on enough working days, enough drafts the gate would have sent on its own; a
    # kill of such a draft past `trust_max_shadow_kills` restarts the window) or `kill_rate`
    # (enough verdicts on enough UTC days, at most `trust_max_kill_rate` killed).
    promotion_rule: Literal["clean_week", "kill_rate"] = Field(
        "clean_week", alias="TWOLOOP_PROMOTION_RULE"
    )
    trust_min_shadow_sends: int = Field(10, alias="TWOLOOP_TRUST_MIN_SHADOW_SENDS", ge=0)
    trust_max_shadow_kills: int = Field(0, alias="TWOLOOP_TRUST_MAX_SHADOW_KILLS", ge=0)
    # `clean_week`: which critical kills (current customer, factual error, wrong account)
    # restart the window: `any` (also of drafts the gate held for review: an agent that makes
    # such mistakes waits, even when the gate caught this one) or `would_send` (only of
    # drafts the gate would have sent, as the demotion rule judges).
    trust_critical_restarts: Literal["any", "would_send"] = Field(
        "any", alias="TWOLOOP_TRUST_CRITICAL_RESTARTS"
    )
    # An agent on probation this many days (since its last trust change, else its first
    # draft) that the rules would not promote is flagged to the operator channel, once per
    # this many days.
    no_path_days: int = Field(30, alias="TWOLOOP_NO_PATH_DAYS", ge=1)
    # Reply targets (bot/review/sla.py): how soon a reply that needs a person must be
    # answered, per class, in working time of the owner's zone ("1h", "30m", "1d" = one
    # working day); the working day and week they count in.
    reply_targets: Annotated[dict[str, str], NoDecode] = Field(
        default_factory=lambda: dict(REPLY_TARGETS), alias="TWOLOOP_REPLY_TARGETS"
    )
    working_hours: str = Field("09:00-17:00", alias="TWOLOOP_WORKING_HOURS")
    working_days: str = Field("mon-fri", alias="TWOLOOP_WORKING_DAYS")

    @field_validator("operators", mode="before")
    @classmethod
    def _split_operators(cls, v: object) -> object:
        if isinstance(v, str):
            return frozenset(x.strip() for x in v.split(",") if x.strip())
        return v

    @field_validator("slack_api_url", "openai_base_url", "public_url", "hubspot_api_url")
    @classmethod
    def _http_url(cls, v: str | None) -> str | None:
        if v is not None and urlsplit(v).scheme not in ("http", "https"):
            raise ValueError("must be an http:// or https:// URL")
        return v

    @field_validator("digest_time")
    @classmethod
    def _clock(cls, v: str) -> str:
        if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", v):
            raise ValueError("must be a 24-hour time like 08:30")
        return v

    @field_validator("reply_targets", mode="before")
    @classmethod
    def _targets(cls, v: object) -> object:
        """JSON ({"hot": "1h"}) or pairs (hot=1h,other=1d); classes left out keep their
        defaults."""
        if isinstance(v, str):
            text = v.strip()
            if text.startswith("{"):
                try:
                    v = json.loads(text)
                except ValueError:
                    raise ValueError('must be JSON like {"hot": "1h"} or hot=1h,other=1d') from None
            else:
                pairs = [p.partition("=") for p in text.split(",") if p.strip()]
                if any(not sep for _, sep, _ in pairs):
                    raise ValueError('must be JSON like {"hot": "1h"} or hot=1h,other=1d')
                v = {k.strip(): d.strip() for k, _, d in pairs}
        if not isinstance(v, dict):
            raise ValueError('must be a mapping like {"hot": "1h", "other": "1d"}')
        out = dict(REPLY_TARGETS)
        for name, value in v.items():
            if name not in REPLY_TARGETS:
                raise ValueError(f"unknown class {name!r} (classes: {', '.join(REPLY_TARGETS)})")
            text = str(value).strip().lower()
            if not re.fullmatch(r"\d+(\.\d+)?[mhd]", text) or float(text[:-1]) <= 0:
                raise ValueError(
                    f"{name}: {value!r} is no duration (use minutes, hours or working days: "
                    "30m, 4h, 1d)"
                )
            out[name] = text
        return out

    @field_validator("working_hours")
    @classmethod
    def _hours(cls, v: str) -> str:
        m = re.fullmatch(
            r"\s*(([01]\d|2[0-3]):[0-5]\d)\s*-\s*(([01]\d|2[0-3]):[0-5]\d|24:00)\s*", v
        )
        if not m or m.group(1) >= m.group(3):
            raise ValueError("must be a span of the day like 09:00-17:00 (start before end)")
        return f"{m.group(1)}-{m.group(3)}"

    @field_validator("working_days")
    @classmethod
    def _days(cls, v: str) -> str:
        """'mon-fri', 'sun-thu' or 'mon,tue,thu': normalized to a comma list, Monday first."""
        days: set[int] = set()
        for part in v.lower().replace(" ", "").split(","):
            first, _, last = part.partition("-")
            if first not in WEEKDAYS or (last and last not in WEEKDAYS):
                raise ValueError(
                    f"{part!r} is no day (use mon, tue, ... sun and ranges like mon-fri)"
                )
            a, b = WEEKDAYS.index(first), WEEKDAYS.index(last or first)
            days.update((a + i) % 7 for i in range((b - a) % 7 + 1))
        return ",".join(WEEKDAYS[d] for d in sorted(days))

    @field_validator("timezone")
    @classmethod
    def _zone(cls, v: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {v!r} (use an IANA name like Europe/Berlin)"
            ) from None
        return v

    @field_validator("signals_token")
    @classmethod
    def _long_token(cls, v: SecretStr | None) -> SecretStr | None:
        if v is not None and len(v.get_secret_value()) < 24:
            raise ValueError("must be at least 24 characters (generate one: openssl rand -hex 32)")
        return v

    @field_validator("unsubscribe_secret")
    @classmethod
    def _long_key(cls, v: SecretStr | None) -> SecretStr | None:
        if v is not None and len(v.get_secret_value()) < 32:
            raise ValueError("must be at least 32 characters (generate one: openssl rand -hex 32)")
        return v

    @field_validator("smtp_url")
    @classmethod
    def _smtp_url(cls, v: SecretStr | None) -> SecretStr | None:
        if v is not None:
            parts = urlsplit(v.get_secret_value())
            if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
                raise ValueError("must look like smtp://user:pass@host:587 or smtps://host:465")
        return v

    @field_validator("imap_url")
    @classmethod
    def _imap_url(cls, v: SecretStr | None) -> SecretStr | None:
        if v is not None:
            parts = urlsplit(v.get_secret_value())
            if parts.scheme not in ("imap", "imaps") or not parts.hostname or not parts.username:
                raise ValueError(
                    "must look like imaps://user:pass@host:993/INBOX or imap://user:pass@host:143/INBOX"
                )
        return v

    @field_validator("slack_bot_token")
    @classmethod
    def _bot_token(cls, v: SecretStr | None) -> SecretStr | None:
        if v is not None and not v.get_secret_value().startswith("xoxb-"):
            raise ValueError("must be a bot token starting with xoxb-")
        return v

    @field_validator("slack_app_token")
    @classmethod
    def _app_token(cls, v: SecretStr | None) -> SecretStr | None:
        if v is not None and not v.get_secret_value().startswith("xapp-"):
            raise ValueError("must be an app-level token starting with xapp-")
        return v

    @property
    def db_url(self) -> str:
        if self.database_url is not None:
            return self.database_url.get_secret_value()
        return f"sqlite:///{(self.home / 'twoloop.db').resolve()}"

    @property
    def outbox_dir(self) -> Path:
        return self.home / "outbox"

    @property
    def agents_dir(self) -> Path:
        return self.home / "agents"

    @property
    def plays_dir(self) -> Path:
        return self.home / "plays"

    @property
    def data_dir(self) -> Path:
        return self.home / "data"

    def secret(self, name: str) -> str | None:
        value = getattr(self, name)
        return value.get_secret_value() if value is not None else None

    def home_problem(self) -> str | None:
        """Why commands should not run against `home`, in one line; None when it is fine.

        Without this, a command run anywhere quietly made a twoloop.db there (a repository,
        say) and found no agents."""
        if "home" in self.model_fields_set:
            if not self.home.is_dir():
                return (
                    f"TWOLOOP_HOME: {self.home} is not a folder "
                    f"(make one with `twoloop init {self.home}`)"
                )
            return None
        if any((self.home / marker).exists() for marker in HOME_MARKERS):
            return None
        return (
            f"no Twoloop config in {self.home.resolve()}: run `twoloop init PATH` and set "
            "TWOLOOP_HOME=PATH (or run from the config folder)"
        )

    def require(self, *names: str) -> None:
        """Fail with one line naming the first missing setting the caller needs."""
        for name in names:
            if getattr(self, name) is None:
                alias = type(self).model_fields[name].alias
                raise SettingsError(f"{alias} is not set (needed for this command)")


def env_files() -> tuple[Path, ...]:
    """The .env files to read, weakest first: ./.env, then $TWOLOOP_HOME/.env (where
    `twoloop init` puts .env.example). Real environment variables beat both. TWOLOOP_HOME
    itself comes from the environment or from ./.env."""
    local = Path(ENV_FILE)
    home = os.environ.get("TWOLOOP_HOME")
    if not home and local.is_file():
        home = dotenv_values(local).get("TWOLOOP_HOME")
    return (local, Path(home) / ENV_FILE) if home else (local,)


def load_settings(**overrides: Any) -> Settings:
    """Build Settings, turning pydantic's report into one line that names the setting."""
    overrides.setdefault("_env_file", env_files())
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = str(err["loc"][0]) if err["loc"] else "settings"
        alias = Settings.model_fields[field].alias if field in Settings.model_fields else field
        raise SettingsError(f"{alias}: {err['msg'].removeprefix('Value error, ')}") from None
