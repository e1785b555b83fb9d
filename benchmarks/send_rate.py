"""How many messages a second the outbox hands to an SMTP server, pacing turned off.

    .venv/bin/python benchmarks/send_rate.py [--messages 1000] [--runs 2] [--workers 1]

A real aiosmtpd server on loopback receives. The messages are real drafts: 40 agents tick
over generated data as supervised agents with the review thresholds opened up, so their
drafts go straight to the outbox; mailboxes have no window, gap or warm-up. Each message
goes through the whole send path: claim, suppression check, the mailbox's slot
reservation, the unsubscribe headers, SMTP, and the recording of the result.
Target (issue 4): at least 50 messages a second.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import tick_scale  # noqa: E402

from tests.fakes.smtp import _Controller  # noqa: E402  (binds port 0, learns the real one)


class Sink:
    def __init__(self):
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's name
        with self.lock:
            self.count += 1
        return "250 OK"


def prepare(home: Path, accounts: int) -> None:
    from bot.config.mailboxes import open_all_hours

    tick_scale.generate(home, accounts)
    for path in (home / "agents").glob("agent-*.md"):
        text = path.read_text()
        for key in ("personalization: 0.75", "personalization: 0.7"):
            text = text.replace(key, "personalization: 1.0")
        text = text.replace("confidence: 0.6", "confidence: 0.0").replace(
            "confidence: 0.55", "confidence: 0.0"
        )
        path.write_text(text.replace("audit_rate: 0.05", "audit_rate: 0"))
    open_all_hours(home / "mailboxes.yml", warmup=None, daily_cap=100_000)


def one_run(messages: int, workers: int) -> dict:
    from sqlmodel import func, select

    from bot.agent import loop
    from bot.intake.importer import load
    from bot.mail.outbound import outbox
    from bot.mail.transport import SmtpTransport
    from bot.runtime import Runtime
    from bot.settings import Settings
    from storage.models import AgentState, OutboxMessage

    home = Path(tempfile.mkdtemp(prefix="twoloop-send-bench-"))
    sink = Sink()
    controller = _Controller(sink, hostname="127.0.0.1", port=0, ready_timeout=5)
    controller.start()
    port = controller.port
    try:
        prepare(home, max(2000, messages * 2))
        settings = Settings(TWOLOOP_HOME=home, SMTP_URL=f"smtp://127.0.0.1:{port}", _env_file=None)
        rt = Runtime(settings, transport=SmtpTransport(f"smtp://127.0.0.1:{port}", timeout=10))
        rt.db.upgrade()
        load(rt.db, sorted((home / "data").iterdir()))
        tick_scale.approve_plays(home, None)
        with rt.db.session() as s:
            for agent_id in rt.fleet().agents:
                s.add(AgentState(agent_id=agent_id, trust="supervised", overrides={}))
        loop.tick(rt)
        with rt.db.session() as s:
            queued = s.exec(select(func.count()).where(OutboxMessage.status == "queued")).one()
        target = min(messages, queued)
        started = time.perf_counter()

        def drain():
            while outbox.flush(rt, limit=100)["sent"]:
                pass

        threads = [threading.Thread(target=drain) for _ in range(workers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        seconds = time.perf_counter() - started
        with rt.db.session() as s:
            sent = s.exec(select(func.count()).where(OutboxMessage.status == "sent")).one()
        rt.db.dispose()
        return {
            "queued": queued,
            "target": target,
            "sent": sent,
            "received": sink.count,
            "seconds": seconds,
            "rate": sent / seconds,
        }
    finally:
        controller.stop()
        shutil.rmtree(home, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--messages", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--workers", type=int, default=1)
    args = ap.parse_args()
    print(
        f"machine: {os.cpu_count()} cores, {platform.platform()}, "
        f"Python {platform.python_version()}; SQLite; workers {args.workers}"
    )
    rates = []
    for n in range(args.runs):
        r = one_run(args.messages, args.workers)
        rates.append(r["rate"])
        dup = "" if r["received"] == r["sent"] else f"  MISMATCH: server got {r['received']}"
        print(f"run {n + 1}: {r['sent']} messages in {r['seconds']:.1f}s = {r['rate']:.0f}/s{dup}")
    if len(rates) > 1:
        print(f"median: {statistics.median(rates):.0f} messages/s")


if __name__ == "__main__":
    main()
