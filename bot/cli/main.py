"""The `twoloop` command."""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer

from bot import logs
from bot.agent import loop
from bot.cli import accounts as accounts_cli
from bot.cli.common import fail, runtime, settings
from bot.cli.console import render
from bot.cli.crm import app as crm_app
from bot.cli.demo import run as run_demo
from bot.cli.progress import ImportBars
from bot.cli.proposals import proposals as proposals_command
from bot.cli.reviews import WORDS, Choice, action_for, decide, parse_edit, queue
from bot.cli.reviews import card as review_card
from bot.cli.scaffold import init as scaffold
from bot.cli.second_check import command as second_check_command
from bot.config.account_managers import load_managers
from bot.config.account_managers import path_in as managers_path
from bot.config.frontmatter import FileError
from bot.decisions import ALLOWED, Invalid
from bot.intake import feeds
from bot.intake.importer import KINDS, ImportFailed, load
from bot.mail.inbound import parse as mailparse
from bot.mail.inbound import receive as mailin
from bot.mail.inbound import replies
from bot.mail.triage import routing
from bot.ports import PAST, Card, Humans
from bot.reports import digest as digests
from bot.reports import tuning
from bot.reports import why as trace
from bot.review.cards import outcome_text
from bot.runtime import FleetCache, Runtime
from bot.settings import SettingsError, load_settings
from storage import audit as audit_log
from storage import inbound, prospects, suppression, trail
from storage import outbox as store

