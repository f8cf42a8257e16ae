"""The API fuzzed by schemathesis: every operation of /api/openapi.json, as every role, on SQLite
and PostgreSQL.

schemathesis reads the service's own OpenAPI document and sends each operation generated
requests — valid and deliberately invalid bodies, query strings and path parameters — as each of
the seven roles (anonymous, organiser, staff, the investors of T-I01 and T-I02, the entrants of
T-P001 and T-P002). Every response must be: not a server error; a status the operation documents
explicitly (not only through ``default``); of a documented media type; and valid against the
documented schema, errors included (``{code, status, message, errors}``). The event is seeded
with a built and published agenda, meeting requests, intents and a due-diligence task, and real
codes and ids are offered as path parameters and references, so requests reach the objects and
not only 404s. Operations are read from the document, so a new route is fuzzed without any
change here.

Checked on every response: ``not_a_server_error``, ``status_code_conformance``, our
``documented_status``, ``content_type_conformance``, ``response_headers_conformance``,
``response_schema_conformance`` and, for requests that break the document,
``negative_data_rejection`` (they must get a 4xx).

The run is deterministic (a fixed seed per operation, no example database) and bounded: on
SQLite ``EXAMPLES`` per operation and role, on PostgreSQL ``PG_EXAMPLES`` (slower per request;
it is here for what only PostgreSQL refuses: NUL characters, integers past its columns, text
longer than a VARCHAR), and schemathesis' boundary cases for the organiser on both. About 100 s
of CPU for the file (``-m fuzz`` selects the fuzzing alone, ``-m "not fuzz"`` leaves it out).

A longer, stronger run, locally (a failure prints the request to replay with curl)::

    MATCHMAKER_FUZZ_EXAMPLES=200 MATCHMAKER_FUZZ_COVERAGE=1 MATCHMAKER_FUZZ_SEED=$RANDOM \\
        .venv/bin/pytest tests/test_api_fuzz.py -m fuzz -p no:cacheprovider

``MATCHMAKER_FUZZ_EXAMPLES`` sets the examples per operation on both databases,
``MATCHMAKER_FUZZ_COVERAGE=1`` adds the boundary cases for every role, ``MATCHMAKER_FUZZ_SEED``
draws other examples, and ``MATCHMAKER_FUZZ_REPORT=1`` (with ``-s``) prints the statuses each
operation answered.

The operations are driven one by one through ``schemathesis.pytest.lazy.get_all_tests`` rather
than ``@schema.parametrize()``: the lazy-fixture form needs ``Function._nodeid``, which pytest 9.2
no longer has, and a loop lets every operation run and report before the test fails.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from typing import Any

import pytest
import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.pytest.lazy import get_all_tests
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from tests_support import assert_error

from matchmaker.db.engine import transaction
from matchmaker.db.models import DueDiligence, Intent, Meeting, MeetingRequest, User
from matchmaker.domain import (
    DropReason,
    DueDiligenceStatus,
    Group,
    InstitutionType,
    IntentStatus,
    Need,
    SessionKind,
    Stage,
    Track,
    Verdict,
)
from matchmaker.services.registry.accounts import issue_token

ROLES = ("anonymous", "organiser", "staff", "investor", "investor_b", "entrant", "entrant_b")
_OVERRIDE = int(os.environ.get("MATCHMAKER_FUZZ_EXAMPLES", "0"))
EXAMPLES = _OVERRIDE or 15
PG_EXAMPLES = _OVERRIDE or 4
# How many operations must answer 2xx at least once for each signed-in role (the default run
# reaches about half again as many): a broken token or seed would otherwise pass as "no errors"
# on nothing but 401s and 404s.
MIN_REACHED = {
    "organiser": 30,
    "staff": 18,
    "investor": 12,
    "investor_b": 10,
    "entrant": 10,
    "entrant_b": 8,
}
# schemathesis' coverage phase (boundary values: empty, longest, one past the limits, wrong
# types, each field left out) for the organiser, who may call nearly everything; for all roles
# with MATCHMAKER_FUZZ_COVERAGE=1.
COVERAGE_ROLES = set(ROLES) if os.environ.get("MATCHMAKER_FUZZ_COVERAGE") == "1" else {"organiser"}
SEED = int(os.environ.get("MATCHMAKER_FUZZ_SEED", "2026"))


@schemathesis.check
def documented_status(ctx: Any, response: Any, case: Any) -> bool | None:
    """The status is one the operation lists itself, not only covered by ``default``."""
    if case.method.upper() != case.operation.method.upper():
        return None  # a probe with another method (405): the unsupported_method check's job
    listed = {code for code in case.operation.responses.status_codes if code != "default"}
    if str(response.status_code) not in listed:
        raise AssertionError(
            f"{response.status_code} is not documented for {case.operation.label} "
            f"(documented: {', '.join(sorted(listed))})"
        )
    return None


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    documented_status,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


def _seed(client: Any, accounts: Any, factory: sessionmaker[Session]) -> dict[str, list[Any]]:
    """Give the fuzzer real objects: agendas, a booking, intents, a due-diligence task."""
    organiser, staff = accounts.headers("organiser"), accounts.headers("staff")
    session_url = "/api/v1/events/T2026/sessions/{}/agenda"
    calls = [
        (session_url.format("S1") + "/build", {"time_limit": 5}, organiser),
        (session_url.format("S1") + "/publish", None, organiser),
        (
            "/api/v1/meeting-requests",
            {"session": "S2", "project_id": "T-P002", "institution_id": "T-I02", "slot": 4},
            accounts.headers("entrant_b"),
        ),
        (session_url.format("S2") + "/build", {"time_limit": 5}, organiser),
        (
            "/api/v1/intents",
            {
                "project_id": "T-P001",
                "institution_id": "T-I01",
                "status": "signed",
                "amount": "500万",
                "signed_at": "2025-06-08",
                "session": "S1",
            },
            staff,
        ),
        (
            "/api/v1/intents",
            {"project_id": "T-P002", "institution_id": "T-I02", "status": "watching"},
            staff,
        ),
    ]
    answers = []
    for url, body, headers in calls:
        response = client.post(url, json=body, headers=headers)
        assert response.status_code in (200, 201), (url, response.get_json())
        answers.append(response.get_json())
    task = {"project_id": "T-P001", "institution_id": "T-I01", "owner": "王芳"}
    task |= {"due_date": "2025-06-20", "intent_id": answers[4]["id"]}  # the signed intent
    assert client.post("/api/v1/due-diligence", json=task, headers=staff).status_code == 201
    with transaction(factory) as db:
        return {
            "meeting_id": list(db.scalars(select(Meeting.id).order_by(Meeting.id)).all()[:6]),
            "request_id": list(db.scalars(select(MeetingRequest.id)).all()),
            "intent_id": list(db.scalars(select(Intent.id)).all()),
            "task_id": list(db.scalars(select(DueDiligence.id)).all()),
        }


def _config(ids: dict[str, list[Any]], examples: int, coverage: bool) -> schemathesis.Config:
    """Fixed seed, no example database; real codes, ids and vocabulary offered 4 times in 5."""
    projects = [f"T-P00{n}" for n in range(1, 6)]
    institutions = ["T-I01", "T-I02", "T-I03"]
    vocab = {
        "track": Track, "stage": Stage, "group": Group, "type": InstitutionType,
        "kind": SessionKind, "verdict": Verdict, "drop_reason": DropReason,
    }  # fmt: skip
    dictionaries: dict[str, list[Any]] = {
        "code": ["T2026", *projects, *institutions],
        "event": ["T2026"],
        "session": ["S1", "S2"],
        "project": projects,
        "institution": institutions,
        "status": [s.value for s in (*IntentStatus, *DueDiligenceStatus)],
        "needs": [n.value for n in Need],
        **{name: [m.value for m in enum] for name, enum in vocab.items()},
        **{name: values or [1] for name, values in ids.items()},
    }
    bindings = {
        "path.code": "code",
        "path.session_code": "session",
        "path.meeting_id": "meeting_id",
        "path.request_id": "request_id",
        "path.intent_id": "intent_id",
        "path.task_id": "task_id",
        "body.project_id": "project",
        "body.institution_id": "institution",
        "query.project_id": "project",
        "query.institution_id": "institution",
        "body.meeting_id": "meeting_id",
        "body.intent_id": "intent_id",
        "body.stages[*]": "stage",
        "body.needs[*]": "needs",
        "body.sessions[*]": "session",
        **{f"{where}.{name}": name for where in ("query", "body") for name in
           ("event", "session", "project", "institution", "status", *vocab)},
    }  # fmt: skip
    return schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "dictionaries": {name: {"values": values} for name, values in dictionaries.items()},
            "parameters": {
                key: {"dictionary": name, "probability": 0.8} for key, name in bindings.items()
            },
            "generation": {
                "mode": "all",
                "max-examples": examples,
                "deterministic": True,
                "database": "none",
                # unknown query parameters are ignored by design (?lang= works everywhere)
                "allow-extra-parameters": True,
                # credentials are the role's own, sent with every call, never generated
                "with-security-parameters": False,
            },
            "phases": {"coverage": {"enabled": coverage}, "stateful": {"enabled": False}},
            "output": {"sanitization": {"enabled": False}},  # show the request as sent
        }
    )


@pytest.mark.fuzz
@pytest.mark.parametrize("role", ROLES)
def test_every_operation_holds_its_documented_contract(
    app: Any, client: Any, accounts: Any, factory: sessionmaker[Session], db_url: str, role: str
) -> None:
    ids = _seed(client, accounts, factory)
    examples = EXAMPLES if db_url.startswith("sqlite") else PG_EXAMPLES
    config = _config(ids, examples, coverage=role in COVERAGE_ROLES)
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app, config=config)
    headers: dict[str, str] = {}
    statuses: dict[str, Counter[int]] = {}

    def call(case: Any) -> None:
        response = case.call_and_validate(headers=headers, checks=CHECKS)
        if case.method.upper() == case.operation.method.upper():  # not a probe with OPTIONS …
            statuses.setdefault(case.operation.label, Counter())[response.status_code] += 1

    failures, operations, secured, started = [], set(), set(), time.perf_counter()
    for result in get_all_tests(schema=schema, test_func=call, settings=None, given_kwargs={}):
        assert isinstance(result, Ok), result.err()  # the document itself is valid
        operation, test = result.ok()
        operations.add(operation.label)
        if operation.definition.raw.get("security"):
            secured.add(operation.label)
        # A token of its own per operation: fuzzing the sign-out revokes only that one.
        headers.clear()
        headers.update(_token_header(factory, role))
        try:
            test()
        except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - all reported together
            failures.append(f"{operation.label}:\n{exc}")
    reached = sorted(op for op, seen in statuses.items() if any(s < 300 for s in seen))
    calls = sum(sum(seen.values()) for seen in statuses.values())
    print(
        f"\n{role}: {len(statuses)} operations, {calls} requests, {len(reached)} answered 2xx, "
        f"{time.perf_counter() - started:.1f}s"
    )
    if os.environ.get("MATCHMAKER_FUZZ_REPORT"):
        for op in sorted(statuses):
            print(f"  {op}: {dict(sorted(statuses[op].items()))}")
    assert not failures, "\n\n".join(failures)
    # Not a vacuous pass: every operation of the document was called, and the role got past
    # authentication wherever it may.
    assert len(operations) >= 50 and set(statuses) == operations
    turned_away = sorted(op for op in secured if 401 in statuses[op])
    if role == "anonymous":
        assert turned_away == sorted(secured)
    else:  # the role's token works everywhere; only signing out can revoke it mid-run
        assert len(turned_away) <= 1, turned_away
        assert len(reached) >= MIN_REACHED[role], (role, reached)


def _token_header(factory: sessionmaker[Session], role: str) -> dict[str, str]:
    if role == "anonymous":
        return {}
    with transaction(factory) as db:
        user = db.scalar(select(User).where(User.username == role))
        token, _ = issue_token(db, user, "fuzz")
    return {"Authorization": f"Bearer {token}"}


# ---- what the fuzzing found, each pinned down (SQLite and PostgreSQL) ------------------------


def test_ids_beyond_the_integer_column_are_refused_not_500(client, accounts, factory) -> None:  # type: ignore[no-untyped-def]
    """An id past INTEGER (inside BIGINT) reached PostgreSQL's column as a 500 (in a path, a
    vague 422 from the database); now the field is named with its range."""
    _seed(client, accounts, factory)
    staff, organiser = accounts.headers("staff"), accounts.headers("organiser")
    for url, body in [
        ("/api/v1/due-diligence/1", {"intent_id": 2**40}),
        ("/api/v1/intents/1", {"meeting_id": 2**31}),
    ]:
        error = assert_error(client.patch(url, json=body, headers=staff), 422)
        assert error["errors"][0]["field"] == next(iter(body))
    cancel = client.post(f"/api/v1/meetings/{2**31}/cancel", headers=organiser)  # a path id too
    assert assert_error(cancel, 422)["errors"][0] == {
        "location": "path",
        "field": "meeting_id",
        "message": "数值超出范围（绝对值上限 2147483647）",
    }
    with transaction(factory) as db:
        task = db.get(DueDiligence, 1)
        assert task is not None and task.intent_id == 1 and task.version == 1


def test_dates_outside_1980_to_2100_are_refused_not_500(client, accounts, factory) -> None:  # type: ignore[no-untyped-def]
    """Date arithmetic past year 9999 or before year 1 (digest week, session slots) crashed."""
    digest = client.get(
        "/api/v1/due-diligence/digest?date=9999-12-31", headers=accounts.headers("staff")
    )
    assert assert_error(digest, 422)["errors"][0]["field"] == "date"
    session = {
        "code": "S9", "name": "远期专场", "kind": "local", "date": "0001-01-01",
        "start": "00:00", "end": "02:00", "slot_minutes": 30, "tables": 2,
    }  # fmt: skip
    created = client.post(
        "/api/v1/events/T2026/sessions", json=session, headers=accounts.headers("organiser")
    )
    assert assert_error(created, 422)["errors"][0]["field"] == "date"
    assert (
        client.get(
            "/api/v1/events/T2026/sessions/S9", headers=accounts.headers("staff")
        ).status_code
        == 404
    )


def test_json_booleans_must_be_true_or_false(client, accounts, factory) -> None:  # type: ignore[no-untyped-def]
    """The document says boolean; ``0`` used to be taken as false and change the meeting."""
    ids = _seed(client, accounts, factory)
    organiser = accounts.headers("organiser")
    url = f"/api/v1/meetings/{ids['meeting_id'][0]}/lock"
    assert client.post(url, json={"locked": True}, headers=organiser).get_json()["locked"]
    error = assert_error(client.post(url, json={"locked": 0}, headers=organiser), 422)
    assert error["errors"][0]["field"] == "locked"
    with transaction(factory) as db:
        assert db.get(Meeting, ids["meeting_id"][0]).locked  # type: ignore[union-attr]


def test_the_document_describes_errors_and_files(client) -> None:  # type: ignore[no-untyped-def]
    """Every error response is the one documented shape; downloads name their media types."""
    doc = client.get("/api/openapi.json").get_json()
    error = doc["components"]["schemas"]["Error"]
    assert set(error["required"]) == {"code", "status", "message", "errors"}
    assert error["properties"]["errors"]["type"] == "array"
    refs = doc["components"]["responses"]
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            for status, response in operation["responses"].items():
                if status == "default" or int(status) >= 400:
                    if "$ref" in response:
                        response = refs[response["$ref"].rsplit("/", 1)[-1]]
                    schema = response["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/Error"}, (path, status)
            if operation.get("security"):
                assert "401" in operation["responses"], (method, path)
    agenda = doc["paths"]["/api/v1/events/{code}/agenda.{fmt}"]
    assert set(agenda["get"]["responses"]["200"]["content"]) == {
        "text/csv",
        "text/calendar",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
    fmt = next(p for p in agenda["parameters"] if p["name"] == "fmt")
    assert fmt["schema"]["enum"] == ["csv", "xlsx", "ics"]


def test_a_party_leaving_a_session_no_longer_breaks_its_agenda(client, accounts, factory) -> None:  # type: ignore[no-untyped-def]
    """T-I02 moved out of S1 while holding meetings there: publish, cancel and must-meet hit a
    KeyError (500). Publishing now refuses the stale agenda, and a repair drops its meetings."""
    _seed(client, accounts, factory)
    organiser = accounts.headers("organiser")
    s1 = "/api/v1/events/T2026/sessions/S1/agenda"
    before = client.get(s1, headers=organiser).get_json()["meetings"]
    assert any(m["institution_id"] == "T-I02" for m in before)
    moved = client.patch("/api/v1/institutions/T-I02", json={"sessions": ["S2"]}, headers=organiser)
    assert moved.status_code == 200
    refused = assert_error(client.post(s1 + "/publish", headers=organiser), 422)
    assert "T-I02" in refused["message"]
    other = next(m for m in before if m["institution_id"] != "T-I02")
    cancelled = client.post(f"/api/v1/meetings/{other['meeting_id']}/cancel", headers=organiser)
    assert cancelled.status_code == 200, cancelled.get_json()
    assert {d["institution"] for d in cancelled.get_json()["dropped"]} >= {"T-I02"}
    after = client.get(s1, headers=organiser).get_json()["meetings"]
    assert not any(m["institution_id"] == "T-I02" for m in after)
    assert client.post(s1 + "/publish", headers=organiser).status_code == 200


def test_a_rate_limited_sign_in_answers_as_documented(  # type: ignore[no-untyped-def]
    db_url, registered, accounts, tmp_path, monkeypatch
) -> None:
    """The fuzzing app runs without rate limits; here they are on, and the 429 sign-in answers
    (error shape, Retry-After) passes the same checks against the document."""
    from matchmaker.app import create_app

    monkeypatch.setenv("MATCHMAKER_INSTANCE_DIR", str(tmp_path / "instance"))
    app = create_app(
        {"DATABASE_URL": db_url, "TESTING": True, "MATCHMAKER_LOGIN_LIMIT": "2/minute"}
    )
    try:
        schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
        sign_in = schema["/api/v1/auth/token"]["POST"]
        wrong = {"username": "investor", "password": "not the password"}
        statuses = [
            sign_in.Case(body=wrong).call_and_validate(checks=CHECKS).status_code for _ in range(3)
        ]
        assert statuses == [401, 401, 429]
    finally:
        app.extensions["matchmaker.engine"].dispose()
