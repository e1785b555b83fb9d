"""Block Kit for review cards and their modals, built with slack_sdk's model classes.

Every piece of outside text (a prospect's words, names, subjects, signal summaries) goes
through `md`/`text`/`plain`: escaped, so `<!channel>` or `<https://evil|Sign in>` is shown as
typed and never acts, and shortened to Slack's limit for where it stands, so a card is never
refused whatever the input. Whatever was shortened stays one click away ("Show full text")."""

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

from bot.decisions import KILL_REASONS
from bot.mail.triage import INTENTS
from bot.ports import Card, PlayCard, ReplyCard, ReviewCard
from bot.review.cards import outcome_text, path_text, scores_text

APPROVE, EDIT, DEFER, KILL = "review_approve", "review_edit", "review_defer", "review_kill"
EDIT_VIEW, DEFER_VIEW, KILL_VIEW = "review_edit_modal", "review_defer_modal", "review_kill_modal"
SEND_REPLY, REPLY_EDIT, TAKE_OVER, RECLASSIFY = (
    "reply_send",
    "reply_edit",
    "reply_take_over",
    "reply_reclassify",
)
REPLY_EDIT_VIEW, RECLASSIFY_VIEW = "reply_edit_modal", "reply_reclassify_modal"
FULL_TEXT = "review_full_text"  # opens a modal with everything a card had to shorten

# Slack's Block Kit limits (api.slack.com/reference/block-kit).
MESSAGE_BLOCKS, VIEW_BLOCKS = 50, 100  # blocks in a message; in a modal or App Home
SECTION_LIMIT = 3000  # characters in one text object (section text, context element)
FIELD_LIMIT = 2000  # characters in one section field
HEADER_LIMIT = 150
INPUT_LIMIT = 3000  # a plain_text_input's initial value and max_length
FALLBACK_LIMIT = 3000  # a message's `text`: Slack allows 40,000; notifications show far less
BODY_SECTIONS = 6  # a draft's body on its card; the rest is behind "Show full text"
MAX_FOLLOWUPS = 8
MAX_SAMPLES = 8
MORE = "…"


def mention(user: str) -> str:
    return f"<@{user}>" if user and user[0] in "UW" else esc(user) or "someone"


def esc(text: str) -> str:
    """Slack mrkdwn treats &, < and > as control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _safe_end(text: str, n: int) -> int:
    """`n`, moved back so that text[:n] does not end inside an &amp;/&lt;/&gt; entity."""
    amp = text.rfind("&", max(0, n - 4), n)
    return amp if amp != -1 and ";" not in text[amp:n] else n


def clip(escaped: str, limit: int) -> str:
    """Escaped text in at most `limit` characters, cut with '…' (never inside an entity)."""
    if len(escaped) <= limit:
        return escaped
    return escaped[: _safe_end(escaped, max(limit - 1, 0))] + MORE


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


def button_value(card: Card) -> str:
    return f"{card.review_id}:{card.content_hash}"


def parse_value(value: str) -> tuple[int, str]:
    review_id, _, content_hash = value.partition(":")
    return int(review_id), content_hash


def chunks(text: str, size: int) -> list[str]:
    """Split on line ends so a long body stays readable across sections (and never inside an
    escaped entity)."""
    out, current = [], ""
    for line in text.splitlines(keepends=True):
        while len(line) > size:
            room = _safe_end(line, size - len(current))
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


def fallback_text(card: Card) -> str:
    """The message's `text` (notifications, screen readers): outside text escaped as well."""
    if isinstance(card, PlayCard):
        return md(
            "Play for approval: {} ({})", card.play_name, card.agent_name, limit=FALLBACK_LIMIT
        )
    if isinstance(card, ReplyCard):
        return md(
            "Reply from {}: {}",
            card.contact_name or card.from_addr,
            card.their_subject,
            limit=FALLBACK_LIMIT,
        )
    return md(
        "Review: {} → {} at {}: {}",
        card.agent_name,
        card.contact_name,
        card.account,
        card.subject,
        limit=FALLBACK_LIMIT,
    )


def card_blocks(card: Card) -> list[Block]:
    if isinstance(card, PlayCard):
        return play_blocks(card)
    if isinstance(card, ReplyCard):
        return reply_blocks(card)
    return review_blocks(card)


def _code(label_template: str, *label: object, body: str, cut: Cut) -> SectionBlock:
    """A label and a block of outside text in a code block, within one section."""
    return section(label_template + "\n```{}```", *label, body or " ", cut=cut)


