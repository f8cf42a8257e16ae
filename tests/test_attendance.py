"""Attendance on the day (#17) on SQLite and PostgreSQL: both sides mark a meeting, the investor
wins and the organiser corrects; a no-show and the organiser's repair; a late arrival reported
by the party; the report counts recorded attendance; ratings, follow-ups and the learner."""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from tests_support import CSRF, assert_error, db_snapshot, retime_session, sign_in

from matchmaker.db.models import (
    AuditEntry,
    Intent,
    Meeting,
    Notice,
    Unavailability,
)
from matchmaker.db.types import utcnow
from matchmaker.domain import IntentStatus

pytestmark = pytest.mark.fake_encoder  # some vectors are needed, no ranking is measured

S1 = "/api/v1/events/T2026/sessions/S1"
HTML = {"Accept": "text/html"}


def built(client: Any, accounts: Any, **options: Any) -> list[dict[str, Any]]:
    """Build (with ``options``) and publish S1; return its meetings (slot, parties, id)."""
    organiser = accounts.headers("organiser")
    answer = client.post(S1 + "/agenda/build", json=options, headers=organiser)
    assert answer.status_code == 200
    assert client.post(S1 + "/agenda/publish", headers=organiser).status_code == 200
    rows: list[dict[str, Any]] = client.get(S1 + "/agenda", headers=organiser).get_json()[
        "meetings"
    ]
    return rows


def pair_meeting(rows: list[dict[str, Any]], first: bool = True) -> dict[str, Any]:
    """The meeting of entrant A (T-P001) with investor X (T-I01)."""
    found = [r for r in rows if (r["project_id"], r["institution_id"]) == ("T-P001", "T-I01")]
    assert found, rows
    return found[0]


def begin(factory: Any, slot: int, minutes_ago: int = 5) -> None:
    """Retime S1 so that slot ``slot`` (20-minute slots) began ``minutes_ago`` minutes ago."""
    start = utcnow() - timedelta(minutes=20 * (slot - 1) + minutes_ago)
    retime_session(factory, "S1", start)


def tap(client: Any, accounts: Any, who: str, meeting: int, **body: Any) -> Any:
    return client.post(
        f"/api/v1/meetings/{meeting}/attendance", json=body, headers=accounts.headers(who)
    )


def test_both_sides_mark_the_investor_wins_and_the_organiser_corrects(
    client: Any, accounts: Any, factory: Any
) -> None:
    meeting = pair_meeting(built(client, accounts))
    mid = meeting["meeting_id"]
    # not before the meeting has begun
    early = assert_error(tap(client, accounts, "entrant", mid, mark="held"), 409)
    assert "开始后才能记录出席" in early["message"]
    begin(factory, meeting["slot"])
    # the entrant says the investor did not come; the investor says they met: the investor wins
    said = tap(client, accounts, "entrant", mid, mark="absent")
    assert said.status_code == 200 and said.get_json()["status"] == "no_show"
    assert said.get_json()["absent"] == "institution"
    said = tap(client, accounts, "investor", mid, mark="held")
    assert said.get_json()["status"] == "held"
    assert said.get_json()["marks"] == {
        "investor": "held",
        "entrant": "institution_absent",
        "organiser": None,
    }
    # the entrant insisting changes nothing: the investor's mark still decides
    assert tap(client, accounts, "entrant", mid, mark="absent").get_json()["status"] == "held"
    # the organiser corrects: the project did not come after all
    corrected = tap(client, accounts, "organiser", mid, mark="project_absent")
    assert corrected.get_json()["status"] == "no_show"
    assert corrected.get_json()["absent"] == "project"
    after = tap(client, accounts, "investor", mid, mark="held")
    assert after.get_json()["status"] == "no_show"  # the organiser's word stands over both
    # a party names only the other side; an organiser must say which side; others are refused
    bad = assert_error(tap(client, accounts, "investor", mid, mark="institution_absent"), 422)
    assert "只能标记对方未到场" in str(bad["errors"])
    assert_error(tap(client, accounts, "organiser", mid, mark="absent"), 422)
    assert_error(tap(client, accounts, "investor_b", mid, mark="held"), 403)
    assert_error(tap(client, accounts, "staff", mid, mark="held"), 403)
    assert_error(tap(client, accounts, "investor", mid, mark="maybe"), 422)
    with factory() as db:
        statuses = [
            (e.before["status"], e.after["status"])
            for e in db.scalars(
                select(AuditEntry)
                .where(AuditEntry.entity_type == "meetings", AuditEntry.entity_id == mid)
                .where(AuditEntry.action == "attendance")
                .order_by(AuditEntry.id)
            )
        ]
        assert db.get_one(Meeting, mid).status.value == "no_show"
    assert statuses == [("scheduled", "no_show"), ("no_show", "held"), ("held", "no_show")]
    # the agenda shows the recorded status to the parties
    mine = client.get(S1 + "/agenda", headers=accounts.headers("entrant")).get_json()["meetings"]
    assert {r["meeting_id"]: r["status"] for r in mine}[mid] == "no_show"


