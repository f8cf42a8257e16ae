"""landings: investments landed with the amount still to be fixed, and landings that are not money

``intents.invested_amount_pending`` marks an intent that reached 投资落地 with its invested
amount 待定 (filled in later). ``landings`` holds a project's other landings, several over
time: 落户 and 入驻园区 (place, date) and 合作 (a loan, space, equipment or orders, with a
value in yuan where there is one), each with a counterpart named as text and, where there is
one, the institution and the pair's intent.

Revision ID: 0029
Revises: 0026
Create Date: 2026-12-07 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from matchmaker.db.types import UTCDateTime

revision: str = "0029"
down_revision: str | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _fk(table: str, column: str, target: str, ondelete: str = "CASCADE") -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column],
        [f"{target}.id"],
        name=op.f(f"fk_{table}_{column}_{target}"),
        ondelete=ondelete,
    )


def upgrade() -> None:
    op.add_column(  # SQLite adds a column in place: the audited table keeps AUTOINCREMENT
        "intents",
        sa.Column(
            "invested_amount_pending", sa.Boolean(), server_default=sa.false(), nullable=False
        ),
    )
    op.create_table(
        "landings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("institution_id", sa.Integer(), nullable=True),
        sa.Column("intent_id", sa.Integer(), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "relocation",
                "park",
                "cooperation",
                name="landing_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "cooperation",
            sa.Enum(
                "loan",
                "space",
                "equipment",
                "orders",
                name="cooperation_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("counterpart", sa.String(length=200), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("landed_on", sa.Date(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=True),
        sa.Column("value_pending", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("value IS NULL OR value >= 0", name=op.f("ck_landings_value_nonneg")),
        sa.CheckConstraint(
            "(kind = 'cooperation') = (cooperation IS NOT NULL)",
            name=op.f("ck_landings_cooperation_given"),
        ),
        _fk("landings", "event_id", "events"),
        _fk("landings", "project_id", "projects"),
        _fk("landings", "institution_id", "institutions", "SET NULL"),
        _fk("landings", "intent_id", "intents", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_landings")),
        sqlite_autoincrement=True,
    )
    for column in ("event_id", "project_id", "institution_id", "intent_id"):
        op.create_index(op.f(f"ix_landings_{column}"), "landings", [column])


def downgrade() -> None:
    op.drop_table("landings")
    bind = op.get_bind()
    seq = None
    if bind.dialect.name == "sqlite":  # the rebuild below would forget retired ids
        seq = bind.execute(
            sa.text("SELECT seq FROM sqlite_sequence WHERE name = 'intents'")
        ).scalar()
    with op.batch_alter_table("intents", table_kwargs={"sqlite_autoincrement": True}) as batch_op:
        batch_op.drop_column("invested_amount_pending")
    if seq is not None:
        bind.execute(sa.text("DELETE FROM sqlite_sequence WHERE name = 'intents'"))
        bind.execute(
            sa.text("INSERT INTO sqlite_sequence (name, seq) VALUES ('intents', :s)"), {"s": seq}
        )
