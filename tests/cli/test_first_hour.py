"""The first hour, as a new user lives it: where `.env` is read from, what a command says when
there is no config folder, files only their owner can read, and everything a person does in
Slack done from the terminal instead (`twoloop reviews`, `twoloop why EMAIL`, `drafts list`).

Every command runs on an injected clock (a Saturday morning), never the wall clock."""

from __future__ import annotations

import json
import logging
import os
import stat
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from bot.agent import loop
from bot.cli import main as cli
from bot.cli import reviews as terminal_reviews
from bot.cli.scaffold import init
from bot.decisions import Action, Request, decide
from bot.intake.importer import load
from bot.mail.inbound import replies
from bot.mail.outbound import outbox
from bot.reports import why
from bot.runtime import Runtime
from bot.settings import load_settings
from handlers.hosting import entry
from storage import outbox as outbox_store
from storage import trail
from storage.db import Database
from storage.models import AuditEvent, Decision, Draft, OutboxMessage, Review
from tests.conftest import OPERATOR, make_settings, unpaced

NOW = datetime(2026, 11, 21, 9, 30, tzinfo=UTC)  # a Saturday
STRANGER = "U0STRANGER9"


# --- helpers ---------------------------------------------------------------------------------


@pytest.fixture
def cwd(clean_cwd) -> Path:
    """An empty working folder and an environment with no Twoloop settings in it."""
    return clean_cwd


@pytest.fixture
def home(cwd, tmp_path, monkeypatch) -> Path:
    """A config folder as `twoloop init` makes it (dated NOW), named by TWOLOOP_HOME, and every
    runtime the CLI builds on the injected clock."""
    path = tmp_path / "home"
    init(path, now=NOW)
    unpaced(path)
    monkeypatch.setenv("TWOLOOP_HOME", str(path))
    monkeypatch.setenv("TWOLOOP_OPERATORS", OPERATOR)
    real = cli.runtime
    monkeypatch.setattr(cli, "runtime", lambda s, **kw: real(s, clock=lambda: NOW, **kw))
    return path


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(entry.app, list(args), input=input, obj=entry.HOST)


def ok(*args: str, input: str | None = None):
    result = run(*args, input=input)
    assert result.exit_code == 0, (args, result.stdout, result.stderr, result.exception)
    return result