def _finish(blocks: list[Block], card: Card, cut: Cut) -> list[Block]:
    """The buttons (or the outcome), "Show full text" when anything was shortened, and a
    check that the message is within Slack's limits."""
    if card.status == "open":
        blocks += [_buttons(card), _footer(card)]
    else:
        blocks.append(_outcome(card))
    if cut.any:
        blocks.append(
            ActionsBlock(
                block_id=f"full:{card.review_id}",
                elements=[
                    ButtonElement(
                        text="Show full text", action_id=FULL_TEXT, value=button_value(card)
                    )
                ],
            )
        )
    if len(blocks) > MESSAGE_BLOCKS:  # the builders' caps keep it under; never send a refusal
        blocks = blocks[: MESSAGE_BLOCKS - 1] + [blocks[-1]]
    for b in blocks:
        b.validate_json()
    return blocks


def _buttons(card: Card) -> ActionsBlock:
    value = button_value(card)
    if isinstance(card, ReplyCard):
        elements = [
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
        ]
    elif isinstance(card, PlayCard):
        elements = [
            ButtonElement(text="Approve", action_id=APPROVE, value=value, style="primary"),
            ButtonElement(text="Kill", action_id=KILL, value=value, style="danger"),
        ]
    else:
        elements = [
            ButtonElement(text="Approve", action_id=APPROVE, value=value, style="primary"),
            ButtonElement(text="Edit", action_id=EDIT, value=value),
            ButtonElement(text="Defer", action_id=DEFER, value=value),
            ButtonElement(text="Kill", action_id=KILL, value=value, style="danger"),
        ]
    return ActionsBlock(block_id=f"review:{card.review_id}", elements=elements)


def reply_blocks(card: ReplyCard) -> list[Block]:
    """A reply that needs a person: what they wrote, how we read it, what we suggest."""
    cut = Cut()
    who = f"{card.contact_name}, {card.contact_title}" if card.contact_name else card.from_addr
    read = "*Read as* {} ({} sure)"
    values: list[object] = [card.intent.replace("_", " "), f"{card.confidence:.0%}"]
    if card.triggers:
        read += " · *escalation:* {}"
        values.append(", ".join(t.replace("_", " ") for t in card.triggers))
    if card.rationale:
        read += "\n_{}_"
        values.append(card.rationale)
    blocks: list[Block] = [
        HeaderBlock(text=plain("Reply: {}", who, cut=cut)),
        SectionBlock(
            fields=[
                text("*Account*\n{}", card.account or "—", limit=FIELD_LIMIT, cut=cut),
                text("*Agent*\n{}", card.agent_name, limit=FIELD_LIMIT, cut=cut),
            ]
        ),
        _code("*They wrote* ({}):", card.their_subject, body=card.their_text, cut=cut),
        context(
            "In reply to our \u201c{}\u201d: {}",
            card.our_subject,
            _short(card.our_body, 280),
            cut=cut,
        ),
        section(read, *values, cut=cut),
        section("*Why a person*\n{}", _bullets(card.reasons), cut=cut),
    ]
    if card.handled:
        blocks.append(context("*Already done:* {}", card.handled, cut=cut))
    blocks.append(_code("*Suggested reply*", body=card.suggestion, cut=cut))
    return _finish(blocks, card, cut)


def _short(raw: str, n: int) -> str:
    """A deliberate preview (not a cut): the whole is on the original message."""
    return raw if len(raw) <= n else raw[: n - 1] + MORE


def _bullets(items) -> str:
    return "\n".join(f"• {x}" for x in items) or "—"


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
    """The outcome names the decider with a mention; its detail (a kill note) is escaped."""
    marker = "\x00"
    line = outcome_text(card, marker)
    before, _, after = line.partition(marker)
    if marker not in line:
        return section("*{}*", line)
    return SectionBlock(
        text=MarkdownTextObject(
            text=md("*{}", before) + mention(card.decided_by) + md("{}*", after, limit=2800)
        )
    )


