"""More than one machine: two app servers and two workers on one PostgreSQL and one Redis.

Each server (`matchmaker serve`) and each worker (`matchmaker worker`) is a real process with an
instance folder of its own, as on separate hosts (deploy/compose.yaml). What a user would notice
if the nodes did not agree is checked through the HTTP API: an edit made through one server is
in the other's next shortlist, a file uploaded through one is downloaded through the other (a
shared attachments folder, as deploy/ mounts it: each node's default is its own instance folder),
a worker killed in the middle of a job leaves it to the other worker, and bookings racing through
both servers never double-book a slot.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session, sessionmaker
from tests_support import MATCHMAKER, PG_ADMIN_URL, many_entrants, migrated_pg_database

from matchmaker.db.engine import make_engine, schema_is_current, session_factory, transaction
from matchmaker.db.models import Job, MatchmakingSession, Meeting, Project, Slot
from matchmaker.domain import JobStatus, MeetingStatus, Role

pytestmark = [pytest.mark.postgres, pytest.mark.xdist_group("two_nodes")]

REDIS = os.environ.get("MATCHMAKER_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
DATA = Path(__file__).parent / "data"
STALE = 3  # seconds of silence after which a worker counts as gone (10 in production)
PAUSE = 15  # seconds each worker waits inside a job's transaction before it commits
LOADED = "matching state loaded"
START_SECONDS = 240  # generous: four processes load the encoder at once on a shared machine


def _redis_or_skip() -> None:
    from redis import Redis
    from redis.exceptions import ConnectionError as RedisDown

    try:
        Redis.from_url(REDIS, socket_connect_timeout=2).ping()
    except RedisDown as exc:
        pytest.skip(f"Redis not reachable at {REDIS}: {exc}")


def call(
    base: str, path: str, token: str, body: Any = None, method: str | None = None
) -> tuple[int, Any]:
    """Call a served API; return the status and the JSON answer (errors included)."""
    request = urllib.request.Request(
        base + path,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method=method,
    )
    try:
        with urllib.request.urlopen(request, timeout=90) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Node:
    """One process of the cluster: its command, its instance folder and its log."""

    name: str
    process: subprocess.Popen[bytes]
    log: Path
    base: str = ""  # a server's address; empty for a worker

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        """Ask the node and everything it started (its process group) to stop."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)

    def wait(self, deadline: float) -> None:
        """Wait until ``deadline`` (monotonic) for the node to stop, then kill what is left."""
        try:
            self.process.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


def _start(name: str, home: Path, env: dict[str, str], *args: str, **extra: str) -> Node:
    """Start ``matchmaker <args>`` with an instance folder of its own under ``home/name``."""
    folder = home / name
    folder.mkdir(parents=True)
    log = folder / "node.log"
    with open(log, "wb") as out:  # the child keeps its own copy of the descriptor
        process = subprocess.Popen(
            [MATCHMAKER, *args],
            env={**env, "MATCHMAKER_INSTANCE_DIR": str(folder / "instance"), **extra},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return Node(name, process, log)


def _wait_healthy(node: Node) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if node.process.poll() is not None:
            pytest.fail(f"server {node.name} exited:\n{node.output()[-3000:]}")
        try:
            urllib.request.urlopen(f"{node.base}/healthz", timeout=2)
            return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"server {node.name} did not answer /healthz:\n{node.output()[-3000:]}")


@dataclass
class Cluster:
    """Two servers, two workers, the database they share and the tokens of the test's users."""

    a: Node
    b: Node
    workers: list[Node]
    factory: sessionmaker[Session]
    tokens: dict[str, str]


