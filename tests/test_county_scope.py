"""Cities and counties: a county organiser sees and changes only its county's event (another
county's answers 404, as if it did not exist), and the city's roll-up is the sum of its
counties' reports to the yuan. On SQLite and PostgreSQL."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from alembic import command
from click.testing import CliRunner
from sqlalchemy import Engine, inspect, select, text
from tests_support import downgrade, sign_in

from matchmaker.db.engine import alembic_config, transaction
from matchmaker.db.models import Event, Intent, User
from matchmaker.domain import Role, format_yuan

pytestmark = pytest.mark.fake_encoder  # no ranking is measured

DATA = Path(__file__).parent / "data"
# project × institution × status × signed amount × invested amount, per county
DEALS = {
    "T2026": [("T-P001", "T-I01", 12_340_000, None), ("T-P002", "T-I02", 5_000_001, 3_000_000)],
    "HZ2026": [("T-P003", "T-I01", 7_777_777, None), ("T-P001", "T-I03", 1, 1)],
}


@pytest.fixture
def counties(app: Any, client: Any, accounts: Any, factory: Any) -> dict[str, Any]:
    """City LF2026 (临汾市) with two counties: T2026 (洪洞县, the test event) and HZ2026
    (霍州市, the same registrations imported again); signed and invested intents in both;
    a county organiser scoped to HZ2026 and a city organiser scoped to LF2026."""
    from matchmaker.services.registry.accounts import create_user, issue_token
    from matchmaker.services.registry.events import (
        SessionSpec,
        add_session,
        create_event,
        get_event,
    )
    from matchmaker.services.registry.registrations import import_registrations
    from matchmaker.services.registry.scopes import parse_division, place_event, set_scope

    tokens = {}
    with transaction(factory) as db:
        city = create_event(db, "LF2026", "临汾市创业大赛", 2026)
        place_event(db, city, None, parse_division("临汾市"))
        place_event(db, get_event(db, "T2026"), city, parse_division("洪洞县"))
        other = create_event(db, "HZ2026", "霍州市分赛场", 2026)
        place_event(db, other, city, parse_division("141082"))
        for session in json.loads((DATA / "event.json").read_text(encoding="utf-8"))["sessions"]:
            add_session(db, other, SessionSpec.from_dict(session))
        for kind in ("institutions", "projects"):
            path = DATA / f"{kind}.csv"
            import_registrations(db, other, kind, path.read_bytes(), path.name)
        for name, scope in (("hz_org", other), ("city_org", city)):
            made = create_user(db, name, Role.ORGANISER, "")
            set_scope(db, made, scope)
            tokens[name], _ = issue_token(db, made, "test")
    ids: dict[str, list[int]] = {}
    for event, deals in DEALS.items():
        for project, institution, signed, invested in deals:
            body = {"event": event, "project_id": project, "institution_id": institution,
                    "status": "signed", "amount": signed, "signed_at": "2026-11-20"}  # fmt: skip
            made = client.post("/api/v1/intents", json=body, headers=accounts.headers("organiser"))
            assert made.status_code == 201, made.get_json()
            if invested is not None:
                change = {"status": "invested", "invested_amount": invested,
                          "invested_at": "2026-11-28"}  # fmt: skip
                moved = client.patch(
                    f"/api/v1/intents/{made.get_json()['id']}",
                    json=change,
                    headers=accounts.headers("organiser"),
                )
                assert moved.status_code == 200, moved.get_json()
            ids.setdefault(event, []).append(made.get_json()["id"])
    return {"tokens": tokens, "intents": ids}


def bearer(counties: dict[str, Any], who: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {counties['tokens'][who]}"}


def test_a_county_organiser_sees_and_changes_only_its_county(
    client: Any, counties: dict[str, Any], factory: Any
) -> None:
    hz = bearer(counties, "hz_org")
    other_intent = counties["intents"]["T2026"][0]
    # its own county: everything as for any organiser
    assert client.get("/api/v1/projects/T-P001?event=HZ2026", headers=hz).status_code == 200
    own = client.get("/api/v1/reports/funnel?event=HZ2026", headers=hz)
    assert own.status_code == 200 and own.get_json()["total"]["signed"]["amount"] == 7_777_778
    listed = client.get("/api/v1/events", headers=hz).get_json()["items"]
    assert [e["code"] for e in listed] == ["HZ2026"]
    # the sibling county (and the city above): 404, as if they did not exist
    for url in (
        "/api/v1/events/T2026",
        "/api/v1/events/T2026/sessions",
        "/api/v1/projects?event=T2026",
        "/api/v1/projects/T-P001?event=T2026",
        "/api/v1/institutions?event=T2026",
        f"/api/v1/intents/{other_intent}",
        f"/api/v1/intents/{other_intent}/history",
        "/api/v1/intents?event=T2026",
        "/api/v1/reports/funnel?event=T2026",
        "/api/v1/reports/funnel.xlsx?event=T2026",
        "/api/v1/reports/rollup?event=LF2026",
        "/api/v1/reports/rollup.xlsx?event=LF2026",
        "/api/v1/events/T2026/sessions/S1/agenda.xlsx",
    ):
        answer = client.get(url, headers=hz)
        assert answer.status_code == 404, (url, answer.status_code, answer.get_data()[:200])
        assert "12340000" not in answer.get_data(as_text=True)
    # nor change it: the intent keeps its amount, the project its phone
    changed = client.patch(f"/api/v1/intents/{other_intent}", json={"amount": 1}, headers=hz)
    assert changed.status_code == 404
    edited = client.patch(
        "/api/v1/projects/T-P001?event=T2026", json={"contact_phone": "13000000000"}, headers=hz
    )
    assert edited.status_code == 404
    deleted = client.delete(f"/api/v1/intents/{other_intent}", headers=hz)
    assert deleted.status_code == 404
    with transaction(factory) as db:
        assert db.get_one(Intent, other_intent).amount == 12_340_000
    # and it cannot make itself an event beside the city's
    made = client.post(
        "/api/v1/events", json={"code": "NEW1", "name": "新", "year": 2026}, headers=hz
    )
    assert made.status_code == 403


def test_pages_and_exports_answer_404_for_another_county(
    client: Any, counties: dict[str, Any], factory: Any
) -> None:
    sign_in(client, factory, "hz_org")
    for url in (
        "/projects?event=T2026",
        "/intents?event=T2026",
        f"/intents/{counties['intents']['T2026'][0]}",
        "/reports?event=T2026",
        "/reports/funnel.xlsx?event=T2026",
        "/reports/rollup?event=LF2026",
        "/reports/rollup.xlsx?event=LF2026",
        "/event?event=T2026&next=/intents",
    ):
        answer = client.get(url, headers={"Accept": "text/html"})
        assert answer.status_code == 404, (url, answer.status_code)
    page = client.get("/intents?event=HZ2026").get_data(as_text=True)
    assert "HZ2026" in page and "LF2026" not in page and "T2026" not in page  # the switcher too


def _rollup_total(client: Any, headers: dict[str, str]) -> dict[str, int]:
    answer = client.get("/api/v1/reports/rollup?event=LF2026", headers=headers)
    assert answer.status_code == 200, answer.get_json()
    return dict(answer.get_json()["total"])


def test_the_city_rollup_is_the_sum_of_its_counties_to_the_yuan(
    client: Any, counties: dict[str, Any], accounts: Any
) -> None:
    city = bearer(counties, "city_org")
    data = client.get("/api/v1/reports/rollup?event=LF2026", headers=city).get_json()
    assert [row["event"] for row in data["rows"]] == ["LF2026", "HZ2026", "T2026"]
    assert {row["division_name"] for row in data["rows"]} == {"临汾市", "霍州市", "洪洞县"}
    summed = {"signed_amount": 0, "invested_amount": 0, "signed": 0, "invested": 0,
              "meetings_held": 0, "follow_ups": 0}  # fmt: skip
    projects = 0
    for county in ("LF2026", "HZ2026", "T2026"):  # each as its own report shows it
        one = client.get(f"/api/v1/reports/funnel?event={county}", headers=city).get_json()
        total = one["total"]
        summed["signed_amount"] += total["signed"]["amount"]
        summed["invested_amount"] += total["invested"]["amount"]
        summed["signed"] += total["signed"]["count"]
        summed["invested"] += total["invested"]["count"]
        summed["meetings_held"] += total["meetings_held"]
        summed["follow_ups"] += total["follow_ups"]["count"]
        listed = client.get(f"/api/v1/projects?event={county}", headers=city).get_json()
        projects += listed["meta"]["total"]
    got = data["total"]
    assert {k: got[k] for k in summed} == summed
    assert got["projects"] == projects
    # the deals as entered: every yuan is there, once
    assert got["signed_amount"] == sum(d[2] for deals in DEALS.values() for d in deals)
    assert got["invested_amount"] == 3_000_001
    # an unscoped organiser sees the same roll-up; the workbook's total row says the same
    assert _rollup_total(client, accounts.headers("organiser")) == got
    book = client.get("/api/v1/reports/rollup.xlsx?event=LF2026", headers=city)
    sheet = openpyxl.load_workbook(io.BytesIO(book.get_data())).active
    header = [cell.value for cell in sheet[2]]
    last = dict(zip(header, [cell.value for cell in sheet[sheet.max_row]], strict=True))
    assert last["签约金额（元）"] == got["signed_amount"]
    assert last["落地金额（元）"] == got["invested_amount"]
    # a county organiser cannot open the city's roll-up (nor the sibling's report: above)
    county = bearer(counties, "hz_org")
    assert client.get("/api/v1/reports/rollup?event=LF2026", headers=county).status_code == 404


def test_city_page_shows_the_rollup(client: Any, counties: dict[str, Any], factory: Any) -> None:
    sign_in(client, factory, "city_org")
    page = client.get("/reports/rollup?event=LF2026")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "霍州市分赛场" in body and "洪洞县" in body
    assert format_yuan(25_117_779, "zh") in body  # the total signed, as the page writes money


# ---- set-up: the CLI; bad input writes nothing ------------------------------------------------


def _cli(db_url: str, *args: str) -> Any:
    from matchmaker.cli import main

    return CliRunner().invoke(main, ["--db", db_url, "--json", *args])


def test_county_events_and_scoped_accounts_are_set_up_from_the_cli(tmp_path: Path) -> None:
    """In-process on SQLite (click's runner opens its own engine per command, which only a
    process's end closes; the rules themselves run on both databases in the next test)."""
    from matchmaker.db.engine import make_engine, migrate, session_factory

    db_url = f"sqlite:///{tmp_path / 'cli.db'}"
    engine = make_engine(db_url)
    migrate(engine)
    factory = session_factory(engine)
    made = _cli(db_url, "event", "create", "--code", "LF", "--name", "临汾", "--year", "2026",
                "--division", "临汾市")  # fmt: skip
    assert made.exit_code == 0, made.output
    county = _cli(db_url, "event", "create", "--code", "HD", "--name", "洪洞", "--year", "2026",
                  "--parent", "LF", "--division", "洪洞县")  # fmt: skip
    assert county.exit_code == 0, county.output
    refused = {
        "a parent that is itself a county event": ("--parent", "HD", "--division", "洪洞县"),
        "an unknown division": ("--parent", "LF", "--division", "不存在县"),
        "a county outside the city": ("--parent", "LF", "--division", "阳曲县"),
        "an unknown parent": ("--parent", "NOPE", "--division", "洪洞县"),
    }
    for why, extra in refused.items():
        bad = _cli(db_url, "event", "create", "--code", "BAD", "--name", "坏", "--year", "2026",
                   *extra)  # fmt: skip
        assert bad.exit_code != 0, why
        assert "BAD" not in _cli(db_url, "event", "list").output, why  # nothing written
    with transaction(factory) as db:
        from matchmaker.services.registry.accounts import create_user

        create_user(db, "hd_org", Role.ORGANISER, "")
    assert _cli(db_url, "user", "scope", "hd_org", "--event", "HD").exit_code == 0
    assert _cli(db_url, "user", "scope", "hd_org", "--event", "NOPE").exit_code != 0
    with transaction(factory) as db:
        user = db.scalars(select(User).where(User.username == "hd_org")).one()
        hd = db.scalars(select(Event).where(Event.code == "HD")).one()
        assert user.scope_event_id == hd.id and hd.parent is not None and hd.division == 141024
    assert _cli(db_url, "user", "scope", "hd_org", "--everything").exit_code == 0
    with transaction(factory) as db:
        lifted = db.scalars(select(User).where(User.username == "hd_org")).one()
        assert lifted.scope_event_id is None
    engine.dispose()


def test_bad_placements_are_refused_and_change_nothing(factory: Any, event: str) -> None:
    from matchmaker.errors import InvalidInput
    from matchmaker.services.registry.accounts import create_user
    from matchmaker.services.registry.events import create_event, get_event
    from matchmaker.services.registry.scopes import parse_division, place_event, set_scope

    with transaction(factory) as db:
        city = create_event(db, "LF", "临汾", 2026)
        place_event(db, city, None, parse_division("141000"))
        place_event(db, get_event(db, event), city, parse_division("洪洞县"))
    for _why, attempt in {
        "under a county event": lambda db: place_event(
            db, create_event(db, "X1", "坏", 2026), get_event(db, event)
        ),
        "a county outside the city": lambda db: place_event(
            db, create_event(db, "X2", "坏", 2026), get_event(db, "LF"), parse_division("阳曲县")
        ),
        "a city with counties under another": lambda db: place_event(
            db, get_event(db, "LF"), create_event(db, "X3", "坏", 2026)
        ),
        "an unknown division": lambda db: parse_division("不存在县"),
        "a party's account": lambda db: set_scope(
            db, create_user(db, "x_inv", Role.INVESTOR, "", institution=None), city
        ),
    }.items():
        with pytest.raises(InvalidInput), transaction(factory) as db:
            attempt(db)
    with transaction(factory) as db:
        codes = set(db.scalars(select(Event.code)))
        assert codes == {"LF", event}, codes  # nothing of a refused attempt was written
        assert db.scalar(select(User.id).where(User.username == "x_inv")) is None
        assert get_event(db, "LF").parent_id is None


def test_migration_0031_up_and_down_keeps_the_rows(engine: Engine, event: str) -> None:
    """Down to 0030 drops the columns and keeps events and users; up again brings them back."""
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO users (username, display_name, role, password_hash,"
                                " language, active, created_at) VALUES ('o1', '', 'organiser',"
                                " '', 'zh', true, CURRENT_TIMESTAMP)"))  # fmt: skip
    config = alembic_config(engine)
    downgrade(engine, "0030")  # as migrate goes up: on SQLite with foreign keys off
    assert "scope_event_id" not in {c["name"] for c in inspect(engine).get_columns("users")}
    assert "parent_id" not in {c["name"] for c in inspect(engine).get_columns("events")}
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
        assert connection.execute(text("SELECT code FROM events")).scalars().all() == [event]
        assert connection.execute(text("SELECT username FROM users")).scalars().all() == ["o1"]
        scoped = connection.execute(text("SELECT scope_event_id FROM users")).scalar()
        assert scoped is None  # an account that was global stays global


