"""A real IMAP server (Debian's dovecot) on 127.0.0.1 for tests.

Mocking imaplib would only test our guesses about IMAP; dovecot is what many mailboxes run,
with real UIDs, UIDVALIDITY, \\Seen flags, STARTTLS and implicit TLS.

One dovecot serves the whole session (`imap_dovecot`); each test's `imap_server` is a fresh
user with an empty mailbox on it, so tests are isolated without paying for a restart (a
dovecot shutdown takes a second). Load this module with `pytest_plugins`. Without a
`dovecot` binary the tests that use it are skipped (install it with
`apt-get install dovecot-imapd`); with TWOLOOP_REQUIRE_IMAP=1 (CI) they fail instead.

The server uses only the configuration generated here (`dovecot -F -c <conf>`), never
/etc/dovecot, and runs in the foreground as a child of the test process, in a process group
of its own. Dovecot refuses to open mailboxes as root, so when the tests run as root the
mail processes run as `nobody` (internal and login processes as Debian's `dovecot` and
`dovenull`), and everything dovecot touches lives in a directory made with mkdtemp and
opened to them (pytest's tmp_path is private to root; unix socket paths must also stay under
108 bytes). As an ordinary user, every dovecot process runs as that user, without chroot.
"""

from __future__ import annotations

import contextlib
import grp
import imaplib
import os
import pwd
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest

HOST = "127.0.0.1"
USER = "replies{n}@example.com"
# Characters that must be percent-encoded in a URL (no space, "#" or "%": it sits in the config).
PASSWORD = "s3cret/p@ss:w?rd"
REQUIRE = os.environ.get("TWOLOOP_REQUIRE_IMAP") == "1"

