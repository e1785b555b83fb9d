"""Proposed changes to an agent's file, decided in Slack as Slack does it: AMs edit drafts, the
mining posts a card with the diff to the operators, and signed clicks on the running app
Apply or Dismiss it (fake Web API on loopback)."""

from __future__ import annotations

import hashlib
import json

import pytest
from sqlmodel import col, select

from bot.agent import loop, proposals
from bot.decisions import Action, Request, decide
from handlers.ids import PROPOSAL_APPLY, PROPOSAL_DISMISS
from storage.models import AuditEvent, Draft, Proposal, Review
from tests.conftest import OPERATOR, approve_plays, running_service, serve_settings
from tests.fakes.slack_requests import block_action, interaction_body, post_signed, wait_for

OPS = "C0OPERATORS1"
AGENT = "data-platform"
AGENT_CHANNEL = "C0REVIEWS01"
AM = "U0AMDANA01"  # the agent's owner AM: not an operator
CLOSING = "Would a 20-minute call next week be useful?"
PHRASE = "Would a 20-minute call next week be useful"


@pytest.fixture
def service(home, db_url, slack):
    settings = serve_settings(home, db_url, slack, TWOLOOP_OPERATOR_CHANNEL=OPS)
    with running_service(settings) as svc:
        yield svc


def edit_drafts(rt, n: int = 3) -> list[int]:
    """The AM deletes the same closing question from `n` drafts, and sends the rest as is."""
    approve_plays(rt)
    loop.tick(rt, AGENT)
    with rt.db.session() as s:
        q = select(Review).where(
            Review.kind == "draft", Review.status == "open", Review.agent_id == AGENT
        )
        revs = list(s.exec(q.order_by(col(Review.id))))
        drafts = {r.id: s.get_one(Draft, r.subject_id) for r in revs}
    assert len(revs) > n and all(CLOSING in d.body for d in drafts.values())
    for i, r in enumerate(revs):
        d = drafts[r.id]
        if i < n:
            req = Request(
                r.id,
                r.owner,
                Action.EDIT,
                content_hash=r.content_hash,
                subject=d.subject,
                body=d.body.replace(f"\n\n{CLOSING}", ""),
            )
        else:
            req = Request(r.id, r.owner, Action.APPROVE, content_hash=r.content_hash)
        assert decide(rt, req).status == "decided"
    return [drafts[r.id].id for r in revs[:n]]


def proposed(service, slack) -> tuple[Proposal, Review]:
    edit_drafts(service.rt)
    slack.calls.clear()
    made = proposals.mine(service.rt, AGENT)
    assert [p.kind for p in made] == ["banned_phrase"]
    with service.rt.db.session() as s:
        review = s.exec(select(Review).where(Review.kind == "proposal")).one()
    return made[0], review


def click(http, user, action_id, review):
    payload = block_action(user, action_id, f"{review.id}:{review.content_hash}", OPS)
    return post_signed(http, "/slack/events", interaction_body(payload))


def ephemerals_for(slack, user):
    return [c.args["text"] for c in slack.of("chat.postEphemeral") if c.args.get("user") == user]


def updates_in(slack, channel):
    return [c.args for c in slack.of("chat.update") if c.args.get("channel") == channel]


def agent_file(service):
    return service.settings.agents_dir / f"{AGENT}.md"


def test_the_card_goes_to_the_operators_with_the_diff_and_two_buttons(service, slack):
    proposal, review = proposed(service, slack)
    assert review.channel == OPS and review.content_hash == proposal.base_hash
    assert proposal.base_hash == hashlib.sha256(agent_file(service).read_bytes()).hexdigest()
    post = [c.args for c in slack.of("chat.postMessage") if c.args["channel"] == OPS][0]
    blocks = json.dumps(post["blocks"])
    assert f'+banned_phrases: [\\"circle back\\", \\"synergy\\", \\"{PHRASE}\\"]' in blocks
    assert "removed in 3 of the 3 edited drafts" in blocks
    actions = [b for b in post["blocks"] if b["type"] == "actions"][0]
    assert [e["text"]["text"] for e in actions["elements"]] == ["Apply", "Dismiss"]
    # The new text is what the fleet's loader reads: the phrase is banned, nothing else moved.
    changed = [
        ln
        for ln in proposal.diff.splitlines()
        if ln[:1] in "+-" and not ln.startswith(("+++", "---"))
    ]
    assert changed == [
        '-banned_phrases: ["circle back", "synergy"]',
        f'+banned_phrases: ["circle back", "synergy", "{PHRASE}"]',
    ]


