"""How many of an agent's clear drafts still go to a person at random.

Acceptance sampling's switching rules (ISO 2859-1, ANSI/ASQ Z1.4): inspection moves from
normal to reduced after a run of accepted lots, back to normal at the first rejected one,
and a reduced sample is about 40% of the normal one. Here a lot is a draft the gate would
have sent on its own that a person judged (an audit sample, or any such draft during
probation): while none of the agent's newest REDUCE_AFTER of them was killed, it is audited
at REDUCED times its configured rate; one kill among them restores the full rate. Drafts the
second check predicts a kill for are audited at the full rate (their verdicts are not lots:
the gate would not have sent them), and so is an agent whose rate an operator set.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

# The standard switches after 10 accepted lots of many items each; a lot here is one draft.
# On the simulated month (benchmarks/operator_load.py, seeds 7 and 11), before predicted
# kills kept the full rate, 20 let 0.2% and 0.5% of auto-sent drafts through that the AM
# would have killed, 10 let 0.7% and 1.1%; with it, 20 measured 1.1% and 0.5%.
REDUCE_AFTER = 20
REDUCED = 0.4


@dataclass(frozen=True)
class AuditRate:
    rate: float  # the share of clear drafts picked for review
    configured: float = 0.0  # the agent file's (or the operator's) rate

    @property
    def reduced(self) -> bool:
        return self.rate < self.configured

    def picks(self, draw: float, predicted_kill: bool) -> bool:
        """Whether a draft whose uniform `draw` is this is audited; a predicted kill at the
        configured rate."""
        return draw < (self.configured if predicted_kill else self.rate)

    def note(self) -> str:
        """What the card says of the pick."""
        if not self.reduced:
            return ""
        return (
            f"{self.rate:.1%} of clear drafts, reduced: none of the last {REDUCE_AFTER} "
            "drafts it would have sent on its own was killed"
        )


def audit_rate(configured: float, newest: Sequence[str]) -> AuditRate:
    """`newest`: the actions of the agent's newest verdicts on drafts the gate would have
    sent on its own, newest first. A rate of 1 (every clear draft) is an operator asking for
    full review, and stays."""
    recent = list(newest[:REDUCE_AFTER])
    if 0 < configured < 1 and len(recent) == REDUCE_AFTER and "kill" not in recent:
        return AuditRate(configured * REDUCED, configured)
    return AuditRate(configured, configured)