CONFIG = """\
# Generated for one test; nothing is read from /etc/dovecot.
instance_name = twoloop-test-{port}
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = {host}
shutdown_clients = yes

# Who the processes run as (see the module docstring).
default_internal_user = {internal_user}
default_internal_group = {internal_group}
default_login_user = {login_user}
first_valid_uid = 1
first_valid_gid = 1
mail_uid = {mail_uid}
mail_gid = {mail_gid}

mail_location = maildir:~/Maildir
# Mails are visible as soon as they are appended or dropped into Maildir/new.
maildir_very_dirty_syncs = no

auth_mechanisms = plain login
# Tests of a wrong password should not wait the default 2 seconds.
auth_failure_delay = 0
# Plain-text LOGIN is accepted on the plain port; dovecot counts loopback as secure anyway.
disable_plaintext_auth = no
auth_verbose = yes
# Every user has the same password and a home of their own: a test gets a fresh mailbox by
# using a new user name, with no passdb file for dovecot to notice changing.
passdb {{
  driver = static
  args = password={password}
}}
userdb {{
  driver = static
  args = uid={mail_uid} gid={mail_gid} home={root}/home/%u
}}

ssl = yes
ssl_cert = <{root}/server.pem
ssl_key = <{root}/server.key
ssl_min_protocol = TLSv1.2

service imap-login {{
  inet_listener imap {{
    address = {host}
    port = {port}
  }}
  inet_listener imaps {{
    address = {host}
    port = {ssl_port}
    ssl = yes
  }}
  {chroot}
}}
service anvil {{
  {chroot}
  # No brute-force penalty (2, 4, 8, 16 s per earlier failure from the IP): with the socket
  # unreachable the auth process turns the penalty off.
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
# Login lines say whether the session used TLS ("TLS" vs "secured"): tests read them.
login_log_format_elements = user=<%u> method=%m rip=%r lip=%l lport=%a mpid=%e %c session=<%{{session}}>
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _dovecot() -> str | None:
    return shutil.which("dovecot") or next(
        (p for p in ("/usr/sbin/dovecot", "/usr/local/sbin/dovecot") if os.access(p, os.X_OK)),
        None,
    )


def _greets(port: int, context: ssl.SSLContext | None = None) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=1) as sock:
            if context is not None:
                with context.wrap_socket(sock, server_hostname="localhost") as tls:
                    return tls.recv(64).startswith(b"* OK")
            return sock.recv(64).startswith(b"* OK")
    except OSError:
        return False


@dataclass
class Dovecot:
    """The running server: one per test session."""

    host: str
    port: int  # plain IMAP, STARTTLS offered
    ssl_port: int  # implicit TLS
    ssl_context: ssl.SSLContext  # trusts the server's certificate
    root: Path
    log_path: Path
    process: subprocess.Popen
    users: int = 0

    def add_user(self) -> ImapServer:
        """A user no test has used yet, so with an empty mailbox (see the passdb above)."""
        self.users += 1
        user = USER.format(n=self.users)
        home = self.root / "home" / user
        maildir = home / "Maildir"
        maildir.mkdir(parents=True)
        if os.geteuid() == 0:
            for path in (home, maildir):
                os.chown(path, _MAIL_USER.pw_uid, _MAIL_USER.pw_gid)
        return ImapServer(self, self.host, self.port, self.ssl_port, user, PASSWORD, maildir)

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""


@dataclass
class ImapServer:
    """One test's view of the server: its own user and mailbox; messages go in with
    `deliver` (APPEND) or `drop` (straight into Maildir/new)."""

    dovecot: Dovecot
    host: str
    port: int  # plain IMAP, STARTTLS offered
    ssl_port: int  # implicit TLS
    user: str
    password: str
    maildir: Path

    @property
    def ssl_context(self) -> ssl.SSLContext:
        return self.dovecot.ssl_context

    def log(self) -> str:
        """The server's log lines about this test's user."""
        return "\n".join(line for line in self.dovecot.log().splitlines() if self.user in line)

    def url(
        self,
        scheme: str = "imaps",
        folder: str = "INBOX",
        *,
        user: str | None = None,
        password: str | None = None,
    ) -> str:
        """IMAP_URL for this server, credentials percent-encoded."""
        port = self.ssl_port if scheme == "imaps" else self.port
        u = quote(self.user if user is None else user, safe="")
        p = quote(self.password if password is None else password, safe="")
        return f"{scheme}://{u}:{p}@{self.host}:{port}/{quote(folder, safe='')}"

    @contextlib.contextmanager
    def client(self) -> Iterator[imaplib.IMAP4_SSL]:
        """An authenticated admin session (implicit TLS), for setting up and inspecting."""
        imap = imaplib.IMAP4_SSL(self.host, self.ssl_port, ssl_context=self.ssl_context, timeout=10)
        try:
            imap.login(self.user, self.password)
            yield imap
        finally:
            with contextlib.suppress(Exception):
                imap.logout()

    def deliver(self, raw: bytes | str, folder: str = "INBOX", flags: str = "") -> int:
        """APPEND one message (UIDs follow the order of delivery); returns its UID."""
        data = raw.encode() if isinstance(raw, str) else raw
        with self.client() as imap:
            typ, resp = imap.append(_q(folder), f"({flags})" if flags else None, None, data)
            assert typ == "OK", resp
            # Dovecot answers [APPENDUID <uidvalidity> <uid>] (UIDPLUS).
            code = resp[0].decode()
            return int(code.split("APPENDUID ")[1].split()[1].rstrip("]"))

    def drop(self, raw: bytes, folder: str = "INBOX") -> Path:
        """Put a message straight into the folder's Maildir/new, as a local MTA would."""
        base = self.maildir if folder == "INBOX" else self.maildir / f".{folder}"
        name = f"{time.time_ns()}.P{os.getpid()}.twoloop-test"
        tmp, new = base / "tmp" / name, base / "new" / name
        tmp.parent.mkdir(parents=True, exist_ok=True)
        new.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(raw)
        if os.geteuid() == 0:
            os.chown(tmp, _MAIL_USER.pw_uid, _MAIL_USER.pw_gid)
        os.rename(tmp, new)
        return new

    def create_folder(self, folder: str) -> None:
        with self.client() as imap:
            typ, resp = imap.create(_q(folder))
            assert typ == "OK", resp

    def delete_folder(self, folder: str) -> None:
        with self.client() as imap:
            typ, resp = imap.delete(_q(folder))
            assert typ == "OK", resp

    def uidvalidity(self, folder: str = "INBOX") -> int:
        with self.client() as imap:
            typ, resp = imap.status(_q(folder), "(UIDVALIDITY)")
            assert typ == "OK", resp
            return int(resp[0].decode().split("UIDVALIDITY ")[1].rstrip(")"))

    def flags(self, folder: str = "INBOX") -> dict[int, set[str]]:
        """UID -> flags of every message in the folder (read-only EXAMINE)."""
        with self.client() as imap:
            typ, resp = imap.select(_q(folder), readonly=True)
            assert typ == "OK", resp
            typ, data = imap.uid("FETCH", "1:*", "(FLAGS)")
            assert typ == "OK", data
        out: dict[int, set[str]] = {}
        for line in data:
            if not isinstance(line, bytes):
                continue
            text = line.decode()
            uid = int(text.split("UID ")[1].split()[0].rstrip(")"))
            inner = text.split("FLAGS (")[1].split(")")[0]
            out[uid] = set(inner.split())
        return out


