"""`Humans` for the terminal: the demo shows cards here instead of in Slack."""

from __future__ import annotations

import sys
import textwrap
from typing import TextIO

from bot.ports import (
    Card,
    Notice,
    PlayCard,
    ProposalCard,
    Relationship,
    ReplyCard,
    ThreadMessage,
    Tone,
)
from bot.readouts import Digest, TuningReport
from bot.reports.digest import digest_text
from bot.reports.tuning import render_text
from bot.review.cards import outcome_text, path_text, scores_text

WIDTH = 78
ICONS: dict[Tone, str] = {
    "warning": "⚠ ",
    "alarm": "🚨 ",
    "failed": "✗ ",
    "paused": "⏸ ",
    "resumed": "▶ ",
    "promoted": "↑ ",
    "demoted": "↓ ",
}


class ConsoleHumans:
    def __init__(self, out: TextIO | None = None):
        self.out = out or sys.stdout
        self.posted: list[Card] = []

    def _print(self, text: str = "") -> None:
        print(text, file=self.out)

    def post_review(self, card: Card) -> str:
        self.posted.append(card)
        self._print(render(card))
        return f"console-{card.review_id}"

    def update_review(self, card: Card) -> None:
        self._print(f"  ↳ review #{card.review_id}: {outcome_text(card, card.decided_by)}")

    def remind(self, card: Card) -> None:
        if isinstance(card, ReplyCard) and card.target:
            self._print(f"  ⏰ reply #{card.review_id} for {card.owner}: {card.target}")
            return
        self._print(f"  ⏰ review #{card.review_id} for {card.owner} expires {card.expires_at:%c}")

    def notify(self, channel: str, notice: Notice) -> None:
        self._print(f"[{channel}] {ICONS.get(notice.tone, '')}{notice.plain()}")

    def post_report(self, channel: str, report: TuningReport) -> str:
        self._print(f"[{channel}]\n{render_text(report)}")
        return f"console-report-{report.until:%Y%m%d}"

    def post_digest(self, channel: str, digest: Digest, chart_png: bytes | None) -> str:
        self._print(f"[{channel}]\n{digest_text(digest)}")
        return f"console-digest-{digest.day:%Y%m%d}"

    def user_timezone(self, user: str) -> str | None:
        return None

    def user_by_email(self, email: str) -> str | None:
        return None  # no directory in the terminal

    def user_status(self, user: str) -> str:
        return "active"  # the terminal shows everyone's cards: trust ams.yml


def render(card: Card) -> str:
    if isinstance(card, PlayCard):
        return render_play(card)
    if isinstance(card, ReplyCard):
        return render_reply(card)
    if isinstance(card, ProposalCard):
        return render_proposal(card)
    bar = "─" * WIDTH
    p, c = scores_text(card)
    lines = [
        bar,
        f"Review #{card.review_id} · {card.agent_name} · for {card.owner} in {card.channel}",
        f"To: {card.contact_name}, {card.contact_title} at {card.account} <{card.contact_email}>",
        "Why:",
        *(f"  • {s}" for s in card.signals),
        *(f"  ⤷ {path_text(pt)}" for pt in card.paths),
        f"Subject: {card.subject}",
        *("  " + ln for ln in card.body.rstrip().splitlines()),
        *(
            f"Follow-up {n} (+{days} days): {body.splitlines()[0]}..."
            for n, (days, body) in enumerate(card.followups, 1)
        ),
        p,
        c,
        "Gate: " + "; ".join(card.reasons),
        "Relationship: " + "; ".join(card.relationship),
        *memory_lines(card.memory),
        "[Approve] [Edit] [Defer] [Kill]",
    ]
    return "\n".join(textwrap.shorten(ln, 400) if len(ln) > 400 else ln for ln in lines)


def memory_lines(m: Relationship) -> list[str]:
    """The account owner, the standing and the newest history, as the Slack card has them."""
    out = [f"Account owner: {m.owner_name or m.owner}"] if m.owner else []
    out += [f"  No new outreach: {x}" for x in m.stops]
    out += [f"  Needs a look: {x}" for x in m.flags]
    if m.history:
        out.append("History (newest first):")
        out += [f"  {x}" for x in m.history]
        out += [f"  …and {m.earlier} earlier"] if m.earlier else []
    return out


