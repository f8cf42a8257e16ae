"""Fixtures that build on each other: database URL → engine → event → app → client → auth.

The app's Matcher encodes with the real default encoder, or, in modules marked
``pytest.mark.fake_encoder``, with the hashing fake of tests/fakes.py (tests that need some
vectors but do not measure ranking).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker
from tests_support import migrated_pg_database

from matchmaker.db.engine import make_engine, migrate, session_factory, transaction
from matchmaker.domain import Role

DATA = Path(__file__).parent / "data"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "fake_encoder: the app's Matcher uses tests/fakes.py's HashingEncoder, not the real model",
    )


# ---- databases: every db test runs on SQLite and on PostgreSQL -----------------------------


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test (migrating once is the slow part)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A fresh PostgreSQL database for this test process, migrated, dropped at the end."""
    with migrated_pg_database("mm_test") as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    """A migrated, empty database of each kind."""
    if request.param == "sqlite":
        path = tmp_path / "test.db"
        shutil.copy(sqlite_template, path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("pg_database")
    _truncate(url)
    return url


def _truncate(url: str) -> None:
    from matchmaker.db.models import Base

    engine = make_engine(url)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def factory(engine: Engine) -> sessionmaker[Session]:
    return session_factory(engine)


@pytest.fixture
def event(factory: sessionmaker[Session]) -> str:
    """The small test event (tests/data/event.json): two sessions, no registrations."""
    from matchmaker.services.registry.events import SessionSpec, add_session, create_event

    spec = json.loads((DATA / "event.json").read_text(encoding="utf-8"))
    with transaction(factory) as db:
        created = create_event(db, **spec["event"])
        for session in spec["sessions"]:
            add_session(db, created, SessionSpec.from_dict(session))
    return spec["event"]["code"]


@pytest.fixture
def registered(factory: sessionmaker[Session], event: str) -> str:
    """The test event with tests/data/projects.csv and institutions.csv imported."""
    from matchmaker.services.registry.events import get_event
    from matchmaker.services.registry.registrations import import_registrations

    with transaction(factory) as db:
        found = get_event(db, event)
        for kind in ("institutions", "projects"):
            path = DATA / f"{kind}.csv"
            import_registrations(db, found, kind, path.read_bytes(), path.name)
    return event


# ---- app, client, accounts -----------------------------------------------------------------


def _matcher_config(request: pytest.FixtureRequest, db_url: str, instance: Path) -> dict[str, Any]:
    """Return the app config giving a new app a Matcher with the fake encoder, if the test's
    module is marked ``fake_encoder``; else nothing (create_app builds the real one)."""
    if request.node.get_closest_marker("fake_encoder") is None:
        return {}
    from fakes import HashingEncoder

    from matchmaker.services.matching.index_store import index_dir_for
    from matchmaker.services.matching.matcher import Matcher

    matcher = Matcher(encoder=HashingEncoder(), index_dir=index_dir_for(db_url, instance))
    return {"MATCHER": matcher}


@pytest.fixture
def app(
    request: pytest.FixtureRequest,
    db_url: str,
    registered: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Any:
    from matchmaker.app import create_app

    monkeypatch.setenv("MATCHMAKER_INSTANCE_DIR", str(tmp_path / "instance"))
    # Rate limits are tested on their own (tests/test_limits.py); here they would only count.
    base = {"DATABASE_URL": db_url, "TESTING": True, "MATCHMAKER_RATE_LIMITS": False}
    app = create_app({**base, **_matcher_config(request, db_url, tmp_path / "instance")})
    yield app
    app.extensions["matchmaker.engine"].dispose()


@pytest.fixture
def client(app: Any) -> Any:
    return app.test_client()


@pytest.fixture
def make_app(
    request: pytest.FixtureRequest,
    db_url: str,
    registered: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Any]:
    """Build apps on the test database with ``config`` on top (rate limits off unless set);
    each app gets its own Matcher, as each process has one."""
    from matchmaker.app import create_app

    monkeypatch.setenv("MATCHMAKER_INSTANCE_DIR", str(tmp_path / "instance"))
    apps: list[Any] = []

    def build(**config: Any) -> Any:
        base = {"DATABASE_URL": db_url, "TESTING": True, "MATCHMAKER_RATE_LIMITS": False}
        matcher = _matcher_config(request, db_url, tmp_path / "instance")
        apps.append(create_app({**base, **matcher, **config}))
        return apps[-1]

    yield build
    for app in apps:
        app.extensions["matchmaker.engine"].dispose()


class Accounts:
    """One signed-in user per role (entrant of T-P001 and of T-P002, investor of T-I01 and T-I02).

    Only ``investor`` has a password (hashing is deliberately slow); the others use tokens.
    """

    password = "correct horse battery staple"

    def __init__(self, tokens: dict[str, str]) -> None:
        self.tokens = tokens

    def headers(self, who: str) -> dict[str, str]:
        """Return the Authorization header for ``who`` (e.g. ``organiser``, ``investor_b``)."""
        return {"Authorization": f"Bearer {self.tokens[who]}"}


@pytest.fixture
def accounts(factory: sessionmaker[Session], registered: str) -> Accounts:
    from matchmaker.services.registry.accounts import create_user, issue_token
    from matchmaker.services.registry.catalog import get_institution, get_project

    people = {
        "organiser": (Role.ORGANISER, None, None),
        "staff": (Role.STAFF, None, None),
        "investor": (Role.INVESTOR, "T-I01", None),
        "investor_b": (Role.INVESTOR, "T-I02", None),
        "entrant": (Role.ENTRANT, None, "T-P001"),
        "entrant_b": (Role.ENTRANT, None, "T-P002"),
    }
    tokens = {}
    with transaction(factory) as db:
        for name, (role, institution, project) in people.items():
            user = create_user(
                db,
                name,
                role,
                Accounts.password if name == "investor" else "",
                institution=get_institution(db, institution) if institution else None,
                project=get_project(db, project) if project else None,
            )
            tokens[name], _ = issue_token(db, user, "test")
    return Accounts(tokens)
