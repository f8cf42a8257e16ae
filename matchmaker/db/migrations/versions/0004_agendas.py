"""agendas

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 07:12:14.954712
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import matchmaker.db.types

OLD_STATUSES = "'scheduled', 'held', 'no_show', 'cancelled'"
NEW_STATUSES = "'requested', " + OLD_STATUSES

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "agendas",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "published",
                name="agenda_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("solver_status", sa.String(length=20), nullable=False),
        sa.Column("objective", sa.Float(), nullable=False),
        sa.Column("bound", sa.Float(), nullable=False),
        sa.Column("fair", sa.Boolean(), nullable=False),
        sa.Column("fair_minimum", sa.Integer(), nullable=True),
        sa.Column(
            "summary",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("built_at", matchmaker.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("published_at", matchmaker.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("updated_at", matchmaker.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("revision >= 0", name=op.f("ck_agendas_revision_nonneg")),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["matchmaking_sessions.id"],
            name=op.f("fk_agendas_session_id_matchmaking_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agendas")),
        sa.UniqueConstraint("session_id", name=op.f("uq_agendas_session_id")),
    )
    op.create_table(
        "session_seats",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("institution_id", sa.Integer(), nullable=False),
        sa.Column("table_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institutions.id"],
            name=op.f("fk_session_seats_institution_id_institutions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["matchmaking_sessions.id"],
            name=op.f("fk_session_seats_session_id_matchmaking_sessions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["table_id"],
            ["session_tables.id"],
            name=op.f("fk_session_seats_table_id_session_tables"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_session_seats")),
        sa.UniqueConstraint(
            "session_id", "institution_id", name=op.f("uq_session_seats_session_id_institution_id")
        ),
        sa.UniqueConstraint(
            "session_id", "table_id", name=op.f("uq_session_seats_session_id_table_id")
        ),
    )
    with op.batch_alter_table("session_seats", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_session_seats_institution_id"), ["institution_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_session_seats_session_id"), ["session_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_session_seats_table_id"), ["table_id"], unique=False)

    _meeting_statuses(NEW_STATUSES)


def _meeting_statuses(values: str) -> None:
    # A pending booking holds its slot as a 'requested' meeting, so the unique indexes on live
    # meetings keep holds and meetings from ever double-booking (SQLite: the table is rebuilt).
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_meetings_meeting_status"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_meetings_meeting_status"), sa.text(f"status IN ({values})")
        )


def downgrade() -> None:
    op.execute("UPDATE meetings SET status = 'cancelled' WHERE status = 'requested'")
    _meeting_statuses(OLD_STATUSES)
    with op.batch_alter_table("session_seats", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_session_seats_table_id"))
        batch_op.drop_index(batch_op.f("ix_session_seats_session_id"))
        batch_op.drop_index(batch_op.f("ix_session_seats_institution_id"))

    op.drop_table("session_seats")
    op.drop_table("agendas")
