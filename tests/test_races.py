"""Many people at once: accept and withdraw racing on one request (SQLite and PostgreSQL, a
threaded server in this process), and 120 parallel bookings against `matchmaker serve` with
its default two workers on SQLite.

Every call here is a real HTTP request, started together with its rivals at a barrier; the
answers are then checked against what the database holds.
"""

from __future__ import annotations

import json
import os
import threading
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from tests_support import many_entrants, server
from werkzeug.serving import make_server

from matchmaker.db.engine import transaction
from matchmaker.db.models import AuditEntry, MatchmakingSession, Meeting, MeetingRequest, User
from matchmaker.domain import InstitutionType, MeetingStatus, RequestStatus

URL = "/api/v1/meeting-requests"


def post(base: str, path: str, token: str, body: Any = None) -> tuple[int, dict[str, Any]]:
    """POST to a served app; return the status and the JSON answer (errors included)."""
    request = urllib.request.Request(
        base + path,
        data=json.dumps(body or {}).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


@contextmanager
def threaded(app: Any) -> Iterator[str]:
    """Serve ``app`` on loopback, a thread per request; yield its base URL."""
    served = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=served.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{served.server_port}"
    finally:
        served.shutdown()
        thread.join(timeout=10)


def at_once(*calls: Callable[[], Any]) -> list[Any]:
    """Run ``calls`` in threads released together; return their results in order."""
    start = threading.Barrier(len(calls))

    def run(call: Callable[[], Any]) -> Any:
        start.wait()
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


# ---- accept and withdraw at the same moment --------------------------------------------------

LANES = 6  # pairs racing side by side, each on its own slot of T-I01
TRIALS = {"postgresql": 500, "sqlite": 200}  # the issue asks for 500 on PostgreSQL


def _book(factory: Any, project: str, slot: int) -> int:
    """A pending request of ``project`` to T-I01 in ``slot`` of S1, made by its entrant."""
    from matchmaker.services.agendas.bookings import BookingRules, request_meeting
    from matchmaker.services.registry.catalog import get_institution, get_project

    with transaction(factory, immediate=True) as db:
        found = get_project(db, project)
        entrant = db.scalars(select(User).where(User.project_id == found.id)).one()
        session = db.scalars(
            select(MatchmakingSession).where(MatchmakingSession.code == "S1")
        ).one()
        institution = get_institution(db, "T-I01")
        return request_meeting(db, BookingRules(), entrant, session, found, institution, slot).id


def _book_again(factory: Any, like: int) -> int:
    """A new pending request like request ``like`` (same pair, slot and table), written
    directly: booking through the service serialises on the institution and would take most
    of the test's time."""
    with transaction(factory, immediate=True) as db:
        first = db.get_one(MeetingRequest, like)
        hold = db.scalars(select(Meeting).where(Meeting.request_id == like)).one()
        request = MeetingRequest(
            session_id=first.session_id,
            project_id=first.project_id,
            institution_id=first.institution_id,
            requested_by=first.requested_by,
            status=RequestStatus.PENDING,
            slot_id=first.slot_id,
            expires_at=first.expires_at,
        )
        db.add(request)
        db.flush()
        columns = ("session_id", "slot_id", "table_id", "institution_id", "project_id")
        again = {c: getattr(hold, c) for c in columns}
        db.add(Meeting(**again, status=MeetingStatus.REQUESTED, request_id=request.id))
        return request.id


def _outcome(factory: Any, request_id: int) -> tuple[str, str, list[tuple[str, str, str]]]:
    """The request's status, its held meeting's status, and its trail after the booking as
    (action, before, after)."""
    with transaction(factory) as db:
        request = db.get_one(MeetingRequest, request_id)
        hold = db.scalars(select(Meeting).where(Meeting.request_id == request_id)).one()
        trail = db.scalars(
            select(AuditEntry)
            .where(
                AuditEntry.entity_type == "meeting_requests",
                AuditEntry.entity_id == request_id,
                AuditEntry.action != "request",
            )
            .order_by(AuditEntry.id)
        ).all()
        steps = [(e.action, (e.before or {})["status"], (e.after or {})["status"]) for e in trail]
        return request.status.value, hold.status.value, steps


# What may come of one race, answer by answer, and what the database must then hold. Both
# succeed only one after the other: the withdrawal then saw the acceptance (accepted →
# cancelled). Anything else is a double outcome: two answers from one pending request, or an
# answer the database contradicts ("withdrawn" while the meeting stands).
LAWFUL = {
    (200, 409): ("accepted", "scheduled", [("accept", "pending", "accepted")]),
    (409, 200): ("cancelled", "cancelled", [("withdraw", "pending", "cancelled")]),
    (200, 200): (
        "cancelled",
        "cancelled",
        [("accept", "pending", "accepted"), ("withdraw", "accepted", "cancelled")],
    ),
}


@pytest.mark.parametrize(
    "db_url", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)
def test_accept_and_withdraw_at_once_never_both_win(app, accounts, factory, engine) -> None:  # type: ignore[no-untyped-def]
    from matchmaker.services.agendas.bookings import get_request, withdraw

    trials = TRIALS[engine.dialect.name]
    entrants = many_entrants(factory, LANES)
    investor = accounts.tokens["investor"]  # of T-I01, the side asked
    verdicts: Counter[str] = Counter()
    doubles: list[Any] = []
    losers: list[dict[str, Any]] = []

    def lane(k: int, project: str, token: str, base: str) -> None:
        first = None
        for _ in range(trials // LANES + (k < trials % LANES)):
            if first is None:
                request_id = first = _book(factory, project, slot=k + 1)
            else:
                request_id = _book_again(factory, first)
            answers = at_once(
                partial(post, base, f"{URL}/{request_id}/accept", investor),
                partial(post, base, f"{URL}/{request_id}/withdraw", token),
            )
            codes = (answers[0][0], answers[1][0])
            state = _outcome(factory, request_id)
            if state != LAWFUL.get(codes):
                doubles.append((codes, state))
            verdicts[f"{codes[0]}/{codes[1]}"] += 1
            losers.extend(body for code, body in answers if code == 409)
            if state[0] == "accepted":  # free the slot for the next trial
                with transaction(factory, immediate=True) as db:
                    found = get_request(db, request_id)
                    organiser = db.scalars(select(User).where(User.username == "organiser"))
                    withdraw(db, organiser.one(), found)

    with threaded(app) as base:
        with ThreadPoolExecutor(LANES) as pool:
            runs = [
                pool.submit(lane, k, project, token, base)
                for k, (project, token) in enumerate(entrants.items())
            ]
            for run in runs:
                run.result()
    print(
        f"\n{trials} races on {engine.dialect.name}: accept/withdraw answers {dict(verdicts)};"
        f" double outcomes {len(doubles)}"
    )
    assert sum(verdicts.values()) == trials
    assert doubles == [], doubles[:5]
    # The loser is told what the request became: found so, or changed under it just then.
    said = ("无法再处理", "您的操作未执行")
    assert losers and all(any(s in body["message"] for s in said) for body in losers)


# ---- 120 bookings at once on SQLite, the default set-up ----------------------------------------


def _more_institutions(factory: Any, codes: list[str]) -> None:
    from matchmaker.services.registry.catalog import create_institution
    from matchmaker.services.registry.events import get_event

    with transaction(factory) as db:
        event = get_event(db, "T2026")
        for code in codes:
            data = {"code": code, "name": f"并发机构{code}", "type": InstitutionType.VC}
            create_institution(db, event, {**data, "sessions": ["S1"]})


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_parallel_bookings_on_sqlite_answer_201_or_409_never_503(
    db_url, registered, factory, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    tokens = many_entrants(factory, 120)
    institutions = ["T-I01", "T-I02", "T-X01", "T-X02"]  # S1 has four tables
    _more_institutions(factory, institutions[2:])
    env = {
        **os.environ,
        "MATCHMAKER_DATABASE_URL": db_url,
        "MATCHMAKER_INSTANCE_DIR": str(Path(tmp_path) / "instance"),
    }

    def booking(k: int, project: str, token: str, base: str) -> Callable[[], Any]:
        body = {
            "session": "S1",
            "project_id": project,
            "institution_id": institutions[k % 4],
            "slot": 1 + (k // 4) % 9,  # 36 (institution, slot) places, about 3 bookers each
        }
        return lambda: (body, *post(base, URL, token, body))

    with server(env, workers=2) as (base, _process):  # `matchmaker serve` as the README runs it
        results = at_once(*(booking(k, p, t, base) for k, (p, t) in enumerate(tokens.items())))
    codes = Counter(code for _, code, _ in results)
    print(f"\n120 parallel bookings on SQLite: {dict(codes)}")
    assert codes[503] == 0 and set(codes) <= {201, 409}, codes
    won = {(b["institution_id"], b["slot"]) for b, code, _ in results if code == 201}
    assert len(won) == codes[201]  # one winner a place
    with transaction(factory) as db:
        live = db.scalar(
            select(func.count())
            .select_from(Meeting)
            .where(Meeting.status == MeetingStatus.REQUESTED)
        )
    assert live == codes[201]