def _q(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


_MAIL_USER = pwd.getpwnam("nobody") if os.geteuid() == 0 else pwd.getpwuid(os.geteuid())


def _users() -> dict[str, str]:
    """The process users for the config: see the module docstring."""
    if os.geteuid() == 0:
        internal = "dovecot" if _exists("dovecot") else "nobody"
        login = "dovenull" if _exists("dovenull") else "nobody"
        chroot = "chroot = login" if login != "nobody" else "chroot ="
        group = grp.getgrgid(pwd.getpwnam(internal).pw_gid).gr_name
    else:
        internal = login = _MAIL_USER.pw_name
        group = grp.getgrgid(_MAIL_USER.pw_gid).gr_name
        chroot = "chroot ="  # only root may chroot
    return {
        "internal_user": internal,
        "internal_group": group,
        "login_user": login,
        "mail_uid": str(_MAIL_USER.pw_uid),
        "mail_gid": str(_MAIL_USER.pw_gid),
        "chroot": chroot,
    }


def _exists(user: str) -> bool:
    try:
        pwd.getpwnam(user)
    except KeyError:
        return False
    return True


def _write_certs(root: Path) -> ssl.SSLContext:
    from tests.fakes.smtp import _make_certs

    certs = _make_certs(root)
    return ssl.create_default_context(cafile=str(certs.ca_path))


def start(root: Path) -> Dovecot:
    """Write a config under `root` and start dovecot; returns once both ports greet."""
    binary = _dovecot()
    if binary is None:
        raise FileNotFoundError("dovecot")
    context = _write_certs(root)
    (root / "home").mkdir()
    if os.geteuid() == 0:
        # Mail processes (nobody) must reach the homes; the key stays private (the config
        # process reads it as root).
        os.chmod(root, 0o755)
    last_error = ""
    for _attempt in range(3):  # a free port can be taken between probing and binding
        port, ssl_port = _free_port(), _free_port()
        conf = root / "dovecot.conf"
        conf.write_text(
            CONFIG.format(
                root=root,
                host=HOST,
                port=port,
                ssl_port=ssl_port,
                password=PASSWORD,
                **_users(),
            )
        )
        log_path = root / "dovecot.log"
        log_path.unlink(missing_ok=True)
        proc = subprocess.Popen(
            [binary, "-F", "-c", str(conf)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        server = Dovecot(HOST, port, ssl_port, context, root, log_path, proc)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and proc.poll() is None:
            if _greets(port) and _greets(ssl_port, context):
                return server
            time.sleep(0.05)
        output = stop(server)
        last_error = f"dovecot did not start (exit {proc.returncode}):\n{output}\n{server.log()}"
    raise RuntimeError(last_error)


def stop(server: Dovecot) -> str:
    """Stop dovecot (it ends its own children) and return what it printed."""
    proc = server.process
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            # Only the process group this module started.
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
    out = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
    if proc.stdout:
        proc.stdout.close()
    return out


@pytest.fixture(scope="session")
def imap_dovecot() -> Iterator[Dovecot]:
    """The session's dovecot (skipped without the binary, failed with TWOLOOP_REQUIRE_IMAP=1)."""
    if _dovecot() is None:
        reason = "no dovecot binary (apt-get install dovecot-imapd) for the IMAP tests"
        if REQUIRE:
            pytest.fail(f"{reason}, and TWOLOOP_REQUIRE_IMAP=1")
        pytest.skip(reason)
    root = Path(tempfile.mkdtemp(prefix="twoloop-imap-"))
    try:
        server = start(root)
        try:
            yield server
        finally:
            stop(server)
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def imap_server(imap_dovecot: Dovecot) -> ImapServer:
    """A real IMAP server on 127.0.0.1 with a fresh user and empty mailbox for this test."""
    return imap_dovecot.add_user()
