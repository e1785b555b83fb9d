"""Sending that protects the domain, on both databases: windows, gaps, warm-up and caps
(across restarts and concurrent workers), bounces and the deliverability guard, crash
recovery, and follow-up sequences in the same thread."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from zoneinfo import ZoneInfo

import pytest
import yaml
from sqlmodel import select

from bot.agent import loop
from bot.cli.scaffold import init
from bot.decisions import Action, Request, decide
from bot.mail.outbound import deliverability, followups, outbox, sequences, unsubscribe
from bot.mail.transport import SmtpTransport
from bot.runtime import Runtime
from storage import outbox as outbox_store
from storage import prospects
from storage.models import (
    AgentState,
    Contact,
    MailboxState,
    MailEvent,
    OutboxMessage,
    Review,
    Sequence,
    Suppression,
)
from tests.conftest import RecordingHumans, approve_plays, unpaced

WED = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)  # 10:00 in London, a Wednesday
SAT = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
DANA = "dana@northwind.example"


@pytest.fixture
def home(tmp_path):
    """Sample signals dated from WED, not from the real today: their age is part of what
    gets drafted."""
    path = tmp_path / "home"
    init(path, now=WED)
    unpaced(path)
    return path


@pytest.fixture
def rt(rt):
    """Every test starts on WED: mail queued at the real time would be due, or not, by the
    real date."""
    at(rt, WED)
    return rt


def set_mailbox(rt, address=DANA, **fields):
    path = rt.settings.home / "mailboxes.yml"
    data = yaml.safe_load(path.read_text())
    for mb in data["mailboxes"]:
        if mb["address"] == address:
            mb.update(fields)
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def paced(rt, **fields):
    base = {
        "window": {"start": "08:00", "end": "18:00", "days": "1-5"},
        "warmup": None,
        "min_gap_seconds": 0,
        "jitter_seconds": 0,
    }
    set_mailbox(rt, **{**base, **fields})


def at(rt, when):
    rt.clock = lambda: when


def approve_all(rt, agent_id="data-platform") -> list[OutboxMessage]:
    approve_plays(rt)
    loop.tick(rt, agent_id)
    with rt.db.session() as s:
        revs = list(
            s.exec(
                select(Review).where(
                    Review.status == "open", Review.kind == "draft", Review.agent_id == agent_id
                )
            )
        )
    for r in revs:
        assert (
            decide(rt, Request(r.id, r.owner, Action.APPROVE, content_hash=r.content_hash)).status
            == "decided"
        )
    return rows(rt)


def rows(rt, **where):
    with rt.db.session() as s:
        q = select(OutboxMessage).order_by(OutboxMessage.id)
        for k, v in where.items():
            q = q.where(getattr(OutboxMessage, k) == v)
        return list(s.exec(q))


def sent(rt):
    return [m for m in rows(rt) if m.status == "sent"]


def emls(rt):
    return sorted(rt.settings.outbox_dir.glob("*.eml")) if rt.settings.outbox_dir.exists() else []


def test_outside_the_window_waits_for_the_next_opening(rt):
    paced(rt)
    at(rt, SAT)
    approve_all(rt)
    counts = outbox.flush(rt)
    assert counts["sent"] == 0 and counts["deferred"] >= 1
    first = rows(rt)[0]
    assert first.next_attempt_at == datetime(2026, 11, 30, 8, 0, tzinfo=UTC)  # Monday, London
    assert first.attempts == 0 and "window" in first.last_error
    at(rt, datetime(2026, 11, 30, 8, 0, 1, tzinfo=UTC))
    assert outbox.flush(rt)["sent"] >= 1


def test_the_recipients_time_zone_wins(rt):
    paced(rt)
    rows_ = approve_all(rt)
    with rt.db.session() as s:
        c = s.get(Contact, rows_[0].contact_id)
        c.timezone = "America/Los_Angeles"
        s.add(c)
    at(rt, WED)  # 02:00 in Los Angeles
    outbox.flush(rt)
    la = rows(rt, contact_id=rows_[0].contact_id)[0]
    assert la.status == "queued"
    assert la.next_attempt_at.astimezone(ZoneInfo("America/Los_Angeles")).hour == 8
    assert any(m.status == "sent" for m in rows(rt) if m.id != la.id)


def test_minimum_gap_with_jitter_between_sends(rt):
    paced(rt, min_gap_seconds=90, jitter_seconds=60)
    assert len(approve_all(rt)) >= 2
    at(rt, WED)
    assert outbox.flush(rt)["sent"] == 1
    waiting = [m for m in rows(rt) if m.status == "queued"]
    gap = (waiting[0].next_attempt_at - WED).total_seconds()
    assert 90 <= gap <= 150 and "gap" in waiting[0].last_error
    assert outbox.flush(rt)["sent"] == 0, "nothing is due before the gap is over"
    at(rt, WED + timedelta(seconds=151))
    assert outbox.flush(rt)["sent"] == 1


def test_warm_up_ramp_and_cap_hold_across_a_restart(rt):
    paced(rt, warmup={"start": 2, "step": 1}, daily_cap=3)
    assert len(approve_all(rt)) == 4
    at(rt, WED)
    assert outbox.flush(rt)["sent"] == 2  # the first day of the ramp
    restarted = Runtime(
        rt.settings, humans=RecordingHumans(), clock=lambda: WED + timedelta(hours=5)
    )
    assert outbox.flush(restarted)["sent"] == 0, "the day's count lives in the database"
    tomorrow = [m for m in rows(rt) if m.status == "queued"][0].next_attempt_at
    assert tomorrow == datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
    restarted.clock = lambda: tomorrow
    assert outbox.flush(restarted)["sent"] == 2  # the second day allows 3; 2 were left
    with rt.db.session() as s:
        state = s.get(MailboxState, DANA)
    assert (state.sent_on_day, str(state.first_send_on)) == (2, "2026-11-25")
    restarted.db.dispose()


def test_concurrent_workers_never_exceed_the_cap(rt):
    paced(rt, warmup={"start": 1, "step": 1}, daily_cap=10)
    approve_all(rt)
    workers = [Runtime(rt.settings, clock=lambda: WED) for _ in range(4)]
    barrier = threading.Barrier(4)

    def work(w):
        barrier.wait()
        outbox.flush(w)

    threads = [threading.Thread(target=work, args=(w,)) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(sent(rt)) == 1 and len(emls(rt)) == 1
    for w in workers:
        w.db.dispose()


def test_paused_agent_or_mailbox_holds_approved_mail(rt):
    paced(rt)
    approve_all(rt)
    at(rt, WED)
    with rt.db.session() as s:
        prospects.set_agent_paused(s, "data-platform", True, "ops said so")
    assert outbox.flush(rt)["sent"] == 0
    assert "agent paused: ops said so" in rows(rt)[0].last_error
    with rt.db.session() as s:
        prospects.set_agent_paused(s, "data-platform", False)
        outbox_store.mailbox_state(s, DANA)
        outbox_store.pause_mailbox(s, DANA, "manual", WED)
    at(rt, WED + timedelta(minutes=16))
    assert outbox.flush(rt)["sent"] == 0
    assert "mailbox paused: manual" in rows(rt)[0].last_error
    with rt.db.session() as s:
        outbox_store.resume_mailbox(s, DANA)
    at(rt, WED + timedelta(minutes=40))
    assert outbox.flush(rt)["sent"] >= 1


def test_hard_bounce_suppresses_and_the_guard_pauses(rt, smtp_server):
    rt.settings.guard_min_sent = 1
    rt.settings.operator_channel = "C0OPS"
    rt.transport = SmtpTransport(smtp_server.url, timeout=5)
    first = approve_all(rt)[0]
    smtp_server.reject_recipient(first.to_addr, code=550)
    outbox.flush(rt)
    with rt.db.session() as s:
        event = s.exec(select(MailEvent)).one()
        assert (event.kind, event.hard, event.mailbox) == ("bounce", True, DANA)
        assert s.get(Suppression, first.to_addr).reason == "hard bounce"
        assert s.get(MailboxState, DANA).paused
        assert s.get(AgentState, "data-platform").paused
    notes = [text for ch, text in rt.humans.notes if ch == "C0OPS"]
    assert any("Paused mailbox dana@northwind.example" in n for n in notes)
    assert any("Paused agent data-platform" in n for n in notes)
    assert all(m.status != "sent" for m in rows(rt)), "a paused mailbox sends nothing more"


def test_complaint_rate_over_limit_pauses(rt):
    approve_all(rt)
    outbox.flush(rt)
    rt.settings.guard_min_sent = 1
    msgs = sent(rt)
    assert deliverability.over_limit(1000, 0, 3, 0.05, 0.003, 20).startswith("complaint rate")
    assert deliverability.over_limit(1000, 49, 2, 0.05, 0.003, 20) == ""
    assert deliverability.over_limit(10, 5, 0, 0.05, 0.003, 20) == "", "too few to judge"
    with rt.db.session() as s:
        deliverability.record(s, msgs[0], "complaint", hard=False, detail="ARF", now=rt.now())
    paused = deliverability.check(rt, DANA, "data-platform")
    assert any("complaint rate" in p for p in paused)
    with rt.db.session() as s:
        assert s.get(Suppression, msgs[0].to_addr).reason == "complaint"


class DiesAfterSmtp:
    """Delivers, then the process 'dies' before the database hears about it."""

    def __init__(self, inner):
        self.inner = inner

    def send(self, msg):
        self.inner.send(msg)
        raise SystemExit("killed between SMTP accept and commit")


def test_crash_after_smtp_accept_is_never_resent(rt, smtp_server):
    real = SmtpTransport(smtp_server.url, timeout=5)
    rt.transport = DiesAfterSmtp(real)
    approve_all(rt)
    with pytest.raises(SystemExit):
        outbox.flush(rt)
    [claimed] = rows(rt, status="sending")
    rt.transport = real
    for _ in range(3):
        outbox.flush(rt)
    assert (
        len([m for m in smtp_server.received if m.message["Message-ID"] == claimed.message_id]) == 1
    )
    assert outbox.recover(rt) == [], "a claim inside its lease may still be in flight"
    at(rt, rt.now() + outbox.LEASE + timedelta(seconds=1))
    rt.settings.operator_channel = "C0OPS"
    assert outbox.recover(rt) == [claimed.id]
    assert rows(rt, id=claimed.id)[0].status == "uncertain"
    assert any("may or may not have been sent" in t for _, t in rt.humans.notes)
    for _ in range(3):
        outbox.flush(rt)
    assert (
        len([m for m in smtp_server.received if m.message["Message-ID"] == claimed.message_id]) == 1
    )
    with rt.db.session() as s:
        assert outbox_store.resolve(s, claimed.id, sent=True, now=rt.now())
    assert rows(rt, id=claimed.id)[0].status == "sent"


def test_crash_before_smtp_is_resolved_unsent_and_sent_once(rt):
    approve_all(rt)
    first = rows(rt)[0]
    with rt.db.session() as s:
        assert outbox_store.claim(s, first.id, rt.now())  # then the process died
    at(rt, rt.now() + outbox.LEASE + timedelta(seconds=1))
    assert outbox.recover(rt) == [first.id]
    with rt.db.session() as s:
        assert outbox_store.resolve(s, first.id, sent=False, now=rt.now())
    outbox.flush(rt)
    outbox.flush(rt)
    assert rows(rt, id=first.id)[0].status == "sent"
    assert len([e for e in emls(rt) if f"d{first.draft_id}s0" in e.name]) == 1


def _thread(rt, draft_id):
    out = []
    for path in emls(rt):
        msg = message_from_bytes(path.read_bytes(), policy=policy.default)
        if msg["X-Twoloop-Draft"].startswith(f"{draft_id}/"):
            out.append(msg)
    return sorted(out, key=lambda m: m["X-Twoloop-Draft"])


def test_follow_ups_go_in_the_same_thread_until_the_sequence_ends(rt):
    approve_all(rt)
    start = rt.now()
    outbox.flush(rt)
    first = sent(rt)[0]
    assert followups.queue_due(rt) == 0
    at(rt, start + timedelta(days=3, minutes=1))
    assert followups.queue_due(rt) >= 1
    outbox.flush(rt)
    one, two = _thread(rt, first.draft_id)
    assert two["In-Reply-To"] == one["Message-ID"] == first.message_id
    assert two["References"] == one["Message-ID"]
    assert two["Subject"] == f"Re: {one['Subject']}"
    assert "floating this back up" in two.get_content()
    at(rt, start + timedelta(days=10, minutes=2))
    followups.queue_due(rt)
    outbox.flush(rt)
    msgs = _thread(rt, first.draft_id)
    assert len(msgs) == 3 and msgs[2]["References"].split() == [
        msgs[0]["Message-ID"],
        msgs[1]["Message-ID"],
    ]
    with rt.db.session() as s:
        assert s.get(Sequence, first.draft_id).status == "done"


def test_unsubscribe_stops_the_sequence(rt):
    approve_all(rt)
    start = rt.now()
    outbox.flush(rt)
    first = sent(rt)[0]
    token = unsubscribe.token_for(unsubscribe.key(rt), first.contact_id)
    assert unsubscribe.unsubscribe(rt, token, "one-click").status == "done"
    at(rt, start + timedelta(days=30))
    followups.queue_due(rt)  # the other contacts' sequences go on
    assert [m.step for m in rows(rt, draft_id=first.draft_id)] == [0]
    with rt.db.session() as s:
        seq = s.get(Sequence, first.draft_id)
    assert (seq.status, seq.reason) == ("stopped", "unsubscribed")


def test_out_of_office_parks_until_the_return_date(rt):
    approve_all(rt)
    start = rt.now()
    outbox.flush(rt)
    first = sent(rt)[0]
    back = start + timedelta(days=12)
    with rt.db.session() as s:
        assert sequences.park_contact(s, first.contact_id, back, "out of office", start) == 1
    at(rt, start + timedelta(days=4))
    followups.queue_due(rt)  # the other contacts' follow-ups go on
    assert [m.step for m in rows(rt, draft_id=first.draft_id)] == [0]
    at(rt, back + timedelta(minutes=1))
    followups.queue_due(rt)
    assert [m.step for m in rows(rt, draft_id=first.draft_id)] == [0, 1]


def test_suppressed_after_approval_is_never_sent(rt):
    first = approve_all(rt)[0]
    with rt.db.session() as s:
        s.add(Suppression(value="@" + first.to_addr.rpartition("@")[2], reason="manual"))
    outbox.flush(rt)
    row = rows(rt, id=first.id)[0]
    assert (row.status, row.last_error) == ("failed", "suppressed: manual")
    assert not [e for e in emls(rt) if f"d{first.draft_id}s0" in e.name]
