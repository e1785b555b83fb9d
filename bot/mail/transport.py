"""How a finished message leaves the process.

Everything above this module decides *whether* and *when* a message goes; this module only
moves bytes, and reports failures in the one shape the outbox needs to decide between
"retry later" and "give up": a `SendError` that is either transient or permanent.
"""

from __future__ import annotations

import contextlib
import hashlib
import ipaddress
import os
import re
import smtplib
import ssl
import tempfile
import threading
import time
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol, runtime_checkable
from urllib.parse import quote, unquote, urlsplit

__all__ = ["EmlDirTransport", "SendError", "SmtpTransport", "Transport", "transport_for"]

_DEFAULT_PORTS = {"smtp": 587, "smtps": 465}


IDLE_CHECK = 5.0  # seconds: a session idle longer is checked with NOOP before reuse
IDLE_MAX = 60.0  # seconds: a session idle longer is not reused (servers drop idle clients)


class SendError(Exception):
    """A message did not leave; `permanent` tells the outbox whether a retry can ever help.

    `code` is the SMTP reply code when the server gave one. `refused` maps each refused
    recipient to its (code, reply) so the failure can be pinned on an address.
    """

    def __init__(
        self,
        message: str,
        *,
        permanent: bool,
        code: int | None = None,
        refused: dict[str, tuple[int, str]] | None = None,
    ) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.code = code
        self.refused: dict[str, tuple[int, str]] = dict(refused or {})


@runtime_checkable
class Transport(Protocol):
    """The one seam between the outbox and the outside world, so tests and demos can swap it."""

    def send(self, msg: EmailMessage) -> None:
        """Deliver `msg` or raise SendError; returning means the message is gone."""
        ...


