"""eligibility: a project's credit code and lead person's id; an event's rules and barred list

``projects.credit_code`` (统一社会信用代码) and ``projects.leader_id`` (负责人身份证号) are
optional and empty on existing rows; ``events.rules`` holds the notices' rules the organiser
switched on and the past winners barred (NULL: every rule off, as before).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 02:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Plain ALTER TABLE, not batch mode: rebuilding ``events`` on SQLite would drop the old table,
# and with foreign keys on that deletes every project, session and intent through ON DELETE
# CASCADE. SQLite (3.35 and later) adds and drops a column that no index or constraint names.


def upgrade() -> None:
    op.add_column("projects", sa.Column("credit_code", sa.String(length=18), nullable=True))
    op.add_column("projects", sa.Column("leader_id", sa.String(length=18), nullable=True))
    op.add_column(
        "events",
        sa.Column(
            "rules",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
    )


def downgrade() -> None:
    op.drop_column("events", "rules")
    op.drop_column("projects", "leader_id")
    op.drop_column("projects", "credit_code")
