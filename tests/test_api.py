"""The HTTP API on SQLite and PostgreSQL: one error shape, roles, filters, pagination, edits."""

from __future__ import annotations

import pytest
from tests_support import assert_error

pytestmark = pytest.mark.fake_encoder  # some vectors are needed, no ranking is measured


def test_token_sign_in_and_me(client, accounts) -> None:  # type: ignore[no-untyped-def]
    response = client.post(
        "/api/v1/auth/token", json={"username": "investor", "password": accounts.password}
    )
    assert response.status_code == 201
    token = response.get_json()["token"]
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert me == {
        "username": "investor",
        "display_name": "investor",
        "role": "investor",
        "institution": "T-I01",
        "project": None,
    }
    assert (
        client.delete(
            "/api/v1/auth/token", headers={"Authorization": f"Bearer {token}"}
        ).status_code
        == 204
    )
    assert_error(client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}), 401)


def test_wrong_password_and_bad_tokens_are_401(client, accounts) -> None:  # type: ignore[no-untyped-def]
    body = assert_error(
        client.post("/api/v1/auth/token", json={"username": "investor", "password": "nope"}), 401
    )
    assert body["message"] == "用户名或密码错误"
    assert_error(client.get("/api/v1/projects"), 401)
    assert_error(client.get("/api/v1/projects", headers={"Authorization": "Bearer mm_forged"}), 401)
    assert_error(client.get("/api/v1/projects", headers={"Authorization": "Basic abc"}), 401)


def test_english_errors_on_request(client, accounts) -> None:  # type: ignore[no-untyped-def]
    body = assert_error(client.get("/api/v1/projects", headers={"Accept-Language": "en-US"}), 401)
    assert body["message"] == "Sign in or present an access token"
    body = assert_error(client.get("/api/v1/projects?lang=en"), 401)
    assert body["message"].startswith("Sign in")


@pytest.mark.parametrize(
    ("who", "method", "url", "body", "status"),
    [
        ("entrant", "get", "/api/v1/projects", None, 403),
        ("entrant", "get", "/api/v1/projects/T-P002", None, 403),
        ("entrant", "get", "/api/v1/projects/T-P001", None, 200),
        ("entrant", "patch", "/api/v1/projects/T-P002", {"region": "x"}, 403),
        ("entrant", "patch", "/api/v1/projects/T-P001", {"region": "山西省晋中市"}, 200),
        ("investor", "get", "/api/v1/projects", None, 200),
        (
            "investor",
            "post",
            "/api/v1/projects",
            {"id": "N1", "name": "n", "track": "绿色经济"},
            403,
        ),
        ("investor", "patch", "/api/v1/institutions/T-I02", {"thesis": "x"}, 403),
        ("investor", "patch", "/api/v1/institutions/T-I01", {"thesis": "专注储能"}, 200),
        ("staff", "post", "/api/v1/events", {"code": "E2", "name": "n", "year": 2027}, 403),
        ("staff", "get", "/api/v1/projects", None, 200),
        ("organiser", "post", "/api/v1/events", {"code": "E2", "name": "n", "year": 2027}, 201),
        ("entrant", "get", "/api/v1/institutions", None, 200),
    ],
)
def test_roles(client, accounts, who, method, url, body, status) -> None:  # type: ignore[no-untyped-def]
    response = getattr(client, method)(url, json=body, headers=accounts.headers(who))
    if status >= 400:
        assert_error(response, status)
    else:
        assert response.status_code == status, response.get_json()


def test_roles_are_checked_before_the_body(client, accounts) -> None:  # type: ignore[no-untyped-def]
    investor = accounts.headers("investor")
    assert_error(client.post("/api/v1/projects", json={}, headers=investor), 403)
    assert_error(client.get("/api/v1/projects?page=-1"), 401)


def test_contacts_are_shown_only_to_those_who_may_see_them(client, accounts) -> None:  # type: ignore[no-untyped-def]
    seen = client.get("/api/v1/projects/T-P001", headers=accounts.headers("investor")).get_json()
    assert seen["contact"] is None
    own = client.get("/api/v1/projects/T-P001", headers=accounts.headers("entrant")).get_json()
    assert own["contact"]["phone"] == "13800000001"
    staff = client.get("/api/v1/institutions/T-I02", headers=accounts.headers("staff")).get_json()
    assert staff["contact"] is not None
    other = client.get(
        "/api/v1/institutions/T-I02", headers=accounts.headers("investor")
    ).get_json()
    assert other["contact"] is None


