"""Shortlists and recommendations through the API on SQLite and PostgreSQL, real encoder."""

from __future__ import annotations

from typing import Any

from tests_support import assert_error


def shortlist(client: Any, headers: dict[str, str], code: str = "T-I01", **query: Any) -> Any:
    response = client.get(
        f"/api/v1/institutions/{code}/shortlist", query_string=query, headers=headers
    )
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def ids(body: dict[str, Any]) -> list[str]:
    return [item["project_id"] for item in body["items"]]


def test_shortlist_items_carry_score_and_reasons(client, accounts) -> None:  # type: ignore[no-untyped-def]
    body = shortlist(client, accounts.headers("investor"))
    items = body["items"]
    # T-I01 invests only in 山西: the Hong Kong project never shows up
    assert "T-P003" not in ids(body) and body["meta"]["total"] == 4
    assert ids(body)[0] == "T-P001"  # 储能 BMS, Pre-A…A, 500万, 太原 for a 新能源 fund
    scores = [item["score"] for item in items]
    assert scores == sorted(scores, reverse=True)
    top = items[0]
    assert "行业契合：储能 ≈ 新能源" in top["reasons"] or "行业相同：储能" in top["reasons"]
    assert "地区：山西" in top["reasons"]
    assert set(top["fits"]) == {"text", "sector", "stage", "ticket", "region", "needs"}
    assert all(item["reasons"] for item in items)
    assert body["encoder"]


def test_reasons_in_english(client, accounts) -> None:  # type: ignore[no-untyped-def]
    body = shortlist(client, {**accounts.headers("investor"), "Accept-Language": "en"})
    assert "Region: Shanxi" in body["items"][0]["reasons"]


def test_investors_see_only_their_own_shortlist(client, accounts) -> None:  # type: ignore[no-untyped-def]
    url = "/api/v1/institutions/T-I01/shortlist"
    assert_error(client.get(url, headers=accounts.headers("investor_b")), 403)
    assert_error(client.get(url, headers=accounts.headers("entrant")), 403)
    assert_error(client.get(url), 401)
    assert client.get(url, headers=accounts.headers("staff")).status_code == 200
    recs = "/api/v1/projects/T-P001/recommendations"
    assert client.get(recs, headers=accounts.headers("entrant")).status_code == 200
    assert_error(client.get(recs, headers=accounts.headers("entrant_b")), 403)
    assert_error(client.get(recs, headers=accounts.headers("investor")), 403)


def test_widening_the_region_shows_the_project(client, accounts) -> None:  # type: ignore[no-untyped-def]
    assert "T-P003" not in ids(shortlist(client, accounts.headers("investor")))
    widened = client.patch(
        "/api/v1/institutions/T-I01",
        headers=accounts.headers("investor"),
        json={"regions": ["山西", "粤港澳大湾区"]},
    )
    assert widened.status_code == 200
    assert "T-P003" in ids(shortlist(client, accounts.headers("investor")))


def test_stage_as_a_hard_limit(client, accounts) -> None:  # type: ignore[no-untyped-def]
    investor = accounts.headers("investor")
    assert "T-P005" in ids(shortlist(client, investor))  # 创意 stage: shown, lower
    response = client.patch(
        "/api/v1/institutions/T-I01", headers=investor, json={"hard_stage": True}
    )
    assert response.get_json()["hard_stage"] is True
    assert "T-P005" not in ids(shortlist(client, investor))


def test_new_registration_appears_in_the_next_shortlist(client, accounts) -> None:  # type: ignore[no-untyped-def]
    organiser = accounts.headers("organiser")
    before = shortlist(client, accounts.headers("investor"))
    assert "T-P777" not in ids(before)
    created = client.post(
        "/api/v1/projects",
        headers=organiser,
        json={
            "id": "T-P777",
            "name": "工商业储能柜与能量管理系统",
            "track": "绿色经济",
            "sectors": ["新型储能"],
            "stage": "Pre-A轮",
            "funding_ask": 8_000_000,
            "region": "山西省晋中市",
            "needs": ["资金"],
            "description": "为工业园区提供储能柜和能量管理系统，削峰填谷，已签约两个园区。",
        },
    )
    assert created.status_code == 201, created.get_json()
    after = shortlist(client, accounts.headers("investor"))
    assert ids(after)[:2] == ["T-P777", "T-P001"] or ids(after)[:2] == ["T-P001", "T-P777"]
    assert after["meta"]["total"] == before["meta"]["total"] + 1


