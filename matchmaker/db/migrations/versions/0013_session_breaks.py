"""session breaks, event languages, roadshow sessions

A session's breaks (lunch) are kept on it so its slots can be laid out again around them when
its hours change; an event names the languages it works in; a session may be a roadshow
(路演专场), so the kind's check constraint takes the new value.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 02:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from matchmaker.db.types import JSONList

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_KINDS = "'local', 'national', 'alumni', 'other'"
NEW_KINDS = "'local', 'national', 'alumni', 'roadshow', 'other'"


def upgrade() -> None:
    # Not a batch: on SQLite a rebuilt events table would, with foreign keys on (a migration
    # run by alembic itself), empty every table under it.
    op.add_column(
        "events",
        sa.Column(
            "languages", sa.String(length=50), server_default=sa.text("'zh,en'"), nullable=False
        ),
    )
    # SQLite cannot change a check constraint: the sessions table is rebuilt (batch mode).
    with op.batch_alter_table("matchmaking_sessions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("breaks", JSONList, server_default=sa.text("'[]'"), nullable=False)
        )
        batch_op.drop_constraint(op.f("ck_matchmaking_sessions_session_kind"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_matchmaking_sessions_session_kind"), sa.text(f"kind IN ({NEW_KINDS})")
        )


def downgrade() -> None:
    op.execute("UPDATE matchmaking_sessions SET kind = 'other' WHERE kind = 'roadshow'")
    with op.batch_alter_table("matchmaking_sessions", schema=None) as batch_op:
        batch_op.drop_column("breaks")
        batch_op.drop_constraint(op.f("ck_matchmaking_sessions_session_kind"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_matchmaking_sessions_session_kind"), sa.text(f"kind IN ({OLD_KINDS})")
        )
    op.drop_column("events", "languages")  # not a batch: see upgrade()