def test_project_filters_and_pagination(client, accounts) -> None:  # type: ignore[no-untyped-def]
    h = accounts.headers("organiser")

    def ids(query: str) -> list[str]:
        response = client.get(f"/api/v1/projects?{query}", headers=h)
        assert response.status_code == 200, response.get_json()
        return [p["id"] for p in response.get_json()["items"]]

    assert ids("") == ["T-P001", "T-P002", "T-P003", "T-P004", "T-P005"]
    assert ids("track=绿色经济") == ["T-P001"]
    assert ids("track=green_economy") == ["T-P001"]
    assert ids("stage=Series A") == ["T-P004"]
    assert ids("session=S2") == ["T-P002", "T-P003", "T-P004"]
    assert ids("q=冷链") == ["T-P003"]  # simplified query finds the Traditional row
    assert ids("q=冷鏈") == ["T-P003"]
    assert ids("region=山西") == ["T-P001", "T-P002", "T-P004", "T-P005"]
    assert ids("min_ask=5000000&max_ask=100000000") == ["T-P001"]
    page = client.get("/api/v1/projects?page=2&page_size=2", headers=h).get_json()
    assert [p["id"] for p in page["items"]] == ["T-P003", "T-P004"]
    assert page["meta"] == {"total": 5, "page": 2, "page_size": 2, "pages": 3}


@pytest.mark.parametrize(
    "query",
    [
        "page=0",
        "page_size=0",
        "page_size=201",
        "page=-3",
        "page=abc",
        "track=太空",
        "min_ask=-1",
        "page=99999999999",
    ],
)
def test_bad_query_parameters_are_422(client, accounts, query) -> None:  # type: ignore[no-untyped-def]
    assert_error(
        client.get(f"/api/v1/projects?{query}", headers=accounts.headers("organiser")), 422
    )


def test_institution_filters(client, accounts) -> None:  # type: ignore[no-untyped-def]
    h = accounts.headers("entrant")
    body = client.get("/api/v1/institutions?stage=angel", headers=h).get_json()
    assert [i["id"] for i in body["items"]] == ["T-I01", "T-I02"]
    body = client.get("/api/v1/institutions?type=银行", headers=h).get_json()
    assert [i["id"] for i in body["items"]] == ["T-I03"]
    assert body["items"][0]["ticket_display"] == "1000万元–1亿元"


def test_create_and_update_project(client, accounts) -> None:  # type: ignore[no-untyped-def]
    h = accounts.headers("organiser")
    created = client.post(
        "/api/v1/projects",
        headers=h,
        json={
            "id": "T-P900",
            "name": "氢能重卡换电站",
            "track": "绿色经济",
            "stage": "A轮",
            "funding_ask": 30_000_000,
            "sectors": ["氢能", "换电"],
            "sessions": ["S1"],
            "needs": ["资金", "market"],
        },
    )
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["stage"] == "a" and body["needs"] == ["funding", "market"]
    assert body["funding_ask_display"] == "3000万元"
    assert_error(
        client.post(
            "/api/v1/projects",
            headers=h,
            json={"id": "T-P900", "name": "again", "track": "绿色经济"},
        ),
        409,
    )
    patched = client.patch("/api/v1/projects/T-P900", headers=h, json={"stage": "B轮"})
    assert patched.get_json()["stage"] == "b_plus"
    listed = client.get("/api/v1/projects?q=氢能", headers=h).get_json()
    assert [p["id"] for p in listed["items"]] == ["T-P900"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"funding_ask": -1}, "funding_ask"),
        ({"funding_ask": 1.5}, "funding_ask"),
        ({"funding_ask": "500万"}, "funding_ask"),
        ({"stage": "天使2轮"}, "stage"),
        ({"contact_email": "not-an-email"}, "contact_email"),
        ({"sessions": ["S9"]}, "sessions"),
        ({"name": ""}, "name"),
        ({"description": "长" * 5001}, "description"),
    ],
)
def test_invalid_updates_are_422_and_change_nothing(client, accounts, body, field) -> None:  # type: ignore[no-untyped-def]
    h = accounts.headers("organiser")
    before = client.get("/api/v1/projects/T-P001", headers=h).get_json()
    error = assert_error(client.patch("/api/v1/projects/T-P001", headers=h, json=body), 422)
    assert any(field in (e.get("field") or e.get("column") or "") for e in error["errors"]), error
    assert client.get("/api/v1/projects/T-P001", headers=h).get_json() == before


