"""rate_limit_hits: sign-in and booking limits counted in the database, shared by every worker

Without Redis each gunicorn worker counted in its own memory, so with two workers twenty wrong
passwords got through a limit of ten. No existing table changes.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 21:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rate_limit_hits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("at", sa.Double(), nullable=False),
        sa.Column("expires_at", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rate_limit_hits")),
    )
    with op.batch_alter_table("rate_limit_hits", schema=None) as batch_op:
        batch_op.create_index("ix_rate_limit_hits_key_at", ["key", "at"], unique=False)
        batch_op.create_index("ix_rate_limit_hits_expires_at", ["expires_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("rate_limit_hits", schema=None) as batch_op:
        batch_op.drop_index("ix_rate_limit_hits_expires_at")
        batch_op.drop_index("ix_rate_limit_hits_key_at")
    op.drop_table("rate_limit_hits")
