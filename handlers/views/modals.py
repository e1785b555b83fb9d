"""Block Kit for the modals a card's buttons open: edit, kill, defer, reply edit,
reclassify, and "Show full text". Each carries its card's review, content hash and channel in
`private_metadata`, read back by `parse_meta` when it is submitted."""

from __future__ import annotations

import json
from datetime import date, timedelta

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    DatePickerElement,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.mail.triage.vocabulary import INTENTS
from bot.ports import Card, PlayCard, ProposalCard, Relationship, ReplyCard, ReviewCard
from bot.readouts import KILL_REASONS
from bot.review.cards import path_text
from handlers.ids import (
    BODY,
    DEFER_VIEW,
    EDIT_VIEW,
    INPUT,
    KILL_VIEW,
    NOTE,
    REASON,
    RECLASSIFY_VIEW,
    REPLY_EDIT_VIEW,
    SUBJECT,
    UNTIL,
)
from handlers.views.limits import INPUT_LIMIT, SECTION_LIMIT, VIEW_BLOCKS
from handlers.views.parts import context, section
from handlers.views.text import chunks, esc


def _meta(card: Card) -> str:
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
    limit: int = INPUT_LIMIT,
    multiline: bool = True,
    optional: bool = False,
) -> InputBlock:
    """An input's initial value is the text itself, not markup: it is not escaped (what is
    submitted is what is sent), only kept within the input's length."""
    return InputBlock(
        block_id=block_id,
        label=PlainTextObject(text=label),
        optional=optional,
        element=PlainTextInputElement(
            action_id=INPUT,
            multiline=multiline,
            initial_value=initial[:limit] or None,
            max_length=limit,
        ),
    )


def _too_long(label: str, raw: str, limit: int) -> list[Block]:
    if len(raw) <= limit:
        return []
    return [
        context(
            f":warning: The {label} has {len(raw):,} characters; only the first {limit:,} fit "
            "in this box, and what you submit is what is sent."
        )
    ]


def _select(
    block_id: str, label: str, options: dict[str, str], *, initial: str = "", placeholder: str = ""
) -> InputBlock:
    choices = [Option(value=k[:150], text=v[:75]) for k, v in options.items()]
    return InputBlock(
        block_id=block_id,
        label=PlainTextObject(text=label),
        element=StaticSelectElement(
            action_id=INPUT,
            options=choices,
            initial_option=next((o for o in choices if o.value == initial), None),
            placeholder=PlainTextObject(text=placeholder) if placeholder else None,
        ),
    )


def _to(name: str, where: str, *outside: object) -> ContextBlock:
    return context("To {}" + where, name, *outside)


def edit_modal(card: ReviewCard) -> View:
    return _modal(
        card,
        EDIT_VIEW,
        "Edit and send",
        "Send edited",
        [
            _to(card.contact_name, " at {}", card.account),
            *_too_long("subject", card.subject, 150),
            _text_input(SUBJECT, "Subject", card.subject, limit=150, multiline=False),
            *_too_long("body", card.body, INPUT_LIMIT),
            _text_input(BODY, "Body", card.body),
        ],
    )


