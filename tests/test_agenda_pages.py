"""Agenda pages on SQLite and PostgreSQL: the printed agenda's order."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from tests_support import add_session_s3, organiser_books, sign_in


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