def refused(*args: str, code: int = 1) -> str:
    """The one error line of a command that must fail, and fail cleanly."""
    result = run(*args)
    assert result.exit_code == code, (args, result.stdout, result.stderr, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    return lines[0]


@contextmanager
def db(home: Path):
    rt = Runtime(make_settings(home, f"sqlite:///{home / 'twoloop.db'}"), clock=lambda: NOW)
    try:
        with rt.db.session() as s:
            yield rt, s
    finally:
        rt.db.dispose()


def reviews_of(home: Path, kind: str, status: str = "open") -> list[Review]:
    with db(home) as (_, s):
        q = select(Review).where(Review.kind == kind, Review.status == status)
        return list(s.exec(q.order_by(Review.id)))


def review(home: Path, review_id: int) -> Review:
    with db(home) as (_, s):
        return s.get(Review, review_id)


def pricing_reply(msg: OutboxMessage) -> bytes:
    email = EmailMessage()
    email["From"], email["To"] = msg.to_addr, msg.from_addr
    email["Subject"] = f"Re: {msg.subject}"
    email["Message-ID"] = "<reply-1@prospect.example>"
    email["In-Reply-To"] = msg.message_id
    email.set_content("Interesting timing. What would this cost for a team of 12?")
    return email.as_bytes()


def first_hour(home: Path) -> dict:
    """import, tick, approve one agent's play from the terminal, tick, approve one draft,
    send it, and a reply that needs a person comes back. The other agent's plays stay open."""
    ok("import")
    ok("tick")
    play = next(r for r in reviews_of(home, "play") if r.agent_id == "data-platform")
    ok("reviews", "decide", str(play.id), "approve", "--as", play.owner)
    ok("tick")
    first = reviews_of(home, "draft")[0]
    ok("reviews", "decide", str(first.id), "approve", "--as", first.owner)
    draft_id = first.subject_id
    rt = Runtime(make_settings(home, f"sqlite:///{home / 'twoloop.db'}"), clock=lambda: NOW)
    try:
        assert outbox.flush(rt)["sent"] == 1
        with rt.db.session() as s:
            sent = outbox_store.listing(s, "sent", 10)[0]
        got = replies.ingest(rt, pricing_reply(sent), "test")
    finally:
        rt.db.dispose()
    assert got.review_id is not None, got
    return {"play": play, "approved": first, "draft_id": draft_id, "sent": sent, "reply": got}


# --- .env: $TWOLOOP_HOME/.env, then ./.env, the real environment over both -------------------


def test_env_is_read_from_twoloop_home_and_the_environment_wins(cwd, tmp_path, monkeypatch):
    home = tmp_path / "home"
    init(home, now=NOW)
    (home / ".env").write_text(
        "TWOLOOP_OPERATORS=U0FROMHOME\nTWOLOOP_TIMEZONE=Europe/Berlin\nTWOLOOP_DIGEST_TIME=07:00\n"
    )
    (cwd / ".env").write_text("TWOLOOP_TIMEZONE=Europe/Paris\nOPENAI_MODEL=from-the-cwd\n")
    monkeypatch.setenv("TWOLOOP_HOME", str(home))
    monkeypatch.setenv("TWOLOOP_DIGEST_TIME", "09:15")

    s = load_settings()
    assert s.operators == {"U0FROMHOME"}, "read from $TWOLOOP_HOME/.env"
    assert s.timezone == "Europe/Berlin", "$TWOLOOP_HOME/.env beats ./.env"
    assert s.openai_model == "from-the-cwd", "./.env is still read"
    assert s.digest_time == "09:15", "the real environment beats both files"


def test_twoloop_home_may_itself_come_from_the_local_env_file(cwd, tmp_path):
    home = tmp_path / "home"
    init(home, now=NOW)
    (home / ".env").write_text("TWOLOOP_OPERATORS=U0FROMHOME\n")
    (cwd / ".env").write_text(f"TWOLOOP_HOME={home}\n")

    s = load_settings()
    assert s.home == home and s.operators == {"U0FROMHOME"}
    assert "data-platform" in ok("agents", "list").stdout, "the CLI finds the same home"


# --- no config folder: one line, no stray database --------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("tick",),
        ("import",),
        ("db", "upgrade"),
        ("agents", "list"),
        ("reviews", "list"),
        ("drafts", "list"),
        ("why", "1"),
        ("audit",),
    ],
)
def test_without_a_config_folder_commands_say_so_in_one_line(cwd, args):
    line = refused(*args, code=2)
    assert "twoloop init PATH" in line and "TWOLOOP_HOME" in line
    assert list(cwd.iterdir()) == [], "no twoloop.db (or anything else) made here"


def test_a_missing_home_folder_is_one_line(cwd, tmp_path, monkeypatch):
    missing = tmp_path / "not-made-yet"
    monkeypatch.setenv("TWOLOOP_HOME", str(missing))
    for args in (("tick",), ("reviews", "list"), ("serve", "--port", "0")):
        line = refused(*args, code=2)
        assert line.startswith("error: TWOLOOP_HOME: ") and str(missing) in line
        assert f"twoloop init {missing}" in line
    assert not missing.exists()


def test_a_config_folder_as_the_working_folder_needs_no_twoloop_home(cwd):
    init(cwd, now=NOW)
    listed = ok("agents", "list").stdout
    assert "data-platform" in listed


def test_init_and_demo_still_work_without_twoloop_home(cwd, tmp_path):
    target = tmp_path / "fresh"
    assert str(target) in ok("init", str(target)).stdout
    assert (target / "agents").is_dir()
    demo = ok("demo", "--home", str(tmp_path / "demo")).stdout
    assert "Review #" in demo and "== done" in demo
    assert list(cwd.iterdir()) == []


# --- files only their owner can read ----------------------------------------------------------