def kill_modal(card: Card) -> View:
    return _modal(
        card,
        KILL_VIEW,
        "Kill this draft",
        "Kill",
        [
            _select(REASON, "Reason", KILL_REASONS, placeholder="Why should this not go out?"),
            _text_input(NOTE, "Anything the agent should learn?", limit=1000, optional=True),
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
                block_id=UNTIL,
                label=PlainTextObject(text="Bring it back on"),
                element=DatePickerElement(
                    action_id=INPUT, initial_date=(today + timedelta(days=7)).isoformat()
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
            *_too_long("reply", card.suggestion, INPUT_LIMIT),
            _text_input(BODY, "Reply", card.suggestion or card.starter),
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
            *_stop_note(card),
            _select(REASON, "This reply really is", INTENT_LABELS, initial=card.intent),
            _text_input(NOTE, "What did the classifier miss?", limit=1000, optional=True),
        ],
    )


def _stop_note(card: ReplyCard) -> list[Block]:
    if card.held:
        return [
            context(
                "No mail goes to this address until this card is decided. Saving "
                "'unsubscribe' suppresses it for good; any other reading lifts the hold."
            )
        ]
    if card.intent != "unsubscribe":
        return []
    return [
        context(
            "Read as a request to stop, so the address is suppressed. Saving another reading "
            "lifts that suppression if this reply wrote it, unless they have asked to stop "
            "again since."
        )
    ]


def full_texts(card: Card) -> list[tuple[str, str]]:
    """Every piece of a card's outside text, whole: (label, text)."""
    if isinstance(card, ProposalCard):
        return [
            ("Proposed change", card.summary),
            ("Why", "\n".join(card.evidence)),
            (f"Diff of {card.path}", card.diff),
        ]
    if isinstance(card, PlayCard):
        out = [
            ("Play", f"{card.play_name} ({card.play_id})"),
            ("Subject template", card.subject_template),
            ("Body template", card.body_template),
        ]
        for n, sm in enumerate(card.samples, 1):
            out.append((f"Sample {n}", f"To: {sm.to}\nSubject: {sm.subject}\n\n{sm.body}"))
        return out
    if isinstance(card, ReplyCard):
        who = f"{card.contact_name}, {card.contact_title}" if card.contact_name else ""
        return [
            ("From", " · ".join(x for x in (who, card.from_addr, card.account) if x)),
            ("Their subject", card.their_subject),
            ("They wrote", card.their_text),
            ("How it was read", card.rationale),
            ("Suggested reply", card.suggestion),
            ("What to cover", "\n".join(card.cover)),
            ("Why a person", "\n".join(card.reasons)),
            ("Our message", f"Subject: {card.our_subject}\n\n{card.our_body}"),
            *(
                (
                    f"{'We' if m.ours else 'They'}: {m.label}"
                    + (f", {m.at:%Y-%m-%d %H:%M}" if m.at else ""),
                    f"Subject: {m.subject}\n\n{m.body}",
                )
                for m in card.thread
            ),
            ("What started it", "\n".join([*card.signals, *(path_text(x) for x in card.paths)])),
            *memory_texts(card.memory),
        ]
    out = [
        ("To", f"{card.contact_name}, {card.contact_title} at {card.account}"),
        ("Why", "\n".join([*card.signals, *(path_text(x) for x in card.paths)])),
        ("Subject", card.subject),
        ("Body", card.body),
    ]
    out += [(f"Follow-up {n}, after {d} days", b) for n, (d, b) in enumerate(card.followups, 1)]
    out += [
        ("Why a human", "\n".join(card.reasons)),
        ("Relationship", "\n".join(card.relationship)),
        *memory_texts(card.memory),
    ]
    return out


def memory_texts(m: Relationship) -> list[tuple[str, str]]:
    """The standing and the whole history shown on the card, unclipped."""
    return [
        ("No new outreach", "\n".join(m.stops)),
        ("Needs a look", "\n".join(m.flags)),
        ("History, newest first", "\n".join(m.history)),
    ]


def full_text_modal(card: Card) -> View:
    """Everything a card shortened, paged across sections; a modal holds 100 blocks, and
    past that it says where the rest is."""
    blocks: list[Block] = []
    for label, raw in full_texts(card):
        if not raw.strip():
            continue
        blocks.append(section("*{}*", label))
        blocks += [
            SectionBlock(text=MarkdownTextObject(text=page, verbatim=True))
            for page in chunks(esc(raw), SECTION_LIMIT)
        ]
    if len(blocks) > VIEW_BLOCKS:
        blocks = blocks[: VIEW_BLOCKS - 1] + [
            context(
                f"…cut at Slack's {VIEW_BLOCKS} blocks. "
                + (
                    f"`twoloop why` shows review #{card.review_id} in full."
                    if card.review_id
                    else ""
                )
            )
        ]
    view = View(
        type="modal",
        title=PlainTextObject(text="Full text"),
        close=PlainTextObject(text="Close"),
        blocks=blocks or [context("Nothing more to show.")],
    )
    view.validate_json()
    return view
