"""Due-diligence tasks, the Shanghai-day digest and its mail, the ledger CLI, and every role check
of the ledger's endpoints."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from tests_support import assert_error

from matchmaker.db.engine import transaction
from matchmaker.services.registry.events import get_event

URL = "/api/v1/due-diligence"
MATCHMAKER = str(Path(sys.executable).parent / "matchmaker")


def task(client: Any, headers: dict[str, str], **body: Any) -> Any:
    payload = {"project_id": "T-P001", "institution_id": "T-I01", "owner": "王敏", **body}
    return client.post(URL, json=payload, headers=headers)


def test_tasks_are_checked_audited_and_versioned(client, accounts) -> None:  # type: ignore[no-untyped-def]
    staff = accounts.headers("staff")
    assert "负责人" in assert_error(task(client, staff, owner=""), 422)["errors"][0]["message"]
    made = task(client, staff, due_date="2026-11-30", next_follow_up="2026-11-26")
    assert made.status_code == 201, made.get_json()
    body = made.get_json()
    assert body["status"] == "open" and body["status_label"] == "进行中"
    done_without_outcome = client.patch(
        f"{URL}/{body['id']}", json={"status": "done"}, headers=staff
    )
    assert "结果" in assert_error(done_without_outcome, 422)["errors"][0]["message"]
    finished = client.patch(
        f"{URL}/{body['id']}",
        json={"status": "done", "outcome": "现场考察完成，进入投决", "version": 1},
        headers=staff,
    )
    assert finished.status_code == 200 and finished.get_json()["version"] == 2
    stale = client.patch(f"{URL}/{body['id']}", json={"owner": "李雷", "version": 1}, headers=staff)
    assert_error(stale, 409)
    trail = client.get(f"{URL}/{body['id']}/history", headers=staff).get_json()
    assert [e["action"] for e in trail] == ["create", "update"]
    assert trail[1]["before"] == {"status": "open", "outcome": ""}
    assert trail[1]["after"] == {"status": "done", "outcome": "现场考察完成，进入投决"}


def test_a_task_links_the_pairs_intent(client, accounts) -> None:  # type: ignore[no-untyped-def]
    staff = accounts.headers("staff")
    intent = client.post(
        "/api/v1/intents",
        json={"project_id": "T-P001", "institution_id": "T-I01", "status": "negotiating"},
        headers=staff,
    ).get_json()
    assert task(client, staff).get_json()["intent_id"] == intent["id"]
    wrong = task(client, staff, project_id="T-P002", intent_id=intent["id"])
    assert "不属于" in assert_error(wrong, 422)["errors"][0]["message"]


def _digest_day(factory: Any, event: str, now: datetime) -> Any:
    from matchmaker.services.ledger.digest import digest

    with transaction(factory) as db:
        found = digest(db, None, get_event(db, event), now)
        return (
            found.day,
            [t.owner for t in found.overdue],
            [t.owner for t in found.due_this_week],
            [t.owner for t in found.follow_up_due],
        )


def test_the_digest_lists_overdue_on_the_right_shanghai_day(client, accounts, factory) -> None:  # type: ignore[no-untyped-def]
    staff = accounts.headers("staff")
    # Monday 2026-11-30 is due for A; B is due on Sunday 12-06; C on 12-07 (next week)
    for owner, due, follow in (
        ("A", "2026-11-30", None),
        ("B", "2026-12-06", "2026-12-01"),
        ("C", "2026-12-07", None),
    ):
        made = task(client, staff, owner=owner, due_date=due, next_follow_up=follow)
        assert made.status_code == 201, made.get_json()
    closed = task(client, staff, owner="D", due_date="2026-11-01").get_json()
    client.patch(f"{URL}/{closed['id']}", json={"status": "cancelled"}, headers=staff)

    # 15:59 UTC on the 30th is 23:59 in Beijing: still the 30th, A is due today, not overdue
    assert _digest_day(factory, "T2026", datetime(2026, 11, 30, 15, 59, tzinfo=UTC)) == (
        date(2026, 11, 30),
        [],
        ["A", "B"],
        [],
    )
    # 16:00 UTC on the 30th is 00:00 on 12-01 in Beijing: A is overdue, B's follow-up is due;
    # a server clock in UTC would still say the 30th
    assert _digest_day(factory, "T2026", datetime(2026, 11, 30, 16, 0, tzinfo=UTC)) == (
        date(2026, 12, 1),
        ["A"],
        ["B"],
        ["B"],
    )
    # the API and the CLI give the same lists for a named day
    api = client.get(f"{URL}/digest?date=2026-12-01", headers=staff).get_json()
    assert [t["owner"] for t in api["overdue"]] == ["A"] and api["overdue"][0]["overdue"] is True
    assert api["week_end"] == "2026-12-06" and "已逾期（1）" in api["text"]


def test_an_investor_digest_holds_only_their_tasks(client, accounts) -> None:  # type: ignore[no-untyped-def]
    staff = accounts.headers("staff")
    task(client, staff, owner="A", due_date="2026-11-01")
    task(
        client, staff, owner="B", project_id="T-P002", institution_id="T-I02", due_date="2026-11-01"
    )
    mine = client.get(
        f"{URL}/digest?date=2026-11-24", headers=accounts.headers("investor")
    ).get_json()
    assert [t["owner"] for t in mine["overdue"]] == ["A"]
    theirs = client.get(
        f"{URL}/digest?date=2026-11-24", headers=accounts.headers("entrant_b")
    ).get_json()
    assert [t["owner"] for t in theirs["overdue"]] == ["B"]


# ---- the CLI, as a user runs it, and the digest mailed through a real SMTP server -------------


def run(db: str, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    import os

    return subprocess.run(
        [MATCHMAKER, "--db", db, *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, **(env or {})},
    )


@pytest.fixture
def cli_db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    assert run(url, "demo", "--reset").returncode == 0
    return url


def test_cli_import_report_export_and_digest(cli_db: str, tmp_path: Path) -> None:
    sheet = tmp_path / "intents.csv"
    sheet.write_text(
        "项目编号,机构编号,专场,状态,金额(万元),签约日期\n"
        "XH2026-P001,XH2026-I01,S1,签约意向,3000,2026-11-20\n"
        "XH2026-P002,XH2026-I02,S2,签约意向,1.2亿,2026-11-21\n"
        "XH2026-P003,XH2026-I03,,意向洽谈,500,\n",
        encoding="utf-8",
    )
    done = run(cli_db, "--json", "intents", "import", str(sheet), "--as", "staff")
    assert done.returncode == 0, done.stderr + done.stdout
    before_totals = json.loads(run(cli_db, "--json", "intents", "report").stdout)["total"]
    assert json.loads(done.stdout)["created"] == 3
    report = json.loads(run(cli_db, "--json", "intents", "report", "--by", "session").stdout)
    assert report["total"]["signed"]["amount"] == 150_000_000 == before_totals["signed"]["amount"]
    assert report["total"]["signed"]["amount_text"] == "1.5亿元"
    assert {g["key"]: g["signed"]["amount"] for g in report["groups"]}["S2"] == 120_000_000
    text = run(cli_db, "intents", "report", "--by", "session")
    assert text.returncode == 0 and "1.5亿元" in text.stdout and "合计" in text.stdout

    bad = tmp_path / "bad.csv"
    bad.write_text(
        "项目编号,机构编号,状态,金额(万元)\nXH2026-P001,NOPE,关注,-1\n", encoding="utf-8"
    )
    refused = run(cli_db, "intents", "import", str(bad))
    assert refused.returncode == 2
    assert "第 2 行 [机构编号] 'NOPE'" in refused.stderr and "Traceback" not in refused.stderr
    assert json.loads(run(cli_db, "--json", "intents", "report").stdout)["total"] == {
        **before_totals,
        "days_in_stage": json.loads(run(cli_db, "--json", "intents", "report").stdout)["total"][
            "days_in_stage"
        ],
    }

    out = tmp_path / "out.xlsx"
    assert run(cli_db, "intents", "export", "-o", str(out)).returncode == 0
    again = run(cli_db, "--json", "intents", "import", str(out))
    assert json.loads(again.stdout)["unchanged"] == 3

    digest = run(cli_db, "--json", "dd", "due", "--date", "2026-12-01")
    assert digest.returncode == 0, digest.stderr
    assert json.loads(digest.stdout)["day"] == "2026-12-01"


def test_the_digest_is_mailed_through_smtp(cli_db: str) -> None:
    from aiosmtpd.controller import Controller

    received: list[Any] = []

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
            received.append(envelope)
            return "250 OK"

    with socket.socket() as probe:  # a free port (aiosmtpd checks readiness on its own port)
        probe.bind(("127.0.0.1", 0))
        port = str(probe.getsockname()[1])
    controller = Controller(Handler(), hostname="127.0.0.1", port=int(port))
    controller.start()
    try:
        env = {"MATCHMAKER_SMTP_HOST": "127.0.0.1", "MATCHMAKER_SMTP_PORT": port}
        sent = run(
            cli_db, "dd", "due", "--date", "2026-12-01", "--mail-to", "staff@example.cn", env=env
        )
        assert sent.returncode == 0, sent.stderr
    finally:
        controller.stop()
    assert len(received) == 1 and received[0].rcpt_tos == ["staff@example.cn"]
    body = received[0].content.decode("utf-8", errors="replace")
    assert "2026-12-01" in body
    no_server = run(
        cli_db, "dd", "due", "--mail-to", "x@example.cn", env={"MATCHMAKER_SMTP_HOST": ""}
    )
    assert no_server.returncode == 2 and "MATCHMAKER_SMTP_HOST" in no_server.stderr


# ---- every endpoint of the ledger × every role --------------------------------------------------

ROLES = ("anonymous", "entrant", "entrant_b", "investor", "investor_b", "staff", "organiser")


@pytest.fixture
def seeded(client, accounts) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """An intent and a task of T-I01 × T-P001 (investor, entrant) made by staff."""
    staff = accounts.headers("staff")
    intent = client.post(
        "/api/v1/intents",
        json={
            "project_id": "T-P001",
            "institution_id": "T-I01",
            "status": "signed",
            "amount": 12_340_000,
            "signed_at": "2026-11-20",
        },
        headers=staff,
    ).get_json()
    made = task(client, staff, due_date="2026-11-30").get_json()
    return {"intent": intent["id"], "task": made["id"]}


def _csv() -> dict[str, Any]:
    import io

    text = "项目编号,机构编号,状态\nT-P002,T-I02,关注\n"
    return {"file": (io.BytesIO(text.encode()), "x.csv")}


# (method, path, body, who may) — who may: roles that get 2xx; the rest get 401/403/404
MATRIX: list[tuple[str, str, Any, set[str]]] = [
    ("get", "/api/v1/intents/{intent}", None, {"entrant", "investor", "staff", "organiser"}),
    (
        "get",
        "/api/v1/intents/{intent}/history",
        None,
        {"entrant", "investor", "staff", "organiser"},
    ),
    ("patch", "/api/v1/intents/{intent}", {"note": "x"}, {"investor", "staff", "organiser"}),
    (
        "post",
        "/api/v1/intents",
        {"project_id": "T-P001", "institution_id": "T-I02"},
        {"staff", "organiser", "investor_b"},
    ),
    ("get", "/api/v1/due-diligence/{task}", None, {"entrant", "investor", "staff", "organiser"}),
    (
        "get",
        "/api/v1/due-diligence/{task}/history",
        None,
        {"entrant", "investor", "staff", "organiser"},
    ),
    ("patch", "/api/v1/due-diligence/{task}", {"owner": "李雷"}, {"staff", "organiser"}),
    (
        "post",
        URL,
        {"project_id": "T-P002", "institution_id": "T-I02", "owner": "x"},
        {"staff", "organiser"},
    ),
    ("get", "/api/v1/reports/funnel", None, {"staff", "organiser"}),
    ("get", "/api/v1/reports/funnel.xlsx", None, {"staff", "organiser"}),
    ("post", "/api/v1/events/T2026/intents/import", "csv", {"staff", "organiser"}),
    ("delete", "/api/v1/due-diligence/{task}", None, {"staff", "organiser"}),
    ("delete", "/api/v1/intents/{intent}", None, {"staff", "organiser"}),
]
AMOUNT = "12340000"


@pytest.mark.parametrize("who", ROLES)
def test_every_ledger_endpoint_answers_each_role_as_declared(client, accounts, seeded, who) -> None:  # type: ignore[no-untyped-def]
    headers = {} if who == "anonymous" else accounts.headers(who)
    # the lists and exports are open to every signed-in role, filtered to what is theirs
    # (first: the matrix below ends by deleting the seeded records)
    digest = f"{URL}/digest?date=2026-12-01"  # the seeded task is overdue that day
    for path in ("/api/v1/intents", "/api/v1/events/T2026/intents.csv", URL, digest):
        response = client.get(path, headers=headers)
        if who == "anonymous":
            assert response.status_code == 401
            continue
        assert response.status_code == 200, (who, path)
        text = response.get_data(as_text=True)
        sees = who in ("entrant", "investor", "staff", "organiser")
        assert ("T-P001" in text) == sees, (who, path, text[:300])
    for method, path, body, allowed in MATRIX:
        url = path.format(**seeded)
        kwargs: dict[str, Any] = {"headers": headers}
        if body == "csv":
            kwargs.update(data=_csv(), content_type="multipart/form-data")
        elif body is not None:
            kwargs["json"] = body
        response = getattr(client, method)(url, **kwargs)
        if who in allowed:
            assert response.status_code < 300, (who, method, url, response.get_json())
        else:
            expected = 401 if who == "anonymous" else (403, 404)
            assert response.status_code in (
                expected if isinstance(expected, tuple) else (expected,)
            ), (
                who,
                method,
                url,
                response.status_code,
            )
            assert AMOUNT not in response.get_data(as_text=True), (who, url)
