"""Several events in one database: every page and list answers for the right event.

Three events (SQLite and PostgreSQL): T2026 (the test event, its registrations and the signed-in
parties), T2025 (a past edition whose registrations reuse T2026's ids) and T2024 (sessions, no
registrations). Investors and entrants belong to T2026 through their institution or project and
never choose, nor learn another event's code; organisers and staff pick one in the header,
remembered for every page, link and download, with ``?event=`` still overriding.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from access_table import TABLE
from test_authorisation import text_of
from tests_support import CSRF, add_roadshow, sign_in

from matchmaker.db.engine import transaction

pytestmark = pytest.mark.fake_encoder  # some vectors are needed, no ranking is measured

DATA = Path(__file__).parent / "data"
HTML = {"Accept": "text/html"}
PARTIES = ("entrant", "entrant_b", "investor", "investor_b")
CHOOSERS = ("staff", "organiser")
# what each event's one intent (T-P001 × T-I01) and task show: amount, owner, note
AMOUNTS = {"T2026": 12_340_000, "T2025": 7_770_000}
SHOWN = {
    "T2026": ("1234万元", "王敏甲", "NOTE-OF-2026"),
    "T2025": ("777万元", "王敏乙", "NOTE-OF-2025"),
}
NOTES = {code: shown[2] for code, shown in SHOWN.items()}
OTHER_CODES = ("T2025", "T2024")
# routes whose answer is about no one event (sign-in, language, documents, files)
NOT_EVENT = ("/healthz", "/api/openapi.json", "/api/docs", "/static/", "/lang/", "/login")
# pages that name their event in the path: an investors' sign-up page (closed here: 410) is not
# one the event choice applies to
NAMED_EVENT = ("/events/",)


@pytest.fixture
def three_events(factory: Any, accounts: Any, client: Any) -> dict[str, Any]:
    """Add T2025 (same registration ids, one intent and task) and T2024 beside T2026."""
    from matchmaker.services.registry.events import SessionSpec, add_session, create_event
    from matchmaker.services.registry.registrations import import_registrations

    spec = json.loads((DATA / "event.json").read_text(encoding="utf-8"))
    add_roadshow(factory, published_seed=17)  # T2026's R1, which the access table's pages name
    with transaction(factory) as db:
        for code, year, name in (("T2025", 2025, "上届测试大赛"), ("T2024", 2024, "前届测试大赛")):
            made = create_event(db, code, name, year, city="太原")
            for session in spec["sessions"]:
                add_session(db, made, SessionSpec.from_dict(session))
            if code == "T2025":
                for kind in ("institutions", "projects"):
                    path = DATA / f"{kind}.csv"
                    import_registrations(db, made, kind, path.read_bytes(), path.name)
    staff = accounts.headers("staff")
    for code, (_amount, owner, note) in SHOWN.items():
        pair = {"event": code, "project_id": "T-P001", "institution_id": "T-I01"}
        intent = {"status": "negotiating", "amount": AMOUNTS[code], "note": note}
        made = client.post("/api/v1/intents", json={**pair, **intent}, headers=staff)
        assert made.status_code == 201, made.get_json()
        task = {**pair, "owner": owner, "outcome": note}
        made = client.post("/api/v1/due-diligence", json=task, headers=staff)
        assert made.status_code == 201, made.get_json()
    return {"notes": NOTES}


def without_event(url: str) -> str:
    parts = urlsplit(url)
    kept = [(k, v) for k, v in parse_qsl(parts.query) if k != "event"]
    return parts.path + (f"?{urlencode(kept)}" if kept else "")


def list_routes(who: str) -> list[str]:
    """Every GET route of the access table the role may use, by a concrete URL without ids."""
    out = []
    for rule in TABLE:
        if rule.method != "GET" or rule.expected[who] not in "AO" or "{" in rule.url:
            continue
        if rule.url.startswith(NOT_EVENT + NAMED_EVENT) or rule.url.startswith("/event?"):
            continue
        out.append(rule.url)
    return out


def get(client: Any, accounts: Any, who: str, url: str) -> Any:
    if url.startswith("/api/"):
        return client.get(url, headers=accounts.headers(who))
    return client.get(url, headers=HTML)


@pytest.mark.parametrize("who", PARTIES + CHOOSERS)
def test_every_page_and_list_answers_with_three_events(
    client: Any, accounts: Any, factory: Any, three_events: Any, who: str
) -> None:
    """No 422 anywhere; pages never need ``?event=``; parties' API lists need it neither."""
    sign_in(client, factory, who)
    wrong = []
    for url in list_routes(who):
        api = url.startswith("/api/")
        # an organiser's API call names its event (several: the API asks, see the test below)
        asked = without_event(url)
        if api and who in CHOOSERS:
            asked += ("&" if "?" in asked else "?") + "event=T2026"
        response = get(client, accounts, who, asked)
        text = text_of(response)  # a workbook's cells, an archive's members
        if response.status_code >= 400:
            wrong.append(f"{asked} as {who}: {response.status_code} {text[:300]}")
        elif who in PARTIES and not api and any(c in text for c in OTHER_CODES):
            wrong.append(f"{asked} as {who}: shows another event's code")
        if who in PARTIES and any(mark in text for mark in SHOWN["T2025"]):
            wrong.append(f"{asked} as {who}: shows T2025's intent or task")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("who", ["entrant", "investor"])
