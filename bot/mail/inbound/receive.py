"""How replies come in: an IMAP folder polled with a UID checkpoint, or files on disk.

Both hand each raw message to one `handle(raw, source)` callable (the reply pipeline), which
is idempotent on Message-ID. This module only moves bytes and remembers how far it read:

- IMAP: `UID SEARCH` past the checkpoint, `BODY.PEEK[]` in UID order (the folder is opened
  read-only, nothing is marked \\Seen), and the checkpoint advances in its own transaction
  after each handled message, so a crash re-reads at most the message in flight. A message
  whose handling fails ATTEMPTS polls in a row is set aside in the database for an operator
  (`twoloop replies retry`), so it does not hold up the ones after it. When the
  folder's UIDVALIDITY changes the old UIDs mean nothing: it is read again from the start and
  the handler's Message-ID idempotency drops what it already has.
- Files: one .eml, a folder of them (recursively), or an mbox.
"""

from __future__ import annotations

import base64
import contextlib
import imaplib
import logging
import mailbox
import re
import ssl
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from bot.logs import RedactSecrets, secrets_of
from bot.mail.transport import is_loopback
from bot.ports import Notice
from bot.runtime import Runtime
from bot.settings import Settings
from bot.storable import storable
from storage import audit, inbound

__all__ = ["Handler", "ImapError", "ImapSource", "ingest_path", "source_for"]

log = logging.getLogger(__name__)

ATTEMPTS = 3  # polls in a row a message may fail before it is set aside

Handler = Callable[[bytes, str], object]  # the return value is ignored

_DEFAULT_PORTS = {"imap": 143, "imaps": 993}
_FETCH_UID = re.compile(rb"\bUID (\d+)")


class ImapError(Exception):
    """The mailbox could not be read (connection, TLS, login, folder). The message names the
    server, the user and the folder, never the password."""