def test_traditional_and_simplified_rank_the_same(client, accounts) -> None:  # type: ignore[no-untyped-def]
    organiser, investor = accounts.headers("organiser"), accounts.headers("investor")
    simplified = {
        "name": "智慧储能电站运维平台",
        "sectors": ["储能"],
        "description": "为新能源电站提供储能系统的远程监控、故障诊断和运维服务。",
    }
    traditional = {
        "name": "智慧儲能電站運維平台",
        "sectors": ["儲能"],
        "description": "為新能源電站提供儲能系統的遠程監控、故障診斷和運維服務。",
    }
    client.patch("/api/v1/projects/T-P002", headers=organiser, json=simplified)
    first = {i["project_id"]: i for i in shortlist(client, investor)["items"]}
    client.patch("/api/v1/projects/T-P002", headers=organiser, json=traditional)
    second = {i["project_id"]: i for i in shortlist(client, investor)["items"]}
    assert list(first) == list(second)
    assert abs(first["T-P002"]["score"] - second["T-P002"]["score"]) < 1e-3


def test_pass_hides_and_like_marks(client, accounts) -> None:  # type: ignore[no-untyped-def]
    investor = accounts.headers("investor")
    url = "/api/v1/institutions/T-I01/feedback"
    assert (
        client.post(
            url, headers=investor, json={"project_id": "T-P001", "verdict": "pass"}
        ).status_code
        == 200
    )
    assert (
        client.post(
            url, headers=investor, json={"project_id": "T-P004", "verdict": "感兴趣"}
        ).status_code
        == 200
    )
    body = shortlist(client, investor)
    assert "T-P001" not in ids(body)
    assert {i["project_id"]: i["verdict"] for i in body["items"]}["T-P004"] == "like"
    shown = shortlist(client, investor, include_passed="true")
    assert "T-P001" in ids(shown)
    assert_error(
        client.post(
            url,
            headers=accounts.headers("investor_b"),
            json={"project_id": "T-P001", "verdict": "pass"},
        ),
        403,
    )
    assert_error(
        client.post(url, headers=investor, json={"project_id": "T-P001", "verdict": "maybe"}), 422
    )


def test_filters_and_pages(client, accounts) -> None:  # type: ignore[no-untyped-def]
    staff = accounts.headers("staff")
    assert ids(shortlist(client, staff, code="T-I02", track="银发经济")) == ["T-P002"]
    assert ids(shortlist(client, staff, code="T-I02", stage="seed")) == ["T-P002"]
    full = ids(shortlist(client, staff, code="T-I02", k=10))
    paged = ids(shortlist(client, staff, code="T-I02", k=2, page=2))
    assert paged == full[2:4]
    diverse = ids(shortlist(client, staff, code="T-I02", k=10, diversity=0.5))
    assert sorted(diverse) == sorted(full) and diverse[0] == full[0]
    assert_error(client.get("/api/v1/institutions/T-I02/shortlist?k=0", headers=staff), 422)
    assert_error(client.get("/api/v1/institutions/NOPE/shortlist", headers=staff), 404)


def test_recommendations_for_an_entrant(client, accounts) -> None:  # type: ignore[no-untyped-def]
    response = client.get(
        "/api/v1/projects/T-P002/recommendations", headers=accounts.headers("entrant_b")
    )
    body = response.get_json()
    assert response.status_code == 200, body
    names = [item["institution_id"] for item in body["items"]]
    assert names[0] == "T-I02"  # the silver-economy angels, nationwide, seed/angel, 50–500万
    assert any("养老" in reason or "银发" in reason for reason in body["items"][0]["reasons"])


