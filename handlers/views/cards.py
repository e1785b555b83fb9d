"""Block Kit for review cards (drafts, replies, plays), built with slack_sdk's model classes.

Every piece of outside text (a prospect's words, names, subjects, signal summaries) goes
through `md`/`text`/`plain`: escaped, so `<!channel>` or `<https://evil|Sign in>` is shown as
typed and never acts, and shortened to Slack's limit for where it stands, so a card is never
refused whatever the input. Whatever was shortened stays one click away ("Show full text")."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.ports import (
    Card,
    PlayCard,
    ProposalCard,
    Relationship,
    ReplyCard,
    ReviewCard,
    ThreadMessage,
)
from bot.review.cards import outcome_text, path_text, scores_text
from handlers.ids import (
    APPROVE,
    BUTTONS_BLOCK,
    DEFER,
    EDIT,
    FULL_TEXT,
    FULL_TEXT_BLOCK,
    KILL,
    PROPOSAL_APPLY,
    PROPOSAL_DISMISS,
    RECLASSIFY,
    REPLY_EDIT,
    SEND_REPLY,
    TAKE_OVER,
)
from handlers.views.limits import (
    BODY_SECTIONS,
    FALLBACK_LIMIT,
    FIELD_LIMIT,
    MAX_FOLLOWUPS,
    MAX_SAMPLES,
    MESSAGE_BLOCKS,
    SECTION_LIMIT,
)
from handlers.views.parts import context, plain, section, text
from handlers.views.text import MORE, Cut, chunks, esc, md, mention, safe_end


def button_value(card: Card) -> str:
    return f"{card.review_id}:{card.content_hash}"


def parse_value(value: str) -> tuple[int, str]:
    review_id, _, content_hash = value.partition(":")
    return int(review_id), content_hash


def fallback_text(card: Card) -> str:
    """The message's `text` (notifications, screen readers): outside text escaped as well."""
    if isinstance(card, PlayCard):
        return md(
            "Play for approval: {} ({})", card.play_name, card.agent_name, limit=FALLBACK_LIMIT
        )
    if isinstance(card, ProposalCard):
        return md("Proposed change to {}: {}", card.agent_name, card.summary, limit=FALLBACK_LIMIT)
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
    if isinstance(card, ProposalCard):
        return proposal_blocks(card)
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
                block_id=f"{FULL_TEXT_BLOCK}{card.review_id}",
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
        send = [
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
        ]
        elements = [
            *(send if card.suggestion else []),  # nothing drafted: nothing to send as is
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
    elif isinstance(card, ProposalCard):
        elements = [
            ButtonElement(
                text="Apply",
                action_id=PROPOSAL_APPLY,
                value=value,
                style="primary",
                confirm=ConfirmObject(
                    title="Apply this change?",
                    text="The agent's file is rewritten with this diff; its next drafts follow it.",
                    confirm="Apply",
                    deny="Cancel",
                ),
            ),
            ButtonElement(text="Dismiss", action_id=PROPOSAL_DISMISS, value=value),
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
    return ActionsBlock(block_id=f"{BUTTONS_BLOCK}{card.review_id}", elements=elements)


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
                *_owner_field(card.memory),
            ]
        ),
    ]
    if card.target and card.status == "open":
        blocks.append(
            section(
                ":rotating_light: *{}*" if card.overdue else ":stopwatch: *{}*", _cap(card.target)
            )
        )
    if card.signals or card.paths:
        blocks.append(section("*What started it*\n{}", _why(card.signals, card.paths), cut=cut))
    if card.thread:
        blocks.append(_thread(card.thread, cut))
    blocks.append(_code("*They wrote* ({}):", card.their_subject, body=card.their_text, cut=cut))
    if not card.thread:
        blocks.append(
            context(
                "In reply to our \u201c{}\u201d: {}",
                card.our_subject,
                _short(card.our_body, 280),
                cut=cut,
            )
        )
    blocks += [
        section(read, *values, cut=cut),
        section("*Why a person*\n{}", _bullets(card.reasons), cut=cut),
        *_memory(card.memory, cut),
    ]
    if card.relationship:
        blocks.append(context("*Account* · {}", " · ".join(card.relationship), cut=cut))
    if card.handled:
        blocks.append(context("*Already done:* {}", card.handled, cut=cut))
    blocks += _answer(card, cut)
    return _finish(blocks, card, cut)


def _answer(card: ReplyCard, cut: Cut) -> list[Block]:
    """The drafted answer and what it was written from, a safe acknowledgement, or (nothing
    to send) what the person's answer should cover and why nothing was drafted."""
    if card.suggestion and card.suggestion_source == "model":
        facts = ", ".join(card.drafted_from) or "no stored facts"
        return [
            _code(
                "*Drafted answer* (drafted by the model from: {})",
                facts,
                body=card.suggestion,
                cut=cut,
            )
        ]
    if card.suggestion:
        return [_code("*Suggested reply*", body=card.suggestion, cut=cut)]
    notes = card.cover[:MAX_STANDING] or ("Read what they wrote and answer it.",)
    out: list[Block] = [
        section(
            "*What to cover* (nothing is drafted to send: write it with Edit)\n"
            + "\n".join("• {}" for _ in notes),
            *notes,
            cut=cut,
        )
    ]
    if card.suggestion_problems:
        out.append(
            context(
                "The model's draft was not used: {}", "; ".join(card.suggestion_problems), cut=cut
            )
        )
    return out


