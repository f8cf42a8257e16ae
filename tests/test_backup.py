"""Backups of an event (rows + index set) and its archive, on SQLite and PostgreSQL, end to end.

The event is the registered test event plus what a matchmaking day leaves behind, made through
the API: a built and published agenda with a late arrival and a lock, a booking, likes and
passes, intents (one deleted), a due-diligence task, learned weights and the audit trail.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import signal
import subprocess
import zipfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pytest
from sqlalchemy import insert, select, text, update
from tests_support import MATCHMAKER, assert_error, downgrade, migrated_pg_database

from matchmaker.db import dump, event_tables
from matchmaker.db.engine import make_engine, session_factory, transaction
from matchmaker.db.models import AuditEntry, Base, Event, Intent, MatchWeights, Project, User
from matchmaker.services.matching.index_store import index_dir_for
from matchmaker.services.matching.matcher import Matcher, ShortlistQuery
from matchmaker.services.registry.catalog import get_institution
from matchmaker.services.registry.events import get_event

S1 = "/api/v1/events/T2026/sessions/S1/agenda"


# ---- the event, as a matchmaking day leaves it --------------------------------------------


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_json()


def post(client: Any, headers: dict[str, str], url: str, expect: int = 200, **body: Any) -> Any:
    return ok(client.post(url, json=body, headers=headers), expect)


def patch(client: Any, headers: dict[str, str], url: str, **body: Any) -> Any:
    return ok(client.patch(url, json=body, headers=headers))


def populate(client: Any, accounts: Any, factory: Any) -> None:
    """Agenda, booking, verdicts, intents (one deleted), a task, learned weights: via the API."""
    organiser, staff = accounts.headers("organiser"), accounts.headers("staff")
    investor, investor_b = accounts.headers("investor"), accounts.headers("investor_b")
    odd = "冷链\u2028跨境 🚀 'quoted' \"double\" \\ tab\there"  # a line separator inside text
    patch(client, organiser, "/api/v1/projects/T-P003", description=odd)
    post(client, organiser, S1 + "/build")
    post(client, organiser, S1 + "/publish")
    post(client, organiser, S1 + "/late", project_id="T-P005", first_slot=3)
    first = ok(client.get(S1, headers=organiser))["meetings"][0]
    post(client, organiser, f"/api/v1/meetings/{first['meeting_id']}/lock", locked=True)
    booking = {"session": "S2", "project_id": "T-P002", "institution_id": "T-I02", "slot": 2}
    request = post(
        client, accounts.headers("entrant_b"), "/api/v1/meeting-requests", 201, **booking
    )
    post(client, investor_b, f"/api/v1/meeting-requests/{request['id']}/accept")
    for project, verdict in (("T-P001", "like"), ("T-P005", "pass")):
        feedback = "/api/v1/institutions/T-I01/feedback"
        post(client, investor, feedback, project_id=project, verdict=verdict)
    url = "/api/v1/intents"
    pair = {"project_id": "T-P001", "institution_id": "T-I01"}
    post(client, staff, url, 201, **pair, status="signed", amount="800万", signed_at="2026-11-20")
    talk = {"project_id": "T-P002", "institution_id": "T-I02", "status": "negotiating"}
    talking = post(client, staff, url, 201, **talk, amount="300万", session="S2")
    patch(client, staff, f"{url}/{talking['id']}", note='=HYPERLINK("x")')
    gone = post(client, staff, url, 201, project_id="T-P004", institution_id="T-I03")
    assert client.delete(f"{url}/{gone['id']}?reason=录入错误", headers=staff).status_code == 204
    post(client, staff, "/api/v1/due-diligence", 201, **pair, owner="王敏", due_date="2026-12-20")
    with transaction(factory) as db:  # fitted weights need more outcomes than a test event has
        event = get_event(db, "T2026")
        weights = dict(text=0.3, sector=0.3, stage=0.1, ticket=0.1, region=0.1, needs=0.1)
        db.add(MatchWeights(event_id=event.id, weights=weights, metrics={"ndcg": 0.5}))
        populate_signups(db, event)


def populate_signups(db: Any, event: Any) -> None:
    """Two investors' applications from the sign-up page: one approved by the organiser (an
    account outside the event, named on restore), one still pending (a password hash)."""
    from matchmaker.services.registry.signups import (
        Applicant,
        approve_signup,
        set_signups_open,
        submit_signup,
    )

    set_signups_open(db, event, True)
    phrase = "amber lantern over the harbour"
    made = [
        submit_signup(db, event, {"name": name, "type": "angel", "focus_sectors": ["储能"]},
                      Applicant("赵磊", "13700000042", "", username, phrase, phrase))
        for name, username in (("太行清洁能源基金", "zhao.lei"), ("榆次天使会", "wang.min"))
    ]  # fmt: skip
    organiser = db.scalar(select(User).where(User.username == "organiser"))
    approve_signup(db, made[0].id, actor=organiser)


class Counting:
    """The real encoder, counting its calls: a shortlist that encodes nothing rebuilt nothing."""

    def __init__(self, inner: Any) -> None:
        self.inner, self.calls = inner, 0

    name = property(lambda self: self.inner.name)
    dim = property(lambda self: self.inner.dim)

    def encode(self, texts: Any, **kwargs: Any) -> np.ndarray:
        self.calls += 1
        return self.inner.encode(texts, **kwargs)


@pytest.fixture(scope="module")
def encoder() -> Any:
    from matchmaker.embeddings.registry import get_encoder

    return get_encoder()


def shortlist(url: str, encoder: Any, counting: Counting | None = None) -> list[tuple[str, float]]:
    """T-I01's shortlist from a fresh process-like matcher keeping its sets beside ``url``."""
    matcher = Matcher(encoder=counting or encoder, index_dir=index_dir(url))
    engine = make_engine(url)
    try:
        with transaction(session_factory(engine)) as db:
            event = get_event(db, "T2026")
            items, _ = matcher.shortlist(
                db, event, get_institution(db, "T-I01", "T2026"), ShortlistQuery(k=10)
            )
            return [(m.code, round(m.score, 5)) for m in items]
    finally:
        engine.dispose()


