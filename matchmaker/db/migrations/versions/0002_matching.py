"""matching: text vectors, feedback, hard filters

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 04:39:01.619321
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import matchmaker.db.types

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "text_vectors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("encoder", sa.String(length=200), nullable=False),
        sa.Column("text_hash", sa.String(length=64), nullable=False),
        sa.Column("dim", sa.Integer(), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", matchmaker.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_text_vectors")),
        sa.UniqueConstraint(
            "kind", "entity_id", "encoder", name=op.f("uq_text_vectors_kind_entity_id_encoder")
        ),
    )
    op.create_table(
        "shortlist_feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("institution_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column(
            "verdict",
            sa.Enum(
                "like", "pass", name="verdict", native_enum=False, create_constraint=True, length=32
            ),
            nullable=False,
        ),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", matchmaker.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", matchmaker.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institutions.id"],
            name=op.f("fk_shortlist_feedback_institution_id_institutions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_shortlist_feedback_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_shortlist_feedback_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shortlist_feedback")),
        sa.UniqueConstraint(
            "institution_id",
            "project_id",
            name=op.f("uq_shortlist_feedback_institution_id_project_id"),
        ),
    )
    with op.batch_alter_table("shortlist_feedback", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_shortlist_feedback_institution_id"), ["institution_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_shortlist_feedback_project_id"), ["project_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_shortlist_feedback_user_id"), ["user_id"], unique=False
        )

    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "registrations_version", sa.Integer(), server_default=sa.text("0"), nullable=False
            )
        )

    with op.batch_alter_table("institutions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("hard_region", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
        batch_op.add_column(
            sa.Column("hard_stage", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column("hard_ticket", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("institutions", schema=None) as batch_op:
        batch_op.drop_column("hard_ticket")
        batch_op.drop_column("hard_stage")
        batch_op.drop_column("hard_region")

    with op.batch_alter_table("shortlist_feedback", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shortlist_feedback_user_id"))
        batch_op.drop_index(batch_op.f("ix_shortlist_feedback_project_id"))
        batch_op.drop_index(batch_op.f("ix_shortlist_feedback_institution_id"))

    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_column("registrations_version")

    op.drop_table("shortlist_feedback")
    op.drop_table("text_vectors")