app = typer.Typer(
    help="Twoloop: agents do the outbound volume, account managers keep the judgment in Slack.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
IMPORTABLE = (".csv", ".jsonl", ".yml", ".yaml")
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
agents_app = typer.Typer(help="Agent files.", no_args_is_help=True)
feeds_app = typer.Typer(help="RSS/Atom feeds in feeds.yml.", no_args_is_help=True)
suppress_app = typer.Typer(help="Addresses and domains that never get mail.", no_args_is_help=True)
outbox_app = typer.Typer(help="Messages on their way out.", no_args_is_help=True)
mailboxes_app = typer.Typer(
    help="Sending mailboxes (mailboxes.yml) and their state.", no_args_is_help=True
)
replies_app = typer.Typer(
    help="Inbound mail: replies, bounces, auto-replies.", no_args_is_help=True
)
app.add_typer(replies_app, name="replies")
app.add_typer(suppress_app, name="suppress")
app.add_typer(outbox_app, name="outbox")
app.add_typer(mailboxes_app, name="mailboxes")
app.add_typer(db_app, name="db")
app.add_typer(agents_app, name="agents")
app.add_typer(feeds_app, name="feeds")
app.add_typer(crm_app, name="crm")
app.add_typer(accounts_cli.app, name="account")
app.command("proposals")(proposals_command)
app.command("second-check")(second_check_command)


@dataclass(frozen=True)
class Host:
    """What the program that hosts these commands (handlers/hosting/entry.py, which adds
    `serve`) lends them as click's context object: the people's side of a runtime, so a
    decision made here redraws its card where it was posted (None when that is not set up)."""

    humans_for: Callable[[Runtime], Humans | None]


@app.command()
def init(
    directory: Annotated[
        Path | None, typer.Argument(help="Folder to create (default: TWOLOOP_HOME)")
    ] = None,
    force: Annotated[bool, typer.Option(help="Overwrite existing files")] = False,
) -> None:
    """Write a working config folder: agents/, plays/ and sample data/."""
    target = directory or settings(needs_home=False).home
    try:
        written = scaffold(target, force=force)
    except FileExistsError as exc:
        raise fail(str(exc)) from None
    typer.echo(f"wrote {len(written)} files to {target}")
    typer.echo(f"next: TWOLOOP_HOME={target} twoloop import && TWOLOOP_HOME={target} twoloop tick")


@app.command("import")
def import_(
    paths: Annotated[
        list[str] | None,
        typer.Argument(help="[KIND] files or folders (default: $TWOLOOP_HOME/data)"),
    ] = None,
    kind: Annotated[str | None, typer.Option(help="accounts|contacts|signals|knowledge")] = None,
) -> None:
    """Load accounts, contacts, signals and knowledge. All or nothing.

    A file's kind comes from its name, from a leading KIND word (`twoloop import signals
    today.jsonl`), or from --kind.
    """
    s = settings()
    args = list(paths or [])
    if args and args[0] in KINDS and not Path(args[0]).exists():
        kind = kind or args.pop(0)
    files: list[Path] = []
    for p in [Path(a) for a in args] or [s.data_dir]:
        if p.is_dir():
            files.extend(sorted(f for f in p.iterdir() if f.suffix in IMPORTABLE))
        else:
            files.append(p)
    if not files:
        raise fail("nothing to import (no .csv, .jsonl or .yml files)")
    rt = runtime(s)
    try:
        with ImportBars() as bars:
            counts = load(rt.db, files, kind, progress=bars)
    except ImportFailed as exc:
        for err in exc.errors:
            typer.echo(f"error: {err}", err=True)
        typer.echo("nothing was imported", err=True)
        raise typer.Exit(1) from None
    typer.echo("imported " + ", ".join(f"{n} {k}" for k, n in counts.items()))


@app.command()
def tick(
    agent: Annotated[str | None, typer.Option(help="Only this agent id")] = None,
    full: Annotated[
        bool, typer.Option("--full", help="Re-match every account, not only what changed")
    ] = False,
) -> None:
    """Run one pass of the agent loop now: by default over what changed since each agent's
    last tick."""
    rt = runtime(settings())
    try:
        reports = loop.tick(rt, agent, full=full)
    except KeyError as exc:
        raise fail(exc.args[0]) from None
    for err in rt.fleet().errors:
        typer.echo(f"skipped: {err}", err=True)
    for r in reports:
        typer.echo(r.line())
    if reports:
        choosing = sum(r.choosing_cpu for r in reports)
        drafting = sum(r.drafting_cpu for r in reports)
        drafts = sum(r.drafted for r in reports)
        typer.echo(
            f"cost: {choosing:.1f} s choosing accounts, {drafting:.1f} s drafting "
            f"{drafts} drafts (CPU, {len(reports)} agents)"
        )
    _plays_waiting(rt, agent)


def _plays_waiting(rt: Runtime, agent: str | None) -> None:
    """Plays held for approval stop their agents from drafting: say which, and where to
    approve them (the card's channel, or here)."""
    waiting = queue(rt, kind="play", agent=agent)
    if not waiting:
        return
    typer.echo(f"{len(waiting)} plays waiting for approval (no drafts with them until then):")
    for item in waiting:
        where = "posted in" if item.posted else "to be posted (by `twoloop serve`) in"
        typer.echo(
            f"  review #{item.id} {item.summary} for {item.owner}, {where} {item.channel}; "
            f"or: twoloop reviews decide {item.id} approve --as {item.owner}"
        )


@app.command()
def digest(
    am: Annotated[str | None, typer.Option(help="Only this AM's agents (Slack user id)")] = None,
    date_: Annotated[
        str | None, typer.Option("--date", help="YYYY-MM-DD, local day (default: yesterday)")
    ] = None,
) -> None:
    """Print a daily digest here, as it would be posted in Slack (nothing is posted)."""
    s = settings()
    rt = runtime(s)
    agent_ids = None
    if am is not None:
        owned = digests.owners(rt).get(am)
        if not owned:
            raise fail(f"--am: {am} owns no agents")
        agent_ids = [a.id for a in owned]
    try:
        day = date.fromisoformat(date_) if date_ else None
    except ValueError:
        raise fail(f"--date: {date_!r} is not a date (YYYY-MM-DD)") from None
    if day is None:
        day = rt.now().astimezone(ZoneInfo(s.timezone)).date() - timedelta(days=1)
    result = digests.digest_for(rt, day, agent_ids, scope="am" if am else "fleet", owner=am or "")
    typer.echo(digests.digest_text(result))


@app.command()
def demo(
    interactive: Annotated[bool, typer.Option(help="Decide each card yourself")] = False,
    home: Annotated[
        Path | None, typer.Option(help="Keep the demo folder here instead of a temp dir")
    ] = None,
) -> None:
    """Everything offline: init, import, tick, review cards, decisions, .eml outbox."""
    sys.exit(run_demo(home=home, interactive=interactive))


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply database migrations (also done on every start)."""
    s = settings()
    runtime(s)
    typer.echo("database is up to date")


@agents_app.command("list")
def agents_list() -> None:
    """The fleet: id, name, owner, schedule, config version."""
    s = settings()
    fleet = FleetCache(s.agents_dir, s.plays_dir).get()
    for a in fleet.agents.values():
        typer.echo(
            f"{a.id:24} {a.spec.name[:32]:32} owner {a.spec.owner:12} "
            f"'{a.spec.schedule}' {a.spec.timezone:18} v{a.config_version}"
        )
    for err in fleet.errors:
        typer.echo(f"broken: {err}", err=True)


@agents_app.command("check")
def agents_check() -> None:
    """Validate every agent and play file and ams.yml; exit 1 on any problem."""
    s = settings()
    fleet = FleetCache(s.agents_dir, s.plays_dir).get()
    errors = list(fleet.errors)
    try:
        load_managers(managers_path(s.home))
    except FileError as problem:
        errors.append(problem)
    for err in errors:
        typer.echo(str(err), err=True)
    typer.echo(f"{len(fleet.agents)} agents, {len(fleet.plays)} plays, {len(errors)} problems")
    raise typer.Exit(1 if errors else 0)


@feeds_app.command("fetch")
def feeds_fetch(force: Annotated[bool, typer.Option(help="Ignore every_minutes")] = True) -> None:
    """Fetch the feeds now and store new signals."""
    rt = runtime(settings())
    report = feeds.fetch_due(rt, force=force)
    for line in report.lines():
        typer.echo(line)
    if not report.feeds:
        typer.echo(f"no feeds in {rt.settings.home / 'feeds.yml'}")
    raise typer.Exit(1 if any(r.status == "error" for r in report.feeds) else 0)


def _suppression_value(raw: str) -> str:
    """An address, or a whole domain written '@example.com' (or 'example.com')."""
    value = raw.strip().lower()
    if "@" not in value:
        value = "@" + value
    local, _, domain = value.rpartition("@")
    if "." not in domain or " " in value or value.count("@") != 1:
        raise fail(f"{raw!r} is neither an email address nor a domain")
    return value


@replies_app.command("ingest")
def replies_ingest(
    paths: Annotated[list[Path], typer.Argument(help=".eml files, folders, mbox")],
) -> None:
    """Read replies, bounces and auto-replies from files, as IMAP polling would."""
    rt = runtime(settings())
    total = 0
    errors: list[str] = []
    for path in paths:
        n, errs = mailin.ingest_path(path, lambda raw, src: replies.ingest(rt, raw, src))
        total, errors = total + n, errors + errs
    for err in errors:
        typer.echo(f"error: {err}", err=True)
    typer.echo(f"ingested {total} messages")
    raise typer.Exit(1 if errors else 0)


@replies_app.command("set-aside")
def replies_set_aside() -> None:
    """Incoming messages set aside because handling them kept failing."""
    rt = runtime(settings())
    with rt.db.session() as s:
        rows = inbound.set_aside_mail(s)
        for row in rows:
            typer.echo(
                f"#{row.id}  {row.at:%Y-%m-%d %H:%M}  {row.source} UID {row.uid}  "
                f"{row.attempts} attempts  {row.error}"
            )
    if not rows:
        typer.echo("nothing set aside")


@replies_app.command("retry")
def replies_retry(
    ids: Annotated[list[int] | None, typer.Argument(help="set-aside ids (default: all)")] = None,
) -> None:
    """Handle set-aside messages again (after the fix); each one that goes through is
    released, the others stay set aside."""
    rt = runtime(settings())
    with rt.db.session() as s:
        rows = [(r.id, r.source, r.uid, r.raw) for r in inbound.set_aside_mail(s, ids)]
    missing = set(ids or ()) - {r[0] for r in rows}
    for absent in sorted(missing):
        typer.echo(f"error: nothing is set aside as #{absent}", err=True)
    failed = 0
    for set_id, source, uid, raw in rows:
        assert set_id is not None  # a row read from the database has its id
        try:
            replies.ingest(rt, raw, source)
        except Exception as exc:  # noqa: BLE001 - reported per message, the others go on
            failed += 1
            typer.echo(f"#{set_id}: still failing ({type(exc).__name__}); kept", err=True)
            continue
        with rt.db.session() as s:
            inbound.release(s, set_id)
            audit_log.record(s, "cli", "mail.retried", f"setaside:{set_id}", {"uid": uid})
        typer.echo(f"#{set_id}: handled")
    raise typer.Exit(1 if failed or missing else 0)


@app.command()
def triage(
    paths: Annotated[list[Path], typer.Argument(help=".eml files or folders")],
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line")] = False,
) -> None:
    """How each message would be read and routed (changes nothing): for tuning."""
    rt = Runtime(settings(needs_home=False))  # no database needed: nothing is stored
    files = [f for p in paths for f in (sorted(p.rglob("*.eml")) if p.is_dir() else [p])]
    ours = replies.our_domains(rt)
    for f in files:
        parsed = mailparse.parse(f.read_bytes(), our_domains=ours)
        out = {
            "file": str(f),
            "kind": parsed.kind,
            "intent": "",
            "triggers": [],
            "confidence": 1.0,
            "route": "auto",
        }
        if parsed.kind == "human":
            day = replies.reply_day(parsed, rt.now())  # "in March" counts from its Date
            c = replies.classify(rt, parsed.text, parsed.subject, day)
            route, why = routing.route("human", c, sample=1.0)
            out.update(
                intent=c.intent,
                triggers=list(c.triggers),
                confidence=round(c.confidence, 3),
                route=route,
                why=why,
                not_now_until=str(c.not_now_until or ""),
            )
        if parsed.kind == "bounce":
            out.update(status=parsed.bounce_status, bounce="hard" if parsed.bounce_hard else "soft")
        if parsed.kind == "auto_reply":
            out.update(
                return_date=str(parsed.return_date or ""), permanent=parsed.permanent_absence
            )
        if as_json:
            typer.echo(json.dumps(out))
        else:
            extra = " ".join(
                f"{k}={v}" for k, v in out.items() if k not in ("file",) and v not in ("", [], None)
            )
            typer.echo(f"{f.name}: {extra}")


@suppress_app.command("add")
def suppress_add(
    values: Annotated[list[str], typer.Argument(help="Addresses, or domains as @example.com")],
    reason: Annotated[str, typer.Option(help="Why (kept with the entry)")] = "manual",
) -> None:
    """Never send to these again (checked when drafting and again at send time)."""
    clean = [_suppression_value(v) for v in values]
    rt = runtime(settings())
    with rt.db.session() as s:
        added = suppression.add(s, clean, reason, rt.now())
        audit_log.record(
            s, "cli", "suppression.added", "suppression", {"values": clean, "reason": reason}
        )
    typer.echo(f"suppressed {added} new, {len(clean) - added} already suppressed")


@suppress_app.command("remove")
def suppress_remove(values: Annotated[list[str], typer.Argument()]) -> None:
    """Allow mail to these again. Think twice for unsubscribes and complaints."""
    clean = [_suppression_value(v) for v in values]
    rt = runtime(settings())
    with rt.db.session() as s:
        removed = suppression.remove(s, clean)
        audit_log.record(s, "cli", "suppression.removed", "suppression", {"values": clean})
    typer.echo(f"removed {removed}")


@suppress_app.command("list")
def suppress_list(contains: Annotated[str, typer.Argument()] = "") -> None:
    """The suppression list, newest first."""
    rt = runtime(settings())
    with rt.db.session() as s:
        for row in suppression.listing(s, contains):
            typer.echo(f"{row.value:40} {row.reason:14} {row.created_at:%Y-%m-%d %H:%M}")


@outbox_app.command("list")
def outbox_list(
    status: Annotated[str | None, typer.Option(help="queued|sending|sent|failed|uncertain")] = None,
    limit: int = 50,
) -> None:
    """Recent outbox messages (uncertain ones need an operator: see `resolve`)."""
    rt = runtime(settings())
    with rt.db.session() as s:
        for m in store.listing(s, status, limit):
            typer.echo(
                f"{m.id:>6} {m.status:10} draft {m.draft_id}/{m.step} {m.from_addr} -> "
                f"{m.to_addr} {m.last_error[:60]}"
            )


@outbox_app.command("resolve")
def outbox_resolve(
    message_id: int,
    verdict: Annotated[str, typer.Argument(help="sent (it went out) | unsent (send it)")],
) -> None:
    """Settle an `uncertain` message after checking the mail server's log."""
    if verdict not in ("sent", "unsent"):
        raise fail("say `sent` or `unsent`")
    rt = runtime(settings())
    with rt.db.session() as s:
        if not store.resolve(s, message_id, verdict == "sent", rt.now()):
            raise fail(f"outbox message {message_id} is not uncertain")
        audit_log.record(s, "cli", f"outbox.resolved.{verdict}", f"outbox:{message_id}")
    typer.echo(f"message {message_id}: {verdict}")


@mailboxes_app.command("list")
def mailboxes_list() -> None:
    """Each mailbox: today's sends against today's cap, and whether it is paused."""
    rt = runtime(settings())
    for mb in rt.fleet().mailboxes.values():
        with rt.db.session() as s:
            st = store.mailbox_state(s, mb.address)
        today = rt.now().astimezone(ZoneInfo(mb.timezone)).date()
        sent = st.sent_on_day if st.day == today else 0
        cap = mb.cap_on(today, st.first_send_on or today)
        pause = f"PAUSED: {st.paused_reason}" if st.paused else "active"
        typer.echo(f"{mb.address:32} {sent:>4}/{cap:<4} today  {pause}")


@mailboxes_app.command("resume")
def mailboxes_resume(address: str) -> None:
    """Let a paused mailbox send again (an operator's call, audited)."""
    rt = runtime(settings())
    with rt.db.session() as s:
        if not store.resume_mailbox(s, address.lower()):
            raise fail(f"{address} is not paused")
        audit_log.record(s, "cli", "mailbox.resumed", f"mailbox:{address.lower()}")
    typer.echo(f"{address} resumed")


@agents_app.command("resume")
def agents_resume(agent_id: str) -> None:
    """Let a paused agent draft and send again (an operator's call, audited)."""
    rt = runtime(settings())
    with rt.db.session() as s:
        if not prospects.set_agent_paused(s, agent_id, False):
            raise fail(f"{agent_id} is not paused")
        audit_log.record(s, "cli", "agent.resumed", f"agent:{agent_id}", agent_id=agent_id)
    typer.echo(f"{agent_id} resumed")


report_app = typer.Typer(help="Reports for tuning the fleet.", no_args_is_help=True)
app.add_typer(report_app, name="report")


def _when(option: str, raw: str | None, timezone: str) -> datetime | None:
    """A --since/--until value: YYYY-MM-DD (midnight in TWOLOOP_TIMEZONE) or an ISO time."""
    if raw is None:
        return None
    try:
        if len(raw) == 10:
            return datetime.combine(date.fromisoformat(raw), time(0), ZoneInfo(timezone))
        when = datetime.fromisoformat(raw)
    except ValueError:
        raise fail(f"{option}: {raw!r} is not a date (YYYY-MM-DD) or an ISO time") from None
    return when if when.tzinfo else when.replace(tzinfo=ZoneInfo(timezone))


@report_app.command("tuning")
def report_tuning(
    agent: Annotated[str | None, typer.Option(help="Only this agent id")] = None,
    since: Annotated[
        str | None, typer.Option(help="YYYY-MM-DD (default: the start of the week 7 weeks ago)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object")] = False,
) -> None:
    """Kill reasons, phrases AMs remove and add, least confident drafts, and week-over-week
    kill and edit rates per agent and config version."""
    s = settings()
    start = _when("--since", since, s.timezone)
    rt = runtime(s)
    if start is not None and start >= rt.now():
        raise fail(f"--since: {since} is not in the past")
    report = tuning.build(rt, agent, start)
    if agent and agent not in rt.fleet().agents and not report.agents:
        raise fail(f"--agent: no agent {agent!r} (and no decisions of one by that id)")
    typer.echo(tuning.to_json(report) if as_json else tuning.render_text(report))


@app.command()
def audit(
    since: Annotated[
        str | None, typer.Option(help="YYYY-MM-DD or ISO time (TWOLOOP_TIMEZONE)")
    ] = None,
    until: Annotated[str | None, typer.Option(help="YYYY-MM-DD or ISO time, exclusive")] = None,
    agent: Annotated[str | None, typer.Option(help="Events about this agent id")] = None,
    actor: Annotated[
        str | None, typer.Option(help="user:U123 (or U123), agent:ID, system, cli, contact:ID")
    ] = None,
    action: Annotated[
        str | None, typer.Option(help="decision.kill, or a prefix such as decision")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line")] = False,
) -> None:
    """The audit log, oldest first: who did what, to what, under which config version."""
    s = settings()
    start, end = _when("--since", since, s.timezone), _when("--until", until, s.timezone)
    rt = runtime(s)
    rows = trail.events(
        rt.db.session, since=start, until=end, agent=agent, actor=actor, action=action
    )
    for e in rows:
        if as_json:
            line = json.dumps(
                {
                    "at": e.at.isoformat(),
                    "actor": e.actor,
                    "action": e.action,
                    "subject": e.subject,
                    "agent_id": e.agent_id,
                    "detail": e.detail,
                    "config_version": e.config_version,
                },
                default=str,
            )
        else:
            detail = json.dumps(e.detail, default=str, separators=(",", ":"))
            line = (
                f"{e.at:%Y-%m-%d %H:%M:%S}  {e.actor:22} {e.action:26} {e.subject:18} "
                f"{e.agent_id or '-':20} {e.config_version or '-':12} {detail}"
            )
        typer.echo(line)


@app.command()
def why(
    ref: Annotated[
        str,
        typer.Argument(
            metavar="DRAFT_ID|EMAIL|MESSAGE-ID",
            help="A draft id (on its card and in audit), a contact's address (their newest "
            "draft) or a Message-ID we sent or received (<> optional)",
        ),
    ],
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object")] = False,
) -> None:
    """Everything behind one draft: signals, match path and weights, config version, gate
    reasons, reviews, decisions, what was sent, and the replies with their triage."""
    rt = runtime(settings())
    found = trace.find(rt, ref)
    if found is None:
        raise fail(f"no draft, contact or Message-ID matches {ref.strip()!r}", code=1)
    data = trace.chain(rt, found.draft_id)
    if data is None:
        raise fail(f"no draft {found.draft_id}", code=1)
    if found.others:
        # On stderr, so stdout stays one chain (and --json one object).
        others = ", ".join(f"#{i} ({status})" for i, status, _ in found.others)
        typer.echo(
            f"{ref.strip()} has {len(found.others) + 1} drafts; showing the newest, "
            f"#{found.draft_id}. The others: {others}",
            err=True,
        )
    typer.echo(trace.to_json(data) if as_json else trace.render(data))


drafts_app = typer.Typer(help="Drafts the agents wrote.", no_args_is_help=True)
app.add_typer(drafts_app, name="drafts")


@drafts_app.command("list")
def drafts_list(
    agent: Annotated[str | None, typer.Option(help="Only this agent id")] = None,
    status: Annotated[
        str | None,
        typer.Option(help="review|queued|sent|deferred|killed|expired|stopped, as stored"),
    ] = None,
    limit: Annotated[int, typer.Option(min=1, help="How many, newest first")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line")] = False,
) -> None:
    """Recent drafts, newest first: id, when, agent, status, to whom, subject (`twoloop why
    ID` for the rest)."""
    rt = runtime(settings())
    with rt.db.session() as s:
        rows = trail.drafts(s, agent=agent, status=status, limit=limit)
    if not as_json and rows:
        typer.echo(f"{'ID':>6}  {'CREATED':16}  {'AGENT':22} {'STATUS':9} {'TO':36} SUBJECT")
    for d, email in rows:
        if as_json:
            row = {
                "id": d.id,
                "created_at": d.created_at.isoformat(),
                "agent_id": d.agent_id,
                "status": d.status,
                "to": email,
                "subject": d.subject,
                "gate": d.gate_outcome,
            }
            typer.echo(json.dumps(row))
        else:
            typer.echo(
                f"{d.id:>6}  {d.created_at:%Y-%m-%d %H:%M}  {d.agent_id:22} "
                f"{d.status:9} {email:36} {d.subject}"
            )
    if not rows and not as_json:
        typer.echo("no drafts" + (" match" if agent or status else " yet"))


reviews_app = typer.Typer(
    help="Open reviews, as in Slack: list, show a card, decide it.", no_args_is_help=True
)
app.add_typer(reviews_app, name="reviews")
REVIEW_KINDS = ("draft", "reply", "play")


def _age(delta: timedelta) -> str:
    minutes = max(int(delta.total_seconds() // 60), 0)
    if minutes < 60:
        return f"{minutes}m"
    if minutes < 48 * 60:
        return f"{minutes // 60}h"
    return f"{minutes // (24 * 60)}d"


@reviews_app.command("list")
def reviews_list(
    kind: Annotated[str | None, typer.Option(help="draft|reply|play")] = None,
    owner: Annotated[str | None, typer.Option(help="Only this owner (Slack user id)")] = None,
    agent: Annotated[str | None, typer.Option(help="Only this agent id")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line")] = False,
) -> None:
    """Open reviews of every kind, oldest first: id, kind, agent, owner, age, subject."""
    if kind is not None and kind not in REVIEW_KINDS:
        raise fail(f"--kind: {kind!r} is not one of {', '.join(REVIEW_KINDS)}")
    rt = runtime(settings())
    items = queue(rt, kind=kind, owner=owner, agent=agent)
    if not as_json and items:
        typer.echo(f"{'ID':>6}  {'KIND':5} {'AGENT':22} {'OWNER':12} {'AGE':>4}  SUBJECT")
    for it in items:
        if as_json:
            row = {
                "id": it.id,
                "kind": it.kind,
                "agent_id": it.agent_id,
                "owner": it.owner,
                "channel": it.channel,
                "posted": it.posted,
                "created_at": it.created_at.isoformat(),
                "expires_at": it.expires_at.isoformat(),
                "summary": it.summary,
            }
            typer.echo(json.dumps(row))
        else:
            typer.echo(
                f"{it.id:>6}  {it.kind:5} {it.agent_id:22} {it.owner:12} "
                f"{_age(it.age):>4}  {it.summary}"
            )
    if not items and not as_json:
        typer.echo("no open reviews")


@reviews_app.command("show")
def reviews_show(review_id: Annotated[int, typer.Argument(help="The review's id")]) -> None:
    """The whole card, as its owner sees it in Slack, and how to decide it here."""
    rt = runtime(settings())
    card = _card(rt, review_id)
    typer.echo(render(card))
    if card.status != "open":
        typer.echo(outcome_text(card, card.decided_by or "the system"))
        return
    words = "|".join(sorted(WORDS[a] for a in ALLOWED[card.kind]))
    typer.echo(f"decide: twoloop reviews decide {review_id} {words} --as {card.owner}")


def _redraw_where_posted(rt: Runtime, host: Host | None) -> None:
    """A decision made here redraws its card in Slack (who decided, buttons gone), as a
    click would; without Slack, the card is told at its next click."""
    humans = host.humans_for(rt) if host is not None else None
    if humans is not None:
        rt.humans = humans


def _card(rt: Runtime, review_id: int) -> Card:
    found = review_card(rt, review_id)
    if found is None:
        raise fail(f"no review #{review_id}", code=1)
    return found


# Slack's field names (bot/decisions.py `Invalid.field`) as this command's options.
OPTION_FOR = {
    "reason": "--reason",
    "note": "--note",
    "until": "--until",
    "body": "--file",
    "subject": "--file (a first line `Subject: ...`)",
    "action": "ACTION",
}


@reviews_app.command("decide")
def reviews_decide(
    ctx: typer.Context,
    review_id: Annotated[int, typer.Argument(help="The review's id (`twoloop reviews list`)")],
    action: Annotated[
        str,
        typer.Argument(
            help="draft: approve|edit|defer|kill; reply: send|edit|take-over|reclassify; "
            "play: approve|kill"
        ),
    ],
    as_user: Annotated[
        str,
        typer.Option(
            "--as",
            help="The Slack user id deciding: the review's owner or an operator "
            "(TWOLOOP_OPERATORS); audited as theirs",
        ),
    ],
    file: Annotated[
        Path | None,
        typer.Option(
            help="edit: the new text (a draft's may start with `Subject: ...` and a blank "
            "line); - reads stdin"
        ),
    ] = None,
    until: Annotated[str | None, typer.Option(help="defer: YYYY-MM-DD, after today")] = None,
    reason: Annotated[
        str,
        typer.Option(
            help="kill: off_brand|wrong_account|current_customer|bad_timing|factual_error|"
            "other; reclassify: what the reply really is (interested, not_now, ...)"
        ),
    ] = "",
    note: Annotated[str, typer.Option(help="Words kept with the reason (needed for other)")] = "",
) -> None:
    """Decide a review as a Slack click would: the same rules (only its owner or an
    operator, first decision wins) and the same audit trail."""
    try:
        chosen = action_for(action)
    except Invalid as exc:
        raise fail(f"ACTION: {exc}") from None
    subject, body = None, ""
    if file is not None and chosen.value != "edit":
        raise fail("--file: only an edit takes a new text")
    if file is not None:
        try:
            text = sys.stdin.read() if str(file) == "-" else file.read_text("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise fail(f"--file: cannot read {file} ({exc.__class__.__name__})") from None
        subject, body = parse_edit(text)
    elif chosen.value == "edit":
        raise fail("--file: an edit needs the new text (a file, or - for stdin)")
    try:
        day = date.fromisoformat(until) if until else None
    except ValueError:
        raise fail(f"--until: {until!r} is not a date (YYYY-MM-DD)") from None
    rt = runtime(settings())
    _redraw_where_posted(rt, ctx.obj)
    choice = Choice(chosen, subject, body, day, reason.strip(), note)
    try:
        result = decide(rt, review_id, as_user, choice)
    except Invalid as exc:
        raise fail(f"{OPTION_FOR.get(exc.field, exc.field)}: {exc}") from None
    if result.status == "decided":
        typer.echo(f"review #{review_id}: {result.outcome} by {as_user}")
        return
    messages = {
        "not_found": f"no review #{review_id}",
        "forbidden": f"{as_user} may not decide review #{review_id}: only its owner "
        f"({result.detail}) or an operator (TWOLOOP_OPERATORS)",
        "already_decided": f"review #{review_id} was already "
        f"{result.outcome or 'closed'} by {result.decided_by or 'the system'}",
        "blocked": f"review #{review_id} cannot be {PAST.get(chosen.value, chosen.value)} as "
        f"it stands: {result.detail}",
        "stale": f"review #{review_id}: {result.detail}"
        + (f"; see review #{result.new_review_id}" if result.new_review_id else ""),
        "invalid": f"review #{review_id}: {result.detail}",
    }
    raise fail(messages.get(result.status, f"review #{review_id}: {result.status}"), code=1)


def main(host: Host | None = None) -> None:
    """The terminal's commands; `host` is what the hosting program lends them (`Host`)."""
    # Every command logs through the secret-scrubbing handler, not only `serve`.
    level = os.environ.get("TWOLOOP_LOG_LEVEL", "").upper()
    if level and level not in logs.LEVELS:
        typer.echo(f"error: TWOLOOP_LOG_LEVEL: must be one of {', '.join(logs.LEVELS)}", err=True)
        sys.exit(2)
    try:
        logs.setup(load_settings(), getattr(logging, level or "WARNING"))
    except SettingsError:
        logs.setup(None, getattr(logging, level or "WARNING"))  # the command reports it
    app(obj=host)
