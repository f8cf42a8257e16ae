"""Assertions the test modules share."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from matchmaker.db.engine import make_engine, migrate

MATCHMAKER = str(Path(sys.executable).parent / "matchmaker")

ERROR_KEYS = {"code", "status", "message", "errors"}
PG_ADMIN_URL = os.environ.get(
    "MATCHMAKER_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
CSRF = "test-csrf-token"  # the page session's token in tests that sign in with sign_in()


def api_json(base: str, path: str, token: str | None = None, body: Any = None) -> Any:
    """Call a served app's JSON API (a bearer ``token`` when given, a JSON ``body`` → POST)."""
    request = urllib.request.Request(
        base + path,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Content-Type": "application/json"}
        | ({"Authorization": f"Bearer {token}"} if token else {}),
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def page_sign_in(factory: Any, user_id: int) -> str:
    """Record a page sign-in for ``user_id`` as the login form does; return the cookie's token."""
    from matchmaker.db.engine import transaction
    from matchmaker.db.models import User
    from matchmaker.services.registry.accounts import start_web_session

    with transaction(factory) as db:
        return start_web_session(db, db.get_one(User, user_id))


def sign_in(client: Any, factory: Any, username: str) -> None:
    """Sign the page client in as ``username`` (the cookie session the login form sets)."""
    from sqlalchemy import select

    from matchmaker.db.engine import transaction
    from matchmaker.db.models import User

    with transaction(factory) as db:
        user_id = db.scalar(select(User.id).where(User.username == username))
    token = page_sign_in(factory, user_id)
    with client.session_transaction() as session:
        session["sign_in"] = token
        session["csrf"] = CSRF


def assert_error(response: Any, status: int) -> dict[str, Any]:
    """Assert the one error shape with ``status``; return the body."""
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == ERROR_KEYS and body["code"] == status
    assert isinstance(body["errors"], list) and body["message"]
    return body


# Tables a request may touch without changing anything a user owns: token use is stamped, text
# vectors are a cache the matcher fills on reads, page sign-ins are recorded, and a refused
# sign-in or booking still counts against its rate limit.
VOLATILE_TABLES = {"api_tokens", "text_vectors", "web_sessions", "rate_limit_hits"}


def retime_session(factory: Any, code: str, first_start: Any) -> None:
    """Move session ``code`` (slots, start, end) so that its first slot starts at
    ``first_start`` (an aware datetime): a session under way, or one that is over."""
    from sqlalchemy import select

    from matchmaker.db.engine import transaction
    from matchmaker.db.models import MatchmakingSession

    with transaction(factory) as db:
        found = select(MatchmakingSession).where(MatchmakingSession.code == code)
        session = db.scalars(found).one()
        shift = first_start - session.slots[0].starts_at
        for slot in session.slots:
            slot.starts_at, slot.ends_at = slot.starts_at + shift, slot.ends_at + shift
        session.starts_at, session.ends_at = session.starts_at + shift, session.ends_at + shift


def db_snapshot(factory: Any, *tables: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of ``tables`` (default: every table but the volatile ones), in a stable order.

    Compare a snapshot taken before a refused request with one taken after: equal means the
    request changed nothing, audit trail included.
    """
    from sqlalchemy import select

    from matchmaker.db.models import Base

    wanted = set(tables) or {t.name for t in Base.metadata.sorted_tables} - VOLATILE_TABLES
    chosen = [t for t in Base.metadata.sorted_tables if t.name in wanted]
    with factory() as db:
        return {
            t.name: sorted((tuple(row) for row in db.execute(select(t))), key=repr) for t in chosen
        }


@contextmanager
def demo_server(home: Path, *demo_args: str) -> Iterator[str]:
    """`matchmaker demo --reset` then `matchmaker serve` in ``home``, as `make run` does; yield
    its base URL and stop it afterwards."""
    env = {
        **os.environ,
        "MATCHMAKER_INSTANCE_DIR": str(home / "instance"),
        "MATCHMAKER_DATABASE_URL": f"sqlite:///{home / 'demo.db'}",
    }
    demo = [MATCHMAKER, "demo", "--reset", *demo_args]
    subprocess.run(demo, env=env, check=True, capture_output=True)
    with server(env) as (base, _process):
        yield base


@contextmanager
def server(
    env: dict[str, str], log: Path | None = None, workers: int = 1
) -> Iterator[tuple[str, Any]]:
    """`matchmaker serve` (gunicorn, ``workers`` workers of 4 threads) with ``env``; yield its
    base URL and process.

    The server leads its own process group, so a test can SIGKILL master and worker at once;
    its log goes to ``log`` when given. It is stopped afterwards if still running.
    """
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    output = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [MATCHMAKER, "serve", "--port", str(port), "--workers", str(workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=output,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("server did not start")
        yield base, process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
        if log:
            output.close()  # type: ignore[union-attr]


def many_entrants(factory: Any, n: int, session: str = "S1") -> dict[str, str]:
    """Add ``n`` projects (T-R000…) to ``session`` of the test event, each with an entrant
    token; return code → token."""
    from matchmaker.db.engine import transaction
    from matchmaker.domain import Group, Role, Track
    from matchmaker.services.registry.accounts import create_user, issue_token
    from matchmaker.services.registry.catalog import create_project
    from matchmaker.services.registry.events import get_event

    tokens = {}
    with transaction(factory) as db:
        event = get_event(db, "T2026")
        for k in range(n):
            code = f"T-R{k:03d}"
            project = create_project(
                db,
                event,
                {
                    "code": code,
                    "name": f"并发项目{k}",
                    "track": Track.GREEN_ECONOMY,
                    "group": Group.ENTERPRISE,
                    "sessions": [session],
                },
            )
            user = create_user(db, f"racer{k}", Role.ENTRANT, project=project)
            tokens[code], _ = issue_token(db, user, "race")
    return tokens


def downgrade(engine: Any, revision: str) -> None:
    """Take the schema down to ``revision`` as ``matchmaker.db.engine.migrate`` takes it up: on
    SQLite in one transaction with foreign keys off, so a refusal half-way leaves nothing
    half-done and a rebuilt table takes no rows of others with it."""
    from alembic import command

    from matchmaker.db.engine import alembic_config

    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as connection:
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        try:
            with connection.begin():
                if sqlite:
                    connection.exec_driver_sql("BEGIN")
                config = alembic_config(engine)
                config.attributes["connection"] = connection
                command.downgrade(config, revision)
        finally:
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()


@contextmanager
def migrated_pg_database(prefix: str, revision: str = "head") -> Iterator[str]:
    """Create a PostgreSQL database named ``prefix_<random>`` migrated to ``revision``; drop it
    afterwards.

    Skips the test when no server answers at ``PG_ADMIN_URL``.
    """
    try:
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure to connect means "no server here"
        pytest.skip(f"PostgreSQL not reachable at {PG_ADMIN_URL}: {exc.__class__.__name__}")
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin.url.set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    migrate(engine, revision)
    engine.dispose()
    yield url
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def add_session_s3(factory: Any, tables: int, slots: int, institutions: int, projects: int) -> None:
    """Add session S3 to the test event: ``slots`` 20-minute slots, ``tables`` tables, and
    institutions X-I01… and projects X-P01… registered for it alone."""
    from matchmaker.db.engine import transaction
    from matchmaker.services.registry.events import SessionSpec, add_session, get_event
    from matchmaker.services.registry.registrations import import_registrations

    minutes = 9 * 60 + 20 * slots
    spec = {
        "code": "S3",
        "kind": "local",
        "name": "第三专场",
        "date": "2036-12-10",
        "start": "09:00",
        "end": f"{minutes // 60:02d}:{minutes % 60:02d}",
        "slot_minutes": 20,
        "tables": tables,
        "venue": "会展中心C厅",
    }
    rows_i = ["id,name,type,sessions"] + [
        f"X-I{n:02d},第{n}创投,风险投资,S3" for n in range(1, institutions + 1)
    ]
    rows_p = ["报名编号,项目名称,赛道,阶段,对接专场"] + [
        f"X-P{n:02d},第{n}号项目,绿色经济,天使轮,S3" for n in range(1, projects + 1)
    ]
    with transaction(factory) as db:
        event = get_event(db, "T2026")
        add_session(db, event, SessionSpec.from_dict(spec))
        for kind, rows in (("institutions", rows_i), ("projects", rows_p)):
            data = ("\n".join(rows) + "\n").encode()
            import_registrations(db, event, kind, data, f"{kind}.csv")


def organiser_books(factory: Any, pairs: list[tuple[str, str, int]], accept: bool = True) -> None:
    """The organiser books each ``(institution, project, slot)`` of S3 and accepts it."""
    from sqlalchemy import select

    from matchmaker.db.engine import transaction
    from matchmaker.db.models import MatchmakingSession, User
    from matchmaker.services.agendas.bookings import BookingRules, decide, request_meeting
    from matchmaker.services.registry.catalog import get_institution, get_project

    with transaction(factory) as db:
        organiser = db.scalars(select(User).where(User.username == "organiser")).one()
        session = db.scalars(
            select(MatchmakingSession).where(MatchmakingSession.code == "S3")
        ).one()
        for institution, project, slot in pairs:
            made = request_meeting(
                db,
                BookingRules(),
                organiser,
                session,
                get_project(db, project),
                get_institution(db, institution),
                slot,
            )
            if accept:
                decide(db, organiser, made, accept=True)


def organiser_pages(intent_id: int, task_id: int) -> list[str]:
    """Every page an organiser reads on the test event (with one intent and one task): the walks
    that check escaping and the English pages' punctuation share it."""
    return [
        "/",
        "/projects",
        "/projects/T-P001",
        "/institutions",
        "/institutions/T-I01",
        "/shortlist?institution=T-I01",
        "/recommendations?project=T-P001",
        "/duplicates",
        "/intents",
        f"/intents/{intent_id}",
        "/due-diligence",
        f"/due-diligence/{task_id}",
        "/reports?by=institution",
        "/reports?by=region",
        "/sessions/S1/agenda",
        "/agenda",
        "/agenda/print",
        "/book?project=T-P001&institution=T-I01",
        "/accounts",
    ]


# ---- notifications (#16) ---------------------------------------------------------------------


def notices_told(
    factory: Any, kind: str | None = None
) -> list[tuple[str, str, dict[str, Any], list[Any]]]:
    """Return (username, kind, params, items) of every notice (of ``kind``), oldest first."""
    from sqlalchemy import select

    from matchmaker.db.engine import transaction
    from matchmaker.db.models import Notice, User

    with transaction(factory) as db:
        query = select(User.username, Notice).join(User, User.id == Notice.user_id)
        if kind is not None:
            query = query.where(Notice.kind == kind)
        rows = db.execute(query.order_by(Notice.id)).all()
        return [(name, n.kind, dict(n.params), list(n.items)) for name, n in rows]


def notice_text(factory: Any, username: str, kind: str, lang: str = "zh") -> str:
    """Return the subject and plain text of ``username``'s latest notice of ``kind``."""
    from sqlalchemy import select

    from matchmaker.db.engine import transaction
    from matchmaker.db.models import Notice, User
    from matchmaker.services.notifications.render import render_notice

    with transaction(factory) as db:
        notice = db.scalars(
            select(Notice)
            .join(User, User.id == Notice.user_id)
            .where(User.username == username, Notice.kind == kind)
            .order_by(Notice.id.desc())
        ).first()
        assert notice is not None, (username, kind)
        out = render_notice(notice, lang)
        return out.subject + "\n" + out.text


def publish_s1_investor_early(client: Any, accounts: Any, factory: Any) -> None:
    """Build S1, lay it out by hand (T-I01 meets T-P001, T-P002, T-P005 in slots 1–3 at
    09:00–09:40, T-I02 the same projects in slots 7–9) and publish it."""
    from sqlalchemy import select

    from matchmaker.db.engine import transaction
    from matchmaker.db.models import Meeting, Slot
    from matchmaker.domain import MeetingStatus

    organiser = accounts.headers("organiser")
    built = client.post("/api/v1/events/T2026/sessions/S1/agenda/build", json={}, headers=organiser)
    assert built.status_code == 200, built.get_json()
    with transaction(factory) as db:
        rows = db.scalars(select(Meeting).order_by(Meeting.project_id)).all()
        assert len(rows) == 6  # both institutions meet T-P001, T-P002 and T-P005
        found = select(Slot).where(Slot.session_id == rows[0].session_id)
        slots = {s.number: s.id for s in db.scalars(found)}
        for meeting in rows:
            meeting.status = MeetingStatus.CANCELLED  # out of the way of the unique indexes
        db.flush()
        for n, meeting in enumerate([m for m in rows if m.institution.code == "T-I01"]):
            meeting.slot_id = slots[1 + n]
        for n, meeting in enumerate([m for m in rows if m.institution.code == "T-I02"]):
            meeting.slot_id = slots[7 + n]
        db.flush()
        for meeting in rows:
            meeting.status = MeetingStatus.SCHEDULED
    published = client.post("/api/v1/events/T2026/sessions/S1/agenda/publish", headers=organiser)
    assert published.status_code == 200, published.get_json()


ROADSHOW_PROJECTS = ["T-P001", "T-P002", "T-P004"]


def add_roadshow(factory: Any, published_seed: int | None = None) -> None:
    """Add roadshow session R1 to the test event (2036-12-07 09:00–10:00, six 10-minute slots)
    with projects T-P001, T-P002, T-P004 pitching and T-I01, T-I02 watching; with
    ``published_seed``, its order drawn with that seed and published."""
    from matchmaker.db.engine import transaction
    from matchmaker.services.agendas.roadshow import make_draw, publish_draw
    from matchmaker.services.registry.catalog import get_institution, get_project
    from matchmaker.services.registry.events import SessionSpec, add_session, get_event

    spec = {
        "code": "R1",
        "kind": "roadshow",
        "name": "路演专场",
        "name_en": "Roadshow",
        "date": "2036-12-07",
        "start": "09:00",
        "end": "10:00",
        "slot_minutes": 10,
        "tables": 0,
        "venue": "会展中心路演厅",
    }
    with transaction(factory) as db:
        session = add_session(db, get_event(db, "T2026"), SessionSpec.from_dict(spec))
        session.projects.extend(get_project(db, code) for code in ROADSHOW_PROJECTS)
        session.institutions.extend(get_institution(db, c) for c in ("T-I01", "T-I02"))
        if published_seed is not None:
            make_draw(db, session, None, published_seed)
            publish_draw(db, session, None)


# ---- scheduling ---------------------------------------------------------------------------


def tiny(
    scores: dict[tuple[str, str], float], slots: int = 2, sessions: int = 1, **extra: Any
) -> dict[str, Any]:
    """Return an instance with the parties of ``scores`` and ``slots`` slots per session."""
    return {
        "slots": [
            {
                "id": f"{s + 1}-{k}",
                "session": f"S{s + 1}",
                "start": f"2026-12-{8 + s:02d}T{9 + k:02d}:00",
                "minutes": 20,
            }
            for s in range(sessions)
            for k in range(slots)
        ],
        "institutions": [{"id": i} for i in sorted({i for i, _ in scores})],
        "projects": [{"id": p} for p in sorted({p for _, p in scores})],
        "scores": [{"institution": i, "project": p, "score": s} for (i, p), s in scores.items()],
        **extra,
    }
