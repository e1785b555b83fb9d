"""Build the plain-data card for a review from what the database holds now."""

from __future__ import annotations

from sqlmodel import Session

from bot.mail.triage import suggestions
from bot.ports import (
    PAST,
    Card,
    MatchPath,
    PathStep,
    PlayCard,
    PlaySample,
    ReplyCard,
    ReviewCard,
)
from bot.review import context, targets
from bot.review.proposal_cards import proposal_card
from bot.runtime import Runtime
from storage import reviews as store
from storage import suppression
from storage.models import (
    Account,
    Contact,
    Draft,
    InboundMessage,
    OutboxMessage,
    PlayVersion,
    Review,
)


def _paths(match: dict) -> tuple[MatchPath, ...]:
    labels = match.get("labels", {})

    def name(node: str) -> str:
        return labels.get(node) or node.split(":", 1)[-1].replace("-", " ")

    return tuple(
        MatchPath(
            tuple(
                PathStep(
                    name(st["src"]),
                    st["rel"],
                    name(st["dst"]),
                    st["weight"],
                    st["learned"],
                    st.get("decisions", 0),
                )
                for st in p["steps"]
            ),
            p["score"],
        )
        for p in match.get("paths", [])
    )


def relationship(account: Account) -> tuple[str, ...]:
    """The account's facts; its owner is on the card as a person (`Relationship.owner`)."""
    out = [f"status: {account.customer_status.replace('_', ' ')}"]
    if account.open_deal:
        out.append(f"open deal: {account.open_deal}")
    if account.last_touch_at:
        out.append(f"last touch: {account.last_touch_at:%Y-%m-%d}")
    if account.last_thread:
        out.append(f"last thread: {account.last_thread}")
    if account.am_notes:
        out.append(f"AM notes: {account.am_notes}")
    return tuple(out)


def outcome_detail(s: Session, review: Review) -> str:
    assert review.id is not None  # a row read from the database has its id
    decision = store.decision_for(s, review.id)
    if decision is None:
        return "nothing was sent" if review.status == "expired" else ""
    if decision.action == "kill":
        text = f" ({decision.reason_text})" if decision.reason_text else ""
        return f"reason: {decision.reason_code.replace('_', ' ')}{text}"
    if decision.action == "defer" and decision.defer_until:
        return f"comes back on {decision.defer_until:%Y-%m-%d}"
    row = s.get(InboundMessage, review.subject_id) if review.kind == "reply" else None
    detail = (row.detail or {}) if row is not None else {}
    lifted = detail.get("suppression_lifted")
    what = {
        "edit": "sent with the AM's edits",
        "reclassify": f"as {decision.reason_code.replace('_', ' ')}",
        "take_over": "the agent stops on this thread for good",
    }.get(decision.action, "")
    also = f"{lifted} is no longer suppressed" if lifted else ""
    if lifted and detail.get("still_held"):
        also = f"{lifted} is still held: another reply from them awaits a decision"
    return "; ".join(part for part in (what, also) if part)


def card_for(rt: Runtime, s: Session, review_id: int) -> Card:
    review = s.get(Review, review_id)
    if review is None:
        raise KeyError(f"no review {review_id}")
    if review.kind == "play":
        return play_card(rt, s, review)
    if review.kind == "proposal":
        return proposal_card(rt, s, review)
    if review.kind == "reply":
        return reply_card(rt, s, review)
    return draft_card(rt, s, review)


def load(rt: Runtime, review_id: int) -> Card | None:
    """A review's card as it stands now (to show its full text); None if it is gone."""
    with rt.db.session() as s:
        return card_for(rt, s, review_id) if s.get(Review, review_id) else None


