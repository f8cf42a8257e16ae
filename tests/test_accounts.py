"""Getting people in (#15): the password policy, bulk invitations, one-time links (invitation and
reset) on their pages, the organiser's accounts page, and disabled accounts."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, update
from tests_support import CSRF, sign_in

from matchmaker.db.engine import transaction
from matchmaker.db.models import Invitation, Project, User
from matchmaker.db.types import utcnow
from matchmaker.domain import Role
from matchmaker.errors import AuthenticationRequired, Gone, InvalidInput, PermissionDenied
from matchmaker.services.registry.accounts import authenticate, create_user, issue_token
from matchmaker.services.registry.events import get_event
from matchmaker.services.registry.invitations import invite_contacts, invites_table
from matchmaker.services.registry.links import open_link, redeem_link, send_link
from matchmaker.services.registry.passwords import password_problems
from matchmaker.services.registry.registrations import import_registrations
from matchmaker.services.registry.roster import list_accounts, set_active

pytestmark = pytest.mark.fake_encoder  # no ranking here: the pages need no real model

MATCHMAKER = str(Path(sys.executable).parent / "matchmaker")
GOOD = "amber lantern over the harbour"
HEADER = "报名编号,项目名称,赛道,联系人,联系电话,电子邮箱\n"


def token_of(link: str) -> str:
    return link.rsplit("/", 1)[1]


# ---- the policy ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("123", "至少需要 10 个字符"),
        ("password12", "常见密码"),
        ("qwertyuiop", "常见密码"),
        ("1234567890", "常见密码"),
        ("aaaaaaaaaaaa", "太容易猜到"),
        ("zhang.wei.2026", "不能与用户名相同"),
    ],
)
def test_weak_passwords_are_refused_with_the_reason(password: str, reason: str) -> None:
    problems = password_problems(password, "zhang.wei.2026")
    assert problems, password
    assert reason in problems[0].message("zh")
    assert problems[0].column == "password"


@pytest.mark.parametrize("password", [GOOD, "春江花月夜我们一起出发", "Lx7#pq2!vz-Harbor"])
def test_a_good_passphrase_passes(password: str) -> None:
    assert password_problems(password, "zhang.wei.2026") == []


def test_the_reason_reads_in_english_too() -> None:
    [problem] = password_problems("password12")
    assert "common password" in problem.message("en")


def run(*args: str, db: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [MATCHMAKER, "--db", db, *args], capture_output=True, text=True, timeout=120, check=False
    )


def test_user_add_applies_the_policy(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'x.db'}"
    assert run("init", db=db).returncode == 0
    short = run("user", "add", "amy", "--role", "staff", "--password", "123", db=db)
    assert short.returncode != 0 and "至少需要 10 个字符" in short.stderr
    common = run("--lang", "en", "user", "add", "amy", "--role", "staff", "--password",
                 "password12", db=db)  # fmt: skip
    assert common.returncode != 0 and "common password" in common.stderr
    good = run("user", "add", "amy", "--role", "staff", "--password", GOOD, db=db)
    assert good.returncode == 0, good.stderr
    again = run("--json", "accounts", "list", db=db)  # no event yet: says so, no crash
    assert again.returncode != 0 and "Traceback" not in again.stderr


# ---- bulk invitations ------------------------------------------------------------------------


def add_projects(factory: Any, event: str, count: int) -> None:
    """``count`` projects T-Q001…; every tenth shares the previous one's e-mail and phone, and
    every seventh has no contact at all."""
    lines = []
    for n in range(1, count + 1):
        k = n - 1 if n % 10 == 0 else n
        phone, email = f"139{k:08d}", f"p{k}@example.com"
        if n % 7 == 0:
            phone, email = "", ""
        lines.append(f"T-Q{n:03d},项目{n:03d}号,绿色经济,联系人{n},{phone},{email}")
    data = (HEADER + "\n".join(lines) + "\n").encode()
    with transaction(factory) as db:
        import_registrations(db, get_event(db, event), "projects", data, "p.csv")


def test_three_hundred_contacts_invited_in_one_call(factory: Any, event: str) -> None:
    add_projects(factory, event, 300)
    with transaction(factory) as db:
        run_ = invite_contacts(db, get_event(db, event), "projects", "https://mm.example.org/")
    assert len(run_.invites) == 300 and run_.skipped == 0
    links = {i.link for i in run_.invites}
    assert len(links) == 300 and all(
        link.startswith("https://mm.example.org/invite/") for link in links
    )
    with transaction(factory) as db:
        users = list(db.scalars(select(User).where(User.role == Role.ENTRANT)))
        assert len(users) == 300
        assert len({u.project_id for u in users}) == 300  # one account per project
        assert len({u.username for u in users}) == 300
        assert all(u.password_hash == "" for u in users)  # nobody hashed: the person chooses
        per_user = db.execute(select(Invitation.user_id, func.count()).group_by(Invitation.user_id))
        assert sorted(n for _u, n in per_user) == [1] * 300
        names = {u.project.code: u.username for u in users}
    assert names["T-Q001"] == "p1@example.com"
    assert names["T-Q010"] == "13900000009"  # p9's e-mail taken by T-Q009: the phone
    assert names["T-Q007"] == f"{event}-T-Q007"  # no contact: event and code
    with transaction(factory) as db:
        again = invite_contacts(db, get_event(db, event), "projects", "https://mm.example.org")
        assert again.invites == [] and again.skipped == 300
        assert db.scalar(select(func.count()).select_from(User)) == 300
        assert db.scalar(select(func.count()).select_from(Invitation)) == 300

    rows = list(csv.reader(io.StringIO(invites_table(run_.invites, "csv").decode("utf-8-sig"))))
    assert rows[0] == [
        "编号",
        "名称",
        "联系人",
        "电话",
        "邮箱",
        "角色",
        "用户名",
        "链接",
        "有效期至",
    ]
    assert len(rows) == 301
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["编号"] == "T-Q001" and first["用户名"] == "p1@example.com"
    assert first["链接"].startswith("https://mm.example.org/invite/")


def test_resend_replaces_links_of_people_not_yet_active(factory: Any, event: str) -> None:
    add_projects(factory, event, 3)
    with transaction(factory) as db:
        first = invite_contacts(db, get_event(db, event), "projects", "http://x")
    with transaction(factory) as db:
        redeem_link(db, token_of(first.invites[0].link), "invite", GOOD)
    with transaction(factory) as db:
        again = invite_contacts(db, get_event(db, event), "projects", "http://x", resend=True)
    assert [i.party_code for i in again.invites] == ["T-Q002", "T-Q003"]  # T-Q001 is active
    with transaction(factory) as db, pytest.raises(Gone) as old:
        open_link(db, token_of(first.invites[1].link), "invite")
    assert "撤销" in old.value.message("zh")
    with transaction(factory) as db:
        assert open_link(db, token_of(again.invites[0].link), "invite").username


def test_institution_contacts_become_investors(factory: Any, registered: str) -> None:
    with transaction(factory) as db:
        run_ = invite_contacts(db, get_event(db, registered), "institutions", "http://x")
        users = db.scalars(
            select(User).where(User.username.in_([i.username for i in run_.invites]))
        )
        assert {u.role for u in users} == {Role.INVESTOR}
    assert run_.invites and all(i.party_code.startswith("T-I") for i in run_.invites)


def test_parties_cannot_invite(factory: Any, registered: str) -> None:
    with transaction(factory) as db:
        staff = create_user(db, "staffer", Role.STAFF)
        with pytest.raises(PermissionDenied):
            invite_contacts(db, get_event(db, registered), "projects", "http://x", actor=staff)


# ---- the link pages --------------------------------------------------------------------------


@pytest.fixture
def invited(factory: Any, registered: str) -> dict[str, str]:
    """Project contacts of the test event invited: their project code → link token."""
    with transaction(factory) as db:
        run_ = invite_contacts(db, get_event(db, registered), "projects", "http://localhost")
    return {i.party_code: token_of(i.link) for i in run_.invites}


def open_with_csrf(client: Any) -> None:
    with client.session_transaction() as session:
        session["csrf"] = CSRF


def test_invitation_page_sets_the_password_and_signs_in(
    client: Any, invited: dict[str, str]
) -> None:
    token = invited["T-P001"]
    page = client.get(f"/invite/{token}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "张伟" in text and "参赛项目" in text and "晋能储能电池管理系统" in text
    open_with_csrf(client)
    for weak, reason in (("123", "至少需要 10 个字符"), ("password12", "常见密码")):
        refused = client.post(
            f"/invite/{token}", data={"password": weak, "confirm": weak, "csrf": CSRF}
        )
        assert refused.status_code == 422
        assert reason in refused.get_data(as_text=True)
        assert 'data-field="password"' in refused.get_data(as_text=True)
    differs = client.post(
        f"/invite/{token}", data={"password": GOOD, "confirm": GOOD + "!", "csrf": CSRF}
    )
    assert differs.status_code == 422 and "两次输入的密码不一致" in differs.get_data(as_text=True)
    done = client.post(f"/invite/{token}", data={"password": GOOD, "confirm": GOOD, "csrf": CSRF})
    assert done.status_code == 302 and done.headers["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200 and "张伟" in home.get_data(as_text=True)
    again = client.get(f"/invite/{token}")
    assert again.status_code == 410 and "已经使用过" in again.get_data(as_text=True)
    open_with_csrf(client)
    replay = client.post(f"/invite/{token}", data={"password": GOOD, "confirm": GOOD, "csrf": CSRF})
    assert replay.status_code == 410


def test_expired_revoked_and_unknown_links_say_so_and_sign_nobody_in(
    client: Any, factory: Any, invited: dict[str, str]
) -> None:
    expired, revoked = invited["T-P001"], invited["T-P002"]
    with transaction(factory) as db:
        db.execute(update(Invitation).values(expires_at=utcnow() - timedelta(minutes=1))
                   .where(Invitation.user_id == _user_of(db, "T-P001")))  # fmt: skip
        db.execute(update(Invitation).values(revoked_at=utcnow())
                   .where(Invitation.user_id == _user_of(db, "T-P002")))  # fmt: skip
    for token, words, status in (
        (expired, "过期", 410),
        (revoked, "撤销", 410),
        ("no-such-token", "链接无效", 404),
    ):
        page = client.get(f"/invite/{token}")
        assert page.status_code == status and words in page.get_data(as_text=True)
        open_with_csrf(client)
        post = client.post(
            f"/invite/{token}", data={"password": GOOD, "confirm": GOOD, "csrf": CSRF}
        )
        assert post.status_code == status
        assert client.get("/").status_code == 302  # still signed out
    assert client.get(f"/reset/{invited['T-P003']}").status_code == 404  # an invite is no reset


def _user_of(db: Any, code: str) -> int:
    return int(db.scalar(select(User.id).join(Project, User.project_id == Project.id)
                         .where(Project.code == code)))  # fmt: skip


def test_reset_link_works_once_and_signs_out_elsewhere(
    client: Any, factory: Any, accounts: Any
) -> None:
    with transaction(factory) as db:
        sent = send_link(db, "investor", "reset", "http://localhost")
    other = client.application.test_client()
    sign_in(other, factory, "investor")
    assert other.get("/").status_code == 200
    token = token_of(sent.link)
    assert "investor" in client.get(f"/reset/{token}").get_data(as_text=True)
    open_with_csrf(client)
    new = "a brand new passphrase for x"
    done = client.post(f"/reset/{token}", data={"password": new, "confirm": new, "csrf": CSRF})
    assert done.status_code == 302
    assert client.get("/").status_code == 200
    assert other.get("/").status_code == 302  # the other browser is signed out
    assert client.get(f"/reset/{token}").status_code == 410
    with transaction(factory) as db:
        with pytest.raises(AuthenticationRequired):
            authenticate(db, "investor", accounts.password)
        assert authenticate(db, "investor", new).username == "investor"


# ---- disabled accounts -----------------------------------------------------------------------


def test_a_disabled_account_signs_in_nowhere(client: Any, factory: Any, accounts: Any) -> None:
    page = client.application.test_client()
    sign_in(page, factory, "investor")
    with transaction(factory) as db:
        token, _row = issue_token(
            db, db.scalars(select(User).where(User.username == "investor")).one()
        )
        set_active(db, "investor", False)
    assert page.get("/").status_code == 302
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    login = client.get("/login")
    assert login.status_code == 200
    open_with_csrf(client)
    refused = client.post("/login", data={"username": "investor", "password": accounts.password,
                                          "csrf": CSRF})  # fmt: skip
    assert refused.status_code == 401
    with transaction(factory) as db:
        with pytest.raises(Gone):
            send_link(db, "investor", "reset", "http://x")
        set_active(db, "investor", True)
        assert authenticate(db, "investor", accounts.password).active


def test_an_organiser_cannot_disable_themself(factory: Any, accounts: Any) -> None:
    with transaction(factory) as db:
        me = db.scalars(select(User).where(User.username == "organiser")).one()
        with pytest.raises(InvalidInput):
            set_active(db, "organiser", False, actor=me)


# ---- the organiser's page and commands -------------------------------------------------------


def test_accounts_page_lists_searches_invites_and_sends_links(
    client: Any, factory: Any, accounts: Any
) -> None:
    sign_in(client, factory, "organiser")
    page = client.get("/accounts?event=T2026").get_data(as_text=True)
    assert "entrant_b" in page and "已激活" in page  # the investor has a password
    got = client.post("/accounts/invite", data={"csrf": CSRF, "source": "projects", "fmt": "csv"})
    assert got.status_code == 200 and got.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(got.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows and {"T-P001", "T-P002"}.isdisjoint(r["编号"] for r in rows)  # they had accounts
    listed = client.get("/accounts?q=" + rows[0]["用户名"]).get_data(as_text=True)
    assert rows[0]["用户名"] in listed and "已邀请" in listed and "entrant_b" not in listed
    again = client.post(
        "/accounts/invite", data={"csrf": CSRF, "source": "projects", "fmt": "xlsx"}
    )
    assert again.status_code == 302
    with client.session_transaction() as session:
        assert "没有需要邀请的人" in session["notice"]["text"]
    sent = client.post(f"/accounts/{rows[0]['用户名']}", data={"csrf": CSRF, "action": "resend"})
    assert sent.status_code == 302
    with client.session_transaction() as session:
        text = session["notice"]["text"]
    assert "/invite/" in text and rows[0]["链接"] not in text
    client.post(f"/accounts/{rows[0]['用户名']}", data={"csrf": CSRF, "action": "disable"})
    assert "已停用" in client.get("/accounts?q=" + rows[0]["用户名"]).get_data(as_text=True)


def test_accounts_commands(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'x.db'}"
    assert run("demo", "--reset", db=db).returncode == 0
    out = tmp_path / "invites.xlsx"
    made = run("--json", "accounts", "invite", "--from", "institutions", "--output", str(out),
               "--base-url", "https://mm.example.org", "--days", "3", db=db)  # fmt: skip
    assert made.returncode == 0, made.stderr
    result = json.loads(made.stdout)
    assert result["count"] > 30 and out.stat().st_size > 0
    who = result["invites"][0]["username"]
    listed = json.loads(run("--json", "accounts", "list", "--search", who, db=db).stdout)
    assert [r["status"] for r in listed] == ["invited"]
    assert run("accounts", "revoke-invite", who, db=db).returncode == 0
    listed = json.loads(run("--json", "accounts", "list", "--search", who, db=db).stdout)
    assert [r["status"] for r in listed] == ["no_link"]
    link = run("accounts", "resend", who, "--base-url", "https://mm.example.org", db=db)
    assert link.stdout.startswith("https://mm.example.org/invite/")
    assert run("accounts", "disable", who, db=db).returncode == 0
    listed = json.loads(run("--json", "accounts", "list", "--search", who, db=db).stdout)
    assert [r["status"] for r in listed] == ["disabled"]
    assert run("accounts", "enable", who, db=db).returncode == 0
    reset = run("accounts", "reset", "investor", db=db)
    assert reset.returncode == 0 and "/reset/" in reset.stdout
    bad = run("accounts", "invite", "--from", "projects", "--days", "0", db=db)
    assert bad.returncode != 0 and "1 至 365" in bad.stderr


def test_listing_needs_an_organiser(factory: Any, registered: str) -> None:
    with transaction(factory) as db:
        entrant = create_user(db, "e1", Role.ENTRANT, project=db.scalars(select(Project)).first())
        with pytest.raises(PermissionDenied):
            list_accounts(db, get_event(db, registered), actor=entrant)
