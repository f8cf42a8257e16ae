"""Each event's own groups (组别), like its tracks: from a preset or listed, checked on import,
in forms and the API, added and removed, shown by their labels; migration 0018 on SQLite and
PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from tests_support import CSRF, assert_error, downgrade, migrated_pg_database, sign_in

from matchmaker.db.engine import make_engine, migrate, session_factory, transaction
from matchmaker.db.models import AuditEntry, Event, Project
from matchmaker.errors import Conflict, ImportRejected, InvalidInput
from matchmaker.services.registry.catalog import create_project
from matchmaker.services.registry.events import create_event, get_event, update_event
from matchmaker.services.registry.registrations import export_registrations, import_registrations
from matchmaker.services.registry.vocabulary import (
    PRESETS,
    add_group,
    event_vocabulary,
    groups_of,
    remove_group,
)

pytestmark = pytest.mark.fake_encoder  # the API tests need some vectors, no ranking is measured

HEADER = "报名编号,项目名称,赛道,组别,阶段,融资需求(万元),需求,项目简介\n"
OWN = (
    HEADER
    + "C-001,芯片测试探针卡,电子信息,初创组,A轮,2000,资金,半导体晶圆测试用探针卡。\n"
    + "C-002,中药配方颗粒质控,电子信息,成長組,天使轮,500,资金,中药配方颗粒的指纹图谱质控。\n"
    + "C-003,晋绣数字工坊,电子信息,,种子轮,50,场地,把晋绣纹样做成数字藏品与文创。\n"
).encode()


def _city(factory: sessionmaker[Session], groups: list[str] | None = None) -> None:
    with transaction(factory) as db:
        create_event(
            db, "CITY", "城市赛", 2026, preset="none", tracks=["电子信息"], groups=groups or []
        )


def _import(factory: sessionmaker[Session], data: bytes, code: str = "CITY") -> Any:
    with transaction(factory) as db:
        return import_registrations(db, get_event(db, code), "projects", data, "projects.csv")


def _groups(factory: sessionmaker[Session], code: str = "CITY") -> dict[str, str | None]:
    with factory() as db:
        event = get_event(db, code)
        rows = db.execute(select(Project.code, Project.group).where(Project.event_id == event.id))
        return {code: group for code, group in rows}


# ---- presets and the event's own list --------------------------------------------------------


def test_presets_keep_the_two_groups_and_none_has_none() -> None:
    for preset in ("zhongguo-chuangyi", "chuangke-zhongguo"):
        groups = PRESETS[preset].groups
        assert [(g.key, g.zh) for g in groups] == [("enterprise", "企业组"), ("maker", "创客组")]
        assert groups.parse("創客") == "maker"
    assert len(PRESETS["none"].groups) == 0


def test_an_event_with_its_own_groups_imports_them_and_exports_their_labels(factory) -> None:  # type: ignore[no-untyped-def]
    _city(factory, ["初创组", "成长组"])
    report = _import(factory, OWN)
    assert report.created == 3
    # keyed by label; Traditional script and an empty cell read as the event's group and none
    assert _groups(factory) == {"C-001": "初创组", "C-002": "成长组", "C-003": None}
    with factory() as db:
        exported = export_registrations(db, get_event(db, "CITY"), "projects", "csv").decode()
    assert ",初创组," in exported and ",成长组," in exported
    again = _import(factory, exported.encode())
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)


def test_a_group_outside_the_events_list_is_refused_naming_the_allowed_ones(factory) -> None:  # type: ignore[no-untyped-def]
    _city(factory, ["初创组", "成长组"])
    sheet = OWN.decode().replace("初创组", "企业组").replace("成長組", "创客组").encode()
    with pytest.raises(ImportRejected) as caught:
        _import(factory, sheet)
    problems = caught.value.problems
    assert [(p.row, p.column, p.value) for p in problems] == [
        (2, "组别", "企业组"),
        (3, "组别", "创客组"),
    ]
    assert problems[0].message("zh") == "“企业组”不是本活动的组别；可选：初创组、成长组"
    assert "not a group of this event; choose one of: 初创组, 成长组" in problems[1].message("en")
    assert _groups(factory) == {}  # nothing written


def test_with_no_preset_and_no_groups_listed_only_a_blank_group_imports(factory) -> None:  # type: ignore[no-untyped-def]
    _city(factory)
    with pytest.raises(ImportRejected) as caught:
        _import(factory, OWN)
    assert "可选：（无）" in caught.value.problems[0].message("zh")
    blank = HEADER + "C-009,无组别项目,电子信息,,A轮,100,资金,简介\n"
    assert _import(factory, blank.encode()).created == 1


def test_groups_added_later_removed_when_empty_refused_when_used(factory, event) -> None:  # type: ignore[no-untyped-def]
    row = HEADER + "T-P801,晋绣数字工坊,现代服务,成长组,种子轮,50,场地,数字藏品。\n"
    with pytest.raises(ImportRejected):
        _import(factory, row.encode(), event)  # the 中国创翼 event has 企业组 and 创客组 only
    with transaction(factory) as db:
        term = add_group(db, get_event(db, event), "成长组", en="Growth")
        assert term.key == "成长组"
        with pytest.raises(InvalidInput) as taken:  # a name the event already uses
            add_group(db, get_event(db, event), "企業組")
        assert "本活动已有组别“企业组”" in taken.value.problems[0].message("zh")
    _import(factory, row.encode(), event)
    assert _groups(factory, event)["T-P801"] == "成长组"
    with transaction(factory) as db:
        with pytest.raises(Conflict) as used:
            remove_group(db, get_event(db, event), "Growth")
        assert used.value.message("en") == "Group 'Growth' has 1 projects and cannot be removed"
        assert "T-P801 晋绣数字工坊" in used.value.problems[0].message("zh")
        assert remove_group(db, get_event(db, event), "maker").key == "maker"  # nobody in it
    with factory() as db:
        found = get_event(db, event)
        assert groups_of(found).keys() == ["enterprise", "成长组"]
        actions = db.scalars(
            select(AuditEntry.action).where(
                AuditEntry.entity_type == "events", AuditEntry.event_id == found.id
            )
        ).all()
    assert sorted(actions) == ["group_add", "group_remove"]  # the refused ones left no trace


def test_event_edit_adds_groups_all_or_nothing(factory, event) -> None:  # type: ignore[no-untyped-def]
    with transaction(factory) as db:
        update_event(db, event, {"groups": ["初创组", "成长组"], "city": "长治"})
    with pytest.raises(InvalidInput), transaction(factory) as db:
        update_event(db, event, {"groups": ["高校组", "初創組"]})  # the second one is taken
    with factory() as db:
        found = get_event(db, event)
        assert groups_of(found).keys() == ["enterprise", "maker", "初创组", "成长组"]
        assert found.city == "长治"


# ---- forms and the API ---------------------------------------------------------------------


def test_api_checks_groups_against_the_event_and_filters_by_label(
    client, accounts, factory
) -> None:  # type: ignore[no-untyped-def]
    h = accounts.headers("organiser")
    body = {"id": "T-P900", "name": "芯片探针卡", "track": "绿色经济", "group": "成长组"}
    error = assert_error(client.post("/api/v1/projects", headers=h, json=body), 422)
    assert [e["column"] for e in error["errors"]] == ["group"]
    assert "企业组、创客组" in error["errors"][0]["message"]
    with factory() as db:
        assert db.scalar(select(func.count()).where(Project.code == "T-P900")) == 0
    with transaction(factory) as db:
        add_group(db, get_event(db, "T2026"), "成长组", en="Growth")
    created = client.post("/api/v1/projects", headers=h, json=body)
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["group"] == "成长组"
    patched = client.patch("/api/v1/projects/T-P001", headers=h, json={"group": "Maker"})
    assert patched.get_json()["group"] == "maker"
    cleared = client.patch("/api/v1/projects/T-P001", headers=h, json={"group": None})
    assert cleared.status_code == 200 and cleared.get_json()["group"] is None
    listed = client.get("/api/v1/projects?event=T2026&group=Growth", headers=h).get_json()
    assert [p["id"] for p in listed["items"]] == ["T-P900"]
    wrong = assert_error(client.get("/api/v1/projects?event=T2026&group=初创组", headers=h), 422)
    assert "成长组" in str(wrong)
    shown = client.get("/api/v1/events/T2026", headers=h).get_json()
    assert [g["key"] for g in shown["groups"]] == ["enterprise", "maker", "成长组"]


def test_api_creates_an_event_with_its_own_groups(client, accounts) -> None:  # type: ignore[no-untyped-def]
    h = accounts.headers("organiser")
    body = {"code": "G2027", "name": "城市赛", "year": 2027, "preset": "none",
            "tracks": ["电子信息"], "groups": ["初创组", "成长组"]}  # fmt: skip
    created = client.post("/api/v1/events", headers=h, json=body)
    assert created.status_code == 201, created.get_json()
    assert [g["zh"] for g in created.get_json()["groups"]] == ["初创组", "成长组"]
    added = client.patch("/api/v1/events/G2027", headers=h, json={"groups": ["高校组"]})
    assert [g["zh"] for g in added.get_json()["groups"]] == ["初创组", "成长组", "高校组"]


def test_the_profile_form_offers_the_events_groups_and_the_page_shows_labels(
    client, accounts, factory
) -> None:  # type: ignore[no-untyped-def]
    with transaction(factory) as db:
        add_group(db, get_event(db, "T2026"), "成长组", en="Growth stage")
    sign_in(client, factory, "organiser")
    form = client.get("/projects/T-P001/edit").get_data(as_text=True)
    assert '<option value="成长组"' in form and '<option value="maker"' in form
    page_headers = {"Accept": "text/html"}
    saved = client.post(
        "/projects/T-P001/edit",
        data={"csrf": CSRF, "name": "晋能储能电池管理系统", "group": "成长组"},
        headers=page_headers,
    )
    assert saved.status_code == 303, saved.get_data(as_text=True)[-2000:]
    page = client.get("/projects/T-P001?lang=en").get_data(as_text=True)
    assert "Growth stage" in page
    refused = client.post(
        "/projects/T-P001/edit",
        data={"csrf": CSRF, "name": "晋能储能电池管理系统", "group": "高校组"},
        headers=page_headers,
    )
    assert refused.status_code == 422
    assert "“高校组”不是本活动的组别" in refused.get_data(as_text=True)
    listing = client.get("/projects?group=成长组").get_data(as_text=True)
    assert "T-P001" in listing and "T-P002" not in listing


# ---- the migration, on SQLite and PostgreSQL --------------------------------------------------


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def at_0017(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of each kind at revision 0017 (before groups were the event's)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'old.db'}"
        engine = make_engine(url)
        migrate(engine, "0017")
        engine.dispose()
        yield url
    else:
        with migrated_pg_database("mm_groups", "0017") as url:
            yield url


def _old_project(connection: Any, code: str, group: str) -> None:
    connection.execute(
        text(
            'INSERT INTO projects (event_id, code, name, track, "group", sectors, region, needs, '
            "description, contact_name, contact_phone, contact_email, search_text, created_at, "
            "updated_at) VALUES (1, :code, :code, 'green_economy', :group, '[]', '', '[]', '', "
            "'', '', '', '', '2025-01-01 00:00:00', '2025-01-01 00:00:00')"
        ),
        {"code": code, "group": group},
    )


def test_migration_0018_keeps_stored_groups_and_takes_the_events_own(at_0017: str) -> None:
    engine = make_engine(at_0017)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO events (code, name, name_en, year, city, organiser, "
                "registrations_version, created_at) "
                "VALUES ('OLD', '旧活动', '', 2025, '', '', 0, '2025-01-01 00:00:00')"
            )
        )
        _old_project(connection, "P1", "maker")
    with pytest.raises(IntegrityError), engine.begin() as connection:
        _old_project(connection, "P0", "成长组")  # before 0018 the CHECK refuses it
    migrate(engine)
    with transaction(session_factory(engine)) as db:
        old = get_event(db, "OLD")
        assert event_vocabulary(old).groups.keys() == ["enterprise", "maker"]  # 0012's preset
        assert db.scalar(select(Project.group).where(Project.code == "P1")) == "maker"
        add_group(db, old, "成长组")
        data = {"code": "P2", "name": "新项目", "track": "绿色经济", "group": "成长组"}
        create_project(db, old, data)
    with session_factory(engine)() as db:  # no CHECK left to refuse the event's own group
        assert db.scalar(select(Project.group).where(Project.code == "P2")) == "成长组"

    with pytest.raises(RuntimeError, match="groups other than enterprise and maker"):
        downgrade(engine, "0017")
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM projects WHERE code = 'P2'"))
    downgrade(engine, "0017")
    with pytest.raises(IntegrityError), engine.begin() as connection:
        _old_project(connection, "P3", "成长组")  # the CHECK is back
    with engine.connect() as connection:
        stored = connection.execute(text('SELECT "group" FROM projects')).scalars().all()
    assert stored == ["maker"]
    engine.dispose()


# ---- the command line ------------------------------------------------------------------------


def test_cli_creates_an_event_with_its_own_groups_adds_and_removes_them(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import json
    import subprocess
    import sys

    matchmaker = str(Path(sys.executable).parent / "matchmaker")
    db = f"sqlite:///{tmp_path / 'own.db'}"

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        command = [matchmaker, "--db", db, *args]
        return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)

    assert run("init").returncode == 0
    created = run(
        "--json", "event", "create", "--code", "CZ2027", "--name", "长治市创新创业大赛",
        "--year", "2027", "--preset", "none", "--tracks", "电子信息", "--groups", "初创组,成长组",
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    assert json.loads(created.stdout)["groups"] == ["初创组", "成长组"]
    edited = run("--json", "event", "edit", "--code", "CZ2027", "--groups", "高校组")
    assert json.loads(edited.stdout)["groups"] == ["初创组", "成长组", "高校组"]
    taken = run("event", "edit", "--code", "CZ2027", "--groups", "初創組")
    assert taken.returncode != 0 and "本活动已有组别“初创组”" in taken.stderr
    removed = run("groups", "--event", "CZ2027", "--remove", "高校组")
    assert removed.returncode == 0 and "已删除组别：高校组" in removed.stdout
    assert "CZ2027 的组别（预设：none）" in removed.stdout
    assert "成长组  (成长组)  0 个项目" in removed.stdout
    chuangyi = run(
        "--json", "event", "create", "--code", "CY2027", "--name", "中国创翼", "--year", "2027"
    )
    assert json.loads(chuangyi.stdout)["groups"] == ["enterprise", "maker"]
    with session_factory(make_engine(db))() as session:
        event = session.scalars(select(Event).where(Event.code == "CZ2027")).one()
        assert groups_of(event).keys() == ["初创组", "成长组"]
