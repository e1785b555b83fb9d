"""Keeping the API key out of what we log and store about a model endpoint.

A proxy or server may echo the key in an error or a refusal, and a base URL may carry
credentials (https://user:pass@proxy/v1) or a key in its query. Every model text that reaches
a log, the database or a card goes through `redact`; every endpoint name through `endpoint`.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit, urlunsplit

NO_KEY = "no-key"  # what keyless local servers get: the SDK refuses to start without a key
MIN_SECRET = 8  # shorter "keys" are placeholders; replacing them would mangle ordinary text
KEYLIKE = re.compile(r"\b(sk-[A-Za-z0-9_\-*.]{6,})")
# A URL's credentials (scheme://user:pass@host) and key-bearing query values, as a server
# may echo the base URL back.
USERINFO = re.compile(r"(?<=://)[^/\s@?#]+@")
QUERY_KEY = re.compile(
    r"(?<=[?&])((?:api[-_]?key|key|token|access[-_]?token|sig|signature|password|secret)=)"
    r"[^&\s#]+",
    re.IGNORECASE,
)
MASK = "[redacted]"


def secrets_of(client: Any) -> list[str]:
    """The client's API key, when it is a real one."""
    key = getattr(client, "api_key", "")
    return [key] if isinstance(key, str) and len(key) >= MIN_SECRET and key != NO_KEY else []


def redact(text: str, secrets: list[str]) -> str:
    """`text` without the exact secrets, anything shaped like an OpenAI key, and a URL's
    credentials or key-bearing query values."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, MASK)
    text = USERINFO.sub(f"{MASK}@", text)
    text = QUERY_KEY.sub(rf"\1{MASK}", text)
    return KEYLIKE.sub(MASK, text)


def endpoint(base_url: str) -> str:
    """The base URL without userinfo, query or fragment: safe to log and to key a store on."""
    try:
        parts = urlsplit(base_url.strip())
        host = parts.hostname or ""
        port = parts.port
    except ValueError:  # a malformed port or IPv6 literal: name nothing that may hold a secret
        return "(unreadable base URL)"
    if ":" in host:  # an IPv6 literal
        host = f"[{host}]"
    netloc = f"{host}:{port}" if port is not None else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", "")).rstrip("/")
