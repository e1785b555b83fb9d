"""Notices are data in `bot/`: Slack renders them with mentions and escapes, the terminal
with names and the text as typed. Neither ever shows the other's markup."""

from __future__ import annotations

import io
from types import SimpleNamespace

from bot.cli import demo
from bot.cli.console import ConsoleHumans
from bot.mail.inbound import replies
from bot.ports import Channel, Notice, User
from bot.review import control
from handlers.commands import run_command
from handlers.views.text import render_notice
from tests.conftest import OPERATOR

HOSTILE = "<!channel> <https://evil.example|Sign in> & more"
SLACK_MARKUP = ("<@", "<#", "&lt;", "&gt;", "&amp;", ":warning:", ":double_vertical_bar:")


def test_render_notice_escapes_text_and_mentions_people():
    notice = Notice.of(User("U0AMDANA01"), " got <!channel> & ", Channel("C0OPS"), tone="warning")
    assert render_notice(notice) == ":warning: <@U0AMDANA01> got &lt;!channel&gt; &amp; <#C0OPS>"
    assert notice.plain() == "@U0AMDANA01 got <!channel> & #C0OPS"
    # Something that is not a user or channel id is shown as text, never as markup.
    assert render_notice(Notice.of(User("<!here>"), Channel("<!here>"))) == "&lt;!here&gt;" * 2


def test_the_demo_prints_no_slack_markup(tmp_path, capsys):
    assert demo.run(tmp_path / "demo") == 0
    out = capsys.readouterr().out
    assert "Review #" in out
    for markup in ("<@", "<#", "&lt;"):
        assert markup not in out


def test_the_console_shows_notices_with_names_and_text_as_typed(rt):
    out = io.StringIO()
    rt.humans = ConsoleHumans(out)
    rt.settings.operator_channel = "C0OPS"
    replies.notify_unmatched(rt, SimpleNamespace(from_addr=HOSTILE, subject=HOSTILE))
    done = control.pause(rt, OPERATOR, "data-platform", HOSTILE)
    for channel, notice in done.notes:
        rt.humans.notify(channel, notice)
    printed = out.getvalue()
    assert printed.count(HOSTILE) >= 2, printed
    assert f"was paused by @{OPERATOR}: {HOSTILE}" in printed
    assert not any(m in printed for m in SLACK_MARKUP), printed


def test_slack_answers_are_rendered_by_handlers(rt):
    """Control returns data; the slash command's answer and the owner's notice are Slack
    text, with the typed reason escaped once and the emoji for the tone."""
    answer = run_command(rt, OPERATOR, f"pause data-platform {HOSTILE}")["text"]
    assert answer.startswith(":double_vertical_bar: Paused `data-platform`: &lt;!channel&gt;")
    [(channel, notice)] = rt.humans.notices
    assert notice.agent_id == "data-platform" and User(OPERATOR) in notice.parts
    assert render_notice(notice).startswith("<@")
    assert "&lt;!channel&gt; &lt;https://evil.example|Sign in&gt; &amp; more" in (
        render_notice(notice)
    )
    refused = run_command(rt, "U0STRANGER9", "resume data-platform")["text"]
    assert f"Operators: <@{OPERATOR}>." in refused
