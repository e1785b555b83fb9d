"""controls, learning, digests, replicas

Operator overrides and trust history on agentstate; audit events filed by agent; the indexes
the digest, status and tuning queries read; scheduled posts, Slack users and deliveries, tick
claims, and posting retries for several replicas. Columns added to existing tables carry a
server default so the upgrade works on a database that already has rows.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 18:44:58.892598
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "scheduledpost",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("claimed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("posted_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("message_ts", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "slackdelivery",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    with op.batch_alter_table("slackdelivery", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_slackdelivery_at"), ["at"], unique=False)

    op.create_table(
        "slackchannelpace",
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("next_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.PrimaryKeyConstraint("channel"),
    )
    op.create_table(
        "slackuser",
        sa.Column("user_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("tz", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("fetched_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("user_id"),
    )
    op.create_table(
        "tickrun",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agent_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("scheduled_for", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("owner", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("started_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("finished_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("agent_id", "scheduled_for", name="uq_tickrun_slot"),
    )
    with op.batch_alter_table("agentstate", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "paused_by", sqlmodel.sql.sqltypes.AutoString(), server_default="", nullable=False
            )
        )
        batch_op.add_column(
            sa.Column("trust_changed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(
            sa.Column(
                "trust_reason",
                sqlmodel.sql.sqltypes.AutoString(),
                server_default="",
                nullable=False,
            )
        )
        # "" or "system": trust set by the rules; a user id: set by an operator (a manual
        # demotion holds until a person promotes).
        batch_op.add_column(
            sa.Column(
                "trust_set_by",
                sqlmodel.sql.sqltypes.AutoString(),
                server_default="",
                nullable=False,
            )
        )

    with op.batch_alter_table("auditevent", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "agent_id", sqlmodel.sql.sqltypes.AutoString(), server_default="", nullable=False
            )
        )
        batch_op.create_index("ix_auditevent_actor_time", ["actor", "at"], unique=False)
        batch_op.create_index("ix_auditevent_agent_time", ["agent_id", "at"], unique=False)
    op.execute("UPDATE auditevent SET agent_id = substr(actor, 7) WHERE actor LIKE 'agent:%'")

    with op.batch_alter_table("decision", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "kind", sqlmodel.sql.sqltypes.AutoString(), server_default="draft", nullable=False
            )
        )
        batch_op.create_index("ix_decision_agent_time", ["agent_id", "decided_at"], unique=False)

    with op.batch_alter_table("learnedweight", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )

    with op.batch_alter_table("outboxmessage", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "claimed_by", sqlmodel.sql.sqltypes.AutoString(), server_default="", nullable=False
            )
        )

    with op.batch_alter_table("review", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("next_post_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(
            sa.Column(
                "post_error", sqlmodel.sql.sqltypes.AutoString(), server_default="", nullable=False
            )
        )

    # A decision says which kind of card it decided (a reply's edit is not a draft's); the
    # covering indexes the digest, status and tuning report read.
    op.execute(
        "UPDATE decision SET kind = "
        "(SELECT review.kind FROM review WHERE review.id = decision.review_id)"
    )
    op.create_index(
        "ix_decision_kind_time",
        "decision",
        ["kind", "decided_at", "agent_id", "config_version", "action", "reason_code"],
    )
    op.create_index(
        "ix_draft_created_agent",
        "draft",
        ["created_at", "agent_id", "status", "gate_outcome", "confidence"],
    )
    op.create_index("ix_outbox_sent_agent", "outboxmessage", ["sent_at", "agent_id", "status"])


def downgrade() -> None:
    with op.batch_alter_table("review", schema=None) as batch_op:
        batch_op.drop_column("post_error")
        batch_op.drop_column("next_post_at")

    with op.batch_alter_table("outboxmessage", schema=None) as batch_op:
        batch_op.drop_column("claimed_by")

    with op.batch_alter_table("learnedweight", schema=None) as batch_op:
        batch_op.drop_column("updated_at")

    op.drop_index("ix_outbox_sent_agent", table_name="outboxmessage")
    op.drop_index("ix_draft_created_agent", table_name="draft")
    op.drop_index("ix_decision_kind_time", table_name="decision")
    with op.batch_alter_table("decision", schema=None) as batch_op:
        batch_op.drop_index("ix_decision_agent_time")
        batch_op.drop_column("kind")

    with op.batch_alter_table("auditevent", schema=None) as batch_op:
        batch_op.drop_index("ix_auditevent_agent_time")
        batch_op.drop_index("ix_auditevent_actor_time")
        batch_op.drop_column("agent_id")

    with op.batch_alter_table("agentstate", schema=None) as batch_op:
        batch_op.drop_column("trust_set_by")
        batch_op.drop_column("trust_reason")
        batch_op.drop_column("trust_changed_at")
        batch_op.drop_column("paused_by")

    op.drop_table("tickrun")
    op.drop_table("slackuser")
    op.drop_table("slackchannelpace")
    with op.batch_alter_table("slackdelivery", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_slackdelivery_at"))

    op.drop_table("slackdelivery")
    op.drop_table("scheduledpost")
