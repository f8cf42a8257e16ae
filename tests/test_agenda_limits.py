"""Meetings per party in an agenda build (SQLite and PostgreSQL): what bookings hold is kept, the
organiser sets the limits on the page, the API and the CLI, and an impossible ask names its fix.
"""

from __future__ import annotations

import html
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from tests_support import (
    CSRF,
    add_session_s3,
    assert_error,
    db_snapshot,
    organiser_books,
    sign_in,
)

from matchmaker.db.engine import transaction

pytestmark = pytest.mark.fake_encoder  # some vectors are needed, no ranking is measured

S3 = "/api/v1/events/T2026/sessions/S3/agenda"
MATCHMAKER = str(Path(sys.executable).parent / "matchmaker")


def meetings(client: Any, headers: dict[str, str]) -> list[dict[str, Any]]:
    response = client.get(S3, headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["meetings"]


def build(client: Any, headers: dict[str, str], **body: Any) -> dict[str, Any]:
    response = client.post(S3 + "/build", json=body, headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


# The session of issue #13: 4 institutions × 4 slots for 8 projects, so a project's default
# maximum is 1.5 × its fair share of 2 = 3; X-P01 books all four institutions (the request cap
# is 6), three accepted and one still pending.
FOUR = [(f"X-I{n:02d}", "X-P01", n) for n in range(1, 5)]


def test_bookings_above_the_default_maximum_never_make_the_build_infeasible(
    client: Any, accounts: Any, factory: Any
) -> None:
    organiser = accounts.headers("organiser")
    add_session_s3(factory, tables=4, slots=4, institutions=4, projects=8)
    organiser_books(factory, FOUR[:3])
    organiser_books(factory, FOUR[3:], accept=False)  # pending: it holds its slot all the same
    instance = client.get(S3 + "/instance", headers=organiser).get_json()
    maxima = {p["id"]: p["max_meetings"] for p in instance["projects"]}
    assert maxima.pop("X-P01") == 4 and set(maxima.values()) == {3}
    outcome = build(client, organiser)
    assert outcome["status"] == "optimal", outcome["diagnostics"]
    rows = meetings(client, organiser)
    held = {(r["institution_id"], r["project_id"], r["slot"]) for r in rows}
    assert set(FOUR) <= held
    per_project = Counter(r["project_id"] for r in rows)
    assert per_project.pop("X-P01") == 4 and max(per_project.values()) <= 3
    # a maximum the organiser sets is for what the solver adds: bookings stay whole
    outcome = build(client, organiser, fair=False, project_max=1, institution_max=2)
    assert outcome["status"] == "optimal", outcome["diagnostics"]
    rows = meetings(client, organiser)
    assert set(FOUR) <= {(r["institution_id"], r["project_id"], r["slot"]) for r in rows}
    per_project = Counter(r["project_id"] for r in rows)
    assert per_project.pop("X-P01") == 4 and max(per_project.values(), default=1) <= 1
    # every institution holds one booking with X-P01 and may get one more meeting
    assert max(Counter(r["institution_id"] for r in rows).values()) <= 2
    assert client.post(S3 + "/publish", headers=organiser).status_code == 200


def test_institution_limits_in_the_api_and_a_minimum_above_the_maximum_is_refused(
    client: Any, accounts: Any, factory: Any
) -> None:
    organiser = accounts.headers("organiser")
    add_session_s3(factory, tables=4, slots=4, institutions=4, projects=8)
    outcome = build(client, organiser, fair=False, institution_min=3, institution_max=3)
    assert outcome["status"] == "optimal", outcome["diagnostics"]
    assert set(Counter(r["institution_id"] for r in meetings(client, organiser)).values()) == {3}
    before = db_snapshot(factory)
    body = assert_error(
        client.post(S3 + "/build", json={"project_min": 3, "project_max": 2}, headers=organiser),
        422,
    )
    assert body["errors"][0]["column"] == "project_min" and body["errors"][0]["value"] == 3
    assert "每个项目最少会见数 3 大于上限 2" in body["errors"][0]["message"]
    assert_error(client.post(S3 + "/build", json={"institution_max": 0}, headers=organiser), 422)
    # refused before it is queued, not by the job
    queued = {"institution_min": 2, "institution_max": 1, "background": True}
    body = assert_error(client.post(S3 + "/build", json=queued, headers=organiser), 422)
    assert body["errors"][0]["column"] == "institution_min"
    assert db_snapshot(factory) == before


def test_an_impossible_minimum_names_the_fix_in_both_languages(client: Any, accounts: Any) -> None:
    organiser = accounts.headers("organiser")
    # S1: two institutions, so no project can have more than two meetings
    path = "/api/v1/events/T2026/sessions/S1/agenda/build"
    body = {"fair": False, "project_min": 5}
    zh = client.post(path, json=body, headers=organiser).get_json()
    assert zh["status"] == "infeasible"
    assert any("把它的下限调到 2 即可" in d["message"] for d in zh["diagnostics"]), zh
    en = client.post(path, json=body, headers={**organiser, "Accept-Language": "en"}).get_json()
    assert any("lower its minimum to 2" in d["message"] for d in en["diagnostics"]), en


def test_locked_meetings_above_a_maximum_name_the_fix_in_the_solver_core() -> None:
    from matchmaker.scheduling import parse_instance, solve

    slots = [
        {"id": str(k), "session": "S", "start": f"2036-12-08T0{k}:00+08:00", "minutes": 20}
        for k in range(1, 5)
    ]
    data = {
        "slots": slots,
        "institutions": [{"id": f"I{k}", "max_meetings": 4} for k in range(1, 5)],
        "projects": [{"id": "P1", "max_meetings": 3}],
        "scores": [{"institution": f"I{k}", "project": "P1", "score": 1.0} for k in range(1, 5)],
        "locked": [{"institution": f"I{k}", "project": "P1", "slot": str(k)} for k in range(1, 5)],
    }
    result = solve(parse_instance(data))
    assert result.status == "infeasible"
    (found,) = [d for d in result.diagnostics if d.code == "must_above_max"]
    assert found.message("zh").endswith("把它的上限调到 4 即可")
    assert found.message("en").endswith("raise its maximum to 4")


def test_the_grid_form_sets_the_limits_and_refuses_bad_ones_by_name(
    client: Any, accounts: Any, factory: Any
) -> None:
    add_session_s3(factory, tables=4, slots=4, institutions=4, projects=8)
    organiser_books(factory, FOUR)
    sign_in(client, factory, "organiser")
    page = client.get("/sessions/S3/agenda").get_data(as_text=True)
    for name in ("project_min", "project_max", "institution_min", "institution_max"):
        assert f'name="{name}"' in page, name
    assert "每个项目最多会见数" in page and "每个机构最少会见数" in page
    assert 'name="fair" checked' in page  # fair mode until a build says otherwise
    form = {"csrf": CSRF, "action": "build", "project_max": "2", "institution_max": " 3 "}
    answer = client.post("/sessions/S3/agenda", data=form, follow_redirects=True)
    text = answer.get_data(as_text=True)
    assert "已生成最优议程" in text, text
    # the form shows the limits the agenda was built with
    assert 'name="project_max" type="number"' in text
    assert 'value="2" placeholder' in text and 'value="3" placeholder' in text
    assert 'name="fair" checked' not in text
    rows = meetings(client, accounts.headers("organiser"))
    per_project = Counter(r["project_id"] for r in rows)
    assert per_project.pop("X-P01") == 4 and max(per_project.values()) <= 2
    assert max(Counter(r["institution_id"] for r in rows).values()) <= 3
    before = db_snapshot(factory)
    for bad, shown in (
        ({"project_max": "三"}, "[project_max] '三': 每个项目最多会见数应为 1–50 之间的整数"),
        ({"institution_min": "-1"}, "[institution_min] '-1': 每个机构最少会见数应为 0–50"),
        ({"project_min": "4", "project_max": "3"}, "每个项目最少会见数 4 大于上限 3"),
    ):
        answer = client.post(
            "/sessions/S3/agenda", data={**form, **bad, "fair": "on"}, follow_redirects=True
        )
        text = html.unescape(answer.get_data(as_text=True))
        assert answer.status_code == 200 and "生成议程的参数有误" in text, bad
        assert shown in text, (bad, text)
    assert db_snapshot(factory) == before


def test_cli_build_takes_the_limits_and_keeps_the_bookings(
    db_url: str, accounts: Any, factory: Any, tmp_path: Path
) -> None:
    add_session_s3(factory, tables=4, slots=4, institutions=4, projects=8)
    organiser_books(factory, FOUR)
    env = {**os.environ, "MATCHMAKER_INSTANCE_DIR": str(tmp_path / "instance")}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        command = [MATCHMAKER, "--db", db_url, "agenda", "build", "--session", "S3", *args]
        return subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)

    refused = run("--project-min", "3", "--project-max", "2")
    assert refused.returncode != 0 and "每个项目最少会见数 3 大于上限 2" in refused.stdout + (
        refused.stderr
    )
    done = run("--no-fair", "--project-max", "1", "--institution-max", "2")
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("status: optimal")
    from matchmaker.db.models import Meeting, Project
    from matchmaker.domain import MeetingStatus

    with transaction(factory) as db:
        rows = db.execute(
            select(Project.code)
            .join(Meeting, Meeting.project_id == Project.id)
            .where(Meeting.status != MeetingStatus.CANCELLED, Project.code.like("X-%"))
        ).all()
    per_project = Counter(code for (code,) in rows)
    assert per_project.pop("X-P01") == 4 and max(per_project.values(), default=1) <= 1