class SmtpTransport:
    """Submits mail to a relay (SES, Postmark, a mailbox provider) over SMTP.

    One connection per message: sends are throttled per mailbox anyway, and a fresh
    connection cannot inherit a half-broken session from the previous send.
    Credentials never cross the network in clear: with `smtp://` they are sent only after
    STARTTLS, except to a loopback relay (a local MTA or a test server).
    """

    def __init__(
        self,
        url: str,
        *,
        timeout: float = 30,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in _DEFAULT_PORTS:
            raise ValueError(f"unsupported scheme {scheme!r}: use smtp:// or smtps://")
        # Never echo the URL or its pieces back: a password with an unescaped '/', '?' or
        # '#' lands in the path, the port or the host, and would leak through the message.
        hint = "percent-encode '/', '?', '#', '@' and ':' in the user and password"
        if parts.path not in ("", "/") or parts.query or parts.fragment:
            raise ValueError(f"SMTP URL must be scheme://user:pass@host:port only ({hint})")
        try:
            port = parts.port
        except ValueError:
            raise ValueError(f"SMTP URL has an invalid port ({hint})") from None
        if not parts.hostname:
            raise ValueError("SMTP URL has no host")
        if parts.password and not parts.username:
            raise ValueError("SMTP URL has a password but no user")
        self.scheme = scheme
        self.host = parts.hostname
        self.port = port or _DEFAULT_PORTS[scheme]
        self.username = unquote(parts.username) if parts.username else None
        self._password = unquote(parts.password) if parts.password else ""
        self.timeout = timeout
        self.ssl_context = ssl_context or ssl.create_default_context()
        self._lock = threading.Lock()
        self._smtp: smtplib.SMTP | None = None
        self._last_used = 0.0
        self._stage = "connect"

    def __repr__(self) -> str:
        auth = f"{quote(self.username, safe='')}:***@" if self.username is not None else ""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{type(self).__name__}('{self.scheme}://{auth}{host}:{self.port}')"

    @property
    def _where(self) -> str:
        return f"{self.host}:{self.port}"

    def send(self, msg: EmailMessage) -> None:
        """Deliver `msg`, reusing the open session when there is one.

        Once the server has accepted DATA the message counts as sent: nothing that happens
        afterwards (a failed QUIT, a dropped connection) may turn it into a failure, or the
        outbox would send it again.
        """
        mid = msg.get("Message-ID", "(no Message-ID)")
        with self._lock:
            self._stage = "connect"
            try:
                smtp = self._session()
                self._stage = "send"
                refused = smtp.send_message(msg)
            except SendError:
                self._drop()
                raise
            except smtplib.SMTPRecipientsRefused as e:
                self._drop()
                raise _all_refused(e.recipients, self._where, mid) from None
            except smtplib.SMTPResponseException as e:
                self._drop()
                raise _from_reply(
                    f"SMTP {self._stage} failed at {self._where} for {mid}",
                    e.smtp_code,
                    e.smtp_error,
                ) from None
            except smtplib.SMTPNotSupportedError as e:
                self._drop()
                # While sending it is the message that needs what the server lacks (SMTPUTF8);
                # before that it is our configuration, which an operator can fix.
                raise SendError(
                    f"SMTP {self._stage} failed at {self._where} for {mid}: {e}",
                    permanent=self._stage == "send",
                ) from None
            except OSError as e:  # refused, timeouts, TLS errors, disconnects (SMTPException too)
                self._drop()
                raise SendError(
                    f"SMTP {self._stage} failed at {self._where} for {mid}: "
                    f"{type(e).__name__}: {e or 'no detail'}",
                    permanent=False,
                ) from None
            except ValueError as e:  # a message smtplib cannot serialise; retrying cannot help
                self._drop()
                # Outside "send" the detail may quote a character of the password (non-ASCII
                # AUTH), so only the exception type is kept.
                detail = str(e) if self._stage == "send" else type(e).__name__
                raise SendError(
                    f"SMTP {self._stage} failed at {self._where} for {mid}: {detail}",
                    permanent=self._stage == "send",
                ) from None
            self._last_used = time.monotonic()
        if refused:
            # The message already reached the accepted recipients: resending would
            # duplicate it for them, so report this as final.
            raise SendError(
                f"SMTP server {self._where} accepted {mid} but refused "
                f"{_describe(refused)}; not retrying, the other recipients already have it",
                permanent=True,
                code=next(iter(refused.values()))[0],
                refused=_decode_refused(refused),
            )

    def _session(self) -> smtplib.SMTP:
        """The open, authenticated session; a new one when there is none, it idled too long,
        or it no longer answers NOOP. Reuse saves a TCP, TLS and AUTH handshake per message."""
        if self._smtp is not None:
            idle = time.monotonic() - self._last_used
            if idle < IDLE_CHECK:
                return self._smtp
            if idle < IDLE_MAX:
                with contextlib.suppress(OSError):
                    if self._smtp.noop()[0] == 250:
                        return self._smtp
            self._drop()
        smtp: smtplib.SMTP | None = None
        try:
            # The host goes to the constructor, not to connect(): smtplib takes the TLS
            # server_hostname from there, and checks the certificate against it.
            if self.scheme == "smtps":
                smtp = smtplib.SMTP_SSL(
                    self.host, self.port, timeout=self.timeout, context=self.ssl_context
                )
            else:
                smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            self._stage = "EHLO"
            smtp.ehlo_or_helo_if_needed()
            if self.scheme == "smtp":
                if smtp.has_extn("starttls"):
                    self._stage = "STARTTLS"
                    smtp.starttls(context=self.ssl_context)
                    smtp.ehlo()
                elif self.username is not None and not is_loopback(self.host):
                    raise SendError(
                        f"SMTP server {self._where} does not offer STARTTLS; refusing to send "
                        "credentials in clear (use smtps:// or a relay that supports STARTTLS)",
                        permanent=False,
                    )
            if self.username is not None:
                self._stage = f"AUTH as {self.username}"
                smtp.login(self.username, self._password)
        except BaseException:
            _close(smtp)
            raise
        self._smtp = smtp
        return smtp

    def _drop(self) -> None:
        _close(self._smtp)
        self._smtp = None

    def close(self) -> None:
        """End the open session politely (on shutdown)."""
        with self._lock:
            if self._smtp is not None:
                with contextlib.suppress(OSError):
                    self._smtp.quit()
            self._drop()


class EmlDirTransport:
    """Writes messages as .eml files, for development and demos without a mail relay.

    Files are named after the Message-ID so a retried send is a no-op (the outbox promises
    each message leaves once), and appear atomically so a reader never sees half a message.
    """

    def __init__(self, directory: Path | str) -> None:
        self.directory = Path(directory)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self.directory)!r})"

    def path_for(self, msg: EmailMessage) -> Path:
        """Where `msg` is (or will be) written; ValueError when it has no Message-ID."""
        message_id = msg.get("Message-ID")
        if message_id is None or not str(message_id).strip():
            raise ValueError("message has no Message-ID; EmlDirTransport names files by it")
        return self.directory / _filename_for(str(message_id))

    def send(self, msg: EmailMessage) -> None:
        path = self.path_for(msg)
        if path.exists():
            return
        data = msg.as_bytes()
        tmp: str | None = None
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".", suffix=".tmp")
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
            tmp = None
            _fsync_dir(self.directory)
        except OSError as e:
            raise SendError(f"could not write {path}: {e}", permanent=False) from e
        finally:
            if tmp is not None:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)


