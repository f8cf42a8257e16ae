"""`make run` keeps the demo in its own database file and never empties a contest of your own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session, sessionmaker
from tests_support import MATCHMAKER, db_snapshot

from matchmaker.db.engine import migrate
from matchmaker.db.models import Event, Project
from matchmaker.services.registry.events import create_event
from matchmaker.services.registry.registrations import import_registrations

REPO = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.xdist_group("demo_database")

OWN_SHEET = """报名编号,项目名称,赛道,行业领域,阶段,融资需求(万元),所在地区,需求
CK-001,智能矿山巡检机器人,先进制造,机器人,A轮,800,山西长治,资金
CK-002,社区康养服务平台,银发经济,养老,天使轮,200,山西长治,场地
CK-003,非遗漆器数字文创,微视听创意,文创,种子轮,50,山西平遥,市场渠道
"""


def _own_contest(url: str) -> None:
    """A database of one's own: an event CK2027 with three projects imported into it."""
    engine = create_engine(url)
    migrate(engine)
    with Session(engine) as db, db.begin():
        event = create_event(db, "CK2027", "2027年创客中国（本市）", 2027, city="长治")
        import_registrations(db, event, "projects", OWN_SHEET.encode(), "projects.csv")
    engine.dispose()


def _make(target: str, home: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Run ``make TARGET`` from the repository as a person would, with this venv's commands."""
    stamp = home / "installed"
    stamp.touch()  # newer than pyproject.toml: make does not reinstall
    return subprocess.run(
        [
            "make",
            "-s",
            target,
            f"BIN={Path(sys.executable).parent}",
            f"STAMP={stamp}",
            f"DEMO_DB={home / 'instance' / 'demo.db'}",
        ],
        cwd=REPO,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_make_run_twice_leaves_your_own_database_untouched(tmp_path: Path) -> None:
    own = f"sqlite:///{tmp_path / 'own.db'}"
    _own_contest(own)
    factory = sessionmaker(create_engine(own))
    before = db_snapshot(factory)
    env = {"MATCHMAKER_DATABASE_URL": own, "MATCHMAKER_INSTANCE_DIR": str(tmp_path / "instance")}

    for _ in range(2):
        result = _make("demo-db", tmp_path, **env)
        assert result.returncode == 0, result.stderr

    assert db_snapshot(factory) == before
    with factory() as db:
        assert db.scalar(select(func.count()).select_from(Project)) == 3
    demo = sessionmaker(create_engine(f"sqlite:///{tmp_path / 'instance' / 'demo.db'}"))
    with demo() as db:
        assert list(db.scalars(select(Event.code))) == ["XH2026"]
    # `make run` serves that same demo file, whatever MATCHMAKER_DATABASE_URL says
    dry = subprocess.run(
        ["make", "-n", "run", f"DEMO_DB={tmp_path / 'instance' / 'demo.db'}"],
        cwd=REPO,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    served = [line for line in dry.stdout.splitlines() if " serve " in line]
    assert served and f"sqlite:///{tmp_path / 'instance' / 'demo.db'}" in served[0]


def test_demo_reset_refuses_a_database_with_a_contest_of_your_own(tmp_path: Path) -> None:
    own = f"sqlite:///{tmp_path / 'own.db'}"
    _own_contest(own)
    factory = sessionmaker(create_engine(own))
    before = db_snapshot(factory)

    refused = subprocess.run(
        [MATCHMAKER, "--db", own, "demo", "--reset"], capture_output=True, text=True, check=False
    )

    assert refused.returncode == 2
    assert "CK2027" in refused.stderr and "--force" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert db_snapshot(factory) == before

    forced = subprocess.run(
        [MATCHMAKER, "--db", own, "demo", "--reset", "--force"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert forced.returncode == 0, forced.stderr
    with factory() as db:
        assert list(db.scalars(select(Event.code))) == ["XH2026"]