def test_a_repeated_client_key_changes_nothing_from_the_api_or_the_page(
    client: Any, accounts: Any, factory: Any
) -> None:
    meeting = pair_meeting(built(client, accounts))
    mid = meeting["meeting_id"]
    begin(factory, meeting["slot"])
    first = tap(client, accounts, "investor", mid, mark="absent", client_key="k" * 32)
    assert first.get_json()["status"] == "no_show" and not first.get_json()["repeated"]
    before = db_snapshot(factory)
    again = tap(client, accounts, "investor", mid, mark="absent", client_key="k" * 32)
    assert again.status_code == 200 and again.get_json()["repeated"]
    assert again.get_json()["status"] == "no_show"
    assert db_snapshot(factory) == before  # no second mark, no second notice, no audit
    # the same key for another meeting or by someone else is a client's mistake, refused
    assert_error(tap(client, accounts, "entrant", mid, mark="held", client_key="k" * 32), 409)
    # the page: the form carries a key drawn at render time; sent twice, recorded once
    sign_in(client, factory, "entrant")
    page = client.get("/agenda", headers=HTML).get_data(as_text=True)
    form = page.split('data-testid="att-held"')[1].split("</form>")[0]
    assert 'data-offline="queue"' in page.split('data-testid="att-held"')[0][-300:]
    key = re.search(r'name="client_key" value="([0-9a-f]{32})"', form)
    assert key is not None
    fields = {"csrf": CSRF, "client_key": key.group(1), "mark": "held"}
    url = f"/agenda/meetings/{mid}/attendance"
    sent = client.post(url, data=fields, headers=HTML)
    assert sent.status_code == 302
    snapshot = db_snapshot(factory)
    replay = client.post(url, data=fields, headers=HTML)  # the offline queue sends it again
    assert replay.status_code == 302 and db_snapshot(factory) == snapshot
    shown = client.get("/agenda", headers=HTML).get_data(as_text=True)
    assert "您的记录：已会见" in shown


