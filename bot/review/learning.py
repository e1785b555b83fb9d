"""Every decision on a draft is evidence about the targets that matched it.

The AM judges two things at once: was this the right target (matching), and were these the
right words (drafting). Only the first moves the matcher, and only when the verdict is
about the target:

- approve, edit: for. An edit keeps the account, the contact and the moment and changes
  only the words, so as evidence about the match it is an approval.
- kill as wrong account: against. The match itself was wrong.
- kill as bad timing or current customer: no change. The target may have been right: bad
  timing is about when (the signal's age and the touch window decide that), and a current
  customer is the relationship memory's job (the gate stops it next time). Counting them
  would teach the matcher to avoid good targets.
- kill as off-brand or factual error: the target may have been fine, the text was not.
  Matching stays put; the decision is filed as drafting evidence in the audit log
  (`learning.update` with "drafting": "against", next to the Decision row and its reason
  code) for the second check, the tuning report and `twoloop why`.
- defer: no change. "Not now, ask me again" is no verdict, and the draft comes back for a
  real decision that will count then; counting both would count one target twice.
- kill as other: no change. Its free text can mean anything; it is kept for people to read.

What moves is the evidence of the account's own steps on the draft's match paths (what the
agent saw in this account), at three levels, each key by one, once per decision, in the
decision's own transaction (the first decision wins the review, so it counts once): `*`
(the agent's overall rate), the relation type (`hiring_for`) and the step
(`hiring_for>role:data-engineer`, `signalled>event:funding`). Keeping the step apart is
what lets a wrong-account kill on data-engineer hires leave the agent's security-leader hires
almost where they were; bot/core/matching.py `learned_factor` says how the levels combine
into one relative factor. The knowledge edges further along (role -indicates-> problem,
capability -solves-> problem) are left alone on purpose: they sit on nearly every path of
every account, so a verdict on one account says nothing about them it does not say about
all.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.core.matching import ALL, learned_factors, overall_evidence, step_key
from storage import audit
from storage import learning as store
from storage.models import Draft

MATCHING_FOR = frozenset({"approve", "edit"})
MATCHING_AGAINST = frozenset({"wrong_account"})
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


def steps(match: dict | None) -> list[tuple[str, str]]:
    """The distinct (relation, target) of the account's own steps on a draft's match paths."""
    return sorted(
        {
            (st["rel"], st["dst"])
            for p in (match or {}).get("paths", [])
            for st in p["steps"]
            if st["src"].startswith("account:")
        }
    )


def relations(match: dict | None) -> list[str]:
    """The distinct relation types of the account's own edges on a draft's match paths."""
    return sorted({rel for rel, _ in steps(match)})


def keys(match: dict | None) -> list[str]:
    """Every evidence key one verdict on this match moves: `*`, relation types, steps."""
    found = steps(match)
    if not found:
        return []
    return [ALL, *relations(match), *sorted({step_key(rel, dst) for rel, dst in found})]


def evidence(beliefs: dict[str, tuple[float, float]]) -> dict[str, tuple[float, float]]:
    """key -> (approvals, kills) from the stored Beta counts, which include the Beta(1, 1)."""
    a0, b0 = store.PRIOR
    return {k: (max(0.0, a - a0), max(0.0, b - b0)) for k, (a, b) in beliefs.items()}


def factors_of(
    beliefs: dict[str, tuple[float, float]],
) -> tuple[dict[str, float], dict[str, int]]:
    """Learned factors and the decisions behind them from stored Beta counts."""
    return learned_factors(evidence(beliefs))


def learn(s: Session, draft: Draft, action: str, reason_code: str, now: datetime) -> None:
    """Record what one decision on `draft` teaches; call inside the decision's transaction."""
    matching, drafting = verdict(str(action), reason_code)
    if not matching and not drafting:
        return
    moved = keys(draft.match) if matching else []
    if moved:
        store.add_evidence(
            s,
            draft.agent_id,
            moved,
            alpha=1.0 if matching == "for" else 0.0,
            beta=1.0 if matching == "against" else 0.0,
            now=now,
            start=_start_of_all(s, draft.agent_id),
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
            "relations": relations(draft.match) if matching else [],
            "keys": moved,
            "drafting": drafting,
        },
        draft.config_version,
        agent_id=draft.agent_id,
    )


def _start_of_all(s: Session, agent_id: str) -> dict[str, tuple[float, float]]:
    """An agent learned before there was a `*` key has only relation rows: its first `*` row
    starts from their pooled counts, so its overall rate carries on instead of restarting."""
    if store.has_key(s, agent_id, ALL):
        return {}
    approved, killed = overall_evidence(evidence(store.weights(s, agent_id)))
    a0, b0 = store.PRIOR
    return {ALL: (a0 + approved, b0 + killed)} if approved or killed else {}


def factors(s: Session, agent_id: str) -> tuple[dict[str, float], dict[str, int]]:
    """What the matcher uses for one agent: step key or relation type -> learned factor, and
    -> how many decisions it rests on. Read fresh at every tick, never cached."""
    return factors_of(store.weights(s, agent_id))