class ImapSource:
    """One IMAP folder, from `imaps://user:pass@host:993/INBOX` or `imap://...:143/INBOX`.

    `imap://` upgrades with STARTTLS and refuses to log in without it, except on loopback
    (a local server or a test). `ssl_context` defaults to the system's trusted CAs."""

    def __init__(
        self,
        url: str,
        *,
        ssl_context: ssl.SSLContext | None = None,
        timeout: float = 30.0,
    ) -> None:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in _DEFAULT_PORTS:
            raise ValueError(f"unsupported scheme {scheme!r}: use imaps:// or imap://")
        # Never echo the URL or its pieces: a password with an unescaped '/', '?' or '#'
        # spills into the path (the folder), the port or the query, and would leak from there.
        hint = "percent-encode '/', '?', '#', '@' and ':' in the user, password and folder"
        if parts.query or parts.fragment or "@" in parts.path:
            raise ValueError(f"IMAP URL must be scheme://user:pass@host:port/folder only ({hint})")
        try:
            port = parts.port
        except ValueError:
            raise ValueError(f"IMAP URL has an invalid port ({hint})") from None
        if not parts.hostname:
            raise ValueError("IMAP URL has no host")
        if not parts.username:
            raise ValueError("IMAP URL has no user (imaps://user:pass@host/folder)")
        self.scheme = scheme
        self.host = parts.hostname
        self.port = port or _DEFAULT_PORTS[scheme]
        self.user = unquote(parts.username)
        self._password = unquote(parts.password or "")
        self.folder = unquote(parts.path.lstrip("/")) or "INBOX"
        self.timeout = timeout
        self.ssl_context = ssl_context or ssl.create_default_context()

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}('{self.scheme}://{quote(self.user, safe='')}:***@"
            f"{self._where}/{quote(self.folder, safe='')}')"
        )

    @property
    def _where(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"

    @property
    def key(self) -> str:
        """The checkpoint's key: host/user/folder."""
        return f"{self.host}/{self.user}/{self.folder}"

    @property
    def source(self) -> str:
        return f"imap:{self.folder}"

    # --- reading -----------------------------------------------------------------------

    def fetch_new(self, rt: Runtime, handle: Handler, batch: int = 200) -> int:
        """Hand every message past the checkpoint to `handle`, oldest UID first; returns how
        many were handled. `batch` is how many messages one FETCH brings (memory bound).

        A handler that raises stops the run: the messages before it stay checkpointed, and
        the failing one is offered again next time; on its ATTEMPTS-th poll in a row it is
        set aside instead (`_set_aside`) and the run goes on."""
        with self._session() as imap:
            uidvalidity = self._select(imap)
            with rt.db.session() as s:
                cp = inbound.checkpoint(s, self.key)
                known_validity, last = cp.uidvalidity, cp.last_uid
            if known_validity != uidvalidity:
                if known_validity:
                    log.warning(
                        "IMAP %s: UIDVALIDITY of %r changed (%d -> %d); reading the folder again "
                        "from the start (messages already taken in are recognised by Message-ID)",
                        self._where,
                        self.folder,
                        known_validity,
                        uidvalidity,
                    )
                last = 0
                with rt.db.session() as s:
                    inbound.advance(s, self.key, uidvalidity, 0, now=rt.now())
            uids = self._search(imap, last)
            handled, step = 0, max(1, batch)
            for start in range(0, len(uids), step):
                chunk = uids[start : start + step]
                bodies = self._fetch(imap, chunk)
                for uid in chunk:
                    raw = bodies.get(uid)
                    # A UID the server no longer returns was expunged meanwhile: UIDs are
                    # never reused under one UIDVALIDITY, so it is safe to step over it.
                    if raw is not None:
                        try:
                            handle(raw, self.source)
                            handled += 1
                        except Exception as exc:
                            if not self._set_aside(rt, uid, raw, exc):
                                raise
                    with rt.db.session() as s:
                        inbound.advance(s, self.key, uidvalidity, uid, now=rt.now())
        if handled:
            log.info("IMAP %s: took in %d message(s) from %r", self._where, handled, self.folder)
        return handled

    def _set_aside(self, rt: Runtime, uid: int, raw: bytes, exc: Exception) -> bool:
        """Count the failure. Until it is the ATTEMPTS-th poll in a row, the message is
        offered again next poll (False). Then it is kept whole in the database, the
        operators are told, and the poll goes on past it (True): one message that cannot be
        handled must not hold up every reply after it."""
        with rt.db.session() as s:
            attempts = inbound.failed(s, self.key, uid)
        if attempts < ATTEMPTS:
            log.warning(
                "IMAP %s: handling UID %d of %r failed (%s; %d of %d); it is retried next poll",
                self._where,
                uid,
                self.folder,
                type(exc).__name__,
                attempts,
                ATTEMPTS,
            )
            return False
        # The error may quote the message: storable, and shown as typed in the notice.
        error = storable(
            RedactSecrets(secrets_of(rt.settings)).scrub(
                f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"[:300]
            )
        )
        with rt.db.session() as s:
            row = inbound.set_aside(s, self.source, uid, raw, error, attempts, rt.now())
            detail = {"uid": uid, "source": self.source, "error": error}
            audit.record(s, "system", "mail.set_aside", f"setaside:{row.id}", detail)
            set_id = row.id
        log.error(
            "IMAP %s: UID %d of %r failed %d polls in a row; set aside as #%d, the messages "
            "after it go on",
            self._where,
            uid,
            self.folder,
            attempts,
            set_id,
            exc_info=exc,
        )
        try:
            rt.tell_operators(
                Notice.of(
                    f"An incoming message (UID {uid} in {self.folder}) failed "
                    f"{attempts} times in a row and was set aside as #{set_id}, so the replies "
                    f"after it are not held up. Error: {error}. Once that is fixed: "
                    f"`twoloop replies retry {set_id}`.",
                    tone="warning",
                )
            )
        except Exception as notice_exc:  # noqa: BLE001 - the row and the log have it
            log.warning("set-aside notice failed: %s", type(notice_exc).__name__)
        return True

    # --- protocol ------------------------------------------------------------------------

    @contextlib.contextmanager
    def _session(self) -> Iterator[imaplib.IMAP4]:
        imap = self._connect()
        try:
            yield imap
        finally:
            with contextlib.suppress(Exception):
                imap.logout()

    @contextlib.contextmanager
    def _errors(self, doing: str) -> Iterator[None]:
        """Protocol and network failures of one command as ImapError (the handler's own
        exceptions never pass through here)."""
        try:
            yield
        except imaplib.IMAP4.error as e:
            raise ImapError(f"IMAP {doing} failed at {self._where}: {self._clean(e)}") from None
        except OSError as e:
            raise ImapError(
                f"IMAP {doing} failed at {self._where}: "
                f"{type(e).__name__}: {self._clean(e) or 'no detail'}"
            ) from None

    def _connect(self) -> imaplib.IMAP4:
        stage = "connect"
        imap: imaplib.IMAP4 | None = None
        try:
            if self.scheme == "imaps":
                imap = imaplib.IMAP4_SSL(
                    self.host, self.port, ssl_context=self.ssl_context, timeout=self.timeout
                )
            else:
                imap = imaplib.IMAP4(self.host, self.port, timeout=self.timeout)
                if "STARTTLS" in imap.capabilities:
                    stage = "STARTTLS"
                    imap.starttls(ssl_context=self.ssl_context)
                elif not is_loopback(self.host):
                    raise ImapError(
                        f"IMAP server {self._where} does not offer STARTTLS; refusing to send "
                        "credentials in clear (use imaps://)"
                    )
            stage = f"login as {self.user}"
            self._login(imap)
        except ImapError:
            _close(imap)
            raise
        except imaplib.IMAP4.error as e:
            _close(imap)
            raise ImapError(f"IMAP {stage} failed at {self._where}: {self._clean(e)}") from None
        except OSError as e:  # refused, timeouts, TLS and certificate errors
            _close(imap)
            raise ImapError(
                f"IMAP {stage} failed at {self._where}: "
                f"{type(e).__name__}: {self._clean(e) or 'no detail'}"
            ) from None
        except ValueError as e:  # e.g. UnicodeError: its text may quote the password
            _close(imap)
            raise ImapError(f"IMAP {stage} failed at {self._where}: {type(e).__name__}") from None
        return imap

    def _login(self, imap: imaplib.IMAP4) -> None:
        if self.user.isascii() and self._password.isascii():
            imap.login(self.user, self._password)
            return
        # LOGIN is ASCII only in imaplib; SASL PLAIN carries UTF-8.
        creds = f"\0{self.user}\0{self._password}".encode()
        imap.authenticate("PLAIN", lambda _challenge: creds)

    def _select(self, imap: imaplib.IMAP4) -> int:
        """Open the folder read-only (EXAMINE) and return its UIDVALIDITY."""
        with self._errors(f"opening {self.folder!r}"):
            typ, data = imap.select(_quoted(_utf7(self.folder)), readonly=True)
        if typ != "OK":
            raise ImapError(
                f"IMAP {self._where}: cannot open folder {self.folder!r}: {_text(data)}"
            )
        _, values = imap.response("UIDVALIDITY")
        try:
            return int(values[0])
        except (TypeError, ValueError, IndexError):
            raise ImapError(
                f"IMAP {self._where}: folder {self.folder!r} has no UIDVALIDITY"
            ) from None

    def _search(self, imap: imaplib.IMAP4, last: int) -> list[int]:
        with self._errors(f"UID SEARCH in {self.folder!r}"):
            typ, data = imap.uid("SEARCH", f"UID {last + 1}:*")
        if typ != "OK":
            raise ImapError(f"IMAP {self._where}: UID SEARCH failed: {_text(data)}")
        # "n:*" always matches the newest message, even when its UID is below n.
        found = {int(x) for line in data if line for x in line.split()}
        return sorted(uid for uid in found if uid > last)

    def _fetch(self, imap: imaplib.IMAP4, uids: list[int]) -> dict[int, bytes]:
        with self._errors(f"UID FETCH in {self.folder!r}"):
            typ, data = imap.uid("FETCH", ",".join(map(str, uids)), "(UID BODY.PEEK[])")
        if typ != "OK":
            raise ImapError(f"IMAP {self._where}: UID FETCH failed: {_text(data)}")
        bodies: dict[int, bytes] = {}
        for i, item in enumerate(data):
            if not isinstance(item, tuple):
                continue  # the closing ")" of a response, or an unsolicited FLAGS update
            header, raw = item
            match = _FETCH_UID.search(header)
            if match is None and i + 1 < len(data) and isinstance(data[i + 1], bytes):
                match = _FETCH_UID.search(data[i + 1])  # UID sent after the literal
            if match is not None:
                bodies[int(match.group(1))] = raw
        return bodies

    def _clean(self, e: BaseException) -> str:
        text = str(e)
        if self._password:
            text = text.replace(self._password, "***")
        return text


def source_for(
    settings: Settings, *, ssl_context: ssl.SSLContext | None = None, timeout: float = 30.0
) -> ImapSource | None:
    """The configured IMAP folder (IMAP_URL), or None when there is none."""
    url = settings.secret("imap_url")
    if not url or not url.strip():
        return None
    try:
        return ImapSource(url.strip(), ssl_context=ssl_context, timeout=timeout)
    except ValueError as e:
        raise ValueError(f"IMAP_URL: {e}") from None


# --- files ---------------------------------------------------------------------------------


def ingest_path(path: Path, handle: Handler) -> tuple[int, list[str]]:
    """Hand every message under `path` to `handle`: a single .eml file, a folder (every
    *.eml and *.mbox in it, recursively, in name order) or an mbox file.

    Returns how many messages were handled and one line per file or message that could
    not be read or handled; one bad file does not stop the others."""
    path = Path(path)
    if path.is_dir():
        files = sorted(
            p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in (".eml", ".mbox")
        )
    elif path.is_file():
        files = [path]
    else:
        return 0, [f"{path}: no such file or folder"]
    count, errors = 0, []
    for file in files:
        n, errs = _ingest_file(file, handle)
        count += n
        errors += errs
    return count, errors


def _ingest_file(path: Path, handle: Handler) -> tuple[int, list[str]]:
    source = f"file:{path}"
    try:
        with path.open("rb") as f:
            head = f.read(5)
    except OSError as e:
        return 0, [f"{path}: cannot read: {e.strerror or e}"]
    if path.suffix.lower() == ".mbox" or (path.suffix.lower() != ".eml" and head == b"From "):
        return _ingest_mbox(path, source, handle)
    try:
        raw = path.read_bytes()
    except OSError as e:
        return 0, [f"{path}: cannot read: {e.strerror or e}"]
    if not raw.strip():
        return 0, [f"{path}: empty file"]
    try:
        handle(raw, source)
    except Exception as e:  # noqa: BLE001 - reported per file, the others go on
        return 0, [f"{path}: {type(e).__name__}: {e}"]
    return 1, []


def _ingest_mbox(path: Path, source: str, handle: Handler) -> tuple[int, list[str]]:
    count, errors = 0, []
    try:
        box = mailbox.mbox(path, create=False)
        keys = box.keys()
    except (OSError, mailbox.Error) as e:
        return 0, [f"{path}: cannot read as mbox: {e}"]
    try:
        for n, key in enumerate(keys, start=1):
            try:
                raw = box.get_bytes(key)  # without the "From " separator line
                handle(raw, source)
            except Exception as e:  # noqa: BLE001 - reported per message, the others go on
                errors.append(f"{path} message {n}: {type(e).__name__}: {e}")
            else:
                count += 1
    finally:
        box.close()
    return count, errors


# --- helpers -------------------------------------------------------------------------------


def _close(imap: imaplib.IMAP4 | None) -> None:
    if imap is not None:
        with contextlib.suppress(Exception):
            imap.shutdown()


def _text(data: list) -> str:
    return " ".join(
        x.decode(errors="replace") if isinstance(x, bytes) else str(x) for x in data if x
    )


def _quoted(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _utf7(name: str) -> str:
    """A folder name in IMAP's modified UTF-7 (RFC 3501, 5.1.3)."""
    out: list[str] = []
    pending: list[str] = []

    def flush() -> None:
        if pending:
            data = "".join(pending).encode("utf-16-be")
            out.append("&" + base64.b64encode(data).decode().rstrip("=").replace("/", ",") + "-")
            pending.clear()

    for ch in name:
        if 0x20 <= ord(ch) <= 0x7E:
            flush()
            out.append("&-" if ch == "&" else ch)
        else:
            pending.append(ch)
    flush()
    return "".join(out)