def reply_card(rt: Runtime, s: Session, review: Review) -> ReplyCard:
    assert review.id is not None  # a row read from the database has its id
    row = s.get_one(InboundMessage, review.subject_id)
    ours = s.get(OutboxMessage, row.outbox_id) if row.outbox_id else None
    contact = s.get(Contact, row.contact_id) if row.contact_id else None
    account = s.get(Account, contact.account_id) if contact else None
    agent = rt.fleet().agents.get(review.agent_id)
    detail = row.detail or {}
    draft_id = row.draft_id or (ours.draft_id if ours else None)
    draft = s.get(Draft, draft_id) if draft_id else None
    if account is None and draft is not None:
        account = s.get(Account, draft.account_id)
    # Whose standing: the sender's when we know them, else the contact the thread was to.
    whom = contact or (s.get(Contact, draft.contact_id) if draft else None)
    suggestion = detail.get("suggestion", "")
    return ReplyCard(
        review_id=review.id,
        status=review.status,
        agent_name=agent.spec.name if agent else review.agent_id,
        owner=review.owner,
        channel=review.channel,
        message_ts=review.message_ts,
        content_hash=review.content_hash,
        expires_at=review.expires_at,
        contact_name=f"{contact.first_name} {contact.last_name}".strip() if contact else "",
        contact_title=contact.title if contact else "",
        account=f"{account.name} ({account.domain})" if account else "",
        from_addr=row.from_addr,
        our_subject=ours.subject if ours else "",
        our_body=ours.body if ours else "",
        their_subject=row.subject,
        their_text=row.text,
        intent=row.intent,
        confidence=row.confidence,
        triggers=tuple(row.triggers),
        rationale=detail.get("rationale", ""),
        suggestion=suggestion,
        reasons=tuple(review.reasons),
        handled=row.action,
        outcome=review.outcome,
        decided_by=review.decided_by,
        decided_at=review.decided_at,
        outcome_detail=outcome_detail(s, review),
        thread=context.thread(s, draft.id, row.id) if draft and draft.id else (),
        signals=context.signal_lines(s, draft) if draft else (),
        paths=_paths(draft.match or {}) if draft else (),
        relationship=relationship(account) if account else (),
        memory=context.relationship(rt, s, account, whom, review.agent_id, tuple(review.reasons)),
        respond_by=review.respond_by,
        target=targets.describe(rt, s, review, rt.now()),
        overdue=review.respond_by is not None and review.respond_by <= rt.now(),
        suggestion_source=detail.get("suggestion_source", "template" if suggestion else ""),
        drafted_from=tuple(detail.get("suggestion_facts") or ()),
        cover=tuple(detail.get("cover") or ()),
        suggestion_problems=tuple(detail.get("suggestion_problems") or ()),
        starter=suggestions.starter(contact.first_name if contact else ""),
        held=bool((detail.get("suppressed") or {}).get("held"))
        and suppression.SETTLED not in row.action
        and suppression.LIFTED not in row.action,
    )


def play_card(rt: Runtime, s: Session, review: Review) -> PlayCard:
    assert review.id is not None  # a row read from the database has its id
    version = s.get_one(PlayVersion, review.subject_id)
    agent = rt.fleet().agents.get(review.agent_id)
    t = version.template
    return PlayCard(
        review_id=review.id,
        status=review.status,
        play_id=version.play_id,
        play_name=t.get("name", version.play_id),
        agent_name=agent.spec.name if agent else review.agent_id,
        owner=review.owner,
        channel=review.channel,
        message_ts=review.message_ts,
        content_hash=review.content_hash,
        trigger=tuple(t.get("trigger", ())),
        targets_customers=bool(t.get("targets_customers")),
        subject_template=t.get("subject", ""),
        body_template=t.get("body", ""),
        samples=tuple(PlaySample(x["to"], x["subject"], x["body"]) for x in version.samples),
        expires_at=review.expires_at,
        outcome=review.outcome,
        decided_by=review.decided_by,
        decided_at=review.decided_at,
        outcome_detail=outcome_detail(s, review),
    )


