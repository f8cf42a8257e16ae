"""initial schema

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-24 04:07:38.168005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import matchmaker.db.types

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("city", sa.String(length=100), nullable=False),
        sa.Column("organiser", sa.String(length=300), nullable=False),
        sa.Column("created_at", matchmaker.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
        sa.UniqueConstraint("code", name=op.f("uq_events_code")),
    )
    op.create_table(
        "institutions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "type",
            sa.Enum(
                "vc",
                "angel",
                "corporate",
                "government_fund",
                "bank",
                "incubator",
                name="institution_type",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "focus_sectors",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "stages",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("ticket_min", sa.BigInteger(), nullable=True),
        sa.Column("ticket_max", sa.BigInteger(), nullable=True),
        sa.Column(
            "regions",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("thesis", sa.Text(), nullable=False),
        sa.Column("contact_name", sa.String(length=100), nullable=False),
        sa.Column("contact_phone", sa.String(length=50), nullable=False),
        sa.Column("contact_email", sa.String(length=200), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("created_at", matchmaker.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", matchmaker.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(ticket_min IS NULL OR ticket_min >= 0) AND (ticket_max IS NULL OR ticket_max >= 0)",
            name=op.f("ck_institutions_ticket_nonneg"),
        ),
        sa.CheckConstraint(
            "ticket_min IS NULL OR ticket_max IS NULL OR ticket_min <= ticket_max",
            name=op.f("ck_institutions_ticket_ordered"),
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_institutions_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_institutions")),
        sa.UniqueConstraint("event_id", "code", name=op.f("uq_institutions_event_id_code")),
    )
    with op.batch_alter_table("institutions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_institutions_event_id"), ["event_id"], unique=False)

    op.create_table(
        "matchmaking_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "local",
                "national",
                "alumni",
                "other",
                name="session_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("starts_at", matchmaker.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", matchmaker.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("venue", sa.String(length=300), nullable=False),
        sa.Column("slot_minutes", sa.Integer(), nullable=False),
        sa.Column("table_count", sa.Integer(), nullable=False),
        sa.Column("created_at", matchmaker.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "ends_at > starts_at", name=op.f("ck_matchmaking_sessions_ends_after_start")
        ),
        sa.CheckConstraint(
            "slot_minutes > 0 AND slot_minutes <= 240",
            name=op.f("ck_matchmaking_sessions_slot_minutes"),
        ),
        sa.CheckConstraint("table_count >= 0", name=op.f("ck_matchmaking_sessions_table_count")),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_matchmaking_sessions_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_matchmaking_sessions")),
        sa.UniqueConstraint("event_id", "code", name=op.f("uq_matchmaking_sessions_event_id_code")),
    )
    with op.batch_alter_table("matchmaking_sessions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_matchmaking_sessions_event_id"), ["event_id"], unique=False
        )

    op.create_table(
        "projects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "track",
            sa.Enum(
                "advanced_manufacturing",
                "modern_services",
                "rural_revitalization",
                "silver_economy",
                "green_economy",
                "micro_av_creative",
                name="track",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "group",
            sa.Enum(
                "enterprise",
                "maker",
                name="entry_group",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column(
            "sectors",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "stage",
            sa.Enum(
                "idea",
                "seed",
                "angel",
                "pre_a",
                "a",
                "b_plus",
                name="stage",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("funding_ask", sa.BigInteger(), nullable=True),
        sa.Column("region", sa.String(length=200), nullable=False),
        sa.Column(
            "needs",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("contact_name", sa.String(length=100), nullable=False),
        sa.Column("contact_phone", sa.String(length=50), nullable=False),
        sa.Column("contact_email", sa.String(length=200), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("created_at", matchmaker.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", matchmaker.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "funding_ask IS NULL OR funding_ask >= 0", name=op.f("ck_projects_funding_ask_nonneg")
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_projects_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_projects")),
        sa.UniqueConstraint("event_id", "code", name=op.f("uq_projects_event_id_code")),
    )
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_projects_event_id"), ["event_id"], unique=False)

    op.create_table(
        "portfolio_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("institution_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("company", sa.String(length=200), nullable=False),
        sa.Column(
            "sectors",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "stage",
            sa.Enum(
                "idea",
                "seed",
                "angel",
                "pre_a",
                "a",
                "b_plus",
                name="stage",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institutions.id"],
            name=op.f("fk_portfolio_entries_institution_id_institutions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portfolio_entries")),
    )
    with op.batch_alter_table("portfolio_entries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_portfolio_entries_institution_id"), ["institution_id"], unique=False
        )

    op.create_table(
        "session_institutions",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("institution_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institutions.id"],
            name=op.f("fk_session_institutions_institution_id_institutions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["matchmaking_sessions.id"],
            name=op.f("fk_session_institutions_session_id_matchmaking_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "session_id", "institution_id", name=op.f("pk_session_institutions")
        ),
    )
    with op.batch_alter_table("session_institutions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_session_institutions_institution_id"), ["institution_id"], unique=False
        )

    op.create_table(
        "session_projects",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_session_projects_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["matchmaking_sessions.id"],
            name=op.f("fk_session_projects_session_id_matchmaking_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("session_id", "project_id", name=op.f("pk_session_projects")),
    )
    with op.batch_alter_table("session_projects", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_session_projects_project_id"), ["project_id"], unique=False
        )

    op.create_table(
        "session_tables",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=50), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["matchmaking_sessions.id"],
            name=op.f("fk_session_tables_session_id_matchmaking_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_session_tables")),
        sa.UniqueConstraint(
            "session_id", "number", name=op.f("uq_session_tables_session_id_number")
        ),
    )
    with op.batch_alter_table("session_tables", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_session_tables_session_id"), ["session_id"], unique=False
        )

    op.create_table(
        "slots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("starts_at", matchmaker.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", matchmaker.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_slots_ends_after_start")),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["matchmaking_sessions.id"],
            name=op.f("fk_slots_session_id_matchmaking_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_slots")),
        sa.UniqueConstraint("session_id", "number", name=op.f("uq_slots_session_id_number")),
    )
    with op.batch_alter_table("slots", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_slots_session_id"), ["session_id"], unique=False)

    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "organiser",
                "staff",
                "investor",
                "entrant",
                name="role",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("institution_id", sa.Integer(), nullable=True),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("password_hash", sa.String(length=300), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", matchmaker.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(role = 'investor' AND institution_id IS NOT NULL AND project_id IS NULL) OR (role = 'entrant' AND project_id IS NOT NULL AND institution_id IS NULL) OR (role IN ('organiser', 'staff') AND project_id IS NULL AND institution_id IS NULL)",
            name=op.f("ck_users_role_binding"),
        ),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institutions.id"],
            name=op.f("fk_users_institution_id_institutions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_users_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_users_institution_id"), ["institution_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_users_project_id"), ["project_id"], unique=False)

    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("created_at", matchmaker.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", matchmaker.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", matchmaker.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", matchmaker.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_api_tokens_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_tokens_user_id"), ["user_id"], unique=False)

    op.create_table(
        "audit_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entity_type", sa.String(length=50), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_label", sa.String(length=200), nullable=False),
        sa.Column("at", matchmaker.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "before",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "after",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["users.id"],
            name=op.f("fk_audit_entries_actor_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entries")),
    )
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_entries_actor_id"), ["actor_id"], unique=False)
        batch_op.create_index("ix_audit_entries_entity", ["entity_type", "entity_id"], unique=False)

    op.create_table(
        "meeting_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("institution_id", sa.Integer(), nullable=False),
        sa.Column(
            "requested_by",
            sa.Enum(
                "organiser",
                "staff",
                "investor",
                "entrant",
                name="role",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "accepted",
                "declined",
                "expired",
                "cancelled",
                name="request_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("slot_id", sa.Integer(), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("created_at", matchmaker.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", matchmaker.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_at", matchmaker.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institutions.id"],
            name=op.f("fk_meeting_requests_institution_id_institutions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_meeting_requests_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["matchmaking_sessions.id"],
            name=op.f("fk_meeting_requests_session_id_matchmaking_sessions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["slot_id"],
            ["slots.id"],
            name=op.f("fk_meeting_requests_slot_id_slots"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_requests")),
    )
    with op.batch_alter_table("meeting_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_meeting_requests_institution_id"), ["institution_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_meeting_requests_project_id"), ["project_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_meeting_requests_session_id"), ["session_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_meeting_requests_slot_id"), ["slot_id"], unique=False)

    op.create_table(
        "unavailabilities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slot_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("institution_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.CheckConstraint(
            "(project_id IS NULL) <> (institution_id IS NULL)",
            name=op.f("ck_unavailabilities_exactly_one_party"),
        ),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institutions.id"],
            name=op.f("fk_unavailabilities_institution_id_institutions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_unavailabilities_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["slot_id"],
            ["slots.id"],
            name=op.f("fk_unavailabilities_slot_id_slots"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unavailabilities")),
        sa.UniqueConstraint(
            "slot_id", "institution_id", name=op.f("uq_unavailabilities_slot_id_institution_id")
        ),
        sa.UniqueConstraint(
            "slot_id", "project_id", name=op.f("uq_unavailabilities_slot_id_project_id")
        ),
    )
    with op.batch_alter_table("unavailabilities", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_unavailabilities_institution_id"), ["institution_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_unavailabilities_project_id"), ["project_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_unavailabilities_slot_id"), ["slot_id"], unique=False)

    op.create_table(
        "meetings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("slot_id", sa.Integer(), nullable=False),
        sa.Column("table_id", sa.Integer(), nullable=True),
        sa.Column("institution_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "scheduled",
                "held",
                "no_show",
                "cancelled",
                name="meeting_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("locked", sa.Boolean(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("created_at", matchmaker.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", matchmaker.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "rating IS NULL OR (rating >= 1 AND rating <= 5)", name=op.f("ck_meetings_rating_range")
        ),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institutions.id"],
            name=op.f("fk_meetings_institution_id_institutions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_meetings_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["meeting_requests.id"],
            name=op.f("fk_meetings_request_id_meeting_requests"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["matchmaking_sessions.id"],
            name=op.f("fk_meetings_session_id_matchmaking_sessions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["slot_id"], ["slots.id"], name=op.f("fk_meetings_slot_id_slots"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["table_id"],
            ["session_tables.id"],
            name=op.f("fk_meetings_table_id_session_tables"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meetings")),
    )
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_meetings_institution_id"), ["institution_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_meetings_project_id"), ["project_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_meetings_request_id"), ["request_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_meetings_session_id"), ["session_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_meetings_slot_id"), ["slot_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_meetings_table_id"), ["table_id"], unique=False)
        batch_op.create_index(
            "uq_meetings_live_institution_slot",
            ["slot_id", "institution_id"],
            unique=True,
            sqlite_where=sa.text("status <> 'cancelled'"),
            postgresql_where=sa.text("status <> 'cancelled'"),
        )
        batch_op.create_index(
            "uq_meetings_live_project_slot",
            ["slot_id", "project_id"],
            unique=True,
            sqlite_where=sa.text("status <> 'cancelled'"),
            postgresql_where=sa.text("status <> 'cancelled'"),
        )
        batch_op.create_index(
            "uq_meetings_live_table_slot",
            ["slot_id", "table_id"],
            unique=True,
            sqlite_where=sa.text("status <> 'cancelled'"),
            postgresql_where=sa.text("status <> 'cancelled'"),
        )

    op.create_table(
        "intents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("institution_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=True),
        sa.Column("meeting_id", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "watching",
                "negotiating",
                "signed",
                "due_diligence",
                "invested",
                "dropped",
                name="intent_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("amount", sa.BigInteger(), nullable=True),
        sa.Column("signed_at", sa.Date(), nullable=True),
        sa.Column("signatories", sa.String(length=300), nullable=False),
        sa.Column("invested_amount", sa.BigInteger(), nullable=True),
        sa.Column("invested_at", sa.Date(), nullable=True),
        sa.Column("drop_reason", sa.String(length=100), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", matchmaker.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", matchmaker.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("amount IS NULL OR amount >= 0", name=op.f("ck_intents_amount_nonneg")),
        sa.CheckConstraint(
            "invested_amount IS NULL OR invested_amount >= 0",
            name=op.f("ck_intents_invested_amount_nonneg"),
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_intents_event_id_events"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institutions.id"],
            name=op.f("fk_intents_institution_id_institutions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_intents_meeting_id_meetings"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_intents_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["matchmaking_sessions.id"],
            name=op.f("fk_intents_session_id_matchmaking_sessions"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intents")),
    )
    with op.batch_alter_table("intents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_intents_event_id"), ["event_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_intents_institution_id"), ["institution_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_intents_meeting_id"), ["meeting_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_intents_project_id"), ["project_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_intents_session_id"), ["session_id"], unique=False)

    op.create_table(
        "due_diligence_tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("intent_id", sa.Integer(), nullable=True),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("institution_id", sa.Integer(), nullable=False),
        sa.Column("owner", sa.String(length=100), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("next_follow_up", sa.Date(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "done",
                "cancelled",
                name="dd_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("created_at", matchmaker.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", matchmaker.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institutions.id"],
            name=op.f("fk_due_diligence_tasks_institution_id_institutions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["intent_id"],
            ["intents.id"],
            name=op.f("fk_due_diligence_tasks_intent_id_intents"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_due_diligence_tasks_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_due_diligence_tasks")),
    )
    with op.batch_alter_table("due_diligence_tasks", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_due_diligence_tasks_institution_id"), ["institution_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_due_diligence_tasks_intent_id"), ["intent_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_due_diligence_tasks_project_id"), ["project_id"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("due_diligence_tasks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_due_diligence_tasks_project_id"))
        batch_op.drop_index(batch_op.f("ix_due_diligence_tasks_intent_id"))
        batch_op.drop_index(batch_op.f("ix_due_diligence_tasks_institution_id"))

    op.drop_table("due_diligence_tasks")
    with op.batch_alter_table("intents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_intents_session_id"))
        batch_op.drop_index(batch_op.f("ix_intents_project_id"))
        batch_op.drop_index(batch_op.f("ix_intents_meeting_id"))
        batch_op.drop_index(batch_op.f("ix_intents_institution_id"))
        batch_op.drop_index(batch_op.f("ix_intents_event_id"))

    op.drop_table("intents")
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_meetings_live_table_slot",
            sqlite_where=sa.text("status <> 'cancelled'"),
            postgresql_where=sa.text("status <> 'cancelled'"),
        )
        batch_op.drop_index(
            "uq_meetings_live_project_slot",
            sqlite_where=sa.text("status <> 'cancelled'"),
            postgresql_where=sa.text("status <> 'cancelled'"),
        )
        batch_op.drop_index(
            "uq_meetings_live_institution_slot",
            sqlite_where=sa.text("status <> 'cancelled'"),
            postgresql_where=sa.text("status <> 'cancelled'"),
        )
        batch_op.drop_index(batch_op.f("ix_meetings_table_id"))
        batch_op.drop_index(batch_op.f("ix_meetings_slot_id"))
        batch_op.drop_index(batch_op.f("ix_meetings_session_id"))
        batch_op.drop_index(batch_op.f("ix_meetings_request_id"))
        batch_op.drop_index(batch_op.f("ix_meetings_project_id"))
        batch_op.drop_index(batch_op.f("ix_meetings_institution_id"))

    op.drop_table("meetings")
    with op.batch_alter_table("unavailabilities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_unavailabilities_slot_id"))
        batch_op.drop_index(batch_op.f("ix_unavailabilities_project_id"))
        batch_op.drop_index(batch_op.f("ix_unavailabilities_institution_id"))

    op.drop_table("unavailabilities")
    with op.batch_alter_table("meeting_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_requests_slot_id"))
        batch_op.drop_index(batch_op.f("ix_meeting_requests_session_id"))
        batch_op.drop_index(batch_op.f("ix_meeting_requests_project_id"))
        batch_op.drop_index(batch_op.f("ix_meeting_requests_institution_id"))

    op.drop_table("meeting_requests")
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_entries_entity")
        batch_op.drop_index(batch_op.f("ix_audit_entries_actor_id"))

    op.drop_table("audit_entries")
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_tokens_user_id"))

    op.drop_table("api_tokens")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_users_project_id"))
        batch_op.drop_index(batch_op.f("ix_users_institution_id"))

    op.drop_table("users")
    with op.batch_alter_table("slots", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_slots_session_id"))

    op.drop_table("slots")
    with op.batch_alter_table("session_tables", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_session_tables_session_id"))

    op.drop_table("session_tables")
    with op.batch_alter_table("session_projects", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_session_projects_project_id"))

    op.drop_table("session_projects")
    with op.batch_alter_table("session_institutions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_session_institutions_institution_id"))

    op.drop_table("session_institutions")
    with op.batch_alter_table("portfolio_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_portfolio_entries_institution_id"))

    op.drop_table("portfolio_entries")
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_projects_event_id"))

    op.drop_table("projects")
    with op.batch_alter_table("matchmaking_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_matchmaking_sessions_event_id"))

    op.drop_table("matchmaking_sessions")
    with op.batch_alter_table("institutions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_institutions_event_id"))

    op.drop_table("institutions")
    op.drop_table("events")
