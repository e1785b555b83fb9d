"""Block Kit for review cards and their modals, built with slack_sdk's model classes so that
Slack's limits (text lengths, block counts) are checked when a card is built, not by Slack."""

from __future__ import annotations

import json
from datetime import date, timedelta

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    ContextBlock,
    DatePickerElement,
    DividerBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.cards import outcome_text, path_text, scores_text
from bot.decisions import KILL_REASONS
from bot.ports import Card, PlayCard, ReplyCard, ReviewCard
from bot.triage import INTENTS

APPROVE, EDIT, DEFER, KILL = "review_approve", "review_edit", "review_defer", "review_kill"
EDIT_VIEW, DEFER_VIEW, KILL_VIEW = "review_edit_modal", "review_defer_modal", "review_kill_modal"
SEND_REPLY, REPLY_EDIT, TAKE_OVER, RECLASSIFY = (
    "reply_send",
    "reply_edit",
    "reply_take_over",
    "reply_reclassify",
)
REPLY_EDIT_VIEW, RECLASSIFY_VIEW = "reply_edit_modal", "reply_reclassify_modal"
SECTION_LIMIT = 3000  # characters in one section's text


def mention(user: str) -> str:
    return f"<@{user}>" if user and user[0] in "UW" else user or "someone"


def esc(text: str) -> str:
    """Slack mrkdwn treats &, < and > as control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def button_value(card: Card) -> str:
    return f"{card.review_id}:{card.content_hash}"


def parse_value(value: str) -> tuple[int, str]:
    review_id, _, content_hash = value.partition(":")
    return int(review_id), content_hash


def chunks(text: str, size: int) -> list[str]:
    """Split on line ends so a long body stays readable across sections."""
    out, current = [], ""
    for line in text.splitlines(keepends=True):
        while len(line) > size:
            out.append(current + line[: size - len(current)])
            line, current = line[size - len(current) :], ""
        if len(current) + len(line) > size:
            out.append(current)
            current = ""
        current += line
    if current.strip():
        out.append(current)
    return out


def fallback_text(card: Card) -> str:
    if isinstance(card, PlayCard):
        return f"Play for approval: {card.play_name} ({card.agent_name})"
    if isinstance(card, ReplyCard):
        return f"Reply from {card.contact_name or card.from_addr}: {card.their_subject}"
    return f"Review: {card.agent_name} → {card.contact_name} at {card.account}: {card.subject}"


def card_blocks(card: Card) -> list[Block]:
    if isinstance(card, PlayCard):
        return play_blocks(card)
    if isinstance(card, ReplyCard):
        return reply_blocks(card)
    return review_blocks(card)


def reply_blocks(card: ReplyCard) -> list[Block]:
    """A reply that needs a person: what they wrote, how we read it, what we suggest."""
    who = f"{card.contact_name}, {card.contact_title}" if card.contact_name else card.from_addr
    read = f"*Read as* {card.intent.replace('_', ' ')} ({card.confidence:.0%} sure)"
    if card.triggers:
        read += " · *escalation:* " + ", ".join(t.replace("_", " ") for t in card.triggers)
    if card.rationale:
        read += f"\n_{esc(card.rationale)}_"
    blocks: list[Block] = [
        HeaderBlock(text=PlainTextObject(text=f"Reply: {who}"[:150])),
        SectionBlock(
            fields=[
                MarkdownTextObject(text=f"*Account*\n{esc(card.account) or '—'}"),
                MarkdownTextObject(text=f"*Agent*\n{esc(card.agent_name)}"),
            ]
        ),
        SectionBlock(
            text=MarkdownTextObject(
                text=f"*They wrote* ({esc(card.their_subject)}):\n```{esc(card.their_text)}```"[
                    :SECTION_LIMIT
                ]
            )
        ),
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text=f"In reply to our \u201c{esc(card.our_subject)}\u201d: "
                    f"{esc(card.our_body[:280])}"[:SECTION_LIMIT]
                )
            ]
        ),
        SectionBlock(text=MarkdownTextObject(text=read[:SECTION_LIMIT])),
        SectionBlock(
            text=MarkdownTextObject(
                text=("*Why a person*\n" + "\n".join(f"• {esc(r)}" for r in card.reasons))[
                    :SECTION_LIMIT
                ]
            )
        ),
    ]
    if card.handled:
        blocks.append(
            ContextBlock(elements=[MarkdownTextObject(text=f"*Already done:* {esc(card.handled)}")])
        )
    blocks.append(
        SectionBlock(
            text=MarkdownTextObject(
                text=f"*Suggested reply*\n```{esc(card.suggestion)}```"[:SECTION_LIMIT]
            )
        )
    )
    if card.status == "open":
        value = button_value(card)
        blocks += [
            ActionsBlock(
                block_id=f"review:{card.review_id}",
                elements=[
                    ButtonElement(
                        text="Send reply",
                        action_id=SEND_REPLY,
                        value=value,
                        style="primary",
                        confirm=ConfirmObject(
                            title="Send this reply?",
                            text="The suggested reply goes out now, in the same thread.",
                            confirm="Send",
                            deny="Cancel",
                        ),
                    ),
                    ButtonElement(text="Edit", action_id=REPLY_EDIT, value=value),
                    ButtonElement(
                        text="Take over",
                        action_id=TAKE_OVER,
                        value=value,
                        confirm=ConfirmObject(
                            title="Take over this thread?",
                            text="The agent stops on "
                            "this thread for good; you answer from your own mailbox.",
                            confirm="Take over",
                            deny="Cancel",
                        ),
                    ),
                    ButtonElement(text="Reclassify", action_id=RECLASSIFY, value=value),
                ],
            ),
            _footer(card),
        ]
    else:
        blocks.append(_outcome(card))
    return _validated(blocks)


def _footer(card: Card) -> ContextBlock:
    return ContextBlock(
        elements=[
            MarkdownTextObject(
                text=f"For {mention(card.owner)} · expires "
                f"<!date^{int(card.expires_at.timestamp())}^{{date_short_pretty}} "
                f"{{time}}|{card.expires_at:%Y-%m-%d %H:%M} UTC> · review #{card.review_id}"
            )
        ]
    )


def _outcome(card: Card) -> SectionBlock:
    return SectionBlock(
        text=MarkdownTextObject(text=f"*{esc(outcome_text(card, mention(card.decided_by)))}*")
    )


def _validated(blocks: list[Block]) -> list[Block]:
    for b in blocks:
        b.validate_json()
    return blocks


def play_blocks(card: PlayCard) -> list[Block]:
    """A play is a pattern: show the template, what triggers it, and real sample drafts."""
    audience = "current customers too" if card.targets_customers else "prospects only"
    blocks: list[Block] = [
        HeaderBlock(text=PlainTextObject(text=f"Play for approval: {card.play_name}"[:150])),
        SectionBlock(
            text=MarkdownTextObject(
                text=f"*{esc(card.agent_name)}* wants to use the play `{card.play_id}`.\n"
                f"*Triggered by:* {', '.join(k.replace('_', ' ') for k in card.trigger)} · "
                f"*Audience:* {audience}\nUntil it is approved, no agent drafts with it."
            )
        ),
        SectionBlock(
            text=MarkdownTextObject(
                text=f"*Template*\n*Subject:* {esc(card.subject_template)}\n"
                f"```{esc(card.body_template)[: SECTION_LIMIT - 60]}```"
            )
        ),
    ]
    for n, sample in enumerate(card.samples, 1):
        blocks.append(DividerBlock())
        text = (
            f"*Sample {n}* to {esc(sample.to)}\n*Subject:* {esc(sample.subject)}\n"
            f"```{esc(sample.body)}```"
        )
        blocks.append(SectionBlock(text=MarkdownTextObject(text=text[:SECTION_LIMIT])))
    if not card.samples:
        blocks.append(
            ContextBlock(
                elements=[
                    MarkdownTextObject(
                        text="No candidate matches this play yet, so there are no samples."
                    )
                ]
            )
        )
    if card.status == "open":
        value = button_value(card)
        blocks += [
            ActionsBlock(
                block_id=f"review:{card.review_id}",
                elements=[
                    ButtonElement(text="Approve", action_id=APPROVE, value=value, style="primary"),
                    ButtonElement(text="Kill", action_id=KILL, value=value, style="danger"),
                ],
            ),
            _footer(card),
        ]
    else:
        blocks.append(_outcome(card))
    return _validated(blocks)


def review_blocks(card: ReviewCard) -> list[Block]:
    p, c = scores_text(card)
    why = [f"• {esc(s)}" for s in card.signals] + [f"↳ {esc(path_text(x))}" for x in card.paths]
    blocks: list[Block] = [
        HeaderBlock(text=PlainTextObject(text=f"Review: {card.agent_name}"[:150])),
        SectionBlock(
            fields=[
                MarkdownTextObject(text=f"*Account*\n{esc(card.account)}"),
                MarkdownTextObject(
                    text=f"*Contact*\n{esc(card.contact_name)}, {esc(card.contact_title)}"
                ),
            ]
        ),
        SectionBlock(text=MarkdownTextObject(text=("*Why*\n" + "\n".join(why))[:SECTION_LIMIT])),
        DividerBlock(),
        SectionBlock(
            text=MarkdownTextObject(text=f"*Subject:* {esc(card.subject)}"[:SECTION_LIMIT])
        ),
    ]
    for part in chunks(esc(card.body), SECTION_LIMIT - 10):
        blocks.append(SectionBlock(text=MarkdownTextObject(text=f"```{part}```")))
    for n, (days, body) in enumerate(card.followups, 1):
        text = f"*Follow-up {n}*, {days} days later if no reply:\n```{esc(body)}```"
        blocks.append(SectionBlock(text=MarkdownTextObject(text=text[:SECTION_LIMIT])))
    blocks += [
        DividerBlock(),
        ContextBlock(
            elements=[
                MarkdownTextObject(text=esc(p)),
                MarkdownTextObject(text=esc(c)),
                MarkdownTextObject(text=f"config v{card.config_version}"),
            ]
        ),
        SectionBlock(
            text=MarkdownTextObject(
                text=("*Why a human*\n" + "\n".join(f"• {esc(r)}" for r in card.reasons))[
                    :SECTION_LIMIT
                ]
            )
        ),
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text=("*Relationship* · " + " · ".join(esc(x) for x in card.relationship))[
                        :SECTION_LIMIT
                    ]
                )
            ]
        ),
    ]
    if card.status == "open":
        value = button_value(card)
        blocks += [
            ActionsBlock(
                block_id=f"review:{card.review_id}",
                elements=[
                    ButtonElement(text="Approve", action_id=APPROVE, value=value, style="primary"),
                    ButtonElement(text="Edit", action_id=EDIT, value=value),
                    ButtonElement(text="Defer", action_id=DEFER, value=value),
                    ButtonElement(text="Kill", action_id=KILL, value=value, style="danger"),
                ],
            ),
            _footer(card),
        ]
    else:
        blocks.append(_outcome(card))
    return _validated(blocks)


def _meta(card: ReviewCard) -> str:
    return json.dumps({"r": card.review_id, "h": card.content_hash, "c": card.channel})


def parse_meta(raw: str) -> tuple[int, str, str]:
    data = json.loads(raw)
    return int(data["r"]), str(data["h"]), str(data["c"])


def _modal(card: Card, callback_id: str, title: str, submit: str, blocks: list[Block]) -> View:
    view = View(
        type="modal",
        callback_id=callback_id,
        private_metadata=_meta(card),
        title=PlainTextObject(text=title),
        submit=PlainTextObject(text=submit),
        close=PlainTextObject(text="Cancel"),
        blocks=blocks,
    )
    view.validate_json()
    return view


def _text_input(
    block_id: str,
    label: str,
    initial: str = "",
    *,
    limit: int = 3000,
    multiline: bool = True,
    optional: bool = False,
) -> InputBlock:
    return InputBlock(
        block_id=block_id,
        label=PlainTextObject(text=label),
        optional=optional,
        element=PlainTextInputElement(
            action_id="value",
            multiline=multiline,
            initial_value=initial[:limit] or None,
            max_length=limit,
        ),
    )


def _select(
    block_id: str, label: str, options: dict[str, str], *, initial: str = "", placeholder: str = ""
) -> InputBlock:
    choices = [Option(value=k, text=v) for k, v in options.items()]
    return InputBlock(
        block_id=block_id,
        label=PlainTextObject(text=label),
        element=StaticSelectElement(
            action_id="value",
            options=choices,
            initial_option=next((o for o in choices if o.value == initial), None),
            placeholder=PlainTextObject(text=placeholder) if placeholder else None,
        ),
    )


def _to(name: str, where: str) -> ContextBlock:
    return ContextBlock(elements=[MarkdownTextObject(text=f"To {esc(name)}{where}")])


def edit_modal(card: ReviewCard) -> View:
    return _modal(
        card,
        EDIT_VIEW,
        "Edit and send",
        "Send edited",
        [
            _to(card.contact_name, f" at {esc(card.account)}"),
            _text_input("subject", "Subject", card.subject, limit=150, multiline=False),
            _text_input("body", "Body", card.body),
        ],
    )


def kill_modal(card: Card) -> View:
    return _modal(
        card,
        KILL_VIEW,
        "Kill this draft",
        "Kill",
        [
            _select("reason", "Reason", KILL_REASONS, placeholder="Why should this not go out?"),
            _text_input("note", "Anything the agent should learn?", limit=1000, optional=True),
        ],
    )


def defer_modal(card: ReviewCard, today: date) -> View:
    return _modal(
        card,
        DEFER_VIEW,
        "Defer",
        "Defer",
        [
            InputBlock(
                block_id="until",
                label=PlainTextObject(text="Bring it back on"),
                element=DatePickerElement(
                    action_id="value", initial_date=(today + timedelta(days=7)).isoformat()
                ),
            ),
        ],
    )


def reply_edit_modal(card: ReplyCard) -> View:
    return _modal(
        card,
        REPLY_EDIT_VIEW,
        "Edit the reply",
        "Send",
        [
            _to(card.contact_name or card.from_addr, ", in the same thread"),
            _text_input("body", "Reply", card.suggestion),
        ],
    )


INTENT_LABELS = {i: i.replace("_", " ").capitalize() for i in INTENTS}


def reclassify_modal(card: ReplyCard) -> View:
    return _modal(
        card,
        RECLASSIFY_VIEW,
        "Reclassify",
        "Save",
        [
            _select("reason", "This reply really is", INTENT_LABELS, initial=card.intent),
            _text_input("note", "What did the classifier miss?", limit=1000, optional=True),
        ],
    )


def refusal_text(status: str, outcome: str = "", decided_by: str = "", detail: str = "") -> str:
    if status == "already_decided":
        return f"Already {outcome} by {mention(decided_by)}."
    if status == "forbidden":
        return f"Only the owner ({mention(detail)}) or an operator can decide this review."
    if status == "blocked":
        return f"This draft cannot be sent as is ({detail}). Use Edit to fix it."
    if status == "invalid":
        return detail[:1].upper() + detail[1:] + "."
    if status == "stale":
        return "The draft changed since this card was posted; a fresh card is below."
    if status == "not_found":
        return "This review no longer exists."
    return detail or "That did not work."
