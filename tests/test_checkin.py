"""Badges and check-in (#17): signed badge codes (forged, altered, another event's: refused),
check-in through the API and the page (once; a second scan says when), the arrivals list,
printable badges and table signs, and the organiser's live view — on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from tests_support import CSRF, assert_error, db_snapshot, retime_session, sign_in

from matchmaker.db.engine import transaction
from matchmaker.db.models import CheckIn, Institution, Meeting, Project
from matchmaker.db.types import utcnow
from matchmaker.domain import MeetingStatus
from matchmaker.services.registry.badges import badge_code, badge_qr_svg, read_badge_code

pytestmark = pytest.mark.fake_encoder
SECRET = "s3cret-for-tests"


# ---- codes ----------------------------------------------------------------------------------


def test_a_badge_code_reads_back_as_what_it_names() -> None:
    code = badge_code(SECRET, "T2026", "project", 12)
    assert code.startswith("T2026.P12.")
    found = read_badge_code(SECRET, code)
    assert found is not None and (found.event_code, found.kind, found.party_id) == (
        "T2026",
        "project",
        12,
    )
    # typed from paper: lower case, spaces and dashes in the tag still read
    tag = code.rsplit(".", 1)[1]
    typed = f"T2026.p12.{tag[:4].lower()} {tag[4:8]}-{tag[8:]}"
    assert read_badge_code(SECRET, typed) == found
    inst = read_badge_code(SECRET, badge_code(SECRET, "T2026", "institution", 3))
    assert inst is not None and inst.kind == "institution"


@pytest.mark.parametrize(
    "change",
    [
        lambda c: c.replace(".P12.", ".P13."),  # another party
        lambda c: c.replace(".P12.", ".I12."),  # another kind
        lambda c: c.replace("T2026.", "T2025."),  # another event, same tag
        lambda c: c[:-1] + ("A" if c[-1] != "A" else "B"),  # one character of the tag
        lambda c: c.rsplit(".", 1)[0] + ".",  # no tag
        lambda c: "T2026.P12",  # no tag at all
        lambda c: "",
        lambda c: "not a badge",
        lambda c: badge_code("another-secret", "T2026", "project", 12),  # forged elsewhere
    ],
)
def test_forged_or_altered_codes_are_refused(change: Any) -> None:
    code = badge_code(SECRET, "T2026", "project", 12)
    assert read_badge_code(SECRET, change(code)) is None


def test_the_qr_is_an_inline_svg_without_style_attributes() -> None:
    svg = badge_qr_svg(badge_code(SECRET, "T2026", "project", 12))
    assert svg.startswith("<svg") and "style=" not in svg and "<script" not in svg


# ---- the API --------------------------------------------------------------------------------


def _code(app: Any, factory: Any, kind: str, reg: str, event: str = "T2026") -> str:
    model = Project if kind == "project" else Institution
    with transaction(factory) as db:
        party_id = db.scalar(select(model.id).where(model.code == reg))
    return badge_code(app.config["SECRET_KEY"], event, kind, int(party_id))  # type: ignore[arg-type]


URL = "/api/v1/events/T2026/check-ins"


def test_api_checks_in_once_and_a_second_scan_says_when(
    app: Any, client: Any, accounts: Any, factory: Any
) -> None:
    code = _code(app, factory, "project", "T-P001")
    first = client.post(
        URL, json={"code": code, "session": "S1"}, headers=accounts.headers("staff")
    )
    assert first.status_code == 200, first.get_json()
    body = first.get_json()
    assert body["code"] == "T-P001" and body["session"] == "S1" and not body["already"]
    assert body["message"].startswith("签到成功")
    again = client.post(
        URL,
        json={"code": code, "session": "S1", "method": "typed"},
        headers=accounts.headers("organiser"),
    )
    assert again.status_code == 200
    later = again.get_json()
    assert later["already"] and later["at"] == body["at"] and later["method"] == "scan"
    assert f"已签到 {body['time']}" in later["message"]
    with transaction(factory) as db:
        assert len(db.scalars(select(CheckIn)).all()) == 1
    listed = client.get(
        "/api/v1/events/T2026/sessions/S1/check-ins", headers=accounts.headers("staff")
    ).get_json()
    arrived = [a for a in listed["arrivals"] if a["at"]]
    assert listed["checked_in"] == 1 and [a["code"] for a in arrived] == ["T-P001"]
    assert listed["expected"] == len(listed["arrivals"]) > 1


def test_api_refuses_forged_and_other_event_codes_and_records_nothing(
    app: Any, client: Any, accounts: Any, factory: Any
) -> None:
    client.post("/api/v1/events", json={"code": "T2025", "name": "上届", "year": 2025},
                headers=accounts.headers("organiser"))  # fmt: skip
    genuine = _code(app, factory, "project", "T-P001")
    before = db_snapshot(factory)
    forged = genuine[:-2] + ("XY" if not genuine.endswith("XY") else "ZZ")
    body = assert_error(
        client.post(URL, json={"code": forged}, headers=accounts.headers("staff")), 422
    )
    assert "不是有效的胸卡码" in body["message"]
    other = _code(app, factory, "project", "T-P001", event="T2025")
    body = assert_error(
        client.post("/api/v1/events/T2026/check-ins", json={"code": other},
                    headers=accounts.headers("staff")), 422)  # fmt: skip
    assert "另一个活动（T2025）" in body["message"]
    body = assert_error(
        client.post(
            URL, json={"code": genuine, "session": "S9"}, headers=accounts.headers("staff")
        ),
        404,
    )
    assert db_snapshot(factory) == before


def test_a_party_not_on_the_sessions_list_is_refused(
    app: Any, client: Any, accounts: Any, factory: Any
) -> None:
    with transaction(factory) as db:  # T-P003 leaves S1's list
        from matchmaker.db.models import MatchmakingSession

        s1 = db.scalar(select(MatchmakingSession).where(MatchmakingSession.code == "S1"))
        outsider = db.scalar(select(Project).where(Project.code == "T-P003"))
        if outsider in s1.projects:
            s1.projects.remove(outsider)
    code = _code(app, factory, "project", outsider.code)
    body = assert_error(
        client.post(URL, json={"code": code, "session": "S1"}, headers=accounts.headers("staff")),
        422,
    )
    assert outsider.name in body["message"] and "S1" in body["message"]


# ---- pages ----------------------------------------------------------------------------------


def test_badge_page_shows_the_persons_party_qr_and_code(app: Any, client: Any, accounts: Any,
                                                        factory: Any) -> None:  # fmt: skip
    sign_in(client, factory, "entrant")
    page = client.get("/badge").get_data(as_text=True)
    with transaction(factory) as db:
        name = db.scalar(select(Project.name).where(Project.code == "T-P001"))
    code = _code(app, factory, "project", "T-P001")
    assert name in page and code in page and "<svg" in page and 'href="/agenda"' in page
    agenda = client.get("/agenda").get_data(as_text=True)
    assert 'data-testid="badge-qr-small"' in agenda and code in agenda
    sign_in(client, factory, "staff")
    assert client.get("/badge").status_code == 403
    assert "badge-qr-small" not in client.get("/agenda?event=T2026").get_data(as_text=True)


def test_checkin_page_typed_code_then_json_scan_says_already(
    app: Any, client: Any, accounts: Any, factory: Any
) -> None:
    sign_in(client, factory, "staff")
    page = client.get("/checkin?event=T2026&session=S1").get_data(as_text=True)
    assert "vendor/jsqr/jsQR.js" in page and "checkin.js" in page and "从相册选择" in page
    code = _code(app, factory, "institution", "T-I01")
    form = {"csrf": CSRF, "code": code, "method": "typed", "session": "S1"}
    done = client.post("/checkin?event=T2026", data=form)
    assert done.status_code == 302
    shown = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "签到成功" in shown
    again = client.post("/checkin?event=T2026", data={**form, "method": "scan"},
                        headers={"Accept": "application/json"})  # fmt: skip
    assert again.status_code == 200 and again.get_json()["already"]
    assert "已签到" in again.get_json()["message"]
    altered = code[:-1] + ("R" if code.endswith("Q") else "Q")  # never the code itself
    bad = client.post("/checkin?event=T2026", data={**form, "code": altered},
                      headers={"Accept": "application/json"})  # fmt: skip
    assert bad.status_code == 422 and "不是有效的胸卡码" in bad.get_json()["message"]
    listed = client.get("/sessions/S1/arrivals?event=T2026").get_json()
    assert [a["code"] for a in listed["arrivals"] if a["at"]] == ["T-I01"]


def test_printable_badges_and_table_signs_in_numeric_order(
    app: Any, client: Any, accounts: Any, factory: Any
) -> None:
    with transaction(factory) as db:
        from matchmaker.db.models import MatchmakingSession

        s1 = db.scalar(select(MatchmakingSession).where(MatchmakingSession.code == "S1"))
        expected = len(s1.projects) + len(s1.institutions)
        # a venue's own names, entered out of order: signs still go by number
        for table in s1.tables:
            table.label = f"{table.number}号桌"
        s1.tables[-1].label = "贵宾桌"
    sign_in(client, factory, "organiser")
    page = client.get("/sessions/S1/badges?event=T2026").get_data(as_text=True)
    assert page.count('class="badge-cell"') == expected and page.count("<svg") == expected
    assert _code(app, factory, "project", "T-P001") in page
    signs = client.get("/sessions/S1/table-signs?event=T2026").get_data(as_text=True)
    labels = ["1号桌", "2号桌", "3号桌", "贵宾桌"]
    positions = [signs.index(f'table-sign-label">{label}<') for label in labels]
    assert positions == sorted(positions)


def test_live_view_counts_arrivals_running_meetings_no_shows_late_and_free_tables(
    app: Any, client: Any, accounts: Any, factory: Any
) -> None:
    client.post("/api/v1/events/T2026/sessions/S1/agenda/build", json={},
                headers=accounts.headers("organiser"))  # fmt: skip
    with transaction(factory) as db:
        numbers = sorted(m.slot.number for m in db.scalars(select(Meeting)).all())
    busiest = max(set(numbers), key=numbers.count)
    # the session began so that its busiest slot (20 minutes each) has run for 5 minutes
    retime_session(factory, "S1", utcnow() - timedelta(minutes=20 * (busiest - 1) + 5))
    with transaction(factory) as db:
        meetings = db.scalars(
            select(Meeting).where(Meeting.status == MeetingStatus.SCHEDULED).order_by(Meeting.id)
        ).all()
        now_on = [m for m in meetings if m.slot.number == busiest]
        now_on[0].status = MeetingStatus.NO_SHOW
        running_now = len(now_on) - 1
        on_time = min(meetings, key=lambda m: m.slot.starts_at).institution.code
        first_slot_start = min(m.slot.starts_at for m in meetings)
    code = _code(app, factory, "institution", on_time)
    client.post(URL, json={"code": code, "session": "S1"}, headers=accounts.headers("staff"))
    with transaction(factory) as db:  # it came 10 minutes before its first meeting
        db.scalars(select(CheckIn)).one().at = first_slot_start - timedelta(minutes=10)
    sign_in(client, factory, "organiser")
    data = client.get("/sessions/S1/live.json?event=T2026").get_json()
    assert data["checked_in"] == 1 and data["expected"] > 1
    assert data["slot"]["number"] == busiest and len(data["running"]) == running_now
    assert data["no_shows"] == 1
    late_codes = {p["code"] for p in data["late"]}
    assert on_time not in late_codes and late_codes  # everyone else has not come
    assert len(data["free_tables"]) == 4 - running_now
    page = client.get("/sessions/S1/live?event=T2026").get_data(as_text=True)
    assert "现场实况" in page and 'data-live="/sessions/S1/live.json"' in page
    assert "data-live-no-shows>1<" in page
