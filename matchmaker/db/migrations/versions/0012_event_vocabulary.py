"""event vocabulary: each event owns its tracks (赛道) and groups; a project's track is a key

``events.vocabulary`` holds the event's tracks and groups as JSON. Every existing event gets
the 中国创翼 preset, whose keys (``advanced_manufacturing`` …) are the ones ``projects.track``
already holds, so no project changes. ``projects.track`` loses its CHECK (the six fixed
tracks) and widens to 100 characters: a track an organiser adds is keyed by its label. On
SQLite that copies the projects table, which ``matchmaker.db.engine.migrate`` does with foreign
keys off (as for 0008), so nothing that refers to a project is touched.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 02:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
TRACKS = (
    "advanced_manufacturing",
    "modern_services",
    "rural_revitalization",
    "silver_economy",
    "green_economy",
    "micro_av_creative",
)
OLD_TRACK = sa.Enum(*TRACKS, name="track", native_enum=False, create_constraint=True, length=32)

# The 中国创翼 preset as it stood at this revision (a migration does not follow later edits).
PRESET = {
    "preset": "zhongguo-chuangyi",
    "tracks": [
        {"key": key, "zh": zh, "en": en, "aliases": list(aliases)}
        for key, zh, en, aliases in (
            (
                "advanced_manufacturing",
                "先进制造",
                "Advanced manufacturing",
                ("先进制造业", "制造"),
            ),
            ("modern_services", "现代服务", "Modern services", ("现代服务业", "服务")),
            ("rural_revitalization", "乡村振兴", "Rural revitalisation", ("乡村振兴类",)),
            ("silver_economy", "银发经济", "Silver economy", ("银发", "养老")),
            ("green_economy", "绿色经济", "Green economy", ("绿色", "绿色低碳")),
            (
                "micro_av_creative",
                "微视听创意",
                "Micro audio-visual & creative",
                ("微视听", "微视听创意类", "creative"),
            ),
        )
    ],
    "groups": [
        {"key": "enterprise", "zh": "企业组", "en": "Enterprise", "aliases": ["企业"]},
        {"key": "maker", "zh": "创客组", "en": "Maker", "aliases": ["创客"]},
    ],
}


def upgrade() -> None:
    op.add_column("events", sa.Column("vocabulary", JSON, nullable=True))
    events = sa.table("events", sa.column("vocabulary", JSON))
    op.get_bind().execute(events.update().values(vocabulary=PRESET))
    with op.batch_alter_table("projects") as batch_op:
        # the old type's CHECK (ck_projects_track) goes with it: Alembic drops an Enum's
        # constraint when the type changes, on PostgreSQL and in SQLite's copy alike
        batch_op.alter_column(
            "track", existing_type=OLD_TRACK, type_=sa.String(100), existing_nullable=False
        )


def downgrade() -> None:
    bind = op.get_bind()
    projects = sa.table("projects", sa.column("track", sa.String(100)))
    if bind.execute(sa.select(projects.c.track).where(projects.c.track.not_in(TRACKS))).first():
        raise RuntimeError("projects use tracks outside the 中国创翼 six; cannot downgrade")
    with op.batch_alter_table("projects") as batch_op:
        batch_op.alter_column(
            "track", existing_type=sa.String(100), type_=OLD_TRACK, existing_nullable=False
        )
    # never a copy of events on SQLite: with foreign keys on (a bare ``alembic downgrade``),
    # dropping the old table would delete every event's projects and sessions with it
    op.drop_column("events", "vocabulary")
