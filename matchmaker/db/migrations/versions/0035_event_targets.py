"""event targets: a city's or county's yearly targets, shown beside the actuals

``events.targets`` holds the organisers' targets for the year's contest (signed intents, amounts,
landings, meetings held) as ``{metric: integer}``; amounts are integer yuan. Empty for existing
events.

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-07 11:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from matchmaker.db.types import JSONList

revision: str = "0035"
down_revision: str | None = "0034"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ALTER TABLE, not a batch: rebuilding ``events`` on SQLite would drop its rows' links.
    op.add_column(
        "events", sa.Column("targets", JSONList, server_default=sa.text("'{}'"), nullable=False)
    )


def downgrade() -> None:
    op.drop_column("events", "targets")  # SQLite 3.35+ drops a column in place