@contextmanager
def umask(mask: int):
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_sqlite_database_and_its_wal_are_owner_only(tmp_path):
    path = tmp_path / "twoloop.db"
    with umask(0o022):
        database = Database(f"sqlite:///{path}")
        try:
            database.upgrade()
            with database.engine.connect() as conn:  # WAL and shared-memory files exist now
                sidecars = [p for p in tmp_path.iterdir() if p.name != path.name]
                assert {p.name for p in sidecars} >= {"twoloop.db-wal", "twoloop.db-shm"}
                assert conn is not None
                for p in [path, *sidecars]:
                    assert mode(p) == 0o600, (p.name, oct(mode(p)))
        finally:
            database.dispose()


def test_a_database_others_can_read_is_tightened_and_logged(tmp_path, caplog):
    path = tmp_path / "twoloop.db"
    first = Database(f"sqlite:///{path}")
    first.upgrade()
    first.dispose()
    path.chmod(0o644)
    with caplog.at_level(logging.WARNING, logger="storage.db"):
        again = Database(f"sqlite:///{path}")
        try:
            with again.engine.connect():
                pass
        finally:
            again.dispose()
    assert mode(path) == 0o600
    assert any(
        str(path) in r.getMessage() and "owner-only" in r.getMessage() for r in caplog.records
    )


def test_a_command_that_needs_no_database_makes_none(cwd, tmp_path):
    path = tmp_path / "never.db"
    database = Database(f"sqlite:///{path}")
    database.dispose()
    assert not path.exists(), "created on first connect, not on building the engine"


def test_init_writes_the_env_example_owner_only(tmp_path):
    target = tmp_path / "home"
    with umask(0o022):
        init(target, now=NOW)
        assert mode(target / ".env.example") == 0o600
        assert mode(target / "mailboxes.yml") == 0o644, "the rest stays as the umask says"
        (target / ".env.example").chmod(0o644)
        init(target, now=NOW, force=True)
    assert mode(target / ".env.example") == 0o600


# --- the tick says where plays wait -----------------------------------------------------------


def test_tick_lists_plays_waiting_and_where_to_approve_them(home):
    ok("import")
    out = ok("tick").stdout
    waiting = reviews_of(home, "play")
    assert waiting
    assert f"{len(waiting)} plays waiting for approval" in out
    for r in waiting:
        line = next(ln for ln in out.splitlines() if f"review #{r.id} " in ln)
        assert r.channel in line
        assert f"twoloop reviews decide {r.id} approve --as {r.owner}" in line

    for r in waiting:
        ok("reviews", "decide", str(r.id), "approve", "--as", r.owner)
    assert "waiting for approval" not in ok("tick").stdout


# --- twoloop reviews list | show | decide ------------------------------------------------------


def test_reviews_list_shows_every_kind_with_filters(home):
    hour = first_hour(home)
    out = ok("reviews", "list").stdout
    open_ids = {r.id for kind in ("draft", "reply", "play") for r in reviews_of(home, kind)}
    listed = {int(ln.split()[0]) for ln in out.splitlines()[1:]}
    assert listed == open_ids
    kinds = {ln.split()[1] for ln in out.splitlines()[1:]}
    assert kinds == {"draft", "reply", "play"}
    assert hour["sent"].to_addr in out, "a reply is listed by its sender"

    plays = ok("reviews", "list", "--kind", "play").stdout.splitlines()[1:]
    assert plays and all(ln.split()[1] == "play" for ln in plays)
    assert all("security-expansion" in ln for ln in plays)

    leo = reviews_of(home, "play")[0].owner
    rows = [
        json.loads(ln) for ln in ok("reviews", "list", "--owner", leo, "--json").stdout.splitlines()
    ]
    assert rows and {r["owner"] for r in rows} == {leo}
    assert {"id", "kind", "agent_id", "channel", "created_at", "summary"} <= set(rows[0])

    agent_rows = ok("reviews", "list", "--agent", "data-platform").stdout.splitlines()[1:]
    assert agent_rows and all("data-platform" in ln for ln in agent_rows)
    assert refused("reviews", "list", "--kind", "nope", code=2).startswith("error: --kind: ")


