"""eligibility: a project's credit code and lead person's id; an event's rules and barred list

``projects.credit_code`` (统一社会信用代码) and ``projects.leader_id`` (负责人身份证号) are
optional and empty on existing rows; ``events.rules`` holds the notices' rules the organiser
switched on and the past winners barred (NULL: every rule off, as before).

Revision ID: 0016
Revises: 0011
Create Date: 2026-12-07 02:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0016"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.add_column(sa.Column("credit_code", sa.String(length=18), nullable=True))
        batch_op.add_column(sa.Column("leader_id", sa.String(length=18), nullable=True))
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "rules",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                nullable=True,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_column("rules")
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.drop_column("leader_id")
        batch_op.drop_column("credit_code")
