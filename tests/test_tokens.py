"""Bearer tokens and passwords on SQLite and PostgreSQL: only a digest is stored, and expired,
revoked or deactivated tokens are refused; unknown names cost as much as wrong passwords."""

from __future__ import annotations

import hashlib
import hmac
import statistics
import time
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, update
from tests_support import assert_error

from matchmaker.db.engine import transaction
from matchmaker.db.models import ApiToken, Base, User
from matchmaker.db.types import utcnow
from matchmaker.errors import AuthenticationRequired
from matchmaker.services.registry import accounts as accounts_service

PASSWORD = "correct horse battery staple"  # tests/conftest.py Accounts.password


def sign_in(client: Any) -> str:
    made = client.post("/api/v1/auth/token", json={"username": "investor", "password": PASSWORD})
    assert made.status_code == 201, made.get_json()
    return str(made.get_json()["token"])


def me(client: Any, token: str) -> Any:
    return client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})


def test_the_database_holds_a_digest_never_the_token(client, accounts, factory) -> None:  # type: ignore[no-untyped-def]
    token = sign_in(client)
    with transaction(factory) as db:
        rows = db.scalars(select(ApiToken)).all()
        cells = [
            str(value)
            for table in Base.metadata.sorted_tables
            for row in db.execute(select(table))
            for value in row
        ]
    assert not [c for c in cells if token in c or token[3:] in c]  # nowhere, in no table
    digests = {r.token_hash for r in rows}
    assert hashlib.sha256(token.encode()).hexdigest() in digests
    assert all(len(d) == 64 for d in digests)


def test_an_expired_token_is_refused(client, accounts, factory) -> None:  # type: ignore[no-untyped-def]
    token = sign_in(client)
    assert me(client, token).status_code == 200
    with transaction(factory) as db:
        row = db.scalar(
            select(ApiToken).where(
                ApiToken.token_hash == hashlib.sha256(token.encode()).hexdigest()
            )
        )
        assert row is not None and row.expires_at is not None
        assert timedelta(days=29) < row.expires_at - utcnow() <= timedelta(days=30)
        row.expires_at = utcnow() - timedelta(seconds=1)
    body = assert_error(me(client, token), 401)
    assert body["message"] == "访问令牌无效、已过期或已撤销"


def test_a_revoked_token_is_refused_and_others_still_work(client, accounts) -> None:  # type: ignore[no-untyped-def]
    first, second = sign_in(client), sign_in(client)
    revoked = client.delete("/api/v1/auth/token", headers={"Authorization": f"Bearer {first}"})
    assert revoked.status_code == 204
    assert_error(me(client, first), 401)
    assert me(client, second).status_code == 200  # signing out one device leaves the others


def test_a_deactivated_users_tokens_and_password_are_refused(client, accounts, factory) -> None:  # type: ignore[no-untyped-def]
    token = sign_in(client)
    with transaction(factory) as db:
        db.execute(update(User).where(User.username == "investor").values(active=False))
    assert_error(me(client, token), 401)
    assert_error(client.get("/api/v1/projects", headers=accounts.headers("investor")), 401)
    body = {"username": "investor", "password": PASSWORD}
    assert_error(client.post("/api/v1/auth/token", json=body), 401)


def test_tokens_are_compared_in_constant_time(factory, accounts, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    compared: list[tuple[str, str]] = []
    real = hmac.compare_digest

    def spy(a: str, b: str) -> bool:
        compared.append((a, b))
        return real(a, b)

    monkeypatch.setattr(accounts_service.hmac, "compare_digest", spy)
    token = accounts.tokens["staff"]
    digest = hashlib.sha256(token.encode()).hexdigest()
    with transaction(factory) as db:
        assert accounts_service.user_for_token(db, token).username == "staff"
        with pytest.raises(AuthenticationRequired):
            accounts_service.user_for_token(db, token[:-1] + ("A" if token[-1] != "A" else "B"))
    assert compared == [(digest, digest)]  # the forged one matched no row at all


def test_unknown_names_cost_what_wrong_passwords_cost(factory, accounts, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Every refusal runs one password check of the same kind, so timing tells no names."""
    checked: list[str] = []
    real = accounts_service.check_password_hash

    def spy(stored: str, password: str) -> bool:
        checked.append(stored.split("$")[0])  # method and cost, e.g. scrypt:32768:8:1
        return bool(real(stored, password))

    def no_hashing(password: str) -> str:
        raise AssertionError("a refusal made a new hash: the first unknown name costs more")

    monkeypatch.setattr(accounts_service, "check_password_hash", spy)
    monkeypatch.setattr(accounts_service, "generate_password_hash", no_hashing)
    with transaction(factory) as db:
        db.execute(update(User).where(User.username == "investor_b").values(active=False))

    def attempt(username: str, password: str = "guess") -> float:
        started = time.perf_counter()
        with transaction(factory) as db, pytest.raises(AuthenticationRequired):
            accounts_service.authenticate(db, username, password)
        return time.perf_counter() - started

    cases = {
        "wrong password": lambda: attempt("investor"),
        "unknown name": lambda: attempt("nobody"),
        "no password set": lambda: attempt("staff"),
        "deactivated": lambda: attempt("investor_b"),
    }
    times = {name: statistics.median(run() for _ in range(3)) for name, run in cases.items()}
    assert len(checked) == 12 and len(set(checked)) == 1, checked
    slowest, fastest = max(times.values()), min(times.values())
    assert slowest < 3 * fastest, times  # one hash each: the same order of time
