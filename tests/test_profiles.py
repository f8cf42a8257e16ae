"""Self-service profiles: a party edits its own project or institution on its page, fields the
organiser locked stay read-only to the party, every change is on the audit trail, and a project
team keeps its business plan (PDF) beside the database.

Page tests run on SQLite and PostgreSQL through Flask's client.
"""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from sqlalchemy import func, select
from tests_support import CSRF, db_snapshot, sign_in

from matchmaker.db.engine import transaction
from matchmaker.db.models import Attachment, AuditEntry, Event, Institution, Project

pytestmark = pytest.mark.fake_encoder  # nothing here ranks: the hashing encoder is enough
HTML = {"Accept": "text/html"}
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def text_of(response: Any) -> str:
    return str(response.get_data(as_text=True))


def field_errors(page: str, field: str) -> list[str]:
    found = re.findall(rf'<span class="field-error"[^>]*data-field="{field}">([^<]*)</span>', page)
    return [html.unescape(f) for f in found]


def project_form(**changes: Any) -> dict[str, Any]:
    """T-P001's form as its page fills it, with ``changes``."""
    form: dict[str, Any] = {
        "csrf": CSRF,
        "name": "晋能储能电池管理系统",
        "track": "green_economy",
        "group": "enterprise",
        "sectors": "储能、电池管理",
        "stage": "angel",
        "funding_ask": "500",
        "region": "山西省太原市",
        "needs": ["", "funding", "market"],
        "description": "面向工商业储能电站的电池管理系统，已在3个园区试点。",
        "contact_name": "张伟",
        "contact_phone": "13800000001",
        "contact_email": "zw@example.com",
    }
    form.update(changes)
    return form


def project_row(factory: Any, code: str) -> Project:
    with transaction(factory) as db:
        found = db.scalar(select(Project).where(Project.code == code))
        assert found is not None
        db.expunge(found)
        return found


def trail(factory: Any, kind: type[Any], code: str, action: str = "update") -> list[Any]:
    with transaction(factory) as db:
        row_id = db.scalar(select(kind.id).where(kind.code == code))
        return [
            (e.actor_label, e.before, e.after)
            for e in db.scalars(
                select(AuditEntry)
                .where(
                    AuditEntry.entity_type == kind.__tablename__,
                    AuditEntry.entity_id == row_id,
                    AuditEntry.action == action,
                )
                .order_by(AuditEntry.id)
            )
        ]


def audit_count(factory: Any) -> int:
    with transaction(factory) as db:
        return int(db.scalar(select(func.count()).select_from(AuditEntry)) or 0)


# ---- editing one's own profile -------------------------------------------------------------


def test_entrant_edits_its_project_on_the_page_and_organisers_see_the_change(
    client: Any, accounts: Any, factory: Any
) -> None:
    sign_in(client, factory, "entrant")
    home = text_of(client.get("/", headers=HTML))
    assert 'data-testid="my-profile"' in home and "我的项目" in home
    page = text_of(client.get("/projects/T-P001", headers=HTML))
    assert 'data-testid="edit-profile"' in page
    form = text_of(client.get("/projects/T-P001/edit", headers=HTML))
    assert 'value="500"' in form  # the ask in 万元, as on every page
    saved = client.post(
        "/projects/T-P001/edit",
        data=project_form(
            description="储能电池管理系统，新增海外订单。", funding_ask="800", needs=["", "funding"]
        ),
    )
    assert saved.status_code == 303 and saved.location.startswith("/projects/T-P001")
    row = project_row(factory, "T-P001")
    assert row.funding_ask == 8_000_000 and row.needs == ["funding"]
    assert row.description == "储能电池管理系统，新增海外订单。"
    assert "资料已保存" in text_of(client.get(saved.location, headers=HTML))
    [(actor, before, after)] = trail(factory, Project, "T-P001")
    assert actor == "entrant"
    assert before == {
        "funding_ask": 5_000_000,
        "needs": ["funding", "market"],
        "description": "面向工商业储能电站的电池管理系统，已在3个园区试点。",
    }
    assert after["funding_ask"] == 8_000_000 and after["needs"] == ["funding"]
    # the entrant does not see the trail; the organiser does, before → after, in Beijing time
    assert 'data-testid="changes"' not in text_of(client.get("/projects/T-P001", headers=HTML))
    sign_in(client, factory, "organiser")
    shown = text_of(client.get("/projects/T-P001", headers=HTML))
    assert 'data-testid="changes"' in shown and "修改记录" in shown
    assert "<s>500万元</s> → <b>800万元</b>" in shown and "entrant" in shown
    english = text_of(client.get("/projects/T-P001?lang=en", headers=HTML))
    assert "Changes" in english and "Funding ask" in english


