"""Settings (the one reader of the environment) and the log filter that keeps secrets out."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pytest
from pydantic import SecretStr

from bot import logs
from bot.logs import RedactSecrets, secrets_of
from bot.settings import Settings, SettingsError, load_settings

BOT_TOKEN = "xoxb-1111-2222-abcdefSECRET"
APP_TOKEN = "xapp-1-A0-9999-appSECRET"
SIGNING = "8f14e45fceea167a5a36dedd4bea2543"
SMTP_PASSWORD = "smtpPASSword42"
DB_PASSWORD = "dbPASSword77"
SMTP_URL = f"smtp://mailer:{SMTP_PASSWORD}@relay.example.com:587"
DATABASE_URL = f"postgresql://twoloop:{DB_PASSWORD}@db.internal:5432/twoloop"
OPENAI_KEY = "sk-test-openaiSECRET123"


@pytest.fixture
def env(clean_cwd) -> Path:
    """No settings in the environment, and a working directory of our own (for .env)."""
    return clean_cwd


@pytest.fixture
def full(env, monkeypatch, tmp_path) -> Settings:
    monkeypatch.setenv("TWOLOOP_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("SLACK_APP_TOKEN", APP_TOKEN)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SIGNING)
    monkeypatch.setenv("SMTP_URL", SMTP_URL)
    monkeypatch.setenv("DATABASE_URL", DATABASE_URL)
    monkeypatch.setenv("OPENAI_API_KEY", OPENAI_KEY)
    return load_settings()


SECRETS = (BOT_TOKEN, APP_TOKEN, SIGNING, SMTP_PASSWORD, DB_PASSWORD, OPENAI_KEY)


# --- Settings -------------------------------------------------------------------------------


def test_operators_split_on_commas_with_spaces(env, monkeypatch):
    monkeypatch.setenv("TWOLOOP_OPERATORS", " U0OPS00001 ,U0OPS00002,, U0OPS00003 ")
    assert load_settings().operators == frozenset({"U0OPS00001", "U0OPS00002", "U0OPS00003"})


def test_operators_default_to_nobody(env):
    assert load_settings().operators == frozenset()


def test_defaults_put_everything_under_twoloop_home(env, monkeypatch, tmp_path):
    home = tmp_path / "home"
    monkeypatch.setenv("TWOLOOP_HOME", str(home))
    s = load_settings()
    assert s.home == home
    assert s.db_url == f"sqlite:///{(home / 'twoloop.db').resolve()}"
    assert (s.agents_dir, s.plays_dir, s.data_dir, s.outbox_dir) == (
        home / "agents",
        home / "plays",
        home / "data",
        home / "outbox",
    )
    assert s.database_url is None and s.smtp_url is None and s.slack_bot_token is None
    assert s.review_window_hours == 72
    assert s.public_url == "http://localhost:3000"


def test_database_url_wins_over_the_default(env, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", DATABASE_URL)
    assert load_settings().db_url == DATABASE_URL


def test_dotenv_in_the_working_directory_is_read(env, monkeypatch, tmp_path):
    home = tmp_path / "from-dotenv"
    (env / ".env").write_text(
        f"TWOLOOP_HOME={home}\n"
        "TWOLOOP_OPERATORS=U0DOTENV01, U0DOTENV02\n"
        f"SMTP_URL={SMTP_URL}\n"
        "TWOLOOP_REVIEW_WINDOW_HOURS=12\n"
    )
    s = load_settings()
    assert s.home == home
    assert s.operators == frozenset({"U0DOTENV01", "U0DOTENV02"})
    assert s.secret("smtp_url") == SMTP_URL
    assert s.review_window_hours == 12


def test_environment_wins_over_dotenv(env, monkeypatch):
    (env / ".env").write_text("TWOLOOP_OPERATORS=U0DOTENV01\n")
    monkeypatch.setenv("TWOLOOP_OPERATORS", "U0ENVIRON1")
    assert load_settings().operators == frozenset({"U0ENVIRON1"})


def test_dotenv_elsewhere_is_not_read(env, monkeypatch, tmp_path):
    (env / ".env").write_text("TWOLOOP_OPERATORS=U0DOTENV01\n")
    other = tmp_path / "other"
    other.mkdir()
    monkeypatch.chdir(other)
    assert load_settings().operators == frozenset()


def test_secrets_are_secret_and_never_in_repr(full):
    for name in (
        "slack_bot_token",
        "slack_app_token",
        "slack_signing_secret",
        "smtp_url",
        "database_url",
        "openai_api_key",
    ):
        assert isinstance(getattr(full, name), SecretStr), name
    shown = repr(full) + str(full) + full.model_dump_json()
    for secret in SECRETS:
        assert secret not in shown
    assert full.secret("slack_bot_token") == BOT_TOKEN
    assert full.secret("database_url") == DATABASE_URL
    assert full.db_url == DATABASE_URL


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("SMTP_URL", "http://x", "smtp://"),
        ("SLACK_BOT_TOKEN", "abc", "xoxb-"),
        ("SLACK_APP_TOKEN", "xoxb-123", "xapp-"),
        ("SLACK_API_URL", "slack.example", "http"),
        ("OPENAI_BASE_URL", "localhost:11434", "http"),
        ("TWOLOOP_REVIEW_WINDOW_HOURS", "0", "greater than 0"),
        ("TWOLOOP_REVIEW_WINDOW_HOURS", "soon", "number"),
    ],
)
def test_validation_error_is_one_line_naming_the_variable(env, monkeypatch, name, value, says):
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as info:
        load_settings()
    text = str(info.value)
    assert "\n" not in text
    assert text.startswith(f"{name}: ")
    assert says in text
    assert "Value error" not in text


def test_malformed_secret_is_not_echoed(env, monkeypatch):
    monkeypatch.setenv("SMTP_URL", f"http://mailer:{SMTP_PASSWORD}@relay.example.com")
    with pytest.raises(SettingsError) as info:
        load_settings()
    assert SMTP_PASSWORD not in str(info.value)
    assert str(info.value).startswith("SMTP_URL: ")


def test_require_names_the_missing_variable(env):
    s = load_settings()
    with pytest.raises(SettingsError, match=r"^SLACK_SIGNING_SECRET is not set"):
        s.require("slack_signing_secret")


def test_only_the_documented_variables_are_read(env, monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path / "user-home"))
    monkeypatch.setenv("OPERATORS", "U0INTRUDER")
    s = load_settings()
    assert s.home.resolve() == env.resolve()
    assert s.operators == frozenset()


# --- RedactSecrets --------------------------------------------------------------------------


@pytest.fixture
def captured(full):
    """A logger whose records go through the filter into a string."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    handler.addFilter(RedactSecrets(secrets_of(full)))
    logger = logging.getLogger("tests.redact")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    yield logger, stream
    logger.removeHandler(handler)
    logger.propagate = True


