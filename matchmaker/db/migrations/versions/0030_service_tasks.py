"""service tasks: follow-up tasks of government services, with or without an institution

``due_diligence_tasks`` gains ``kind`` (尽调 by default; 贷款对接, 入驻, 培训, 政策申报 for a
service's own task) and ``counterpart`` (the service, named as text); ``institution_id`` may
be empty, but only for a service task. Existing tasks stay due diligence. On SQLite the table
is rebuilt, and its AUTOINCREMENT counter is carried over, so a deleted task's id (named by
its trail) is never handed out again. Going down deletes the tasks that have no institution
(the older schema cannot hold them).

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-07 09:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0030"
down_revision: str | None = "0029"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "due_diligence_tasks"
KINDS = ("due_diligence", "loan_matching", "settling_in", "training", "policy_application")


def _counter() -> int | None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return None
    return bind.execute(
        sa.text("SELECT seq FROM sqlite_sequence WHERE name = :t"), {"t": TABLE}
    ).scalar()


def _restore(seq: int | None) -> None:
    if seq is None:
        return
    bind = op.get_bind()
    bind.execute(sa.text("DELETE FROM sqlite_sequence WHERE name = :t"), {"t": TABLE})
    bind.execute(
        sa.text("INSERT INTO sqlite_sequence (name, seq) VALUES (:t, :s)"), {"t": TABLE, "s": seq}
    )


def upgrade() -> None:
    seq = _counter()
    with op.batch_alter_table(TABLE, table_kwargs={"sqlite_autoincrement": True}) as batch_op:
        batch_op.add_column(
            sa.Column(
                "kind",
                sa.String(length=32),
                server_default=sa.text("'due_diligence'"),
                nullable=False,
            )
        )
        batch_op.add_column(
            sa.Column(
                "counterpart", sa.String(length=200), server_default=sa.text("''"), nullable=False
            )
        )
        batch_op.alter_column("institution_id", existing_type=sa.Integer(), nullable=True)
        batch_op.create_check_constraint(  # what str_enum(TaskKind, "task_kind") declares
            op.f("ck_due_diligence_tasks_task_kind"),
            "kind IN (" + ", ".join(f"'{k}'" for k in KINDS) + ")",
        )
        batch_op.create_check_constraint(
            op.f("ck_due_diligence_tasks_dd_has_institution"),
            "kind <> 'due_diligence' OR institution_id IS NOT NULL",
        )
    _restore(seq)


def downgrade() -> None:
    seq = _counter()
    op.execute(sa.text(f"DELETE FROM {TABLE} WHERE institution_id IS NULL"))
    with op.batch_alter_table(TABLE, table_kwargs={"sqlite_autoincrement": True}) as batch_op:
        batch_op.drop_constraint(op.f("ck_due_diligence_tasks_dd_has_institution"), type_="check")
        batch_op.drop_constraint(op.f("ck_due_diligence_tasks_task_kind"), type_="check")
        batch_op.alter_column("institution_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("counterpart")
        batch_op.drop_column("kind")
    _restore(seq)
