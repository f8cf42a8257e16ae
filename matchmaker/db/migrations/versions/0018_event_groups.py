"""event groups: a project's group (组别) is a key of its event's groups, like its track

``projects.group`` loses its CHECK (enterprise or maker) and widens to 100 characters: a group
an organiser adds is keyed by its label. The keys stored so far (``enterprise``, ``maker``) are
the preset's, so no project changes. Events keep their stored vocabulary (0012 gave each the
two groups). On SQLite that copies the projects table, which ``matchmaker.db.engine.migrate``
does with foreign keys off (as for 0012), so nothing that refers to a project is touched.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-08 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GROUPS = ("enterprise", "maker")
OLD_GROUP = sa.Enum(
    *GROUPS, name="entry_group", native_enum=False, create_constraint=True, length=32
)


def upgrade() -> None:
    with op.batch_alter_table("projects") as batch_op:
        # the old type's CHECK (ck_projects_entry_group) goes with it, as the track's did (0012)
        batch_op.alter_column(
            "group", existing_type=OLD_GROUP, type_=sa.String(100), existing_nullable=True
        )


def downgrade() -> None:
    bind = op.get_bind()
    projects = sa.table("projects", sa.column("group", sa.String(100)))
    if bind.execute(sa.select(projects.c.group).where(projects.c.group.not_in(GROUPS))).first():
        raise RuntimeError("projects use groups other than enterprise and maker; cannot downgrade")
    with op.batch_alter_table("projects") as batch_op:
        batch_op.alter_column(
            "group", existing_type=sa.String(100), type_=OLD_GROUP, existing_nullable=True
        )
