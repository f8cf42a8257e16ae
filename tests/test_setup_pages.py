"""The contest set-up page (活动设置): an organiser creates an event, adds, edits and deletes
sessions; a refused form shows each problem beside its field and keeps what was typed."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest
from tests_support import CSRF, sign_in

pytestmark = pytest.mark.fake_encoder  # the edit page may repair an agenda: vectors needed


def post(client: Any, url: str, **form: str) -> Any:
    return client.post(url, data={**form, "csrf": CSRF}, headers={"Accept": "text/html"})


def field_errors(page: str, field: str) -> list[str]:
    pattern = rf'<span class="field-error" role="alert" data-field="{field}">([^<]*)</span>'
    return [unescape(m) for m in re.findall(pattern, page)]


def value_of(page: str, form_testid: str, field: str) -> str:
    section = page[page.index(f'data-testid="{form_testid}"') :]
    found = re.search(rf'name="{field}" value="([^"]*)"', section)
    assert found, field
    return unescape(found.group(1))


def notice(client: Any) -> dict[str, Any]:
    with client.session_transaction() as session:
        return dict(session.get("notice") or {})


@pytest.fixture
def organiser(client: Any, accounts: Any, factory: Any) -> Any:
    sign_in(client, factory, "organiser")
    return client


def test_the_menu_links_the_set_up_page_for_organisers_only(organiser, client, factory) -> None:  # type: ignore[no-untyped-def]
    page = organiser.get("/setup").get_data(as_text=True)
    assert 'href="/setup"' in page and "活动设置" in page
    assert "T2026" in page and "本地专场" in page  # the events, the chosen one's sessions
    sign_in(client, factory, "staff")
    assert 'href="/setup"' not in client.get("/").get_data(as_text=True)
    assert client.get("/setup", headers={"Accept": "text/html"}).status_code == 403


def test_create_an_event_then_a_session_with_a_lunch_break(organiser) -> None:  # type: ignore[no-untyped-def]
    response = post(
        organiser, "/setup/events", code="CK2036", name="创客中国2036", year="2036", city="大同"
    )
    assert response.status_code == 302 and "event=CK2036" in response.headers["Location"]
    assert "CK2036" in notice(organiser)["text"]
    page = organiser.get("/setup?event=CK2036").get_data(as_text=True)
    assert 'data-testid="event-edit"' in page and "创客中国2036" in page
    response = post(
        organiser, "/setup/events/CK2036/sessions",
        code="S1", name="路演专场", kind="roadshow", date="2036-06-01", start="09:00",
        end="15:00", slot_minutes="30", tables="A1,A2,B1", breaks="12:00-13:30",
    )  # fmt: skip
    assert response.status_code == 302, response.get_data(as_text=True)
    page = organiser.get("/setup?event=CK2036").get_data(as_text=True)
    row = page[page.index('data-session="S1"') :].split("</tr>")[0]
    assert "路演专场" in row and "9 × 30" in row and "A1,A2,B1" in row and "12:00-13:30" in row


def test_a_refused_form_names_each_field_and_keeps_the_values(organiser, factory) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import func, select

    from matchmaker.db.models import Event, MatchmakingSession

    response = post(organiser, "/setup/events", code="T2026", name="重复", year="1999")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert field_errors(page, "year") and value_of(page, "event-create", "name") == "重复"
    response = post(
        organiser, "/setup/events/T2026/sessions",
        code="S7", name="下午场", kind="local", date="2036-12-31", start="14:00",
        end="13:00", slot_minutes="20", tables="4", breaks="15:00-14:30",
    )  # fmt: skip
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "结束时间应晚于开始时间" in " ".join(field_errors(page, "end"))
    assert field_errors(page, "breaks") and not field_errors(page, "date")
    assert value_of(page, "session-add", "name") == "下午场"
    assert value_of(page, "session-add", "breaks") == "15:00-14:30"
    with factory() as db:
        assert db.scalar(select(func.count()).select_from(Event)) == 1
        assert db.scalar(select(func.count()).select_from(MatchmakingSession)) == 2


def test_edit_a_session_and_delete_one_after_confirming(organiser, client, accounts) -> None:  # type: ignore[no-untyped-def]
    page = organiser.get("/setup/events/T2026/sessions/S2").get_data(as_text=True)
    assert value_of(page, "session-edit", "start") == "09:00"
    assert 'data-confirm="确定删除专场 S2' in page  # the browser asks before deleting
    response = post(
        organiser, "/setup/events/T2026/sessions/S2",
        name="全国专场", kind="national", date="2036-12-09", start="09:00", end="11:00",
        slot_minutes="30", tables="5", breaks="10:00-10:30", venue="会展中心C厅",
    )  # fmt: skip
    assert response.status_code == 302, response.get_data(as_text=True)
    session = client.get("/api/v1/events/T2026/sessions/S2", headers=accounts.headers("staff"))
    body = session.get_json()
    assert [s["starts_at"][11:16] for s in body["slots"]] == ["09:00", "09:30", "10:30"]
    assert body["tables"] == 5 and body["venue"] == "会展中心C厅"
    # a bad value comes back beside its field, the session unchanged
    response = post(
        organiser, "/setup/events/T2026/sessions/S2",
        name="全国专场", kind="national", date="2036-12-09", start="9点", end="11:00",
        slot_minutes="30", tables="5", breaks="",
    )  # fmt: skip
    assert response.status_code == 422
    assert field_errors(response.get_data(as_text=True), "start")
    again = client.get("/api/v1/events/T2026/sessions/S2", headers=accounts.headers("staff"))
    assert again.get_json() == body
    # S1 holds draft meetings: refused, with the count; S2 holds none: deleted
    build = "/api/v1/events/T2026/sessions/S1/agenda/build"
    built = client.post(build, json={}, headers=accounts.headers("organiser"))
    assert built.status_code == 200
    response = post(organiser, "/setup/events/T2026/sessions/S1/delete")
    assert response.status_code == 302 and "会见" in notice(organiser)["text"]
    shown = organiser.get(response.headers["Location"]).get_data(as_text=True)
    assert 'data-testid="notice"' in shown and "不能删除" in shown  # said once, on the page
    response = post(organiser, "/setup/events/T2026/sessions/S2/delete")
    assert response.status_code == 302 and "S2" in notice(organiser)["text"]
    page = organiser.get("/setup?event=T2026").get_data(as_text=True)
    assert "已删除专场 S2" in page
    assert 'data-session="S1"' in page and 'data-session="S2"' not in page


def test_tracks_are_added_on_the_page_and_one_in_use_is_kept(organiser) -> None:  # type: ignore[no-untyped-def]
    page = organiser.get("/setup?event=T2026").get_data(as_text=True)
    assert 'data-testid="tracks"' in page and 'data-track="advanced_manufacturing"' in page
    added = post(organiser, "/setup/events/T2026/tracks", label="非遗文创", en="Heritage")
    assert added.status_code == 302 and "非遗文创" in notice(organiser)["text"]
    page = organiser.get("/setup?event=T2026").get_data(as_text=True)
    assert 'data-track="非遗文创"' in page
    again = post(organiser, "/setup/events/T2026/tracks", label="非遗文创")
    assert again.status_code == 422 and "非遗文创" in again.get_data(as_text=True)
    # a track projects use stays, and the page names them; an unused one goes
    used = post(organiser, "/setup/events/T2026/tracks/remove", track="green_economy")
    text = unescape(used.get_data(as_text=True))
    assert used.status_code == 422 and "不能删除" in text and "T-P001" in text
    gone = post(organiser, "/setup/events/T2026/tracks/remove", track="非遗文创")
    assert gone.status_code == 302
    assert 'data-track="非遗文创"' not in organiser.get("/setup?event=T2026").get_data(as_text=True)


def test_groups_are_listed_added_and_one_with_projects_is_kept(organiser, factory) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from matchmaker.db.engine import transaction
    from matchmaker.db.models import AuditEntry, Project

    with transaction(factory) as db:  # one project in 创客组
        db.scalars(select(Project).where(Project.code == "T-P002")).one().group = "maker"
    page = organiser.get("/setup?event=T2026").get_data(as_text=True)
    card = page[page.index('data-testid="groups"') :].split("</section>")[0]
    assert 'data-group="enterprise"' in card and 'data-group="maker"' in card
    added = post(organiser, "/setup/events/T2026/groups", label="成长组", en="Growth")
    assert added.status_code == 302 and notice(organiser)["text"] == "已添加组别：成长组"
    again = post(organiser, "/setup/events/T2026/groups", label="成長組")
    assert again.status_code == 422
    assert field_errors(again.get_data(as_text=True), "group") == [
        "本活动已有组别“成长组”使用这个名称或别名"
    ]
    page = organiser.get("/setup?event=T2026&lang=en").get_data(as_text=True)
    card = page[page.index('data-testid="groups"') :].split("</section>")[0]
    assert 'data-group="成长组"' in card and "Growth" in card
    # a group with projects stays, and the page names them; an empty one goes
    used = post(organiser, "/setup/events/T2026/groups/remove", group="maker")
    text = unescape(used.get_data(as_text=True))
    assert used.status_code == 422 and "不能删除" in text and "T-P002" in text
    gone = post(organiser, "/setup/events/T2026/groups/remove", group="成长组")
    assert gone.status_code == 302
    page = organiser.get("/setup?event=T2026").get_data(as_text=True)
    assert 'data-group="成长组"' not in page and 'data-group="maker"' in page
    with factory() as db:
        actions = db.scalars(select(AuditEntry.action).where(AuditEntry.action.like("group_%")))
        assert sorted(actions) == ["group_add", "group_remove"]


def test_an_event_created_on_the_page_with_its_own_groups_and_no_preset(organiser) -> None:  # type: ignore[no-untyped-def]
    response = post(
        organiser, "/setup/events", code="CZ2027", name="长治市创新创业大赛", year="2027",
        preset="none", tracks="电子信息、生物医药", groups="初创组、成长组",
    )  # fmt: skip
    assert response.status_code == 302, response.get_data(as_text=True)
    page = organiser.get("/setup?event=CZ2027").get_data(as_text=True)
    card = page[page.index('data-testid="groups"') :].split("</section>")[0]
    assert 'data-group="初创组"' in card and 'data-group="成长组"' in card
    assert 'data-group="enterprise"' not in card
    bare = post(organiser, "/setup/events", code="CZ2028", name="无组别赛", year="2028",
                preset="none", tracks="电子信息")  # fmt: skip
    assert bare.status_code == 302
    page = organiser.get("/setup?event=CZ2028").get_data(as_text=True)
    card = page[page.index('data-testid="groups"') :].split("</section>")[0]
    assert "data-group=" not in card and "无" in card


def test_institution_types_are_added_with_what_they_are_matched_like(organiser, factory) -> None:  # type: ignore[no-untyped-def]
    from matchmaker.services.registry.events import get_event
    from matchmaker.services.registry.vocabulary import institution_types_of

    page = organiser.get("/setup?event=T2026").get_data(as_text=True)
    card = page[page.index('data-testid="institution_types"') :].split("</section>")[0]
    assert 'data-institution_type="bank"' in card and "1 家机构" in card  # T-I03
    assert '<option value="bank">银行</option>' in card  # what a new type may be matched like
    added = post(
        organiser, "/setup/events/T2026/institution-types", label="担保公司", en="", like="bank"
    )
    assert added.status_code == 302 and notice(organiser)["text"] == "已添加机构类型：担保公司"
    page = organiser.get("/setup?event=T2026").get_data(as_text=True)
    card = page[page.index('data-testid="institution_types"') :].split("</section>")[0]
    assert 'data-institution_type="担保公司"' in card and "≈ 银行" in card
    bad = post(organiser, "/setup/events/T2026/institution-types", label="商会", like="保险")
    assert bad.status_code == 422
    assert "“保险”不是其中之一" in " ".join(field_errors(bad.get_data(as_text=True), "like"))
    used = post(organiser, "/setup/events/T2026/institution-types/remove", institution_type="bank")
    text = unescape(used.get_data(as_text=True))
    assert used.status_code == 422 and "T-I03 晋商银行科技支行" in text
    gone = post(
        organiser, "/setup/events/T2026/institution-types/remove", institution_type="担保公司"
    )
    assert gone.status_code == 302
    with factory() as db:
        assert "担保公司" not in institution_types_of(get_event(db, "T2026"))
