"""Who decides an agent's drafts, asked once per account owner in a tick.

Every draft a tick stores is judged by its deciding AM (the second check) and, when it goes
to review, routed to its owner AM's channel. Both read the AM cache (bot/memory/owners.py),
which the review sweep refreshes, not the tick: within a tick it does not move, and reading
it again for each of a thousand drafts cost more than storing the draft. The account's owner
itself is still read in each draft's own transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session

from bot.config.agents import AgentSpec
from bot.memory import owners
from bot.review import second_check
from bot.runtime import Runtime
from storage import owners as owner_store
from storage.models import Account


@dataclass
class Routing:
    """One agent's answers for one tick, by the owner as the account names them."""

    ams: dict[str, str] = field(default_factory=dict)  # owner -> the deciding AM
    routes: dict[str, owners.Route] = field(default_factory=dict)  # owner -> review route

    def deciding_am(self, rt: Runtime, s: Session, spec: AgentSpec, account: Account) -> str:
        key = account.owner_am.strip()
        am = self.ams.get(key)
        if am is None:
            am = self.ams[key] = second_check.deciding_am(rt, s, spec, account)
        return am

    def route(self, rt: Runtime, s: Session, spec: AgentSpec, account_id: str) -> owners.Route:
        """`owners.route` for this account, its owner read in the caller's transaction."""
        if rt.relationship_policy(spec).review_by != "account_owner":
            return owners.route(rt, s, spec, account_id)  # the agent's owner: nothing to read
        key = owner_store.owner_of(s, account_id).strip()
        hit = self.routes.get(key)
        if hit is None:
            hit = owners.route(rt, s, spec, account_id)
            if hit.account_owner == key:  # the owner it was routed by (unchanged meanwhile)
                self.routes[key] = hit
        return hit