def test_weights_fit_endpoint_says_when_there_is_too_little_signal(client, accounts) -> None:  # type: ignore[no-untyped-def]
    url = "/api/v1/events/T2026/weights/fit"
    assert_error(client.post(url, headers=accounts.headers("staff")), 403)
    response = client.post(url, headers=accounts.headers("organiser"))
    body = response.get_json()
    assert response.status_code == 200, body
    assert (body["fitted"], body["applied"], body["outcomes"]) == (False, False, 0)
    assert "30" in body["reason"]


def test_duplicates_endpoint_finds_a_traditional_copy(client, accounts) -> None:  # type: ignore[no-untyped-def]
    organiser = accounts.headers("organiser")
    copy = {
        "id": "T-P901",
        "name": "晉能儲能電池管理系統（升級版）",  # the same name is refused (tests/test_names.py)
        "track": "綠色經濟",
        "sectors": ["儲能", "電池管理"],
        "stage": "天使輪",
        "description": "面向工商業儲能電站的電池管理系統，已在3個園區試點。",
    }
    assert client.post("/api/v1/projects", headers=organiser, json=copy).status_code == 201
    response = client.get("/api/v1/events/T2026/duplicates", headers=organiser)
    pairs = response.get_json()
    assert response.status_code == 200, pairs
    assert [(p["a"], p["b"], p["kind"]) for p in pairs] == [
        ("T-P001", "T-P901", "traditional_copy")
    ]
    assert any("繁简" in e for e in pairs[0]["evidence"])
    assert_error(
        client.get("/api/v1/events/T2026/duplicates", headers=accounts.headers("investor")), 403
    )


def test_a_described_portfolio_company_is_a_view_and_a_follow_on(client, accounts) -> None:  # type: ignore[no-untyped-def]
    investor = accounts.headers("investor")
    before = {i["project_id"]: i for i in shortlist(client, investor)["items"]}
    held = {
        "company": "晋能储能电池管理系统",
        "sectors": ["储能"],
        "description": "工商业储能电站电池管理系统，园区试点中。",
    }
    response = client.patch(
        "/api/v1/institutions/T-I01", headers=investor, json={"portfolio": [held]}
    )
    assert response.status_code == 200, response.get_json()
    after = {i["project_id"]: i for i in shortlist(client, investor)["items"]}
    mine = after["T-P001"]
    assert mine["reasons"][0] == "已投企业后续轮次：晋能储能电池管理系统 已在投资组合中"
    assert any(r.startswith("与已投企业相近：晋能储能电池管理系统") for r in mine["reasons"])
    assert mine["fits"]["text"] > before["T-P001"]["fits"]["text"]
    recommended = client.get(
        "/api/v1/projects/T-P001/recommendations", headers=accounts.headers("entrant")
    ).get_json()
    both_ways = {i["institution_id"]: i["score"] for i in recommended["items"]}
    assert both_ways["T-I01"] == mine["score"]  # one score, whichever side asks


def test_a_portfolio_company_in_the_contest_heads_the_shortlist(client, accounts) -> None:  # type: ignore[no-untyped-def]
    """A follow-on (the project is a company the investor already holds, by name, even with no
    description) comes first whatever its score, with the reason saying why; page 2 goes on
    with the rest, and the total counts it once."""
    investor = accounts.headers("investor")
    before = shortlist(client, investor, k=50)
    last = before["items"][-1]
    assert before["items"][0]["project_id"] != last["project_id"]
    held = {"company": last["name"], "sectors": []}
    response = client.patch(
        "/api/v1/institutions/T-I01", headers=investor, json={"portfolio": [held]}
    )
    assert response.status_code == 200, response.get_json()
    after = shortlist(client, investor, k=50)
    first = after["items"][0]
    assert first["project_id"] == last["project_id"]
    assert first["score"] < after["items"][1]["score"]  # first because it is held, not by score
    assert first["reasons"][0].startswith("已投企业后续轮次")
    assert after["meta"]["total"] == before["meta"]["total"]
    page_one = ids(shortlist(client, investor, k=2))
    page_two = ids(shortlist(client, investor, k=2, page=2))
    assert page_one + page_two == ids(after)[:4]
