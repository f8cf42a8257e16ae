"""Background jobs on a real Redis with real worker processes, on SQLite and PostgreSQL.

Index rebuilds and agenda builds go to `matchmaker worker` (RQ) when a queue is configured; the
API keeps answering meanwhile. A worker killed with SIGKILL inside a job's transaction leaves
nothing written, and the next worker retries the job to the end.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from tests_support import CSRF, MATCHMAKER, assert_error, sign_in

from matchmaker.db.engine import transaction
from matchmaker.db.models import Job, Meeting
from matchmaker.domain import JobKind, JobStatus
from matchmaker.services.operations.jobs import JobQueue

REDIS = os.environ.get("MATCHMAKER_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
S1 = "/api/v1/events/T2026/sessions/S1/agenda"
REBUILD = "/api/v1/events/T2026/index/rebuild"
STALE = 2  # seconds of silence after which a worker counts as gone (10 in production)


def _redis_or_skip() -> None:
    from redis import Redis
    from redis.exceptions import ConnectionError as RedisDown

    try:
        Redis.from_url(REDIS, socket_connect_timeout=2).ping()
    except RedisDown as exc:
        pytest.skip(f"Redis not reachable at {REDIS}: {exc}")


@pytest.fixture
def queued(db_url: str, registered: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """An app whose jobs go to a queue of its own on the real Redis, and a way to run workers."""
    from matchmaker.app import create_app

    _redis_or_skip()
    name = f"test-{uuid.uuid4().hex[:10]}"
    monkeypatch.setenv("MATCHMAKER_INSTANCE_DIR", str(tmp_path / "instance"))
    queue = JobQueue(REDIS, name, STALE)
    app = create_app({"DATABASE_URL": db_url, "TESTING": True, "JOB_QUEUE": queue})
    env = {
        **os.environ,
        "MATCHMAKER_DATABASE_URL": db_url,
        "MATCHMAKER_INSTANCE_DIR": str(tmp_path / "instance"),
        "MATCHMAKER_REDIS_URL": REDIS,
        "MATCHMAKER_JOB_QUEUE": name,
        "MATCHMAKER_JOB_STALE_SECONDS": str(STALE),
    }
    yield app, env
    app.extensions["matchmaker.engine"].dispose()
    from redis import Redis

    redis = Redis.from_url(REDIS)
    for key in redis.scan_iter(f"*{name}*"):
        redis.delete(key)


def _worker(env: dict[str, str], *args: str, **extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [MATCHMAKER, "worker", *args],
        env={**env, **extra},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _burst(env: dict[str, str]) -> str:
    """Run one worker until the queue is empty; return what it printed."""
    worker = _worker(env, "--burst")
    out, _ = worker.communicate(timeout=240)
    assert worker.returncode == 0, out
    return out


def _wait_for(worker: subprocess.Popen[str], text: str, timeout: float = 180) -> None:
    """Read the worker's log until ``text`` appears (it is then paused there)."""
    import selectors

    assert worker.stdout is not None
    selector = selectors.DefaultSelector()
    selector.register(worker.stdout, selectors.EVENT_READ)
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if selector.select(timeout=1):
            line = worker.stdout.readline()
            if not line and worker.poll() is not None:
                break
            seen.append(line)
            if text in line:
                return
    raise AssertionError(f"the worker never printed {text!r}:\n{''.join(seen)}")


def _job(app: Any, job_id: int) -> Job:
    factory = app.extensions["matchmaker.session_factory"]
    with transaction(factory) as db:
        job = db.get(Job, job_id)
        db.expunge(job)
    return job


def _meeting_count(app: Any) -> int:
    factory = app.extensions["matchmaker.session_factory"]
    with transaction(factory) as db:
        return db.scalar(select(func.count()).select_from(Meeting)) or 0


# ---- without a queue: the same job runs in the request ------------------------------------


def test_without_a_queue_a_rebuild_runs_in_the_request(client, accounts) -> None:  # type: ignore[no-untyped-def]
    organiser, staff = accounts.headers("organiser"), accounts.headers("staff")
    response = client.post(REBUILD, headers=organiser)
    assert response.status_code == 202, response.get_json()
    job = response.get_json()
    assert job["status"] == "done" and job["kind"] == "index.rebuild" and job["attempts"] == 1
    assert job["result"]["projects"] == 5 and job["result"]["institutions"] == 3
    assert client.get(f"/api/v1/jobs/{job['id']}", headers=staff).get_json() == job
    listed = client.get("/api/v1/events/T2026/jobs", headers=staff).get_json()
    assert listed["background"] is False and [j["id"] for j in listed["items"]] == [job["id"]]
    assert_error(client.post(REBUILD, headers=accounts.headers("investor")), 403)
    assert_error(client.get(f"/api/v1/jobs/{job['id']}", headers=accounts.headers("entrant")), 403)
    assert_error(client.get("/api/v1/jobs/999999", headers=staff), 404)