def test_a_no_show_then_the_organisers_repair_refills_the_rest_of_the_session(
    client: Any, accounts: Any, factory: Any
) -> None:
    # two meetings per institution: after a project goes, each has room for another project
    rows = built(client, accounts, institution_max=2)
    counts = Counter(r["project_id"] for r in rows)
    gone = next(code for code, n in sorted(counts.items()) if n >= 2)
    first = min((r for r in rows if r["project_id"] == gone), key=lambda r: r["slot"])
    later = [r for r in rows if r["project_id"] == gone and r["slot"] > first["slot"]]
    assert later, rows
    begin(factory, first["slot"])
    investor = "investor" if first["institution_id"] == "T-I01" else "investor_b"
    said = tap(client, accounts, investor, first["meeting_id"], mark="absent")
    assert said.get_json()["status"] == "no_show"
    with factory() as db:  # the organisers are told
        told = db.scalars(select(Notice).where(Notice.kind == "no_show")).all()
        assert told and told[0].params["reg"] == gone
    offered = client.get(S1 + "/no-shows", headers=accounts.headers("organiser")).get_json()
    assert [(o["absent_id"], o["to_come"]) for o in offered] == [(gone, len(later))]
    sign_in(client, factory, "organiser")
    grid = client.get("/sessions/S1/agenda?event=T2026", headers=HTML).get_data(as_text=True)
    banner = grid.split('data-testid="day-changes"')[1].split("</div>")[0]
    assert gone in banner and "为其余时段调整议程" in banner
    repaired = client.post(
        f"/sessions/S1/no-shows/{first['meeting_id']}/repair?event=T2026",
        data={"csrf": CSRF},
        headers=HTML,
    )
    assert repaired.status_code == 302
    after = client.get(S1 + "/agenda", headers=accounts.headers("organiser")).get_json()
    meetings = after["meetings"]
    # the no-show stays on record; the absent project has nothing left to come
    assert {r["meeting_id"]: r["status"] for r in meetings}[first["meeting_id"]] == "no_show"
    assert not [r for r in meetings if r["project_id"] == gone and r["slot"] > first["slot"]]

    # the institutions it was to meet get other projects in the seats it left (each has room
    # for two meetings and has now met one other project)
    def to_come(found: list[dict[str, Any]], institution: str) -> set[str]:
        return {
            r["project_id"]
            for r in found
            if r["institution_id"] == institution and r["slot"] > first["slot"]
        }

    for seat in later:
        before, now = (
            to_come(rows, seat["institution_id"]),
            to_come(meetings, seat["institution_id"]),
        )
        assert len(now) == len(before) and gone not in now
    with factory() as db:
        away = db.scalar(
            select(func.count())
            .select_from(Unavailability)
            .where(Unavailability.reason == "no_show")
        )
    assert away == 9 - first["slot"]  # every slot still to come
    assert client.get(S1 + "/no-shows", headers=accounts.headers("organiser")).get_json() == []


def test_the_report_counts_recorded_attendance_and_shows_the_unrecorded(
    client: Any, accounts: Any, factory: Any
) -> None:
    rows = built(client, accounts)
    retime_session(factory, "S1", utcnow() - timedelta(days=2))  # the session is over
    ours = [r for r in rows if r["project_id"] == "T-P001" or r["institution_id"] == "T-I01"]
    assert len(ours) >= 3
    a, b, c = ours[:3]

    def who(row: dict[str, Any]) -> str:
        if row["institution_id"] == "T-I01":
            return "investor"
        return "entrant"

    assert tap(client, accounts, who(a), a["meeting_id"], mark="held").status_code == 200
    rated = tap(client, accounts, who(b), b["meeting_id"], rating=4)  # rating says they met
    assert rated.get_json()["status"] == "held"
    assert tap(client, accounts, who(c), c["meeting_id"], mark="absent").status_code == 200
    funnel = client.get(
        "/api/v1/reports/funnel?event=T2026", headers=accounts.headers("staff")
    ).get_json()
    # 已会见 is what was recorded held, never the clock; the rest of the slots that ended are
    # counted apart, unrecorded
    assert funnel["total"]["meetings_held"] == 2
    assert funnel["total"]["meetings_unrecorded"] == len(rows) - 3
    rates = funnel["response_rates"]
    assert rates["investor"]["held"] == 2
    assert rates[who(b)]["rated"] == 1 and rates[who(b)]["rate"] == 0.5
    sign_in(client, factory, "staff")
    page = client.get("/reports?event=T2026", headers=HTML).get_data(as_text=True)
    assert f"另有 {len(rows) - 3} 场会见时段已结束但未记录出席" in page
    assert "评分回复率" in page and "50%" in page


