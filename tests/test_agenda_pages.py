"""Agenda pages on SQLite and PostgreSQL: the printed agenda's order, what a repair reports."""

from __future__ import annotations

import csv
import html
import io
import re
from typing import Any

import pytest
from tests_support import CSRF, add_session_s3, organiser_books, sign_in

pytestmark = pytest.mark.fake_encoder  # some vectors are needed, no ranking is measured

S1 = "/api/v1/events/T2026/sessions/S1/agenda"


def test_the_print_page_lists_tables_by_number(client: Any, accounts: Any, factory: Any) -> None:
    # sixteen institutions, seated at tables 1–16 in the order they are booked, all in slot 1
    add_session_s3(factory, tables=16, slots=2, institutions=16, projects=16)
    organiser_books(factory, [(f"X-I{n:02d}", f"X-P{n:02d}", 1) for n in range(1, 17)])
    sign_in(client, factory, "organiser")
    page = client.get("/agenda/print?session=S3").get_data(as_text=True)
    assert [int(n) for n in re.findall(r"<td>(\d+)号桌</td>", page)] == list(range(1, 17))
    assert re.search(r"<button [^>]*data-print>打印</button>", page)
    english = client.get("/agenda/print?session=S3", headers={"Accept-Language": "en"})
    english_page = english.get_data(as_text=True)
    tables = [int(n) for n in re.findall(r"<td>Table (\d+)</td>", english_page)]
    assert tables == list(range(1, 17))
    assert re.search(r"<button [^>]*data-print>Print</button>", english_page)
    # the exports share the order
    exported = client.get(
        "/api/v1/events/T2026/agenda.csv?session=S3", headers=accounts.headers("organiser")
    ).data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(exported)))[1:]
    assert [r[4] for r in rows] == [f"{n}号桌" for n in range(1, 17)]


def _placed(client: Any, headers: dict[str, str], project: str) -> set[tuple[str, int]]:
    rows = client.get(S1, headers=headers).get_json()["meetings"]
    return {(r["institution_id"], r["slot"]) for r in rows if r["project_id"] == project}


def test_a_late_arrival_reports_the_meetings_it_dropped(
    client: Any, accounts: Any, factory: Any
) -> None:
    organiser = accounts.headers("organiser")
    assert client.post(S1 + "/build", json={}, headers=organiser).status_code == 200
    # T-P001 meets both institutions of S1; arriving for the last slot only, it keeps one at most
    before = _placed(client, organiser, "T-P001")
    assert {i for i, _slot in before} == {"T-I01", "T-I02"}
    sign_in(client, factory, "organiser")
    form = {"csrf": CSRF, "action": "late", "party": "T-P001", "first_slot": "9"}
    answer = client.post("/sessions/S1/agenda", data=form, follow_redirects=True)
    notice = html.unescape(answer.get_data(as_text=True))
    after = _placed(client, organiser, "T-P001")
    gone = {i for i, _s in before} - {i for i, _s in after}
    assert gone, after
    for institution, slot in before:
        if institution in gone:
            assert f"取消 {institution} × T-P001：原第 {slot} 时段" in notice, notice
    # the API answer lists them too: pair and slot
    before = _placed(client, organiser, "T-P002")
    outcome = client.post(
        S1 + "/late", json={"project_id": "T-P002", "first_slot": 9}, headers=organiser
    ).get_json()
    kept = {i for i, _slot in _placed(client, organiser, "T-P002")}
    dropped = [(d["institution"], d["slot"]) for d in outcome["dropped"]]
    assert dropped and set(dropped) == {(i, s) for i, s in before if i not in kept}, outcome


def test_cancel_and_publish_ask_first_and_lock_does_not(
    client: Any, accounts: Any, factory: Any
) -> None:
    assert client.post(S1 + "/build", json={}, headers=accounts.headers("organiser")).status_code
    sign_in(client, factory, "organiser")
    page = client.get("/sessions/S1/agenda").get_data(as_text=True)
    publish = re.search(r'<form [^>]*data-confirm="([^"]+)"[^>]*>\s*<input[^>]*>\s*'
                        r'<input type="hidden" name="action" value="publish">', page)  # fmt: skip
    assert publish and "确定发布" in html.unescape(publish.group(1))
    cancels = re.findall(r'<button name="action" value="cancel"[^>]*data-confirm="([^"]+)"', page)
    assert cancels and all(html.unescape(c).startswith("取消 ") for c in cancels)
    # each meeting's cancel asks first; the only other cancel button is the answer "yes" in
    # the step the asking one opens (phone.js), itself hidden until asked
    assert 2 * len(cancels) == page.count('value="cancel"')
    assert len(cancels) == page.count('data-ask="confirm-cancel"')
    assert len(cancels) == len(re.findall(r'data-step="confirm-cancel" hidden', page))
    assert re.search(r"取消 T-I0\d × T-P00\d（第 \d 时段）", html.unescape(cancels[0]))
    locks = re.findall(r'<button name="action" value="lock"[^>]*>', page)
    assert locks and not any("data-confirm" in b for b in locks)
