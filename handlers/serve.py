"""`twoloop serve`: the Slack app, the HTTP endpoints and the scheduler in one process."""

from __future__ import annotations

import gc
import logging
import signal
import threading
from concurrent.futures import ThreadPoolExecutor

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from waitress.server import create_server

from bot import scheduler as scheduling
from bot.runtime import Runtime
from bot.settings import Settings, SettingsError
from handlers.listeners import Pools, register
from handlers.slack_humans import SlackHumans
from handlers.web import MAX_BODY, build_web

log = logging.getLogger(__name__)


def web_client(settings: Settings) -> WebClient:
    base = settings.slack_api_url or WebClient.BASE_URL
    return WebClient(
        token=settings.secret("slack_bot_token"),
        base_url=base if base.endswith("/") else base + "/",
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=2),
            RateLimitErrorRetryHandler(max_retry_count=3),
            ServerErrorRetryHandler(max_retry_count=2),
        ],
    )


def build_bolt(rt: Runtime, settings: Settings, *, socket_mode: bool, pools: Pools) -> App:
    client = web_client(settings)
    app = App(
        client=client,
        signing_secret=settings.secret("slack_signing_secret") or "",
        request_verification_enabled=not socket_mode,
        # Our listeners only ack and hand off to our pools, so they run in the request
        # thread: no second thread hop, and no polling for ack() (Bolt polls every 10 ms).
        process_before_response=True,
    )
    register(app, rt, pools)
    return app


class Service:
    """Everything `serve` runs, startable and stoppable (tests drive it on a loopback port)."""

    def __init__(
        self,
        settings: Settings,
        *,
        host: str = "127.0.0.1",
        port: int = 3000,
        threads: int = 32,
        runtime: Runtime | None = None,
        scheduler: bool = True,
    ):
        socket_mode = settings.slack_app_token is not None
        settings.require("slack_bot_token")
        if not socket_mode:
            try:
                settings.require("slack_signing_secret")
            except SettingsError as exc:
                raise SettingsError(
                    f"{exc} (HTTP mode; set SLACK_APP_TOKEN for Socket Mode)"
                ) from None
        self.settings = settings
        self.socket_mode = socket_mode
        self.pools = Pools(
            # Few decision threads: each one competes with the request threads for the GIL,
            # and the ack is what Slack times. Decisions queue; they are not lost.
            decide=ThreadPoolExecutor(max_workers=4, thread_name_prefix="decide"),
            # Opening a modal must happen within 3 s of the click: its own, uncontended pool.
            modal=ThreadPoolExecutor(max_workers=4, thread_name_prefix="modal"),
        )
        self.rt = runtime or Runtime(settings)
        self.rt.db.upgrade()
        self.bolt = build_bolt(self.rt, settings, socket_mode=socket_mode, pools=self.pools)
        self.rt.humans = SlackHumans(self.bolt.client)
        self.web = build_web(self.rt, None if socket_mode else self.bolt)
        self.http = create_server(
            self.web,
            host=host,
            port=port,
            threads=threads,
            max_request_body_size=MAX_BODY,
            ident="twoloop",
        )
        self.scheduler = scheduling.build(self.rt) if scheduler else None
        self.outbox = scheduling.OutboxWorker(self.rt)
        self.socket_handler = None
        self._thread: threading.Thread | None = None
        self._stopping = False

    @property
    def url(self) -> str:
        return f"http://{self.http.effective_host}:{self.http.effective_port}"

    def start(self) -> None:
        # What start-up allocated lives as long as the process: take it out of the cyclic
        # collector's view, so full collections stay short under load.
        gc.collect()
        gc.freeze()
        self.outbox.start()
        if self.scheduler is not None:
            self.scheduler.start()
        if self.socket_mode:
            from slack_bolt.adapter.socket_mode import SocketModeHandler

            self.socket_handler = SocketModeHandler(
                self.bolt, self.settings.secret("slack_app_token")
            )
            self.socket_handler.connect()
        self._thread = threading.Thread(target=self._serve_http, name="http", daemon=True)
        self._thread.start()
        log.info(
            "twoloop serving on %s (%s mode)",
            self.url,
            "Socket Mode" if self.socket_mode else "HTTP",
        )

    def _serve_http(self) -> None:
        try:
            self.http.run()
        except (OSError, ValueError):
            if not self._stopping:  # closing the socket under the event loop lands here; fine
                raise

    def stop(self) -> None:
        """Stop taking work, finish what was taken, then close."""
        self._stopping = True
        self.http.close()
        if self.socket_handler is not None:
            self.socket_handler.close()
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=True)
        self.pools.shutdown()
        self.outbox.stop()
        close = getattr(self.rt.transport, "close", None)
        if close is not None:
            close()
        self.rt.db.dispose()


def serve(settings: Settings, *, host: str, port: int, threads: int) -> None:
    service = Service(settings, host=host, port=port, threads=threads)
    done = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: done.set())
    service.start()
    done.wait()
    log.info("shutting down")
    service.stop()
