"""The follow-up pages: the intent ledger, the due-diligence board and the report with charts.

Page tests run on SQLite and PostgreSQL through Flask's client; the last test drives Debian's
Chromium against the real server with every request leaving this machine refused, and checks
the drawn charts hold exactly the numbers of the JSON report.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from tests_support import CSRF, api_json, sign_in
from tests_support import demo_server as running_demo

from matchmaker.db.engine import transaction
from matchmaker.db.models import AuditEntry, Intent, MatchmakingSession, Project, User
from matchmaker.services.ledger.intents import history, today_local

HTML = {"Accept": "text/html"}


def today() -> Any:
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


def record(client: Any, accounts: Any, project: str, institution: str, **body: Any) -> int:
    """Record an intent through the API as staff; return its id."""
    payload = {"project_id": project, "institution_id": institution, **body}
    made = client.post("/api/v1/intents", json=payload, headers=accounts.headers("staff"))
    assert made.status_code == 201, made.get_json()
    return int(made.get_json()["id"])


def ledger_state(factory: Any) -> list[tuple[Any, ...]]:
    """Every intent's fields and the audit count: what 'nothing changed' compares."""
    with transaction(factory) as db:
        rows = [
            (i.id, i.status, i.amount, i.signed_at, i.version, i.note, i.drop_reason)
            for i in db.scalars(select(Intent).order_by(Intent.id))
        ]
        rows.append(("audit", db.scalar(select(func.count()).select_from(AuditEntry))))
    return rows


def text_of(response: Any) -> str:
    return response.get_data(as_text=True)


def rows_of(page: str) -> list[int]:
    """The intents a ledger page lists."""
    return [int(i) for i in re.findall(r'<tr data-intent="(\d+)">', page)]


def field_errors(page: str, field: str) -> list[str]:
    found = re.findall(rf'<span class="field-error"[^>]*data-field="{field}">([^<]*)</span>', page)
    return [html.unescape(f) for f in found]


@pytest.fixture
def ledger(client: Any, accounts: Any) -> dict[str, int]:
    """Three intents: 500万 signed in S1, 1.2亿 signed in S2, one watching."""
    signed = (today() - timedelta(days=2)).isoformat()
    return {
        "small": record(
            client, accounts, "T-P001", "T-I01", status="signed", session="S1",
            amount="500万", signed_at=signed,
        ),
        "large": record(
            client, accounts, "T-P003", "T-I03", status="signed", session="S2",
            amount="1.2亿", signed_at=signed,
        ),
        "watching": record(client, accounts, "T-P002", "T-I02", status="watching", session="S1"),
    }  # fmt: skip


def test_ledger_shows_amounts_as_the_press_writes_them_and_reconciles_with_the_report(
    client: Any, accounts: Any, factory: Any, ledger: dict[str, int]
) -> None:
    sign_in(client, factory, "staff")
    page = client.get("/intents", headers=HTML)
    assert page.status_code == 200
    body = text_of(page)
    assert "500万元" in body and "1.2亿元" in body and "签约意向" in body and "关注" in body
    total = re.search(r'data-testid="ledger-signed-amount" data-yuan="(\d+)">([^<]+)<', body)
    assert total is not None and total.groups() == ("125000000", "1.25亿元")
    report = client.get("/api/v1/reports/funnel?by=session", headers=accounts.headers("staff"))
    groups = {g["key"]: g["signed"]["amount"] for g in report.get_json()["groups"]}
    assert groups == {"S1": 5_000_000, "S2": 120_000_000}
    for key, amount in groups.items():  # the report's "明细" link opens a ledger that agrees
        filtered = text_of(client.get(f"/intents?session={key}", headers=HTML))
        assert f'data-testid="ledger-signed-amount" data-yuan="{amount}"' in filtered
    searched = text_of(client.get("/intents?q=储能", headers=HTML))
    assert rows_of(searched) == [ledger["small"]]
    assert rows_of(text_of(client.get("/intents?q=silverline", headers=HTML))) == [
        ledger["watching"]
    ]


