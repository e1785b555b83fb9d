"""Real SMTP servers on 127.0.0.1 for tests (a pytest plugin loaded by tests/conftest.py).

Mocking smtplib would only test our guesses about SMTP; aiosmtpd speaks the real protocol,
STARTTLS and AUTH included, so the transport is exercised the way a relay will exercise it.

Fixtures:
- `smtp_server`: plain SMTP; AUTH LOGIN/PLAIN offered but optional.
- `smtp_tls_server`: STARTTLS required, then AUTH required (what a submission relay does).
- `smtps_server`: implicit TLS (smtps://); AUTH offered, optional.
- `smtp_tls_certs`: the throwaway CA and server certificate the TLS servers use.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email
import email.policy
import ipaddress
import ssl
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import quote

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

HOST = "127.0.0.1"


@dataclass
class Received:
    """One message as the server got it: envelope, parsed message and session facts."""

    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    raw: bytes
    auth_login: str | None
    tls: bool


@dataclass
class TlsCerts:
    """A CA that tests trust and a server certificate it signed for 127.0.0.1/localhost."""

    ca_path: Path
    cert_path: Path
    key_path: Path

    def client_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.ca_path))

    def server_context(self) -> ssl.SSLContext:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(str(self.cert_path), str(self.key_path))
        return ctx


@dataclass
class _Handler:
    username: str | None
    password: str | None
    received: list[Received] = field(default_factory=list)
    auth_attempts: list[tuple[str, bool]] = field(default_factory=list)
    failures: list[tuple[int, str]] = field(default_factory=list)
    rejected_rcpt: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    data_delay: float = 0.0  # seconds to sit on each DATA before answering (a slow relay)
    data_seen: threading.Event = field(default_factory=threading.Event)

    def authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        ok = (
            isinstance(auth_data, LoginPassword)
            and self.username is not None
            and auth_data.login.decode() == self.username
            and auth_data.password.decode() == self.password
        )
        login = auth_data.login.decode() if isinstance(auth_data, LoginPassword) else "?"
        self.auth_attempts.append((login, ok))
        if ok:
            return AuthResult(success=True, auth_data=auth_data)
        return AuthResult(success=False, handled=False)  # aiosmtpd answers 535

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        code = self.rejected_rcpt.get(address.lower())
        if code is not None:
            return f"{code} {_enhanced(code)} No such user (simulated)"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.data_seen.set()
        if self.data_delay:
            await asyncio.sleep(self.data_delay)
        with self.lock:
            failure = self.failures.pop(0) if self.failures else None
        if failure is not None:
            code, text = failure
            return f"{code} {_enhanced(code)} {text}"
        raw = envelope.original_content or envelope.content
        assert isinstance(raw, bytes)
        auth = session.auth_data
        self.received.append(
            Received(
                mail_from=envelope.mail_from,
                rcpt_tos=list(envelope.rcpt_tos),
                message=email.message_from_bytes(raw, policy=email.policy.default),
                raw=raw,
                auth_login=auth.login.decode() if isinstance(auth, LoginPassword) else None,
                tls=server.transport.get_extra_info("ssl_object") is not None,
            )
        )
        return "250 2.0.0 OK queued"


def _enhanced(code: int) -> str:
    return "4.3.0" if code < 500 else "5.7.1"


class _Controller(Controller):
    """Binds port 0 and learns the real port, so parallel test runs never race for one."""

    def _trigger_server(self):
        if self.port == 0 and self.server is not None:
            self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


class SmtpServer:
    """A restartable aiosmtpd server; what it received survives stop()/start()."""

    def __init__(
        self,
        *,
        scheme: str = "smtp",
        username: str | None = "user@example.com",
        password: str | None = "s3cret pa:ss/word",
        starttls_context: ssl.SSLContext | None = None,
        implicit_tls_context: ssl.SSLContext | None = None,
        client_ssl_context: ssl.SSLContext | None = None,
        require_auth: bool = False,
    ) -> None:
        self.scheme = scheme
        self.host = HOST
        self.port = 0
        self.username = username
        self.password = password
        self.ssl_context = client_ssl_context
        self._handler = _Handler(username, password)
        self._implicit_tls_context = implicit_tls_context
        self._smtp_kwargs: dict = {
            "server_hostname": "localhost",
            "authenticator": self._handler.authenticate,
            "auth_required": require_auth,
            # aiosmtpd only counts STARTTLS as TLS, so it must be told AUTH is fine
            # without it on plain (loopback tests) and implicit-TLS servers.
            "auth_require_tls": starttls_context is not None,
        }
        if starttls_context is not None:
            self._smtp_kwargs.update(tls_context=starttls_context, require_starttls=True)
        self._controller: _Controller | None = None

    @property
    def url(self) -> str:
        """URL without credentials."""
        return f"{self.scheme}://{self.host}:{self.port}"

    def url_with(self, username: str | None = None, password: str | None = None) -> str:
        """URL with (by default, the server's own) credentials, percent-encoded."""
        user = quote(username if username is not None else self.username or "", safe="")
        pw = quote(password if password is not None else self.password or "", safe="")
        return f"{self.scheme}://{user}:{pw}@{self.host}:{self.port}"

    @property
    def received(self) -> list[Received]:
        return self._handler.received

    @property
    def messages(self) -> list[EmailMessage]:
        return [r.message for r in self._handler.received]

    @property
    def auth_attempts(self) -> list[tuple[str, bool]]:
        """(login, succeeded) for every AUTH the server saw."""
        return self._handler.auth_attempts

    @property
    def running(self) -> bool:
        return self._controller is not None

    def fail_next(self, n: int = 1, code: int = 451, text: str = "Simulated failure") -> None:
        """Answer the next `n` DATA commands with `code` instead of accepting the message."""
        with self._handler.lock:
            self._handler.failures.extend([(code, text)] * n)

    def slow_data(self, seconds: float) -> threading.Event:
        """Hold each DATA for `seconds` before accepting; the event is set when one arrives."""
        self._handler.data_delay = seconds
        self._handler.data_seen.clear()
        return self._handler.data_seen

    def reject_recipient(self, address: str, code: int = 550) -> None:
        """Refuse RCPT TO:`address` with `code` from now on."""
        self._handler.rejected_rcpt[address.lower()] = code

    def start(self) -> None:
        if self._controller is not None:
            return
        # A stopped Controller has closed its event loop, so each start needs a new one.
        controller = _Controller(
            self._handler,
            hostname=self.host,
            port=self.port,
            ssl_context=self._implicit_tls_context,
            ready_timeout=5,
            **self._smtp_kwargs,
        )
        controller.start()
        self.port = controller.port
        self._controller = controller

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __repr__(self) -> str:
        return f"<SmtpServer {self.url} running={self.running}>"


def _make_certs(directory: Path) -> TlsCerts:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    # OpenSSL checks validity on the real clock, which the test process's may be moved from
    # (TWOLOOP_TEST_NOW): valid over any date a run may use.
    valid = {
        "not_valid_before": dt.datetime(2000, 1, 1, tzinfo=dt.UTC),
        "not_valid_after": dt.datetime(2100, 1, 1, tzinfo=dt.UTC),
    }

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Twoloop test CA")])
    ca_ski = x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key())
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(valid["not_valid_before"])
        .not_valid_after(valid["not_valid_after"])
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_cert_sign=True,
                crl_sign=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(ca_ski, critical=False)
        .sign(ca_key, hashes.SHA256())
    )

    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(valid["not_valid_before"])
        .not_valid_after(valid["not_valid_after"])
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address(HOST))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )

    pem = serialization.Encoding.PEM
    certs = TlsCerts(directory / "ca.pem", directory / "server.pem", directory / "server.key")
    certs.ca_path.write_bytes(ca_cert.public_bytes(pem))
    certs.cert_path.write_bytes(cert.public_bytes(pem))
    certs.key_path.write_bytes(
        key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return certs


@pytest.fixture(scope="session")
def smtp_tls_certs(tmp_path_factory: pytest.TempPathFactory) -> TlsCerts:
    return _make_certs(tmp_path_factory.mktemp("smtp-tls"))


def _serve(server: SmtpServer):
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def smtp_server():
    yield from _serve(SmtpServer())


@pytest.fixture
def smtp_tls_server(smtp_tls_certs: TlsCerts):
    yield from _serve(
        SmtpServer(
            starttls_context=smtp_tls_certs.server_context(),
            client_ssl_context=smtp_tls_certs.client_context(),
            require_auth=True,
        )
    )


@pytest.fixture
def smtps_server(smtp_tls_certs: TlsCerts):
    yield from _serve(
        SmtpServer(
            scheme="smtps",
            implicit_tls_context=smtp_tls_certs.server_context(),
            client_ssl_context=smtp_tls_certs.client_context(),
        )
    )