def transport_for(smtp_url: str | None, outbox_dir: Path) -> Transport:
    """Pick the transport from configuration: real SMTP when SMTP_URL is set, files otherwise."""
    if smtp_url and smtp_url.strip():
        try:
            return SmtpTransport(smtp_url.strip())
        except ValueError as e:
            raise ValueError(f"SMTP_URL: {e}") from None
    return EmlDirTransport(outbox_dir)


def is_loopback(host: str) -> bool:
    # Deliberately no DNS: a name that merely resolves to 127.0.0.1 today is not trusted.
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _close(smtp: smtplib.SMTP | None) -> None:
    # No QUIT after a failure: on a hung server it would wait out a second timeout.
    if smtp is not None:
        smtp.close()


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


def _from_reply(what: str, code: int, reply: bytes | str) -> SendError:
    valid = isinstance(code, int) and 200 <= code <= 599
    return SendError(
        f"{what}: {code} {_text(reply)}",
        permanent=valid and code >= 500,
        code=code if valid else None,
    )


def _decode_refused(refused: dict[str, tuple[int, bytes]]) -> dict[str, tuple[int, str]]:
    return {rcpt: (code, _text(reply)) for rcpt, (code, reply) in refused.items()}


def _describe(refused: dict[str, tuple[int, bytes]]) -> str:
    return ", ".join(f"{rcpt} ({code} {_text(reply)})" for rcpt, (code, reply) in refused.items())


def _all_refused(refused: dict[str, tuple[int, bytes]], where: str, mid: str) -> SendError:
    if not refused:
        return SendError(f"{mid} has no recipients (To/Cc/Bcc are empty)", permanent=True)
    codes = [code for code, _ in refused.values()]
    # Nobody got the message, so a retry duplicates nothing; it is only pointless when
    # every refusal is final.
    return SendError(
        f"SMTP server {where} refused every recipient of {mid}: {_describe(refused)}",
        permanent=all(500 <= c <= 599 for c in codes),
        code=codes[0],
        refused=_decode_refused(refused),
    )


_UNSAFE = re.compile(r"[^A-Za-z0-9._@+=-]")


def _filename_for(message_id: str) -> str:
    raw = message_id.strip().removeprefix("<").removesuffix(">").strip()
    if not raw:
        raise ValueError("message has an empty Message-ID")
    safe = _UNSAFE.sub("_", raw)[:150]
    if safe.startswith("."):  # keep clear of hidden files and of our own temp files
        safe = "_" + safe[1:]
    if safe != raw:  # two different IDs must never collapse onto one file
        safe += "-" + hashlib.sha256(raw.encode("utf-8", "surrogateescape")).hexdigest()[:16]
    return safe + ".eml"


def _fsync_dir(directory: Path) -> None:
    # Makes the rename itself durable; not every platform can open a directory.
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