def index_dir(url: str) -> Path:
    return index_dir_for(url, Path(os.environ["MATCHMAKER_INSTANCE_DIR"]))


def index_files(url: str) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in index_dir(url).glob("event-*")}


# ---- databases ----------------------------------------------------------------------------


# Tables a backup leaves out by design (event_tables.NOT_EVENT_DATA says why): the tokens, and
# the notices this server wrote and sent, which a restored server must not send again.
NOT_COMPARED = ("api_tokens", "notices", "notice_deliveries", "notice_attempts")


def everything(url: str, skip: tuple[str, ...] = NOT_COMPARED) -> dict[str, list[Any]]:
    """Every row of every table, sorted by key: what "unchanged" and "equal" compare."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return {
                t.name: sorted(
                    (dict(r) for r in connection.execute(select(t)).mappings()),
                    key=lambda row, t=t: tuple(row[c.name] for c in t.primary_key.columns),
                )
                for t in Base.metadata.sorted_tables
                if t.name not in skip
            }
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def pg_target() -> Iterator[str]:
    """A second migrated PostgreSQL database, the target of cross-database restores."""
    with migrated_pg_database("mm_target") as url:
        yield url


def empty_database(request: pytest.FixtureRequest, kind: str, tmp_path: Path) -> str:
    """A migrated, empty database of ``kind`` that is not the test's own."""
    if kind == "sqlite":
        path = tmp_path / "target.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("pg_target")
    engine = make_engine(url)
    names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()
    return url


def kind_of(url: str) -> str:
    return "sqlite" if url.startswith("sqlite") else "postgresql"


def run(*args: str, db: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [MATCHMAKER, "--db", db, *args],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        env={**os.environ, **(env or {})},
    )


def backup(url: str, path: Path) -> dict[str, Any]:
    result = run("--json", "backup", "create", "-o", str(path), db=url)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def restore(url: str, path: Path, *flags: str) -> dict[str, Any]:
    result = run("--json", "backup", "restore", str(path), *flags, db=url)
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def copy_shared_accounts(source: str, target: str) -> None:
    """The target's own organiser and staff (instance-wide accounts are not event data)."""
    users = Base.metadata.tables["users"]
    shared = select(users).where(users.c.role.in_(["organiser", "staff"]))
    engine = make_engine(source)
    with engine.connect() as connection:
        rows = [dict(r) for r in connection.execute(shared).mappings()]
    engine.dispose()
    engine = make_engine(target)
    with engine.begin() as connection:
        connection.execute(insert(users), rows)
        if kind_of(target) == "postgresql":
            dump.advance_sequences(connection, {"users": 0})
    engine.dispose()