def draft_card(rt: Runtime, s: Session, review: Review) -> ReviewCard:
    assert review.id is not None  # a row read from the database has its id
    draft = s.get_one(Draft, review.subject_id)
    account = s.get_one(Account, draft.account_id)
    contact = s.get_one(Contact, draft.contact_id)
    agent = rt.fleet().agents.get(review.agent_id)
    explain = draft.explain or {}
    return ReviewCard(
        review_id=review.id,
        kind=review.kind,
        status=review.status,
        agent_id=review.agent_id,
        agent_name=agent.spec.name if agent else review.agent_id,
        owner=review.owner,
        channel=review.channel,
        message_ts=review.message_ts,
        content_hash=review.content_hash,
        account=f"{account.name} ({account.domain})",
        contact_name=f"{contact.first_name} {contact.last_name}".strip(),
        contact_title=contact.title,
        contact_email=contact.email,
        signals=context.signal_lines(s, draft),
        paths=_paths(draft.match),
        match_score=draft.match.get("score", 0.0),
        subject=draft.subject,
        body=draft.body,
        personalization=draft.personalization,
        personalization_threshold=explain.get("personalization_threshold", 0.0),
        personalization_basis=explain.get("personalization_basis", ""),
        confidence=draft.confidence,
        confidence_threshold=explain.get("confidence_threshold", 0.0),
        second_check=draft.second_check,
        second_check_threshold=explain.get("second_check_threshold", 0.0),
        second_check_basis=explain.get("second_check_basis", ""),
        reasons=tuple(review.reasons),
        relationship=relationship(account),
        config_version=draft.config_version,
        expires_at=review.expires_at,
        outcome=review.outcome,
        decided_by=review.decided_by,
        decided_at=review.decided_at,
        outcome_detail=outcome_detail(s, review),
        followups=tuple((f["after_days"], f["body"]) for f in draft.followups or []),
        memory=context.relationship(
            rt, s, account, contact, review.agent_id, tuple(review.reasons)
        ),
    )


# Text pieces shared by every renderer (Slack blocks, the terminal), so they say the same.


def path_text(path: MatchPath) -> str:
    """account —hiring_for→ data engineer (w 1 × learned 0.59 from 1 decision) —indicates→
    problem (w 0.9) ←solves— capability (w 0.8) = path 0.42: each edge's weight times the
    agent's learned factor for the account's step (this relation to this target), as the
    matcher multiplied them."""
    parts = [path.steps[0].src]
    for i, st in enumerate(path.steps):
        weight = edge_weight_text(st, learns=i == 0)
        if st.rel == "solves":
            parts.append(f"←solves— {st.src} ({weight})")
        else:
            parts.append(f"—{st.rel}→ {st.dst} ({weight})")
    return " ".join(parts) + f" = path {path.score:.2f}"


def edge_weight_text(st: PathStep, learns: bool) -> str:
    """`learns`: the account's own edge, the one AM decisions move (bot/review/learning.py);
    its decisions are the step's own, or its relation type's when the step has none."""
    if st.decisions:
        plural = "s" if st.decisions != 1 else ""
        return f"w {st.weight:g} × learned {st.learned:.2f} from {st.decisions} decision{plural}"
    if st.learned != 1.0:
        return f"w {st.weight:g} × learned {st.learned:.2f}"
    return f"w {st.weight:g} × learned 1.00, no decisions yet" if learns else f"w {st.weight:g}"


def scores_text(card: ReviewCard) -> tuple[str, str]:
    # The basis starts with the score it explains (bot/core/personalization.py): said once.
    basis = card.personalization_basis.removeprefix(f"{card.personalization:.2f}: ")
    p = (
        f"Personalization {card.personalization:.2f} (review above "
        f"{card.personalization_threshold:.2f}) — {basis}"
    )
    c = f"Confidence {card.confidence:.2f} (review below {card.confidence_threshold:.2f})"
    return p, f"{c} · {second_check_text(card)}"


def second_check_text(card: ReviewCard) -> str:
    """'second check: 0.93 from 212 decisions (...) (review below 0.90)', next to confidence."""
    return check_text(card.second_check, card.second_check_threshold, card.second_check_basis)


def check_text(p: float | None, threshold: float, basis: str) -> str:
    if threshold <= 0:
        return "second check: off"
    if p is None:
        return f"second check: none yet ({basis or 'no model'})"
    return f"second check: {p:.2f} {basis}; review below {threshold:.2f}"


def outcome_text(card: Card, who: str) -> str:
    """'Approved by X at ...'; `who` is the renderer's way of naming a user."""
    if card.status == "open":
        return ""
    if card.status == "expired":
        return f"Expired at {card.expires_at:%Y-%m-%d %H:%M} UTC — {card.outcome_detail}"
    if card.status == "superseded" and card.kind == "proposal":
        return "Superseded: the agent's file changed since this was proposed"
    if card.status == "superseded":
        return "Superseded: the draft changed, a fresh card was posted"
    verb = PAST.get(card.outcome, card.outcome).capitalize()
    when = f"{card.decided_at:%Y-%m-%d %H:%M} UTC" if card.decided_at else ""
    detail = f" — {card.outcome_detail}" if card.outcome_detail else ""
    return f"{verb} by {who} at {when}{detail}"
