"""Rate limits on sign-in and booking, with counters in the database and in the real Redis.

Each test builds its own app with small limits; the shared ``app`` fixture runs with limits
off. Redis tests use a key prefix of their own and delete their keys afterwards.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import func, select
from tests_support import assert_error, page_sign_in, server

from matchmaker.db.engine import transaction
from matchmaker.db.models import MeetingRequest, User

REDIS_URL = "redis://127.0.0.1:6379/0"
TOKEN = "/api/v1/auth/token"
PASSWORD = "correct horse battery staple"  # tests/conftest.py Accounts.password
HTML = {"Accept": "text/html"}


@pytest.fixture
def make_app(make_app: Callable[..., Any]) -> Callable[..., Any]:
    """conftest's app builder with rate limits on."""
    return lambda **config: make_app(**{"MATCHMAKER_RATE_LIMITS": True, **config})


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """A key prefix of this test's own in the real Redis; its keys are deleted afterwards."""
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis not reachable at {REDIS_URL}: {exc.__class__.__name__}")
    prefix = f"mm-test-{uuid.uuid4().hex[:12]}"
    yield prefix
    for key in client.scan_iter(match=f"*{prefix}*"):
        client.delete(key)
    client.close()


def sign_in(client: Any, username: str, password: str, address: str = "10.0.0.1") -> Any:
    return client.post(
        TOKEN,
        json={"username": username, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def add_user(factory: Any, username: str) -> None:
    from matchmaker.services.registry.accounts import create_user

    with transaction(factory) as db:
        create_user(db, username, "staff", PASSWORD)


def test_failed_sign_ins_stop_one_name_from_one_address_only(make_app, accounts, factory) -> None:  # type: ignore[no-untyped-def]
    client = make_app(MATCHMAKER_LOGIN_LIMIT="3/minute").test_client()
    for _ in range(3):
        assert_error(sign_in(client, "investor", "guess"), 401)
    refused = sign_in(client, "investor", PASSWORD)  # even the right password, from here
    body = assert_error(refused, 429)
    retry = int(refused.headers["Retry-After"])
    assert 0 < retry <= 60
    assert body["message"] == f"操作过于频繁，请 {retry} 秒后再试"
    english = client.post(
        TOKEN + "?lang=en",
        json={"username": "investor", "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "10.0.0.1"},
    )
    assert assert_error(english, 429)["message"].startswith("Too many attempts; try again in")
    # The owner signs in from elsewhere, and another user from the same address.
    assert sign_in(client, "investor", PASSWORD, address="10.0.0.2").status_code == 201
    add_user(factory, "staff2")
    assert sign_in(client, "staff2", PASSWORD).status_code == 201


def test_successful_sign_ins_do_not_count(make_app, accounts) -> None:  # type: ignore[no-untyped-def]
    client = make_app(MATCHMAKER_LOGIN_LIMIT="2/minute").test_client()
    for _ in range(4):
        assert sign_in(client, "investor", PASSWORD).status_code == 201
    assert_error(sign_in(client, "investor", "guess"), 401)


def test_one_address_cannot_spray_many_names(make_app, accounts) -> None:  # type: ignore[no-untyped-def]
    app = make_app(MATCHMAKER_LOGIN_LIMIT="10/minute", MATCHMAKER_LOGIN_ADDRESS_LIMIT="4/minute")
    client = app.test_client()
    for name in ("ann", "bob", "cai", "dong"):
        assert_error(sign_in(client, name, "guess"), 401)
    assert_error(sign_in(client, "investor", PASSWORD), 429)
    assert sign_in(client, "investor", PASSWORD, address="10.0.0.9").status_code == 201


def test_the_sign_in_page_shares_the_counter_and_answers_with_a_page(make_app, accounts) -> None:  # type: ignore[no-untyped-def]
    client = make_app(MATCHMAKER_LOGIN_LIMIT="3/minute").test_client()
    here = {"REMOTE_ADDR": "10.0.0.1"}
    for _ in range(2):
        assert_error(sign_in(client, "investor", "guess"), 401)
    client.get("/login", environ_base=here)
    with client.session_transaction() as session:
        csrf = session["csrf"]
    form = {"csrf": csrf, "username": "investor", "password": "guess"}
    wrong = client.post("/login", data=form, headers=HTML, environ_base=here)
    assert wrong.status_code == 401 and "用户名或密码错误" in wrong.get_data(as_text=True)
    refused = client.post(
        "/login", data={**form, "password": PASSWORD}, headers=HTML, environ_base=here
    )
    page = refused.get_data(as_text=True)
    assert refused.status_code == 429 and refused.mimetype == "text/html"
    assert int(refused.headers["Retry-After"]) > 0
    assert 'role="alert">操作过于频繁，请' in page and 'name="password"' in page  # the form stays
    with client.session_transaction() as session:
        assert "user_id" not in session


def test_the_window_moves_on(make_app, accounts) -> None:  # type: ignore[no-untyped-def]
    client = make_app(MATCHMAKER_LOGIN_LIMIT="2 per 2 seconds").test_client()
    for _ in range(2):
        assert_error(sign_in(client, "investor", "guess"), 401)
    refused = sign_in(client, "investor", PASSWORD)
    assert_error(refused, 429)
    assert int(refused.headers["Retry-After"]) <= 2
    time.sleep(2.2)
    assert sign_in(client, "investor", PASSWORD).status_code == 201


def book(client: Any, headers: dict[str, str], slot: int, project: str = "T-P001") -> Any:
    payload = {"session": "S1", "project_id": project, "institution_id": "T-I01", "slot": slot}
    return client.post("/api/v1/meeting-requests", json=payload, headers=headers)


def request_count(factory: Any) -> int:
    with transaction(factory) as db:
        return int(db.scalar(select(func.count()).select_from(MeetingRequest)) or 0)


def test_booking_is_limited_per_user_across_api_and_page(make_app, accounts, factory) -> None:  # type: ignore[no-untyped-def]
    client = make_app(MATCHMAKER_BOOKING_LIMIT="2/minute").test_client()
    entrant = accounts.headers("entrant")
    assert book(client, entrant, 1).status_code == 201
    assert book(client, entrant, 2).status_code == 409  # one live request a pair; it counts
    before = request_count(factory)
    refused = book(client, entrant, 3)
    assert_error(refused, 429)
    assert int(refused.headers["Retry-After"]) > 0
    # The page shares the counter: the same entrant signed in by cookie is refused there too.
    with transaction(factory) as db:
        entrant_id = db.scalar(select(User.id).where(User.username == "entrant"))
    with client.session_transaction() as session:
        session["sign_in"], session["csrf"] = page_sign_in(factory, entrant_id), "t"
    form = {"csrf": "t", "institution": "T-I01", "session": "S1", "slot": "4"}
    page = client.post("/book", data=form, headers=HTML)
    assert page.status_code == 429 and "操作过于频繁" in page.get_data(as_text=True)
    assert request_count(factory) == before
    # Another user is not held up, and reading is never limited.
    assert book(client, accounts.headers("entrant_b"), 5, project="T-P002").status_code != 429
    assert client.get("/api/v1/meeting-requests", headers=entrant).status_code == 200


def test_redis_counters_are_shared_by_every_worker(make_app, accounts, redis_prefix) -> None:  # type: ignore[no-untyped-def]
    import redis

    config = {
        "MATCHMAKER_REDIS_URL": REDIS_URL,
        "MATCHMAKER_RATE_LIMIT_PREFIX": redis_prefix,
        "MATCHMAKER_LOGIN_LIMIT": "3/minute",
    }
    one, two = make_app(**config).test_client(), make_app(**config).test_client()
    assert_error(sign_in(one, "investor", "guess"), 401)
    assert_error(sign_in(two, "investor", "guess"), 401)
    assert_error(sign_in(one, "investor", "guess"), 401)
    assert_error(sign_in(two, "investor", PASSWORD), 429)  # counted across both "workers"
    keys = redis.Redis.from_url(REDIS_URL).keys(f"*{redis_prefix}*")
    assert keys and all(b"investor" not in key for key in keys)  # names are digested


def test_deployments_sharing_a_redis_count_apart_by_their_queue_name(
    make_app, accounts, redis_prefix
) -> None:  # type: ignore[no-untyped-def]
    import redis

    config = {"MATCHMAKER_REDIS_URL": REDIS_URL, "MATCHMAKER_LOGIN_LIMIT": "2/minute"}
    mine = make_app(**config, MATCHMAKER_JOB_QUEUE=f"{redis_prefix}-a").test_client()
    theirs = make_app(**config, MATCHMAKER_JOB_QUEUE=f"{redis_prefix}-b").test_client()
    assert_error(sign_in(mine, "investor", "guess"), 401)
    assert_error(sign_in(mine, "investor", "guess"), 401)
    assert_error(sign_in(mine, "investor", PASSWORD), 429)
    # another deployment's user of the same name and id is not held up by this one's counter
    assert sign_in(theirs, "investor", PASSWORD).status_code == 201
    keys = redis.Redis.from_url(REDIS_URL).keys(f"*{redis_prefix}-a*")
    assert keys  # this deployment's counters live under its own queue name


def test_without_redis_the_counters_in_the_database_are_shared_by_every_worker(
    make_app, accounts, factory
) -> None:  # type: ignore[no-untyped-def]
    from matchmaker.db.models import RateLimitHit

    one, two = (make_app(MATCHMAKER_LOGIN_LIMIT="3/minute").test_client() for _ in range(2))
    assert_error(sign_in(one, "investor", "guess"), 401)
    assert_error(sign_in(two, "investor", "guess"), 401)
    assert_error(sign_in(one, "investor", "guess"), 401)
    assert_error(sign_in(two, "investor", PASSWORD), 429)  # counted across both "workers"
    assert sign_in(one, "investor", PASSWORD, address="10.0.0.2").status_code == 201
    with transaction(factory) as db:
        keys = db.scalars(select(RateLimitHit.key)).all()
    assert keys and all("investor" not in key for key in keys)  # names are digested


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # the default set-up, no Redis
def test_two_served_workers_stop_the_eleventh_wrong_password(db_url, accounts, tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = {
        **{k: v for k, v in os.environ.items() if k != "MATCHMAKER_REDIS_URL"},
        "MATCHMAKER_DATABASE_URL": db_url,
        "MATCHMAKER_INSTANCE_DIR": str(tmp_path / "instance"),
        "MATCHMAKER_LOGIN_LIMIT": "10/minute",
    }
    body = json.dumps({"username": "investor", "password": "guess"})
    headers = {"Content-Type": "application/json"}
    with server(env, workers=2) as (base, _process):  # `matchmaker serve` as the README runs it
        # Kept-alive connections stay with the worker that took them: eight of them, taking
        # turns, land on both workers.
        port = int(base.rsplit(":", 1)[1])
        connections = [http.client.HTTPConnection("127.0.0.1", port, timeout=30) for _ in range(8)]
        answers = []
        for n in range(20):
            connection = connections[n % len(connections)]
            connection.request("POST", TOKEN, body=body, headers=headers)
            reply = connection.getresponse()
            reply.read()
            answers.append(reply.status)
        for connection in connections:
            connection.close()
    assert answers == [401] * 10 + [429] * 10, f"{answers.count(401)} wrong passwords got 401"


def test_a_redis_that_is_down_leaves_the_service_answering_and_limiting(make_app, accounts) -> None:  # type: ignore[no-untyped-def]
    with socket.socket() as probe:  # a port nothing listens on: connections are refused
        probe.bind(("127.0.0.1", 0))
        dead = f"redis://127.0.0.1:{probe.getsockname()[1]}/0"
    app = make_app(MATCHMAKER_REDIS_URL=dead, MATCHMAKER_LOGIN_LIMIT="2/minute")
    client = app.test_client()
    started = time.monotonic()
    assert sign_in(client, "investor", PASSWORD).status_code == 201
    for _ in range(2):
        assert_error(sign_in(client, "investor", "guess"), 401)
    assert_error(sign_in(client, "investor", PASSWORD), 429)  # counted in memory meanwhile
    assert time.monotonic() - started < 10
    entrant = accounts.headers("entrant")
    assert book(client, entrant, 1).status_code == 201


def test_limits_switched_off_never_refuse(make_app, accounts) -> None:  # type: ignore[no-untyped-def]
    client = make_app(MATCHMAKER_RATE_LIMITS=False, MATCHMAKER_LOGIN_LIMIT="1/minute").test_client()
    for _ in range(3):
        assert_error(sign_in(client, "investor", "guess"), 401)
    assert sign_in(client, "investor", PASSWORD).status_code == 201


def test_a_misspelt_limit_stops_the_start_naming_the_setting(make_app) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="MATCHMAKER_BOOKING_LIMIT"):
        make_app(MATCHMAKER_BOOKING_LIMIT="thirty a minute")


def test_default_limits_leave_room_for_a_busy_morning() -> None:
    from limits import parse

    from matchmaker.config import Settings

    settings = Settings.from_env({})
    login, per_address, booking = (
        parse(v)
        for v in (settings.login_limit, settings.login_address_limit, settings.booking_limit)
    )
    per_minute = {x: x.amount * 60 / x.get_expiry() for x in (login, per_address, booking)}
    assert per_minute[login] >= 10 and per_minute[per_address] >= 100
    assert per_minute[booking] >= 30
    custom = Settings.from_env({"MATCHMAKER_LOGIN_LIMIT": "5/minute", "MATCHMAKER_REDIS_URL": "x"})
    assert (custom.login_limit, custom.redis_url, custom.rate_limits) == ("5/minute", "x", True)
