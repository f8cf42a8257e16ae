"""Blank registration sheets: what the organiser downloads imports back as it is."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session
from tests_support import MATCHMAKER

from matchmaker.db.engine import migrate
from matchmaker.db.models import Institution, Project
from matchmaker.services.registry.events import SessionSpec, add_session, create_event
from matchmaker.services.registry.registrations import import_registrations
from matchmaker.services.registry.sheet_templates import sheet_template
from matchmaker.tabular.read import read_sheet


@pytest.fixture
def engine(tmp_path: Path):  # type: ignore[no-untyped-def]
    engine = create_engine(f"sqlite:///{tmp_path / 't.db'}")
    migrate(engine)
    with Session(engine) as db, db.begin():
        event = create_event(db, "CZ2027", "长治市创业大赛", 2027)
        add_session(
            db,
            event,
            SessionSpec.from_dict(
                {
                    "code": "S1",
                    "name": "本地专场",
                    "kind": "local",
                    "date": "2027-05-20",
                    "start": "09:00",
                    "end": "12:00",
                    "slot_minutes": 20,
                    "tables": 4,
                }
            ),
        )
    yield engine
    engine.dispose()


@pytest.mark.parametrize("kind", ["projects", "institutions"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_template_imports_back_as_its_example_row(engine, kind: str, fmt: str, lang: str) -> None:  # type: ignore[no-untyped-def]
    with Session(engine) as db, db.begin():
        from matchmaker.services.registry.events import get_event

        event = get_event(db, "CZ2027")
        data = sheet_template(event, kind, fmt, lang)
        headers = read_sheet(data, f"t.{fmt}").headers
        first = {"zh": {"projects": "报名编号", "institutions": "机构编号"}, "en": "id"}[lang]
        assert headers[0] == (first if lang == "en" else first[kind])
        report = import_registrations(db, event, kind, data, f"template.{fmt}")
        assert (report.total, report.created) == (1, 1)
        model = Project if kind == "projects" else Institution
        row = db.scalars(select(model)).one()
        assert row.sessions[0].code == "S1"
        if kind == "projects":
            assert row.funding_ask == 8_000_000  # 800 万元, in yuan
            assert row.needs == ["funding", "market"]
        else:
            assert (row.ticket_min, row.ticket_max) == (3_000_000, 30_000_000)


def test_cli_writes_a_template(engine, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "projects.xlsx"
    done = subprocess.run(
        [
            MATCHMAKER,
            "--db",
            str(engine.url),
            "template",
            "projects",
            "-o",
            str(out),
            "--sheet-lang",
            "en",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    sheet = read_sheet(out.read_bytes(), "projects.xlsx")
    assert sheet.headers[:3] == ["id", "name", "track"]
    assert sheet.rows[0][1][:2] == ["P001", "Mine inspection robot"]
    bad = subprocess.run(
        [
            MATCHMAKER,
            "--db",
            str(engine.url),
            "template",
            "projects",
            "-o",
            str(tmp_path / "x.pdf"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 2 and "x.pdf" in bad.stderr and "Traceback" not in bad.stderr
