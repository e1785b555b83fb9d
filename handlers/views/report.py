"""Block Kit for the weekly tuning report: the week just ended against the week before, per
agent, with the config versions each ran, so a change to an agent's markdown shows up next
to the rates it moved."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.readouts import AgentWeek, LoadWeek, TuningReport
from bot.reports.load import wait_text
from bot.reports.tuning import delta, pct
from handlers.views.limits import SECTION_LIMIT
from handlers.views.text import chunks, esc

MAX_BLOCKS = 50  # Slack's limit for one message


def fallback_text(report: TuningReport) -> str:
    week = report.weeks[-1] if report.weeks else report.since.date()
    return f"Tuning report, week of {week:%Y-%m-%d}"


def _section(title: str, lines: list[str], empty: str) -> list[Block]:
    text = f"*{title}*\n" + ("\n".join(lines) if lines else f"_{empty}_")
    return [
        SectionBlock(text=MarkdownTextObject(text=part)) for part in chunks(text, SECTION_LIMIT)
    ]


def _week(week: AgentWeek, before: AgentWeek | None) -> str:
    r, prev = week.rates, before.rates if before and before.rates.decisions else None
    versions = ", ".join(
        f"`{v.config_version or '?'}`{' (new)' if v.new else ''}" for v in week.versions
    )
    return (
        f"kill {pct(r.kill_rate)}{delta(r.kill_rate, prev.kill_rate if prev else None)} · "
        f"edit {pct(r.edit_rate)}{delta(r.edit_rate, prev.edit_rate if prev else None)} · "
        f"{r.decisions} decided" + (f" · config {versions}" if versions else "")
    )


def _load_week(w: LoadWeek) -> str:
    per = w.clicks_per_decision
    return (
        f"{w.reviews_per_day:.1f} reviews/day · {w.minutes_per_day:.0f} min/day · "
        f"card to decision median {wait_text(w.median_to_decision)} · "
        f"{'—' if per is None else f'{per:.1f}'} clicks/decision"
    )


def _last_two(weeks: tuple[AgentWeek, ...]) -> tuple[AgentWeek | None, AgentWeek | None]:
    return (weeks[-1] if weeks else None), (weeks[-2] if len(weeks) > 1 else None)


def report_blocks(report: TuningReport) -> list[Block]:
    blocks: list[Block] = [
        HeaderBlock(text=fallback_text(report)[:150]),
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text=f"{'agent ' + esc(report.agent) if report.agent else 'All agents'} · "
                    f"{report.since:%Y-%m-%d} to {report.until:%Y-%m-%d} · decisions on drafts · "
                    f"changes in points against the week before · `twoloop report tuning` "
                    "for the full report"
                )
            ]
        ),
    ]
    blocks += _section(
        "Kill reasons",
        [f"{esc(c.code)}: {c.count} ({pct(c.share)})" for c in report.kill_reasons[:8]],
        "no kills",
    )
    for title, phrases in (
        (f"Removed most often in edits (last {report.edits_read})", report.removed),
        ("Added most often in edits", report.added),
    ):
        blocks += _section(
            title,
            [f"“{esc(p.text)}” ×{p.count} — e.g. {esc(p.example)}" for p in phrases[:8]],
            "no edits",
        )
    blocks += _section(
        "Lowest-confidence drafts",
        [
            f"#{d.draft_id} {d.confidence:.2f} {esc(d.agent_id)}: {esc(d.subject[:80])}"
            for d in report.lowest[:5]
        ],
        "none",
    )
    blocks.append(DividerBlock())
    now, before = _last_two(report.fleet)
    lines = [f"*fleet* {_week(now, before)}"] if now else []
    for trend in report.agents:
        now, before = _last_two(trend.weeks)
        if now is not None and (now.rates.decisions or (before and before.rates.decisions)):
            lines.append(f"*{esc(trend.agent_id)}* {_week(now, before)}")
    week = report.weeks[-1] if report.weeks else report.since.date()
    blocks += _section(f"Week of {week:%Y-%m-%d} against the week before", lines, "no decisions")
    blocks += _section(
        "Review load by week (per day on which anyone reviewed)",
        [f"{w.week:%Y-%m-%d}: {_load_week(w)}" for w in report.load if w.days],
        "no reviews",
    )
    if len(blocks) > MAX_BLOCKS:
        blocks = blocks[: MAX_BLOCKS - 1] + [
            ContextBlock(elements=[MarkdownTextObject(text="… more in `twoloop report tuning`")])
        ]
    return blocks
