"""roadshow: pitch-order draws, investors' interest and its taps, interest turned into a bonus

``roadshow_draws`` keeps every drawing of lots for a roadshow session (seed, order, minutes per
pitch, when published); ``roadshow_interests`` one row per investor and project, switched by
the taps in ``roadshow_taps`` (each under the client key its form carried, so a replayed tap
changes nothing); ``interest_boosts`` the pairs whose interest raises their score in a later
session's agenda build.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-08 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from matchmaker.db.types import UTCDateTime

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def _fk(table: str, column: str, target: str, ondelete: str = "CASCADE") -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column],
        [f"{target}.id"],
        name=op.f(f"fk_{table}_{column}_{target}"),
        ondelete=ondelete,
    )


def _indexes(table: str, *columns: str) -> None:
    for column in columns:
        op.create_index(op.f(f"ix_{table}_{column}"), table, [column])


def upgrade() -> None:
    op.create_table(
        "roadshow_draws",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("seed", sa.BigInteger(), nullable=False),
        sa.Column("order", JSON, nullable=False),
        sa.Column("pitch_minutes", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("published_at", UTCDateTime(), nullable=True),
        sa.CheckConstraint("seed >= 0", name=op.f("ck_roadshow_draws_seed_nonneg")),
        sa.CheckConstraint(
            "pitch_minutes IS NULL OR (pitch_minutes > 0 AND pitch_minutes <= 240)",
            name=op.f("ck_roadshow_draws_pitch_minutes"),
        ),
        _fk("roadshow_draws", "session_id", "matchmaking_sessions"),
        _fk("roadshow_draws", "created_by", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roadshow_draws")),
        sa.UniqueConstraint(
            "session_id", "number", name=op.f("uq_roadshow_draws_session_id_number")
        ),
        sqlite_autoincrement=True,
    )
    _indexes("roadshow_draws", "session_id", "created_by")
    op.create_table(
        "roadshow_interests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("institution_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("interested", sa.Boolean(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        _fk("roadshow_interests", "session_id", "matchmaking_sessions"),
        _fk("roadshow_interests", "user_id", "users"),
        _fk("roadshow_interests", "institution_id", "institutions"),
        _fk("roadshow_interests", "project_id", "projects"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roadshow_interests")),
        sa.UniqueConstraint(
            "session_id",
            "user_id",
            "project_id",
            name=op.f("uq_roadshow_interests_session_id_user_id_project_id"),
        ),
    )
    _indexes("roadshow_interests", "session_id", "user_id", "institution_id", "project_id")
    op.create_table(
        "roadshow_taps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("client_key", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("interested", sa.Boolean(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        _fk("roadshow_taps", "session_id", "matchmaking_sessions"),
        _fk("roadshow_taps", "user_id", "users"),
        _fk("roadshow_taps", "project_id", "projects"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roadshow_taps")),
        sa.UniqueConstraint("client_key", name=op.f("uq_roadshow_taps_client_key")),
    )
    _indexes("roadshow_taps", "session_id", "user_id", "project_id")
    op.create_table(
        "interest_boosts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("source_session_id", sa.Integer(), nullable=False),
        sa.Column("institution_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        _fk("interest_boosts", "session_id", "matchmaking_sessions"),
        _fk("interest_boosts", "source_session_id", "matchmaking_sessions"),
        _fk("interest_boosts", "institution_id", "institutions"),
        _fk("interest_boosts", "project_id", "projects"),
        _fk("interest_boosts", "created_by", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interest_boosts")),
        sa.UniqueConstraint(
            "session_id",
            "institution_id",
            "project_id",
            name=op.f("uq_interest_boosts_session_id_institution_id_project_id"),
        ),
    )
    _indexes(
        "interest_boosts",
        "session_id",
        "source_session_id",
        "institution_id",
        "project_id",
        "created_by",
    )


def downgrade() -> None:
    for table in ("interest_boosts", "roadshow_taps", "roadshow_interests", "roadshow_draws"):
        op.drop_table(table)
