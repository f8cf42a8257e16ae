"""Investors sign up themselves from the event's public page (#15): an application is pending,
seen nowhere but on the organisers' /signups page, until approved (institution and account made,
the account signs in with the password chosen and sees its shortlist) or rejected."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select
from tests_support import CSRF, sign_in

from matchmaker.db.engine import transaction
from matchmaker.db.models import AuditEntry, Institution, SignupRequest, User
from matchmaker.domain import Role
from matchmaker.errors import Conflict, Gone, PermissionDenied
from matchmaker.services.registry.catalog import create_institution
from matchmaker.services.registry.events import get_event
from matchmaker.services.registry.signups import (
    Applicant,
    approve_signup,
    list_signups,
    set_signups_open,
    submit_signup,
)

pytestmark = pytest.mark.fake_encoder  # the shortlist must answer; no ranking is measured

GOOD = "amber lantern over the harbour"
NAME = "太行清洁能源基金"
FORM = {
    "name": NAME,
    "type": "vc",
    "focus_sectors": "储能、氢能",
    "stages": ["angel", "a"],
    "ticket_min": "500",
    "ticket_max": "3000",
    "regions": "山西、全国",
    "thesis": "关注新型储能与氢能装备的早期项目。",
    "contact_name": "赵磊",
    "contact_phone": "13700000042",
    "contact_email": "zhaolei@taihang.example.com",
    "username": "zhaolei@taihang.example.com",
    "password": GOOD,
    "confirm": GOOD,
}
URL = "/events/T2026/signup"


def open_signups(factory: Any, event: str = "T2026", open_: bool = True) -> None:
    with transaction(factory) as db:
        set_signups_open(db, get_event(db, event), open_)


def send(client: Any, **changes: Any) -> Any:
    with client.session_transaction() as session:
        session["csrf"] = CSRF
    return client.post(URL, data={**FORM, **changes, "csrf": CSRF})


def stored(factory: Any) -> list[SignupRequest]:
    with transaction(factory) as db:
        rows = list(db.scalars(select(SignupRequest)))
        db.expunge_all()
        return rows


def institution_count(factory: Any) -> int:
    with transaction(factory) as db:
        return int(db.scalar(select(func.count()).select_from(Institution)) or 0)


def test_an_anonymous_application_is_pending_and_shown_nowhere(
    client: Any, factory: Any, accounts: Any
) -> None:
    open_signups(factory)
    page = client.get(URL)
    assert page.status_code == 200 and "对接服务报名" in page.get_data(as_text=True)
    institutions = institution_count(factory)
    sent = send(client)
    assert sent.status_code == 303 and sent.headers["Location"].endswith(URL)
    done = client.get(URL).get_data(as_text=True)
    assert "组委会将审核" in done and NAME in done
    assert "对接服务报名" in client.get(URL).get_data(as_text=True)  # the thanks show once
    [row] = stored(factory)
    assert row.status == "pending" and row.username == FORM["username"]
    assert row.payload["ticket_min"] == 5_000_000 and row.payload["stages"] == ["angel", "a"]
    assert GOOD not in row.password_hash and row.password_hash.startswith("scrypt:")
    assert institution_count(factory) == institutions
    api = client.get("/api/v1/institutions?event=T2026", headers=accounts.headers("organiser"))
    assert api.status_code == 200 and len(api.get_json()["items"]) == 3
    assert NAME not in api.get_data(as_text=True)
    recommended = client.get(
        "/api/v1/projects/T-P001/recommendations?k=50", headers=accounts.headers("organiser")
    )
    assert NAME not in recommended.get_data(as_text=True)
    sign_in(client, factory, "organiser")
    assert NAME not in client.get("/institutions?event=T2026").get_data(as_text=True)
    listed = client.get("/signups?event=T2026").get_data(as_text=True)
    assert NAME in listed and "13700000042" in listed and "关注新型储能" in listed


def test_approval_makes_the_institution_and_an_account_that_signs_in_and_sees_its_shortlist(
    client: Any, app: Any, factory: Any, accounts: Any
) -> None:
    open_signups(factory)
    send(client)
    [row] = stored(factory)
    sign_in(client, factory, "organiser")
    decided = client.post(f"/signups/{row.id}", data={"csrf": CSRF, "action": "approve"})
    assert decided.status_code == 302
    with client.session_transaction() as session:
        assert "T2026-S001" in session["notice"]["text"]
    with transaction(factory) as db:
        made = db.scalar(select(Institution).where(Institution.code == "T2026-S001"))
        assert made is not None and made.name == NAME and made.ticket_max == 30_000_000
        assert made.focus_sectors == ["储能", "氢能"] and made.contact_phone == "13700000042"
        user = db.scalar(select(User).where(User.username == FORM["username"]))
        assert user is not None and user.role is Role.INVESTOR and user.institution_id == made.id
        trail = set(db.scalars(select(AuditEntry.action).where(AuditEntry.entity_id.in_(
            [made.id, user.id, row.id]))))  # fmt: skip
        assert {"create", "signed_up", "approved"} <= trail
    again = client.post(f"/signups/{row.id}", data={"csrf": CSRF, "action": "approve"})
    assert again.status_code == 302
    with client.session_transaction() as session:
        assert "已处理" in session["notice"]["text"] and session["notice"]["kind"] == "error"
    assert institution_count(factory) == 1 + 3  # tests/data/institutions.csv has three
    listed = client.get("/institutions?event=T2026").get_data(as_text=True)
    assert "T2026-S001" in listed
    investor = app.test_client()
    with investor.session_transaction() as session:
        session["csrf"] = CSRF
    signed = investor.post(
        "/login", data={"csrf": CSRF, "username": FORM["username"], "password": GOOD}
    )
    assert signed.status_code == 302
    shortlist = investor.get("/shortlist")
    assert shortlist.status_code == 200
    assert "晋能储能电池管理系统" in shortlist.get_data(as_text=True)  # tests/data/projects.csv


def test_rejection_needs_a_reason_and_is_final(client: Any, factory: Any, accounts: Any) -> None:
    open_signups(factory)
    send(client)
    [row] = stored(factory)
    sign_in(client, factory, "organiser")
    client.post(f"/signups/{row.id}", data={"csrf": CSRF, "action": "reject", "reason": " "})
    with client.session_transaction() as session:
        assert "拒绝原因" in session["notice"]["text"]
    assert stored(factory)[0].status == "pending"
    client.post(
        f"/signups/{row.id}", data={"csrf": CSRF, "action": "reject", "reason": "非投资机构"}
    )
    [rejected] = stored(factory)
    assert rejected.status == "rejected" and rejected.reason == "非投资机构"
    assert rejected.password_hash == ""
    client.post(f"/signups/{row.id}", data={"csrf": CSRF, "action": "approve"})
    with client.session_transaction() as session:
        assert "已处理（已拒绝" in session["notice"]["text"]
    assert institution_count(factory) == 3
    page = client.get("/signups?event=T2026").get_data(as_text=True)
    assert "非投资机构" in page and "organiser" in page
    # the name is free again: the same institution may apply anew
    assert send(app_client(client)).status_code == 303


def app_client(client: Any) -> Any:
    return client.application.test_client()


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"password": "password12", "confirm": "password12"}, "password", "常见密码"),
        ({"password": "short", "confirm": "short"}, "password", "至少需要 10 个字符"),
        ({"confirm": GOOD + "!"}, "confirm", "两次输入的密码不一致"),
        ({"ticket_min": "5000", "ticket_max": "300"}, "ticket_min", ""),
        ({"ticket_min": "很多"}, "ticket_min", ""),
        ({"name": "汾河新能源创投"}, "name", "T-I01"),  # tests/data/institutions.csv
        ({"name": ""}, "name", "必填"),
        ({"type": ""}, "type", ""),
        ({"contact_phone": ""}, "contact_phone", "必填"),
        ({"contact_email": "zhao@"}, "contact_email", "邮箱"),
        ({"username": "investor"}, "username", "已被使用"),
        ({"username": "赵 磊"}, "username", "用户名需为"),
    ],
)
def test_bad_input_is_shown_beside_its_field_and_nothing_is_stored(
    client: Any, factory: Any, accounts: Any, changes: dict[str, str], field: str, words: str
) -> None:
    open_signups(factory)
    refused = send(client, **changes)
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert f'data-field="{field}"' in text and words in text
    assert "未保存任何内容" in text
    assert "关注新型储能与氢能装备" in text  # what was typed is kept …
    assert GOOD not in text  # … but never the password
    assert stored(factory) == [] and institution_count(factory) == 3


def test_a_name_waiting_for_review_is_taken(client: Any, factory: Any, accounts: Any) -> None:
    open_signups(factory)
    assert send(client).status_code == 303
    twin = send(client, name=NAME.replace("基金", " 基金"), username="another.user")
    assert twin.status_code == 422 and "等待组委会审核" in twin.get_data(as_text=True)
    same_user = send(client, name="另一家机构")
    assert same_user.status_code == 422 and "已被使用" in same_user.get_data(as_text=True)
    assert len(stored(factory)) == 1


def test_closed_and_unknown_events(client: Any, factory: Any, accounts: Any) -> None:
    closed = client.get(URL)
    assert closed.status_code == 410 and "未开放对接服务报名" in closed.get_data(as_text=True)
    assert send(client).status_code == 410 and stored(factory) == []
    assert client.get("/events/NOPE/signup").status_code == 404
    assert 'data-testid="signup-link"' not in client.get("/login").get_data(as_text=True)
    open_signups(factory)
    login = client.get("/login").get_data(as_text=True)
    assert 'data-testid="signup-link"' in login and URL in login
    sign_in(client, factory, "organiser")
    client.post("/signups/open", data={"csrf": CSRF, "open": "0", "event": "T2026"})
    assert app_client(client).get(URL).status_code == 410
    client.post("/signups/open", data={"csrf": CSRF, "open": "1", "event": "T2026"})
    with client.session_transaction() as session:
        assert URL in session["notice"]["text"]
    assert app_client(client).get(URL).status_code == 200


def test_one_address_cannot_flood_the_page(make_app: Any, factory: Any) -> None:
    open_signups(factory)
    client = make_app(MATCHMAKER_RATE_LIMITS=True, MATCHMAKER_SIGNUP_LIMIT="2/hour").test_client()
    assert send(client, name="甲机构", username="user.one").status_code == 303
    assert send(client, name="甲机构").status_code == 422  # a refused form counts too
    flooded = send(client, name="乙机构", username="user.two")
    assert flooded.status_code == 429 and flooded.headers["Retry-After"]
    assert client.get(URL).status_code == 200  # reading the form is never limited
    assert len(stored(factory)) == 1


def test_parties_cannot_decide_and_a_name_taken_since_refuses_approval(
    factory: Any, registered: str
) -> None:
    applicant = Applicant("赵磊", "13700000042", "", "zhao.lei", GOOD, GOOD)
    values = {"name": NAME, "type": "vc", "stages": ["angel"]}
    with transaction(factory) as db:
        event = get_event(db, registered)
        set_signups_open(db, event, True)
        row_id = submit_signup(db, event, values, applicant).id
    with transaction(factory) as db:
        entrant = User(username="e1", role=Role.ENTRANT, project_id=1)
        db.add(entrant)
        db.flush()
        with pytest.raises(PermissionDenied):
            approve_signup(db, row_id, actor=entrant)
        with pytest.raises(PermissionDenied):
            list_signups(db, get_event(db, registered), actor=entrant)
        db.rollback()
    with transaction(factory) as db:  # an import took the name meanwhile
        create_institution(db, get_event(db, registered), {"code": "T-I77", "name": NAME,
                                                           "type": "angel"})  # fmt: skip
    with pytest.raises(Conflict), transaction(factory) as db:
        approve_signup(db, row_id)
    with transaction(factory) as db:
        assert db.get_one(SignupRequest, row_id).status == "pending"
        assert db.scalar(select(func.count()).select_from(User)) == 0
        set_signups_open(db, get_event(db, registered), False)
        with pytest.raises(Gone):
            submit_signup(db, get_event(db, registered), {**values, "name": "新名"}, applicant)


# In-process (click's runner), on SQLite: each command builds its own engine and leaves it to
# the process's end, which PostgreSQL's driver reports as a leak inside one test process.
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_signups_commands(db_url: str, factory: Any, registered: str) -> None:
    from matchmaker.cli import main

    runner = CliRunner()

    def run(*args: str) -> Any:
        return runner.invoke(main, ["--db", db_url, *args], catch_exceptions=False)

    opened = run("signups", "open", "--event", registered)
    assert opened.exit_code == 0 and f"/events/{registered}/signup" in opened.output
    with transaction(factory) as db:
        event = get_event(db, registered)
        for name, username in ((NAME, "zhao.lei"), ("晋中天使会", "wang.min")):
            submit_signup(db, event, {"name": name, "type": "angel"},
                          Applicant("联系人", "13700000001", "", username, GOOD, GOOD))  # fmt: skip
    listed = json.loads(run("--json", "signups", "list", "--event", registered).output)
    assert [r["name"] for r in listed] == [NAME, "晋中天使会"]
    first, second = (str(r["id"]) for r in listed)
    approved = run("signups", "approve", first)
    assert approved.exit_code == 0 and f"{registered}-S001" in approved.output
    assert run("signups", "approve", first).exit_code != 0  # decided already
    no_reason = run("signups", "reject", second)
    assert no_reason.exit_code != 0 and "--reason" in no_reason.output
    assert run("signups", "reject", second, "--reason", "重复报名").exit_code == 0
    everything = json.loads(
        run("--json", "signups", "list", "--event", registered, "--status", "all").output
    )
    assert [(r["status"], r["institution"]) for r in everything] == [
        ("approved", f"{registered}-S001"),
        ("rejected", None),
    ]
    assert run("signups", "close", "--event", registered).exit_code == 0