def test_a_party_sees_its_own_events_ledger_without_naming_it(
    client: Any, accounts: Any, factory: Any, three_events: Any, who: str
) -> None:
    headers = accounts.headers(who)
    for url in ("/api/v1/intents", "/api/v1/due-diligence"):
        body = client.get(url, headers=headers).get_json()
        notes = [item.get("note") or item.get("outcome") for item in body["items"]]
        assert notes == [NOTES["T2026"]], (url, body)
    digest = client.get("/api/v1/due-diligence/digest?date=2026-12-01", headers=headers)
    assert digest.status_code == 200, digest.get_json()
    sign_in(client, factory, who)
    for url, index in (("/intents", 0), ("/due-diligence", 1)):
        page = client.get(url, headers=HTML).get_data(as_text=True)
        assert SHOWN["T2026"][index] in page and SHOWN["T2025"][index] not in page, url
    for url in ("/intents", "/due-diligence", "/agenda/print"):
        page = client.get(url, headers=HTML).get_data(as_text=True)
        assert "测试大赛" in page and "上届测试大赛" not in page, url
    assert client.get("/agenda", headers=HTML).status_code == 200
    ics = client.get("/agenda/export.ics", headers=HTML)
    assert ics.status_code == 200 and ics.mimetype == "text/calendar"
    # naming another event is "no such event" — and no list of the others comes with it
    refused = client.get("/agenda?event=T2025", headers=HTML)
    assert refused.status_code == 404
    assert not any(code in refused.get_data(as_text=True) for code in ("T2024", "T2026"))
    api = client.get("/api/v1/intents?event=T2025", headers=headers)
    assert api.status_code == 404 and "T2024" not in api.get_data(as_text=True)


def test_a_booking_sent_lands_on_the_agenda_that_shows_it(
    client: Any, accounts: Any, factory: Any, three_events: Any
) -> None:
    """The issue's case: the request was made, then /agenda answered 422 as if it had failed."""
    slots = client.get(
        "/api/v1/projects/T-P001/free-slots?institution=T-I01&session=S1",
        headers=accounts.headers("entrant"),
    )
    assert slots.status_code == 200, slots.get_json()
    sign_in(client, factory, "entrant")
    form = {"csrf": CSRF, "institution": "T-I01", "session": "S1"}
    sent = client.post("/book", data={**form, "slot": slots.get_json()[0]["number"]}, headers=HTML)
    assert sent.status_code == 302 and sent.headers["Location"].endswith("/agenda")
    landed = client.get("/agenda", headers=HTML)
    assert landed.status_code == 200
    assert "汾河新能源创投" in landed.get_data(as_text=True)  # the request, waiting for X


def chosen_in_header(page: str) -> str | None:
    found = re.search(r'<option value="([^"]+)" selected>', page.split("</header>")[0])
    return found.group(1) if found else None