# ---- the plan ------------------------------------------------------------------------------


def test_every_table_is_backed_up_or_left_out_with_a_reason() -> None:
    planned, left_out = set(event_tables.PLAN), set(event_tables.NOT_EVENT_DATA)
    assert not planned & left_out
    assert planned | left_out == set(Base.metadata.tables), "a new table needs a backup rule"
    assert all(len(reason) > 20 for reason in event_tables.NOT_EVENT_DATA.values())


def test_audit_entries_name_their_event_even_after_the_record_is_gone(  # type: ignore[no-untyped-def]
    client, accounts, factory
) -> None:
    populate(client, accounts, factory)
    with transaction(factory) as db:
        event_id = get_event(db, "T2026").id
        entries = db.scalars(select(AuditEntry)).all()
        deleted = [e for e in entries if e.action == "delete"]
        assert deleted and db.get(Intent, deleted[0].entity_id) is None
        kinds = {e.entity_type for e in entries}
    assert {"intents", "due_diligence_tasks", "agendas", "meetings", "meeting_requests"} <= kinds
    assert {e.event_id for e in entries} == {event_id}


def test_a_backup_reads_the_database_at_one_moment(factory, registered) -> None:  # type: ignore[no-untyped-def]
    from matchmaker.db.engine import snapshot

    name = select(Project.name).where(Project.code == "T-P001")
    with snapshot(factory) as db:
        before = db.scalar(name)
        with transaction(factory) as other:  # another process edits while the backup reads
            other.execute(update(Project).where(Project.code == "T-P001").values(name="改名"))
        assert db.scalar(name) == before
    with transaction(factory) as db:
        assert db.scalar(name) == "改名"


# ---- round trips ---------------------------------------------------------------------------


@pytest.mark.parametrize("into", ["same kind", "other kind"])
def test_round_trip_restores_every_row_and_serves_the_shortlist_from_the_restored_index(  # type: ignore[no-untyped-def]
    client, accounts, factory, db_url, tmp_path, request, encoder, into
) -> None:
    populate(client, accounts, factory)
    before = shortlist(db_url, encoder)
    assert before and "T-P005" not in dict(before)  # the pass hides it
    made = backup(db_url, tmp_path / "t2026.zip")
    assert made["index"] is True and made["rows"] > 50

    source_kind = kind_of(db_url)
    other = "postgresql" if source_kind == "sqlite" else "sqlite"
    target = empty_database(request, source_kind if into == "same kind" else other, tmp_path)
    copy_shared_accounts(db_url, target)
    done = restore(target, tmp_path / "t2026.zip")
    assert (done["ids"], done["index"], done["replaced"]) == ("kept", "restored", False)

    assert everything(target) == everything(db_url)
    restored_set = index_files(target)
    assert len(restored_set) == 4  # npz, two indexes, the project vectors
    counting = Counting(encoder)
    assert shortlist(target, encoder, counting) == before
    assert counting.calls == 0 and index_files(target) == restored_set  # no rebuild
    engine = make_engine(target)
    try:
        with transaction(session_factory(engine)) as db:  # new rows get new ids
            new = Intent(event_id=get_event(db, "T2026").id, institution_id=1, project_id=3)
            db.add(new)
            db.flush()
            assert new.id not in {1, 2}  # the restored intents'
            if kind_of(target) == "postgresql":
                assert new.id == 4  # past the deleted intent too (SQLite reuses the largest id)
    finally:
        engine.dispose()


