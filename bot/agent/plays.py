"""Humans approve patterns, machines run volume: a new or changed play (by content hash) is
posted for approval with sample drafts before any agent may draft with it."""

from __future__ import annotations

import logging
from datetime import datetime

from bot.agent.facts import Candidate, facts_for, pick_contact
from bot.config.agents import Agent, PlaySpec
from bot.core.drafting import DraftRequest, OfflineWriter
from bot.core.matching import Graph, best_match
from bot.review import lifecycle as reviews
from bot.runtime import Runtime
from storage import audit, prospects
from storage import reviews as store
from storage.models import PlayVersion

log = logging.getLogger(__name__)

SAMPLES = 3


def request_approval(
    rt: Runtime,
    agent: Agent,
    pending: list[PlaySpec],
    candidates: list[Candidate],
    knowledge: list,
    learned: dict[str, float],
    now: datetime,
) -> None:
    """Make sure each pending play version has an open review (with samples) for a human."""
    for play in pending:
        content_hash = agent.play_hashes[play.id]
        with rt.db.session() as s:
            version = prospects.play_version(s, play.id, content_hash)
            if version is not None:
                assert version.id is not None  # a row read from the database has its id
                if version.status != "pending" or store.open_for(s, "play", version.id):
                    continue  # decided, or already waiting for a human
        samples = sample_drafts(rt, agent, play, candidates, knowledge, learned)
        with rt.db.session() as s:
            version = prospects.play_version(s, play.id, content_hash)
            if version is None:
                version = PlayVersion(
                    play_id=play.id,
                    content_hash=content_hash,
                    agent_id=agent.id,
                    template={
                        "name": play.name,
                        "subject": play.subject,
                        "body": play.body,
                        "trigger": list(play.trigger),
                        "targets_customers": play.targets_customers,
                    },
                    samples=samples,
                    created_at=now,
                )
                s.add(version)
                s.flush()
            else:
                assert version.id is not None  # a row read from the database has its id
                if store.open_for(s, "play", version.id):
                    continue
                version.samples = samples
                s.add(version)
            assert version.id is not None  # flushed above, or read from the database
            why = f"new or changed play {play.id!r}: approve it before any agent uses it"
            review = reviews.new_review(
                rt, s, "play", version.id, agent.spec, content_hash, [why], now
            )
            audit.record(
                s,
                f"agent:{agent.id}",
                "play.approval_requested",
                f"play:{play.id}",
                {"hash": content_hash, "review": review.id},
                agent.config_version,
            )


def sample_drafts(
    rt: Runtime,
    agent: Agent,
    play: PlaySpec,
    candidates: list[Candidate],
    knowledge: list,
    learned: dict[str, float],
) -> list[dict]:
    """Up to three drafts of this play for real candidates, written but never stored as drafts."""
    out: list[dict] = []
    triggered = [c for c in candidates if {k for _, k, _ in c.signals} & set(play.trigger)]
    with rt.db.session() as s:
        ids = [c.account_id for c in triggered[: SAMPLES * 5]]
        contacts = prospects.contacts_for(s, ids)
        accounts = prospects.accounts_by_id(s, ids)
        graph = Graph(knowledge + prospects.account_edges(s, ids), learned)
        for cand in triggered[: SAMPLES * 5]:
            contact = pick_contact(contacts.get(cand.account_id, []), agent.spec.persona.titles)
            match = best_match(
                graph, cand.account_id, cand.strength, frozenset(agent.spec.capabilities)
            )
            if contact is None or match is None:
                continue
            account = accounts[cand.account_id]
            if account.customer_status == "customer" and not play.targets_customers:
                continue  # the gate would stop it; it shows nothing about the play
            signals = prospects.signals_by_id(s, [sid for sid, _, _ in cand.signals])
            signals.sort(key=lambda x: x.observed_at, reverse=True)
            nodes = [n for p in match.paths for st in p.steps for n in (st.src, st.dst)]
            labels = prospects.node_labels(s, nodes)
            facts = facts_for(
                agent,
                account,
                contact,
                signals,
                match,
                play,
                labels,
                prospects.capability(s, match.capability),
                prospects.node_aliases(s, nodes),
            )
            written = OfflineWriter().write(
                DraftRequest(agent.spec, play, facts, match.graph_score)
            )
            out.append(
                {
                    "to": f"{contact.first_name} {contact.last_name}, {contact.title} at "
                    f"{account.name}",
                    "subject": written.subject,
                    "body": written.body,
                }
            )
            if len(out) == SAMPLES:
                break
    return out
