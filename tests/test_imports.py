"""Import and export through the service on SQLite and PostgreSQL: all-or-nothing, idempotent."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from matchmaker.db.engine import transaction
from matchmaker.db.models import Institution, PortfolioEntry, Project
from matchmaker.errors import ImportRejected
from matchmaker.services.registry.events import get_event
from matchmaker.services.registry.registrations import export_registrations, import_registrations

DATA = Path(__file__).parent / "data"


def run_import(factory: sessionmaker[Session], kind: str, data: bytes, name: str):  # type: ignore[no-untyped-def]
    with transaction(factory) as db:
        return import_registrations(db, get_event(db, "T2026"), kind, data, name)


def snapshot(factory: sessionmaker[Session]) -> list[tuple[object, ...]]:
    with factory() as db:
        rows = db.scalars(select(Project).order_by(Project.code)).all()
        return [
            (
                p.code,
                p.name,
                p.stage,
                p.funding_ask,
                tuple(p.sectors),
                tuple(s.code for s in p.sessions),
            )
            for p in rows
        ]


def test_import_loads_rows_and_keeps_traditional_text(factory, event) -> None:  # type: ignore[no-untyped-def]
    report = run_import(factory, "projects", (DATA / "projects.csv").read_bytes(), "projects.csv")
    assert (report.total, report.created, report.updated) == (5, 5, 0)
    with factory() as db:
        hk = db.scalar(select(Project).where(Project.code == "T-P003"))
        assert hk.name == "港澳跨境冷鏈物流平台"  # original kept for display
        assert "冷链物流" in hk.search_text  # simplified for matching
        assert hk.funding_ask == 120_000_000
        assert [s.code for s in hk.sessions] == ["S2"]
        both = db.scalar(select(Project).where(Project.code == "T-P002"))
        assert [s.code for s in both.sessions] == ["S1", "S2"]


def test_reimport_updates_and_never_duplicates(factory, event) -> None:  # type: ignore[no-untyped-def]
    data = (DATA / "projects.csv").read_bytes()
    run_import(factory, "projects", data, "projects.csv")
    again = run_import(factory, "projects", data, "projects.csv")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 5)
    changed = data.decode("utf-8-sig").replace("晋能储能电池管理系统", "晋能储能BMS").encode()
    third = run_import(factory, "projects", changed, "projects.csv")
    assert (third.created, third.updated, third.unchanged) == (0, 1, 4)
    with factory() as db:
        assert db.scalar(select(func.count()).select_from(Project)) == 5
        assert db.scalar(select(Project.name).where(Project.code == "T-P001")) == "晋能储能BMS"


def test_bad_file_changes_nothing(factory, event) -> None:  # type: ignore[no-untyped-def]
    run_import(factory, "projects", (DATA / "projects.csv").read_bytes(), "projects.csv")
    before = snapshot(factory)
    with pytest.raises(ImportRejected) as info:
        run_import(factory, "projects", (DATA / "projects_bad.csv").read_bytes(), "bad.csv")
    assert len(info.value.problems) == 5
    # row 2 of the bad file renames T-P001 and is itself valid: it must not have been applied
    assert snapshot(factory) == before


def test_institutions_with_portfolio_reimport_cleanly(factory, event) -> None:  # type: ignore[no-untyped-def]
    data = (DATA / "institutions.csv").read_bytes()
    run_import(factory, "institutions", data, "institutions.csv")
    again = run_import(factory, "institutions", data, "institutions.csv")
    assert again.unchanged == 3
    with factory() as db:
        assert db.scalar(select(func.count()).select_from(Institution)) == 3
        assert db.scalar(select(func.count()).select_from(PortfolioEntry)) == 2
        angels = db.scalar(select(Institution).where(Institution.code == "T-I02"))
        assert (angels.ticket_min, angels.ticket_max) == (500_000, 5_000_000)
        assert angels.stages == ["seed", "angel"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_export_imports_back_unchanged(factory, registered, fmt, lang) -> None:  # type: ignore[no-untyped-def]
    before = snapshot(factory)
    for kind in ("projects", "institutions"):
        with factory() as db:
            data = export_registrations(db, get_event(db, "T2026"), kind, fmt, lang)
        report = run_import(factory, kind, data, f"export.{fmt}")
        assert report.created == 0 and report.updated == 0, (kind, report)
    assert snapshot(factory) == before


def test_xlsx_export_has_chinese_headers(factory, registered) -> None:  # type: ignore[no-untyped-def]
    with factory() as db:
        data = export_registrations(db, get_event(db, "T2026"), "projects", "xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert [c.value for c in sheet[1]][:4] == ["报名编号", "项目名称", "赛道", "组别"]
    assert sheet.max_row == 6


def test_minimal_columns_create_complete_rows(factory, event) -> None:  # type: ignore[no-untyped-def]
    data = "报名编号,项目名称,赛道\nM-1,极简报名,先进制造\n".encode()
    run_import(factory, "projects", data, "m.csv")
    data = "机构编号,机构名称,机构类型\nM-I,极简机构,孵化器\n".encode()
    run_import(factory, "institutions", data, "i.csv")
    with factory() as db:
        project = db.scalar(select(Project).where(Project.code == "M-1"))
        assert (project.sectors, project.needs, project.stage, project.funding_ask) == (
            [],
            [],
            None,
            None,
        )
        assert "极简报名" in project.search_text
        institution = db.scalar(select(Institution).where(Institution.code == "M-I"))
        assert (institution.focus_sectors, institution.ticket_min) == ([], None)
