"""A draft's conversation as it happened: what we sent in its thread and what came back, for
the reply card and anyone else who needs the whole exchange."""

from __future__ import annotations

from sqlmodel import Session, col, select

from storage.models import InboundMessage, OutboxMessage


def sent_in(s: Session, draft_id: int) -> list[OutboxMessage]:
    """Every message we sent in the draft's thread (first message, follow-ups, answers), in
    the order they left."""
    q = (
        select(OutboxMessage)
        .where(OutboxMessage.draft_id == draft_id, OutboxMessage.status == "sent")
        .order_by(col(OutboxMessage.sent_at), col(OutboxMessage.id))
    )
    return list(s.exec(q))


def received_in(s: Session, draft_id: int) -> list[InboundMessage]:
    """Everything that came back in the draft's thread, in the order it arrived."""
    q = (
        select(InboundMessage)
        .where(InboundMessage.draft_id == draft_id)
        .order_by(col(InboundMessage.received_at), col(InboundMessage.id))
    )
    return list(s.exec(q))
