"""Slack's Block Kit limits (api.slack.com/reference/block-kit), and the caps our cards keep
under them."""

from __future__ import annotations

MESSAGE_BLOCKS, VIEW_BLOCKS = 50, 100  # blocks in a message; in a modal or App Home
SECTION_LIMIT = 3000  # characters in one text object (section text, context element)
FIELD_LIMIT = 2000  # characters in one section field
HEADER_LIMIT = 150
INPUT_LIMIT = 3000  # a plain_text_input's initial value and max_length
FALLBACK_LIMIT = 3000  # a message's `text`: Slack allows 40,000; notifications show far less
BODY_SECTIONS = 6  # a draft's body on its card; the rest is behind "Show full text"
MAX_FOLLOWUPS = 8
MAX_SAMPLES = 8