def test_an_invalid_edit_shows_each_problem_by_its_field_and_changes_nothing(
    client: Any, factory: Any, ledger: dict[str, int]
) -> None:
    sign_in(client, factory, "staff")
    url = f"/intents/{ledger['watching']}"
    before = ledger_state(factory)
    form = {"csrf": CSRF, "version": "1", "status": "signed", "amount": "", "session": "S1"}
    refused = client.post(url, data=form, headers=HTML)
    assert refused.status_code == 422
    page = text_of(refused)
    assert field_errors(page, "amount") == ["“签约意向”需要填写金额"]
    assert field_errors(page, "signed_at") == ["“签约意向”需要填写签约日期"]
    assert "投资意向有误：2 处问题，未做任何修改" in page
    assert 'value="signed" selected' in page  # the user's input is kept for correcting
    garbled = client.post(url, data={**form, "amount": "约五百万"}, headers=HTML)
    assert garbled.status_code == 422  # every problem at once: the form's and the ladder's
    assert field_errors(text_of(garbled), "amount")[0].startswith("无法识别的金额")
    assert field_errors(text_of(garbled), "signed_at") == ["“签约意向”需要填写签约日期"]
    assert ledger_state(factory) == before

    saved = client.post(url, data={**form, "status": "negotiating", "amount": "300"})
    assert saved.status_code == 302  # a bare number on the form is 万元
    with transaction(factory) as db:
        intent = db.get_one(Intent, ledger["watching"])
        assert (intent.amount, intent.version) == (3_000_000, 2)
    back = client.post(url, data={**form, "status": "watching", "amount": "300万", "version": "2"})
    assert back.status_code == 422
    assert field_errors(text_of(back), "reason") == ["状态从“意向洽谈”退回需要填写原因"]
    stale = client.post(url, data={**form, "status": "negotiating", "amount": "400万"})
    assert stale.status_code == 302  # version 1 is stale: redirected to the current record
    shown = text_of(client.get(url, headers=HTML))
    assert "该记录已被他人修改" in shown and "300万元" in shown
    assert "状态往回退或重新开启已终止的意向时必填" in shown
    history = shown.split('data-testid="history"')[1]
    assert "新建" in history and "<s>关注</s> → <b>意向洽谈</b>" in history