def test_an_entrant_cannot_open_or_post_another_projects_form(
    client: Any, accounts: Any, factory: Any
) -> None:
    before = db_snapshot(factory, "projects", "audit_entries")
    sign_in(client, factory, "entrant")
    assert client.get("/projects/T-P002/edit", headers=HTML).status_code == 403
    posted = client.post("/projects/T-P002/edit", data=project_form(description="接管"))
    assert posted.status_code == 403
    sign_in(client, factory, "investor")  # an investor reads projects but edits none
    assert client.get("/projects/T-P001/edit", headers=HTML).status_code == 403
    sign_in(client, factory, "staff")
    assert client.get("/projects/T-P001/edit", headers=HTML).status_code == 403
    assert db_snapshot(factory, "projects", "audit_entries") == before


def test_investor_edits_its_institution_and_not_another(
    client: Any, accounts: Any, factory: Any
) -> None:
    sign_in(client, factory, "investor")
    form = text_of(client.get("/institutions/T-I01/edit", headers=HTML))
    assert "清源储能科技（储能，A轮）" in form and 'value="300"' in form
    saved = client.post(
        "/institutions/T-I01/edit",
        data={
            "csrf": CSRF,
            "name": "汾河新能源创投",
            "type": "vc",
            "focus_sectors": "新能源、储能、氢能",
            "regions": "山西、内蒙古",
            "ticket_min": "500",
            "ticket_max": "1.2亿",
            "stages": ["", "angel", "a"],
            "thesis": "看好氢能重卡与储能。",
            "portfolio": "清源储能科技（储能，A轮）\n氢途科技（氢能，天使轮）",
            "contact_name": "",
            "contact_phone": "",
            "contact_email": "",
        },
    )
    assert saved.status_code == 303, field_errors(text_of(saved), "")
    with transaction(factory) as db:
        found = db.scalar(select(Institution).where(Institution.code == "T-I01"))
        assert found is not None
        assert (found.ticket_min, found.ticket_max) == (5_000_000, 120_000_000)
        assert found.stages == ["angel", "a"] and found.regions == ["山西", "内蒙古"]
        assert [(e.company, e.stage.value if e.stage else None) for e in found.portfolio] == [
            ("清源储能科技", "a"),
            ("氢途科技", "angel"),
        ]
    [(actor, before, after)] = trail(factory, Institution, "T-I01")
    assert actor == "investor" and before["thesis"].startswith("看好新型电力系统")
    assert after["portfolio"] == ["清源储能科技（储能，A轮）", "氢途科技（氢能，天使轮）"]
    sign_in(client, factory, "investor_b")
    assert client.get("/institutions/T-I01/edit", headers=HTML).status_code == 403
    assert client.post("/institutions/T-I01/edit", data={"csrf": CSRF}).status_code == 403


