"""PostgreSQL drops the connection at each statement of a request: 503 and nothing written, or done.

Each request below is sent again and again, the n-th time terminating its backend
(``pg_terminate_backend``, as a PostgreSQL restart or a failover does) just before its n-th
statement (or COMMIT), until it runs out of statements. Every answer must be either the request
done (the service reconnected and finished it) or 503 with the database exactly as before, never
a 500 or a half-write; and the request after is served normally.
`benchmarks/load.py --restart-postgres` is the same fault under load, where the moment is luck.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import psycopg
import pytest
from sqlalchemy import event
from sqlalchemy.engine import make_url
from tests_support import db_snapshot, sign_in

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.parametrize("db_url", ["postgresql"], indirect=True),
    pytest.mark.fake_encoder,  # some vectors are needed, no ranking is measured
]


class Outage:
    """Terminate the app's PostgreSQL backend just before its ``at``-th statement or COMMIT."""

    def __init__(self, app: Any, db_url: str) -> None:
        url = make_url(db_url).set(drivername="postgresql")
        self.admin = url.render_as_string(hide_password=False)
        self.at: int | None = None
        self.seen = 0
        self.fired = False
        engine = app.extensions["matchmaker.engine"]
        event.listen(engine, "before_cursor_execute", self._statement)
        event.listen(engine, "commit", self._commit)

    def arm(self, at: int | None) -> None:
        """Count from zero; kill before statement ``at`` (1-based), or never for None."""
        self.at, self.seen, self.fired = at, 0, False

    def disarm(self) -> None:
        """Stop killing; keep the count."""
        self.at = None

    def _statement(self, conn: Any, *_args: Any) -> None:
        self._tick(conn)

    def _commit(self, conn: Any) -> None:
        self._tick(conn)

    def _tick(self, conn: Any) -> None:
        self.seen += 1
        if self.seen == self.at:
            pid = conn.connection.dbapi_connection.info.backend_pid
            with psycopg.connect(self.admin, autocommit=True) as admin:
                # The second argument waits until the backend has really gone.
                admin.execute("SELECT pg_terminate_backend(%s, 10000)", (pid,))
            self.fired = True


def sweep(
    outage: Outage,
    factory: Any,
    send: Callable[[Any], Any],
    done: int,
    prepare: Callable[[], Any] = lambda: None,
    undo: Callable[[Any], None] = lambda _answer: None,
) -> dict[str, int]:
    """Send ``send(prepare())`` with the backend killed before each of its statements in turn.

    ``prepare`` runs unarmed (a fresh version to send, say); ``undo`` puts a done request back
    out of the way of the next. Returns how many answers were 503, how many ``done``, and how
    many statements were tried; fails on anything else, on a 503 that changed the database, and
    when the next unarmed request is not served.
    """

    def attempt(at: int | None) -> Any:
        prepared = prepare()
        outage.arm(at)
        try:
            return send(prepared)
        finally:
            outage.disarm()

    tally = {"503": 0, "done": 0, "statements": 0}
    for at in range(1, 500):
        before = db_snapshot(factory)
        prepared = prepare()
        outage.arm(at)
        answer = send(prepared)
        outage.disarm()
        body = answer.get_data(as_text=True)
        if not outage.fired:  # the request has fewer statements: every one has been tried
            assert answer.status_code == done, f"unharmed: {answer.status_code} {body}"
            undo(answer)
            tally["statements"] = at - 1
            break
        if answer.status_code == 503:
            tally["503"] += 1
            assert "服务暂时不可用" in body, body
            assert db_snapshot(factory) == before, f"a 503 at statement {at} changed the data"
        else:
            assert answer.status_code == done, f"statement {at}: {answer.status_code} {body}"
            tally["done"] += 1
            undo(answer)
        after = attempt(None)
        assert after.status_code == done, f"after statement {at}: {after.get_data(as_text=True)}"
        undo(after)
    return tally


