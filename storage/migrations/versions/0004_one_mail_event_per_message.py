"""one bounce and one complaint per sent message

Copies of a bounce or complaint report about one message (resent, or forged) each counted
toward the deliverability guard, so twenty of them could pause a mailbox. `mailevent` now
holds at most one row per (message, kind); existing copies are folded into the first one,
which keeps `hard` if any copy had it.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        sa.text(
            "UPDATE mailevent SET hard = :hard WHERE id IN ("
            " SELECT MIN(id) FROM mailevent WHERE outbox_id IS NOT NULL"
            " GROUP BY outbox_id, kind"
            " HAVING MAX(CASE WHEN hard THEN 1 ELSE 0 END) = 1)"
        ).bindparams(hard=True)
    )
    op.execute(
        "DELETE FROM mailevent WHERE outbox_id IS NOT NULL AND id NOT IN ("
        " SELECT MIN(id) FROM mailevent WHERE outbox_id IS NOT NULL GROUP BY outbox_id, kind)"
    )
    with op.batch_alter_table("mailevent", schema=None) as batch_op:
        batch_op.create_unique_constraint("uq_mailevent_outbox_kind", ["outbox_id", "kind"])


def downgrade() -> None:
    with op.batch_alter_table("mailevent", schema=None) as batch_op:
        batch_op.drop_constraint("uq_mailevent_outbox_kind", type_="unique")
