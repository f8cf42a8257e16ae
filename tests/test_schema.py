"""The schema: migrations match the models, and the database itself refuses impossible rows."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select
from sqlalchemy.exc import IntegrityError

from matchmaker.db.engine import alembic_config, schema_is_current
from matchmaker.db.models import (
    Base,
    Institution,
    MatchmakingSession,
    Meeting,
    Project,
    User,
)
from matchmaker.domain import MeetingStatus, Role


def test_migrations_produce_exactly_the_models(engine) -> None:  # type: ignore[no-untyped-def]
    assert schema_is_current(engine)
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []


def test_downgrade_to_nothing_and_back(engine) -> None:  # type: ignore[no-untyped-def]
    from alembic import command

    with engine.begin() as connection:
        config = alembic_config(engine)
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    assert "meetings" in inspect(engine).get_table_names()


def _meeting(
    db,
    slot_number: int,
    project: str,
    institution: str,
    table: int | None = 1,
    status: MeetingStatus = MeetingStatus.SCHEDULED,
) -> Meeting:  # type: ignore[no-untyped-def]
    session = db.scalar(select(MatchmakingSession).where(MatchmakingSession.code == "S1"))
    meeting = Meeting(
        session_id=session.id,
        slot_id=session.slots[slot_number - 1].id,
        table_id=session.tables[table - 1].id if table else None,
        project_id=db.scalar(select(Project.id).where(Project.code == project)),
        institution_id=db.scalar(select(Institution.id).where(Institution.code == institution)),
        status=status,
    )
    db.add(meeting)
    db.flush()
    return meeting


@pytest.mark.parametrize(
    ("second", "why"),
    [
        (("T-P002", "T-I01", 2), "institution twice in one slot"),
        (("T-P001", "T-I02", 2), "project twice in one slot"),
        (("T-P002", "T-I02", 1), "table twice in one slot"),
    ],
)
def test_database_refuses_double_booking(factory, registered, second, why) -> None:  # type: ignore[no-untyped-def]
    with factory() as db:
        _meeting(db, 1, "T-P001", "T-I01", 1)
        with pytest.raises(IntegrityError):
            _meeting(db, 1, *second)
        db.rollback()


def test_cancelled_meetings_free_their_slot(factory, registered) -> None:  # type: ignore[no-untyped-def]
    with factory() as db:
        _meeting(db, 1, "T-P001", "T-I01", 1, MeetingStatus.CANCELLED)
        _meeting(db, 1, "T-P001", "T-I01", 1)
        db.commit()
        assert len(db.scalars(select(Meeting)).all()) == 2


def test_role_binding_is_enforced_by_the_database(factory, registered) -> None:  # type: ignore[no-untyped-def]
    with factory() as db:
        db.add(User(username="ghost", role=Role.INVESTOR))  # an investor with no institution
        with pytest.raises(IntegrityError):
            db.flush()
        db.rollback()


def test_money_constraints(factory, registered) -> None:  # type: ignore[no-untyped-def]
    with factory() as db:
        project = db.scalar(select(Project).where(Project.code == "T-P001"))
        project.funding_ask = -1
        with pytest.raises(IntegrityError):
            db.flush()
        db.rollback()
        institution = db.scalar(select(Institution).where(Institution.code == "T-I01"))
        institution.ticket_min, institution.ticket_max = 10, 5
        with pytest.raises(IntegrityError):
            db.flush()
        db.rollback()


def test_large_amounts_and_aware_times_round_trip(factory, registered) -> None:  # type: ignore[no-untyped-def]
    with factory() as db:
        project = db.scalar(select(Project).where(Project.code == "T-P001"))
        project.funding_ask = 9_000_000_000_000  # 9万亿: beyond 32-bit, still exact
        db.commit()
    with factory() as db:
        project = db.scalar(select(Project).where(Project.code == "T-P001"))
        assert project.funding_ask == 9_000_000_000_000
        session = db.scalar(select(MatchmakingSession).where(MatchmakingSession.code == "S1"))
        assert session.starts_at == datetime(2036, 12, 8, 1, 0, tzinfo=UTC)  # 09:00 Shanghai
        assert len(session.slots) == 9 and len(session.tables) == 4


def test_rebuilding_audited_tables_on_sqlite_keeps_rows_links_and_retired_ids(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Migration 0008 rebuilds the audited tables with AUTOINCREMENT on a populated SQLite file:
    every row and every reference into them survives (dropping a table with foreign keys on
    would have nulled the due-diligence tasks' intent links), and an id named by a deleted
    record's trail is never handed out again."""
    from sqlalchemy import func, text

    from matchmaker.db.engine import make_engine, migrate, session_factory, transaction
    from matchmaker.db.models import AuditEntry, DueDiligence, Intent
    from matchmaker.services.ledger.intent_changes import delete_intent
    from matchmaker.services.operations.demo import load_demo

    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    migrate(engine, "0007")
    factory = session_factory(engine)
    # the models are at head: the demo is loaded with the columns later migrations add, which
    # are then taken away again, so that 0008 sees a 0007 database
    later = [
        ("projects", "name_key", "VARCHAR(500)"),  # 0010
        ("institutions", "name_key", "VARCHAR(500)"),  # 0010
        ("events", "locked_fields", "JSON NOT NULL DEFAULT '[]'"),  # 0015
        ("events", "registration_deadline", "DATETIME"),  # 0015
        ("projects", "credit_code", "VARCHAR(18)"),  # 0016
        ("projects", "leader_id", "VARCHAR(18)"),
        ("events", "rules", "JSON"),
        ("events", "signups_open", "BOOLEAN NOT NULL DEFAULT 0"),  # 0017
        ("events", "share_library", "BOOLEAN NOT NULL DEFAULT 0"),  # 0033
        ("events", "targets", "JSON NOT NULL DEFAULT '{}'"),  # 0035
        ("events", "languages", "VARCHAR(50) NOT NULL DEFAULT 'zh,en'"),  # 0013
        ("matchmaking_sessions", "breaks", "JSON NOT NULL DEFAULT '[]'"),
        ("events", "vocabulary", "JSON"),  # 0012
        ("events", "division", "INTEGER"),  # 0031
        ("events", "parent_id", "INTEGER"),
        ("users", "scope_event_id", "INTEGER"),
        ("intents", "invested_amount_pending", "BOOLEAN NOT NULL DEFAULT 0"),  # 0029
        ("due_diligence_tasks", "kind", "VARCHAR(32) NOT NULL DEFAULT 'due_diligence'"),  # 0030
        ("due_diligence_tasks", "counterpart", "VARCHAR(200) NOT NULL DEFAULT ''"),
    ]
    with engine.begin() as connection:
        for table, column, kind in later:
            connection.exec_driver_sql(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")
    with transaction(factory) as db:
        event, _accounts = load_demo(db, ledger=True)
        staff = db.scalar(select(User).where(User.role == Role.STAFF))
        newest = db.scalar(select(Intent).order_by(Intent.id.desc()))
        retired = newest.id
        delete_intent(db, staff, newest, "录入重复")
    with engine.begin() as connection:
        for table, column, _kind in later:
            connection.exec_driver_sql(f"ALTER TABLE {table} DROP COLUMN {column}")

    def state() -> tuple[list[Any], list[Any], int]:
        with factory() as db:
            intents = db.execute(select(Intent.id, Intent.project_id, Intent.amount)).all()
            links = db.execute(select(DueDiligence.id, DueDiligence.intent_id)).all()
            trail = db.scalar(select(func.count()).select_from(AuditEntry))
        return sorted(map(tuple, intents)), sorted(map(tuple, links)), trail

    before = state()
    assert any(intent_id is not None for _task, intent_id in before[1])
    migrate(engine)
    assert state() == before
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
        sql = connection.execute(
            text("SELECT sql FROM sqlite_master WHERE name = 'intents'")
        ).scalar()
    assert "AUTOINCREMENT" in sql
    with transaction(factory) as db:
        institution = db.scalar(select(Institution.id).order_by(Institution.id))
        taken = select(Intent.project_id).where(Intent.institution_id == institution)
        project = db.scalar(select(Project.id).where(Project.id.not_in(taken)).limit(1))
        fresh = Intent(event_id=event.id, institution_id=institution, project_id=project)
        db.add(fresh)
        db.flush()
        assert fresh.id > retired
    engine.dispose()
