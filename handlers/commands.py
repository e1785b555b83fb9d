"""`/twoloop` for operators and AMs: parse the text, call `bot/`, answer in Block Kit."""

from __future__ import annotations

from bot import status
from bot.runtime import Runtime
from handlers.blocks import mention

USAGE = (
    "*/twoloop* commands:\n"
    "• `help`: this list\n"
    "• `status`: the fleet: trust, paused, open reviews, today's drafts\n"
    "• `queue`: open reviews, oldest first (yours, or all for operators)"
)


def run_command(rt: Runtime, user: str, text: str) -> dict:
    words = text.split()
    verb = words[0].lower() if words else "help"
    if verb == "status":
        return {"text": status_text(status.fleet(rt))}
    if verb == "queue":
        items = status.queue_for(rt, None if rt.is_operator(user) else user)
        return {"text": queue_text(items)}
    if verb == "help":
        return {"text": USAGE}
    return {"text": f"Unknown command `{verb}`.\n{USAGE}"}


def status_text(rows: list[status.AgentStatus]) -> str:
    if not rows:
        return "No agents. Add a markdown file under agents/."
    lines = ["*Fleet*"]
    for r in rows:
        flag = " · :double_vertical_bar: paused" if r.paused else ""
        lines.append(
            f"• *{r.id}* ({r.name}) · {mention(r.owner)} · {r.trust}{flag} · "
            f"{r.open_reviews} open · {r.drafted_today} drafted / {r.sent_today} sent today · "
            f"v{r.config_version}"
        )
    return "\n".join(lines)


def queue_text(items: list[status.QueueItem]) -> str:
    if not items:
        return "No open reviews."
    lines = [f"*{len(items)} open reviews*, oldest first"]
    for i in items:
        lines.append(f"• #{i.review_id} {i.agent} → {i.account}: {i.subject} ({i.age_hours:g} h)")
    return "\n".join(lines)