def test_a_job_whose_request_process_died_is_reported_failed(client, accounts, factory) -> None:  # type: ignore[no-untyped-def]
    import socket

    from matchmaker.services.registry.events import get_event

    with transaction(factory) as db:
        event = get_event(db, "T2026")
        dead = Job(
            kind=JobKind.INDEX_REBUILD,
            status=JobStatus.RUNNING,
            event_id=event.id,
            params={},
            attempts=1,
            worker=f"{socket.gethostname()}:{2**22 + 17}",  # above pid_max: never a live process
        )
        db.add(dead)
        db.flush()
        dead_id = dead.id
    listed = client.get("/api/v1/events/T2026/jobs", headers=accounts.headers("organiser"))
    (job,) = listed.get_json()["items"]
    assert job["id"] == dead_id and job["status"] == "failed"
    assert "中断" in job["error"] and job["finished_at"]


def test_a_running_jobs_heartbeat_never_lapses_however_short_its_lifetime() -> None:
    # Beating every 2 s against a 2 s lifetime, the key could expire between beats, and another
    # worker's sweep queued the live job again (it then ran twice).
    import threading

    from matchmaker.services.operations.jobs import runner

    class Recording(JobQueue):
        def beat(self, job_id: int, worker: str) -> None:
            beats.append(time.monotonic())

    beats: list[float] = []
    lifetime = 1
    stop = threading.Event()
    beating = threading.Thread(
        target=runner._heartbeat, args=(Recording("redis://unused", "q", lifetime), 1, "w", stop)
    )
    started = time.monotonic()
    beating.start()
    time.sleep(2.5)
    stop.set()
    beating.join(timeout=5)
    gaps = [b - a for a, b in zip([started, *beats], beats, strict=False)]
    assert len(beats) >= 4 and max(gaps) < lifetime * 0.6, gaps


# ---- a real queue and real workers ----------------------------------------------------------


def test_an_agenda_build_runs_on_a_worker_while_the_api_answers(queued, accounts) -> None:  # type: ignore[no-untyped-def]
    app, env = queued
    client = app.test_client()
    organiser = accounts.headers("organiser")
    response = client.post(S1 + "/build", json={"time_limit": 5}, headers=organiser)
    assert response.status_code == 202, response.get_json()
    job = response.get_json()
    assert job["status"] == "queued" and job["session"] == "S1" and job["params"]["time_limit"] == 5
    # nothing built yet, and the API answers the other requests while the job waits
    assert client.get(S1, headers=organiser).get_json()["meetings"] == []
    shortlist = client.get("/api/v1/institutions/T-I01/shortlist", headers=organiser)
    assert shortlist.status_code == 200 and shortlist.get_json()["items"]
    # the same build asked twice while it waits is one job, not two
    again = client.post(S1 + "/build", json={"time_limit": 5}, headers=organiser).get_json()
    assert again["id"] == job["id"]
    out = _burst(env)
    done = client.get(f"/api/v1/jobs/{job['id']}", headers=organiser).get_json()
    assert done["status"] == "done", (done, out)
    assert done["result"]["meetings"] > 0 and done["worker"]
    assert (
        len(client.get(S1, headers=organiser).get_json()["meetings"]) == done["result"]["meetings"]
    )
    # asked explicitly, a build still runs in the request
    inline = client.post(
        S1 + "/build", json={"time_limit": 5, "background": False}, headers=organiser
    )
    assert inline.status_code == 200 and inline.get_json()["meetings"] > 0


def test_a_worker_killed_inside_an_agenda_build_writes_nothing_and_the_job_is_retried(
    queued, accounts
) -> None:  # type: ignore[no-untyped-def]
    app, env = queued
    client = app.test_client()
    organiser = accounts.headers("organiser")
    job = client.post(S1 + "/build", json={"time_limit": 5}, headers=organiser).get_json()
    # the first worker stops after writing the meetings, before its transaction commits
    doomed = _worker(env, MATCHMAKER_PAUSE_AT="job.commit:120")
    _wait_for(doomed, "pausing at job.commit")
    assert _job(app, job["id"]).status == JobStatus.RUNNING
    doomed.send_signal(signal.SIGKILL)
    doomed.wait(timeout=10)
    doomed.stdout.close()  # type: ignore[union-attr]
    assert _job(app, job["id"]).status == JobStatus.RUNNING  # what the dead worker left
    assert _meeting_count(app) == 0  # its meetings were never committed
    time.sleep(STALE + 1)  # its heartbeat expires
    out = _burst(env)  # a new worker finds the job, queues it again and runs it
    retried = _job(app, job["id"])
    assert retried.status == JobStatus.DONE, out
    assert retried.attempts == 2
    assert _meeting_count(app) == retried.result["meetings"] > 0


