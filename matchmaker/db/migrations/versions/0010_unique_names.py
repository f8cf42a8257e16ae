"""unique names: no two projects (or two institutions) of one event share a name

Names are compared by a key (``matchmaker.text.name_key``: NFKC, Traditional → Simplified,
case-folded, invisible characters dropped, spaces collapsed) kept in ``name_key`` under a
unique index per event. Names already shared in an existing database are kept as written: the
oldest row of each group gets the key, the others none (NULL is never equal, so the index
holds), and the rule applies to them from their next rename on. The duplicates page lists
them for the organisers to settle.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 20:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from matchmaker.text import NAME_KEY_LENGTH, name_key

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("projects", "institutions")


def upgrade() -> None:
    bind = op.get_bind()
    for table in TABLES:
        op.add_column(table, sa.Column("name_key", sa.String(NAME_KEY_LENGTH), nullable=True))
        rows = sa.table(
            table, sa.column("id"), sa.column("event_id"), sa.column("name"), sa.column("name_key")
        )
        taken: set[tuple[int, str]] = set()
        keys = []
        for row_id, event_id, name in bind.execute(
            sa.select(rows.c.id, rows.c.event_id, rows.c.name).order_by(rows.c.id)
        ):
            key = name_key(name)
            if (event_id, key) not in taken:  # later rows with a taken name keep no key
                taken.add((event_id, key))
                keys.append({"row_id": row_id, "key": key})
        if keys:
            bind.execute(
                rows.update()
                .where(rows.c.id == sa.bindparam("row_id"))
                .values(name_key=sa.bindparam("key")),
                keys,
            )
        op.create_index(
            f"uq_{table}_event_id_name_key", table, ["event_id", "name_key"], unique=True
        )


def downgrade() -> None:
    for table in TABLES:
        op.drop_index(f"uq_{table}_event_id_name_key", table_name=table)
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column("name_key")
