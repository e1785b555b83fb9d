"""The one place for Slack text: escaping, mentions, notices, and cutting outside text to a
limit without breaking an escaped entity.

Every piece of outside text (a prospect's words, names, subjects, signal summaries) goes
through `md` (or `esc`): escaped, so `<!channel>` or `<https://evil|Sign in>` is shown as
typed and never acts, and shortened to Slack's limit for where it stands."""

from __future__ import annotations

import re

from bot.ports import CardRef, Channel, Notice, Tone, User
from handlers.views.limits import SECTION_LIMIT

MORE = "…"


USER_ID = re.compile(r"[UW][A-Z0-9]{2,}")
CHANNEL_ID = re.compile(r"[CGD][A-Z0-9]{2,}")


def mention(user: str) -> str:
    """A mention for a chat user id; anything else (an owner typed into a CSV or a CRM) is
    escaped text, so it can never become markup."""
    return f"<@{user}>" if USER_ID.fullmatch(user) else esc(user) or "someone"


def channel_mention(channel: str) -> str:
    return f"<#{channel}>" if CHANNEL_ID.fullmatch(channel) else esc(channel)


def esc(text: str) -> str:
    """Slack mrkdwn treats &, < and > as control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


TONE_EMOJI: dict[Tone, str] = {
    "info": "",
    "warning": ":warning:",
    "alarm": ":rotating_light:",
    "failed": ":x:",
    "paused": ":double_vertical_bar:",
    "resumed": ":arrow_forward:",
    "promoted": "",  # the owner's trust notice says it in words
    "demoted": "",
}


def render_notice(notice: Notice, links: dict[CardRef, str] | None = None) -> str:
    """A notice as Slack text: every text part escaped (a sender's `<!channel>` is shown,
    never acts), people and channels as mentions, a card as a link to it (`links`: the
    permalinks Slack gave) or as its channel, the tone as an emoji."""
    body = "".join(_notice_part(p, links or {}) for p in notice.parts)
    icon = TONE_EMOJI.get(notice.tone, "")
    return f"{icon} {body}" if icon else body


def _notice_part(part: str | User | Channel | CardRef, links: dict[CardRef, str]) -> str:
    if isinstance(part, CardRef):
        url = links.get(part, "")
        if url.startswith("https://") and not any(c in url for c in "|<> "):
            return f"<{esc(url)}|review #{part.review_id}>"
        return f"review #{part.review_id} in {channel_mention(part.channel)}"
    if isinstance(part, User):
        return mention(part.id)
    if isinstance(part, Channel):
        return channel_mention(part.id)
    return esc(part)


def safe_end(text: str, n: int) -> int:
    """`n`, moved back so that text[:n] does not end inside an &amp;/&lt;/&gt; entity."""
    amp = text.rfind("&", max(0, n - 4), n)
    return amp if amp != -1 and ";" not in text[amp:n] else n


def clip(escaped: str, limit: int) -> str:
    """Escaped text in at most `limit` characters, cut with '…' (never inside an entity)."""
    if len(escaped) <= limit:
        return escaped
    return escaped[: safe_end(escaped, max(limit - 1, 0))] + MORE


class Cut:
    """Remembers whether any text of one card was shortened: the card then offers the whole."""

    def __init__(self) -> None:
        self.any = False


def md(template: str, *outside: object, limit: int = SECTION_LIMIT, cut: Cut | None = None) -> str:
    """`template` is ours (mrkdwn, one `{}` per piece of outside text); each piece is escaped,
    and the longest ones are shortened until the whole fits `limit`, so the template's own
    markup (a closing ``` for one) always survives."""
    pieces = template.split("{}")
    if len(pieces) != len(outside) + 1:
        raise ValueError(f"md: {len(pieces) - 1} placeholders for {len(outside)} values")
    parts = [esc(str(p)) for p in outside]
    fixed = sum(map(len, pieces))
    while parts and fixed + sum(map(len, parts)) > limit:
        i = max(range(len(parts)), key=lambda k: len(parts[k]))
        if len(parts[i]) <= 1:
            break
        parts[i] = clip(parts[i], max(len(parts[i]) - (fixed + sum(map(len, parts)) - limit), 1))
        if cut is not None:
            cut.any = True
    out = pieces[0] + "".join(p + after for p, after in zip(parts, pieces[1:], strict=True))
    return clip(out, limit)


def chunks(text: str, size: int) -> list[str]:
    """Split on line ends so a long body stays readable across sections (and never inside an
    escaped entity)."""
    out, current = [], ""
    for line in text.splitlines(keepends=True):
        while len(line) > size:
            room = safe_end(line, size - len(current))
            if room <= 0:
                out.append(current)
                current = ""
                continue
            out.append(current + line[:room])
            line, current = line[room:], ""
        if len(current) + len(line) > size:
            out.append(current)
            current = ""
        current += line
    if current.strip():
        out.append(current)
    return out
