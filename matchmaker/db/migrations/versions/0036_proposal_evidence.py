"""proposal evidence: what the duplicate detector found when it proposed a link

``library_proposals.evidence`` holds, for a proposal made because this contest's registration
repeats one in a sharing contest (reason ``duplicate``), the detector's kind, similarity and
evidence as ``{"kind": ..., "similarity": ..., "evidence": [{"code": ..., "params": {...}}]}``,
rendered in the reader's language when shown. Empty for proposals made on a phone, an e-mail or
a name, and for existing rows.

Revision ID: 0036
Revises: 0035
Create Date: 2026-12-07 15:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from matchmaker.db.types import JSONList

revision: str = "0036"
down_revision: str | None = "0035"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("library_proposals", sa.Column("evidence", JSONList, nullable=True))


def downgrade() -> None:
    op.drop_column("library_proposals", "evidence")  # SQLite 3.35+ drops a column in place