def test_every_table_that_reaches_an_event_is_limited_by_the_scope() -> None:
    """A new table holding an event's data (an event, project, institution, session, meeting,
    slot or notice column) must join the scope's criteria, or a county organiser would read
    other counties' rows of it."""
    from matchmaker.db.models import Base
    from matchmaker.services.registry.scopes import _criteria

    limited = set()
    for option in _criteria((1,), 1):
        entity = option.root_entity if option.root_entity is not None else option.entity
        limited.add(getattr(entity, "class_", entity))
    keys = {"event_id", "project_id", "institution_id", "session_id", "meeting_id", "slot_id"}
    missing = sorted(
        mapper.class_.__name__
        for mapper in Base.registry.mappers
        if keys & {column.key for column in mapper.columns} and mapper.class_ not in limited
    )
    assert missing == []


# ---- yearly targets per city and county, beside the actuals ------------------------------------


def test_yearly_targets_sit_beside_the_actuals_and_add_up_in_the_rollup(
    client: Any, counties: dict[str, Any], factory: Any
) -> None:
    from matchmaker.db.models import AuditEntry

    city, hz = bearer(counties, "city_org"), bearer(counties, "hz_org")
    plans = {
        "LF2026": {"landings": 5},
        "HZ2026": {"signed_amount": 10_000_000, "signed_projects": 3},
        "T2026": {"signed_amount": 20_000_001, "invested_amount": 6_000_000},
    }
    for code, plan in plans.items():
        put = client.put("/api/v1/reports/targets", json={"event": code, "targets": plan},
                         headers=city)  # fmt: skip
        assert put.status_code == 200, put.get_json()
        assert put.get_json()["targets"] == plan
    # a county organiser reads its own: 7,777,778 signed of a 10,000,000 target is 77 %
    own = client.get("/api/v1/reports/targets?event=HZ2026", headers=hz).get_json()
    rows = {row["metric"]: row for row in own["progress"]}
    assert rows["signed_amount"]["actual"] == 7_777_778 and rows["signed_amount"]["percent"] == 77
    assert rows["signed_projects"]["actual"] == 2 and rows["signed_projects"]["target"] == 3
    # and may change its own, but not the sibling's (404) nor the city's
    assert client.put("/api/v1/reports/targets", json={"event": "T2026", "targets":
                      {"signed_amount": 1}}, headers=hz).status_code == 404  # fmt: skip
    assert client.get("/api/v1/reports/targets?event=T2026", headers=hz).status_code == 404
    # the roll-up: each event's targets, and a total that is the sum of its rows to the yuan
    data = client.get("/api/v1/reports/rollup?event=LF2026", headers=city).get_json()
    assert data["target_metrics"] == [
        "signed_projects", "signed_amount", "invested_amount", "landings"
    ]  # fmt: skip
    signed = data["target_total"]["signed_amount"]
    assert signed["target"] == 30_000_001
    assert signed["actual"] == data["total"]["signed_amount"] == 25_117_779
    invested = data["target_total"]["invested_amount"]
    assert invested == {"target": 6_000_000, "actual": 3_000_001}
    assert sum(row["actuals"]["landings"] for row in data["rows"]) == data["total"]["landings"]
    # the workbook's targets sheet says the same
    book = client.get("/api/v1/reports/rollup.xlsx?event=LF2026", headers=city)
    sheet = openpyxl.load_workbook(io.BytesIO(book.get_data()))["年度目标"]
    header = [cell.value for cell in sheet[2]]
    last = dict(zip(header, [cell.value for cell in sheet[sheet.max_row]], strict=True))
    assert last["签约意向金额 · 目标"] == 30_000_001 and last["签约意向金额 · 完成"] == 25_117_779
    # the county's own report and its workbook carry them too
    report = client.get("/api/v1/reports/funnel?event=HZ2026", headers=hz).get_json()
    assert [row["metric"] for row in report["targets"]] == ["signed_projects", "signed_amount"]
    own_book = client.get("/api/v1/reports/funnel.xlsx?event=HZ2026", headers=hz)
    assert "年度目标" in openpyxl.load_workbook(io.BytesIO(own_book.get_data())).sheetnames
    # every change is on the audit trail, with before and after
    with transaction(factory) as db:
        trail = list(db.scalars(select(AuditEntry).where(AuditEntry.action == "targets")))
        assert [e.after["targets"] for e in trail] == list(plans.values())
        assert [e.before["targets"] for e in trail] == [{}, {}, {}]