def test_reviews_show_prints_the_whole_card_and_how_to_decide(home):
    ok("import")
    ok("tick")
    play = reviews_of(home, "play")[0]
    out = ok("reviews", "show", str(play.id)).stdout
    assert f"Play for approval #{play.id}" in out and play.channel in out
    assert f"decide: twoloop reviews decide {play.id} approve|kill --as {play.owner}" in out

    ok("reviews", "decide", str(play.id), "approve", "--as", play.owner)
    shown = ok("reviews", "show", str(play.id)).stdout
    assert f"Approved by {play.owner}" in shown and "decide:" not in shown
    assert refused("reviews", "show", "99999") == "error: no review #99999"


def test_decide_is_held_to_the_owner_rule_and_audited(home):
    ok("import")
    ok("tick")
    play = reviews_of(home, "play")[0]
    line = refused("reviews", "decide", str(play.id), "approve", "--as", STRANGER)
    assert STRANGER in line and play.owner in line and "operator" in line
    assert review(home, play.id).status == "open"
    with db(home) as (_, s):
        events = list(s.exec(select(AuditEvent).where(AuditEvent.subject == f"review:{play.id}")))
    assert any(e.action == "decision.refused" and e.actor == f"user:{STRANGER}" for e in events)
    assert any(
        e.action == "review.decided_in_terminal" and e.detail["as"] == STRANGER for e in events
    )

    # An operator may decide any review; the decision is theirs in the trail.
    assert (
        "approved by" in ok("reviews", "decide", str(play.id), "approve", "--as", OPERATOR).stdout
    )
    decided = review(home, play.id)
    assert decided.status == "decided" and decided.decided_by == OPERATOR
    with db(home) as (_, s):
        approved = s.exec(select(AuditEvent).where(AuditEvent.action == "play.approved")).all()
    assert [e.actor for e in approved] == [f"user:{OPERATOR}"]


def test_first_decision_wins_and_the_second_is_told_by_whom(home):
    ok("import")
    ok("tick")
    play = reviews_of(home, "play")[0]
    ok("reviews", "decide", str(play.id), "approve", "--as", play.owner)
    line = refused(
        "reviews", "decide", str(play.id), "kill", "--reason", "off_brand", "--as", OPERATOR
    )
    assert line == f"error: review #{play.id} was already approved by {play.owner}"
    assert review(home, play.id).outcome == "approve"
    assert refused("reviews", "decide", "99999", "approve", "--as", OPERATOR) == (
        "error: no review #99999"
    )


def test_draft_decisions_edit_defer_kill(home, tmp_path):
    ok("import")
    ok("tick")
    for play in reviews_of(home, "play"):
        ok("reviews", "decide", str(play.id), "approve", "--as", play.owner)
    ok("tick")
    edit, defer, kill, from_stdin, *_ = reviews_of(home, "draft")

    # edit from a file: a Subject line, a blank line, the body
    text = tmp_path / "edit.txt"
    text.write_text("Subject: A shorter subject\n\nHi,\n\nOne line, one question: worth a call?\n")
    ok("reviews", "decide", str(edit.id), "edit", "--file", str(text), "--as", edit.owner)
    with db(home) as (_, s):
        draft = s.get(Draft, edit.subject_id)
        decision = s.exec(select(Decision).where(Decision.review_id == edit.id)).one()
        queued = s.exec(select(OutboxMessage).where(OutboxMessage.draft_id == draft.id)).one()
    assert draft.subject == "A shorter subject"
    assert draft.body.startswith("Hi,\n\nOne line, one question")
    assert decision.action == "edit" and decision.after_subject == "A shorter subject"
    assert decision.actor == edit.owner
    assert queued.subject == "A shorter subject"

    # defer: a date after today (the injected clock's), else one line naming --until
    line = refused(
        "reviews",
        "decide",
        str(defer.id),
        "defer",
        "--until",
        NOW.date().isoformat(),
        "--as",
        defer.owner,
        code=2,
    )
    assert line.startswith("error: --until: ")
    assert review(home, defer.id).status == "open"
    until = (NOW + timedelta(days=7)).date().isoformat()
    ok("reviews", "decide", str(defer.id), "defer", "--until", until, "--as", defer.owner)
    with db(home) as (_, s):
        assert s.get(Draft, defer.subject_id).status == "deferred"

    # kill: a reason code is required, and words with `other`
    assert refused(
        "reviews", "decide", str(kill.id), "kill", "--as", kill.owner, code=2
    ).startswith("error: --reason: ")
    assert refused(
        "reviews", "decide", str(kill.id), "kill", "--reason", "other", "--as", kill.owner, code=2
    ).startswith("error: --note: ")
    assert review(home, kill.id).status == "open"
    ok(
        "reviews",
        "decide",
        str(kill.id),
        "kill",
        "--reason",
        "bad_timing",
        "--note",
        "mid-migration",
        "--as",
        kill.owner,
    )
    with db(home) as (_, s):
        assert s.get(Draft, kill.subject_id).status == "killed"
        decision = s.exec(select(Decision).where(Decision.review_id == kill.id)).one()
    assert (decision.reason_code, decision.reason_text) == ("bad_timing", "mid-migration")

    # edit from stdin, body only: the subject stays
    with db(home) as (_, s):
        before = s.get(Draft, from_stdin.subject_id).subject
    result = run(
        "reviews",
        "decide",
        str(from_stdin.id),
        "edit",
        "--file",
        "-",
        "--as",
        OPERATOR,
        input="Hi,\n\nWorth a call?\n",
    )
    assert result.exit_code == 0, result.stderr
    with db(home) as (_, s):
        assert s.get(Draft, from_stdin.subject_id).subject == before

    assert refused("reviews", "decide", str(edit.id), "edit", "--as", OPERATOR, code=2).startswith(
        "error: --file: "
    )


