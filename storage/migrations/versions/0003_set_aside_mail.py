"""set-aside mail

An inbound message whose handling fails poll after poll no longer holds up the folder: the
checkpoint counts its failures, and after a few it is kept whole in `setasidemail` for an
operator. The new checkpoint columns carry a server default, for tables that have rows.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 01:10:45.808905
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "setasidemail",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("uid", sa.Integer(), nullable=False),
        sa.Column("raw", sa.LargeBinary(), nullable=False),
        sa.Column("error", sa.Text(), server_default="", nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("imapcheckpoint", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("failing_uid", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("failures", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("imapcheckpoint", schema=None) as batch_op:
        batch_op.drop_column("failures")
        batch_op.drop_column("failing_uid")

    op.drop_table("setasidemail")
