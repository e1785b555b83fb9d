"""What the sync needs of a CRM, as plain records: one small interface, so HubSpot is one
implementation and another CRM (Salesforce via simple-salesforce) can slot in beside it.

Pulls are incremental: each yields pages ordered by last-modified time, and a page's
`through` is where the next pull may start. Pushes are idempotent on our own key, which the
sync remembers once the CRM has answered.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Generic, Literal, Protocol, TypeVar

T = TypeVar("T")


class CrmError(Exception):
    """The CRM failed, after the retries its limits allow; one line, never a token."""


class CrmAuthError(CrmError):
    """The token is missing, revoked or lacks a scope: nothing can sync until a person fixes it."""


@dataclass(frozen=True)
class Owner:
    """A CRM user who owns records (an AM)."""

    crm_id: str
    email: str
    name: str = ""
    active: bool = True


@dataclass(frozen=True)
class Company:
    crm_id: str
    name: str
    domain: str = ""
    lifecycle: str = ""  # the CRM's lifecycle stage, lower case ("customer", "lead", ...)
    owner_id: str = ""
    last_activity: datetime | None = None
    modified_at: datetime | None = None
    industry: str = ""
    employees: int | None = None
    country: str = ""


@dataclass(frozen=True)
class Person:
    crm_id: str
    email: str
    first_name: str = ""
    last_name: str = ""
    title: str = ""
    company_ids: tuple[str, ...] = ()  # the primary company first
    last_activity: datetime | None = None
    modified_at: datetime | None = None
    opted_out: bool = False  # unsubscribed from all email in the CRM


@dataclass(frozen=True)
class Deal:
    crm_id: str
    name: str
    stage: str  # as people read it ("Contract sent")
    closed: bool = False
    won: bool = False
    modified_at: datetime | None = None


@dataclass(frozen=True)
class CompanyDeals:
    """Every deal of a company whose deals changed: its open deals and whether one was won
    are then known whole, not only the changed one."""

    company_id: str
    deals: tuple[Deal, ...]


@dataclass(frozen=True)
class Page(Generic[T]):
    rows: tuple[T, ...]
    through: datetime | None  # the latest last-modified time in this page
    total: int | None = None  # about how many records the whole pull reads, when told


@dataclass(frozen=True)
class Who:
    """One of our contacts, as the CRM needs them to find or create their record."""

    contact_id: str
    email: str
    first_name: str = ""
    last_name: str = ""
    title: str = ""
    crm_company: str = ""  # the CRM id of their company, when synced


@dataclass(frozen=True)
class Engagement:
    """Something the agents did, to log on a CRM contact: a sent email, a reply, a decision."""

    key: str  # our own id for it ("email:<Message-ID>", "decision:12"): the CRM's trace id
    kind: Literal["email", "reply", "note"]
    crm_contact: str
    at: datetime
    crm_company: str = ""
    subject: str = ""
    text: str = ""
    from_addr: str = ""
    to_addr: str = ""
    message_id: str = ""


@dataclass
class Logged:
    """What a push did: our key -> the CRM's id of what it logged, and what it refused."""

    ids: dict[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


class Crm(Protocol):
    name: str  # "hubspot": the prefix of cursors, pushes and customer sources

    def owners(self) -> list[Owner]:
        """Every owner (a short list, read whole each sync)."""

    def companies(self, since: datetime | None) -> Iterator[Page[Company]]:
        """Companies modified at or after `since` (all of them for None), oldest first."""

    def contacts(self, since: datetime | None) -> Iterator[Page[Person]]:
        """Contacts modified at or after `since`, oldest first."""

    def deals(self, since: datetime | None) -> Iterator[Page[CompanyDeals]]:
        """For deals modified at or after `since`: every deal of each company they are on."""

    def contact_ids(self, people: Sequence[Who]) -> dict[str, str]:
        """Our contact id -> the CRM's contact id: found by email, created when missing."""

    def log(self, items: Sequence[Engagement]) -> Logged:
        """Log these on their contacts; the result names what the CRM took."""
