"""audited tables never reuse an id on SQLite (AUTOINCREMENT), so no trail is inherited

SQLite gives a new row the highest id in use + 1: deleting the newest intent and recording
another gave the new one the deleted one's id, and with it the deleted one's audit trail.
PostgreSQL sequences never go back, so only SQLite changes: each audited table is rebuilt with
AUTOINCREMENT and its counter starts past every id its trail has ever named.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

AUDITED = ("intents", "due_diligence_tasks", "meetings", "meeting_requests", "agendas")


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    bind = op.get_bind()
    for table in AUDITED:
        _rebuild(table, autoincrement=True)
        # the counter starts past every id the table or its trail has named (deleted rows too)
        start = bind.execute(
            sa.text(
                f'SELECT MAX(COALESCE((SELECT MAX(id) FROM "{table}"), 0), COALESCE((SELECT'
                " MAX(entity_id) FROM audit_entries WHERE entity_type = :table), 0))"
            ),
            {"table": table},
        ).scalar()
        bind.execute(sa.text("DELETE FROM sqlite_sequence WHERE name = :table"), {"table": table})
        bind.execute(
            sa.text("INSERT INTO sqlite_sequence (name, seq) VALUES (:table, :start)"),
            {"table": table, "start": start},
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in AUDITED:
        _rebuild(table, autoincrement=False)


def _rebuild(table: str, autoincrement: bool) -> None:
    """Copy ``table`` into a new one with or without AUTOINCREMENT (SQLite cannot ALTER it)."""
    with op.batch_alter_table(
        table, recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}
    ):
        pass
