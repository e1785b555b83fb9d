"""Block Kit for the daily digest: fleet or AM totals, then one section per agent. A message
holds at most 50 blocks, so a very large fleet is cut and says how many were left out."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from bot.readouts import AgentDigest, DayCounts, Digest
from bot.reports import load
from bot.reports.digest import (
    RATE_DAYS,
    age,
    delta,
    digest_text,
    load_line,
    pct,
    worth_naming_reviewers,
)
from handlers.views.limits import FALLBACK_LIMIT, SECTION_LIMIT
from handlers.views.text import clip, esc, mention

MAX_AGENTS = 40  # 40 sections plus the header, totals and footers stay under 50 blocks


def fallback_text(digest: Digest) -> str:
    """The terminal's text of the digest, escaped: it names agents and pause reasons."""
    return clip(esc(digest_text(digest)), FALLBACK_LIMIT)


def _n(d: DayCounts, before: DayCounts, name: str) -> str:
    change = delta(getattr(d, name), getattr(before, name))
    return f"*{getattr(d, name)}*" + (f" ({change})" if change else "")


def _totals(d: DayCounts, before: DayCounts, digest: Digest) -> SectionBlock:
    fields = [
        f"*Drafted*\n{_n(d, before, 'drafted')}",
        f"*Auto-sent / to review*\n{_n(d, before, 'auto_sent')} / {_n(d, before, 'to_review')}",
        f"*Reviewed*\n{_n(d, before, 'reviewed')}",
        f"*Approved / edited / killed*\n{_n(d, before, 'approved')} / "
        f"{_n(d, before, 'edited')} / {_n(d, before, 'killed')}",
        f"*Sent*\n{_n(d, before, 'sent')}",
        f"*Replies*\n{_n(d, before, 'replies')}",
        f"*Open reviews*\n*{digest.open_reviews}*, oldest {age(digest.oldest_open_hours)}",
    ]
    return SectionBlock(fields=[MarkdownTextObject(text=f) for f in fields])


def _reply_targets(digest: Digest) -> list[Block]:
    """'Replies: 7 of 8 answered within target; 1 still open past target' (when any were due)."""
    t = digest.reply_targets
    if not t.due:
        return []
    icon = ":rotating_light: " if t.open_past else ""
    return [SectionBlock(text=MarkdownTextObject(text=f"{icon}*Replies*: {esc(t.line())}"))]


def _load(digest: Digest) -> list[Block]:
    """The review time of the day, and who spent it (reviewers as mentions)."""
    if digest.load is None:
        return []
    text = f"*Review time*: {load_line(digest)}"
    if worth_naming_reviewers(digest):
        text += "\n" + load.reviewers_text(digest.load, mention)
    return [SectionBlock(text=MarkdownTextObject(text=clip(text, SECTION_LIMIT)))]


def agent_text(a: AgentDigest) -> str:
    state = f"_{a.trust}_"
    if a.paused:
        state += " · :double_vertical_bar: *paused*" + (
            f": {esc(a.paused_reason)}" if a.paused_reason else ""
        )
    d, b = a.day, a.before
    lines = [
        f"*{esc(a.name)}* · {state}",
        f"Drafted {_n(d, b, 'drafted')} · auto-sent {_n(d, b, 'auto_sent')} · "
        f"to review {_n(d, b, 'to_review')} · reviewed {_n(d, b, 'reviewed')}: "
        f"approved {_n(d, b, 'approved')}, edited {_n(d, b, 'edited')}, "
        f"killed {_n(d, b, 'killed')}",
    ]
    if a.top_kill_reasons:
        lines.append("Killed for: " + ", ".join(f"{esc(k)} {n}" for k, n in a.top_kill_reasons))
    if a.intents:
        lines.append(
            f"Replies {_n(d, b, 'replies')}: " + ", ".join(f"{esc(k)} {n}" for k, n in a.intents)
        )
    lines.append(
        f"Open reviews *{a.open_reviews}*, oldest {age(a.oldest_open_hours)} · "
        f"bounces {pct(a.bounce_rate)}, complaints {pct(a.complaint_rate)} "
        f"({RATE_DAYS} days)"
    )
    lines += [f":arrows_counterclockwise: {esc(c)}" for c in a.changes[:5]]
    text = "\n".join(lines)
    return clip(text, SECTION_LIMIT)


def digest_blocks(digest: Digest) -> list[Block]:
    who = f" for {mention(digest.owner)}" if digest.owner else ""
    compared = "yesterday" if digest.partial else "the day before"
    blocks: list[Block] = [
        HeaderBlock(text=PlainTextObject(text=digest.title[:150])),
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text=f"{len(digest.agents)} agent{'s' if len(digest.agents) != 1 else ''}"
                    f"{who} · day in {digest.tz} · (±n) compared with {compared}"
                )
            ]
        ),
        _totals(digest.total, digest.total_before, digest),
        *_reply_targets(digest),
        *_load(digest),
        DividerBlock(),
    ]
    for a in digest.agents[:MAX_AGENTS]:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=agent_text(a))))
    more = len(digest.agents) - MAX_AGENTS
    if more > 0:
        blocks.append(
            ContextBlock(
                elements=[
                    MarkdownTextObject(
                        text=f"…and {more} more agents: `twoloop digest` in a terminal shows all."
                    )
                ]
            )
        )
    if not digest.agents:
        blocks.append(SectionBlock(text=MarkdownTextObject(text="No agents yet.")))
    for b in blocks:
        b.validate_json()
    return blocks
