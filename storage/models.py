"""SQLModel tables for the Twoloop domain.

Timestamps are aware UTC datetimes; SQLModel's UTCDateTime stores them the same way on SQLite
and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, LargeBinary, Text, UniqueConstraint, text
from sqlmodel import Field, Session, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def session_now(s: Session) -> datetime:
    """The time to stamp rows with in this session: the runtime's clock, which
    `Database.session` hands every session, so audit times follow an injected clock (tests,
    simulations); the wall clock for a session made elsewhere."""
    clock = s.info.get("clock")
    return clock().replace(microsecond=0) if clock is not None else utcnow()


def _json(default: Any = None) -> Any:
    factory = list if default is None else dict
    return Field(default_factory=factory, sa_column=Column(JSON, nullable=False))


class Account(SQLModel, table=True):
    id: str = Field(primary_key=True)
    name: str
    domain: str = Field(index=True)
    industry: str = Field(default="", index=True)  # lower case, as imported
    employees: int = 0
    country: str = ""  # ISO code, upper case
    owner_am: str = Field(default="", index=True)  # the owner AM: a chat user id, or an email
    customer_status: str = "prospect"  # prospect | customer | former_customer
    do_not_contact: bool = False
    am_notes: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    open_deal: str = ""
    last_thread: str = ""
    last_touch_at: datetime | None = None
    # Who set customer_status last: "import", "crm:hubspot", "kill:<user>", "user:<user>".
    customer_source: str = ""
    crm_id: str = Field(default="", index=True)  # the CRM's id of this company, once synced


class Contact(SQLModel, table=True):
    id: str = Field(primary_key=True)
    account_id: str = Field(foreign_key="account.id", index=True)
    first_name: str
    last_name: str = ""
    email: str = Field(unique=True)
    title: str = ""
    timezone: str = ""  # IANA name, when known: sends land in the recipient's working hours
    do_not_contact: bool = False
    last_touch_at: datetime | None = None
    crm_id: str = Field(default="", index=True)  # the CRM's id of this contact, once synced


class Signal(SQLModel, table=True):
    # Candidates are found account first (by industry), then their signals by kind and age.
    __table_args__ = (Index("ix_signal_account_kind_time", "account_id", "kind", "observed_at"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: str = Field(foreign_key="account.id")
    kind: str
    summary: str
    detail: str = ""
    source: str = ""
    url: str = ""
    observed_at: datetime
    dedupe_key: str = Field(unique=True)
    created_at: datetime = Field(default_factory=utcnow)


class Capability(SQLModel, table=True):
    """Something we sell, with the proof point a draft may cite."""

    id: str = Field(primary_key=True)
    name: str
    summary: str
    proof: str = ""
    # What a reply's suggested answer may say about price: only this text, never a model's guess.
    pricing: str = Field(default="", sa_column_kwargs={"server_default": ""})


class Edge(SQLModel, table=True):
    """One typed edge of the matching graph; nodes are written 'kind:id' (e.g. 'role:data-eng')."""

    __table_args__ = (UniqueConstraint("src", "rel", "dst", name="uq_edge"),)

    id: int | None = Field(default=None, primary_key=True)
    src: str = Field(index=True)
    rel: str
    dst: str = Field(index=True)
    weight: float = 1.0
    source: str = ""


class Node(SQLModel, table=True):
    """A human label for a graph node key such as 'problem:pipeline-reliability'."""

    key: str = Field(primary_key=True)
    label: str
    aliases: list = _json()  # words that map text (a job title, a tech name) to this node


class LearnedWeight(SQLModel, table=True):
    """Per-agent Beta(alpha, beta) belief about a relation type, fed by AM decisions."""

    agent_id: str = Field(primary_key=True)
    rel: str = Field(primary_key=True)
    alpha: float = 1.0
    beta: float = 1.0
    updated_at: datetime | None = None


class Suppression(SQLModel, table=True):
    """An address or a whole domain ('@example.com') that must never receive mail."""

    value: str = Field(primary_key=True)
    reason: str
    created_at: datetime = Field(default_factory=utcnow)


class FeedState(SQLModel, table=True):
    """What we know of a feed between fetches: conditional-request validators and errors."""

    url: str = Field(primary_key=True)
    etag: str = ""
    last_modified: str = ""
    checked_at: datetime | None = None
    last_error: str = ""
    entries_seen: int = 0


class AgentState(SQLModel, table=True):
    """What the database knows of an agent beyond its file: trust, pause, live overrides."""

    agent_id: str = Field(primary_key=True)
    trust: str = "probation"  # probation | supervised
    paused: bool = False
    paused_reason: str = ""
    paused_by: str = ""
    trust_changed_at: datetime | None = None
    trust_reason: str = ""
    trust_set_by: str = ""  # "system" (the trust rules) or the operator who set it by hand
    config_version: str = ""
    overrides: dict = _json({})  # set by operators in Slack; win over the agent file
    updated_at: datetime = Field(default_factory=utcnow)
    # Where the agent's last tick got to: an incremental tick reads only what came after.
    signal_mark: int = 0  # the highest signal id it had seen
    event_mark: int = 0  # the highest relationship event id it had seen
    rules_version: str = ""  # digest of what matching depends on; a change re-matches all
    ticked_at: datetime | None = None
    full_at: datetime | None = None  # the last full re-match
    backlog: list = _json()  # ranked account ids it did not reach (daily cap, model away)


class PlayVersion(SQLModel, table=True):
    """One version (by content hash) of a play file. Humans approve patterns: until its
    current version is approved, no agent drafts with a play."""

    __table_args__ = (UniqueConstraint("play_id", "content_hash", name="uq_play_version"),)

    id: int | None = Field(default=None, primary_key=True)
    play_id: str = Field(index=True)
    content_hash: str
    status: str = "pending"  # pending | approved | rejected
    agent_id: str = ""  # the agent whose owner was asked
    template: dict = _json({})  # the play as it was when asked: what an approval approves
    samples: list = _json()  # sample drafts shown on the card
    created_at: datetime = Field(default_factory=utcnow)
    decided_by: str = ""
    decided_at: datetime | None = None


class Draft(SQLModel, table=True):
    # Status and digests count a day's drafts per agent, and the tuning report finds the
    # least confident drafts of a period, from this index alone.
    __table_args__ = (
        Index(
            "ix_draft_created_agent",
            "created_at",
            "agent_id",
            "status",
            "gate_outcome",
            "confidence",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    agent_id: str = Field(index=True)
    account_id: str = Field(foreign_key="account.id", index=True)
    contact_id: str = Field(foreign_key="contact.id", index=True)
    play_id: str
    capability_id: str = ""
    # One draft per agent, contact and set of triggering signals: ticks are idempotent.
    trigger_key: str = Field(unique=True)
    subject: str
    body: str = Field(sa_column=Column(Text, nullable=False))
    facts: list = _json()
    signal_ids: list = _json()
    match: dict = _json({})
    personalization: float = 0.0
    confidence: float = 0.0
    tokens: int = 0  # model tokens this draft cost (0 for the offline writer)
    followups: list = _json()  # the play's later steps, rendered: [{after_days, subject, body}]
    # Thresholds in force and how the scores were reached, as the gate saw them.
    explain: dict = _json({})
    config_version: str
    gate_outcome: str  # send | review | stop
    gate_reasons: list = _json()
    # What the second check saw (bot/core/second_check.py), its score, and what the gate would
    # have done were the agent supervised (shadow evaluation: send | review | stop).
    features: dict = _json({})
    second_check: float | None = None
    shadow: str = ""
    # drafted | review | approved | queued | sent | killed | deferred | expired | stopped | failed
    status: str = Field(index=True)
    deferred_until: datetime | None = Field(default=None, index=True)
    created_at: datetime = Field(default_factory=utcnow, index=True)
    updated_at: datetime = Field(default_factory=utcnow)


class Review(SQLModel, table=True):
    """The handoff object. At most one open review per subject (partial unique index)."""

    __table_args__ = (
        Index(
            "uq_review_open_subject",
            "kind",
            "subject_id",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str  # draft | reply | play
    subject_id: int
    agent_id: str = Field(index=True)
    owner: str
    channel: str
    content_hash: str
    reasons: list = _json()
    status: str = Field(default="open", index=True)  # open | decided | expired | superseded
    outcome: str = ""
    decided_by: str = ""
    decided_at: datetime | None = None
    message_ts: str = ""
    posted_at: datetime | None = None
    post_attempts: int = 0
    next_post_at: datetime | None = None  # after a failed post: when to try again
    post_error: str = ""
    created_at: datetime = Field(default_factory=utcnow)
    remind_at: datetime
    reminded_at: datetime | None = None
    expires_at: datetime = Field(index=True)
    # Reply SLAs (bot/review/sla.py): the class, the response target in the owner's working
    # hours, and when the operators were told it passed. A review with a target never expires.
    sla: str = Field(default="", sa_column_kwargs={"server_default": ""})
    respond_by: datetime | None = Field(default=None, index=True)
    overdue_told_at: datetime | None = None


class Decision(SQLModel, table=True):
    """A human's decision on a review: the training signal. One per review (first wins)."""

    # Digests, status and the tuning report read per agent over a time window; the fleet-wide
    # tuning report reads draft decisions by week from the second index alone.
    __table_args__ = (
        Index("ix_decision_agent_time", "agent_id", "decided_at"),
        Index(
            "ix_decision_kind_time",
            "kind",
            "decided_at",
            "agent_id",
            "config_version",
            "action",
            "reason_code",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(foreign_key="review.id", unique=True)
    kind: str = "draft"  # the review's kind: draft | reply | play (a reply's edit is no draft's)
    draft_id: int | None = Field(default=None, index=True)
    play_version_id: int | None = None
    agent_id: str = Field(index=True)
    action: str  # approve | edit | defer | kill
    reason_code: str = ""
    reason_text: str = ""
    before_subject: str = ""
    before_body: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    after_subject: str = ""
    after_body: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    defer_until: date | None = None
    actor: str
    config_version: str = ""
    decided_at: datetime = Field(default_factory=utcnow, index=True)


class OutboxMessage(SQLModel, table=True):
    """The only way mail leaves. One row per message; unique (draft, step) and message_id
    make a second enqueue of the same message fail instead of sending twice."""

    __table_args__ = (
        UniqueConstraint("draft_id", "step", name="uq_outbox_draft_step"),
        # Digests count a day's sends per agent from this index alone.
        Index("ix_outbox_sent_agent", "sent_at", "agent_id", "status"),
    )
    # step -1, -2, ...: replies an AM sent to the contact's answers, in the same thread

    id: int | None = Field(default=None, primary_key=True)
    draft_id: int = Field(foreign_key="draft.id", index=True)
    step: int = 0  # 0: the first message; n: the play's n-th follow-up, in the same thread
    agent_id: str = Field(default="", index=True)
    contact_id: str = ""
    message_id: str = Field(unique=True)
    in_reply_to: str = ""
    thread_refs: str = ""  # the References header: earlier Message-IDs of the thread
    from_addr: str = Field(index=True)  # the mailbox's address
    to_addr: str
    subject: str
    body: str = Field(sa_column=Column(Text, nullable=False))
    # queued | sending | sent | failed | uncertain (claimed, then the process died mid-send)
    status: str = Field(default="queued", index=True)
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow, index=True)
    claimed_at: datetime | None = None
    claimed_by: str = ""  # host:pid of the process sending it
    last_error: str = ""
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = Field(default=None, index=True)


class MailboxState(SQLModel, table=True):
    """A sending mailbox's counters. A send reserves its slot with one conditional UPDATE on
    this row, so caps and gaps hold across restarts and replicas."""

    address: str = Field(primary_key=True)
    day: date | None = None  # the mailbox-local day `sent_on_day` counts
    sent_on_day: int = 0
    first_send_on: date | None = None  # warm-up counts from here
    next_send_at: datetime | None = None
    paused: bool = False
    paused_reason: str = ""
    paused_at: datetime | None = None


class MailEvent(SQLModel, table=True):
    """Something that came back for a sent message: a bounce or a complaint. At most one of
    each kind per message, so copies of a report (resent or forged) count once."""

    __table_args__ = (UniqueConstraint("outbox_id", "kind", name="uq_mailevent_outbox_kind"),)

    id: int | None = Field(default=None, primary_key=True)
    outbox_id: int | None = Field(default=None, foreign_key="outboxmessage.id", index=True)
    mailbox: str = Field(index=True)
    agent_id: str = Field(default="", index=True)
    contact_id: str = ""
    kind: str  # bounce | complaint
    hard: bool = False
    detail: str = ""
    at: datetime = Field(default_factory=utcnow, index=True)


class Sequence(SQLModel, table=True):
    """Where a draft's follow-ups stand for its contact."""

    draft_id: int = Field(foreign_key="draft.id", primary_key=True)
    contact_id: str = Field(index=True)
    agent_id: str
    next_step: int = 1
    due_at: datetime | None = Field(default=None, index=True)
    status: str = Field(default="active", index=True)  # active | parked | stopped | done
    reason: str = ""
    updated_at: datetime = Field(default_factory=utcnow, index=True)  # incremental ticks


class InboundMessage(SQLModel, table=True):
    """A message that came back: a reply, an auto-reply, a bounce or a complaint, with how it
    was classified and routed. Idempotent on Message-ID."""

    id: int | None = Field(default=None, primary_key=True)
    message_id: str = Field(unique=True)
    in_reply_to: str = ""
    thread_refs: str = ""
    from_addr: str = Field(index=True)
    subject: str = ""
    text: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    received_at: datetime = Field(default_factory=utcnow, index=True)
    source: str = ""  # imap:<folder> | file:<path> | ...
    kind: str = ""  # human | auto_reply | bounce | complaint
    intent: str = ""
    triggers: list = _json()
    confidence: float = 0.0
    route: str = ""  # auto | review
    action: str = ""  # what was done without a person (parked, suppressed, closed, ...)
    detail: dict = _json({})  # bounce status, return date, classifier rationale, ...
    outbox_id: int | None = Field(default=None, index=True)  # the message it answers
    draft_id: int | None = Field(default=None, index=True)
    contact_id: str = Field(default="", index=True)
    agent_id: str = Field(default="", index=True)


class ImapCheckpoint(SQLModel, table=True):
    """The last UID read from a mailbox folder, so nothing is read twice or skipped."""

    key: str = Field(primary_key=True)  # host/user/folder
    uidvalidity: int = 0
    last_uid: int = 0
    updated_at: datetime = Field(default_factory=utcnow)
    # The message after last_uid whose handling failed, and how many polls in a row it did.
    failing_uid: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    failures: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class SetAsideMail(SQLModel, table=True):
    """An inbound message whose handling kept failing, kept whole and out of the way of the
    messages after it until an operator retries it (`twoloop replies retry`)."""

    id: int | None = Field(default=None, primary_key=True)
    source: str  # where it was read, e.g. imap://host/INBOX
    uid: int
    raw: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    error: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    attempts: int = 0
    at: datetime = Field(default_factory=utcnow)


class AppSecret(SQLModel, table=True):
    """Keys the app makes for itself (e.g. unsubscribe tokens), shared by every replica."""

    name: str = Field(primary_key=True)
    value: str
    created_at: datetime = Field(default_factory=utcnow)


class AuditEvent(SQLModel, table=True):
    """Append-only: nothing updates or deletes these rows."""

    __table_args__ = (
        Index("ix_auditevent_agent_time", "agent_id", "at"),
        Index("ix_auditevent_actor_time", "actor", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor: str  # agent:<id> | user:<slack id> | system
    action: str = Field(index=True)
    subject: str = Field(index=True)  # e.g. draft:12, review:3
    agent_id: str = ""  # the agent the event concerns, when there is one
    detail: dict = _json({})
    config_version: str = ""


class ScheduledPost(SQLModel, table=True):
    """A scheduled Slack post (digest, tuning report) that happened: the key is claimed before
    posting, so every replica's scheduler agrees it happens once."""

    key: str = Field(primary_key=True)  # e.g. digest:am:U123:2026-11-21
    claimed_at: datetime = Field(default_factory=utcnow)
    posted_at: datetime | None = None
    channel: str = ""
    message_ts: str = ""


class SlackUser(SQLModel, table=True):
    """What Slack told us of a user (users.info), for local-time digests and names."""

    user_id: str = Field(primary_key=True)
    name: str = ""
    tz: str = ""  # IANA name
    fetched_at: datetime = Field(default_factory=utcnow)


class SlackDelivery(SQLModel, table=True):
    """A Slack event or interaction already taken: Slack redelivers (X-Slack-Retry-Num) and
    every replica sees the same key, so the second delivery is acknowledged and dropped."""

    key: str = Field(primary_key=True)  # event:<event_id> | action:<user>:<action_ts>
    at: datetime = Field(default_factory=utcnow, index=True)


class SlackChannelPace(SQLModel, table=True):
    """When the next chat.postMessage may go to a channel (Slack allows about one a second,
    and a 429's Retry-After holds the channel). Kept in the database and claimed with one
    conditional UPDATE, so two posters, or two replicas, share one pace per channel."""

    channel: str = Field(primary_key=True)
    next_at: datetime
    reason: str = ""  # "posting" while a post is in flight, "rate_limited" after a 429


class TickRun(SQLModel, table=True):
    """One scheduled tick of one agent, claimed before it runs: no tick runs twice."""

    __table_args__ = (UniqueConstraint("agent_id", "scheduled_for", name="uq_tickrun_slot"),)

    id: int | None = Field(default=None, primary_key=True)
    agent_id: str
    scheduled_for: datetime
    owner: str = ""  # host:pid
    started_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None
    status: str = "running"  # running | done | failed | abandoned (its process died mid-tick)


class RelationshipEvent(SQLModel, table=True):
    """One thing that happened between us and a contact or an account, with its date: our
    sends, their replies and how they read, bounces, unsubscribes, referrals, AM decisions,
    customer status changes. The relationship memory the gate, the cards and `why` read;
    append-only (a reversal is a new event)."""

    id: int | None = Field(default=None, primary_key=True)
    account_id: str = Field(index=True)
    contact_id: str = Field(default="", index=True)
    kind: str = Field(index=True)  # see bot/core/relationship.py, KINDS
    at: datetime = Field(index=True)
    actor: str = ""  # contact:<id> | user:<chat id> | agent:<id> | crm:<name> | system
    agent_id: str = ""
    draft_id: int | None = None
    inbound_id: int | None = None
    summary: str = ""  # the line a person reads on a card
    detail: dict = _json({})


class AccountManager(SQLModel, table=True):
    """An account owner as the chat knows them: where their reviews go, and whether they are
    still there to decide (a departed owner's reviews go to the agent's owner)."""

    user_id: str = Field(primary_key=True)  # chat user id (Slack U…/W…)
    email: str = Field(default="", index=True)
    name: str = ""
    channel: str = ""  # where their review cards go; "" = the agent's channel
    status: str = "unknown"  # active | deactivated | unknown (not looked up yet)
    source: str = ""  # ams.yml | crm:hubspot | chat
    checked_at: datetime | None = None
    missing_told_at: datetime | None = None  # when the operators were told they are gone


class CrmCursor(SQLModel, table=True):
    """How far an incremental CRM pull has read, per CRM and object type."""

    key: str = Field(primary_key=True)  # "<crm>:<object>", e.g. hubspot:companies
    modified_after: datetime | None = None
    synced_at: datetime | None = None
    last_error: str = ""
    running_until: datetime | None = None  # a sync holds this lease while it runs


class CrmPush(SQLModel, table=True):
    """What we logged on the CRM, keyed by our own id for it (a Message-ID, a decision), so a
    retried or repeated sync never logs the same thing twice."""

    key: str = Field(primary_key=True)  # "<crm>:<kind>:<our id>"
    crm: str
    kind: str  # email | reply | decision
    remote_id: str = ""
    contact_id: str = ""
    at: datetime = Field(default_factory=utcnow)


class ReviewClick(SQLModel, table=True):
    """One press on a card or its modal: what the operator's review time is measured from."""

    __table_args__ = (Index("ix_reviewclick_actor_at", "actor", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(index=True)
    agent_id: str = Field(index=True)
    actor: str
    action: str  # the button or modal: approve, edit_open, edit_submit, kill, show_full, ...
    at: datetime = Field(index=True)


class SecondCheckModel(SQLModel, table=True):
    """A trained second check: a logistic model of "the AM approves this as is", kept as
    plain coefficients so scoring needs no library and every replica reads the same one."""

    id: int | None = Field(default=None, primary_key=True)
    trained_at: datetime = Field(index=True)
    decisions: int = 0
    through_decision_id: int = 0  # the newest decision it learned from
    model: dict = _json({})  # {"intercept": x, "coef": {feature: weight}, "counts": {...}}
    metrics: dict = _json({})


class Proposal(SQLModel, table=True):
    """A change to an agent's file that AMs' edits and kills point to, awaiting an operator."""

    __table_args__ = (UniqueConstraint("agent_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    agent_id: str = Field(index=True)
    kind: str  # banned_phrase | instruction | threshold | segment
    key: str  # what it proposes, so the same change is never proposed twice
    summary: str
    evidence: dict = _json({})
    path: str  # the agent file it changes
    base_hash: str  # sha256 of the file it was computed from: Apply refuses a file that moved
    new_text: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    diff: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    status: str = Field(default="open", index=True)  # open | applied | dismissed | stale
    decided_by: str = ""
    decided_at: datetime | None = None
    created_at: datetime


class ModelEndpoint(SQLModel, table=True):
    """Which structured-output mode an OpenAI-compatible endpoint answers to, learned by trying
    (bot/model/structured.py), so a restart or another replica does not probe it again."""

    endpoint: str = Field(primary_key=True)  # base URL + " " + model
    mode: str  # json_schema | json_object | prompt
    detail: str = ""  # why the richer modes were refused, for `twoloop status`
    updated_at: datetime


class TokenBudget(SQLModel, table=True):
    """An agent's model tokens on one day of its own: spent, and reserved by calls in flight.
    A call reserves its worst case with one conditional UPDATE (spent + reserved + worst case
    within the limit), so replicas and jobs sharing the budget cannot overspend it
    (storage/token_budget.py)."""

    __tablename__ = "token_budget"
    agent_id: str = Field(primary_key=True)
    day: str = Field(primary_key=True)  # YYYY-MM-DD in the agent's time zone
    spent: int = 0
    reserved: int = 0


class TokenReservation(SQLModel, table=True):
    """One call's reservation, until it settles to the real usage; a reservation whose
    process died is returned to the budget once it expires."""

    __tablename__ = "token_reservation"
    id: int | None = Field(default=None, primary_key=True)
    agent_id: str
    day: str
    tokens: int
    expires_at: datetime = Field(index=True)