def test_bad_values_are_named_beside_their_fields_kept_as_typed_and_nothing_is_saved(
    client: Any, accounts: Any, factory: Any
) -> None:
    before = db_snapshot(factory, "projects", "institutions", "audit_entries")
    sign_in(client, factory, "entrant")
    refused = client.post(
        "/projects/T-P001/edit",
        data=project_form(
            name="", funding_ask="五百万万", contact_email="zw@", description="新简介不应保存"
        ),
    )
    assert refused.status_code == 422
    page = text_of(refused)
    assert field_errors(page, "funding_ask") and "金额" in field_errors(page, "funding_ask")[0]
    assert field_errors(page, "contact_email") == ["电子邮箱格式有误"]
    assert field_errors(page, "name")
    assert 'value="五百万万"' in page and "新简介不应保存" in page  # what was typed stays
    assert "资料未保存" in page
    sign_in(client, factory, "investor")
    inverted = client.post(
        "/institutions/T-I01/edit",
        data={"csrf": CSRF, "ticket_min": "3000", "ticket_max": "300", "thesis": "不应保存"},
    )
    assert inverted.status_code == 422
    assert field_errors(text_of(inverted), "ticket_min") == ["单笔投资额下限大于上限"]
    taken = client.post("/institutions/T-I01/edit", data={"csrf": CSRF, "name": "晋商银行科技支行"})
    assert taken.status_code == 422
    assert "T-I03" in field_errors(text_of(taken), "name")[0]
    assert db_snapshot(factory, "projects", "institutions", "audit_entries") == before


# ---- locked fields -------------------------------------------------------------------------


def test_locked_fields_are_read_only_to_the_party_and_open_to_organisers(
    client: Any, accounts: Any, factory: Any
) -> None:
    sign_in(client, factory, "organiser")
    assert client.get("/locks", headers=HTML).status_code == 200
    set_locks = client.post(
        "/locks", data={"csrf": CSRF, "locked_fields": ["name", "track"], "deadline": ""}
    )
    assert set_locks.status_code == 303
    assert "名称、赛道" in text_of(client.get("/locks", headers=HTML))
    # the page shows them greyed out, not as inputs
    sign_in(client, factory, "entrant")
    form = text_of(client.get("/projects/T-P001/edit", headers=HTML))
    assert 'data-locked="name"' in form and 'data-locked="track"' in form
    assert 'name="name"' not in form and 'name="description"' in form
    # a post naming a locked field (a stale or crafted form) leaves it alone
    client.post("/projects/T-P001/edit", data=project_form(name="改名后", region="山西省晋中市"))
    row = project_row(factory, "T-P001")
    assert (row.name, row.region) == ("晋能储能电池管理系统", "山西省晋中市")
    # the API refuses it, naming the field; the same value sent back is fine
    api = client.patch(
        "/api/v1/projects/T-P001", json={"name": "改名后"}, headers=accounts.headers("entrant")
    )
    assert api.status_code == 403
    body = api.get_json()
    assert [e["column"] for e in body["errors"]] == ["name"] and "名称" not in body["message"]
    assert "name" in body["message"]
    same = client.patch(
        "/api/v1/projects/T-P001",
        json={"name": "晋能储能电池管理系统", "track": "green_economy", "stage": "seed"},
        headers=accounts.headers("entrant"),
    )
    assert same.status_code == 200 and same.get_json()["stage"] == "seed"
    organiser = client.patch(
        "/api/v1/projects/T-P001",
        json={"name": "晋能储能BMS"},
        headers=accounts.headers("organiser"),
    )
    assert organiser.status_code == 200
    sign_in(client, factory, "organiser")  # the organiser's form has every field open
    assert 'data-locked="name"' not in text_of(client.get("/projects/T-P001/edit", headers=HTML))
    [(actor, before, after)] = trail(factory, Event, "T2026")
    assert actor == "organiser" and after["locked_fields"] == ["name", "track"]