def test_bad_targets_are_refused_by_name_and_change_nothing(
    client: Any, counties: dict[str, Any], accounts: Any
) -> None:
    city = bearer(counties, "city_org")
    first = {"event": "HZ2026", "targets": {"signed_amount": 10_000_000}}
    assert client.put("/api/v1/reports/targets", json=first, headers=city).status_code == 200
    for body in (
        {"event": "HZ2026", "targets": {"signed_amont": 5, "landings": 3}},
        {"event": "HZ2026", "targets": {"signed_amount": -1}},
        {"event": "HZ2026", "targets": {"signed_amount": 1.5}},
        {"event": "HZ2026", "targets": {"signed_amount": "5000万"}},
        {"event": "HZ2026", "targets": {"landings": True}},
    ):
        answer = client.put("/api/v1/reports/targets", json=body, headers=city)
        assert answer.status_code == 422, (body, answer.status_code)
        assert "Traceback" not in answer.get_data(as_text=True)
    named = client.put("/api/v1/reports/targets", json={"event": "HZ2026", "targets":
                       {"signed_amont": 5}}, headers=city).get_data(as_text=True)  # fmt: skip
    assert "signed_amont" in named
    kept = client.get("/api/v1/reports/targets?event=HZ2026", headers=city).get_json()
    assert kept["targets"] == {"signed_amount": 10_000_000}
    # staff read targets but do not set them
    staff = accounts.headers("staff")
    assert client.get("/api/v1/reports/targets?event=HZ2026", headers=staff).status_code == 200
    put = client.put("/api/v1/reports/targets", json=first, headers=staff)
    assert put.status_code == 403
    # null clears one target and leaves the others
    cleared = client.put("/api/v1/reports/targets", json={"event": "HZ2026", "targets":
                         {"signed_amount": None, "landings": 4}}, headers=city)  # fmt: skip
    assert cleared.get_json()["targets"] == {"landings": 4}