def test_institution_ticket_order_is_checked(client, accounts) -> None:  # type: ignore[no-untyped-def]
    h = accounts.headers("organiser")
    assert_error(
        client.patch("/api/v1/institutions/T-I01", headers=h, json={"ticket_min": 900_000_000}), 422
    )
    assert_error(
        client.patch(
            "/api/v1/institutions/T-I01", headers=h, json={"ticket_min": 9, "ticket_max": 1}
        ),
        422,
    )


def test_malformed_requests_get_4xx_in_the_one_shape(client, accounts) -> None:  # type: ignore[no-untyped-def]
    h = accounts.headers("organiser")
    assert_error(
        client.post("/api/v1/projects", headers=h, data="{bad", content_type="application/json"),
        400,
    )
    assert client.post(
        "/api/v1/projects", headers=h, data="id=1", content_type="text/plain"
    ).status_code in (400, 415, 422)
    assert_error(client.get("/api/v1/nowhere", headers=h), 404)
    assert_error(client.delete("/api/v1/projects/T-P001", headers=h), 405)
    assert_error(client.get("/api/v1/projects/NOPE", headers=h), 404)
    assert_error(client.get("/api/v1/events/NOPE/sessions/S1", headers=h), 404)
    assert_error(client.post("/api/v1/projects", headers=h, json=[1, 2]), 422)


def test_sessions_lay_out_slots_and_tables(client, accounts) -> None:  # type: ignore[no-untyped-def]
    h = accounts.headers("organiser")
    created = client.post(
        "/api/v1/events/T2026/sessions",
        headers=h,
        json={
            "code": "S3",
            "name": "往届项目专场",
            "kind": "alumni",
            "date": "2026-12-10",
            "start": "14:00",
            "end": "16:00",
            "slot_minutes": 15,
            "tables": 6,
            "venue": "孵化基地",
        },
    )
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert len(body["slots"]) == 8 and body["tables"] == 6
    assert body["starts_at"] == "2026-12-10T14:00:00+08:00"
    assert_error(
        client.post(
            "/api/v1/events/T2026/sessions",
            headers=h,
            json={
                "code": "S4",
                "name": "x",
                "kind": "local",
                "date": "2026-12-10",
                "start": "16:00",
                "end": "14:00",
                "slot_minutes": 15,
                "tables": 1,
            },
        ),
        422,
    )


def test_openapi_document_and_offline_docs_page(client) -> None:  # type: ignore[no-untyped-def]
    spec = client.get("/api/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    assert {
        "/api/v1/projects",
        "/api/v1/projects/{code}",
        "/api/v1/institutions",
        "/api/v1/events",
        "/api/v1/auth/token",
    } <= set(spec["paths"])
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    page = client.get("/api/docs").get_data(as_text=True)
    assert "/api/docs/static/swagger-ui-bundle.js" in page and "//cdn" not in page
    with client.get("/api/docs/static/swagger-ui-bundle.js") as script:
        assert script.status_code == 200 and b"SwaggerUIBundle" in script.data


def test_no_route_answers_500_to_any_role(app, client, accounts) -> None:  # type: ignore[no-untyped-def]
    """Walk every API route with every role and some hostile bodies: 5xx is never acceptable."""
    bodies = [None, {}, {"id": "<script>", "name": "x" * 300}, [], "null", {"page": -1}]
    whos = [None, "organiser", "staff", "investor", "entrant"]
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1"):
            continue
        url = rule.rule.replace("<code>", "T-P001").replace("<session_code>", "S1")
        if "institutions" in url:
            url = url.replace("T-P001", "T-I01")
        if "events/" in url:
            url = url.replace("T-P001", "T2026")
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for who in whos:
                headers = accounts.headers(who) if who else {}
                for body in bodies:
                    response = client.open(url, method=method, json=body, headers=headers)
                    assert response.status_code < 500, (
                        method,
                        url,
                        who,
                        body,
                        response.get_data(as_text=True),
                    )