def test_after_the_deadline_name_track_and_group_lock_by_themselves(
    client: Any, accounts: Any, factory: Any
) -> None:
    sign_in(client, factory, "organiser")
    past = client.post("/locks", data={"csrf": CSRF, "deadline": "2020-01-31"})
    assert past.status_code == 303
    bad = client.post("/locks", data={"csrf": CSRF, "deadline": "31/01/2020"})
    assert bad.status_code == 422 and field_errors(text_of(bad), "deadline")
    refused = client.patch(
        "/api/v1/projects/T-P002",
        json={"group": "enterprise", "description": "新简介"},
        headers=accounts.headers("entrant_b"),
    )
    assert refused.status_code == 403
    assert [e["column"] for e in refused.get_json()["errors"]] == ["group"]
    assert project_row(factory, "T-P002").description.startswith("为居家老人")  # nothing saved
    sign_in(client, factory, "entrant_b")
    form = text_of(client.get("/projects/T-P002/edit", headers=HTML))
    assert all(f'data-locked="{f}"' in form for f in ("name", "track", "group"))
    assert 'data-locked="stage"' not in form and 'data-testid="locked-note"' in form
    mine = accounts.headers("investor")
    investor = client.patch("/api/v1/institutions/T-I01", json={"name": "汾河资本"}, headers=mine)
    assert investor.status_code == 403
    allowed = client.patch("/api/v1/institutions/T-I01", json={"thesis": "新逻辑"}, headers=mine)
    assert allowed.status_code == 200


# ---- attachments ---------------------------------------------------------------------------


def stored_files(app: Any) -> list[str]:
    folder = app.extensions["matchmaker.attachments"].directory
    return sorted(p.name for p in folder.glob("*")) if folder.exists() else []


