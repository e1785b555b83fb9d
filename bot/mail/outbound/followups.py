"""Due follow-ups, queued through the outbox in the thread of the messages before them.

Apart from `sequences` (a sequence's state, which the outbox updates after each send), so
that the two depend one way: this calls the outbox, the outbox calls `sequences`."""

from __future__ import annotations

from bot.mail.outbound import outbox, sequences
from bot.runtime import Runtime
from storage import outbox as outbox_store
from storage import prospects
from storage import sequences as store
from storage.models import AgentState, Contact, Draft


def queue_due(rt: Runtime) -> int:
    """Queue every follow-up that is due. Returns how many were queued."""
    now = rt.now()
    queued = 0
    with rt.db.session() as s:
        due = [(q.draft_id, q.next_step) for q in store.due(s, now)]
    for draft_id, step in due:
        with rt.db.session() as s:
            draft = s.get_one(Draft, draft_id)
            contact = s.get_one(Contact, draft.contact_id)
            agent = rt.fleet().agents.get(draft.agent_id)
            state = s.get(AgentState, draft.agent_id)
            if agent is None or (state and state.paused):
                continue  # waits: the agent is gone or paused
            suppressed = prospects.suppression_for(s, contact.email)
            if suppressed:
                sequences.stop_contact(s, contact.id, f"suppressed: {suppressed}", now)
                continue
            if step > len(draft.followups) or not store.claim_step(s, draft_id, step, now):
                continue
            thread = outbox_store.thread_of(s, draft_id)
            ids = [m.message_id for m in thread]
            followup = draft.followups[step - 1]
            outbox.enqueue(
                s,
                draft,
                agent.mailbox.address,
                contact,
                now,
                step=step,
                subject=followup["subject"],
                body=followup["body"],
                in_reply_to=ids[-1] if ids else "",
                thread_refs=" ".join(ids),
            )
            queued += 1
    if queued:
        rt.outbox_wakeup.set()
    return queued
