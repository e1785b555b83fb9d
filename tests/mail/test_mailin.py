"""Replies coming in: IMAP polling against a real dovecot on loopback, and files on disk."""

from __future__ import annotations

import email
import email.policy
import logging
import mailbox
import ssl
from email.message import EmailMessage
from email.utils import make_msgid
from typing import TYPE_CHECKING

import pytest
from sqlmodel import func, select

from bot.logs import RedactSecrets, secrets_of
from bot.mail.inbound.receive import ATTEMPTS, ImapError, ImapSource, _utf7, ingest_path, source_for
from bot.settings import SettingsError, load_settings
from storage import inbound
from storage.models import AuditEvent, ImapCheckpoint, InboundMessage
from tests.conftest import make_settings

if TYPE_CHECKING:
    from tests.fakes.imap import ImapServer

# The `imap_server` fixture (a real dovecot); imported by pytest so its asserts are rewritten.
pytest_plugins = ["tests.fakes.imap"]


def message(n: int, *, body: str = "Thanks, tell me more.") -> tuple[str, bytes]:
    msg = EmailMessage()
    msg["From"] = f"buyer{n}@acme.example"
    msg["To"] = "ae@seller.example"
    msg["Subject"] = f"Re: hello {n}"
    msg["Message-ID"] = make_msgid(f"reply{n}", domain="acme.example")
    msg.set_content(body)
    return msg["Message-ID"], msg.as_bytes()


class Recorder:
    """A stand-in for the reply pipeline: records every call and stores each Message-ID
    once (the idempotency the real handler promises)."""

    def __init__(self, rt, fail_on: set[str] | None = None):
        self.rt = rt
        self.calls: list[tuple[str, str]] = []
        self.stored: list[str] = []
        self.fail_on = fail_on if fail_on is not None else set()

    def __call__(self, raw: bytes, source: str) -> None:
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        mid = str(msg["Message-ID"]).strip()
        self.calls.append((mid, source))
        if mid in self.fail_on:
            raise RuntimeError(f"cannot handle {mid} yet")
        with self.rt.db.session() as s:
            if inbound.seen(s, mid):
                return
            s.add(
                InboundMessage(
                    message_id=mid,
                    from_addr=str(msg["From"]),
                    subject=str(msg["Subject"]),
                    source=source,
                )
            )
        self.stored.append(mid)

    @property
    def called(self) -> list[str]:
        return [mid for mid, _ in self.calls]


def stored_count(rt) -> int:
    with rt.db.session() as s:
        return s.exec(select(func.count()).select_from(InboundMessage)).one()


def checkpoint_of(rt, source: ImapSource) -> tuple[int, int]:
    with rt.db.session() as s:
        cp = s.get(ImapCheckpoint, source.key)
        return cp.uidvalidity, cp.last_uid


def source(server: ImapServer, scheme: str = "imaps", folder: str = "INBOX", **kw) -> ImapSource:
    return ImapSource(server.url(scheme, folder, **kw), ssl_context=server.ssl_context, timeout=10)


# --- IMAP against dovecot ------------------------------------------------------------------


def test_imaps_reads_each_message_once_and_leaves_them_unread(rt, imap_server):
    first = [message(n) for n in range(3)]
    uids = [imap_server.deliver(raw) for _, raw in first]
    assert uids == [1, 2, 3]
    src = source(imap_server)
    rec = Recorder(rt)

    assert src.fetch_new(rt, rec, batch=2) == 3  # two FETCHes
    assert rec.called == [mid for mid, _ in first]  # in UID order
    assert {s for _, s in rec.calls} == {"imap:INBOX"}
    assert checkpoint_of(rt, src) == (imap_server.uidvalidity(), 3)

    # Two more arrive: one by APPEND, one dropped into Maildir/new as a local MTA would.
    later = [message(n) for n in (3, 4)]
    imap_server.deliver(later[0][1])
    imap_server.drop(later[1][1])
    assert src.fetch_new(rt, rec) == 2
    assert rec.called[3:] == [mid for mid, _ in later]

    assert src.fetch_new(rt, rec) == 0
    assert len(rec.calls) == 5 and stored_count(rt) == 5
    assert checkpoint_of(rt, src)[1] == 5

    flags = imap_server.flags()
    assert sorted(flags) == [1, 2, 3, 4, 5]
    assert not any("\\Seen" in f for f in flags.values()), flags


