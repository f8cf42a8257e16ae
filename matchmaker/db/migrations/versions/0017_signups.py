"""signups: investors apply from the event's public page; the organiser approves

``events.signups_open`` (off for existing events) says whether the event's public sign-up page
takes applications; ``signup_requests`` holds each application until an organiser decides it.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 03:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from matchmaker.db.types import UTCDateTime

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    # Plain ALTER TABLE, not a batch: rebuilding ``events`` on SQLite would drop the table
    # every registration points at (with foreign keys on, taking its rows with it).
    op.add_column(
        "events",
        sa.Column("signups_open", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.create_table(
        "signup_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_key", sa.String(length=500), nullable=False),
        sa.Column("payload", JSON, nullable=False),
        sa.Column("contact_name", sa.String(length=100), nullable=False),
        sa.Column("contact_phone", sa.String(length=50), nullable=False),
        sa.Column("contact_email", sa.String(length=200), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("password_hash", sa.String(length=300), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("institution_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'approved', 'rejected')",
            name=op.f("ck_signup_requests_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_signup_requests_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"],
            ["users.id"],
            name=op.f("fk_signup_requests_decided_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institutions.id"],
            name=op.f("fk_signup_requests_institution_id_institutions"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signup_requests")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("signup_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_signup_requests_event_id"), ["event_id"])
        batch_op.create_index(batch_op.f("ix_signup_requests_decided_by"), ["decided_by"])
        batch_op.create_index(batch_op.f("ix_signup_requests_institution_id"), ["institution_id"])


def downgrade() -> None:
    with op.batch_alter_table("signup_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_signup_requests_institution_id"))
        batch_op.drop_index(batch_op.f("ix_signup_requests_decided_by"))
        batch_op.drop_index(batch_op.f("ix_signup_requests_event_id"))
    op.drop_table("signup_requests")
    op.drop_column("events", "signups_open")  # SQLite 3.35+ drops a column in place
