"""Account managers (`ams.yml`, beside mailboxes.yml): where each owner's review cards go.

An account names its owner AM by chat user id (or email); this file maps each AM to the
channel their reviews land in, with an optional name and email:

    account_managers:
      U0AMDANA01: {channel: C0REVIEWS01, name: Dana Cole, email: dana@northwind.example,
                   booking_link: "https://cal.example/dana"}
      U0AMLEO002: C0REVIEWS02          # short form: just the channel

An AM missing here still decides their accounts' reviews, in the agent's channel. The
optional `booking_link` is what a drafted answer to a meeting request may offer.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.config.frontmatter import FileError, line_of, load_yaml

FILE = "ams.yml"
USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")  # Slack user ids: U… (or W… on Enterprise Grid)
CHANNEL = r"^[CGD][A-Z0-9]{2,}$"  # a channel id, as agent files name theirs
BOOKING_LINK = r"^$|^https://[A-Za-z0-9.-]+\.[A-Za-z]{2,}(?::\d{1,5})?(?:[/?#][^\s<>\"'`|]*)?$"


class ManagerSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    channel: str = Field(pattern=CHANNEL)
    name: str = ""
    email: str = Field("", pattern=r"^$|^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
    # Offered by a drafted answer to a meeting request: https only, so no answer carries a
    # plain-http or javascript: link in the AM's name.
    booking_link: str = Field("", max_length=300, pattern=BOOKING_LINK)

    @field_validator("email")
    @classmethod
    def _lower(cls, v: str) -> str:
        return v.lower()


class ManagersFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    account_managers: dict[str, Any] = {}


def path_in(home: Path) -> Path:
    return home / FILE


def load_managers(path: Path) -> dict[str, ManagerSpec]:
    """AM chat user id -> where their reviews go; {} when there is no file. Raises FileError
    naming the file, line and field of the first problem."""
    if not path.is_file():
        return {}
    parsed, node = load_yaml(path, ManagersFile)
    _no_twice(path, node)
    out: dict[str, ManagerSpec] = {}
    emails: dict[str, str] = {}
    for user, entry in parsed.account_managers.items():
        loc = ("account_managers", user)
        where = line_of(node, loc)
        if not USER_ID.match(user):
            raise FileError(
                path, where, f"account_managers.{user}", "not a chat user id (like U0AMDANA01)"
            )
        try:
            spec = ManagerSpec.model_validate(
                {"channel": entry} if isinstance(entry, str) else entry
            )
        except ValidationError as exc:
            err = exc.errors()[0]
            inner = tuple(err["loc"])
            field = ".".join(map(str, ("account_managers", user, *inner)))
            raise FileError(
                path, line_of(node, (*loc, *inner)) or where, field, _message(err)
            ) from None
        if spec.email:
            if spec.email in emails:
                raise FileError(
                    path,
                    line_of(node, (*loc, "email")) or where,
                    f"account_managers.{user}.email",
                    f"{spec.email} is also {emails[spec.email]}'s",
                )
            emails[spec.email] = user
        out[user] = spec
    return out


def _no_twice(path: Path, node: Any) -> None:
    """YAML keeps the last of two equal keys without a word; an AM listed twice is a mistake."""
    if not isinstance(node, yaml.MappingNode):
        return
    section = next((v for k, v in node.value if k.value == "account_managers"), None)
    if not isinstance(section, yaml.MappingNode):
        return
    seen: set[str] = set()
    for key, _ in section.value:
        if key.value in seen:
            raise FileError(
                path,
                key.start_mark.line + 1,
                f"account_managers.{key.value}",
                f"{key.value} is listed twice",
            )
        seen.add(key.value)


def _message(err: Any) -> str:
    """Pydantic's message, in the file's terms where it has a plainer one."""
    if err["type"] == "string_pattern_mismatch" and err["loc"] == ("channel",):
        return f"{err['input']!r} is not a channel id (like C0REVIEWS01)"
    if err["type"] == "string_pattern_mismatch" and err["loc"] == ("email",):
        return f"{err['input']!r} is not an email address"
    if err["type"] == "string_pattern_mismatch" and err["loc"] == ("booking_link",):
        return f"{err['input']!r} is not an https:// link"
    if err["type"] == "model_type":
        return "expected a channel id, or a mapping with channel (and name, email)"
    return err["msg"]
