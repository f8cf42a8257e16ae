"""Load: a matchmaking morning against the real server (gunicorn, PostgreSQL), then the books.

    .venv/bin/python benchmarks/load.py                 # 200 users, 60 s, 4 workers
    .venv/bin/python benchmarks/load.py --users 300 --duration 120 --restart-postgres

What it does, in one run:

1. makes a private PostgreSQL cluster (initdb as the ``postgres`` user in a temporary folder,
   its own port), so that restarting it hurts nothing else, and loads the demo event
   (240 projects, 41 institutions, 3 sessions) with one account per project and institution;
2. starts ``matchmaker serve`` (gunicorn, ``--workers``) on loopback and warms the indexes;
3. **baseline**: locust runs the same number of users against ``/healthz`` only, for a third
   of the time, each waiting 1–3 s between requests as the morning's users do — what the bare
   server and this machine give at the morning's concurrency and pacing;
4. **the morning**: locust runs investors (shortlists, answering requests, intents) and entrants
   (recommendations, free slots, booking) at ``--users`` concurrent users, each waiting 1–3 s
   between tasks; its p99 is compared with the baseline's. With ``--restart-postgres`` the
   cluster is restarted (fast shutdown, kills every connection) half-way through, and the run
   reports how long the service took to answer again;
5. **capacity** (``--capacity-seconds``, 0 skips it): the 1–3 s pauses cap what 200 users can
   ask for at about 100–130 requests/s, so the morning's throughput says how much was asked,
   not how much the server can give. Here ``--capacity-users`` users run with no pause at all,
   first against ``/healthz`` (the bare server's capacity on this machine, locust included),
   then the morning's mix of tasks: the requests/s the server sustains for that mix when it is
   never idle, printed beside the bare server's and beside the 111 req/s that 200 paced users
   got before issue #19's work (then the server, not the users, was the limit). It runs after
   the morning, when most slots are taken, so it books less than the morning did (the line
   says how many of its requests were bookings, the dearest kind);
6. checks the books over every phase: no two live meetings share an institution, a project or a
   table in a slot; every intent and request the server acknowledged is in the database with
   its amount; every accepted request has its meeting.

Locust runs on the same cores as the server, with ``FastHttpUser`` (the lighter client) in
every phase. It prints requests/s, p50/p99 and failures per endpoint and in total, beside the
baseline, and exits non-zero when any failure or inconsistency is found. Needs PostgreSQL's
server binaries (Debian ``postgresql``) and root (to run them as ``postgres``).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
LOCUSTFILE = Path(__file__).with_name("locustfile.py")
HEALTHFILE = Path(__file__).with_name("locust_health.py")
BEFORE_19 = 111.0  # req/s of 200 paced users before issue #19 (server-bound then; README)
PACED, NO_PAUSE = "1,3", "0,0"  # MATCHMAKER_LOAD_THINK: seconds between a user's tasks


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# ---- a private PostgreSQL ---------------------------------------------------------------------


class Postgres:
    """A throwaway cluster in ``folder`` on ``port``, run as the ``postgres`` system user."""

    def __init__(self, folder: Path, port: int) -> None:
        self.folder, self.port = folder, port
        self.bin = Path(sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1])
        self.data = folder / "data"
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"

    def _as_postgres(self, *command: str) -> None:
        done = subprocess.run(
            ["runuser", "-u", "postgres", "--", *command], capture_output=True, cwd="/tmp"
        )
        if done.returncode:
            raise RuntimeError(f"{command[0]} failed: {done.stderr.decode()[-2000:]}")

    def init(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        shutil.chown(self.folder, "postgres", "postgres")
        self._as_postgres(
            str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres",
            "--no-sync", "-E", "UTF8",
        )  # fmt: skip
        self.start()

    def start(self) -> None:
        options = f"-p {self.port} -k /tmp -c max_connections=200 -c fsync=on"
        self._as_postgres(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options, "-w", "-l",
            str(self.folder / "log"), "start",
        )  # fmt: skip

    def restart(self) -> None:
        self._as_postgres(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"
        )  # fmt: skip
        self.start()

    def stop(self) -> None:
        try:
            self._as_postgres(
                str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop"
            )  # fmt: skip
        except RuntimeError:
            pass


# ---- the event and its accounts ---------------------------------------------------------------


def prepare(db_url: str, home: Path) -> dict[str, Any]:
    """Load the demo and make an account per project and institution; return locust's plan."""
    env = {**os.environ, "MATCHMAKER_DATABASE_URL": db_url, "MATCHMAKER_INSTANCE_DIR": str(home)}
    subprocess.run(
        [BIN / "matchmaker", "demo", "--reset"], env=env, check=True, capture_output=True
    )
    from sqlalchemy import select

    from matchmaker.db.engine import make_engine, session_factory, transaction
    from matchmaker.db.models import Institution, Project
    from matchmaker.domain import Role
    from matchmaker.services.registry.accounts import create_user, issue_token

    engine = make_engine(db_url)
    plan: dict[str, Any] = {"investors": [], "entrants": [], "projects": []}
    with transaction(session_factory(engine)) as db:
        institutions = list(db.scalars(select(Institution).order_by(Institution.code)))
        projects = list(db.scalars(select(Project).order_by(Project.code)))
        for q in institutions:
            user = create_user(db, f"load-{q.code}", Role.INVESTOR, "", institution=q)
            token, _ = issue_token(db, user, "load")
            plan["investors"].append({"institution": q.code, "token": token})
        sessions_of = {q.code: {s.code for s in q.sessions} for q in institutions}
        for p in projects:
            user = create_user(db, f"load-{p.code}", Role.ENTRANT, "", project=p)
            token, _ = issue_token(db, user, "load")
            mine = {s.code for s in p.sessions}
            pairs = [[q, s] for q, sessions in sessions_of.items() for s in sorted(mine & sessions)]
            plan["entrants"].append({"project": p.code, "token": token, "pairs": pairs})
            plan["projects"].append(p.code)
    engine.dispose()
    return plan


