"""library proposals: suggested links an organiser confirms or rejects

A row whose phone, e-mail or name matches a lasting party's row in a sharing contest is never
merged silently: ``library_proposals`` keeps the suggestion until an organiser decides it.

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-07 09:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from matchmaker.db.types import UTCDateTime

revision: str = "0034"
down_revision: str | None = "0033"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_INDEXED = ("event_id", "project_id", "institution_id", "party_id", "decided_by")


def _fk(column: str, target: str, ondelete: str = "CASCADE") -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column],
        [f"{target}.id"],
        name=op.f(f"fk_library_proposals_{column}_{target}"),
        ondelete=ondelete,
    )


def upgrade() -> None:
    op.create_table(
        "library_proposals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("institution_id", sa.Integer(), nullable=True),
        sa.Column("party_id", sa.Integer(), nullable=False),
        sa.Column("reasons", sa.String(length=50), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.CheckConstraint(
            "(project_id IS NULL) <> (institution_id IS NULL)",
            name=op.f("ck_library_proposals_exactly_one_party"),
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'confirmed', 'rejected')",
            name=op.f("ck_library_proposals_status_known"),
        ),
        _fk("event_id", "events"),
        _fk("project_id", "projects"),
        _fk("institution_id", "institutions"),
        _fk("party_id", "library_parties"),
        _fk("decided_by", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_library_proposals")),
        sa.UniqueConstraint(
            "project_id", "party_id", name=op.f("uq_library_proposals_project_id_party_id")
        ),
        sa.UniqueConstraint(
            "institution_id", "party_id", name=op.f("uq_library_proposals_institution_id_party_id")
        ),
        sqlite_autoincrement=True,
    )
    for column in _INDEXED:
        op.create_index(op.f(f"ix_library_proposals_{column}"), "library_proposals", [column])


def downgrade() -> None:
    for column in reversed(_INDEXED):
        op.drop_index(op.f(f"ix_library_proposals_{column}"), table_name="library_proposals")
    op.drop_table("library_proposals")
