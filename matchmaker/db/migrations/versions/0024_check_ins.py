"""check-ins: who arrived at an event, for which session, when, by whose scan or typing

``check_ins`` holds one row per party (a project or an institution) and session (NULL: the day,
when no session was named); ``method`` says whether the badge was scanned or its code typed.

Revision ID: 0024
Revises: 0020
Create Date: 2026-12-08 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from matchmaker.db.types import UTCDateTime

revision: str = "0024"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "check_ins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=True),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("institution_id", sa.Integer(), nullable=True),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("by_user_id", sa.Integer(), nullable=True),
        sa.Column("method", sa.String(length=10), nullable=False),
        sa.CheckConstraint(
            "(project_id IS NULL) <> (institution_id IS NULL)",
            name=op.f("ck_check_ins_exactly_one_party"),
        ),
        sa.CheckConstraint("method IN ('scan', 'typed')", name=op.f("ck_check_ins_method_known")),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_check_ins_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["matchmaking_sessions.id"],
            name=op.f("fk_check_ins_session_id_matchmaking_sessions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_check_ins_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institutions.id"],
            name=op.f("fk_check_ins_institution_id_institutions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["by_user_id"],
            ["users.id"],
            name=op.f("fk_check_ins_by_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_check_ins")),
        sa.UniqueConstraint(
            "session_id", "project_id", name=op.f("uq_check_ins_session_id_project_id")
        ),
        sa.UniqueConstraint(
            "session_id", "institution_id", name=op.f("uq_check_ins_session_id_institution_id")
        ),
    )
    for column in ("event_id", "session_id", "project_id", "institution_id", "by_user_id"):
        op.create_index(op.f(f"ix_check_ins_{column}"), "check_ins", [column])


def downgrade() -> None:
    op.drop_table("check_ins")
