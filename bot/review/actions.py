"""The words of a person's decision on a review: the actions, the request, the result, and the
shape of the handler each review kind provides. Shared by the dispatcher (bot/decisions.py),
the handlers (drafts, answers to replies, plays) and the surfaces that build requests."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Protocol

from sqlmodel import Session

from bot.mail.triage.vocabulary import INTENTS
from bot.readouts import KILL_REASONS
from bot.runtime import Runtime
from storage.models import Review


class Action(StrEnum):
    APPROVE = "approve"
    EDIT = "edit"
    DEFER = "defer"
    KILL = "kill"
    SEND_REPLY = "send_reply"
    TAKE_OVER = "take_over"
    RECLASSIFY = "reclassify"
    APPLY = "apply"  # a proposed change to an agent's file
    DISMISS = "dismiss"


# What each kind of review can be decided with.
ALLOWED = {
    "draft": {Action.APPROVE, Action.EDIT, Action.DEFER, Action.KILL},
    "play": {Action.APPROVE, Action.KILL},
    "reply": {Action.SEND_REPLY, Action.EDIT, Action.TAKE_OVER, Action.RECLASSIFY},
    "proposal": {Action.APPLY, Action.DISMISS},
}

# Decisions that put mail in the outbox, so the sender should look now.
SENDS = frozenset({Action.APPROVE, Action.EDIT, Action.SEND_REPLY})


@dataclass(frozen=True)
class Request:
    review_id: int
    actor: str
    action: Action
    content_hash: str = ""
    subject: str = ""
    body: str = ""
    reason_code: str = ""
    reason_text: str = ""
    defer_until: date | None = None


@dataclass(frozen=True)
class Result:
    # decided | already_decided | forbidden | stale | blocked | not_found | invalid
    status: str
    review_id: int
    # past tense of the winning action, for "already approved by ..."; when forbidden,
    # "account_owner" if the account's owner AM (`detail`) decides, not the agent's owner,
    # "operators" if only an operator may; when stale, the review's kind
    outcome: str = ""
    decided_by: str = ""
    detail: str = ""
    new_review_id: int | None = None


class Invalid(ValueError):
    """The request itself is wrong (missing reason, past date): tell the user, change nothing."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def validate(req: Request, today: date, kind: str = "draft") -> None:
    if req.action == Action.KILL:
        if req.reason_code not in KILL_REASONS:
            raise Invalid("reason", "choose a kill reason")
        if req.reason_code == "other" and not req.reason_text.strip():
            raise Invalid("note", "say why when the reason is Other")
    if req.action == Action.DEFER and (req.defer_until is None or req.defer_until <= today):
        raise Invalid("until", "pick a date after today")
    if req.action == Action.RECLASSIFY and req.reason_code not in INTENTS:
        raise Invalid("reason", "choose what the reply really is")
    if req.action == Action.EDIT and kind == "reply":
        if not req.body.strip():
            raise Invalid("body", "the reply cannot be empty")
    elif req.action == Action.EDIT:
        if not req.subject.strip():
            raise Invalid("subject", "the subject cannot be empty")
        if not req.body.strip():
            raise Invalid("body", "the body cannot be empty")


@dataclass(frozen=True)
class Check:
    """What a handler finds before the conditional update."""

    blocked: list[str] = field(default_factory=list)  # why the text cannot go out as it is
    # The hash of the text this decision binds to, as it stands now; None when the decision
    # binds to no text that can change under an open card (then it is never stale).
    text_hash: str | None = None


class Handler(Protocol):
    """One review kind's part of a decision; bot/decisions.py does the steps common to all."""

    def check(self, rt: Runtime, s: Session, req: Request, review: Review) -> Check:
        """Inside the deciding transaction, before the conditional update. Changes nothing."""
        ...

    def record(self, rt: Runtime, s: Session, req: Request, review: Review, now: datetime) -> None:
        """The winner's side effects, in the same transaction as the winning update."""
        ...

    def renew(self, rt: Runtime, s: Session, review: Review, now: datetime) -> Review | None:
        """A fresh review for the subject of a card retired as stale, if one is due."""
        ...