def test_a_failing_message_is_retried_and_those_before_it_are_kept(rt, imap_server):
    msgs = [message(n) for n in range(3)]
    for _, raw in msgs:
        imap_server.deliver(raw)
    src = source(imap_server)
    rec = Recorder(rt, fail_on={msgs[1][0]})

    with pytest.raises(RuntimeError, match="cannot handle"):
        src.fetch_new(rt, rec)
    assert rec.stored == [msgs[0][0]]
    assert checkpoint_of(rt, src)[1] == 1  # the first is checkpointed, the second is not

    rec.fail_on.clear()
    assert src.fetch_new(rt, rec) == 2
    assert rec.called == [msgs[0][0], msgs[1][0], msgs[1][0], msgs[2][0]]
    assert rec.stored == [mid for mid, _ in msgs]
    assert src.fetch_new(rt, rec) == 0


def test_uidvalidity_change_rereads_the_folder_without_duplicates(rt, imap_server, caplog):
    imap_server.create_folder("Replies")
    msgs = [message(n) for n in range(2)]
    for _, raw in msgs:
        imap_server.deliver(raw, folder="Replies")
    src = source(imap_server, folder="Replies")
    assert src.source == "imap:Replies"
    rec = Recorder(rt)
    assert src.fetch_new(rt, rec) == 2
    before = checkpoint_of(rt, src)

    # The folder is recreated (as after a server migration): same messages, new UIDs,
    # a new UIDVALIDITY, and one genuinely new message.
    imap_server.delete_folder("Replies")
    imap_server.create_folder("Replies")
    new = message(9)
    for _, raw in [*msgs, new]:
        imap_server.deliver(raw, folder="Replies")
    validity = imap_server.uidvalidity("Replies")
    assert validity != before[0]

    with caplog.at_level(logging.WARNING, logger="bot.mail.inbound.receive"):
        assert src.fetch_new(rt, rec) == 3  # everything is offered again...
    assert rec.stored == [msgs[0][0], msgs[1][0], new[0]]  # ...and nothing is stored twice
    assert stored_count(rt) == 3
    assert checkpoint_of(rt, src) == (validity, 3)
    assert any("UIDVALIDITY" in r.getMessage() for r in caplog.records)
    assert src.fetch_new(rt, rec) == 0


def test_imap_with_starttls(rt, imap_server):
    mid, raw = message(1)
    imap_server.deliver(raw)
    src = source(imap_server, "imap")
    rec = Recorder(rt)
    assert src.fetch_new(rt, rec) == 1
    assert rec.stored == [mid]
    # Dovecot logs each login with the local port and whether the session was encrypted.
    logins = [
        [field.strip() for field in line.split(",")]
        for line in imap_server.log().splitlines()
        if "Login:" in line and f" lport={imap_server.port}," in line
    ]
    assert logins and all("TLS" in fields for fields in logins), imap_server.log()


def test_wrong_password_is_a_clear_error_without_the_password(rt, imap_server, caplog):
    wrong = "Wr0ng-pa/ss#word"
    src = source(imap_server, password=wrong)
    assert wrong not in repr(src) and imap_server.password not in repr(src)
    with caplog.at_level(logging.DEBUG), pytest.raises(ImapError) as err:
        src.fetch_new(rt, Recorder(rt))
    text = str(err.value)
    assert "login" in text and imap_server.user in text
    assert f"{imap_server.host}:{imap_server.ssl_port}" in text
    assert "AUTHENTICATIONFAILED" in text or "Authentication failed" in text
    for secret in (wrong, imap_server.password):
        assert secret not in text
        assert secret not in caplog.text
    assert "\n" not in text


def test_untrusted_certificate_is_refused(rt, imap_server):
    src = ImapSource(imap_server.url("imaps"), ssl_context=ssl.create_default_context())
    with pytest.raises(ImapError, match="CERTIFICATE_VERIFY_FAILED|certificate"):
        src.fetch_new(rt, Recorder(rt))


def test_missing_folder_names_it(rt, imap_server):
    src = source(imap_server, folder="Nope")
    with pytest.raises(ImapError, match="'Nope'"):
        src.fetch_new(rt, Recorder(rt))


# --- the URL and the settings ---------------------------------------------------------------


def test_url_parts_and_defaults():
    src = ImapSource("imaps://me%40corp.example:p%2Fw%23d@mail.example")
    assert (src.host, src.port, src.user, src.folder) == (
        "mail.example",
        993,
        "me@corp.example",
        "INBOX",
    )
    assert src.key == "mail.example/me@corp.example/INBOX"
    assert "p/w#d" not in repr(src) and "p%2Fw%23d" not in repr(src)
    plain = ImapSource("imap://u:p@mail.example/Sales%20Replies")
    assert (plain.port, plain.folder, plain.source) == (143, "Sales Replies", "imap:Sales Replies")
    assert ImapSource("imap://u:p@mail.example:1143/INBOX/Replies").folder == "INBOX/Replies"


