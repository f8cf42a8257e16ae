"""Party names are unique within an event (as people read them), and renames are on the record.

On SQLite and PostgreSQL: the API, the import and the database itself refuse a second party of
one kind under a name another has (after folding case, width, spaces, invisible characters and
Traditional script); every rename is audited and shown to organisers; migration 0010 keeps the
duplicates an older database already holds.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from tests_support import CSRF, assert_error, db_snapshot, migrated_pg_database, sign_in

from matchmaker.db.engine import transaction
from matchmaker.db.models import AuditEntry, Institution, Project
from matchmaker.errors import Conflict, ImportRejected
from matchmaker.services.registry.events import get_event
from matchmaker.services.registry.registrations import import_registrations

pytestmark = pytest.mark.fake_encoder  # some vectors are needed, no ranking is measured

HTML = {"Accept": "text/html"}
PROJECT_HEADER = "报名编号,项目名称,赛道\n"


def patch(client: Any, accounts: Any, who: str, path: str, name: str) -> Any:
    return client.patch(path, headers=accounts.headers(who), json={"name": name})


def names(factory: Any, model: Any) -> dict[str, str]:
    with factory() as db:
        return dict(db.execute(select(model.code, model.name)).all())


def renames_of(factory: Any, model: Any, code: str) -> list[tuple[str, Any, Any]]:
    with factory() as db:
        row_id = db.scalar(select(model.id).where(model.code == code))
        entries = db.scalars(
            select(AuditEntry)
            .where(AuditEntry.entity_type == model.__tablename__, AuditEntry.entity_id == row_id)
            .order_by(AuditEntry.id)
        )
        return [(e.actor_label, e.before, e.after) for e in entries if e.action == "rename"]


# ---- the API ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "taken",
    ["汾河新能源创投", "汾河新能源創投 ", "  汾河　新能源创投", "汾河\u200b新能源创投"],
    ids=["same", "traditional-and-space", "full-width-space", "zero-width-space"],
)
def test_an_investor_cannot_rename_its_institution_to_another_ones_name(
    client: Any, accounts: Any, factory: Any, taken: str
) -> None:
    before = db_snapshot(factory)
    response = patch(client, accounts, "investor_b", "/api/v1/institutions/T-I02", taken)
    if "\u200b" in taken:  # a zero-width character is refused in any name, taken or not
        body = assert_error(response, 422)
        assert "U+200B" in json.dumps(body, ensure_ascii=False)
    else:
        body = assert_error(response, 409)
        assert "T-I01" in body["message"]
        assert body["errors"][0]["column"] == "name"
    assert db_snapshot(factory) == before


def test_an_entrant_cannot_take_another_projects_name(
    client: Any, accounts: Any, factory: Any
) -> None:
    before = db_snapshot(factory)
    english = {"Accept-Language": "en"} | accounts.headers("entrant")
    response = client.patch(
        "/api/v1/projects/T-P001", headers=english, json={"name": "RURAL Drone Spraying service"}
    )
    body = assert_error(response, 409)
    assert body["message"] == (
        "The name “RURAL Drone Spraying service” is already used by Project T-P004 in this "
        "event; choose another"
    )
    assert db_snapshot(factory) == before


def test_organisers_cannot_register_a_second_party_under_a_taken_name(
    client: Any, accounts: Any, factory: Any
) -> None:
    h = accounts.headers("organiser")
    taken = {"id": "T-P901", "name": "智慧養老陪護機器人", "track": "银发经济"}
    body = assert_error(client.post("/api/v1/projects", headers=h, json=taken), 409)
    assert "T-P002" in body["message"]
    twin = {"id": "T-I09", "name": "silverline angels", "type": "angel"}
    assert (
        "T-I02"
        in assert_error(client.post("/api/v1/institutions", headers=h, json=twin), 409)["message"]
    )
    assert "T-P901" not in names(factory, Project) and "T-I09" not in names(factory, Institution)


def test_a_party_keeps_its_own_name_and_a_rename_is_audited(
    client: Any, accounts: Any, factory: Any
) -> None:
    own = patch(client, accounts, "entrant", "/api/v1/projects/T-P001", "晋能储能电池管理系统")
    assert own.status_code == 200
    assert renames_of(factory, Project, "T-P001") == []  # the same name is no rename
    renamed = patch(client, accounts, "entrant", "/api/v1/projects/T-P001", "晋能储能BMS")
    assert renamed.status_code == 200 and renamed.get_json()["name"] == "晋能储能BMS"
    assert renames_of(factory, Project, "T-P001") == [
        ("entrant", {"name": "晋能储能电池管理系统"}, {"name": "晋能储能BMS"})
    ]
    # the old name is free again for someone else
    freed = patch(client, accounts, "entrant_b", "/api/v1/projects/T-P002", "晋能储能电池管理系统")
    assert freed.status_code == 200
    case = patch(client, accounts, "investor_b", "/api/v1/institutions/T-I02", "SilverLine Angels")
    assert case.status_code == 200  # only its own name in other letters: allowed, still audited
    assert renames_of(factory, Institution, "T-I02") == [
        ("investor_b", {"name": "Silverline Angels"}, {"name": "SilverLine Angels"})
    ]


def test_organisers_see_renames_on_the_party_pages_and_the_duplicates_page(
    client: Any, accounts: Any, factory: Any
) -> None:
    patch(client, accounts, "investor", "/api/v1/institutions/T-I01", "汾河资本")
    patch(client, accounts, "entrant", "/api/v1/projects/T-P001", "晋能储能BMS")
    sign_in(client, factory, "organiser")
    page = client.get("/institutions/T-I01", headers=HTML).get_data(as_text=True)
    assert 'data-testid="renames"' in page
    assert "<s>汾河新能源创投</s> → <b>汾河资本</b>" in page and "investor" in page
    listed = client.get("/duplicates", headers=HTML).get_data(as_text=True)
    assert "<s>晋能储能电池管理系统</s> → <b>晋能储能BMS</b>" in listed
    assert "<s>汾河新能源创投</s> → <b>汾河资本</b>" in listed
    english = client.get("/projects/T-P001?lang=en", headers=HTML).get_data(as_text=True)
    assert "Renames" in english and "<b>晋能储能BMS</b>" in english
    # an investor reads the project page but not who renamed what
    sign_in(client, factory, "investor")
    seen = client.get("/projects/T-P001", headers=HTML).get_data(as_text=True)
    assert "晋能储能BMS" in seen and 'data-testid="renames"' not in seen


# ---- the import ------------------------------------------------------------------------------


def run_import(factory: Any, sheet: str) -> Any:
    with transaction(factory) as db:
        event = get_event(db, "T2026")
        return import_registrations(db, event, "projects", sheet.encode("utf-8"), "p.csv")


def problems_of(factory: Any, sheet: str) -> list[tuple[Any, Any, Any, str]]:
    with pytest.raises(ImportRejected) as refused:
        run_import(factory, sheet)
    return [(p.row, p.column, p.value, p.message("en")) for p in refused.value.problems]


def test_an_import_with_two_rows_of_one_name_is_refused_naming_the_rows(
    factory: Any, registered: str
) -> None:
    before = db_snapshot(factory)
    sheet = (
        PROJECT_HEADER + "N-01,星火资本,现代服务\nN-02,新项目,现代服务\nN-03,星火資本 ,现代服务\n"
    )
    assert problems_of(factory, sheet) == [
        (4, "项目名称", "星火資本", "Name repeated in the file (first seen on row 2)")
    ]
    assert db_snapshot(factory) == before


def test_an_import_taking_a_name_another_party_has_is_refused(
    factory: Any, registered: str
) -> None:
    before = db_snapshot(factory)
    sheet = PROJECT_HEADER + "N-01,智慧養老陪護機器人,银发经济\nT-P001,短视频非遗工坊,绿色经济\n"
    assert problems_of(factory, sheet) == [
        (
            2,
            "项目名称",
            "智慧養老陪護機器人",
            "The name is already used by Project T-P002 in this event",
        ),
        (
            3,
            "项目名称",
            "短视频非遗工坊",
            "The name is already used by Project T-P005 in this event",
        ),
    ]
    assert db_snapshot(factory) == before


def test_a_taken_name_is_listed_beside_the_files_other_problems(
    factory: Any, registered: str
) -> None:
    """Every problem at once: the organiser need not fix the sheet twice to learn of the name."""
    before = db_snapshot(factory)
    sheet = PROJECT_HEADER + "N-01,新项目,未知赛道\nN-02,智慧养老陪护机器人,银发经济\n"
    found = problems_of(factory, sheet)
    assert [(row, column) for row, column, _value, _text in found] == [(2, "赛道"), (3, "项目名称")]
    assert "T-P002" in found[1][3]
    assert db_snapshot(factory) == before


def test_reimports_keep_names_and_may_swap_them(factory: Any, registered: str) -> None:
    before = names(factory, Project)
    report = run_import(
        factory, (Path(__file__).parent / "data" / "projects.csv").read_text(encoding="utf-8-sig")
    )
    assert report.unchanged == 5 and names(factory, Project) == before
    swap = (
        PROJECT_HEADER
        + "T-P001,智慧养老陪护机器人,绿色经济\nT-P002,晋能储能电池管理系统,银发经济\n"
    )
    report = run_import(factory, swap)
    assert report.updated == 2
    after = names(factory, Project)
    assert (after["T-P001"], after["T-P002"]) == (before["T-P002"], before["T-P001"])
    assert renames_of(factory, Project, "T-P001") == [
        ("system", {"name": before["T-P001"]}, {"name": before["T-P002"]})
    ]


# ---- the database ----------------------------------------------------------------------------


def test_the_database_refuses_a_second_party_under_one_name(factory: Any, registered: str) -> None:
    with pytest.raises(IntegrityError), transaction(factory) as db:
        event = get_event(db, "T2026")
        db.add(
            Project(
                event_id=event.id, code="N-01", name="SILVERLINE ANGELS", track="modern_services"
            )
        )
        db.add(Institution(event_id=event.id, code="N-02", name="Silverline  Angels", type="vc"))
    with transaction(factory) as db:  # a project may share a name with an institution
        event = get_event(db, "T2026")
        db.add(
            Project(
                event_id=event.id, code="N-01", name="Silverline Angels", track="modern_services"
            )
        )


@contextmanager
def database_at_0009(kind: str, tmp_path: Path) -> Iterator[Any]:
    """An engine on a new database of ``kind`` migrated to 0009 (PostgreSQL: down from head)."""
    from alembic import command

    from matchmaker.db.engine import alembic_config, make_engine, migrate

    if kind == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
        migrate(engine, "0009")
        yield engine
        engine.dispose()
        return
    with migrated_pg_database("mm_names") as url:
        engine = make_engine(url)
        with engine.begin() as connection:
            config = alembic_config(engine)
            config.attributes["connection"] = connection
            command.downgrade(config, "0009")
        yield engine
        engine.dispose()


OLD_PROJECT = (
    "INSERT INTO projects (event_id, code, name, track, sectors, needs, region, description,"
    " search_text, contact_name, contact_phone, contact_email, created_at, updated_at)"
    " VALUES (:e, :c, :n, 'modern_services', '[]', '[]', '', '', '', '', '', '',"
    " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
)


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_migration_0010_keeps_the_duplicates_an_old_database_has(kind: str, tmp_path: Path) -> None:
    from matchmaker.db.engine import migrate, session_factory
    from matchmaker.services.registry.catalog import update_project

    with database_at_0009(kind, tmp_path) as engine:
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO events (code, name, name_en, year, city, organiser,"
                    " registrations_version, created_at) VALUES ('OLD', '旧活动', 'Old', 2025,"
                    " '', '', 0, CURRENT_TIMESTAMP)"
                )
            )
            event_id = connection.execute(text("SELECT id FROM events")).scalar()
            for code, name in (("O-1", "星火资本"), ("O-2", "星火資本 "), ("O-3", "别的项目")):
                connection.execute(text(OLD_PROJECT), {"e": event_id, "c": code, "n": name})
        migrate(engine)
        factory = session_factory(engine)
        assert names(factory, Project) == {"O-1": "星火资本", "O-2": "星火資本 ", "O-3": "别的项目"}
        with transaction(factory) as db:  # the later duplicate may be edited and keep its name
            old = db.scalars(select(Project).where(Project.code == "O-2")).one()
            update_project(db, old, {"name": "星火資本 ", "region": "山西"})
        with pytest.raises(Conflict, match="O-1"), transaction(factory) as db:
            other = db.scalars(select(Project).where(Project.code == "O-3")).one()
            update_project(db, other, {"name": "星火资本"})  # no new name may join them
        with transaction(factory) as db:  # and renaming it away is an ordinary rename
            old = db.scalars(select(Project).where(Project.code == "O-2")).one()
            update_project(db, old, {"name": "星火资本二期"})
        with pytest.raises(IntegrityError), transaction(factory) as db:  # now the index holds
            db.add(
                Project(event_id=event_id, code="O-4", name="星火资本二期", track="modern_services")
            )


def test_a_rename_by_page_import_is_audited_as_the_organiser(
    client: Any, accounts: Any, factory: Any
) -> None:
    import io

    sign_in(client, factory, "organiser")
    sheet = (PROJECT_HEADER + "T-P005,平遥漆器短视频工坊,微视听创意\n").encode()
    payload = {"csrf": CSRF, "kind": "projects", "file": (io.BytesIO(sheet), "p.csv")}
    response = client.post(
        "/import", data=payload, headers=HTML, content_type="multipart/form-data"
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert renames_of(factory, Project, "T-P005") == [
        ("organiser", {"name": "短视频非遗工坊"}, {"name": "平遥漆器短视频工坊"})
    ]
    taken = (PROJECT_HEADER + "T-P005,智慧养老陪护机器人,微视听创意\n").encode()
    payload = {"csrf": CSRF, "kind": "projects", "file": (io.BytesIO(taken), "p.csv")}
    refused = client.post("/import", data=payload, headers=HTML, content_type="multipart/form-data")
    assert refused.status_code == 422
    assert "名称已被本活动的项目 T-P002 使用" in refused.get_data(as_text=True)


def test_a_large_import_is_checked_against_every_party(factory: Any, registered: str) -> None:
    # more names than are looked up by a bound list (services/registry/names.py FEW_KEYS)
    rows = [f"N-{n:05d},储能项目第{n}号,绿色经济\n" for n in range(1200)]
    taken = PROJECT_HEADER + "".join(rows) + "N-99999,Rural Drone Spraying Service,乡村振兴\n"
    assert problems_of(factory, taken) == [
        (
            1202,
            "项目名称",
            "Rural Drone Spraying Service",
            "The name is already used by Project T-P004 in this event",
        )
    ]
    assert run_import(factory, PROJECT_HEADER + "".join(rows)).created == 1200