def test_the_report_page_sets_and_shows_targets(
    client: Any, counties: dict[str, Any], factory: Any
) -> None:
    from tests_support import CSRF

    sign_in(client, factory, "hz_org")
    page = client.get("/reports?event=HZ2026").get_data(as_text=True)
    assert "尚未设定年度目标" in page
    form = {"csrf": CSRF, "signed_amount": "1000万", "signed_projects": "3"}
    saved = client.post("/reports/targets?event=HZ2026", data=form, follow_redirects=True)
    body = saved.get_data(as_text=True)
    assert saved.status_code == 200 and "年度目标已保存" in body
    assert 'data-metric="signed_amount"' in body and format_yuan(7_777_778, "zh") in body
    assert "77%" in body
    bad = {"csrf": CSRF, "signed_amount": "很多", "landings": "-2"}
    refused = client.post("/reports/targets?event=HZ2026", data=bad, follow_redirects=True)
    text_ = refused.get_data(as_text=True)
    assert "很多" in text_ and "-2" in text_ and "未做任何修改" in text_
    with transaction(factory) as db:
        assert db.scalars(select(Event).where(Event.code == "HZ2026")).one().targets == {
            "signed_projects": 3,
            "signed_amount": 10_000_000,
        }


def test_targets_from_the_cli_refuse_bad_values_by_name(tmp_path: Path) -> None:
    from matchmaker.db.engine import make_engine, migrate

    db_url = f"sqlite:///{tmp_path / 'cli.db'}"
    engine = make_engine(db_url)
    migrate(engine)
    assert _cli(db_url, "event", "create", "--code", "LF", "--name", "临汾", "--year",
                "2026").exit_code == 0  # fmt: skip
    bad = _cli(db_url, "targets", "set", "--event", "LF", "signed_amount=5亿", "landings=很多")
    assert bad.exit_code != 0 and "landings" in bad.output and "很多" in bad.output
    assert json.loads(_cli(db_url, "targets", "show", "--event", "LF").output)["targets"] == {}
    good = _cli(db_url, "targets", "set", "--event", "LF", "signed_amount=5亿", "landings=30")
    assert good.exit_code == 0, good.output
    shown = json.loads(_cli(db_url, "targets", "show", "--event", "LF").output)
    assert shown["targets"] == {"signed_amount": 500_000_000, "landings": 30}
    assert [row["percent"] for row in shown["progress"]] == [0, 0]
    engine.dispose()


