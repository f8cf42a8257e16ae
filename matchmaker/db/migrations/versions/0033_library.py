"""library: lasting identities of projects and institutions across contests

``library_parties`` holds one lasting identity per project or institution; ``library_links``
joins each event's row to it (how: first appearance, an exact id match, a confirmed proposal,
an alumni copy). ``events.share_library`` (off for existing events) says whether an event's rows
and outcomes are seen by other contests' offices. Link tables, not columns on ``projects`` and
``institutions``: adding a foreign key there would rebuild both tables on SQLite.

Revision ID: 0033
Revises: 0031
Create Date: 2026-12-07 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from matchmaker.db.types import UTCDateTime

revision: str = "0033"
down_revision: str | None = "0031"
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
    # Plain ALTER TABLE, not a batch: rebuilding ``events`` on SQLite would drop its rows' links.
    op.add_column(
        "events",
        sa.Column("share_library", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.create_table(
        "library_parties",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('project', 'institution')", name=op.f("ck_library_parties_kind_known")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_library_parties")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "library_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("party_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("institution_id", sa.Integer(), nullable=True),
        sa.Column("how", sa.String(length=12), nullable=False),
        sa.Column("source_project_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "(project_id IS NULL) <> (institution_id IS NULL)",
            name=op.f("ck_library_links_exactly_one_party"),
        ),
        sa.CheckConstraint(
            "how IN ('new', 'credit_code', 'leader_id', 'confirmed', 'alumni')",
            name=op.f("ck_library_links_how_known"),
        ),
        _fk("library_links", "party_id", "library_parties"),
        _fk("library_links", "project_id", "projects"),
        _fk("library_links", "institution_id", "institutions"),
        _fk("library_links", "source_project_id", "projects", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_library_links")),
        sa.UniqueConstraint("project_id", name=op.f("uq_library_links_project_id")),
        sa.UniqueConstraint("institution_id", name=op.f("uq_library_links_institution_id")),
        sqlite_autoincrement=True,
    )
    for column in ("party_id", "source_project_id"):
        op.create_index(op.f(f"ix_library_links_{column}"), "library_links", [column])


def downgrade() -> None:
    for column in ("source_project_id", "party_id"):
        op.drop_index(op.f(f"ix_library_links_{column}"), table_name="library_links")
    op.drop_table("library_links")
    op.drop_table("library_parties")
    op.drop_column("events", "share_library")  # SQLite 3.35+ drops a column in place
