"""attendance: each side's marks on a meeting (held / who was absent, rating, follow-up) and
self-reported late arrivals awaiting an organiser's confirmation

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-08 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from matchmaker.db.types import UTCDateTime

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "meeting_marks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("side", sa.String(length=10), nullable=False),
        sa.Column("mark", sa.String(length=20), nullable=True),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("follow_up", sa.Boolean(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("client_key", sa.String(length=64), nullable=False),
        sa.CheckConstraint(
            "mark IS NULL OR mark IN ('held', 'project_absent', 'institution_absent')",
            name=op.f("ck_meeting_marks_mark_known"),
        ),
        sa.CheckConstraint(
            "side IN ('investor', 'entrant', 'organiser')", name=op.f("ck_meeting_marks_side_known")
        ),
        sa.CheckConstraint(
            "rating IS NULL OR (rating >= 1 AND rating <= 5)",
            name=op.f("ck_meeting_marks_rating_range"),
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_meeting_marks_meeting_id_meetings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_meeting_marks_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_marks")),
        sa.UniqueConstraint("client_key", name=op.f("uq_meeting_marks_client_key")),
    )
    op.create_index(op.f("ix_meeting_marks_meeting_id"), "meeting_marks", ["meeting_id"])
    op.create_index(op.f("ix_meeting_marks_user_id"), "meeting_marks", ["user_id"])
    op.create_table(
        "late_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("institution_id", sa.Integer(), nullable=True),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("expected_at", UTCDateTime(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("client_key", sa.String(length=64), nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'confirmed', 'dismissed')",
            name=op.f("ck_late_reports_status_known"),
        ),
        sa.CheckConstraint(
            "(project_id IS NULL) <> (institution_id IS NULL)",
            name=op.f("ck_late_reports_exactly_one_party"),
        ),
        sa.CheckConstraint(
            "minutes >= 1 AND minutes <= 600", name=op.f("ck_late_reports_minutes_range")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"],
            ["users.id"],
            name=op.f("fk_late_reports_decided_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institutions.id"],
            name=op.f("fk_late_reports_institution_id_institutions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_late_reports_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["matchmaking_sessions.id"],
            name=op.f("fk_late_reports_session_id_matchmaking_sessions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_late_reports_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_late_reports")),
        sa.UniqueConstraint("client_key", name=op.f("uq_late_reports_client_key")),
        sqlite_autoincrement=True,
    )
    for column in ("decided_by", "institution_id", "project_id", "session_id", "user_id"):
        op.create_index(op.f(f"ix_late_reports_{column}"), "late_reports", [column])


def downgrade() -> None:
    op.drop_table("late_reports")
    op.drop_table("meeting_marks")