def test_a_rating_with_follow_up_opens_the_watching_intent_once_and_the_learner_reads_it(
    client: Any, accounts: Any, factory: Any
) -> None:
    from matchmaker.services.matching.learning import meeting_ratings, outcomes
    from matchmaker.services.registry.events import get_event

    meeting = pair_meeting(built(client, accounts))
    mid = meeting["meeting_id"]
    begin(factory, meeting["slot"])
    # an entrant's "yes" is theirs to keep: it opens nothing in the ledger
    assert tap(client, accounts, "entrant", mid, rating=2, follow_up=True).status_code == 200
    with factory() as db:
        assert db.scalar(select(func.count()).select_from(Intent)) == 0
    said = tap(client, accounts, "investor", mid, rating=5, follow_up=True, client_key="f" * 20)
    assert said.get_json()["ratings"] == {"investor": 5, "entrant": 2, "organiser": None}
    assert tap(client, accounts, "investor", mid, follow_up=True).status_code == 200  # again
    tap(client, accounts, "investor", mid, rating=5, follow_up=True, client_key="f" * 20)
    with factory() as db:
        intents = db.scalars(select(Intent)).all()
        assert [(i.status, i.amount, i.meeting_id) for i in intents] == [
            (IntentStatus.WATCHING, None, mid)
        ]
        trail = db.scalars(
            select(AuditEntry.action).where(
                AuditEntry.entity_type == "intents", AuditEntry.entity_id == intents[0].id
            )
        ).all()
        assert trail == ["follow_up"]
        assert db.get_one(Meeting, mid).rating == 5  # the investor's
        event = get_event(db, "T2026")
        pair = (intents[0].institution_id, intents[0].project_id)
        assert meeting_ratings(db, event)[pair] == 3.5  # the mean of both sides
    # a low rating from the investor, recorded later, teaches a "no" for the pair
    tap(client, accounts, "investor", mid, rating=1)
    tap(client, accounts, "entrant", mid, rating=1)
    with factory() as db:
        event = get_event(db, "T2026")
        assert outcomes(db, event)[pair] == 0
    # a no-show cannot be rated
    corrected = tap(client, accounts, "organiser", mid, mark="institution_absent")
    assert corrected.get_json()["status"] == "no_show"
    refused = assert_error(tap(client, accounts, "entrant", mid, rating=3), 409)
    assert "已会见的场次" in refused["message"]


def test_a_party_reports_being_late_and_the_organiser_confirms_the_repair(
    client: Any, accounts: Any, factory: Any
) -> None:
    rows = built(client, accounts)
    begin(factory, 1, minutes_ago=-30)  # S1 starts in half an hour
    body = {"minutes": 45, "client_key": "late-key-0001"}
    made = client.post(S1 + "/late-reports", json=body, headers=accounts.headers("entrant"))
    assert made.status_code == 200, made.get_json()
    again = client.post(S1 + "/late-reports", json=body, headers=accounts.headers("entrant"))
    assert again.get_json()["id"] == made.get_json()["id"]  # the same report, not a second
    pending = client.get(S1 + "/late-reports", headers=accounts.headers("organiser")).get_json()
    assert [(p["project_id"], p["minutes"]) for p in pending] == [("T-P001", 45)]
    sign_in(client, factory, "organiser")
    grid = client.get("/sessions/S1/agenda?event=T2026", headers=HTML).get_data(as_text=True)
    banner = grid.split('data-testid="day-changes"')[1].split("</div>")[0]
    assert "迟到 45 分钟" in banner and "从第 2 时段起" in banner  # 15 min into slot 1
    report_id = made.get_json()["id"]
    confirmed = client.post(
        f"/sessions/S1/late-reports/{report_id}?event=T2026",
        data={"csrf": CSRF, "action": "confirm"},
        headers=HTML,
    )
    assert confirmed.status_code == 302
    after = client.get(S1 + "/agenda", headers=accounts.headers("organiser")).get_json()
    assert not [r for r in after["meetings"] if r["project_id"] == "T-P001" and r["slot"] == 1]
    assert any(r["project_id"] == "T-P001" for r in rows)
    with factory() as db:
        away = db.scalars(select(Unavailability).where(Unavailability.reason == "late")).all()
        assert len(away) == 1
    refused = client.post(
        f"/api/v1/late-reports/{report_id}/confirm", headers=accounts.headers("organiser")
    )
    assert_error(refused, 409)
    assert_error(
        client.post(S1 + "/late-reports", json={"minutes": 0}, headers=accounts.headers("entrant")),
        422,
    )