def test_staff_choose_the_event_once_and_every_page_and_download_follows(
    client: Any, accounts: Any, factory: Any, three_events: Any
) -> None:
    sign_in(client, factory, "staff")
    first = client.get("/intents", headers=HTML).get_data(as_text=True)
    assert chosen_in_header(first) == "T2026"  # the most recent event until one is chosen
    assert SHOWN["T2026"][0] in first and SHOWN["T2025"][0] not in first
    assert "T2024" in first.split("</header>")[0]  # every event is offered

    chose = client.get("/event?event=T2025&next=/intents%3Fevent%3DT2026%26status%3Dsigned")
    assert chose.status_code == 302
    assert chose.headers["Location"] == "/intents?status=signed"  # the old event's ?event= gone
    for url, shows, not_shown in (
        ("/intents", SHOWN["T2025"][0], SHOWN["T2026"][0]),
        ("/due-diligence", SHOWN["T2025"][1], SHOWN["T2026"][1]),
        ("/reports", "上届测试大赛", "1234"),
        ("/agenda", "/sessions/S1/agenda", "event=T2026"),
        ("/agenda/print", "上届测试大赛", "1234"),
        ("/", "上届测试大赛", "前届测试大赛"),
    ):
        page = client.get(url, headers=HTML).get_data(as_text=True)
        header, _, body = page.rpartition("</header>")
        if url != "/agenda/print":  # paper has no header
            assert chosen_in_header(page) == "T2025", url
        assert shows in body and not_shown not in body, url
    export = client.get("/intents/export.csv", headers=HTML)
    assert export.status_code == 200 and "T2025-intents" in export.headers["Content-Disposition"]
    assert NOTES["T2025"] in export.get_data(as_text=True)
    agenda = client.get("/agenda/export.ics", headers=HTML)  # the 我的议程 page's download
    assert agenda.status_code == 200 and "agenda-T2025" in agenda.headers["Content-Disposition"]
    grid = client.get("/sessions/S1/agenda", headers=HTML).get_data(as_text=True)
    assert "event=T2025" in grid  # its links and downloads name the event they belong to

    # ?event= still overrides, and the choice follows it from then on
    page = client.get("/intents?event=T2024", headers=HTML).get_data(as_text=True)
    assert chosen_in_header(page) == "T2024" and SHOWN["T2025"][0] not in page
    assert chosen_in_header(client.get("/due-diligence", headers=HTML).get_data(as_text=True)) == (
        "T2024"
    )
    # an unknown event is a 404 naming it, and the choice stays
    unknown = client.get("/intents?event=NOPE", headers=HTML)
    assert unknown.status_code == 404 and "NOPE" in unknown.get_data(as_text=True)
    assert client.get("/event?event=NOPE&next=/intents").status_code == 404
    assert chosen_in_header(client.get("/intents", headers=HTML).get_data(as_text=True)) == (
        "T2024"
    )


def test_the_api_asks_organisers_which_event_and_names_the_choices(
    client: Any, accounts: Any, three_events: Any
) -> None:
    """Without a page's remembered choice the API cannot guess for staff: a clear 422."""
    for url in ("/api/v1/intents", "/api/v1/due-diligence", "/api/v1/due-diligence/digest"):
        answer = client.get(url, headers=accounts.headers("staff"))
        assert answer.status_code == 422, url
        message = answer.get_json()["message"]
        assert all(code in message for code in ("T2024", "T2025", "T2026")), message
        named = client.get(f"{url}?event=T2025", headers=accounts.headers("staff"))
        assert named.status_code == 200, (url, named.get_json())


def test_parties_are_offered_no_event_choice(client: Any, factory: Any, three_events: Any) -> None:
    sign_in(client, factory, "investor")
    page = client.get("/", headers=HTML).get_data(as_text=True)
    assert 'data-testid="event-choice"' not in page and "上届测试大赛" not in page
    assert client.get("/event?event=T2025&next=/", headers=HTML).status_code == 403


def test_a_code_look_up_never_answers_with_another_event_s_row_it_already_holds(
    factory: Any, three_events: Any
) -> None:
    """A look-up by registration id answers from the rows the request already holds (the
    signed-in party's own, say) only when that row is of the event asked about: T2025 reuses
    T2026's ids, and each event's T-P001 and T-I01 come back as its own, in either order."""
    from matchmaker.db.models import Event
    from matchmaker.services.registry.catalog import get_institution, get_project

    with transaction(factory) as db:
        ids = {e.code: e.id for e in db.query(Event)}
        for first, then in (("T2026", "T2025"), ("T2025", "T2026")):
            held = get_project(db, "T-P001", first)
            other = get_project(db, "T-P001", then)
            assert (held.event_id, other.event_id) == (ids[first], ids[then])
            assert get_project(db, "T-P001", first) is held  # the held row, not a second one
            assert get_institution(db, "T-I01", then).event_id == ids[then]
            assert get_institution(db, "T-I01", first).event_id == ids[first]
