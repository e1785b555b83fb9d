import os
import socket
import time
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default as default_policy
from email.utils import make_msgid

import pytest

from bot.mail import transport as transport_module
from bot.mail.transport import (
    EmlDirTransport,
    SendError,
    SmtpTransport,
    Transport,
    transport_for,
)


def make_message(to: str = "buyer@example.org", **extra: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "Ana Seller <ana@twoloop.test>"
    msg["To"] = to
    msg["Subject"] = "Quick question about Ärger-free onboarding"
    msg["Message-ID"] = make_msgid(domain="twoloop.test")
    msg["List-Unsubscribe"] = "<https://twoloop.test/u/abc>"
    msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    for name, value in extra.items():
        msg[name.replace("_", "-")] = value
    msg.set_content("Hi Bo,\n\n.a line starting with a dot\nCheers — Ana\n")
    return msg


def smtp(url: str, **kwargs) -> SmtpTransport:
    return SmtpTransport(url, timeout=5, **kwargs)


# --- SMTP ---------------------------------------------------------------------------------


def test_plain_delivery_keeps_headers_and_body(smtp_server):
    msg = make_message(Cc="cc@example.org", Bcc="hidden@example.org")
    smtp(smtp_server.url).send(msg)

    [got] = smtp_server.received
    assert got.mail_from == "ana@twoloop.test"
    assert sorted(got.rcpt_tos) == ["buyer@example.org", "cc@example.org", "hidden@example.org"]
    assert got.auth_login is None and not got.tls
    m = got.message
    assert m["Message-ID"] == msg["Message-ID"]
    assert m["Subject"] == "Quick question about Ärger-free onboarding"
    assert m["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert m["Bcc"] is None  # smtplib strips Bcc from what travels
    assert m.get_content().replace("\r\n", "\n") == msg.get_content()


def test_starttls_and_auth_with_credentials_from_url(smtp_tls_server):
    url = smtp_tls_server.url_with()
    assert "%40" in url and "%2F" in url  # the credentials really are percent-encoded
    t = smtp(url, ssl_context=smtp_tls_server.ssl_context)
    assert t.username == smtp_tls_server.username
    t.send(make_message())

    [got] = smtp_tls_server.received
    assert got.tls
    assert got.auth_login == smtp_tls_server.username


def test_starttls_server_is_not_trusted_without_its_ca(smtp_tls_server):
    with pytest.raises(SendError) as err:
        smtp(smtp_tls_server.url_with()).send(make_message())
    assert not err.value.permanent
    assert "STARTTLS" in str(err.value)
    assert smtp_tls_server.auth_attempts == []  # credentials never sent
    assert smtp_tls_server.messages == []


def test_smtps_implicit_tls_delivery(smtps_server):
    t = smtp(smtps_server.url_with(), ssl_context=smtps_server.ssl_context)
    assert t.port == smtps_server.port
    t.send(make_message())

    [got] = smtps_server.received
    assert got.tls
    assert got.auth_login == smtps_server.username


def test_wrong_password_is_permanent_535(smtp_tls_server):
    url = smtp_tls_server.url_with(password="wrong")
    with pytest.raises(SendError) as err:
        smtp(url, ssl_context=smtp_tls_server.ssl_context).send(make_message())
    assert err.value.permanent
    assert err.value.code == 535
    assert "wrong" not in str(err.value)
    assert smtp_tls_server.messages == []


def test_4xx_on_data_is_transient_then_delivers(smtp_server):
    smtp_server.fail_next(1, code=451)
    t = smtp(smtp_server.url)
    msg = make_message()
    with pytest.raises(SendError) as err:
        t.send(msg)
    assert (err.value.permanent, err.value.code) == (False, 451)
    assert smtp_server.messages == []

    t.send(msg)
    assert [m["Message-ID"] for m in smtp_server.messages] == [msg["Message-ID"]]


def test_5xx_on_data_is_permanent(smtp_server):
    smtp_server.fail_next(1, code=550)
    with pytest.raises(SendError) as err:
        smtp(smtp_server.url).send(make_message())
    assert (err.value.permanent, err.value.code) == (True, 550)
    assert "550" in str(err.value)


def test_refused_recipient_is_named(smtp_server):
    smtp_server.reject_recipient("gone@example.org", 550)
    with pytest.raises(SendError) as err:
        smtp(smtp_server.url).send(make_message(to="gone@example.org"))
    assert (err.value.permanent, err.value.code) == (True, 550)
    assert "gone@example.org" in str(err.value)
    assert set(err.value.refused) == {"gone@example.org"}


def test_partly_refused_is_final_so_nobody_gets_it_twice(smtp_server):
    smtp_server.reject_recipient("gone@example.org", 550)
    with pytest.raises(SendError) as err:
        smtp(smtp_server.url).send(make_message(to="buyer@example.org, gone@example.org"))
    assert err.value.permanent
    assert list(err.value.refused) == ["gone@example.org"]
    assert smtp_server.received[0].rcpt_tos == ["buyer@example.org"]


def test_server_down_is_transient_then_delivers_once(smtp_server):
    t = smtp(smtp_server.url)
    msg = make_message()
    smtp_server.stop()
    with pytest.raises(SendError) as err:
        t.send(msg)
    assert not err.value.permanent
    assert err.value.code is None

    smtp_server.start()
    t.send(msg)
    assert [m["Message-ID"] for m in smtp_server.messages] == [msg["Message-ID"]]


def test_message_without_recipients_is_permanent(smtp_server):
    msg = make_message()
    del msg["To"]
    with pytest.raises(SendError, match="no recipients") as err:
        smtp(smtp_server.url).send(msg)
    assert err.value.permanent


def test_silent_server_times_out_as_transient():
    with socket.socket() as listener:  # accepts the TCP connection, never says hello
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        started = time.monotonic()
        with pytest.raises(SendError) as err:
            SmtpTransport(f"smtp://127.0.0.1:{port}", timeout=0.3).send(make_message())
    assert time.monotonic() - started < 2
    assert not err.value.permanent
    assert "timed out" in str(err.value)


def test_credentials_go_in_clear_only_to_loopback(smtp_server, monkeypatch):
    smtp(smtp_server.url_with()).send(make_message())  # 127.0.0.1: allowed
    assert smtp_server.received[0].auth_login == smtp_server.username

    monkeypatch.setattr(transport_module, "is_loopback", lambda host: False)
    with pytest.raises(SendError) as err:
        smtp(smtp_server.url_with()).send(make_message())
    assert not err.value.permanent
    assert "STARTTLS" in str(err.value)
    assert len(smtp_server.auth_attempts) == 1  # the refused send never tried AUTH
    assert len(smtp_server.messages) == 1


def test_loopback_detection():
    is_loopback = transport_module.is_loopback
    assert is_loopback("127.0.0.1") and is_loopback("127.8.0.1") and is_loopback("::1")
    assert is_loopback("localhost") and is_loopback("LOCALHOST")
    assert not is_loopback("smtp.example.com")
    assert not is_loopback("10.0.0.1")
    assert not is_loopback("localhost.example.com")


def test_url_parsing_and_repr_hide_password():
    t = SmtpTransport("smtp://ana%40twoloop.test:p%40ss%2Fw%3Ard@mail.example.com")
    assert (t.host, t.port, t.username) == ("mail.example.com", 587, "ana@twoloop.test")
    assert t._password == "p@ss/w:rd"
    assert "p%40ss" not in repr(t) and "p@ss" not in repr(t)
    assert repr(t) == "SmtpTransport('smtp://ana%40twoloop.test:***@mail.example.com:587')"

    s = SmtpTransport("smtps://relay.example.com")
    assert (s.port, s.username) == (465, None)
    assert repr(s) == "SmtpTransport('smtps://relay.example.com:465')"
    assert SmtpTransport("smtp://h:2525").port == 2525


@pytest.mark.parametrize(
    "url",
    [
        "smtp://user:ZQX/ZQY@host:587",  # an unescaped '/' ends the netloc early
        "smtp://user:ZQX#ZQY@host",
        "smtp://user:ZQX?ZQY@host",
        "smtp://ZQX@host:ZQY",
        "smtp://:ZQX@",
        "smtp://:ZQX@host",
    ],
)
def test_bad_urls_do_not_echo_the_password(url):
    with pytest.raises(ValueError) as err:
        SmtpTransport(url)
    assert "ZQ" not in str(err.value)


# --- .eml directory ---------------------------------------------------------------------------


def test_eml_dir_writes_one_parseable_file_once(tmp_path):
    outbox = tmp_path / "outbox" / "nested"
    t = EmlDirTransport(outbox)
    msg = make_message()
    t.send(msg)

    files = sorted(os.listdir(outbox))
    assert len(files) == 1 and files[0].endswith(".eml")
    path = outbox / files[0]
    assert path == t.path_for(msg)
    parsed = BytesParser(policy=default_policy).parsebytes(path.read_bytes())
    assert parsed["Message-ID"] == msg["Message-ID"]
    assert parsed.get_content() == msg.get_content()

    before = (path.stat().st_mtime_ns, path.stat().st_ino)
    msg.replace_header("Subject", "changed")
    t.send(msg)  # same Message-ID: nothing written
    assert sorted(os.listdir(outbox)) == files
    assert (path.stat().st_mtime_ns, path.stat().st_ino) == before
    assert "changed" not in path.read_text()


def test_eml_dir_sanitizes_and_keeps_distinct_ids_apart(tmp_path):
    t = EmlDirTransport(tmp_path)
    a, b = make_message(), make_message()
    a.replace_header("Message-ID", "<../../etc/passwd@x>")
    b.replace_header("Message-ID", "<.._.._etc_passwd@x>")
    t.send(a)
    t.send(b)
    names = sorted(os.listdir(tmp_path))
    assert len(names) == 2
    assert all("/" not in n and not n.startswith(".") for n in names)


def test_eml_dir_requires_message_id(tmp_path):
    msg = make_message()
    del msg["Message-ID"]
    with pytest.raises(ValueError, match="Message-ID"):
        EmlDirTransport(tmp_path).send(msg)
    assert list(tmp_path.iterdir()) == []


def test_eml_dir_leaves_no_temp_file_when_write_fails(tmp_path, monkeypatch):
    def boom(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(transport_module.os, "replace", boom)
    with pytest.raises(SendError) as err:
        EmlDirTransport(tmp_path).send(make_message())
    assert not err.value.permanent
    assert list(tmp_path.iterdir()) == []


# --- choosing -------------------------------------------------------------------------------


def test_transport_for_picks_by_config(tmp_path):
    eml = transport_for(None, tmp_path)
    assert isinstance(eml, EmlDirTransport) and eml.directory == tmp_path
    assert isinstance(transport_for("", tmp_path), EmlDirTransport)
    assert isinstance(transport_for("smtp://relay.example.com", tmp_path), SmtpTransport)
    assert isinstance(transport_for("smtps://u:p@relay.example.com", tmp_path), SmtpTransport)
    assert isinstance(eml, Transport)


def test_transport_for_rejects_other_schemes(tmp_path):
    with pytest.raises(ValueError, match="SMTP_URL"):
        transport_for("http://user:hunter2@example.com", tmp_path)
    with pytest.raises(ValueError) as err:
        transport_for("http://user:hunter2@example.com", tmp_path)
    assert "hunter2" not in str(err.value)
