"""Pages speak one language: the duplicates page in Chinese or English (no internal codes, no
half-translated evidence), and no English page writes a Chinese full-width colon."""

from __future__ import annotations

import html
import os
import re
import shutil
from typing import Any

import pytest
from sqlalchemy import select
from tests_support import demo_server, organiser_pages, sign_in

from matchmaker.db.engine import transaction
from matchmaker.db.models import DueDiligence
from matchmaker.messages import render
from matchmaker.ranking.duplicates import KINDS

HTML = {"Accept": "text/html"}
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")  # characters and punctuation
QUOTED = re.compile(r"「[^」]*」|“[^”]*”")  # quoted registration text is shown as written


def plant_duplicates(client: Any, accounts: Any) -> None:
    """A Traditional copy of T-P001 with a sentence more, and a renamed copy of T-P002."""
    organiser = accounts.headers("organiser")
    copies = [
        {
            "id": "T-P901",
            "name": "晉能儲能電池管理系統升級版",
            "track": "绿色经济",
            "description": "面向工商業儲能電站的電池管理系統，已在3個園區試點。"
            "團隊計劃明年擴展到8個園區。",
            "contact_phone": "13800000001",
        },
        {
            "id": "T-P902",
            "name": "银龄守护",
            "track": "银发经济",
            "description": "为居家老人提供跌倒检测与用药提醒的陪护机器人。",
        },
    ]
    for body in copies:
        assert client.post("/api/v1/projects", headers=organiser, json=body).status_code == 201


def duplicate_rows(client: Any, lang: str) -> list[tuple[str, list[str]]]:
    """(kind cell, evidence items) of each row of the duplicates page in ``lang``."""
    page = client.get(f"/duplicates?lang={lang}", headers=HTML).get_data(as_text=True)
    table = page.split('data-testid="duplicates"', 1)[1].split("</table>", 1)[0]
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>", 1)[1], re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        items = [html.unescape(i) for i in re.findall(r"<li>(.*?)</li>", cells[3], re.S)]
        rows.append((html.unescape(cells[2].strip()), items))
    return rows


def test_the_duplicates_page_shows_kinds_and_evidence_in_the_readers_language(
    client: Any, accounts: Any, factory: Any
) -> None:
    plant_duplicates(client, accounts)
    sign_in(client, factory, "organiser")
    for lang in ("zh", "en"):
        rows = duplicate_rows(client, lang)
        assert len(rows) == 2, rows
        labels = {render(f"duplicates.kind.{k}", lang) for k in KINDS}
        assert {kind for kind, _ in rows} <= labels and not {kind for kind, _ in rows} & set(KINDS)
        for _kind, items in rows:
            assert items and not [i for i in items if " / " in i]  # no "中文 / English" pairs
            # what is left once registration text (quotes, ids, figures) is taken out
            words = [
                QUOTED.sub("", re.sub(r"T-P\d+|\d+[个個]|\d[\d.*%]*", "", item)) for item in items
            ]
            if lang == "en":
                assert not [w for w in words if CJK.search(w)], items
                assert not [i for i in items if re.search("[：、（）]", QUOTED.sub("", i))], items
            else:
                assert not [w for w in words if re.search("[A-Za-z]{2,}", w)], items
    chinese = dict(duplicate_rows(client, "zh"))
    english = dict(duplicate_rows(client, "en"))
    assert "繁体抄录" in chinese and "改名重报" in chinese
    assert "T-P901 多出 1 句：「團隊計劃明年擴展到8個園區」" in chinese["繁体抄录"]
    assert (
        "T-P901 has 1 more sentence(s): “團隊計劃明年擴展到8個園區”"
        in english["Copy in Traditional script"]
    )
    assert (
        "Different project names: “智慧养老陪护机器人” ↔ “银龄守护”"
        in english["Copy under another name"]
    )


def test_no_english_page_shows_a_full_width_colon(client: Any, accounts: Any, factory: Any) -> None:
    staff, organiser = accounts.headers("staff"), accounts.headers("organiser")
    plant_duplicates(client, accounts)
    intent = client.post(
        "/api/v1/intents",
        json={
            "project_id": "T-P001",
            "institution_id": "T-I01",
            "status": "negotiating",
            "amount": "300万",
            "reason": "现场洽谈后录入",
        },
        headers=staff,
    )
    assert intent.status_code == 201, intent.get_json()
    task = {"project_id": "T-P001", "institution_id": "T-I01", "owner": "王芳"}
    assert client.post("/api/v1/due-diligence", json=task, headers=staff).status_code == 201
    request = {"session": "S1", "project_id": "T-P001", "institution_id": "T-I01", "slot": 1}
    assert (
        client.post("/api/v1/meeting-requests", json=request, headers=organiser).status_code == 201
    )
    with transaction(factory) as db:
        task_id = db.scalar(select(DueDiligence.id))
    intent_id = intent.get_json()["id"]
    pages = {
        "organiser": [
            *organiser_pages(intent_id, task_id),
            "/import",
            "/setup",
            "/setup/events/T2026/sessions/S1",
            "/intents/import",
            "/projects/T-P999",  # the 404 page
        ],
        "investor": ["/", "/shortlist", "/agenda", "/book", "/intents"],
        "entrant": ["/", "/recommendations", "/agenda", "/book", "/intents"],
    }
    colons = {}
    for who, urls in pages.items():
        sign_in(client, factory, who)
        for url in urls:
            response = client.get(url, headers=HTML | {"Accept-Language": "en"})
            assert response.status_code in (200, 404), (who, url, response.status_code)
            text = html.unescape(response.get_data(as_text=True))
            found = [m.start() for m in re.finditer("：", text)]
            if found:
                colons[(who, url)] = [text[max(0, i - 30) : i + 10] for i in found]
    assert colons == {}
    login = client.get("/login?lang=en", headers=HTML).get_data(as_text=True)
    assert "：" not in login


@pytest.mark.browser
def test_the_english_report_charts_write_no_full_width_punctuation(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    # the charts' tooltips are drawn by static/report.js: only a browser shows them
    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian's chromium is not installed")
    from playwright.sync_api import sync_playwright

    with demo_server(tmp_path_factory.mktemp("report-en"), "--ledger") as base:
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
            )
            page = browser.new_context(base_url=base, locale="en-US").new_page()
            page.goto("/login?lang=en")
            page.fill("input[name=username]", "organiser")
            page.fill("input[name=password]", "demo1234")
            page.click("button[type=submit]")
            page.wait_for_url(re.compile(r"/$"))
            tips = {}
            for lang in ("en", "zh"):
                page.goto(f"/reports?lang={lang}")
                page.wait_for_function("() => window.echarts && document.querySelector('canvas')")
                tips[lang] = ""
                for chart in ("#amount-chart", "#funnel-chart"):  # a tooltip of each chart
                    page.evaluate(
                        "c => echarts.getInstanceByDom(document.querySelector(c))"
                        ".dispatchAction({type: 'showTip', seriesIndex: 0, dataIndex: 0})",
                        chart,
                    )
                    page.wait_for_timeout(300)
                    tips[lang] += page.evaluate(
                        "c => [...document.querySelectorAll(c + ' div')]"
                        ".map(d => d.innerText).join(' ')",
                        chart,
                    )
            browser.close()
    assert "Intended amount: " in tips["en"], tips
    assert not re.search("[：（）]", tips["en"]), tips
    assert "：" in tips["zh"] and "（" in tips["zh"], tips
