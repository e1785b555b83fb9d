"""incremental ticks

Where each agent's last tick got to (the highest signal and relationship event it had seen,
the digest of its matching rules, the ranked accounts it did not reach), so the next tick
reads only what changed; follow-up sequences indexed by when they last moved.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 10:39:02.692670
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("agentstate", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("signal_mark", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("event_mark", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column(
                "rules_version",
                sqlmodel.sql.sqltypes.AutoString(),
                server_default="",
                nullable=False,
            )
        )
        batch_op.add_column(
            sa.Column("ticked_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(
            sa.Column("full_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(sa.Column("backlog", sa.JSON(), server_default="[]", nullable=False))
    with op.batch_alter_table("sequence", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sequence_updated_at"), ["updated_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_sequence_updated_at", table_name="sequence")
    op.drop_column("agentstate", "backlog")
    op.drop_column("agentstate", "full_at")
    op.drop_column("agentstate", "ticked_at")
    op.drop_column("agentstate", "rules_version")
    op.drop_column("agentstate", "event_mark")
    op.drop_column("agentstate", "signal_mark")