def _load_event(factory: sessionmaker[Session]) -> dict[str, str]:
    """Load the test event with its registrations; return organiser and investor tokens."""
    from matchmaker.services.registry.accounts import create_user, issue_token
    from matchmaker.services.registry.catalog import get_institution
    from matchmaker.services.registry.events import (
        SessionSpec,
        add_session,
        create_event,
        get_event,
    )
    from matchmaker.services.registry.registrations import import_registrations

    spec = json.loads((DATA / "event.json").read_text(encoding="utf-8"))
    with transaction(factory) as db:
        created = create_event(db, **spec["event"])
        for session in spec["sessions"]:
            add_session(db, created, SessionSpec.from_dict(session))
    with transaction(factory) as db:
        event = get_event(db, "T2026")
        for kind in ("institutions", "projects"):
            path = DATA / f"{kind}.csv"
            import_registrations(db, event, kind, path.read_bytes(), path.name)
        organiser = create_user(db, "organiser", Role.ORGANISER)
        investor = create_user(
            db, "investor", Role.INVESTOR, institution=get_institution(db, "T-I01")
        )
        return {
            "organiser": issue_token(db, organiser, "two-nodes")[0],
            "investor": issue_token(db, investor, "two-nodes")[0],
        }


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """Servers A and B and workers W1 and W2, each with its own instance folder, on a fresh
    PostgreSQL database and a Redis queue of their own; every process is stopped afterwards."""
    _redis_or_skip()
    home = tmp_path_factory.mktemp("nodes")
    queue = f"twonode-{uuid.uuid4().hex[:10]}"
    with migrated_pg_database("mm_twonode") as url:
        engine = make_engine(url)
        factory = session_factory(engine)
        tokens = _load_event(factory)
        env = {
            **os.environ,
            "MATCHMAKER_DATABASE_URL": url,
            "MATCHMAKER_REDIS_URL": REDIS,
            "MATCHMAKER_JOB_QUEUE": queue,
            "MATCHMAKER_JOB_STALE_SECONDS": str(STALE),
            "MATCHMAKER_SECRET_KEY": uuid.uuid4().hex,  # the same on every host (README)
            # the shared volume of deploy/compose.yaml: each node's instance folder is its own
            "MATCHMAKER_ATTACHMENT_DIR": str(home / "shared-attachments"),
        }
        nodes: list[Node] = []
        try:
            for name in ("a", "b"):
                port = _free_port()
                args = ("serve", "--port", str(port), "--workers", "1")
                node = _start(name, home, env, *args)
                node.base = f"http://127.0.0.1:{port}"
                nodes.append(node)
            # Both workers stop inside every job's transaction for a while (for tests only): the
            # one that takes the job is killed there, the other takes it over and finishes it.
            pause = {"MATCHMAKER_PAUSE_AT": f"job.commit:{PAUSE}"}
            nodes += [_start(f"w{i}", home, env, "worker", **pause) for i in (1, 2)]
            a, b, w1, w2 = nodes
            for server in (a, b):
                _wait_healthy(server)
            yield Cluster(a, b, [w1, w2], factory, tokens)
        finally:
            for node in nodes:
                node.stop()
            deadline = time.monotonic() + 15
            for node in nodes:
                node.wait(deadline)
            engine.dispose()
            from redis import Redis

            redis = Redis.from_url(REDIS)
            for key in redis.scan_iter(f"*{queue}*"):
                redis.delete(key)


