"""Each event's own institution types (机构类型): the six of every preset, more an organiser adds
(each matched like one of the six, or like none), checked on import, in forms, the API and the
investors' sign-up form; old vocabularies read as before; migration 0019 on SQLite and
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
from matchmaker.db.models import AuditEntry, Institution, SignupRequest
from matchmaker.domain import Need
from matchmaker.embeddings.composite import ProjectProfile, offers_of
from matchmaker.errors import Conflict, ImportRejected, InvalidInput
from matchmaker.ranking.reasons import _needs_reasons as needs_reasons
from matchmaker.services.matching.profiles import institution_profile
from matchmaker.services.registry.catalog import create_institution
from matchmaker.services.registry.events import create_event, get_event, update_event
from matchmaker.services.registry.registrations import export_registrations, import_registrations
from matchmaker.services.registry.signups import approve_signup, set_signups_open
from matchmaker.services.registry.vocabulary import (
    INSTITUTION_TYPE,
    PRESETS,
    add_term,
    event_vocabulary,
    institution_types_of,
    remove_term,
)
from matchmaker.vocabulary import EventVocabulary

pytestmark = pytest.mark.fake_encoder  # the shortlist must answer; no ranking is measured

SIX = ["vc", "angel", "corporate", "government_fund", "bank", "incubator"]
HEADER = "机构编号,机构名称,机构类型,关注领域,投资阶段,单笔投资额(万元),关注地区,投资逻辑\n"
SHEET = (
    HEADER
    + "G-I01,晋中融资担保公司,担保公司,先进制造,A轮,500-3000,山西,为科技型中小企业贷款提供担保。\n"
    + "G-I02,太原市工商联,商会,现代服务,天使轮,,山西,组织会员企业对接订单。\n"
    + "G-I03,汾河创投,风险投资,新能源,A轮,300-3000,山西,投资早期新能源项目。\n"
).encode()


def _add_types(factory: sessionmaker[Session], event: str = "T2026") -> None:
    with transaction(factory) as db:
        found = get_event(db, event)
        add_term(db, found, INSTITUTION_TYPE, "担保公司", en="Guarantor", like="银行")
        add_term(db, found, INSTITUTION_TYPE, "商会")


def _import(factory: sessionmaker[Session], data: bytes, event: str = "T2026") -> Any:
    with transaction(factory) as db:
        found = get_event(db, event)
        return import_registrations(db, found, "institutions", data, "institutions.csv")


def _types(factory: sessionmaker[Session]) -> dict[str, str]:
    with factory() as db:
        return {code: kind for code, kind in db.execute(select(Institution.code, Institution.type))}


# ---- the value objects (no database) -------------------------------------------------------


def test_every_preset_has_the_six_and_an_old_vocabulary_reads_as_before() -> None:
    for preset in PRESETS.values():
        assert preset.institution_types.keys() == SIX
    types = PRESETS["none"].institution_types
    assert types.parse("科技支行") == "bank" and types.parse("天使") == "angel"
    stored_before = {  # events.vocabulary as 0012 wrote it: no institution types
        "preset": "zhongguo-chuangyi",
        "tracks": [{"key": "green_economy", "zh": "绿色经济", "en": "", "aliases": []}],
        "groups": [],
    }
    old = EventVocabulary.from_dict(stored_before)
    assert old.institution_types.keys() == SIX
    assert old.institution_types.label("government_fund", "en") == "Government guidance fund"
    assert EventVocabulary.from_dict(None).institution_types.keys() == SIX


def test_a_type_the_organiser_adds_is_matched_like_the_kind_it_names() -> None:
    types = PRESETS["zhongguo-chuangyi"].institution_types
    vocab = PRESETS["zhongguo-chuangyi"].replacing(
        "institution_types",
        types.adding(add_like("担保公司", "bank")).adding(add_like("商会", "")),
    )
    again = EventVocabulary.from_dict(vocab.to_dict())  # ``like`` is stored with the event
    assert again.institution_types.term("担保公司").like == "bank"  # type: ignore[union-attr]
    assert [again.offers_like(k) for k in ("担保公司", "商会", "incubator", "gone")] == [
        "bank", None, "incubator", None,
    ]  # fmt: skip
    wants = ProjectProfile(id=1, needs=(Need.FUNDING.value,))
    guarantor = institution_profile(_institution("担保公司"), again)
    chamber = institution_profile(_institution("商会"), again)
    assert offers_of(guarantor) == offers_of(institution_profile(_institution("bank"), again))
    assert offers_of(chamber) == frozenset()
    assert [r.block for r in needs_reasons(wants, guarantor, 1.0, 0.1)] == ["needs"]
    assert needs_reasons(wants, chamber, 1.0, 0.1) == []


def add_like(label: str, like: str) -> Any:
    from matchmaker.vocabulary import custom_term

    return custom_term(label, like=like)


def _institution(kind: str) -> Institution:
    return Institution(id=1, type=kind, thesis="", focus_sectors=[], stages=[], regions=[])


# ---- imports, the API, forms -----------------------------------------------------------------


def test_a_sheet_with_the_events_own_types_imports_and_exports_their_labels(factory, event) -> None:  # type: ignore[no-untyped-def]
    _add_types(factory, event)
    report = _import(factory, SHEET, event)
    assert report.created == 3
    assert _types(factory) == {"G-I01": "担保公司", "G-I02": "商会", "G-I03": "vc"}
    with factory() as db:
        found = get_event(db, event)
        exported = export_registrations(db, found, "institutions", "csv", "en").decode()
    assert ",Guarantor," in exported and ",商会," in exported and ",Venture capital," in exported
    again = _import(factory, exported.encode(), event)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)


def test_a_type_outside_the_events_list_is_refused_naming_the_allowed_ones(factory, event) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ImportRejected) as caught:
        _import(factory, SHEET, event)
    problems = caught.value.problems
    assert [(p.row, p.column, p.value) for p in problems] == [
        (2, "机构类型", "担保公司"),
        (3, "机构类型", "商会"),
    ]
    assert problems[0].message("zh") == (
        "“担保公司”不是本活动的机构类型；可选：风险投资、天使投资、产业资本、政府引导基金、银行、孵化器"
    )
    assert "choose one of: Venture capital, Angel investor" in problems[1].message("en")
    assert _types(factory) == {}  # nothing written


def test_types_added_with_what_they_are_like_removed_when_unused(factory, registered) -> None:  # type: ignore[no-untyped-def]
    with transaction(factory) as db:
        found = get_event(db, registered)
        with pytest.raises(InvalidInput) as bad_like:
            add_term(db, found, INSTITUTION_TYPE, "担保公司", like="保险")
        assert "“保险”不是其中之一" in bad_like.value.problems[0].message("zh")
        with pytest.raises(InvalidInput) as taken:
            add_term(db, found, INSTITUTION_TYPE, "科技支行")  # an alias of 银行
        assert "本活动已有机构类型“银行”" in taken.value.problems[0].message("zh")
        with pytest.raises(Conflict) as used:
            remove_term(db, found, INSTITUTION_TYPE, "银行")
        assert "1 家机构" in used.value.message("zh")
        assert "T-I03 晋商银行科技支行" in used.value.problems[0].message("zh")
        assert remove_term(db, found, INSTITUTION_TYPE, "孵化器").key == "incubator"
    with transaction(factory) as db:
        update_event(db, registered, {"institution_types": ["担保公司=bank", "商会"]})
    with factory() as db:
        found = get_event(db, registered)
        types = institution_types_of(found)
        assert types.keys() == [*SIX[:5], "担保公司", "商会"]
        assert [t.like for t in types][-2:] == ["bank", ""]
        actions = db.scalars(
            select(AuditEntry.action).where(AuditEntry.action.like("type_%"))
        ).all()
    assert sorted(actions) == ["type_add"] * 2 + ["type_remove"]


def test_api_checks_types_against_the_event_and_filters_by_label(client, accounts, factory) -> None:  # type: ignore[no-untyped-def]
    h = accounts.headers("organiser")
    body = {"id": "T-I09", "name": "晋中融资担保公司", "type": "担保公司"}
    error = assert_error(client.post("/api/v1/institutions", headers=h, json=body), 422)
    assert [e["column"] for e in error["errors"]] == ["type"]
    assert "风险投资、天使投资" in error["errors"][0]["message"]
    with factory() as db:
        assert db.scalar(select(func.count()).where(Institution.code == "T-I09")) == 0
    _add_types(factory)
    created = client.post("/api/v1/institutions", headers=h, json=body)
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["type"] == "担保公司"
    listed = client.get("/api/v1/institutions?event=T2026&type=Guarantor", headers=h).get_json()
    assert [i["id"] for i in listed["items"]] == ["T-I09"]
    wrong = assert_error(client.get("/api/v1/institutions?event=T2026&type=保险", headers=h), 422)
    assert "担保公司" in str(wrong)
    shown = client.get("/api/v1/events/T2026", headers=h).get_json()
    assert shown["institution_types"][-2] == {
        "key": "担保公司", "zh": "担保公司", "en": "Guarantor", "aliases": [], "like": "bank",
    }  # fmt: skip
    recommended = client.get("/api/v1/projects/T-P001/recommendations?type=担保公司", headers=h)
    assert [m["institution_id"] for m in recommended.get_json()["items"]] == ["T-I09"]


def test_a_guarantor_like_a_bank_meets_a_loan_and_a_chamber_offers_nothing(
    client, accounts, factory
) -> None:  # type: ignore[no-untyped-def]
    h = accounts.headers("organiser")
    _add_types(factory)
    url = "/api/v1/institutions/T-I03/shortlist?k=50"

    def needs_reason(project: str) -> list[str]:
        found = client.get(url, headers=h)
        assert found.status_code == 200, found.get_json()
        [item] = [m for m in found.get_json()["items"] if m["project_id"] == project]
        return [r for r in item["reasons"] if "资金" in r]

    assert needs_reason("T-P001")  # the bank (T-I03) offers the funding T-P001 asks for
    patched = client.patch("/api/v1/institutions/T-I03", headers=h, json={"type": "Guarantor"})
    assert patched.status_code == 200 and patched.get_json()["type"] == "担保公司"
    assert needs_reason("T-P001")  # matched like a bank
    client.patch("/api/v1/institutions/T-I03", headers=h, json={"type": "商会"})
    assert needs_reason("T-P001") == []  # like none of the six: no offer counted


def test_the_pages_show_the_events_types_and_the_edit_form_offers_them(
    client, accounts, factory
) -> None:  # type: ignore[no-untyped-def]
    _add_types(factory)
    sign_in(client, factory, "organiser")
    form = client.get("/institutions/T-I03/edit").get_data(as_text=True)
    assert '<option value="担保公司"' in form and '<option value="bank" selected' in form
    saved = client.post(
        "/institutions/T-I03/edit",
        data={"csrf": CSRF, "name": "晋商银行科技支行", "type": "担保公司"},
        headers={"Accept": "text/html"},
    )
    assert saved.status_code == 303, saved.get_data(as_text=True)[-2000:]
    page = client.get("/institutions/T-I03").get_data(as_text=True)
    assert "担保公司" in page
    listing = client.get("/institutions?type=担保公司").get_data(as_text=True)
    assert "T-I03" in listing and "T-I01" not in listing
    assert "担保公司" in client.get("/").get_data(as_text=True)  # the event at a glance
    refused = client.post(
        "/institutions/T-I03/edit",
        data={"csrf": CSRF, "name": "晋商银行科技支行", "type": "保险公司"},
        headers={"Accept": "text/html"},
    )
    assert refused.status_code == 422
    assert "“保险公司”不是本活动的机构类型" in refused.get_data(as_text=True)


def test_the_sign_up_form_takes_the_events_own_types(client, accounts, factory) -> None:  # type: ignore[no-untyped-def]
    _add_types(factory)
    with transaction(factory) as db:
        set_signups_open(db, get_event(db, "T2026"), True)
    url = "/events/T2026/signup"
    assert '<option value="担保公司"' in client.get(url).get_data(as_text=True)
    password = "amber lantern over the harbour"
    form = {
        "csrf": CSRF, "name": "晋中融资担保公司", "type": "担保公司", "thesis": "科技贷担保。",
        "contact_name": "赵磊", "contact_phone": "13700000042", "contact_email": "",
        "username": "zhaolei.guarantor", "password": password, "confirm": password,
    }  # fmt: skip
    with client.session_transaction() as session:
        session["csrf"] = CSRF
    refused = client.post(url, data={**form, "type": "保险公司"})
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert 'data-field="type"' in text and "“保险公司”不是本活动的机构类型" in text
    assert client.post(url, data=form).status_code == 303
    with transaction(factory) as db:
        [row] = db.scalars(select(SignupRequest)).all()
        assert row.payload["type"] == "担保公司"
        approve_signup(db, row.id)
    assert _types(factory)["T2026-S001"] == "担保公司"


# ---- the migration, on SQLite and PostgreSQL --------------------------------------------------


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def at_0018(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of each kind at revision 0018 (before types were the event's)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'old.db'}"
        engine = make_engine(url)
        migrate(engine, "0018")
        engine.dispose()
        yield url
    else:
        with migrated_pg_database("mm_types", "0018") as url:
            yield url


def _old_institution(connection: Any, code: str, kind: str) -> None:
    connection.execute(
        text(
            "INSERT INTO institutions (event_id, code, name, type, focus_sectors, stages, "
            "regions, thesis, contact_name, contact_phone, contact_email, search_text, "
            "created_at, updated_at) VALUES (1, :code, :code, :kind, '[]', '[]', '[]', '', '', "
            "'', '', '', '2025-01-01 00:00:00', '2025-01-01 00:00:00')"
        ),
        {"code": code, "kind": kind},
    )


def test_migration_0019_keeps_stored_types_and_takes_the_events_own(at_0018: str) -> None:
    engine = make_engine(at_0018)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO events (code, name, name_en, year, city, organiser, "
                "registrations_version, created_at) "
                "VALUES ('OLD', '旧活动', '', 2025, '', '', 0, '2025-01-01 00:00:00')"
            )
        )
        _old_institution(connection, "I1", "bank")
    with pytest.raises(IntegrityError), engine.begin() as connection:
        _old_institution(connection, "I0", "担保公司")  # before 0019 the CHECK refuses it
    migrate(engine)
    with transaction(session_factory(engine)) as db:
        old = get_event(db, "OLD")
        assert event_vocabulary(old).institution_types.keys() == SIX  # stored before: the six
        assert db.scalar(select(Institution.type).where(Institution.code == "I1")) == "bank"
        add_term(db, old, INSTITUTION_TYPE, "担保公司", like="bank")
        create_institution(db, old, {"code": "I2", "name": "担保", "type": "担保公司"})
    with session_factory(engine)() as db:  # no CHECK left to refuse the event's own type
        assert db.scalar(select(Institution.type).where(Institution.code == "I2")) == "担保公司"
    with pytest.raises(RuntimeError, match="types outside the six"):
        downgrade(engine, "0018")
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM institutions WHERE code = 'I2'"))
    downgrade(engine, "0018")
    with pytest.raises(IntegrityError), engine.begin() as connection:
        _old_institution(connection, "I3", "担保公司")  # the CHECK is back
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT type FROM institutions")).scalars().all()
    assert stored == ["bank"]
    engine.dispose()


def test_an_event_created_with_its_own_types(factory) -> None:  # type: ignore[no-untyped-def]
    with transaction(factory) as db:
        create_event(
            db, "CITY", "城市赛", 2026, preset="none", tracks=["电子信息"],
            institution_types=["担保公司＝银行", "商会"],
        )  # fmt: skip
        with pytest.raises(InvalidInput) as bad:
            create_event(db, "CITY2", "城市赛二", 2026, institution_types=["担保公司=保险"])
        assert bad.value.problems[0].column == "like"
    with factory() as db:
        types = institution_types_of(get_event(db, "CITY"))
    assert types.keys() == [*SIX, "担保公司", "商会"] and types.term("担保公司").like == "bank"  # type: ignore[union-attr]


def test_cli_creates_an_event_with_its_own_types_lists_adds_and_removes_them(tmp_path) -> None:  # type: ignore[no-untyped-def]
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
        "--year", "2027", "--institution-types", "担保公司=银行,商会",
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    assert json.loads(created.stdout)["institution_types"] == [*SIX, "担保公司", "商会"]
    edited = run("event", "edit", "--code", "CZ2027", "--institution-types", "小额贷款公司=bank")
    assert edited.returncode == 0, edited.stderr
    bad = run("event", "edit", "--code", "CZ2027", "--institution-types", "典当行=当铺")
    assert bad.returncode != 0 and "“当铺”不是其中之一" in bad.stderr
    listed = json.loads(run("--json", "institution-types", "--event", "CZ2027").stdout)
    assert [(t["key"], t.get("like")) for t in listed["institution_types"][-3:]] == [
        ("担保公司", "bank"), ("商会", None), ("小额贷款公司", "bank"),
    ]  # fmt: skip
    assert listed["institution_types"][0]["institutions"] == 0
    removed = run("institution-types", "--event", "CZ2027", "--remove", "商会")
    assert removed.returncode == 0 and "已删除机构类型：商会" in removed.stdout
    assert "担保公司  (担保公司)  0 家机构  ≈ bank" in removed.stdout