def test_taken_ids_are_remapped_consistently_and_the_index_rebuilt(  # type: ignore[no-untyped-def]
    client, accounts, factory, db_url, tmp_path, encoder
) -> None:
    populate(client, accounts, factory)
    before = shortlist(db_url, encoder)
    backup(db_url, tmp_path / "t2026.zip")
    rows = everything(db_url)
    with transaction(factory) as db:  # the event becomes T2025 here: every id stays taken
        db.execute(update(Event).values(code="T2025"))
        db.execute(update(User).values(username=User.username + "-2025"))

    done = restore(db_url, tmp_path / "t2026.zip")
    assert (done["ids"], done["index"]) == ("remapped", "rebuild")
    after = everything(db_url)
    for table in event_tables.PLAN:
        assert len(after[table]) == 2 * len(rows[table]) or table == "users", table
    with transaction(factory) as db:
        old, new = get_event(db, "T2025"), get_event(db, "T2026")
        trail = db.scalars(select(AuditEntry).where(AuditEntry.event_id == new.id)).all()
        intents = set(db.scalars(select(Intent.id).where(Intent.event_id == new.id)))
        anywhere = set(db.scalars(select(Intent.id))) | set(
            db.scalars(select(AuditEntry.entity_id).where(AuditEntry.event_id == old.id))
        )
    assert new.id != old.id and len(trail) == len(rows["audit_entries"])
    renumbered = Counter(e.entity_id for e in trail if e.entity_type == "intents")
    original = Counter(
        r["entity_id"] for r in rows["audit_entries"] if r["entity_type"] == "intents"
    )
    assert sorted(renumbered.values()) == sorted(original.values())  # each trail stays whole
    (deleted,) = set(renumbered) - intents  # the deleted intent's trail, on an id of its own
    assert intents <= set(renumbered) and deleted not in anywhere - set(renumbered)
    counting = Counting(encoder)
    assert shortlist(db_url, encoder, counting) == before
    assert counting.calls == 0  # rebuilt from the restored text vectors, nothing re-encoded


def test_replace_brings_back_the_backed_up_state(  # type: ignore[no-untyped-def]
    client, accounts, factory, db_url, tmp_path, encoder
) -> None:
    populate(client, accounts, factory)
    before = shortlist(db_url, encoder)
    backup(db_url, tmp_path / "t2026.zip")
    saved = everything(db_url)
    organiser, staff = accounts.headers("organiser"), accounts.headers("staff")
    patch(client, organiser, "/api/v1/projects/T-P001", funding_ask=90_000_000)
    post(client, staff, "/api/v1/intents", 201, project_id="T-P005", institution_id="T-I01")
    feedback = "/api/v1/institutions/T-I01/feedback"
    post(client, accounts.headers("investor"), feedback, project_id="T-P002", verdict="pass")
    changed = shortlist(db_url, encoder)
    assert changed != before
    with transaction(factory) as db:
        changed_version = get_event(db, "T2026").registrations_version

    done = restore(db_url, tmp_path / "t2026.zip", "--replace")
    assert (done["ids"], done["index"], done["replaced"]) == ("kept", "restored", True)
    now = everything(db_url)
    version = now["events"][0].pop("registrations_version")
    assert version > changed_version  # never a version another process may hold a state for
    saved["events"][0].pop("registrations_version")
    assert now == saved
    restored_set = index_files(db_url)
    counting = Counting(encoder)
    assert shortlist(db_url, encoder, counting) == before and counting.calls == 0
    assert len(restored_set) == 4 and index_files(db_url) == restored_set  # no rebuild
    gone = client.get("/api/v1/me", headers=accounts.headers("investor"))
    assert_error(gone, 401)  # a replaced event's accounts come back without their tokens


# ---- refusals ------------------------------------------------------------------------------