def test_nodes_started_together_on_a_new_database_each_come_up(tmp_path: Path) -> None:
    # A first deployment starts every app node at once on an empty database, and each migrates
    # it before it serves: without a lock all but one failed with "relation already exists".
    try:
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure to connect means "no server here"
        pytest.skip(f"PostgreSQL not reachable at {PG_ADMIN_URL}: {exc.__class__.__name__}")
    name = f"mm_twonode_init_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin.url.set(database=name).render_as_string(hide_password=False)
    try:
        env = {**os.environ, "MATCHMAKER_DATABASE_URL": url}
        starts = [
            subprocess.Popen(
                [MATCHMAKER, "init"],
                env={**env, "MATCHMAKER_INSTANCE_DIR": str(tmp_path / f"node{i}")},
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            for i in range(2)
        ]
        outputs = [start.communicate(timeout=180)[0] for start in starts]
        assert [start.returncode for start in starts] == [0, 0], outputs
        engine = make_engine(url)
        try:
            assert schema_is_current(engine)
        finally:
            engine.dispose()
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


SHORTLIST = "/api/v1/institutions/T-I01/shortlist?k=20"
NEW_PROJECT = {
    "event": "T2026",
    "id": "T-P090",
    "name": "吕梁工商业储能运维平台",
    "track": "绿色经济",
    "group": "企业组",
    "sectors": ["储能", "电池管理"],
    "stage": "天使轮",
    "region": "山西省吕梁市",
    "description": "为工商业储能电站提供电池健康监测与运维调度，已接入5个园区。",
    "sessions": ["S1"],
}


def _scores(items: list[dict[str, Any]]) -> dict[str, float]:
    return {item["project_id"]: item["score"] for item in items}


def test_an_edit_through_one_server_is_in_the_other_servers_next_shortlist(
    cluster: Cluster,
) -> None:
    a, b, investor = cluster.a, cluster.b, cluster.tokens["investor"]
    organiser = cluster.tokens["organiser"]
    status, before = call(b.base, SHORTLIST, investor)
    assert status == 200, before
    assert "T-P001" in _scores(before["items"]) and "T-P090" not in _scores(before["items"])
    loads = b.output().count(LOADED)
    # a new registration through A ...
    status, created = call(a.base, "/api/v1/projects", organiser, NEW_PROJECT)
    assert status == 201, created
    status, after = call(b.base, SHORTLIST, investor)
    assert status == 200, after
    assert "T-P090" in _scores(after["items"])  # ... is ranked by B at once
    # ... and a project rewritten through A (now elder care, not storage) drops on B
    text_ = "居家养老陪护与康复训练服务，为社区老人提供上门照护。"
    change = {"description": text_, "sectors": ["智慧养老"]}
    edit = "/api/v1/projects/T-P001?event=T2026"
    status, edited = call(a.base, edit, organiser, change, method="PATCH")
    assert status == 200 and edited["description"] == text_, edited
    status, on_b = call(b.base, SHORTLIST, investor)
    assert status == 200, on_b
    status, on_a = call(a.base, SHORTLIST, investor)
    assert status == 200, on_a
    old, new = _scores(after["items"])["T-P001"], _scores(on_b["items"]).get("T-P001", 0.0)
    assert new < old - 0.05, (old, new)  # a 储能 investor: no sector fit, a weaker text fit
    # both servers rank the same registrations the same way
    assert [i["project_id"] for i in on_b["items"]] == [i["project_id"] for i in on_a["items"]]
    assert _scores(on_b["items"]) == pytest.approx(_scores(on_a["items"]), abs=1e-4)
    # B noticed the stamp move and loaded the new state itself, once per edit it saw
    assert b.output().count(LOADED) == loads + 2, b.output()[-3000:]


def test_a_file_uploaded_through_one_server_is_downloaded_through_the_other(
    cluster: Cluster,
) -> None:
    organiser = cluster.tokens["organiser"]
    pdf = b"%PDF-1.4\n% two nodes\n" + uuid.uuid4().hex.encode() + b"\n%%EOF\n"
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="bp.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + pdf
        + f"\r\n--{boundary}--\r\n".encode()
    )
    upload = urllib.request.Request(
        cluster.a.base + "/api/v1/projects/T-P002/attachments?event=T2026",
        data=body,
        headers={
            "Authorization": f"Bearer {organiser}",
            "Content-Type": f"multipart/form-data; boundary={boundary}",
        },
    )
    with urllib.request.urlopen(upload, timeout=60) as response:
        assert response.status == 201
        attachment = json.load(response)
    download = urllib.request.Request(
        f"{cluster.b.base}/api/v1/projects/T-P002/attachments/{attachment['id']}",
        headers={"Authorization": f"Bearer {organiser}"},
    )
    with urllib.request.urlopen(download, timeout=60) as response:
        assert response.status == 200 and response.read() == pdf


