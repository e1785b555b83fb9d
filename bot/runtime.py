"""Composition root: settings, database, the fleet, and the ports the loops talk through."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from bot.config.agents import AgentSpec, Fleet, Relationship, load_fleet
from bot.core.drafting import OfflineWriter, Writer
from bot.core.relationship import Policy
from bot.mail.transport import Transport, transport_for
from bot.mail.triage.model import LLMClassifier
from bot.model.answers import ReplyWriter
from bot.model.structured import Modes
from bot.model.writer import OpenAIWriter
from bot.ports import Humans, Notice
from bot.settings import Settings
from storage import model_endpoints
from storage.db import Database
from storage.models import utcnow


class FleetCache:
    """Re-reads agent and play files only when one of them changed (by mtime and size)."""

    def __init__(self, agents_dir: Path, plays_dir: Path):
        self.agents_dir, self.plays_dir = agents_dir, plays_dir
        self._stamp: tuple = ()
        self._fleet = Fleet()
        self._lock = threading.Lock()

    def _signature(self) -> tuple:
        paths = [self.agents_dir.parent / "mailboxes.yml"]
        for folder in (self.agents_dir, self.plays_dir):
            if folder.is_dir():
                paths.extend(sorted(folder.rglob("*.md")))
        files = []
        for p in paths:
            if p.is_file():
                st = p.stat()
                files.append((str(p), st.st_mtime_ns, st.st_size))
        return tuple(files)

    def get(self) -> Fleet:
        with self._lock:
            stamp = self._signature()
            if stamp != self._stamp:
                self._fleet = load_fleet(self.agents_dir, self.plays_dir)
                self._stamp = stamp
            return self._fleet


class _StoredModes:
    """Learned structured-output modes, in the database (bot/model/structured.py)."""

    def __init__(self, db: Database, now: Callable[[], datetime]):
        self.db, self.now = db, now

    def load(self) -> dict[str, str]:
        with self.db.session() as s:
            return {endpoint: row.mode for endpoint, row in model_endpoints.modes(s).items()}

    def save(self, endpoint: str, mode: str, detail: str) -> None:
        with self.db.session() as s:
            model_endpoints.save(s, endpoint, mode, detail, self.now())


class Runtime:
    def __init__(
        self,
        settings: Settings,
        *,
        humans: Humans | None = None,
        transport: Transport | None = None,
        writer: Writer | None = None,
        clock: Callable[[], datetime] = utcnow,
        rng: random.Random | None = None,
        database: Database | None = None,
    ):
        self.settings = settings
        self.clock = clock
        # Rows stamped in the database (audit times) follow this runtime's clock, even when a
        # test moves it later.
        self.db = database or Database(settings.db_url, clock=self.now)
        self.humans = humans
        self.transport = transport or transport_for(
            settings.secret("smtp_url"), settings.outbox_dir
        )
        self.offline_writer = OfflineWriter()
        # What structured output each model endpoint takes, learned once for every replica.
        self.model_modes = Modes(_StoredModes(self.db, self.now))
        self.writer = writer or self._model_writer() or self.offline_writer
        # Reply triage's model, on the model writer's client when there is one (the rules
        # always run too).
        client = getattr(self.writer, "client", None)
        self.reply_model = (
            LLMClassifier(
                client,
                settings.openai_model,
                modes=self.model_modes,
                max_completion_tokens=settings.llm_max_tokens,
            )
            if client is not None
            else None
        )
        # Drafted answers on reply cards, on the same client; None offline (cover notes then).
        self.reply_writer = (
            ReplyWriter(
                client,
                settings.openai_model,
                self.model_modes,
                max_completion_tokens=settings.llm_max_tokens,
            )
            if client is not None
            else None
        )
        # Drafts written at once: a model writer is network-bound, so many calls overlap.
        self.draft_concurrency = settings.llm_concurrency
        self.rng = rng or random.Random()
        self.outbox_wakeup = threading.Event()
        self.known_mailboxes: set[str] = set()  # mailbox rows known to exist in the database
        self._fleet = FleetCache(settings.agents_dir, settings.plays_dir)
        # When serving: the work side (handlers/hosting/work.py) with its `alive` and `is_leader`;
        # `leadership` is it too when this replica may lead the scheduler. For /healthz.
        self.work = None
        self.leadership = None

    def _model_writer(self) -> Writer | None:
        """The OpenAI-compatible writer when a model is configured, else None."""
        s = self.settings
        if s.openai_api_key is None and s.openai_base_url is None:
            return None
        return OpenAIWriter.from_settings(
            s.secret("openai_api_key"),
            s.openai_base_url,
            s.openai_model,
            timeout=s.llm_timeout,
            concurrency=s.llm_concurrency,
            max_completion_tokens=s.llm_max_tokens,
            modes=self.model_modes,
        )

    @property
    def uses_model(self) -> bool:
        return not isinstance(self.writer, OfflineWriter)

    def writer_for(self, spec: AgentSpec) -> Writer:
        """The agent's choice: `offline` always uses templates, otherwise the configured one."""
        return self.offline_writer if spec.writer == "offline" else self.writer

    def fleet(self) -> Fleet:
        return self._fleet.get()

    def now(self) -> datetime:
        return self.clock()

    @property
    def full_tick_every(self) -> timedelta | None:
        """How long an agent goes on incremental ticks before a full re-match; None: never
        incremental."""
        days = self.settings.full_tick_days
        return timedelta(days=days) if days > 0 else None

    def tell_operators(self, notice: Notice) -> None:
        """A notice in TWOLOOP_OPERATOR_CHANNEL, when one is set and Slack is connected."""
        if self.humans is not None and self.settings.operator_channel:
            self.humans.notify(self.settings.operator_channel, notice)

    def is_operator(self, user: str) -> bool:
        return user in self.settings.operators

    def relationship_policy(self, spec: AgentSpec | None = None) -> Policy:
        """The agent file's relationship policy, the fleet's defaults where it is silent (all
        of them without an agent: one removed since)."""
        st = self.settings
        own = spec.relationship if spec is not None else Relationship()
        return Policy(
            not_interested_days=_first(own.not_interested_days, st.not_interested_days),
            handoff_days=_first(own.handoff_days, st.handoff_days),
            recent_kill_days=_first(own.recent_kill_days, st.recent_kill_days),
            one_conversation_per=own.one_conversation_per or st.one_conversation_per,
            review_by=(spec.review_by if spec is not None else None) or st.review_by,
        )

    def may_decide(self, user: str, owner: str) -> bool:
        return user == owner or self.is_operator(user)


def _first(value: int | None, default: int) -> int:
    return default if value is None else value