@pytest.mark.parametrize(
    "url",
    [
        "http://u:p@mail.example/INBOX",
        "imaps://mail.example/INBOX",  # no user
        "imaps://u:pa/ss@mail.example/INBOX",  # '/' in the password: lands in port/path
        "imaps://us/er:secret@mail.example/INBOX",  # userinfo spills into the folder
        "imaps://u:pa?ss@mail.example/INBOX",
        "imaps://u:pa#ss@mail.example/INBOX",
    ],
)
def test_bad_urls_are_refused_without_echoing_them(url):
    with pytest.raises(ValueError) as err:
        ImapSource(url)
    for piece in ("secret", "pa/ss", "pa?ss", "pa#ss", "/INBOX"):
        assert piece not in str(err.value)


def test_settings_validate_and_redact_imap_url(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("IMAP_URL", "pop3://u:p@mail.example")
    with pytest.raises(SettingsError) as err:
        load_settings()
    assert str(err.value).startswith("IMAP_URL: must look like imaps://")
    monkeypatch.setenv("TWOLOOP_IMAP_POLL_SECONDS", "5")
    monkeypatch.setenv("IMAP_URL", "imaps://u:p@mail.example")
    with pytest.raises(SettingsError, match="TWOLOOP_IMAP_POLL_SECONDS"):
        load_settings()
    monkeypatch.delenv("TWOLOOP_IMAP_POLL_SECONDS")
    monkeypatch.delenv("IMAP_URL")

    url = "imaps://replies:hunter2%2Fsecret@mail.example/INBOX"
    settings = make_settings(tmp_path, "sqlite://", IMAP_URL=url)
    assert settings.imap_poll_seconds == 60
    assert "hunter2" not in repr(settings)
    scrub = RedactSecrets(secrets_of(settings)).scrub
    assert "hunter2" not in scrub(f"failed {url} with hunter2/secret")
    src = source_for(settings)
    assert src is not None and src.folder == "INBOX" and src.user == "replies"
    assert source_for(make_settings(tmp_path, "sqlite://")) is None


def test_folder_names_use_modified_utf7():
    assert _utf7("INBOX") == "INBOX"
    assert _utf7("R&D") == "R&-D"
    assert _utf7("Réponses") == "R&AOk-ponses"
    assert _utf7("台北") == "&U,BTFw-"


# --- files ---------------------------------------------------------------------------------


def test_ingest_a_single_eml_file(rt, tmp_path):
    mid, raw = message(1)
    path = tmp_path / "reply.eml"
    path.write_bytes(raw)
    rec = Recorder(rt)
    assert ingest_path(path, rec) == (1, [])
    assert rec.calls == [(mid, f"file:{path}")]
    assert ingest_path(path, rec) == (1, [])  # offered again, stored once
    assert rec.stored == [mid] and stored_count(rt) == 1


def test_ingest_a_folder_recursively_reporting_bad_files(rt, tmp_path):
    folder = tmp_path / "replies"
    (folder / "2024" / "05").mkdir(parents=True)
    good = [message(n) for n in range(3)]
    (folder / "a.eml").write_bytes(good[0][1])
    (folder / "2024" / "b.EML").write_bytes(good[1][1])
    (folder / "2024" / "05" / "c.eml").write_bytes(good[2][1])
    (folder / "notes.txt").write_text("not mail")
    (folder / "empty.eml").write_bytes(b"")
    poison_mid, poison = message(7)
    (folder / "2024" / "poison.eml").write_bytes(poison)
    rec = Recorder(rt, fail_on={poison_mid})

    count, errors = ingest_path(folder, rec)
    assert count == 3
    assert sorted(rec.stored) == sorted(mid for mid, _ in good)
    assert len(errors) == 2
    assert any("empty.eml" in e and "empty" in e for e in errors)
    assert any("poison.eml" in e and "cannot handle" in e for e in errors)

    nowhere = tmp_path / "nowhere"
    assert ingest_path(nowhere, rec) == (0, [f"{nowhere}: no such file or folder"])


def test_ingest_an_mbox(rt, tmp_path):
    path = tmp_path / "export"  # no extension: recognised by its "From " first line
    box = mailbox.mbox(path)
    msgs = [message(n, body=f"From the team {n}\nline two") for n in range(3)]
    for _, raw in msgs:
        box.add(raw)
    box.flush()
    box.close()
    assert path.read_bytes().startswith(b"From ")
    rec = Recorder(rt)

    assert ingest_path(path, rec) == (3, [])
    assert rec.stored == [mid for mid, _ in msgs]
    assert {s for _, s in rec.calls} == {f"file:{path}"}

    renamed = tmp_path / "archive.mbox"
    path.rename(renamed)
    assert ingest_path(tmp_path, rec) == (3, [])  # a folder picks up *.mbox too
    assert stored_count(rt) == 3


# --- storage ---------------------------------------------------------------------------------


def test_checkpoint_only_moves_forward(empty_db):
    with empty_db.session() as s:
        cp = inbound.checkpoint(s, "h/u/INBOX")
        assert (cp.uidvalidity, cp.last_uid) == (0, 0)
        assert inbound.checkpoint(s, "h/u/INBOX").key == "h/u/INBOX"  # no second row
    with empty_db.session() as s:
        assert inbound.advance(s, "h/u/INBOX", 7, 10)
        assert not inbound.advance(s, "h/u/INBOX", 7, 9)  # a slower poller cannot go back
        assert not inbound.advance(s, "h/u/INBOX", 7, 10)
        assert inbound.advance(s, "h/u/INBOX", 8, 0)  # a new UIDVALIDITY replaces it
    with empty_db.session() as s:
        cp = inbound.checkpoint(s, "h/u/INBOX")
        assert (cp.uidvalidity, cp.last_uid) == (8, 0)
        assert not inbound.seen(s, "<x@y>")
        s.add(InboundMessage(message_id="<x@y>", from_addr="a@b"))
    with empty_db.session() as s:
        assert inbound.seen(s, "<x@y>")


def test_a_message_that_keeps_failing_is_set_aside_and_the_rest_go_on(rt, imap_server):
    rt.settings.operator_channel = "C0OPS"
    msgs = [message(n) for n in range(3)]
    for _, raw in msgs:
        imap_server.deliver(raw)
    src = source(imap_server)
    rec = Recorder(rt, fail_on={msgs[1][0]})
    for _ in range(ATTEMPTS - 1):  # a failure may be passing (the database, a bug being fixed)
        with pytest.raises(RuntimeError, match="cannot handle"):
            src.fetch_new(rt, rec)
    assert rec.stored == [msgs[0][0]] and checkpoint_of(rt, src)[1] == 1
    assert not rt.humans.notes

    assert src.fetch_new(rt, rec) == 1  # the third poll in a row: set aside, the rest go on
    assert rec.stored == [msgs[0][0], msgs[2][0]]
    assert checkpoint_of(rt, src)[1] == 3
    assert src.fetch_new(rt, rec) == 0  # not offered again
    with rt.db.session() as s:
        [kept] = inbound.set_aside_mail(s)
        assert kept.uid == 2 and kept.attempts == ATTEMPTS and kept.source == src.source
        assert email.message_from_bytes(kept.raw)["Message-ID"] == msgs[1][0]  # kept whole
        assert kept.error.startswith("RuntimeError: cannot handle")
        [event] = s.exec(select(AuditEvent).where(AuditEvent.action == "mail.set_aside")).all()
        assert event.subject == f"setaside:{kept.id}"
    [(channel, text)] = rt.humans.notes
    assert channel == "C0OPS" and f"twoloop replies retry {kept.id}" in text


def test_failures_count_only_in_a_row_for_one_message(empty_db):
    with empty_db.session() as s:
        inbound.checkpoint(s, "k")
        assert [inbound.failed(s, "k", 7) for _ in range(2)] == [1, 2]
        assert inbound.failed(s, "k", 8) == 1  # another message starts again
        assert inbound.failed(s, "k", 8) == 2


def test_set_aside_mail_is_listed_and_retried_from_the_cli(rt, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from bot.cli.main import app

    mid, raw = message(9)
    with rt.db.session() as s:
        kept = inbound.set_aside(s, "imap://mail/INBOX", 4, raw, "KeyError: 'x'", 3, rt.now())
        kept_id = kept.id
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TWOLOOP_HOME", str(rt.settings.home))
    monkeypatch.setenv("DATABASE_URL", rt.settings.db_url)
    cli = CliRunner()

    listed = cli.invoke(app, ["replies", "set-aside"])
    assert listed.exit_code == 0 and f"#{kept_id}" in listed.output
    assert "UID 4" in listed.output and "KeyError" in listed.output

    missing = cli.invoke(app, ["replies", "retry", "999999"])
    assert missing.exit_code == 1 and "nothing is set aside as #999999" in missing.output

    retried = cli.invoke(app, ["replies", "retry"])
    assert retried.exit_code == 0, retried.output
    assert f"#{kept_id}: handled" in retried.output
    with rt.db.session() as s:
        assert inbound.set_aside_mail(s) == []
        assert inbound.seen(s, mid)  # the reply pipeline took it in
        assert s.exec(select(AuditEvent).where(AuditEvent.action == "mail.retried")).one()
    assert cli.invoke(app, ["replies", "set-aside"]).output.strip() == "nothing set aside"
