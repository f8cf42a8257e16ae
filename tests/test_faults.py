"""SIGKILL in the middle of the work, restart, and the database is as if it never started.

Each scenario stops a real process at a known point inside its transaction
(``MATCHMAKER_PAUSE_AT``), kills it with SIGKILL, checks the database, then runs the same work
again to the end. Workers killed inside index rebuilds and agenda builds are in test_jobs.py;
PostgreSQL restarted under load is `benchmarks/load.py --restart-postgres`.
"""

from __future__ import annotations

import csv
import io
import os
import signal
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import func, select, text
from tests_support import MATCHMAKER, server

from matchmaker.db.engine import transaction
from matchmaker.db.models import Agenda, AuditEntry, Intent, Project
from matchmaker.domain import AgendaStatus

DATA = Path(__file__).parent / "data"


def _env(db_url: str, tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "MATCHMAKER_DATABASE_URL": db_url,
        "MATCHMAKER_INSTANCE_DIR": str(tmp_path / "instance"),
        **extra,
    }


def _wait_in_file(path: Path, needle: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and needle in path.read_text(errors="replace"):
            return
        time.sleep(0.1)
    raise AssertionError(f"{needle!r} never appeared in {path}:\n{path.read_text()[-3000:]}")


def _counts(factory: Any) -> dict[str, int]:
    with transaction(factory) as db:
        return {
            model.__name__: db.scalar(select(func.count()).select_from(model)) or 0
            for model in (Project, Intent, AuditEntry)
        }


def _sqlite_is_sound(db_url: str) -> None:
    if db_url.startswith("sqlite"):
        import sqlite3

        with sqlite3.connect(db_url.removeprefix("sqlite:///")) as connection:
            assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def _projects_sheet(path: Path, count: int) -> None:
    """The test sheet's columns with ``count`` new projects."""
    with open(DATA / "projects.csv", encoding="utf-8-sig") as handle:
        header, first = list(csv.reader(handle))[:2]
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for n in range(count):
            row = list(first)
            row[0], row[1] = f"T-K{n:04d}", f"储能电池管理系统第{n}号"
            row[11], row[12] = "", ""  # no contact columns needed
            writer.writerow(row)


def test_an_import_killed_inside_its_transaction_writes_nothing(
    db_url, registered, factory, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    sheet = tmp_path / "projects.csv"
    _projects_sheet(sheet, 400)
    before = _counts(factory)
    stderr = tmp_path / "import.log"
    with open(stderr, "wb") as log:
        doomed = subprocess.Popen(
            [MATCHMAKER, "import", "projects", str(sheet), "--event", registered],
            env=_env(db_url, tmp_path, MATCHMAKER_PAUSE_AT="import.rows:120"),
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        _wait_in_file(stderr, "pausing at import.rows")  # all 400 rows are written, uncommitted
        doomed.send_signal(signal.SIGKILL)
        doomed.wait(timeout=10)
    assert _counts(factory) == before
    _sqlite_is_sound(db_url)
    again = subprocess.run(
        [MATCHMAKER, "import", "projects", str(sheet), "--event", registered],
        env=_env(db_url, tmp_path),
        capture_output=True,
        text=True,
    )
    assert again.returncode == 0, again.stderr
    assert _counts(factory)["Project"] == before["Project"] + 400


def _intents_sheet(rows: int) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["项目编号", "机构编号", "状态", "金额(万元)", "签约日期"])
    pairs = [(p, q) for p in ("T-P001", "T-P002", "T-P003") for q in ("T-I01", "T-I02", "T-I03")]
    for project, institution in pairs[:rows]:
        writer.writerow([project, institution, "签约意向", "120", "2026-11-20"])
    return out.getvalue().encode("utf-8")


def test_a_server_killed_inside_an_intents_import_writes_nothing(
    db_url, registered, accounts, factory, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    url = "/api/v1/events/T2026/intents/import"
    files = {"file": ("intents.csv", _intents_sheet(9), "text/csv")}
    headers = accounts.headers("staff")
    before = _counts(factory)
    log = tmp_path / "server.log"
    env = _env(db_url, tmp_path, MATCHMAKER_PAUSE_AT="import.rows:120")
    with server(env, log) as (base, process):
        thread = threading.Thread(
            target=_swallow,
            args=(requests.post, base + url),
            kwargs={"files": files, "headers": headers},
        )
        thread.start()
        _wait_in_file(log, "pausing at import.rows")
        os.killpg(process.pid, signal.SIGKILL)  # the master and its worker, mid-request
        process.wait(timeout=10)
        thread.join(timeout=30)
    assert _counts(factory) == before  # no intent, no audit entry
    _sqlite_is_sound(db_url)
    with server(_env(db_url, tmp_path)) as (base, _process):
        done = requests.post(base + url, files=files, headers=headers, timeout=60)
        assert done.status_code == 200, done.text
        assert done.json()["created"] == 9
    after = _counts(factory)
    assert after["Intent"] == before["Intent"] + 9 and after["AuditEntry"] > before["AuditEntry"]


def _swallow(call: Any, *args: Any, **kwargs: Any) -> None:
    """Make a request whose server is about to be killed (the connection error is expected)."""
    try:
        call(*args, timeout=150, **kwargs)
    except requests.ConnectionError:
        pass


def test_a_server_killed_inside_a_publish_leaves_the_draft(
    client, db_url, accounts, factory, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    organiser = accounts.headers("organiser")
    agenda_url = "/api/v1/events/T2026/sessions/S1/agenda"
    built = client.post(agenda_url + "/build", json={"time_limit": 5}, headers=organiser)
    assert built.status_code == 200 and built.get_json()["meetings"] > 0
    before = _agenda(factory)
    log = tmp_path / "server.log"
    env = _env(db_url, tmp_path, MATCHMAKER_PAUSE_AT="agenda.publish:120")
    with server(env, log) as (base, process):
        thread = threading.Thread(
            target=_swallow,
            args=(requests.post, base + agenda_url + "/publish"),
            kwargs={"headers": organiser},
        )
        thread.start()
        _wait_in_file(log, "pausing at agenda.publish")  # validated, marked, audited: uncommitted
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        thread.join(timeout=30)
    assert _agenda(factory) == before
    assert before["status"] == AgendaStatus.DRAFT and before["publish entries"] == 0
    _sqlite_is_sound(db_url)
    with server(_env(db_url, tmp_path)) as (base, _process):
        done = requests.post(base + agenda_url + "/publish", headers=organiser, timeout=120)
        assert done.status_code == 200, done.text
    after = _agenda(factory)
    assert after["status"] == AgendaStatus.PUBLISHED and after["publish entries"] == 1
    assert after["meetings"] == before["meetings"]


def _agenda(factory: Any) -> dict[str, Any]:
    with transaction(factory) as db:
        agenda = db.scalars(select(Agenda)).one()
        meetings = db.execute(
            text("SELECT id, slot_id, table_id, institution_id, project_id, status FROM meetings")
        ).all()
        return {
            "status": agenda.status,
            "revision": agenda.revision,
            "published_at": agenda.published_at,
            "meetings": sorted(tuple(m) for m in meetings),
            "publish entries": db.scalar(
                select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "publish")
            ),
        }