def withdraw_pending(client: Any, headers: dict[str, str]) -> None:
    """Withdraw the one pending request of the caller, so the pair may book again."""
    mine = client.get("/api/v1/meeting-requests", headers=headers).get_json()
    pending = [r for r in mine if r["status"] == "pending"]
    assert len(pending) == 1, mine
    gone = client.post(f"/api/v1/meeting-requests/{pending[0]['id']}/withdraw", headers=headers)
    assert gone.status_code == 200, gone.get_json()


BOOKING_LIMITS = {"MATCHMAKER_RATE_LIMITS": True, "MATCHMAKER_BOOKING_LIMIT": "10000/minute"}


def test_a_booking_survives_a_dropped_connection_at_every_statement(
    make_app, accounts, factory, db_url
) -> None:  # type: ignore[no-untyped-def]
    # Rate limits on: the booking limit's key reads the signed-in user from the database first.
    app = make_app(**BOOKING_LIMITS)
    client, outage = app.test_client(), Outage(app, db_url)
    entrant = accounts.headers("entrant")
    body = {"session": "S1", "project_id": "T-P001", "institution_id": "T-I01", "slot": 2}

    def book(_: Any) -> Any:
        return client.post("/api/v1/meeting-requests", json=body, headers=entrant)

    tally = sweep(outage, factory, book, 201, undo=lambda _: withdraw_pending(client, entrant))
    assert tally["503"] >= 1 and tally["statements"] >= 3, tally


def test_a_booking_page_survives_a_dropped_connection_at_every_statement(
    make_app, accounts, factory, db_url
) -> None:  # type: ignore[no-untyped-def]
    app = make_app(**BOOKING_LIMITS)
    browser, outage = app.test_client(), Outage(app, db_url)
    api = app.test_client()
    entrant = accounts.headers("entrant")
    sign_in(browser, factory, "entrant")
    with browser.session_transaction() as session:
        session["csrf"] = "t"
    form = {"csrf": "t", "institution": "T-I01", "session": "S1", "slot": "5"}

    def book(_: Any) -> Any:
        return browser.post("/book", data=form, headers={"Accept": "text/html"})

    tally = sweep(outage, factory, book, 302, undo=lambda _: withdraw_pending(api, entrant))
    assert tally["503"] >= 1 and tally["statements"] >= 3, tally


def test_an_intent_change_survives_a_dropped_connection_at_every_statement(
    make_app, accounts, factory, db_url
) -> None:  # type: ignore[no-untyped-def]
    app = make_app()
    client, outage = app.test_client(), Outage(app, db_url)
    staff = accounts.headers("staff")
    made = client.post(
        "/api/v1/intents",
        json={"project_id": "T-P001", "institution_id": "T-I01", "status": "意向洽谈",
              "amount": 5_000_000},
        headers=staff,
    )  # fmt: skip
    assert made.status_code == 201, made.get_json()
    url = f"/api/v1/intents/{made.get_json()['id']}"
    notes = iter(range(1000))

    def version() -> int:
        return int(client.get(url, headers=staff).get_json()["version"])

    def change(current: int) -> Any:
        body = {"note": f"第{next(notes)}次跟进", "version": current}
        return client.patch(url, json=body, headers=staff)

    tally = sweep(outage, factory, change, 200, prepare=version)
    assert tally["503"] >= 1 and tally["statements"] >= 3, tally


def test_a_shortlist_survives_a_dropped_connection_at_every_statement(
    make_app, accounts, factory, db_url
) -> None:  # type: ignore[no-untyped-def]
    app = make_app()
    client, outage = app.test_client(), Outage(app, db_url)
    investor = accounts.headers("investor")

    def shortlist(_: Any) -> Any:
        return client.get("/api/v1/institutions/T-I01/shortlist", headers=investor)

    tally = sweep(outage, factory, shortlist, 200)
    assert tally["503"] >= 1 and tally["statements"] >= 3, tally