# ---- the server -------------------------------------------------------------------------------


def serve(
    db_url: str, home: Path, port: int, workers: int, threads: int = 4
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "MATCHMAKER_DATABASE_URL": db_url,
        "MATCHMAKER_INSTANCE_DIR": str(home),
        "MATCHMAKER_REQUEST_HOURS": "24",
    }
    server = subprocess.Popen(
        [BIN / "matchmaker", "serve", "--port", str(port), "--workers", str(workers)]
        + ["--threads", str(threads)],
        env=env,
        stdout=open(home / "access.log", "wb"),  # noqa: SIM115 - kept open for the run
        stderr=open(home / "server.log", "wb"),  # noqa: SIM115 - kept open for the run
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(f"{base}/healthz", timeout=1)
            return server
        except OSError:
            time.sleep(0.2)
    raise SystemExit("the server did not start; see " + str(home / "server.log"))


def warm(base: str, plan: dict[str, Any], workers: int) -> None:
    """Ask enough shortlists that every gunicorn worker has loaded the event's index."""
    token = plan["investors"][0]["token"]
    url = f"{base}/api/v1/institutions/{plan['investors'][0]['institution']}/shortlist"
    for _ in range(workers * 6):
        request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
        urllib.request.urlopen(request, timeout=300).read()


# ---- locust -----------------------------------------------------------------------------------


def locust(
    locustfile: Path, base: str, users: int, seconds: int, prefix: Path, env: dict[str, str]
) -> dict[str, dict[str, float]]:
    """Run locust headless; return its per-endpoint rows (and "Aggregated")."""
    command = [
        str(BIN / "locust"), "-f", str(locustfile), "--headless", "--host", base,
        "-u", str(users), "-r", str(max(1, users // 5)), "-t", f"{seconds}s",
        "--csv", str(prefix), "--only-summary", "--loglevel", "WARNING", "--stop-timeout", "10",
    ]  # fmt: skip
    done = subprocess.run(command, env={**os.environ, **env}, check=False, capture_output=True)
    Path(f"{prefix}_locust.log").write_bytes(done.stdout + done.stderr)  # its warnings (CPU)
    rows: dict[str, dict[str, float]] = {}
    with open(f"{prefix}_stats.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            rows[row["Name"]] = {
                "requests": float(row["Request Count"]),
                "failures": float(row["Failure Count"]),
                "rps": float(row["Requests/s"]),
                "p50": float(row["50%"] or 0),
                "p99": float(row["99%"] or 0),
            }
    failures = Path(f"{prefix}_failures.csv")
    rows["_failures"] = {"text": failures.read_text() if failures.exists() else ""}  # type: ignore[dict-item]
    return rows


ACCESS_LINE = re.compile(
    r'\[(?P<at>[^\]]+)\] "(?:GET|POST|PUT|PATCH|DELETE) /api/v1/.* (?P<ms>\d+)ms$'
)


def worker_times(log: Path, start: float, end: float) -> list[float]:
    """Milliseconds the workers spent on each API request logged between ``start`` and ``end``
    (epoch seconds; the log's clock has whole seconds)."""
    from datetime import datetime

    found = []
    for line in log.read_text(errors="replace").splitlines():
        match = ACCESS_LINE.search(line)
        if match is None:
            continue
        at = datetime.strptime(match["at"], "%d/%b/%Y:%H:%M:%S %z").timestamp()
        if start - 1 <= at <= end + 1:
            found.append(float(match["ms"]))
    return found


# ---- the books --------------------------------------------------------------------------------


def audit(db_url: str, ledger: dict[str, Any]) -> dict[str, int]:
    """Count double bookings and acknowledged writes missing from the database."""
    from sqlalchemy import text

    from matchmaker.db.engine import make_engine

    engine = make_engine(db_url)
    live = "status IN ('requested', 'scheduled', 'held')"
    found: dict[str, int] = {}
    with engine.connect() as connection:
        for key in ("institution_id", "project_id", "table_id"):
            found[f"double-booked {key.removesuffix('_id')}"] = connection.execute(
                text(
                    f"SELECT count(*) FROM (SELECT slot_id, {key} FROM meetings WHERE {live} "
                    f"AND {key} IS NOT NULL GROUP BY slot_id, {key} HAVING count(*) > 1) AS d"
                )
            ).scalar_one()
        stored = {
            row.id: row.amount for row in connection.execute(text("SELECT id, amount FROM intents"))
        }
        acknowledged = ledger["intents"]
        found["intents acknowledged"] = len(acknowledged)
        found["intents lost or changed"] = sum(
            1 for intent_id, _p, _q, amount in acknowledged if stored.get(intent_id) != amount
        )
        requests = set(connection.execute(text("SELECT id FROM meeting_requests")).scalars().all())
        found["requests acknowledged"] = len(ledger["requests"])
        found["requests lost"] = sum(1 for r in ledger["requests"] if r not in requests)
        accepted_with_meeting = set(
            connection.execute(
                text(
                    "SELECT r.id FROM meeting_requests r JOIN meetings m ON m.request_id = r.id "
                    "WHERE r.status = 'accepted' AND m.status = 'scheduled'"
                )
            )
            .scalars()
            .all()
        )
        found["accepts acknowledged"] = len(ledger["accepted"])
        found["accepts without a meeting"] = sum(
            1 for r in ledger["accepted"] if r not in accepted_with_meeting
        )
        found["live meetings"] = connection.execute(
            text(f"SELECT count(*) FROM meetings WHERE {live}")
        ).scalar_one()
    engine.dispose()
    return found


# ---- the run ----------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--duration", type=int, default=60, help="seconds of the morning")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--restart-postgres", action="store_true")
    parser.add_argument(
        "--capacity-seconds", type=int, default=30, help="seconds of the capacity phase; 0 skips"
    )
    parser.add_argument(
        "--capacity-users", type=int, default=40, help="users without pauses in that phase"
    )
    args = parser.parse_args()
    if os.geteuid() != 0:
        raise SystemExit("run as root: the private PostgreSQL cluster runs as the postgres user")

    home = Path(tempfile.mkdtemp(prefix="mm-load-"))
    home.chmod(0o755)  # the postgres user reaches its cluster folder through it
    postgres = Postgres(home / "pg", free_port())
    server: subprocess.Popen[bytes] | None = None
    try:
        postgres.init()
        db_url = postgres.url
        started = time.perf_counter()
        plan = prepare(db_url, home)
        plan_file = home / "plan.json"
        plan_file.write_text(json.dumps(plan))
        port = free_port()
        server = serve(db_url, home, port, args.workers, args.threads)
        base = f"http://127.0.0.1:{port}"
        warm(base, plan, args.workers)
        print(
            f"demo event on a private PostgreSQL {postgres.port}, {len(plan['investors'])} "
            f"investors, {len(plan['entrants'])} entrants, gunicorn {args.workers} workers × "
            f"{args.threads} threads on {os.cpu_count()} cores; ready in "
            f"{time.perf_counter() - started:.0f} s"
        )
        env = {
            "MATCHMAKER_LOAD_PLAN": str(plan_file),
            "MATCHMAKER_LOAD_LEDGER": str(home / "ledger.json"),
            "MATCHMAKER_LOAD_THINK": PACED,
        }
        baseline = locust(
            HEALTHFILE, base, args.users, max(10, args.duration // 3), home / "base", env
        )
        restart: dict[str, float] = {}
        if args.restart_postgres:
            token = plan["investors"][0]["token"]
            threading.Thread(
                target=_restart_midway,
                args=(postgres, base, token, args.duration / 2, restart),
            ).start()
        window = [time.time()]
        morning = locust(LOCUSTFILE, base, args.users, args.duration, home / "morning", env)
        window.append(time.time())
        inside = worker_times(home / "access.log", *window)
        ledger = json.loads((home / "ledger.json").read_text())
        capacity: dict[str, dict[str, Any]] = {}
        if args.capacity_seconds > 0:
            env |= {
                "MATCHMAKER_LOAD_THINK": NO_PAUSE,
                "MATCHMAKER_LOAD_LEDGER": str(home / "ledger-capacity.json"),
            }
            users, seconds = args.capacity_users, args.capacity_seconds
            capacity["bare"] = locust(HEALTHFILE, base, users, seconds // 2, home / "cap-base", env)
            capacity["mix"] = locust(LOCUSTFILE, base, users, seconds, home / "cap-mix", env)
            more = json.loads((home / "ledger-capacity.json").read_text())
            ledger = {key: ledger[key] + more[key] for key in ledger}
        books = audit(db_url, ledger)
        code = report(args, baseline, morning, ledger, books, restart, capacity)
        if inside:
            p50, p99 = np.percentile(inside, [50, 99])
            print(
                f"inside the workers (access log, {len(inside)} API requests of the morning): "
                f"p50 {p50:.0f} ms, p99 {p99:.0f} ms; the rest of the users' p99 is time spent "
                "waiting for a worker thread, on the network or in locust"
            )
        return code
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        postgres.stop()
        if os.environ.get("MATCHMAKER_LOAD_KEEP"):
            print(f"kept {home} (server.log, locust CSVs)")
        else:
            shutil.rmtree(home, ignore_errors=True)


def _restart_midway(
    postgres: Postgres, base: str, token: str, after: float, out: dict[str, float]
) -> None:
    """Restart PostgreSQL after ``after`` seconds; time until the API reads the database again."""
    time.sleep(after)
    began = time.perf_counter()
    postgres.restart()
    out["restart took"] = time.perf_counter() - began
    request = urllib.request.Request(
        f"{base}/api/v1/me", headers={"Authorization": f"Bearer {token}"}
    )
    while time.perf_counter() - began < 120:
        try:
            urllib.request.urlopen(request, timeout=5).read()
            out["the API read the database again after"] = time.perf_counter() - began
            return
        except OSError:
            time.sleep(0.05)


def _unclean_failures(text: str) -> int:
    """Count failures in locust's failures CSV that are not a 503 answer."""
    unclean = 0
    for row in csv.DictReader(text.splitlines()):
        if not re.search(r"\('503: ", row["Error"]):  # CatchResponseError('503: {...}')
            unclean += int(row["Occurrences"])
    return unclean


def _failure_window(text: str) -> tuple[str, str]:
    rows = list(csv.DictReader(text.splitlines()))
    if not rows:
        return "-", "-"
    return min(r["First Seen"] for r in rows), max(r["Last Seen"] for r in rows)


def report(
    args: argparse.Namespace,
    baseline: dict[str, Any],
    morning: dict[str, Any],
    ledger: dict[str, Any],
    books: dict[str, int],
    restart: dict[str, float],
    capacity: dict[str, dict[str, Any]],
) -> int:
    print(
        f"\n{'endpoint':<18}{'requests':>10}{'failures':>10}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}"
    )
    for name, row in morning.items():
        if name.startswith("_"):
            continue
        print(
            f"{name:<18}{row['requests']:>10.0f}{row['failures']:>10.0f}{row['rps']:>9.1f}"
            f"{row['p50']:>9.0f}{row['p99']:>9.0f}"
        )
    base = baseline["Aggregated"]
    total = morning["Aggregated"]
    print(
        f"{'baseline /healthz':<18}{base['requests']:>10.0f}{base['failures']:>10.0f}"
        f"{base['rps']:>9.1f}{base['p50']:>9.0f}{base['p99']:>9.0f}"
    )
    print(
        f"\n{args.users} users: {total['rps']:.1f} req/s, p50 {total['p50']:.0f} ms "
        f"({total['p50'] / max(base['p50'], 1):.0f}× the bare server's), p99 {total['p99']:.0f} ms "
        f"({total['p99'] / max(base['p99'], 1):.1f}× the bare server's {base['p99']:.0f} ms at the "
        f"same concurrency), {total['failures']:.0f} errors; "
        f"{len(ledger['refused'])} honest refusals (slot taken, cap reached, pair exists)"
    )
    if capacity:
        bare, mix = capacity["bare"]["Aggregated"], capacity["mix"]["Aggregated"]
        # it runs after the morning, when most slots are taken: fewer bookings are made then
        booked = capacity["mix"].get("book", {}).get("requests", 0)
        print(
            f"capacity, {args.capacity_users} users with no pauses: the morning's mix "
            f"{mix['rps']:.1f} req/s (p50 {mix['p50']:.0f} ms, p99 {mix['p99']:.0f} ms, "
            f"{mix['failures']:.0f} errors, {booked:.0f} of {mix['requests']:.0f} requests "
            f"bookings, {len(ledger['limited'])} of them refused by the per-user booking limit) "
            f"= {mix['rps'] / BEFORE_19:.1f}× the {BEFORE_19:.0f} "
            f"req/s of 200 paced users before #19, {mix['rps'] / max(bare['rps'], 1):.2f}× the "
            f"bare server's {bare['rps']:.1f} req/s (/healthz, p99 {bare['p99']:.0f} ms)"
        )
    for key, value in restart.items():
        print(f"PostgreSQL restart: {key} {value:.1f} s")
    if restart:
        first, last = _failure_window(morning["_failures"]["text"])
        print(f"PostgreSQL restart: failed requests between {first} and {last}")
    print("books: " + ", ".join(f"{k} {v}" for k, v in books.items()))
    for phase in (morning, *capacity.values()):
        if phase["_failures"]["text"].count("\n") > 1:
            print("failures:\n" + phase["_failures"]["text"][:3000])
    inconsistent = sum(
        v for k, v in books.items() if "double" in k or "lost" in k or "without" in k
    )
    failures = total["failures"] + base["failures"]
    failures += sum(phase["Aggregated"]["failures"] for phase in capacity.values())
    if restart:
        # while the database restarts, requests get a clean 503; anything else is a failure
        unclean = _unclean_failures(morning["_failures"]["text"])
        print(f"failures other than 503 while PostgreSQL restarted: {unclean}")
        recovered = "the API read the database again after" in restart
        failures += unclean - total["failures"] + (0 if recovered else 1)
    bad = failures + inconsistent
    print("RESULT: " + ("OK" if bad == 0 else "FAILED"))
    return 0 if bad == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
