"""profiles: fields an organiser locks per event, a registration deadline, project attachments

``events`` gains ``locked_fields`` (a JSON list, empty for existing events) and
``registration_deadline`` (none); ``attachments`` is new. No existing row changes meaning.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 02:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from matchmaker.db.types import UTCDateTime

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    # Plain ALTER TABLE, not a batch: rebuilding ``events`` on SQLite would drop the table
    # every registration points at (with foreign keys on, taking its rows with it).
    op.add_column(
        "events", sa.Column("locked_fields", JSON, server_default=sa.text("'[]'"), nullable=False)
    )
    op.add_column("events", sa.Column("registration_deadline", UTCDateTime(), nullable=True))
    op.create_table(
        "attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("stored_name", sa.String(length=100), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("uploaded_by", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_attachments_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by"],
            ["users.id"],
            name=op.f("fk_attachments_uploaded_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachments")),
        sa.UniqueConstraint("stored_name", name=op.f("uq_attachments_stored_name")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_attachments_project_id"), ["project_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_attachments_uploaded_by"), ["uploaded_by"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attachments_uploaded_by"))
        batch_op.drop_index(batch_op.f("ix_attachments_project_id"))
    op.drop_table("attachments")
    op.drop_column("events", "registration_deadline")  # SQLite 3.35+ drops a column in place
    op.drop_column("events", "locked_fields")