def _why(signals: tuple[str, ...], paths) -> str:
    """The signals and match paths, one per line, as the draft card shows them."""
    return "\n".join([f"• {s}" for s in signals] + [f"↳ {path_text(x)}" for x in paths]) or "—"


MAX_THREAD = 12  # messages of a thread on a reply card, the newest; the rest is counted
MAX_STANDING = 10  # stops, and flags, listed on a card


def _owner_field(memory: Relationship) -> list:
    if not memory.owner:
        return []
    owner = mention(memory.owner)[:FIELD_LIMIT]  # verbatim: a typed "@channel" stays text
    return [MarkdownTextObject(text=f"*Account owner*\n{owner}", verbatim=True)]


def _memory(memory: Relationship, cut: Cut) -> list[Block]:
    """The standing (what holds outreach back, what needs a look) and the newest history."""
    template, values = "", []
    for title, items in (("*No new outreach:*", memory.stops), ("*Needs a look:*", memory.flags)):
        if items:
            template += f"{title}\n" + "".join("• {}\n" for _ in items[:MAX_STANDING])
            values += list(items[:MAX_STANDING])
        if len(items) > MAX_STANDING:
            cut.any = True
            template += f"_…and {len(items) - MAX_STANDING} more_\n"
    if memory.history:
        template += "*History* (newest first)\n" + "".join("• {}\n" for _ in memory.history)
        values += list(memory.history)
        if memory.earlier:
            template += f"_…and {memory.earlier} earlier_\n"
    if not template:
        return []
    return [section("*Relationship*\n" + template.rstrip("\n"), *values, cut=cut)]


def _thread(thread: tuple[ThreadMessage, ...], cut: Cut) -> SectionBlock:
    """The conversation so far, oldest first, one short quote per message (the newest
    MAX_THREAD of them)."""
    shown = thread[-MAX_THREAD:]
    template, values = "*Thread* (oldest first)", []
    if len(thread) > len(shown):
        cut.any = True
        template += f"\n_…{len(thread) - len(shown)} earlier messages_"
    for m in shown:
        when = f"{m.at:%Y-%m-%d}" if m.at else "?"
        who = "We" if m.ours else "They"
        mark = " ← _this reply_" if m.current else ""
        template += f"\n`{when}` *{who}* ({{}}): \u201c{{}}\u201d{mark}\n>{{}}"
        values += [m.label, m.subject, _short(" ".join(m.body.split()), 300) or " "]
    return section(template, *values, cut=cut)


def _short(raw: str, n: int) -> str:
    """A deliberate preview (not a cut): the whole is on the original message."""
    return raw if len(raw) <= n else raw[: n - 1] + MORE


def _bullets(items) -> str:
    return "\n".join(f"• {x}" for x in items) or "—"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _footer(card: Card) -> ContextBlock:
    if isinstance(card, ReplyCard) and card.respond_by is not None:
        due = int(card.respond_by.timestamp())
        return ContextBlock(
            elements=[
                MarkdownTextObject(
                    text=f"For {mention(card.owner)} · reply by "
                    f"<!date^{due}^{{date_short_pretty}} {{time}}|"
                    f"{card.respond_by:%Y-%m-%d %H:%M} UTC> · stays open until someone "
                    f"decides · review #{card.review_id}"
                )
            ]
        )
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
                *_owner_field(card.memory),
            ]
        ),
        section("*Why*\n{}", _why(card.signals, card.paths), cut=cut),
        DividerBlock(),
        section("*Subject:* {}", card.subject, cut=cut),
    ]
    pages = chunks(esc(card.body), SECTION_LIMIT - 10) or [" "]
    if len(pages) > BODY_SECTIONS:
        cut.any = True
        pages = pages[:BODY_SECTIONS]
        pages[-1] = pages[-1][: safe_end(pages[-1], len(pages[-1]) - 1)] + MORE
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
        *_memory(card.memory, cut),
    ]
    return _finish(blocks, card, cut)


def proposal_blocks(card: ProposalCard) -> list[Block]:
    """A proposed change to an agent's file: what, why (the AMs' decisions behind it), the
    diff. Every piece of it is outside text (phrases AMs wrote, the file's own lines)."""
    cut = Cut()
    blocks: list[Block] = [
        HeaderBlock(text=plain("Proposed change: {}", card.agent_name, cut=cut)),
        section("{}", card.summary, cut=cut),
        section("*Why*\n{}", _bullets(card.evidence), cut=cut),
    ]
    pages = chunks(esc(card.diff), SECTION_LIMIT - 10) or [" "]
    if len(pages) > BODY_SECTIONS:
        cut.any = True
        pages = pages[:BODY_SECTIONS]
        pages[-1] = pages[-1][: safe_end(pages[-1], len(pages[-1]) - 1)] + MORE
    for page in pages:  # already escaped
        blocks.append(SectionBlock(text=MarkdownTextObject(text=f"```{page}```", verbatim=True)))
    blocks.append(
        context(
            "`{}` · proposal #{} · only an operator decides; the AMs keep deciding drafts",
            card.path,
            card.proposal_id,
            cut=cut,
        )
    )
    return _finish(blocks, card, cut)
