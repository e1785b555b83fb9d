"""Every decision on a draft is evidence about the relation types that matched it.

The AM judges two things at once: was this the right target (matching), and were these the
right words (drafting). Only the first moves the matcher:

- approve, edit: for. An edit keeps the account, the contact and the moment and changes
  only the words, so as evidence about the match it is an approval.
- kill as wrong account, bad timing or current customer: against. The target was wrong.
- kill as off-brand or factual error: the target may have been fine, the text was not.
  Matching weights stay put; the decision is filed as drafting evidence in the audit log
  (`learning.update` with "drafting": "against", next to the Decision row and its reason
  code) for the tuning report and `twoloop why`.
- defer: no change. "Not now, ask me again" is no verdict, and the draft comes back for a
  real decision that will count then; counting both would count one target twice.
- kill as other: no change. Its free text can mean anything; it is kept for people to read.

What moves is each distinct relation type of the account's own edges on the draft's match
paths (hiring_for, uses, signalled, ...: what the agent saw in this account), by one, once
per decision, in the decision's own transaction; the first decision wins the review, so it is
counted once. The knowledge edges further along (role -indicates-> problem, capability
-solves-> problem) are left alone on purpose: they sit on nearly every path of every
account, so a verdict on one account says nothing about them it does not say about all, and
learning them would only scale the agent's whole output (after three wrong-account kills a
three-hop path would be worth 0.4^3 = 0.06 of itself and every match would fall under
min_match_score) without changing who ranks above whom.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.core.matching import decisions_behind, learned_factor
from storage import audit
from storage import learning as store
from storage.models import Draft

MATCHING_FOR = frozenset({"approve", "edit"})
MATCHING_AGAINST = frozenset({"wrong_account", "bad_timing", "current_customer"})
DRAFTING_AGAINST = frozenset({"off_brand", "factual_error"})


def verdict(action: str, reason_code: str = "") -> tuple[str, str]:
    """(matching, drafting) evidence of a decision on a draft: each "for", "against" or ""."""
    if action in MATCHING_FOR:
        return "for", ""
    if action == "kill" and reason_code in MATCHING_AGAINST:
        return "against", ""
    if action == "kill" and reason_code in DRAFTING_AGAINST:
        return "", "against"
    return "", ""


def relations(match: dict | None) -> list[str]:
    """The distinct relation types of the account's own edges on a draft's match paths."""
    return sorted(
        {
            st["rel"]
            for p in (match or {}).get("paths", [])
            for st in p["steps"]
            if st["src"].startswith("account:")
        }
    )


def learn(s: Session, draft: Draft, action: str, reason_code: str, now: datetime) -> None:
    """Record what one decision on `draft` teaches; call inside the decision's transaction."""
    matching, drafting = verdict(str(action), reason_code)
    if not matching and not drafting:
        return
    rels = relations(draft.match) if matching else []
    if rels:
        store.add_evidence(
            s,
            draft.agent_id,
            rels,
            alpha=1.0 if matching == "for" else 0.0,
            beta=1.0 if matching == "against" else 0.0,
            now=now,
        )
    audit.record(
        s,
        "system",
        "learning.update",
        f"draft:{draft.id}",
        {
            "decision": str(action),
            "reason": reason_code,
            "matching": matching,
            "relations": rels,
            "drafting": drafting,
        },
        draft.config_version,
        agent_id=draft.agent_id,
    )


def factors(s: Session, agent_id: str) -> tuple[dict[str, float], dict[str, int]]:
    """What the matcher uses for one agent: relation type -> learned factor, and -> how many
    decisions it rests on. Read fresh at every tick, never cached."""
    beliefs = store.weights(s, agent_id)
    return (
        {rel: learned_factor(a, b) for rel, (a, b) in beliefs.items()},
        {rel: decisions_behind(a, b) for rel, (a, b) in beliefs.items()},
    )