def test_apply_writes_the_file_changes_the_config_version_and_audits(service, slack, http):
    proposal, review = proposed(service, slack)
    before = service.rt.fleet().agents[AGENT].config_version
    click(http, OPERATOR, PROPOSAL_APPLY, review)
    update = wait_for(lambda: updates_in(slack, OPS), what="the card redrawn")[0]
    assert "Applied by" in json.dumps(update["blocks"])
    assert not any(b["type"] == "actions" for b in update["blocks"])
    assert agent_file(service).read_text() == proposal.new_text
    agent = service.rt.fleet().agents[AGENT]
    assert PHRASE in agent.spec.banned_phrases
    assert agent.config_version != before
    with service.rt.db.session() as s:
        row = s.get_one(Proposal, proposal.id)
        assert (row.status, row.decided_by) == ("applied", OPERATOR)
        event = s.exec(select(AuditEvent).where(AuditEvent.action == "proposal.applied")).one()
    assert event.actor == f"user:{OPERATOR}" and event.agent_id == AGENT
    assert (event.detail["config_before"], event.detail["config_after"]) == (
        before,
        agent.config_version,
    )
    assert event.config_version == agent.config_version
    told = wait_for(
        lambda: [
            c.args["text"]
            for c in slack.of("chat.postMessage")
            if c.args["channel"] == AGENT_CHANNEL and "applied a change" in c.args.get("text", "")
        ],
        what="the agent owner's channel told",
    )
    assert f"<@{OPERATOR}>" in told[0] and f"v{agent.config_version}" in told[0]


def test_the_agents_owner_am_is_refused_and_nothing_changes(service, slack, http):
    proposal, review = proposed(service, slack)
    original = agent_file(service).read_text()
    click(http, AM, PROPOSAL_APPLY, review)
    text = wait_for(lambda: ephemerals_for(slack, AM))[0]
    assert text == "Only an operator can apply or dismiss a proposed change to an agent's file."
    assert agent_file(service).read_text() == original
    with service.rt.db.session() as s:
        assert s.get_one(Review, review.id).status == "open"
        assert s.get_one(Proposal, proposal.id).status == "open"
        refused = s.exec(select(AuditEvent).where(AuditEvent.action == "decision.refused")).one()
    assert refused.actor == f"user:{AM}"


def test_a_second_apply_is_told_it_was_decided(service, slack, http):
    proposal, review = proposed(service, slack)
    click(http, OPERATOR, PROPOSAL_APPLY, review)
    wait_for(lambda: updates_in(slack, OPS))
    written = agent_file(service).read_text()
    click(http, OPERATOR, PROPOSAL_APPLY, review)
    text = wait_for(lambda: ephemerals_for(slack, OPERATOR))[0]
    assert text == f"Already applied by <@{OPERATOR}>."
    assert agent_file(service).read_text() == written
    with service.rt.db.session() as s:
        applied = s.exec(select(AuditEvent).where(AuditEvent.action == "proposal.applied")).all()
    assert len(applied) == 1


def test_a_file_changed_since_the_proposal_is_refused_as_stale(service, slack, http):
    proposal, review = proposed(service, slack)
    path = agent_file(service)
    by_hand = path.read_text().replace("daily_cap: 25", "daily_cap: 30")
    path.write_text(by_hand)
    click(http, OPERATOR, PROPOSAL_APPLY, review)
    text = wait_for(lambda: ephemerals_for(slack, OPERATOR))[0]
    assert text.startswith("Not applied: the agent's file changed since this change was proposed")
    assert path.read_text() == by_hand, "the hand edit stands, the old diff is not written"
    with service.rt.db.session() as s:
        assert s.get_one(Review, review.id).status == "superseded"
        assert s.exec(select(AuditEvent).where(AuditEvent.action == "proposal.stale")).one()
        assert not s.exec(select(AuditEvent).where(AuditEvent.action == "proposal.applied")).all()
        fresh = s.exec(
            select(Review).where(Review.kind == "proposal", Review.status == "open")
        ).one()
        row = s.get_one(Proposal, proposal.id)
    # A fresh proposal, made from the file as it is now: the hand edit is in its new text.
    assert fresh.subject_id == proposal.id and fresh.id != review.id
    assert row.base_hash == hashlib.sha256(by_hand.encode()).hexdigest() == fresh.content_hash
    assert "daily_cap: 30" in row.new_text and PHRASE in row.new_text


def test_dismiss_is_audited_and_never_proposed_again(service, slack, http):
    proposal, review = proposed(service, slack)
    original = agent_file(service).read_text()
    click(http, OPERATOR, PROPOSAL_DISMISS, review)
    update = wait_for(lambda: updates_in(slack, OPS))[0]
    assert "Dismissed by" in json.dumps(update["blocks"])
    with service.rt.db.session() as s:
        assert s.get_one(Proposal, proposal.id).status == "dismissed"
        event = s.exec(select(AuditEvent).where(AuditEvent.action == "proposal.dismissed")).one()
    assert event.actor == f"user:{OPERATOR}"
    assert agent_file(service).read_text() == original
    # The same edits, mined again (and with the file edited since): nothing new to ask.
    agent_file(service).write_text(original.replace("daily_cap: 25", "daily_cap: 30"))
    assert proposals.mine(service.rt, AGENT) == []
    with service.rt.db.session() as s:
        assert not s.exec(
            select(Review).where(Review.kind == "proposal", Review.status == "open")
        ).all()
