"""Each event's own vocabulary: tracks from a preset or listed, checked on import and in forms;
needs with synonyms, and a need nobody listed kept with a warning (SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from tests_support import assert_error

from matchmaker.db.engine import transaction
from matchmaker.db.models import AuditEntry, Event, Project
from matchmaker.domain import Need
from matchmaker.errors import Conflict, ImportRejected, InvalidInput
from matchmaker.services.registry.events import create_event, get_event
from matchmaker.services.registry.registrations import export_registrations, import_registrations
from matchmaker.services.registry.vocabulary import (
    PRESETS,
    add_track,
    event_vocabulary,
    remove_track,
    set_vocabulary,
    vocabulary_of,
)
from matchmaker.vocabulary import NEEDS

pytestmark = pytest.mark.fake_encoder  # the API tests need some vectors, no ranking is measured

HEADER = "报名编号,项目名称,赛道,组别,阶段,融资需求(万元),需求,项目简介\n"
CITY_SHEET = (
    HEADER
    + "C-001,芯片测试探针卡,电子信息,企业组,A轮,2000,贷款、订单,半导体晶圆测试用探针卡。\n"
    + "C-002,中药配方颗粒质控,生物医药,企业组,天使轮,500,政策申报,中药配方颗粒的指纹图谱质控。\n"
    + "C-003,晋绣数字工坊,非遗文创,创客组,种子轮,50,出海咨询、场地,把晋绣纹样做成数字藏品与文创。\n"
).encode()


# with no preset an event has the groups it lists, and these sheets name two
OWN_GROUPS = ["企业组", "创客组"]


def _event(
    db: Session,
    code: str,
    preset: str | None,
    tracks: list[str] | None = None,
    groups: list[str] | None = None,
) -> Event:
    event = create_event(db, code, f"{code} 大赛", 2026, city="太原")
    set_vocabulary(db, event, preset, tracks, groups=groups)
    return event


def _import(factory: sessionmaker[Session], code: str, data: bytes) -> Any:
    with transaction(factory) as db:
        return import_registrations(db, get_event(db, code), "projects", data, "projects.csv")


def _projects(factory: sessionmaker[Session], code: str) -> dict[str, tuple[str, list[str]]]:
    with factory() as db:
        event = get_event(db, code)
        rows = db.scalars(select(Project).where(Project.event_id == event.id))
        return {p.code: (p.track, list(p.needs)) for p in rows}


# ---- the value objects (no database) -------------------------------------------------------


def test_presets_parse_labels_aliases_and_traditional_script() -> None:
    chuangyi = PRESETS["zhongguo-chuangyi"].tracks
    assert chuangyi.parse("先進製造") == "advanced_manufacturing"  # the keys stored before 0012
    assert chuangyi.parse("Ｓｉｌｖｅｒ economy") == "silver_economy"
    assert chuangyi.label("green_economy", "en") == "Green economy"
    assert chuangyi.choices() == "先进制造、现代服务、乡村振兴、银发经济、绿色经济、微视听创意"
    chuangke = PRESETS["chuangke-zhongguo"].tracks
    assert chuangke.parse("电子信息") == "next_generation_it"
    assert chuangke.parse("生物醫藥") == "biomedicine"
    assert [g.zh for g in PRESETS["chuangke-zhongguo"].groups] == ["企业组", "创客组"]
    assert len(PRESETS["none"].tracks) == 0
    with pytest.raises(ValueError):
        chuangyi.parse("电子信息")


@pytest.mark.parametrize(
    ("said", "need"),
    [
        ("贷款", Need.FUNDING),
        ("融资", Need.FUNDING),
        ("资金需求", Need.FUNDING),
        ("政策申报", Need.POLICY),
        ("订单", Need.MARKET),
        ("技术转化", Need.TECHNOLOGY),
    ],
)
def test_needs_synonyms(said: str, need: Need) -> None:
    assert Need.parse(said) is need


def test_an_unknown_need_does_not_break_matching() -> None:
    """A need kept as written counts neither for nor against; a bank meets a loan request."""
    from matchmaker.embeddings.composite import OFFERS, InstitutionProfile, ProjectProfile
    from matchmaker.embeddings.composite import _needs_vector as needs_vector
    from matchmaker.ranking.reasons import _needs_reasons as needs_reasons

    wants = ProjectProfile(id=1, needs=(Need.parse("贷款").value, "出海咨询"))
    bank = InstitutionProfile(id=2, type="bank")
    offers = [1.0 if n in OFFERS[bank.type] else 0.0 for n in Need] + [0.5]
    fit = float(needs_vector(wants.needs) @ offers)
    assert fit == pytest.approx(1.0)  # the one known need (funding) is what a bank offers
    reasons = needs_reasons(wants, bank, fit, 0.1)
    assert [r.block for r in reasons] == ["needs"]
    assert "资金" in reasons[0].text("zh")
    assert needs_reasons(ProjectProfile(id=3, needs=("出海咨询",)), bank, 0.0, 0.1) == []


# ---- imports against the event's list ------------------------------------------------------


@pytest.mark.parametrize(
    ("preset", "tracks", "keys"),
    [
        ("none", ["电子信息", "生物医药", "非遗文创"], ["电子信息", "生物医药", "非遗文创"]),
        ("chuangke-zhongguo", ["非遗文创"], ["next_generation_it", "biomedicine", "非遗文创"]),
    ],
)
def test_a_city_contest_imports_its_own_tracks(factory, preset, tracks, keys) -> None:  # type: ignore[no-untyped-def]
    with transaction(factory) as db:
        _event(db, "CITY", preset, tracks, OWN_GROUPS if preset == "none" else None)
    report = _import(factory, "CITY", CITY_SHEET)
    assert (report.total, report.created) == (3, 3)
    stored = _projects(factory, "CITY")
    assert [stored[c][0] for c in ("C-001", "C-002", "C-003")] == keys
    with factory() as db:
        exported = export_registrations(db, get_event(db, "CITY"), "projects", "csv").decode()
    labels = "新一代信息技术" if preset == "chuangke-zhongguo" else "电子信息"
    assert f",{labels}," in exported and ",非遗文创," in exported  # the event's own labels
    again = _import(factory, "CITY", exported.encode())  # an export imports back unchanged
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)


def test_the_same_sheet_is_refused_by_a_zhongguo_chuangyi_event(factory, event) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ImportRejected) as caught:
        _import(factory, event, CITY_SHEET)
    problems = caught.value.problems
    assert [(p.row, p.value) for p in problems] == [
        (2, "电子信息"),
        (3, "生物医药"),
        (4, "非遗文创"),
    ]
    zh, en = problems[0].message("zh"), problems[0].message("en")
    assert "“电子信息”不是本活动的赛道" in zh
    assert "先进制造、现代服务、乡村振兴、银发经济、绿色经济、微视听创意" in zh
    assert "Advanced manufacturing, Modern services" in en
    assert _projects(factory, event) == {}  # nothing written


def test_needs_map_to_synonyms_and_an_unknown_need_is_kept_with_a_warning(factory) -> None:  # type: ignore[no-untyped-def]
    with transaction(factory) as db:
        _event(db, "CITY", "none", ["电子信息", "生物医药", "非遗文创"], OWN_GROUPS)
    report = _import(factory, "CITY", CITY_SHEET)
    stored = _projects(factory, "CITY")
    assert stored["C-001"][1] == ["funding", "market"]  # 贷款, 订单
    assert stored["C-002"][1] == ["policy"]  # 政策申报
    assert stored["C-003"][1] == ["出海咨询", "venue"]  # kept as written, beside 场地
    warned = [w for w in report.warnings if w.code == "import.unknown_need"]
    assert [(w.row, w.column, w.value) for w in warned] == [(4, "需求", "出海咨询")]
    assert "已按原文保存" in warned[0].message("zh")
    assert NEEDS.choices() in warned[0].message("zh")
    assert report.to_dict("en")["warnings"][-1]["row"] == 4


# ---- the vocabulary changes: add, remove, audited -------------------------------------------


def test_tracks_added_later_removed_when_unused_refused_when_used(factory, event) -> None:  # type: ignore[no-untyped-def]
    sheet = HEADER + "T-P801,晋绣数字工坊,非遗文创,创客组,种子轮,50,场地,数字藏品。\n"
    with pytest.raises(ImportRejected):
        _import(factory, event, sheet.encode())
    with transaction(factory) as db:
        term = add_track(db, get_event(db, event), "非遗文创", en="Intangible heritage")
        assert term.key == "非遗文创"
        with pytest.raises(InvalidInput) as taken:  # a name the event already uses
            add_track(db, get_event(db, event), "先進製造")
        assert "先进制造" in taken.value.problems[0].message("zh")
    _import(factory, event, sheet.encode())
    assert _projects(factory, event)["T-P801"][0] == "非遗文创"
    with transaction(factory) as db:
        with pytest.raises(Conflict) as used:
            remove_track(db, get_event(db, event), "Intangible heritage")
        assert "1 个项目" in used.value.message("zh")
        assert "T-P801 晋绣数字工坊" in used.value.problems[0].message("zh")
        removed = remove_track(db, get_event(db, event), "微视听创意")  # no project uses it
        assert removed.key == "micro_av_creative"
    with factory() as db:
        found = get_event(db, event)
        assert "micro_av_creative" not in vocabulary_of(found)
        assert "非遗文创" in vocabulary_of(found)
        actions = db.scalars(
            select(AuditEntry.action).where(
                AuditEntry.entity_type == "events", AuditEntry.event_id == found.id
            )
        ).all()
    assert sorted(actions) == ["track_add", "track_remove"]  # the refused ones left no trace


def test_remove_names_at_most_ten_projects(factory) -> None:  # type: ignore[no-untyped-def]
    rows = "".join(f"P{i:02},项目{i:02},电子信息,企业组,A轮,100,资金,简介\n" for i in range(12))
    with transaction(factory) as db:
        _event(db, "CITY", "none", ["电子信息", "生物医药"], OWN_GROUPS)
    _import(factory, "CITY", (HEADER + rows).encode())
    with transaction(factory) as db, pytest.raises(Conflict) as used:
        remove_track(db, get_event(db, "CITY"), "电子信息")
    assert "12 个项目" in used.value.message("zh")
    text = used.value.problems[0].message("zh")
    assert "P09 项目09" in text and "P10" not in text and "(+2)" in text


def test_bad_vocabularies_are_refused_naming_what(factory) -> None:  # type: ignore[no-untyped-def]
    with transaction(factory) as db:
        event = create_event(db, "CITY", "城市赛", 2026)
        with pytest.raises(InvalidInput) as preset:
            set_vocabulary(db, event, "chuangke")
        assert "chuangke-zhongguo" in preset.value.message("zh")
        with pytest.raises(InvalidInput):
            set_vocabulary(db, event, None, [])  # no tracks at all
        with pytest.raises(InvalidInput):
            set_vocabulary(db, event, "none", ["电子信息", "電子信息"])  # the same track twice
        with pytest.raises(InvalidInput):
            add_track(db, event, "长" * 51)
        with pytest.raises(InvalidInput):
            add_track(db, event, "电子\u200b信息")  # a zero-width space


# ---- forms and filters: the API checks against the event ------------------------------------


def test_api_checks_tracks_against_the_event_and_filters_by_label(
    client, accounts, factory
) -> None:  # type: ignore[no-untyped-def]
    h = accounts.headers("organiser")
    body = {
        "id": "T-P900",
        "name": "芯片探针卡",
        "track": "电子信息",
        "needs": ["贷款", "出海咨询"],
    }
    error = assert_error(client.post("/api/v1/projects", headers=h, json=body), 422)
    assert "先进制造" in error["message"] + str(error["errors"])
    assert any(e.get("column") == "track" for e in error["errors"]), error
    with factory() as db:
        assert (
            db.scalar(select(func.count()).select_from(Project).where(Project.code == "T-P900"))
            == 0
        )
    with transaction(factory) as db:
        add_track(db, get_event(db, "T2026"), "电子信息")
    created = client.post("/api/v1/projects", headers=h, json=body)
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["track"] == "电子信息"
    assert created.get_json()["needs"] == ["funding", "出海咨询"]
    patched = client.patch("/api/v1/projects/T-P001", headers=h, json={"track": "銀髮經濟"})
    assert patched.get_json()["track"] == "silver_economy"
    assert_error(
        client.patch("/api/v1/projects/T-P001", headers=h, json={"track": "生物医药"}), 422
    )
    listed = client.get("/api/v1/projects?event=T2026&track=电子信息", headers=h).get_json()
    assert [p["id"] for p in listed["items"]] == ["T-P900"]
    wrong = assert_error(client.get("/api/v1/projects?event=T2026&track=生物医药", headers=h), 422)
    assert "电子信息" in str(wrong)


# ---- the migration and the command line ------------------------------------------------------


def test_migration_gives_existing_events_the_zhongguo_chuangyi_tracks(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import text

    from matchmaker.db.engine import make_engine, migrate, session_factory

    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    migrate(engine, "0011")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO events (code, name, name_en, year, city, organiser, "
                "registrations_version, created_at) "
                "VALUES ('OLD', '旧活动', '', 2025, '', '', 0, '2025-01-01 00:00:00')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO projects (event_id, code, name, track, sectors, region, needs, "
                "description, contact_name, contact_phone, contact_email, search_text, "
                "created_at, updated_at) VALUES (1, 'P1', '旧项目', 'green_economy', '[]', '', "
                "'[\"funding\"]', '', '', '', '', '', '2025-01-01 00:00:00', "
                "'2025-01-01 00:00:00')"
            )
        )
    migrate(engine)
    with transaction(session_factory(engine)) as db:
        old = get_event(db, "OLD")
        assert event_vocabulary(old).preset == "zhongguo-chuangyi"
        assert vocabulary_of(old).label("green_economy") == "绿色经济"
        add_track(db, old, "非遗文创")
        db.add(Project(event_id=old.id, code="P2", name="新项目", track="非遗文创"))
    with session_factory(engine)() as db:  # no CHECK left to refuse the event's own track
        assert db.scalar(select(Project.track).where(Project.code == "P2")) == "非遗文创"
    engine.dispose()


def test_cli_lists_adds_and_removes_tracks(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import json
    import subprocess
    import sys
    from pathlib import Path

    matchmaker = str(Path(sys.executable).parent / "matchmaker")
    db = f"sqlite:///{tmp_path / 'demo.db'}"

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        command = [matchmaker, "--db", db, *args]
        return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)

    assert run("demo", "--reset").returncode == 0
    listed = json.loads(run("--json", "tracks").stdout)
    assert (listed["event"], listed["preset"]) == ("XH2026", "zhongguo-chuangyi")
    assert [t["zh"] for t in listed["tracks"]][:2] == ["先进制造", "现代服务"]
    assert sum(t["projects"] for t in listed["tracks"]) == 240
    added = run("tracks", "--event", "XH2026", "--add", "非遗文创", "--en", "Intangible heritage")
    assert added.returncode == 0 and "已添加赛道：非遗文创" in added.stdout
    assert "XH2026 的赛道（预设：zhongguo-chuangyi）" in added.stdout
    assert "非遗文创  (非遗文创)  0 个项目" in added.stdout
    refused = run("tracks", "--remove", "先进制造")
    assert refused.returncode != 0
    assert "41 个项目正在使用" in refused.stderr and "XH2026-P001" in refused.stderr
    removed = run("--lang", "en", "tracks", "--remove", "非遗文创")
    assert removed.returncode == 0 and "Track removed: Intangible heritage" in removed.stdout
    after = json.loads(run("--json", "tracks").stdout)
    assert [t["key"] for t in after["tracks"]] == [t["key"] for t in listed["tracks"]]


def test_api_shows_the_events_tracks(client, accounts, factory) -> None:  # type: ignore[no-untyped-def]
    with transaction(factory) as db:
        add_track(db, get_event(db, "T2026"), "非遗文创", en="Intangible heritage")
    body = client.get("/api/v1/events/T2026", headers=accounts.headers("investor")).get_json()
    assert body["preset"] == "zhongguo-chuangyi"
    assert body["tracks"][0] == {
        "key": "advanced_manufacturing",
        "zh": "先进制造",
        "en": "Advanced manufacturing",
        "aliases": ["先进制造业", "制造"],
    }
    assert body["tracks"][-1]["key"] == "非遗文创"


def test_shortlist_filters_by_the_events_own_track(client, accounts, factory) -> None:  # type: ignore[no-untyped-def]
    h = accounts.headers("organiser")
    with transaction(factory) as db:
        add_track(db, get_event(db, "T2026"), "非遗文创", en="Intangible heritage")
    sheet = HEADER + "T-P801,晋绣数字工坊,非遗文创,创客组,种子轮,50,贷款,晋绣纹样数字藏品。\n"
    _import(factory, "T2026", sheet.encode())
    url = "/api/v1/institutions/T-I03/shortlist"
    found = client.get(f"{url}?track=Intangible heritage", headers=h)
    assert found.status_code == 200, found.get_json()
    assert [m["project_id"] for m in found.get_json()["items"]] == ["T-P801"]
    # the bank (T-I03) offers funding, which is what 贷款 asks for
    assert any("资金" in r for r in found.get_json()["items"][0]["reasons"]), found.get_json()
    refused = assert_error(client.get(f"{url}?track=生物医药", headers=h), 422)
    assert "非遗文创" in str(refused)


def test_an_unknown_need_on_many_rows_is_one_warning_naming_them(factory) -> None:  # type: ignore[no-untyped-def]
    rows = "".join(
        f"P{i:02},项目{i:02},电子信息,企业组,A轮,100,出海咨询、贷款,简介\n" for i in range(12)
    )
    with transaction(factory) as db:
        _event(db, "CITY", "none", ["电子信息"], OWN_GROUPS)
    report = _import(factory, "CITY", (HEADER + rows).encode())
    warned = [w for w in report.warnings if w.code == "import.unknown_need"]
    assert len(warned) == 1 and warned[0].row == 2
    assert "第 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 …(+2) 行" in warned[0].message("zh")
    assert all(needs == ["出海咨询", "funding"] for _, needs in _projects(factory, "CITY").values())