def test_reply_reviews_take_their_own_actions(home):
    hour = first_hour(home)
    reply = review(home, hour["reply"].review_id)
    assert reply.kind == "reply"
    line = refused("reviews", "decide", str(reply.id), "approve", "--as", reply.owner, code=2)
    assert "a reply review takes" in line and "send" in line and "take-over" in line
    assert refused(
        "reviews",
        "decide",
        str(reply.id),
        "reclassify",
        "--reason",
        "nonsense",
        "--as",
        reply.owner,
        code=2,
    ).startswith("error: --reason: ")

    # Offline nothing is drafted for this reply: send refuses and says why; edit writes it.
    line = refused("reviews", "decide", str(reply.id), "send", "--as", reply.owner)
    assert "nothing is drafted to send" in line and "Edit" in line
    text = home / "answer.txt"
    text.write_text("Hi,\n\nTuesday at 10 works for me.\n")
    ok("reviews", "decide", str(reply.id), "edit", "--file", str(text), "--as", reply.owner)
    with db(home) as (_, s):
        answers = s.exec(
            select(OutboxMessage).where(
                OutboxMessage.draft_id == hour["draft_id"], OutboxMessage.step < 0
            )
        ).all()
    assert len(answers) == 1 and answers[0].in_reply_to == "<reply-1@prospect.example>"
    assert review(home, reply.id).outcome == "edit"


# --- why DRAFT_ID | EMAIL | MESSAGE-ID, drafts list --------------------------------------------


def test_why_accepts_an_email_address_or_a_message_id(home):
    hour = first_hour(home)
    draft_id, sent = hour["draft_id"], hour["sent"]
    head = f"Draft #{draft_id} "
    assert ok("why", str(draft_id)).stdout.startswith(head)
    assert ok("why", sent.to_addr.upper()).stdout.startswith(head), "an address, any case"
    assert ok("why", sent.message_id).stdout.startswith(head), "a Message-ID with <>"
    assert ok("why", sent.message_id.strip("<>")).stdout.startswith(head), "and without"
    assert ok("why", "<reply-1@prospect.example>").stdout.startswith(head), "a reply's"
    data = json.loads(ok("why", sent.to_addr, "--json").stdout)
    assert data["draft"]["id"] == draft_id

    line = refused("why", "nobody@nowhere.example")
    assert "nobody@nowhere.example" in line
    assert refused("why", "999999") == "error: no draft 999999"


