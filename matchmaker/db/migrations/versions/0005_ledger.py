"""ledger: one intent per pair, versions for stale edits, the time a status was entered

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 09:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import matchmaker.db.types

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("intents", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "status_since",
                matchmaker.db.types.UTCDateTime(timezone=True),
                nullable=True,
            )
        )
        batch_op.add_column(
            sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False)
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_intents_institution_id_project_id"), ["institution_id", "project_id"]
        )
    op.execute("UPDATE intents SET status_since = updated_at")
    with op.batch_alter_table("intents", schema=None) as batch_op:
        batch_op.alter_column(
            "status_since",
            existing_type=matchmaker.db.types.UTCDateTime(timezone=True),
            nullable=False,
        )
    with op.batch_alter_table("due_diligence_tasks", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("due_diligence_tasks", schema=None) as batch_op:
        batch_op.drop_column("version")
    with op.batch_alter_table("intents", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_intents_institution_id_project_id"), type_="unique")
        batch_op.drop_column("version")
        batch_op.drop_column("status_since")
