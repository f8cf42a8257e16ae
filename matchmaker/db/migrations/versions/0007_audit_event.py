"""audit entries name their event, so an event's trail outlives its deleted records in backups

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24 11:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# How each audited table reaches its event; entries of records deleted since are given the only
# event when there is just one (the usual database), and stay unassigned otherwise.
_OWNER = {
    "intents": "SELECT event_id FROM intents WHERE intents.id = audit_entries.entity_id",
    "due_diligence_tasks": (
        "SELECT p.event_id FROM due_diligence_tasks t JOIN projects p ON p.id = t.project_id"
        " WHERE t.id = audit_entries.entity_id"
    ),
    "meetings": (
        "SELECT p.event_id FROM meetings m JOIN projects p ON p.id = m.project_id"
        " WHERE m.id = audit_entries.entity_id"
    ),
    "meeting_requests": (
        "SELECT p.event_id FROM meeting_requests r JOIN projects p ON p.id = r.project_id"
        " WHERE r.id = audit_entries.entity_id"
    ),
    "agendas": (
        "SELECT s.event_id FROM agendas a JOIN matchmaking_sessions s ON s.id = a.session_id"
        " WHERE a.id = audit_entries.entity_id"
    ),
}


def upgrade() -> None:
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("event_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_audit_entries_event_id"), ["event_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_audit_entries_event_id_events"),
            "events",
            ["event_id"],
            ["id"],
            ondelete="CASCADE",
        )
    for entity_type, owner in _OWNER.items():
        op.execute(
            f"UPDATE audit_entries SET event_id = ({owner})"
            f" WHERE entity_type = '{entity_type}' AND event_id IS NULL"
        )
    op.execute(
        "UPDATE audit_entries SET event_id = (SELECT MIN(id) FROM events)"
        " WHERE event_id IS NULL AND (SELECT COUNT(*) FROM events) = 1"
    )


def downgrade() -> None:
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_audit_entries_event_id_events"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_audit_entries_event_id"))
        batch_op.drop_column("event_id")