def test_recording_from_the_ledger_form_and_the_history_in_beijing_time(
    client: Any, factory: Any, accounts: Any
) -> None:
    sign_in(client, factory, "staff")
    form = {
        "csrf": CSRF,
        "project": "T-P004",
        "institution": "T-I03",
        "status": "signed",
        "session": "S2",
        "amount": "1.5亿",
        "signed_at": today().isoformat(),
        "signatories": "王总",
    }
    made = client.post("/intents", data=form)
    assert made.status_code == 302
    page = text_of(client.get(made.headers["Location"], headers=HTML))
    assert "已登记" in page and "1.5亿元" in page
    stamp = datetime.now(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d")
    assert stamp in page.split('data-testid="history"')[1]
    again = client.post("/intents", data=form, headers=HTML)  # the pair already has one
    assert again.status_code == 422 and "已有一条投资意向" in text_of(again)
    forged = client.post("/intents", data={**form, "csrf": "wrong"}, headers=HTML)
    assert forged.status_code == 400


def test_an_investor_sees_and_edits_only_their_own_institutions_intents(
    client: Any, factory: Any, ledger: dict[str, int]
) -> None:
    sign_in(client, factory, "investor")  # of T-I01 (汾河新能源创投)
    page = text_of(client.get("/intents", headers=HTML))
    assert rows_of(page) == [ledger["small"]]
    assert "Silverline Angels" not in page.split('data-testid="intent-new"')[0]
    assert "晋商银行科技支行" not in page  # not even in the form's institution choices
    assert client.get(f"/intents/{ledger['large']}", headers=HTML).status_code == 404
    other = {"csrf": CSRF, "project": "T-P002", "institution": "T-I02", "status": "watching"}
    assert client.post("/intents", data=other, headers=HTML).status_code == 403
    assert client.get("/intents/export.csv", headers=HTML).status_code == 403
    assert client.get("/reports", headers=HTML).status_code == 403


def test_an_entrant_reads_their_own_project_and_cannot_open_reports(
    client: Any, factory: Any, ledger: dict[str, int]
) -> None:
    sign_in(client, factory, "entrant")  # of T-P001
    page = text_of(client.get("/intents", headers=HTML))
    assert rows_of(page) == [ledger["small"]]
    assert 'data-testid="intent-new"' not in page
    intent = text_of(client.get(f"/intents/{ledger['small']}", headers=HTML))
    assert 'data-testid="intent-edit"' not in intent and "500万元" in intent
    refused = client.get("/reports", headers=HTML)
    assert refused.status_code == 403 and "无权" in text_of(refused)
    assert 'href="/reports"' not in page  # nor offered in the navigation


def region_choices(page: str) -> list[str]:
    """The options of the ledger's region filter (the first, "any", left out)."""
    found = re.search(r'<select name="region"[^>]*>(.*?)</select>', page, re.S)
    assert found is not None
    return [html.unescape(v) for v in re.findall(r'<option value="([^"]*)"', found.group(1))][1:]


def test_the_region_filter_offers_only_regions_of_intents_the_user_may_see(
    client: Any, factory: Any, ledger: dict[str, int]
) -> None:
    """T-P001 is in 太原, T-P002 in 大同 and T-P003 in 香港; each has one intent."""
    seen = {}
    for who in ("entrant", "entrant_b", "investor", "staff"):
        sign_in(client, factory, who)
        seen[who] = region_choices(text_of(client.get("/intents", headers=HTML)))
    assert seen == {
        "entrant": ["山西省太原市"],  # T-P001's own
        "entrant_b": ["山西省大同市"],  # T-P002's own
        "investor": ["山西省太原市"],  # T-I01's one intent is with T-P001
        "staff": ["山西省大同市", "山西省太原市", "香港"],
    }


def test_the_board_puts_overdue_first_highlighted_and_refuses_an_ownerless_task(
    client: Any, accounts: Any, factory: Any, ledger: dict[str, int]
) -> None:
    staff = accounts.headers("staff")
    day = today()
    for project, institution, due in (
        ("T-P001", "T-I01", day - timedelta(days=3)),
        ("T-P003", "T-I03", day + timedelta(days=40)),
        ("T-P002", "T-I02", day),
    ):
        body = {"project_id": project, "institution_id": institution, "owner": "王敏"}
        made = client.post(
            "/api/v1/due-diligence", json={**body, "due_date": due.isoformat()}, headers=staff
        )
        assert made.status_code == 201, made.get_json()
    sign_in(client, factory, "staff")
    page = text_of(client.get("/due-diligence", headers=HTML))
    overdue = page.split('data-testid="dd-overdue"')[1].split("</table>")[0]
    assert 'class="overdue"' in overdue and "晋能储能电池管理系统" in overdue
    assert "逾期 3 天" in overdue
    assert "智慧养老陪护机器人" in page.split('data-testid="dd-this_week"')[1].split("</table>")[0]
    assert "港澳跨境冷鏈物流平台" in page.split('data-testid="dd-later"')[1].split("</table>")[0]
    digest = page.split('data-testid="digest"')[1].split("</pre>")[0]
    assert "已逾期（1）" in digest
    form = {"csrf": CSRF, "project": "T-P004", "institution": "T-I03", "owner": " "}
    refused = client.post("/due-diligence", data=form, headers=HTML)
    assert refused.status_code == 422
    assert field_errors(text_of(refused), "owner") == ["进行中的尽调任务需要负责人"]
    sign_in(client, factory, "investor_b")  # reads T-I02's task only, and cannot write
    theirs = text_of(client.get("/due-diligence", headers=HTML))
    assert "智慧养老陪护机器人" in theirs and "晋能储能电池管理系统" not in theirs
    assert 'data-testid="task-new"' not in theirs


def test_the_report_page_embeds_the_json_report_and_offers_the_workbook(
    client: Any, accounts: Any, factory: Any, ledger: dict[str, int]
) -> None:
    sign_in(client, factory, "organiser")
    page = text_of(client.get("/reports?by=track", headers=HTML))
    embedded = re.search(r'<script type="application/json" id="report-data">(.*?)</script>', page)
    assert embedded is not None
    shown = json.loads(embedded.group(1))
    api = client.get("/api/v1/reports/funnel?by=track", headers=accounts.headers("staff"))

    def steady(data: dict[str, Any]) -> dict[str, Any]:  # drop what depends on the clock
        data.pop("generated_at")
        for funnel in [data["total"], *data["groups"]]:
            funnel.pop("days_in_stage")
        return data

    assert steady(shown) == steady(api.get_json())
    assert shown["total"]["signed"]["amount_text"] == "1.25亿元" and "1.25亿元" in page
    assert "vendor/echarts/echarts.min.js" in page and "//cdn" not in page
    workbook = client.get("/reports/funnel.xlsx?by=session", headers=HTML)
    assert workbook.status_code == 200 and workbook.data[:2] == b"PK"


def test_the_ledger_import_page_lists_every_problem_then_imports(
    client: Any, factory: Any, accounts: Any
) -> None:
    sign_in(client, factory, "staff")
    bad = "项目编号,机构编号,状态,金额(万元)\nT-P001,T-I01,签约意向,500\nT-P009,T-I02,关注,\n"
    refused = client.post(
        "/intents/import",
        data={"csrf": CSRF, "file": (_bytes(bad), "意向.csv")},
        headers=HTML,
    )
    assert refused.status_code == 422
    problems = text_of(refused).split('data-testid="import-problems"')[1]
    assert "签约日期" in problems and "没有这个项目编号" in problems
    assert ledger_state(factory) == [("audit", 0)]
    good = "项目编号,机构编号,状态,金额(万元)\nT-P001,T-I01,意向洽谈,500\n"
    done = client.post(
        "/intents/import", data={"csrf": CSRF, "file": (_bytes(good), "意向.csv")}, headers=HTML
    )
    assert done.status_code == 200 and "新增 1" in text_of(done)
    export = client.get("/intents/export.csv", headers=HTML)
    assert export.status_code == 200 and "T-P001" in export.data.decode("utf-8-sig")


def test_the_demo_ledger_fills_every_page(factory: Any) -> None:
    """`load_demo(ledger=True)`: intents along the ladder, one stepped back, tasks by urgency."""
    from matchmaker.services.ledger.digest import digest
    from matchmaker.services.ledger.reports import report
    from matchmaker.services.operations.demo import load_demo

    with transaction(factory) as db:
        event, _accounts = load_demo(db, ledger=True)
        data = report(db, event, "session")
        staff = db.scalar(select(User).where(User.username == "staff"))
        chase = digest(db, staff, event)
        trails = db.scalar(select(func.count()).select_from(AuditEntry))
    # 18 pairs met at the pre-contest session five weeks ago; 12 of them led to an intent
    assert data["total"]["meetings_held"] == 18
    assert data["total"]["follow_ups"]["count"] == 12
    assert data["total"]["signed"]["amount_text"] == "9600万元"
    assert data["total"]["invested"]["amount"] == 12_000_000
    assert sum(g["signed"]["amount"] for g in data["groups"]) == 96_000_000
    assert (len(chase.overdue), len(chase.due_this_week)) == (1, 1)
    # every intent and task was recorded through the services, and the S0 agenda's build and
    # publish
    assert trails == 12 + 1 + 4 + 2
    # the invented history is dated as its story goes, so the stays in each stage are not zero
    stays = data["total"]["days_in_stage"]
    assert stays["signed"]["intents"] == 5 and 2 <= stays["signed"]["median"] <= 9
    assert stays["due_diligence"]["median"] >= 9 and stays["invested"]["median"] >= 9
    with transaction(factory) as db:
        stepped_back = db.scalar(select(Intent).join(Project).where(Project.code == "XH2026-P010"))
        trail = [(e.action, e.at) for e in history(db, "intents", stepped_back.id)]
    assert [a for a, _at in trail] == ["create", "update"]
    assert (trail[1][1] - trail[0][1]).days == 7  # signed eight days ago, back one day ago
    with transaction(factory) as db:
        held = db.scalars(select(MatchmakingSession).where(MatchmakingSession.code == "S0")).one()
        first_signing = min(i.signed_at for i in db.scalars(select(Intent)) if i.signed_at)
        assert held.ends_at.date() < first_signing < today_local()
        assert {i.session_id for i in db.scalars(select(Intent))} == {held.id}
        upcoming = db.scalars(select(MatchmakingSession).where(MatchmakingSession.code != "S0"))
        assert min(s.starts_at for s in upcoming).date() > today_local()


def _bytes(text: str) -> Any:
    import io

    return io.BytesIO(text.encode("utf-8"))


# ---- in a real browser, offline ------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`matchmaker demo --reset` then `matchmaker serve`, as `make run` does."""
    with running_demo(tmp_path_factory.mktemp("ledger-server")) as base:
        yield base


@pytest.mark.browser
def test_report_charts_render_offline_and_match_the_json_report(demo_server: str) -> None:
    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian's chromium is not installed (make test installs it when run as root)")
    from playwright.sync_api import sync_playwright

    shots = Path(os.environ.get("MM_SHOTS", "/tmp"))
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        context = browser.new_context(
            base_url=demo_server, locale="zh-CN", viewport={"width": 1280, "height": 900}
        )
        aborted: list[str] = []

        def guard(route: Any) -> None:
            if route.request.url.startswith("http://127.0.0.1:"):
                route.continue_()
            else:
                aborted.append(route.request.url)
                route.abort()

        context.route("**/*", guard)
        page = context.new_page()
        page.goto("/login")
        page.fill("input[name=username]", "staff")
        page.fill("input[name=password]", "demo1234")
        page.click("button[type=submit]")
        page.click("nav >> text=投资意向")
        day = today().isoformat()
        for project, institution, status, session, amount in (
            ("XH2026-P020", "XH2026-I02", "signed", "S1", "1.2亿"),
            ("XH2026-P021", "XH2026-I03", "negotiating", "S2", "300万"),
            ("XH2026-P022", "XH2026-I04", "signed", "S3", "800"),
        ):
            page.goto("/intents")
            form = page.locator("[data-testid=intent-new]")
            form.locator("select[name=project]").select_option(project)
            form.locator("select[name=institution]").select_option(institution)
            form.locator("select[name=status]").select_option(status)
            form.locator("select[name=session]").select_option(session)
            form.locator("input[name=amount]").fill(amount)
            if status == "signed":
                form.locator("input[name=signed_at]").fill(day)
            form.locator("button[type=submit]").click()
            assert "已登记" in page.locator("[data-testid=notice]").inner_text()
        # the last one goes back a step: refused without a reason, then saved with one
        edit = page.locator("[data-testid=intent-edit]")
        edit.locator("select[name=status]").select_option("negotiating")
        edit.locator("button[type=submit]").click()
        assert "退回需要填写原因" in page.locator(".field-error[data-field=reason]").inner_text()
        edit.locator("input[name=reason]").fill("估值分歧，回到洽谈")
        edit.locator("button[type=submit]").click()
        assert page.locator("[data-testid=intent-status]").inner_text() == "意向洽谈"
        assert "估值分歧，回到洽谈" in page.locator("[data-testid=history]").inner_text()

        page.click("nav >> text=对接成效")
        instance = "(id) => echarts.getInstanceByDom(document.getElementById(id))"
        page.wait_for_function(f"() => window.echarts && ({instance})('amount-chart')")
        charts = page.evaluate(
            f"""() => {{
              const option = (id) => ({instance})(id).getOption();
              const bars = option('amount-chart'), funnel = option('funnel-chart');
              return {{
                groups: bars.yAxis[0].data,
                signed: bars.series[0].data,
                invested: bars.series[1].data,
                axis: bars.xAxis[0].name,
                funnel: funnel.series[0].data.map((d) => [d.name, d.value]),
              }};
            }}"""
        )
        credentials = {"username": "staff", "password": "demo1234"}
        token = api_json(demo_server, "/api/v1/auth/token", body=credentials)["token"]
        report = api_json(demo_server, "/api/v1/reports/funnel?by=session", token)
        groups = report["groups"]
        assert charts["groups"] == [g["label"] for g in groups]
        assert charts["signed"] == [g["signed"]["amount"] for g in groups]
        assert charts["invested"] == [g["invested"]["amount"] for g in groups]
        total = report["total"]
        steps = ("follow_ups", "negotiating", "signed", "due_diligence", "invested")
        assert [v for _name, v in charts["funnel"]] == [total["meetings_held"]] + [
            total[s]["count"] for s in steps
        ]
        assert [n for n, _v in charts["funnel"]][:2] == ["已会见", "后续跟进"]
        assert charts["axis"] == "万元"
        assert sum(charts["signed"]) == total["signed"]["amount"]  # the groups add up exactly
        headline = page.locator("[data-testid=headline]").inner_text()
        assert headline == report["headline"] and "亿元" in headline
        table_total = page.locator("[data-testid=funnel-total] td.amount").first
        assert table_total.get_attribute("data-yuan") == str(total["signed"]["amount"])
        page.screenshot(path=str(shots / "report.png"), full_page=True)
        context.close()
        browser.close()
    assert aborted == []