# ---- placing events from the API and the set-up page (not only the CLI) -----------------------


def test_county_events_are_placed_from_the_api_with_each_refusal_named(
    client: Any, accounts: Any, counties: dict[str, Any], factory: Any
) -> None:
    from matchmaker.db.models import AuditEntry

    org = accounts.headers("organiser")
    body = {"code": "QW2026", "name": "曲沃县分赛场", "year": 2026, "parent": "LF2026"}
    for bad, field in (
        ({"division": "不存在县"}, "division"),
        ({"division": "阳曲县"}, "division"),  # 太原's, not 临汾's
        ({"division": "曲沃县", "parent": "NOPE"}, "parent"),
        ({"division": "曲沃县", "parent": "T2026"}, "parent"),  # itself a county's event
    ):
        refused = client.post("/api/v1/events", json={**body, **bad}, headers=org)
        assert refused.status_code == 422, (bad, refused.get_json())
        named = refused.get_json()["errors"]
        assert [p["column"] for p in named] == [field], (bad, named)
        assert client.get("/api/v1/events/QW2026", headers=org).status_code == 404  # not made
    made = client.post("/api/v1/events", json={**body, "division": "曲沃县"}, headers=org)
    assert made.status_code == 201, made.get_json()
    assert (made.get_json()["parent"], made.get_json()["division"]) == ("LF2026", 141021)
    # the city's organiser now sees it in the roll-up
    city = bearer(counties, "city_org")
    rows = client.get("/api/v1/reports/rollup?event=LF2026", headers=city).get_json()["rows"]
    assert "QW2026" in [row["event"] for row in rows]
    # an existing event is placed with PATCH, audited; a county's organiser may not move its own
    client.post("/api/v1/events", json={"code": "X2026", "name": "襄汾", "year": 2026}, headers=org)
    placed = client.patch("/api/v1/events/X2026", json={"parent": "LF2026", "division": "141023"},
                          headers=org)  # fmt: skip
    assert placed.status_code == 200 and placed.get_json()["division"] == 141023
    hz = bearer(counties, "hz_org")
    moved = client.patch("/api/v1/events/HZ2026", json={"division": "141081"}, headers=hz)
    assert moved.status_code == 403
    with transaction(factory) as db:
        hz_event = db.scalars(select(Event).where(Event.code == "HZ2026")).one()
        assert hz_event.division == 141082  # unchanged
        trail = db.scalars(select(AuditEntry).where(AuditEntry.action == "place")).all()
        assert [(e.before["division"], e.after["division"]) for e in trail] == [(None, 141023)]


