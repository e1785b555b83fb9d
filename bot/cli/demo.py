"""`twoloop demo`: the whole two-loop path offline, in the terminal.

No Slack, no LLM, no SMTP: cards print here, decisions are scripted (or typed with
--interactive), and mail lands as .eml files in the demo folder's outbox/. Then a scripted
week of reviews earns the agents trust, and the Monday after shows what they send unreviewed
and why (bot/cli/demo_week.py).
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

from bot.agent import loop
from bot.cli import demo_week
from bot.cli.console import ConsoleHumans
from bot.cli.scaffold import init
from bot.config.mailboxes import open_all_hours
from bot.decisions import Action, Request, decide
from bot.intake import signals
from bot.intake.importer import load
from bot.mail.inbound import replies
from bot.mail.outbound import outbox
from bot.readouts import KILL_REASONS
from bot.review import lifecycle as reviews
from bot.runtime import Runtime
from bot.settings import Settings
from storage import outbox as outbox_store
from storage import reviews as review_store
from storage import stats, trail
from storage.models import Draft, OutboxMessage, Review

OPERATOR = "U0OPERATOR1"
SCRIPT = [
    (Action.APPROVE, {}),
    (Action.EDIT, {}),
    (Action.KILL, {"reason_code": "bad_timing", "reason_text": "they are mid-migration"}),
    (Action.DEFER, {}),
]


def say(text: str = "") -> None:
    print(text, flush=True)


def run(home: Path | None = None, interactive: bool = False) -> int:
    started = time.monotonic()
    if home is None:
        home = Path(tempfile.mkdtemp(prefix="twoloop-demo-"))
    home.mkdir(parents=True, exist_ok=True)
    say(f"== Twoloop demo in {home}")
    init(home, force=True)
    open_all_hours(home / "mailboxes.yml")  # the demo sends at once, whatever the hour
    settings = Settings(
        TWOLOOP_HOME=home,
        TWOLOOP_OPERATORS=OPERATOR,
        DATABASE_URL=None,
        SMTP_URL=None,
        _env_file=None,
        **demo_week.SCALE,
    )
    # Seeded: which clear drafts the gate samples for a random audit is the same every run.
    rt = Runtime(settings, humans=ConsoleHumans(), rng=random.Random(16))
    rt.db.upgrade()

    say("\n== 1. import sample data")
    counts = load(rt.db, sorted(settings.data_dir.iterdir()))
    say("   imported " + ", ".join(f"{n} {k}" for k, n in counts.items()))

    say("\n== 2. humans approve patterns: every new play is posted with sample drafts")
    for report in loop.tick(rt):
        say("   " + report.line())
    reviews.post_pending(rt)
    with rt.db.session() as s:
        play_reviews = [r for r in review_store.open_reviews(s, limit=100) if r.kind == "play"]
    for review in play_reviews:
        assert review.id is not None  # a row read from the database has its id
        result = decide(rt, Request(review.id, review.owner, Action.APPROVE))
        say(f"   {review.owner} -> approve play review #{review.id}: {result.status}")

    say("\n== 3. agent loop: discovery -> matching -> drafting -> gate")
    for report in loop.tick(rt):
        say("   " + report.line())

    say("\n== 4. handoff: review cards (new agents are on probation, so all go to review)")
    reviews.post_pending(rt)

    say("\n== 5. human loop: decisions")
    with rt.db.session() as s:
        open_reviews = [r for r in review_store.open_reviews(s, limit=1000) if r.kind == "draft"]
    for i, review in enumerate(open_reviews):
        assert review.id is not None  # a row read from the database has its id
        if interactive:
            action, extra = ask(review.id)
        else:
            action, extra = SCRIPT[i % len(SCRIPT)]
        if action is None:
            continue
        req = build_request(rt, review, action, extra)
        result = decide(rt, req)
        say(f"   {review.owner} -> {action.value} review #{review.id}: {result.status}")
        if i == 0 and not interactive:
            again = decide(
                rt,
                Request(
                    review.id,
                    OPERATOR,
                    Action.KILL,
                    reason_code="other",
                    reason_text="double click",
                ),
            )
            say(
                f"   {OPERATOR} clicks Kill on the same card: {again.status} "
                f"(already {again.outcome} by {again.decided_by})"
            )
            stranger = decide(rt, Request(review.id, "U0STRANGER", Action.APPROVE))
            say(f"   U0STRANGER clicks Approve: {stranger.status} (only the owner or an operator)")

    say("\n== 6. execution: the outbox sends what was approved")
    sent = outbox.flush(rt)
    say(f"   sent {sent['sent']}, retrying {sent['retry']}, failed {sent['failed']}")

    say("\n== 7. time passes: deferred drafts come back as new cards")
    later = rt.clock() + timedelta(days=8)
    rt.clock = lambda: later
    swept = reviews.sweep(rt)
    say(f"   resurfaced {swept['resurfaced']}, expired {swept['expired']}")

    say("\n== 8. replies come back: machine mail and clear cases handled, the rest to a person")
    with rt.db.session() as s:
        sent_mail = outbox_store.listing(s, "sent", 10)
    samples = demo_replies(sent_mail[::-1])  # oldest first: the listing is newest first
    for label, raw in samples:
        got = replies.ingest(rt, raw, "demo")
        say(
            f"   {label}: {got.kind}, routed {got.route}"
            + (f", {got.action}" if got.action else "")
            + (f" -> reply card #{got.review_id}" if got.review_id else "")
        )

    say("\n== 9. the agents remember: 45 days later, the same accounts signal again")
    remember(rt, [msg.contact_id for msg in sent_mail])

    say("\n== 10. a week of reviews earns trust: new signals, a tick and the AM's clicks each day")
    monday = demo_week.week(rt, say)

    say("\n== 11. the Monday after: what a supervised agent sends on its own, and why")
    demo_week.next_week(rt, monday, say)

    say("\n== summary")
    with rt.db.session() as s:
        statuses = stats.draft_statuses(s)
    say("   drafts: " + ", ".join(f"{n} {k}" for k, n in sorted(statuses.items())))
    emls = sorted(settings.outbox_dir.glob("*.eml")) if settings.outbox_dir.exists() else []
    say(f"   outbox: {len(emls)} .eml files in {settings.outbox_dir}")
    if emls:
        say(f"\n-- {emls[0].name}")
        say(emls[0].read_text("utf-8").strip())
    say(f"\n== done in {time.monotonic() - started:.1f}s; the demo folder is {home}")
    rt.db.dispose()
    return 0


def remember(rt: Runtime, contacts: list[str]) -> None:
    """New signals for every account we wrote to: the next tick reads what each conversation
    became, and stops (or sends to a person) instead of pitching again."""
    later = rt.clock() + timedelta(days=45)
    rt.clock = lambda: later
    with rt.db.session() as s:
        accounts = sorted({d.account_id for d, _ in trail.drafts(s, limit=1000)})
    signals.ingest(
        rt,
        [
            {
                "account_id": a,
                "kind": "hiring",
                "summary": f"{a} is hiring again",
                "detail": "Senior Data Engineer",
                "source": "jobs feed",
                "observed_at": later.isoformat(),
                "dedupe_key": f"demo-again-{a}",
            }
            for a in accounts
        ],
    )
    for report in loop.tick(rt):
        say("   " + report.line())
    with rt.db.session() as s:
        fresh = [(d, e) for d, e in trail.drafts(s, limit=1000) if d.created_at >= later]
    for draft, email in fresh:
        if draft.contact_id not in contacts:
            continue
        why = [r["text"] for r in draft.gate_reasons if r["code"] == "relationship"]
        say(f"   {email}: {draft.gate_outcome}" + (f" ({why[0]})" if why else ""))


def demo_replies(sent: list[OutboxMessage]) -> list[tuple[str, bytes]]:
    """Answers to the messages the demo sent, as they would arrive by IMAP."""
    out = []
    texts = [
        (
            "out of office (German)",
            "Automatische Antwort: {s}",
            "Vielen Dank für Ihre Nachricht. Ich bin bis zum 15. Dezember nicht im Büro.",
            {"Auto-Submitted": "auto-replied"},
        ),
        (
            "a pricing question",
            "Re: {s}",
            "Interesting timing. What would this cost for a team of 12?",
            {},
        ),
        ("an unsubscribe", "Re: {s}", "Please take me off your list.", {}),
        ("a clear no", "Re: {s}", "Not interested, thanks.", {}),
    ]
    for msg, (label, subject, body, headers) in zip(sent, texts, strict=False):
        email = EmailMessage()
        email["From"], email["To"] = msg.to_addr, msg.from_addr
        email["Subject"] = subject.format(s=msg.subject)
        email["Message-ID"] = make_msgid(domain="prospect.example")
        email["In-Reply-To"] = msg.message_id
        for k, v in headers.items():
            email[k] = v
        email.set_content(body)
        out.append((label, email.as_bytes()))
    return out


def build_request(rt: Runtime, review: Review, action: Action, extra: dict) -> Request:
    assert review.id is not None  # a row read from the database has its id
    with rt.db.session() as s:
        draft = s.get(Draft, review.subject_id)
    kw = dict(extra)
    if action in (Action.APPROVE, Action.EDIT):
        kw["content_hash"] = review.content_hash
    if action == Action.EDIT:
        if draft is None:
            raise LookupError(f"review #{review.id}: its draft #{review.subject_id} is gone")
        kw.setdefault("subject", draft.subject)
        kw.setdefault(
            "body", draft.body.rstrip() + "\n\nPS: happy to send a short case study first.\n"
        )
    if action == Action.DEFER:
        kw.setdefault("defer_until", (rt.now() + timedelta(days=7)).date())
    return Request(review.id, review.owner, action, **kw)


def ask(review_id: int) -> tuple[Action | None, dict]:
    while True:
        choice = input(f"review #{review_id}: [a]pprove [e]dit [d]efer [k]ill [s]kip? ").strip()
        if choice[:1] == "a":
            return Action.APPROVE, {}
        if choice[:1] == "s":
            return None, {}
        if choice[:1] == "e":
            say("new body, end with a line containing only '.':")
            lines = []
            for line in sys.stdin:
                if line.rstrip("\n") == ".":
                    break
                lines.append(line)
            return Action.EDIT, {"body": "".join(lines)}
        if choice[:1] == "d":
            days = input("come back in how many days? ").strip()
            if days.isdigit() and int(days) > 0:
                from datetime import UTC, datetime

                return Action.DEFER, {
                    "defer_until": (datetime.now(UTC) + timedelta(days=int(days))).date()
                }
        if choice[:1] == "k":
            codes = list(KILL_REASONS)
            for n, code in enumerate(codes, 1):
                say(f"  {n}. {KILL_REASONS[code]}")
            pick = input("reason number? ").strip()
            if pick.isdigit() and 1 <= int(pick) <= len(codes):
                text = input("anything to add? ").strip()
                return Action.KILL, {"reason_code": codes[int(pick) - 1], "reason_text": text}
        say("please answer a, e, d, k or s")
