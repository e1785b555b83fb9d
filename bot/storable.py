"""Outside text made storable on both databases.

PostgreSQL text cannot hold NUL, and neither database takes a lone surrogate (it is not
UTF-8): one such character in a reply or a signal would make the whole row, and everything
queued behind it, fail. Pure: no database, no network.
"""

from __future__ import annotations

import re

_NUL = "\x00"
_SURROGATE = re.compile("[\ud800-\udfff]")


def storable(text: str) -> str:
    """`text` without NUL, a lone surrogate read as U+FFFD; ordinary text comes back as is."""
    if _NUL in text:
        text = text.replace(_NUL, "")
    return _SURROGATE.sub("\ufffd", text)
