"""Block Kit text objects and blocks from a template of ours and pieces of outside text
(escaped and cut by `handlers.views.text.md`)."""

from __future__ import annotations

from slack_sdk.models.blocks import ContextBlock, MarkdownTextObject, PlainTextObject, SectionBlock

from handlers.views.limits import HEADER_LIMIT, SECTION_LIMIT
from handlers.views.text import Cut, md


def text(
    template: str, *outside: object, limit: int = SECTION_LIMIT, cut: Cut | None = None
) -> MarkdownTextObject:
    """A mrkdwn text object; `verbatim`, so Slack does not turn a prospect's "@channel" or
    bare URL into a mention or a link either."""
    return MarkdownTextObject(text=md(template, *outside, limit=limit, cut=cut), verbatim=True)


def plain(
    template: str, *outside: object, limit: int = HEADER_LIMIT, cut: Cut | None = None
) -> PlainTextObject:
    return PlainTextObject(text=md(template, *outside, limit=limit, cut=cut), emoji=False)


def section(
    template: str, *outside: object, limit: int = SECTION_LIMIT, cut: Cut | None = None
) -> SectionBlock:
    return SectionBlock(text=text(template, *outside, limit=limit, cut=cut))


def context(template: str, *outside: object, cut: Cut | None = None) -> ContextBlock:
    return ContextBlock(elements=[text(template, *outside, cut=cut)])
