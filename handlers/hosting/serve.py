"""`twoloop serve`: the Slack app and the HTTP endpoints in one process, the work that
follows the acks (decisions, sends, the scheduler) in a child process of its own
(handlers/hosting/work_process.py); or N supervised pairs sharing the port (`--workers`), each a
replica of its own."""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import signal
import socket
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import uvicorn

from bot import logs
from bot.runtime import Runtime
from bot.settings import Settings, SettingsError
from handlers.app import build_app
from handlers.hosting.ack_first import AckFirst
from handlers.hosting.asgi import Front
from handlers.hosting.web import build_web
from handlers.hosting.work import Work, within
from handlers.hosting.work_process import WorkProcess
from handlers.jobs import Job
from handlers.listeners import Deps
from handlers.slack_clients import humans

log = logging.getLogger(__name__)


class Service:
    """Everything `serve` runs, startable and stoppable (tests drive it on a loopback port).

    `work_process`: the work side runs in a child process (what `serve` does); without it,
    in this one, on the `runtime` given (tests inject clocks, transports and fakes)."""

    def __init__(
        self,
        settings: Settings,
        *,
        host: str = "127.0.0.1",
        port: int = 3000,
        threads: int = 32,
        runtime: Runtime | None = None,
        scheduler: bool = True,
        reuse_port: bool = False,
        work_process: bool = False,
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
        if work_process and runtime is not None:
            raise ValueError("a work process builds its own runtime from the settings")
        self.settings = settings
        self.socket_mode = socket_mode
        self.rt = runtime or Runtime(settings)
        self.rt.db.upgrade()
        # A slash command's follow-ups (notices to owners, a digest): rare, so they stay here.
        self.later = ThreadPoolExecutor(max_workers=2, thread_name_prefix="later")
        work = WorkProcess(settings, scheduler=scheduler) if work_process else None
        self.ack_first = work.ack_first if work else AckFirst()  # its work waits for our acks
        self.bolt = build_app(
            settings,
            Deps(self.rt, hand_off=self._hand_off, later=self.later.submit),
            socket_mode=socket_mode,
        )
        self.rt.humans = humans(self.rt, self.bolt.client)
        self.work: Work | WorkProcess = work or Work(
            self.rt, self.bolt.client, scheduler=scheduler, ack_first=self.ack_first
        )
        self.rt.work = self.work  # /healthz says whether it runs
        self.rt.leadership = self.work if scheduler else None  # ... and which role it has
        self.acks = ThreadPoolExecutor(max_workers=4, thread_name_prefix="ack")
        self.front = Front(
            build_web(self.rt),
            None if socket_mode else self.bolt,
            acks=self.acks,
            threads=threads,
            ack_first=self.ack_first,
        )
        # Bound here, so a port in use fails the start and connections queue from now on.
        # One process holds the GIL on one core; `serve --workers N` runs N of these on one
        # port (SO_REUSEPORT) and the kernel spreads connections over them.
        self.socket = listening_socket(host, port, reuse_port=reuse_port)
        self.http = uvicorn.Server(
            uvicorn.Config(
                self.front,
                loop=_best("uvloop", "asyncio"),
                http=_best("httptools", "h11"),
                lifespan="off",
                log_config=None,
                access_log=False,
                server_header=False,
                # Longer than a load balancer's idle timeout (AWS ALB: 60 s), so the balancer,
                # not us, closes idle connections and never sends on one we just closed.
                timeout_keep_alive=75,
                timeout_graceful_shutdown=5,
            )
        )
        self.socket_handler = None
        self._thread: threading.Thread | None = None

    def _hand_off(self, job: Job) -> None:
        self.work.submit(job)

    @property
    def url(self) -> str:
        host, port = self.socket.getsockname()[:2]
        return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"

    def start(self) -> None:
        self.work.start()
        # What start-up allocated lives as long as the process: take it out of the cyclic
        # collector's view, so full collections stay short under load.
        gc.collect()
        gc.freeze()
        if self.socket_mode:
            from slack_bolt.adapter.socket_mode import SocketModeHandler

            self.socket_handler = SocketModeHandler(
                self.bolt, self.settings.secret("slack_app_token")
            )
            self.socket_handler.connect()
        self._thread = threading.Thread(
            target=self.http.run, kwargs={"sockets": [self.socket]}, name="http", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self.http.started and self._thread.is_alive() and time.monotonic() < deadline:
            time.sleep(0.005)
        if not self.http.started:
            raise RuntimeError("the HTTP server did not start (its error is above)")
        log.info(
            "twoloop serving on %s (%s mode)",
            self.url,
            "Socket Mode" if self.socket_mode else "HTTP",
        )

    def stop(self) -> dict:
        """Stop taking requests, then let the work side finish what was taken within
        TWOLOOP_SHUTDOWN_GRACE_SECONDS and release what was not. Says what it left behind."""
        deadline = time.monotonic() + self.settings.shutdown_grace_seconds
        left = lambda: max(0.0, deadline - time.monotonic())  # noqa: E731
        # Stop accepting; requests in flight get their answer (uvicorn waits up to 5 s).
        self.http.should_exit = True
        if self._thread is not None:
            self._thread.join(min(left(), 6.0))
        self.acks.shutdown(wait=False)
        if self.socket_handler is not None:
            self.socket_handler.close()
        later_done = within(lambda: self.later.shutdown(wait=True), left())
        result = self.work.stop(left())
        if not later_done:
            log.warning("a slash command's follow-ups were still running at shutdown")
        close = getattr(self.rt.transport, "close", None)
        if close is not None:
            close()
        self.rt.db.dispose()
        log.info("stopped %s", "cleanly" if result["clean"] else "with work left behind")
        return result


def listening_socket(host: str, port: int, *, reuse_port: bool) -> socket.socket:
    """With `reuse_port`, other processes may bind the same port (SO_REUSEPORT)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuse_port:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise SettingsError(
            f"--host/--port: cannot listen on {host}:{port} ({exc.strerror})"
        ) from None
    sock.listen(2048)
    return sock


def _best(fast: str, portable: str) -> str:
    """uvloop and httptools where they are installed (not on Windows), else the pure ones."""
    try:
        __import__(fast)
    except ImportError:
        return portable
    return fast


def serve(settings: Settings, *, host: str, port: int, threads: int, workers: int = 1) -> None:
    if workers > 1:
        supervise(settings, host=host, port=port, threads=threads, workers=workers)
        return
    _serve_one(settings, host=host, port=port, threads=threads, reuse_port=False)


def _serve_one(settings: Settings, *, host: str, port: int, threads: int, reuse_port: bool) -> None:
    service = Service(
        settings, host=host, port=port, threads=threads, reuse_port=reuse_port, work_process=True
    )
    done = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: done.set())
    service.start()
    done.wait()
    log.info("shutting down (grace %.0f s)", settings.shutdown_grace_seconds)
    result = service.stop()
    if not result["clean"]:
        # Work threads that would not finish keep the interpreter from exiting; what they
        # held is already released or flagged, so leave now rather than hang.
        logging.shutdown()
        os._exit(0)


def _worker(settings: Settings, host: str, port: int, threads: int, level: int) -> None:
    logs.setup(settings, level)
    try:
        _serve_one(settings, host=host, port=port, threads=threads, reuse_port=True)
    except SettingsError as exc:
        log.error("%s", exc)
        sys.exit(2)


def supervise(settings: Settings, *, host: str, port: int, threads: int, workers: int) -> None:
    """N worker processes on one port, each a full replica (the leader lock picks the one
    that runs the scheduler; claims keep sends and ticks single). A worker that dies is
    started again; SIGTERM is passed on and each worker shuts down gracefully."""
    if port == 0:
        raise SettingsError("--workers needs a fixed --port")
    ctx = multiprocessing.get_context("spawn")  # no threads or connections cross a fork
    level = logging.getLogger().level
    stopping = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stopping.set())

    def start(n: int):
        proc = ctx.Process(
            target=_worker,
            args=(settings, host, port, threads, level),
            name=f"twoloop-worker-{n}",
        )
        proc.start()
        return proc

    procs = [start(n) for n in range(workers)]
    failed = False
    log.info("supervising %d workers on %s:%d", workers, host, port)
    started = [time.monotonic()] * workers
    while not stopping.wait(0.5):
        for n, proc in enumerate(procs):
            if proc.is_alive():
                continue
            if proc.exitcode == 2 and time.monotonic() - started[n] < 30:
                # A settings error: every restart would fail the same way.
                failed = True
                stopping.set()
                break
            log.warning("worker %d exited with %s; starting it again", n, proc.exitcode)
            procs[n], started[n] = start(n), time.monotonic()
    log.info("stopping %d workers", workers)
    for proc in procs:
        if proc.is_alive():
            proc.terminate()  # SIGTERM: each worker's own graceful stop
    grace = settings.shutdown_grace_seconds + 10
    for proc in procs:
        proc.join(grace)
        if proc.is_alive():
            proc.kill()
    if failed:
        raise SettingsError("a worker could not start (its error is above)")