def test_the_set_up_page_places_a_county_event_and_names_a_bad_division(
    client: Any, counties: dict[str, Any], factory: Any
) -> None:
    from tests_support import CSRF

    sign_in(client, factory, "organiser")
    html = {"Accept": "text/html"}
    form = {"csrf": CSRF, "code": "QW2026", "name": "曲沃县分赛场", "year": "2026",
            "parent": "LF2026", "division": "曲沃镇"}  # fmt: skip
    refused = client.post("/setup/events", data=form, headers=html)
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert 'data-field="division"' in page and "曲沃镇" in page
    with transaction(factory) as db:
        assert db.scalar(select(Event.id).where(Event.code == "QW2026")) is None
    made = client.post("/setup/events", data={**form, "division": "曲沃县"}, headers=html)
    assert made.status_code == 302, made.get_data(as_text=True)[:300]
    page = client.get("/setup?event=QW2026").get_data(as_text=True)
    assert "曲沃县" in page and 'value="LF2026"' in page
    # a county organiser's form has no placement fields, and saving it keeps the placement
    sign_in(client, factory, "hz_org")
    own = client.get("/setup?event=HZ2026").get_data(as_text=True)
    assert 'name="division"' not in own
    renamed = {"csrf": CSRF, "name": "霍州市分赛场（改）", "year": "2026"}
    saved = client.post("/setup/events/HZ2026", headers=html, data=renamed)
    assert saved.status_code == 302
    with transaction(factory) as db:
        hz = db.scalars(select(Event).where(Event.code == "HZ2026")).one()
        assert (hz.name, hz.division) == ("霍州市分赛场（改）", 141082)