def test_secrets_of_includes_passwords_inside_urls(full):
    found = secrets_of(full)
    for secret in (*SECRETS, SMTP_URL, DATABASE_URL):
        assert secret in found


def test_redacts_secrets_in_the_message(captured):
    logger, stream = captured
    logger.warning(f"token {BOT_TOKEN} secret {SIGNING} app {APP_TOKEN} key {OPENAI_KEY}")
    out = stream.getvalue()
    assert out.startswith("WARNING token *** secret *** app *** key ***")
    for secret in SECRETS:
        assert secret not in out


def test_redacts_secrets_passed_as_percent_args(captured):
    logger, stream = captured
    logger.info("connecting to %s via %s as %r", DATABASE_URL, SMTP_URL, BOT_TOKEN)
    logger.info("password alone: %s, %s", SMTP_PASSWORD, DB_PASSWORD)
    logger.info("mapping: %(sig)s", {"sig": SIGNING})
    out = stream.getvalue()
    for secret in SECRETS:
        assert secret not in out
    assert "connecting to *** via *** as '***'" in out
    assert "password alone: ***, ***" in out
    assert "mapping: ***" in out


def test_password_inside_a_different_url_is_still_redacted(captured):
    logger, stream = captured
    logger.error("smtplib said: 535 auth failed for mailer/%s at other-relay", SMTP_PASSWORD)
    logger.error("dsn=host=db.internal password=%s", DB_PASSWORD)
    out = stream.getvalue()
    assert SMTP_PASSWORD not in out and DB_PASSWORD not in out
    assert "mailer/***" in out and "password=***" in out


def test_clean_records_are_untouched(captured):
    logger, stream = captured
    logger.info("sent %d messages to %s", 3, "ann@example.com")
    assert stream.getvalue() == "INFO sent 3 messages to ann@example.com\n"


def test_filter_with_caplog(full, caplog):
    logger = logging.getLogger("tests.redact.caplog")
    flt = RedactSecrets(secrets_of(full))
    logger.addFilter(flt)
    try:
        with caplog.at_level(logging.INFO, logger="tests.redact.caplog"):
            logger.info("slack %s smtp %s", BOT_TOKEN, SMTP_URL)
    finally:
        logger.removeFilter(flt)
    [record] = caplog.records
    assert record.getMessage() == "slack *** smtp ***"
    assert BOT_TOKEN not in caplog.text and SMTP_PASSWORD not in caplog.text


@pytest.fixture
def keep_logging():
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def test_setup_installs_the_filter_on_the_root_handler(full, keep_logging, capsys):
    logs.setup(full)
    logging.getLogger("tests.setup").warning("token=%s db=%s", BOT_TOKEN, DATABASE_URL)
    err = capsys.readouterr().err
    assert "tests.setup: token=*** db=***" in err
    assert BOT_TOKEN not in err and DB_PASSWORD not in err


def test_redacts_secrets_in_tracebacks(captured):
    logger, stream = captured
    try:
        raise ConnectionError(f"could not connect to {DATABASE_URL}")
    except ConnectionError:
        logger.exception("database is down")
    assert DB_PASSWORD not in stream.getvalue()


def test_redacts_the_decoded_form_of_an_encoded_password(env, monkeypatch):
    monkeypatch.setenv("SMTP_URL", "smtp://mailer:p%40ss%2Fword99@relay.example.com:587")
    s = load_settings()
    flt = RedactSecrets(secrets_of(s))
    record = logging.LogRecord(
        "t", logging.ERROR, __file__, 1, "AUTH with %s", ("p@ss/word99",), None
    )
    flt.filter(record)
    assert "p@ss/word99" not in record.getMessage()
