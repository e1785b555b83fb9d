"""Block Kit for the App Home tab: open reviews with the same buttons as their cards (so a
click on Home decides), the user's agents today, and the last 7 days. A Home view holds at
most 100 blocks: the lists are capped and say how many more there are."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.ports import Card, PlayCard, ProposalCard, ReplyCard
from bot.readouts import DayCounts
from bot.reports.digest import pct
from bot.reports.home import Home
from handlers.ids import BUTTONS_BLOCK
from handlers.views.cards import card_blocks
from handlers.views.limits import SECTION_LIMIT, VIEW_BLOCKS
from handlers.views.text import channel_mention, md, mention

MAX_AGENTS = 25


def _summary(card: Card) -> str:
    if isinstance(card, PlayCard):
        text = md("*Play for approval:* {} · _{}_", card.play_name, card.agent_name, limit=600)
    elif isinstance(card, ProposalCard):
        text = md("*Proposed change:* {} · _{}_", card.summary, card.agent_name, limit=900)
    elif isinstance(card, ReplyCard):
        text = md(
            "*Reply* from *{}* ({}) · _{}_\n{} · read as {}",
            card.contact_name or card.from_addr,
            card.account or "—",
            card.agent_name,
            card.their_subject,
            card.intent.replace("_", " "),
            limit=1200,
        )
        if card.target:
            text += md(
                "\n:rotating_light: *{}*" if card.overdue else "\n:stopwatch: {}", card.target
            )
    else:
        text = md(
            "*{}* · {}, {} · _{}_\n{}",
            card.account,
            card.contact_name,
            card.contact_title,
            card.agent_name,
            card.subject,
            limit=1200,
        )
        if card.reasons:
            text += md("\n_{}_", "; ".join(card.reasons), limit=300)
    where = channel_mention(card.channel)
    return text + f"\nreview #{card.review_id}" + (f" · card in {where}" if where else "")


def _actions(card: Card) -> ActionsBlock | None:
    """The card's own buttons: same action ids and values, so Home decides like the card."""
    return next(
        (
            b
            for b in card_blocks(card)
            if isinstance(b, ActionsBlock) and (b.block_id or "").startswith(BUTTONS_BLOCK)
        ),
        None,
    )


def _counts(d: DayCounts) -> str:
    return (
        f"drafted {d.drafted} · auto-sent {d.auto_sent} · to review {d.to_review} · "
        f"approved {d.approved} · edited {d.edited} · killed {d.killed} · sent {d.sent}"
    )


def _elsewhere(home: Home) -> list[Block]:
    """Your agents' reviews that the accounts' owners decide: one section, to see, not decide."""
    if not home.elsewhere:
        return []
    lines = [f"*Your agents' reviews with other AMs: {home.elsewhere_total}*"]
    for e in home.elsewhere:
        where = channel_mention(e.channel)
        lines.append(
            f"• #{e.review_id} "
            + ("" if e.kind == "draft" else f"_{e.kind}_ ")
            + md("_{}_ → {}: {}", e.agent_name, e.account or "—", e.subject, limit=300)
            + f" · {mention(e.owner)} decides"
            + (f" in {where}" if where else "")
            + f" ({e.age_hours:g} h)"
        )
    more = home.elsewhere_total - len(home.elsewhere)
    if more > 0:
        lines.append(f"…and {more} more.")
    text = "\n".join(lines)
    return [DividerBlock(), SectionBlock(text=MarkdownTextObject(text=text[:SECTION_LIMIT]))]


def home_view(home: Home) -> View:
    whose = "Open reviews (all agents)" if home.operator else "Your open reviews"
    blocks: list[Block] = [HeaderBlock(text=PlainTextObject(text="Twoloop"))]
    if home.notice:
        # a refusal_text: escaped where it carries outside text
        blocks.append(SectionBlock(text=MarkdownTextObject(text=f":warning: {home.notice}"[:2900])))
    blocks.append(
        SectionBlock(
            text=MarkdownTextObject(
                text=f"*{whose}: {home.open_total}*"
                + ("" if home.open_total else f"\nNothing waiting on {mention(home.user)}.")
            )
        )
    )
    for card in home.cards:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=_summary(card))))
        actions = _actions(card)
        if actions is not None:
            blocks.append(actions)
    more = home.open_total - len(home.cards)
    if more > 0:
        blocks.append(
            ContextBlock(
                elements=[
                    MarkdownTextObject(
                        text=f"…and {more} more (the most urgent are listed first); decide "
                        "these and Home shows the next ones (or see the cards in your review "
                        "channels)."
                    )
                ]
            )
        )
    blocks += _elsewhere(home)
    blocks += [
        DividerBlock(),
        SectionBlock(
            text=MarkdownTextObject(text="*Agents today*" if home.agents else "*No agents yet*")
        ),
    ]
    for a in home.agents[:MAX_AGENTS]:
        state = md("_{}_", a.trust)
        if a.paused:
            state += " · :double_vertical_bar: *paused*" + (
                md(": {}", a.paused_reason, limit=1000) if a.paused_reason else ""
            )
        text = md("*{}* · ", a.name, limit=300) + (
            f"{state}\n{_counts(a.today)}\n"
            f"open reviews {a.open_reviews} · bounces {pct(a.bounce_rate)} (7 days)"
        )
        blocks.append(SectionBlock(text=MarkdownTextObject(text=text[:SECTION_LIMIT])))
    if len(home.agents) > MAX_AGENTS:
        blocks.append(
            ContextBlock(
                elements=[
                    MarkdownTextObject(
                        text=f"…and {len(home.agents) - MAX_AGENTS} more agents "
                        "(`/twoloop status` lists all)."
                    )
                ]
            )
        )
    w = home.week
    blocks += [
        DividerBlock(),
        SectionBlock(
            text=MarkdownTextObject(text="*Last 7 days*"),
            fields=[
                MarkdownTextObject(text=f"*Drafted*\n{w.drafted}"),
                MarkdownTextObject(text=f"*Auto-sent / to review*\n{w.auto_sent} / {w.to_review}"),
                MarkdownTextObject(text=f"*Approved / edited*\n{w.approved} / {w.edited}"),
                MarkdownTextObject(text=f"*Killed*\n{w.killed}"),
                MarkdownTextObject(text=f"*Sent*\n{w.sent}"),
                MarkdownTextObject(text=f"*Replies*\n{w.replies}"),
            ],
        ),
        ContextBlock(elements=[MarkdownTextObject(text=f"Days in {home.tz}.")]),
    ]
    if len(blocks) > VIEW_BLOCKS:  # the caps above keep it under; never publish a refusal
        blocks = blocks[: VIEW_BLOCKS - 2] + blocks[-2:]
    view = View(type="home", blocks=blocks)
    view.validate_json()
    return view