def upload(client: Any, name: str, content: bytes, code: str = "T-P001") -> Any:
    from io import BytesIO

    return client.post(
        f"/projects/{code}/attachments",
        data={"csrf": CSRF, "file": (BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def test_a_bp_pdf_is_kept_listed_and_downloaded_by_allowed_people_only(
    app: Any, client: Any, accounts: Any, factory: Any
) -> None:
    sign_in(client, factory, "entrant")
    sent = upload(client, "../../商业计划书 2026.pdf", PDF)
    assert sent.status_code == 303
    [stored] = stored_files(app)
    assert stored.endswith(".pdf") and ".." not in stored
    with transaction(factory) as db:
        row = db.scalar(select(Attachment))
        assert row is not None
        attachment_id, filename, size = row.id, row.filename, row.size
    assert filename == "商业计划书 2026.pdf" and size == len(PDF)
    page = text_of(client.get("/projects/T-P001", headers=HTML))
    assert "商业计划书 2026.pdf" in page and "已上传附件" in page
    url = f"/attachments/{attachment_id}"
    for who in ("entrant", "organiser", "staff", "investor", "investor_b"):
        sign_in(client, factory, who)
        with client.get(url) as got:
            assert got.status_code == 200, who
            assert got.data == PDF and got.mimetype == "application/pdf"
            assert "filename*=UTF-8''" in got.headers["Content-Disposition"]
    sign_in(client, factory, "entrant_b")
    assert client.get(url, headers=HTML).status_code == 404
    assert "商业计划书" not in text_of(client.get("/projects/T-P001", headers=HTML))
    # investors download but do not delete; the team does
    sign_in(client, factory, "investor")
    assert client.post(f"{url}/delete", data={"csrf": CSRF}).status_code == 403
    sign_in(client, factory, "entrant")
    gone = client.post(f"{url}/delete", data={"csrf": CSRF})
    assert gone.status_code == 303 and stored_files(app) == []
    assert client.get(url).status_code == 404
    actions = [a for a, _b, _c in trail_actions(factory)]
    assert actions == ["attach", "detach"]


def trail_actions(factory: Any) -> list[tuple[str, Any, Any]]:
    with transaction(factory) as db:
        return [
            (e.action, e.before, e.after)
            for e in db.scalars(
                select(AuditEntry)
                .where(AuditEntry.action.in_(["attach", "detach"]))
                .order_by(AuditEntry.id)
            )
        ]


def test_a_non_pdf_or_oversized_file_is_refused_and_nothing_is_stored(
    make_app: Any, accounts: Any, factory: Any
) -> None:
    app = make_app(MATCHMAKER_ATTACHMENT_MAX_BYTES=2048)
    client = app.test_client()
    sign_in(client, factory, "entrant")
    before = db_snapshot(factory, "attachments", "audit_entries")
    fake = upload(client, "bp.pdf", b"PK\x03\x04 a zip renamed to pdf")
    assert fake.status_code == 422
    assert "不是 PDF" in text_of(fake) and "bp.pdf" in text_of(fake)
    big = upload(client, "big.pdf", PDF + b"0" * 4096)
    assert big.status_code == 413 and "2 KB" in text_of(big)
    huge = upload(client, "huge.pdf", PDF + b"0" * (200 * 1024))  # over the request limit
    assert huge.status_code == 413
    empty = upload(client, "", b"")
    assert empty.status_code == 422
    assert stored_files(app) == []
    assert db_snapshot(factory, "attachments", "audit_entries") == before
    sign_in(client, factory, "entrant_b")  # another team's project: not theirs to add to
    assert upload(client, "bp.pdf", PDF).status_code == 403
    assert stored_files(app) == []


def test_organisers_lock_fields_through_the_api_too(client: Any, accounts: Any) -> None:
    organiser, entrant = accounts.headers("organiser"), accounts.headers("entrant")
    url = "/api/v1/events/T2026/locks"
    assert client.get(url, headers=organiser).get_json()["locked_fields"] == []
    bad = client.put(url, json={"locked_fields": ["name", "password"]}, headers=organiser)
    assert bad.status_code == 422 and "locked_fields" in str(bad.get_json()["errors"])
    assert client.put(url, json={"locked_fields": ["stage"]}, headers=entrant).status_code == 403
    body = {"locked_fields": ["stage"], "registration_deadline": "2020-06-30T18:00:00"}
    done = client.put(url, json=body, headers=organiser)
    assert done.status_code == 200
    assert done.get_json()["registration_deadline"] == "2020-06-30T18:00:00+08:00"
    assert done.get_json()["locked_now"] == ["group", "name", "stage", "track"]
    refused = client.patch("/api/v1/projects/T-P001", json={"stage": "a"}, headers=entrant)
    assert refused.status_code == 403 and refused.get_json()["errors"][0]["column"] == "stage"
    reopened = client.put(url, json={"locked_fields": []}, headers=organiser)
    assert reopened.get_json()["locked_now"] == []
    assert (
        client.patch("/api/v1/projects/T-P001", json={"stage": "a"}, headers=entrant).status_code
        == 200
    )


def test_attachments_over_the_api(app: Any, client: Any, accounts: Any) -> None:
    from io import BytesIO

    entrant, url = accounts.headers("entrant"), "/api/v1/projects/T-P001/attachments"
    made = client.post(
        url,
        data={"file": (BytesIO(PDF), "商业计划书.pdf")},
        content_type="multipart/form-data",
        headers=entrant,
    )
    assert made.status_code == 201, made.get_json()
    body = made.get_json()
    assert body["filename"] == "商业计划书.pdf" and body["size"] == len(PDF)
    listed = client.get(url, headers=accounts.headers("investor_b")).get_json()
    assert [a["id"] for a in listed] == [body["id"]]
    with client.get(f"{url}/{body['id']}", headers=accounts.headers("staff")) as got:
        assert got.status_code == 200 and got.data == PDF
    assert client.get(url, headers=accounts.headers("entrant_b")).status_code == 403
    other = client.get(f"/api/v1/projects/T-P002/attachments/{body['id']}", headers=entrant)
    assert other.status_code == 404  # the file is T-P001's, not T-P002's
    refused = client.post(
        url,
        data={"file": (BytesIO(b"GIF89a"), "bp.pdf")},
        content_type="multipart/form-data",
        headers=entrant,
    )
    assert refused.status_code == 422 and refused.get_json()["errors"][0]["column"] == "file"
    gone = client.delete(f"{url}/{body['id']}", headers=entrant)
    assert gone.status_code == 204 and stored_files(app) == []
