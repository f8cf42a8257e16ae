"""event scopes: a county's 分赛场 under its city's contest, and organisers scoped to an event

``events.division`` is the adcode of the city or county that runs the event (optional);
``events.parent_id`` puts a county's event under its city's. ``users.scope_event_id`` limits an
organiser or staff account to one event and the events under it (NULL: every event, as
before). Deleting an event that has counties under it, or accounts scoped to it, is refused
(RESTRICT): a scoped account must never fall back to seeing every event.

On SQLite the batches copy ``events`` and ``users``, which ``matchmaker.db.engine.migrate`` does
with foreign keys off (as for 0008), so nothing that refers to them is touched.

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-07 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0031"
down_revision: str | None = "0030"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("division", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("parent_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_events_parent_id"), ["parent_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_events_parent_id_events"),
            "events",
            ["parent_id"],
            ["id"],
            ondelete="RESTRICT",
        )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("scope_event_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_users_scope_event_id"), ["scope_event_id"])
        batch_op.create_foreign_key(
            batch_op.f("fk_users_scope_event_id_events"),
            "events",
            ["scope_event_id"],
            ["id"],
            ondelete="RESTRICT",
        )
        batch_op.create_check_constraint(
            op.f("ck_users_scope_staff_only"),
            "scope_event_id IS NULL OR role IN ('organiser', 'staff')",
        )


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_users_scope_staff_only"), type_="check")
        batch_op.drop_constraint(batch_op.f("fk_users_scope_event_id_events"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_users_scope_event_id"))
        batch_op.drop_column("scope_event_id")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_events_parent_id_events"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_events_parent_id"))
        batch_op.drop_column("parent_id")
        batch_op.drop_column("division")