def thread_line(m: ThreadMessage) -> str:
    when = f"{m.at:%Y-%m-%d}" if m.at else "?"
    body = textwrap.shorten(" ".join(m.body.split()), 160, placeholder="…") or "(empty)"
    mark = "  ← this reply" if m.current else ""
    return f"  {when} {'we' if m.ours else 'they'} ({m.label}): {m.subject!r}: {body}{mark}"


def render_play(card: PlayCard) -> str:
    bar = "═" * WIDTH
    lines = [
        bar,
        f"Play for approval #{card.review_id} · {card.play_name} · {card.agent_name} · "
        f"for {card.owner} in {card.channel}",
        f"Triggered by: {', '.join(card.trigger)} · "
        f"{'customers too' if card.targets_customers else 'prospects only'}",
        f"Template subject: {card.subject_template}",
        *("  " + ln for ln in card.body_template.rstrip().splitlines()),
    ]
    for n, sample in enumerate(card.samples, 1):
        lines += [
            f"Sample {n} to {sample.to}",
            f"  Subject: {sample.subject}",
            *("    " + ln for ln in sample.body.rstrip().splitlines()),
        ]
    lines.append("[Approve] [Kill]")
    return "\n".join(lines)


def render_proposal(card: ProposalCard) -> str:
    lines = [
        "═" * WIDTH,
        f"Proposed change #{card.review_id} · {card.agent_name} ({card.path}) · "
        f"for the operators in {card.channel}",
        card.summary,
        *(f"  • {x}" for x in card.evidence),
        *("  " + ln for ln in card.diff.rstrip().splitlines()),
        "[Apply] [Dismiss]",
    ]
    return "\n".join(lines)


def render_reply(card: ReplyCard) -> str:
    lines = [
        "─" * WIDTH,
        f"Reply #{card.review_id} · {card.agent_name} · for {card.owner} in {card.channel}",
        f"From: {card.contact_name or card.from_addr}, {card.contact_title} at {card.account}",
        *([("🚨 " if card.overdue else "⏱ ") + card.target] if card.target else []),
        *(["What started it:"] if card.signals or card.paths else []),
        *(f"  • {s}" for s in card.signals),
        *(f"  ⤷ {path_text(pt)}" for pt in card.paths),
        *(["Thread:"] if card.thread else []),
        *(thread_line(m) for m in card.thread),
        f"They wrote ({card.their_subject}):",
        *("  " + ln for ln in card.their_text.rstrip().splitlines()),
        f"Read as {card.intent} ({card.confidence:.0%})"
        + (f"; escalation: {', '.join(card.triggers)}" if card.triggers else ""),
        "Why a person: " + "; ".join(card.reasons),
        *(["Account: " + "; ".join(card.relationship)] if card.relationship else []),
        *memory_lines(card.memory),
        *([f"Already done: {card.handled}"] if card.handled else []),
        *answer_lines(card),
    ]
    return "\n".join(lines)


def answer_lines(card: ReplyCard) -> list[str]:
    """The drafted answer (and its facts), a safe acknowledgement, or what to cover."""
    if card.suggestion:
        title = (
            f"Drafted answer (drafted by the model from: {', '.join(card.drafted_from) or '-'}):"
            if card.suggestion_source == "model"
            else "Suggested reply:"
        )
        body = ["  " + ln for ln in card.suggestion.rstrip().splitlines()]
        return [title, *body, "[Send reply] [Edit] [Take over] [Reclassify]"]
    problems = "; ".join(card.suggestion_problems)
    return [
        "What to cover (nothing is drafted to send: write it with Edit):",
        *(f"  • {n}" for n in card.cover),
        *([f"The model's draft was not used: {problems}"] if problems else []),
        "[Edit] [Take over] [Reclassify]",
    ]