def rewritten(source: Path, target: Path, change: Any) -> Path:
    """Copy an archive member by member, letting ``change(name, bytes)`` alter each."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            content = change(info.filename, old.read(info.filename))
            if content is not None:
                new.writestr(info.filename, content)
    return target


def manifest_with(**values: Any) -> Any:
    def change(name: str, content: bytes) -> bytes:
        if name != "manifest.json":
            return content
        return json.dumps({**json.loads(content), **values}).encode()

    return change


def test_refused_archives_change_nothing(client, accounts, factory, db_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    populate(client, accounts, factory)
    good = tmp_path / "good.zip"
    backup(db_url, good)
    truncated = tmp_path / "truncated.zip"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])

    def one_byte(name: str, content: bytes) -> bytes:
        return (
            content.replace("储能".encode(), "储存".encode(), 1) if "projects" in name else content
        )

    def cut(name: str, content: bytes) -> bytes:
        return content[:-40] if name == "data/intents.jsonl" else content

    bad = {
        "not a zip": (truncated, "不是可用的备份文件"),
        "a changed byte": (rewritten(good, tmp_path / "byte.zip", one_byte), "SHA-256"),
        "a cut member": (rewritten(good, tmp_path / "cut.zip", cut), "截断"),
        "a missing member": (
            rewritten(good, tmp_path / "gone.zip", lambda n, c: None if "meetings" in n else c),
            "不在备份里",
        ),
        "an older schema": (
            rewritten(good, tmp_path / "old.zip", manifest_with(alembic_revision="0005")),
            "较旧的数据库结构 0005",
        ),
        "a newer schema": (
            rewritten(good, tmp_path / "new.zip", manifest_with(alembic_revision="9999")),
            "更新的数据库结构 9999",
        ),
        "an existing event": (good, "已存在"),
    }
    before = everything(db_url)
    for why, (path, message) in bad.items():
        for flags in ((), ("--replace",)) if why != "an existing event" else ((),):
            result = run("backup", "restore", str(path), *flags, db=db_url)
            assert result.returncode == 2, (why, result.stdout, result.stderr)
            assert message in result.stderr and "Traceback" not in result.stderr, why
            assert everything(db_url) == before, why
    changed = str(bad["a changed byte"][0])
    result = run("--json", "--lang", "en", "backup", "restore", changed, db=db_url)
    body = json.loads(result.stdout)
    assert body["ok"] is False and "damaged" in body["message"]
    assert [(e["code"], e["column"]) for e in body["errors"]] == [
        ("backup.checksum", "data/projects.jsonl")
    ]
    assert "SHA-256 differs" in body["errors"][0]["message"]


def test_a_killed_restore_leaves_nothing_half_written(  # type: ignore[no-untyped-def]
    client, accounts, factory, db_url, tmp_path
) -> None:
    populate(client, accounts, factory)
    archive = tmp_path / "t2026.zip"
    backup(db_url, archive)
    patch(client, accounts.headers("organiser"), "/api/v1/projects/T-P001", name="改过的名字")
    before = everything(db_url)
    with subprocess.Popen(
        [MATCHMAKER, "--db", db_url, "backup", "restore", str(archive), "--replace"],
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "MATCHMAKER_TEST_PAUSE_RESTORE": "60"},
    ) as process:
        try:
            assert process.stderr is not None
            said = [process.stderr.readline() for _ in range(1)]
            while said[-1] and not said[-1].startswith("paused after"):
                said.append(process.stderr.readline())
            assert said[-1].startswith("paused after"), said  # old rows deleted, new going in
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=30)
        finally:
            if process.poll() is None:
                process.kill()
    assert process.returncode == -signal.SIGKILL
    assert everything(db_url) == before
    with transaction(factory) as db:
        assert get_event(db, "T2026").id  # still there, still writable
        db.execute(update(Event).values(city="大同"))


# ---- the archive for people ----------------------------------------------------------------


def sheet(archive: zipfile.ZipFile, name: str) -> list[tuple[Any, ...]]:
    book = openpyxl.load_workbook(io.BytesIO(archive.read(name)))
    return list(book.active.iter_rows(values_only=True))


def test_event_archive_holds_every_sheet_and_only_staff_may_fetch_it(  # type: ignore[no-untyped-def]
    client, accounts, factory, tmp_path
) -> None:
    populate(client, accounts, factory)
    organiser = accounts.headers("organiser")
    patch(client, organiser, "/api/v1/events/T2026/sessions/S1", name="=1+1 专场")
    url = "/api/v1/events/T2026/archive.zip"
    for who in ("investor", "investor_b", "entrant", "entrant_b"):
        assert_error(client.get(url, headers=accounts.headers(who)), 403)
    assert_error(client.get(url), 401)
    assert client.get(url, headers=accounts.headers("staff")).status_code == 200
    response = client.get(url, headers=organiser)
    assert response.status_code == 200 and response.mimetype == "application/zip"
    documented = client.get("/api/openapi.json").get_json()["paths"][
        "/api/v1/events/{code}/archive.zip"
    ]["get"]["responses"]["200"]
    assert list(documented["content"]) == ["application/zip"]
    assert 'filename="T2026-archive.zip"' in response.headers["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert archive.namelist() == [
        "README.txt",
        "projects.xlsx",
        "institutions.xlsx",
        "agenda/S1.xlsx",
        "agenda/S1.ics",
        "agenda/S2.xlsx",
        "agenda/S2.ics",
        "intents.xlsx",
        "due_diligence.xlsx",
        "report.xlsx",
        "audit.csv",
    ]
    readme = archive.read("README.txt").decode("utf-8")
    assert all(name in readme for name in archive.namelist()[1:])
    assert "投资意向台账" in readme and "Investment intents" in readme

    assert len(sheet(archive, "projects.xlsx")) == 1 + 5
    intents = sheet(archive, "intents.xlsx")
    header = intents[0]
    amount, status = header.index("金额(万元)"), header.index("状态")
    signed_wan = sum(r[amount] for r in intents[1:] if r[status] == "签约意向")
    report = sheet(archive, "report.xlsx")
    total = next(r for r in report if r[0] == "合计")
    signed_yuan = total[report[2].index("意向金额（元）")]
    assert signed_yuan == signed_wan * 10_000 == 8_000_000
    assert any(r[0] == "'=1+1 专场" for r in report)  # a typed formula is quoted, not run
    agenda = sheet(archive, "agenda/S1.xlsx")
    assert len(agenda) > 1 and {r[0] for r in agenda[1:]} == {"'=1+1 专场"}
    note = intents[0].index("备注")
    assert any(r[note] == '\'=HYPERLINK("x")' for r in intents[1:])
    tasks = sheet(archive, "due_diligence.xlsx")
    assert [r[:5] for r in tasks[1:]] == [("T-P001", tasks[1][1], "T-I01", tasks[1][3], "王敏")]
    trail = archive.read("audit.csv").decode("utf-8-sig").splitlines()
    assert trail[0].startswith("时间（北京时间）,操作人")
    assert any(",intents," in line and ",delete," in line for line in trail)
    calendar = archive.read("agenda/S1.ics").decode()
    assert calendar.count("BEGIN:VEVENT") == len(agenda) - 1

    db_url = client.application.config["DATABASE_URL"]
    result = run("--json", "export", "archive", "-o", str(tmp_path / "a.zip"), db=db_url)
    assert result.returncode == 0, result.stderr
    assert zipfile.ZipFile(tmp_path / "a.zip").namelist() == archive.namelist()


# ---- the migration -------------------------------------------------------------------------


def test_the_migration_gives_existing_audit_entries_their_event(engine, registered) -> None:  # type: ignore[no-untyped-def]
    from matchmaker.db.engine import migrate

    downgrade(engine, "0006")  # foreign keys off: 0031's rebuild of events keeps its children
    with engine.begin() as connection:
        project = connection.scalar(text("SELECT id FROM projects ORDER BY id LIMIT 1"))
        institution = connection.scalar(text("SELECT id FROM institutions ORDER BY id LIMIT 1"))
        event = connection.scalar(text("SELECT id FROM events"))
        connection.execute(
            text(
                "INSERT INTO intents (event_id, institution_id, project_id, status, signatories,"
                " drop_reason, note, status_since, version, created_at, updated_at) VALUES"
                " (:e, :i, :p, 'watching', '', '', '', :t, 1, :t, :t)"
            ),
            {"e": event, "i": institution, "p": project, "t": "2026-11-20 00:00:00"},
        )
        intent = connection.scalar(text("SELECT id FROM intents"))
        for entity in (intent, intent + 100):  # the second one's record was deleted since
            connection.execute(
                text(
                    "INSERT INTO audit_entries (entity_type, entity_id, action, actor_label, at)"
                    " VALUES ('intents', :id, 'create', 'system', :t)"
                ),
                {"id": entity, "t": "2026-11-20 00:00:00"},
            )
    migrate(engine)  # as the product upgrades: on SQLite with foreign keys off
    with engine.connect() as connection:
        owners = connection.execute(text("SELECT event_id FROM audit_entries")).scalars().all()
    assert owners == [event, event]