def test_why_for_a_contact_with_several_drafts_names_the_others(home):
    hour = first_hour(home)
    with db(home) as (_, s):
        newest = s.get(Draft, hour["draft_id"])
        older = Draft(**{**newest.model_dump(exclude={"id"}), "trigger_key": "older-one"})
        older.created_at = newest.created_at - timedelta(days=30)
        s.add(older)
        s.flush()
        older_id = older.id
    result = ok("why", hour["sent"].to_addr)
    assert result.stdout.startswith(f"Draft #{newest.id} ")
    assert f"#{older_id} (" in result.stderr and "2 drafts" in result.stderr


def test_drafts_list_with_filters(home):
    hour = first_hour(home)
    out = ok("drafts", "list").stdout.splitlines()
    assert out[0].split()[:4] == ["ID", "CREATED", "AGENT", "STATUS"]
    with db(home) as (_, s):
        every = s.exec(select(Draft)).all()
    assert {int(ln.split()[0]) for ln in out[1:]} == {d.id for d in every}

    sent = ok("drafts", "list", "--status", "sent").stdout.splitlines()[1:]
    assert [int(ln.split()[0]) for ln in sent] == [hour["draft_id"]]
    assert hour["sent"].to_addr in sent[0]

    assert len(ok("drafts", "list", "--limit", "1").stdout.splitlines()) == 2
    rows = [
        json.loads(ln)
        for ln in ok("drafts", "list", "--agent", "data-platform", "--json").stdout.splitlines()
    ]
    assert rows and {r["agent_id"] for r in rows} == {"data-platform"}
    assert ok("drafts", "list", "--agent", "nobody").stdout.strip() == "no drafts match"


def test_the_queue_and_the_draft_lookups_on_both_databases(home, db_url):
    rt = Runtime(make_settings(home, db_url), clock=lambda: NOW)
    rt.db.upgrade()
    load(rt.db, sorted((home / "data").iterdir()))
    try:
        loop.tick(rt)
        plays = terminal_reviews.queue(rt)
        assert plays and {i.kind for i in plays} == {"play"}
        assert all(i.summary.startswith("play ") and not i.posted for i in plays)
        for item in plays:
            assert decide(rt, Request(item.id, item.owner, Action.APPROVE)).status == "decided"
        loop.tick(rt)
        drafts = terminal_reviews.queue(rt, kind="draft", agent="data-platform")
        assert drafts and all(i.agent_id == "data-platform" for i in drafts)
        first = drafts[0]
        with rt.db.session() as s:
            review_row = s.get(Review, first.id)
            assert first.summary == s.get(Draft, review_row.subject_id).subject
        assert decide(rt, Request(first.id, first.owner, Action.APPROVE)).status == "decided"
        assert outbox.flush(rt)["sent"] == 1
        with rt.db.session() as s:
            sent = outbox_store.listing(s, "sent", 10)[0]
            rows = trail.drafts(s, contact_email=sent.to_addr.upper())
            assert [d.id for d, _ in rows] == [sent.draft_id]
            assert trail.draft_of_message(s, sent.message_id) == sent.draft_id
        replies.ingest(rt, pricing_reply(sent), "test")
        (reply,) = terminal_reviews.queue(rt, kind="reply")
        assert reply.summary.startswith(f"{sent.to_addr}: Re: ")
        assert why.find(rt, "reply-1@prospect.example").draft_id == sent.draft_id
        assert why.find(rt, sent.to_addr).via == "contact"
    finally:
        rt.db.dispose()


def test_a_decision_in_the_terminal_redraws_the_card_in_slack(home, slack, monkeypatch):
    ok("import")
    ok("tick")
    play = reviews_of(home, "play")[0]
    with db(home) as (_, s):
        row = s.get(Review, play.id)
        row.message_ts = "1700000000.000100"  # as if `twoloop serve` had posted its card
        s.add(row)
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test-token")
    monkeypatch.setenv("SLACK_API_URL", slack.url)
    ok("reviews", "decide", str(play.id), "approve", "--as", play.owner)
    (update,) = slack.of("chat.update")
    assert update.args["channel"] == play.channel
    assert update.args["ts"] == "1700000000.000100"
    blocks = update.args["blocks"]
    assert f"Approved by <@{play.owner}>" in str(blocks)
    assert not any(b.get("type") == "actions" for b in blocks)  # no buttons left
