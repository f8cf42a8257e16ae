"""event institution types: an institution's type (机构类型) is a key of its event's types

``institutions.type`` loses its CHECK (the six kinds) and widens to 100 characters: a type an
organiser adds is keyed by its label. The keys stored so far (``vc``, ``bank`` …) are those of
the six every event starts from, so no institution changes; a vocabulary stored before this
revision has no ``institution_types`` and reads as the six (matchmaker.vocabulary), so no event
changes either. On SQLite that copies the institutions table, which
``matchmaker.db.engine.migrate`` does with foreign keys off (as for 0012), so nothing that
refers to an institution is touched.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-08 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TYPES = ("vc", "angel", "corporate", "government_fund", "bank", "incubator")
OLD_TYPE = sa.Enum(
    *TYPES, name="institution_type", native_enum=False, create_constraint=True, length=32
)


def upgrade() -> None:
    with op.batch_alter_table("institutions") as batch_op:
        # the old type's CHECK (ck_institutions_institution_type) goes with it, as in 0012
        batch_op.alter_column(
            "type", existing_type=OLD_TYPE, type_=sa.String(100), existing_nullable=False
        )


def downgrade() -> None:
    bind = op.get_bind()
    institutions = sa.table("institutions", sa.column("type", sa.String(100)))
    if bind.execute(
        sa.select(institutions.c.type).where(institutions.c.type.not_in(TYPES))
    ).first():
        raise RuntimeError("institutions use types outside the six kinds; cannot downgrade")
    with op.batch_alter_table("institutions") as batch_op:
        batch_op.alter_column(
            "type", existing_type=sa.String(100), type_=OLD_TYPE, existing_nullable=False
        )
