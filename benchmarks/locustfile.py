"""A matchmaking morning for locust: investors read shortlists, entrants book, both sides answer.

Driven by ``benchmarks/load.py``, which prepares the event and the accounts and reads the
results; it passes the accounts in ``MATCHMAKER_LOAD_PLAN`` (a JSON file) and collects what the
users saw in ``MATCHMAKER_LOAD_LEDGER`` (every intent and booking the server said it stored).

Refusals that a busy morning produces honestly — a slot taken a moment earlier, a request cap
reached, an intent for a pair that already has one — are answers, not errors: they are counted
as "refused" and the run checks the database agrees. Anything else (5xx, 429, a dropped
connection, an unexpected 4xx) is a failure — with one exception: users with no pause at all
(the capacity phase) book faster than any person, and the per-user booking limit
(``MATCHMAKER_BOOKING_LIMIT``) is there to stop exactly that. A 429 on a booking in that phase
is the limit working; it is counted apart ("limited"), never as a stored booking.

Users are locust's ``FastHttpUser`` (geventhttpclient), not ``HttpUser`` (requests): locust runs
on the same two cores as the server, and the lighter client leaves more of them to the server
— for the bare-server baseline (``locust_health.py``) as much as for the morning. Think time
is ``MATCHMAKER_LOAD_THINK`` (see ``locust_health.think_time``): 1–3 s for a realistic morning,
none for the capacity phase.
"""

from __future__ import annotations

import itertools
import json
import os
import random
from typing import Any

from locust import FastHttpUser, between, events, task
from locust_health import think_time

PLAN: dict[str, Any] = json.loads(open(os.environ["MATCHMAKER_LOAD_PLAN"]).read())
LEDGER: dict[str, list[Any]] = {
    "intents": [],
    "requests": [],
    "accepted": [],
    "refused": [],
    "limited": [],
}
_investors = itertools.cycle(PLAN["investors"])
_entrants = itertools.cycle(PLAN["entrants"])
EXPECTED_REFUSALS = {409, 422}
# no pause between tasks: the booking limit is meant to answer 429 to such a user
UNPACED = think_time() == (0.0, 0.0)


def _check(response: Any, refusable: bool = False, limited: bool = False) -> Any:
    """Mark the response: 2xx ok; an honest refusal counted apart; anything else a failure.

    ``limited``: a 429 is the rate limit doing its job (an unpaced booking), counted apart.
    """
    if 200 <= response.status_code < 300:
        response.success()
        return response.json()
    if refusable and response.status_code in EXPECTED_REFUSALS:
        LEDGER["refused"].append(response.status_code)
        response.success()
        return None
    if limited and response.status_code == 429:
        LEDGER["limited"].append(response.status_code)
        response.success()
        return None
    response.failure(f"{response.status_code}: {response.text[:200]}")
    return None


class Investor(FastHttpUser):
    """An investor of one institution: shortlists, their requests, intents."""

    weight = 1
    wait_time = between(*think_time())

    def on_start(self) -> None:
        account = next(_investors)
        self.institution = account["institution"]
        self.auth = {"Authorization": f"Bearer {account['token']}"}
        self.projects = PLAN["projects"]

    @task(6)
    def shortlist(self) -> None:
        page = random.choice((1, 1, 1, 2))
        url = f"/api/v1/institutions/{self.institution}/shortlist?k=10&page={page}"
        with self.client.get(
            url, name="shortlist", headers=self.auth, catch_response=True
        ) as response:
            _check(response)

    @task(2)
    def answer_requests(self) -> None:
        with self.client.get(
            "/api/v1/meeting-requests", name="my requests", headers=self.auth, catch_response=True
        ) as response:
            mine = _check(response) or []
        waiting = [r for r in mine if r["status"] == "pending" and r["requested_by"] == "entrant"]
        if not waiting:
            return
        chosen = random.choice(waiting)
        with self.client.post(
            f"/api/v1/meeting-requests/{chosen['id']}/accept",
            name="accept request",
            headers=self.auth,
            catch_response=True,
        ) as response:
            if _check(response, refusable=True) is not None:
                LEDGER["accepted"].append(chosen["id"])

    @task(1)
    def intent(self) -> None:
        project = random.choice(self.projects)
        amount = random.randint(1, 500) * 10_000 + random.randint(0, 9_999)  # off the 万 grid too
        body = {
            "project_id": project,
            "institution_id": self.institution,
            "status": "negotiating",
            "amount": amount,
            "note": "对接会现场洽谈",
        }
        with self.client.post(
            "/api/v1/intents",
            json=body,
            name="create intent",
            headers=self.auth,
            catch_response=True,
        ) as response:
            made = _check(response, refusable=True)
            if made is not None:
                LEDGER["intents"].append([made["id"], project, self.institution, amount])


class Entrant(FastHttpUser):
    """An entrant of one project: recommended institutions, free slots, booking."""

    weight = 3
    wait_time = between(*think_time())

    def on_start(self) -> None:
        account = next(_entrants)
        self.project = account["project"]
        self.pairs = account["pairs"]  # [institution, session] the two can meet in
        self.auth = {"Authorization": f"Bearer {account['token']}"}

    @task(4)
    def recommendations(self) -> None:
        url = f"/api/v1/projects/{self.project}/recommendations?k=10"
        with self.client.get(
            url, name="recommendations", headers=self.auth, catch_response=True
        ) as response:
            _check(response)

    @task(3)
    def book(self) -> None:
        if not self.pairs:
            return
        institution, session = random.choice(self.pairs)
        url = (
            f"/api/v1/projects/{self.project}/free-slots"
            f"?institution={institution}&session={session}"
        )
        with self.client.get(
            url, name="free slots", headers=self.auth, catch_response=True
        ) as response:
            slots = _check(response) or []
        if not slots:
            return
        body = {
            "session": session,
            "project_id": self.project,
            "institution_id": institution,
            "slot": random.choice(slots)["number"],
            "message": "希望当面介绍项目",
        }
        with self.client.post(
            "/api/v1/meeting-requests",
            json=body,
            name="book",
            headers=self.auth,
            catch_response=True,
        ) as response:
            made = _check(response, refusable=True, limited=UNPACED)
            if made is not None:
                LEDGER["requests"].append(made["id"])


@events.quitting.add_listener
def _write_ledger(environment: Any, **_kwargs: Any) -> None:
    with open(os.environ["MATCHMAKER_LOAD_LEDGER"], "w") as out:
        json.dump(LEDGER, out)