def _wait_for_line(nodes: list[Node], line: str, timeout: float = 180) -> Node:
    """Return the first of ``nodes`` whose log shows ``line``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for node in nodes:
            if line in node.output():
                return node
        time.sleep(0.2)
    logs = "\n".join(f"--- {n.name}\n{n.output()[-2000:]}" for n in nodes)
    raise AssertionError(f"no worker printed {line!r}:\n{logs}")


def _job(factory: sessionmaker[Session], job_id: int) -> Job:
    with transaction(factory) as db:
        job = db.get_one(Job, job_id)
        db.expunge(job)
    return job


def _s2_meetings(factory: sessionmaker[Session]) -> int:
    with transaction(factory) as db:
        return (
            db.scalar(
                select(func.count())
                .select_from(Meeting)
                .join(Slot, Meeting.slot_id == Slot.id)
                .join(MatchmakingSession, Slot.session_id == MatchmakingSession.id)
                .where(MatchmakingSession.code == "S2")
            )
            or 0
        )


def test_a_worker_killed_inside_a_job_leaves_it_to_the_other_worker(cluster: Cluster) -> None:
    organiser = cluster.tokens["organiser"]
    build = "/api/v1/events/T2026/sessions/S2/agenda/build"
    status, job = call(cluster.a.base, build, organiser, {"time_limit": 5})
    assert status == 202 and job["status"] == "queued", job
    # whichever worker took it is now inside the job's transaction, its meetings not committed
    doomed = _wait_for_line(cluster.workers, "pausing at job.commit")
    survivor = next(w for w in cluster.workers if w is not doomed)
    running = _job(cluster.factory, job["id"])
    assert running.status == JobStatus.RUNNING
    assert running.worker == f"{socket.gethostname()}:{doomed.process.pid}"
    doomed.process.send_signal(signal.SIGKILL)
    doomed.process.wait(timeout=10)
    assert _s2_meetings(cluster.factory) == 0  # nothing of the dead worker's was committed
    # the other worker, running all along, sees the heartbeat stop, queues the job again and
    # runs it to the end; the organiser follows it through the other server
    deadline = time.monotonic() + STALE + PAUSE + 120
    while time.monotonic() < deadline:
        status, seen = call(cluster.b.base, f"/api/v1/jobs/{job['id']}", organiser)
        assert status == 200, seen
        if seen["status"] not in ("queued", "running"):
            break
        time.sleep(0.5)
    assert seen["status"] == "done", (seen, survivor.output()[-3000:])
    assert seen["attempts"] == 2
    assert seen["worker"] == f"{socket.gethostname()}:{survivor.process.pid}"
    assert "lost its worker" in survivor.output()
    assert _s2_meetings(cluster.factory) == seen["result"]["meetings"] > 0


def _at_once(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run ``calls`` in threads released together; return their results in order."""
    start = threading.Barrier(len(calls))

    def run(one: Callable[[], Any]) -> Any:
        start.wait()
        return one()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


BOOK = "/api/v1/meeting-requests"


def test_bookings_racing_through_both_servers_never_double_book(cluster: Cluster) -> None:
    tokens = many_entrants(cluster.factory, 60)  # entrants of T-R000… in S1
    places = [(i, s) for i in ("T-I01", "T-I02") for s in (1, 2, 3)]  # 10 bookers each

    def booking(k: int, project: str, token: str) -> Callable[[], Any]:
        institution, slot = places[k % len(places)]
        body = {"session": "S1", "project_id": project, "institution_id": institution, "slot": slot}
        server = (cluster.a, cluster.b)[(k // len(places)) % 2]  # half of each place's bookers
        return lambda: (institution, slot, server.name, *call(server.base, BOOK, token, body))

    results = _at_once([booking(k, p, t) for k, (p, t) in enumerate(tokens.items())])
    codes = Counter(code for *_, code, _ in results)
    print(f"\n60 bookings through two servers: {dict(codes)}")
    assert set(codes) <= {201, 409} and codes[201] == len(places), codes
    winners = Counter((i, s) for i, s, _, code, _ in results if code == 201)
    assert winners == Counter(places)  # exactly one winner a contested place
    for _institution, s, _server, code, body in results:
        if code == 409:
            assert f"第 {s} 时段已被占用" in body["message"], body
    with transaction(cluster.factory) as db:
        live = db.execute(
            select(
                Meeting.slot_id, Meeting.institution_id, Meeting.project_id, Meeting.table_id
            ).where(Meeting.status != MeetingStatus.CANCELLED)
        ).all()
    for column in (1, 2, 3):  # institution, project, table: one live meeting each per slot
        taken = Counter((row[0], row[column]) for row in live if row[column] is not None)
        assert max(taken.values()) == 1, taken.most_common(3)
    with transaction(cluster.factory) as db:
        racers = set(db.scalars(select(Project.id).where(Project.code.in_(list(tokens)))))
    assert sum(row[2] in racers for row in live) == len(places)  # the winners' requests alone