# ---- organiser and staff accounts from the accounts page --------------------------------------


def _notice(client: Any) -> dict[str, Any]:
    with client.session_transaction() as session:
        return dict(session.get("notice") or {})


def test_a_city_office_adds_and_limits_county_accounts_on_the_accounts_page(
    client: Any, counties: dict[str, Any], factory: Any
) -> None:
    import re
    from urllib.parse import urlsplit

    from tests_support import CSRF

    from matchmaker.db.models import AuditEntry

    html = {"Accept": "text/html"}
    sign_in(client, factory, "city_org")
    page = client.get("/accounts?event=LF2026").get_data(as_text=True)
    form = page[page.index('data-testid="staff-form"') :].split("</form>")[0]
    assert 'value="HZ2026"' in form and 'value="T2026"' in form
    assert 'value=""' not in form  # a city's office cannot make an account over every event
    add = {"csrf": CSRF, "username": "qw_org", "display_name": "曲沃组委会", "role": "organiser"}
    client.post("/accounts/staff", data={**add, "scope": ""}, headers=html)
    said = _notice(client)
    assert said["kind"] == "error" and "只能把账号限定" in " ".join(said["details"])
    # an event outside its scope is as if it did not exist
    outside = client.post("/accounts/staff", data={**add, "scope": "XX2026"}, headers=html)
    assert outside.status_code == 404
    client.post("/accounts/staff", data={**add, "username": "q w", "scope": "HZ2026"},
                headers=html)  # fmt: skip
    assert "q w" in " ".join(_notice(client)["details"])
    with transaction(factory) as db:
        assert db.scalar(select(User.id).where(User.username.in_(["qw_org", "q w"]))) is None
    made = client.post("/accounts/staff", data={**add, "scope": "HZ2026"}, headers=html)
    assert made.status_code == 302
    said = _notice(client)
    assert said["kind"] == "ok" and "qw_org" in said["text"]
    link = re.search(r"https?://\S+", said["text"])
    assert link is not None
    parts = urlsplit(link.group(0))
    opened = client.get(f"{parts.path}?{parts.query}" if parts.query else parts.path)
    assert opened.status_code == 200  # the invitation opens its set-password page
    with transaction(factory) as db:
        made_user = db.scalars(select(User).where(User.username == "qw_org")).one()
        hz = db.scalars(select(Event).where(Event.code == "HZ2026")).one()
        assert (made_user.role, made_user.scope_event_id) == (Role.ORGANISER, hz.id)
        assert made_user.password_hash == ""
        created = db.scalars(select(AuditEntry).where(AuditEntry.action == "created")).one()
        assert created.after == {"role": "organiser", "scope": "HZ2026"}
    # the county's organiser cannot move an account to its sibling, nor touch the city's
    sign_in(client, factory, "hz_org")
    sibling = client.post("/accounts/qw_org", headers=html,
                          data={"csrf": CSRF, "action": "scope", "scope": "T2026"})  # fmt: skip
    assert sibling.status_code == 404
    above = client.post("/accounts/city_org", headers=html,
                        data={"csrf": CSRF, "action": "scope", "scope": "HZ2026"})  # fmt: skip
    assert above.status_code == 404  # the city's account is hidden from the county's office
    listed = client.get("/accounts?event=HZ2026").get_data(as_text=True)
    assert 'data-username="qw_org"' in listed and 'data-username="city_org"' not in listed
    # an organiser over every event lifts the limit
    sign_in(client, factory, "organiser")
    client.post("/accounts/qw_org", data={"csrf": CSRF, "action": "scope", "scope": ""},
                headers=html)  # fmt: skip
    assert _notice(client)["kind"] == "ok"
    with transaction(factory) as db:
        assert (
            db.scalars(select(User).where(User.username == "qw_org")).one().scope_event_id is None
        )
        city = db.scalars(select(User).where(User.username == "city_org")).one()
        assert city.scope_event_id is not None  # untouched by the refused attempt