def test_a_worker_killed_inside_an_index_rebuild_leaves_a_consistent_index(
    queued, accounts
) -> None:  # type: ignore[no-untyped-def]
    app, env = queued
    client = app.test_client()
    organiser = accounts.headers("organiser")
    before = client.get("/api/v1/institutions/T-I01/shortlist", headers=organiser).get_json()
    job = client.post(REBUILD, headers=organiser).get_json()
    assert job["status"] == "queued"
    doomed = _worker(env, MATCHMAKER_PAUSE_AT="job.commit:120")
    _wait_for(doomed, "pausing at job.commit")  # the new index files are written by now
    doomed.send_signal(signal.SIGKILL)
    doomed.wait(timeout=10)
    doomed.stdout.close()  # type: ignore[union-attr]
    assert _job(app, job["id"]).status == JobStatus.RUNNING
    # the API goes on answering from its own index meanwhile, with the same ranking
    during = client.get("/api/v1/institutions/T-I01/shortlist", headers=organiser).get_json()
    assert [i["project_id"] for i in during["items"]] == [i["project_id"] for i in before["items"]]
    time.sleep(STALE + 1)
    out = _burst(env)
    retried = _job(app, job["id"])
    assert retried.status == JobStatus.DONE and retried.attempts == 2, out
    # a fresh process (a restarted server) serves the same ranking from the rebuilt files
    from matchmaker.app import create_app

    fresh = create_app({"DATABASE_URL": app.config["DATABASE_URL"], "TESTING": True})
    try:
        after = fresh.test_client().get("/api/v1/institutions/T-I01/shortlist", headers=organiser)
        items = after.get_json()["items"]
        assert [i["project_id"] for i in items] == [i["project_id"] for i in before["items"]]
        assert [i["score"] for i in items] == pytest.approx([i["score"] for i in before["items"]])
    finally:
        fresh.extensions["matchmaker.engine"].dispose()
    index_dir = Path(fresh.extensions["matchmaker.matcher"].index_dir)
    assert not list(index_dir.glob("*.partial*"))  # no half-written set left to be trusted