def play_blocks(card: PlayCard) -> list[Block]:
    """A play is a pattern: show the template, what triggers it, and real sample drafts."""
    cut = Cut()
    audience = "current customers too" if card.targets_customers else "prospects only"
    blocks: list[Block] = [
        HeaderBlock(text=plain("Play for approval: {}", card.play_name, cut=cut)),
        section(
            "*{}* wants to use the play `{}`.\n*Triggered by:* {} · *Audience:* {}\n"
            "Until it is approved, no agent drafts with it.",
            card.agent_name,
            card.play_id,
            ", ".join(k.replace("_", " ") for k in card.trigger),
            audience,
            cut=cut,
        ),
        _code("*Template*\n*Subject:* {}", card.subject_template, body=card.body_template, cut=cut),
    ]
    for n, sample in enumerate(card.samples[:MAX_SAMPLES], 1):
        blocks.append(DividerBlock())
        blocks.append(
            _code(
                f"*Sample {n}* to {{}}\n*Subject:* {{}}",
                sample.to,
                sample.subject,
                body=sample.body,
                cut=cut,
            )
        )
    if len(card.samples) > MAX_SAMPLES:
        cut.any = True
        blocks.append(context(f"…and {len(card.samples) - MAX_SAMPLES} more samples."))
    if not card.samples:
        blocks.append(context("No candidate matches this play yet, so there are no samples."))
    return _finish(blocks, card, cut)


def review_blocks(card: ReviewCard) -> list[Block]:
    cut = Cut()
    p, c = scores_text(card)
    why = [f"• {s}" for s in card.signals] + [f"↳ {path_text(x)}" for x in card.paths]
    blocks: list[Block] = [
        HeaderBlock(text=plain("Review: {}", card.agent_name, cut=cut)),
        SectionBlock(
            fields=[
                text("*Account*\n{}", card.account, limit=FIELD_LIMIT, cut=cut),
                text(
                    "*Contact*\n{}, {}",
                    card.contact_name,
                    card.contact_title,
                    limit=FIELD_LIMIT,
                    cut=cut,
                ),
            ]
        ),
        section("*Why*\n{}", "\n".join(why) or "—", cut=cut),
        DividerBlock(),
        section("*Subject:* {}", card.subject, cut=cut),
    ]
    pages = chunks(esc(card.body), SECTION_LIMIT - 10) or [" "]
    if len(pages) > BODY_SECTIONS:
        cut.any = True
        pages = pages[:BODY_SECTIONS]
        pages[-1] = pages[-1][: _safe_end(pages[-1], len(pages[-1]) - 1)] + MORE
    for page in pages:  # already escaped
        blocks.append(SectionBlock(text=MarkdownTextObject(text=f"```{page}```", verbatim=True)))
    for n, (days, body) in enumerate(card.followups[:MAX_FOLLOWUPS], 1):
        blocks.append(_code(f"*Follow-up {n}*, {days} days later if no reply:", body=body, cut=cut))
    if len(card.followups) > MAX_FOLLOWUPS:
        cut.any = True
        blocks.append(context(f"…and {len(card.followups) - MAX_FOLLOWUPS} more follow-ups."))
    blocks += [
        DividerBlock(),
        ContextBlock(
            elements=[
                text("{}", p, cut=cut),
                text("{}", c, cut=cut),
                text("config v{}", card.config_version, cut=cut),
            ]
        ),
        section("*Why a human*\n{}", _bullets(card.reasons), cut=cut),
        context("*Relationship* · {}", " · ".join(card.relationship) or "—", cut=cut),
    ]
    return _finish(blocks, card, cut)


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
            action_id="value",
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
            action_id="value",
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
            _text_input("subject", "Subject", card.subject, limit=150, multiline=False),
            *_too_long("body", card.body, INPUT_LIMIT),
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
            *_too_long("reply", card.suggestion, INPUT_LIMIT),
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


def full_texts(card: Card) -> list[tuple[str, str]]:
    """Every piece of a card's outside text, whole: (label, text)."""
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
            ("Why a person", "\n".join(card.reasons)),
            ("Our message", f"Subject: {card.our_subject}\n\n{card.our_body}"),
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
    ]
    return out


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


def refusal_text(status: str, outcome: str = "", decided_by: str = "", detail: str = "") -> str:
    """An ephemeral answer to a click; `detail` may carry outside text, so it is escaped."""
    if status == "already_decided":
        return f"Already {esc(outcome)} by {mention(decided_by)}."
    if status == "forbidden":
        return f"Only the owner ({mention(detail)}) or an operator can decide this review."
    if status == "blocked":
        return md("This draft cannot be sent as is ({}). Use Edit to fix it.", detail)
    if status == "invalid":
        return md("{}.", detail[:1].upper() + detail[1:])
    if status == "stale":
        return "The draft changed since this card was posted; a fresh card is below."
    if status == "not_found":
        return "This review no longer exists."
    return md("{}", detail) if detail else "That did not work."
