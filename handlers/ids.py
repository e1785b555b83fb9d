"""Every id Slack sends back to us: buttons' action ids, modals' callback ids, and the block
ids of inputs and cards. The views that set them and the listeners that match them both
read them here, so a renamed id cannot leave one side behind."""

from __future__ import annotations

# Buttons on a draft's or a play's card.
APPROVE, EDIT, DEFER, KILL = "review_approve", "review_edit", "review_defer", "review_kill"
# Buttons on a reply's card.
SEND_REPLY, REPLY_EDIT, TAKE_OVER, RECLASSIFY = (
    "reply_send",
    "reply_edit",
    "reply_take_over",
    "reply_reclassify",
)
# Buttons on a proposed change to an agent's file.
PROPOSAL_APPLY, PROPOSAL_DISMISS = "proposal_apply", "proposal_dismiss"
FULL_TEXT = "review_full_text"  # opens a modal with everything a card had to shorten

# Modals (view callback ids).
EDIT_VIEW, DEFER_VIEW, KILL_VIEW = "review_edit_modal", "review_defer_modal", "review_kill_modal"
REPLY_EDIT_VIEW, RECLASSIFY_VIEW = "reply_edit_modal", "reply_reclassify_modal"

# A modal's inputs: block ids, and the one action id every input element carries.
SUBJECT, BODY, REASON, NOTE, UNTIL = "subject", "body", "reason", "note", "until"
INPUT = "value"

# Block id prefixes on a card: its buttons (App Home copies this block), "Show full text".
BUTTONS_BLOCK, FULL_TEXT_BLOCK = "review:", "full:"

# The message metadata that says which review a posted card is.
REVIEW_EVENT = "twoloop_review"