def test_a_queue_that_is_down_gives_503_and_changes_nothing(
    db_url, registered, accounts, tmp_path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from matchmaker.app import create_app

    monkeypatch.setenv("MATCHMAKER_INSTANCE_DIR", str(tmp_path / "instance"))
    down = JobQueue("redis://127.0.0.1:9/0", "nowhere", STALE)  # nothing listens on port 9
    app = create_app({"DATABASE_URL": db_url, "TESTING": True, "JOB_QUEUE": down})
    try:
        client = app.test_client()
        organiser = accounts.headers("organiser")
        body = assert_error(client.post(S1 + "/build", json={}, headers=organiser), 503)
        assert "Redis" in body["message"]
        assert _meeting_count(app) == 0
        listed = client.get("/api/v1/events/T2026/jobs", headers=organiser)
        (job,) = listed.get_json()["items"]
        assert job["status"] == "failed" and "Redis" in job["error"]
    finally:
        app.extensions["matchmaker.engine"].dispose()


def test_the_grid_page_queues_a_build_and_shows_the_job_until_it_is_done(
    queued, accounts, factory
) -> None:  # type: ignore[no-untyped-def]
    app, env = queued
    client = app.test_client()
    sign_in(client, factory, "organiser")
    grid = "/sessions/S1/agenda"
    posted = client.post(grid, data={"csrf": CSRF, "action": "build", "fair": "on"})
    assert posted.status_code == 302
    page = client.get(grid).get_data(as_text=True)
    assert "已提交后台生成（任务 #" in page and 'data-testid="agenda-job"' in page
    assert "排队中" in page
    out = _burst(env)
    page = client.get(grid).get_data(as_text=True)
    assert 'data-testid="agenda-job"' not in page, out  # done: the grid shows the agenda instead
    assert "草稿" in page and _meeting_count(app) > 0


# ---- an import queues the index rebuild -------------------------------------------------------

NEW_PROJECT = (
    "报名编号,项目名称,赛道,组别,行业领域,阶段,融资需求(万元),所在地区,需求,项目简介,对接专场\n"
    "T-P077,吕梁光伏电站无人机巡检,绿色经济,企业组,光伏,A轮,800,山西省吕梁市,资金,"
    "分布式光伏电站的无人机巡检与热斑识别服务。,S1\n"
).encode()


def _upload(client: Any) -> str:
    import io

    payload = {"csrf": CSRF, "kind": "projects", "file": (io.BytesIO(NEW_PROJECT), "new.csv")}
    response = client.post(
        "/import", data=payload, headers={"Accept": "text/html"}, content_type="multipart/form-data"
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    page = response.get_data(as_text=True)
    assert 'data-testid="import-ok"' in page
    return page


def _rebuilds(app: Any) -> list[Job]:
    factory = app.extensions["matchmaker.session_factory"]
    with transaction(factory) as db:
        found = list(db.scalars(select(Job).where(Job.kind == JobKind.INDEX_REBUILD)))
        db.expunge_all()
    return found


def test_an_import_queues_the_index_rebuild_for_a_worker(queued, accounts, factory) -> None:  # type: ignore[no-untyped-def]
    app, env = queued
    client = app.test_client()
    sign_in(client, factory, "organiser")
    page = _upload(client)
    (job,) = _rebuilds(app)
    assert job.status == JobStatus.QUEUED
    assert f"已在后台排队更新匹配索引（任务 #{job.id}）" in page
    _burst(env)
    done = _job(app, job.id)
    assert done.status == JobStatus.DONE and done.result["projects"] == 6
    shortlist = client.get(
        "/api/v1/institutions/T-I01/shortlist?k=20", headers=accounts.headers("organiser")
    )
    assert "T-P077" in {i["project_id"] for i in shortlist.get_json()["items"]}
    # the command line does the same when a queue is configured
    csv = Path(env["MATCHMAKER_INSTANCE_DIR"]).parent / "again.csv"
    csv.write_bytes(NEW_PROJECT.replace(b"800", b"900"))
    result = subprocess.run(
        [MATCHMAKER, "--json", "import", "projects", str(csv)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["updated"] == 1 and report["rebuild_job"] > job.id
    _burst(env)
    assert _job(app, report["rebuild_job"]).status == JobStatus.DONE


def test_without_a_queue_an_import_queues_nothing(client, accounts, factory) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, factory, "organiser")
    page = _upload(client)
    assert 'data-testid="import-rebuild"' not in page
    assert _rebuilds(client.application) == []


def test_a_queue_that_is_down_does_not_undo_the_import(
    db_url, registered, accounts, factory, tmp_path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from matchmaker.app import create_app

    monkeypatch.setenv("MATCHMAKER_INSTANCE_DIR", str(tmp_path / "instance"))
    down = JobQueue("redis://127.0.0.1:9/0", "nowhere", STALE)
    app = create_app({"DATABASE_URL": db_url, "TESTING": True, "JOB_QUEUE": down})
    try:
        client = app.test_client()
        sign_in(client, factory, "organiser")
        page = _upload(client)
        assert 'data-testid="import-rebuild"' not in page
        (job,) = _rebuilds(app)
        assert job.status == JobStatus.FAILED  # recorded, and the import stands
        shortlist = client.get(
            "/api/v1/institutions/T-I01/shortlist?k=20", headers=accounts.headers("organiser")
        )
        assert "T-P077" in {i["project_id"] for i in shortlist.get_json()["items"]}
    finally:
        app.extensions["matchmaker.engine"].dispose()


def test_two_queues_on_one_redis_keep_their_own_job_one() -> None:
    # RQ ids are global in Redis: two databases (or two test runs) each queueing their job 1
    # shared one RQ entry, and one side's worker left the other's job queued for ever.
    from redis import Redis
    from rq import Queue
    from rq.job import Job as RQJob

    _redis_or_skip()
    names = [f"test-{uuid.uuid4().hex[:10]}" for _ in range(2)]
    redis = Redis.from_url(REDIS)
    try:
        for name in names:
            JobQueue(REDIS, name, STALE).enqueue(1, 1)
        for name in names:
            (rq_id,) = Queue(name, connection=redis).job_ids
            entry = RQJob.fetch(rq_id, connection=redis)
            assert entry.origin == name and entry.args == (1,)
    finally:
        for name in names:
            for key in redis.scan_iter(f"*{name}*"):
                redis.delete(key)
