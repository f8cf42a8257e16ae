"""Timed notices and the organiser's messages (#16), on SQLite and PostgreSQL: reminders fire
at the configured offsets in Asia/Shanghai time with the clock moved (no sleeps) and follow a
moved meeting; due-diligence tasks reach their owner once a day; a broadcast reaches every
party of a session; invitation and reset links reach only their person."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from tests_support import (
    assert_error,
    notice_text,
    notices_told,
    publish_s1_investor_early,
    sign_in,
)

from matchmaker.config import Settings
from matchmaker.db.engine import transaction
from matchmaker.db.models import DueDiligence, Notice, User
from matchmaker.domain import LOCAL_TZ
from matchmaker.errors import InvalidInput
from matchmaker.services.notifications.reminders import queue_reminders
from matchmaker.services.registry.catalog import get_institution, get_project

pytestmark = pytest.mark.fake_encoder

S1 = "/api/v1/events/T2026/sessions/S1/agenda"

SETTINGS = Settings(reminder_minutes="15,60", reminder_evening="18:00")


def at(text: str) -> datetime:
    """A moment as read on a clock at the venue (Asia/Shanghai)."""
    return datetime.fromisoformat(text).replace(tzinfo=LOCAL_TZ)


def scan(factory: Any, when: str, settings: Settings = SETTINGS) -> int:
    with transaction(factory) as db:
        return queue_reminders(db, settings, at(when))


def reminders(factory: Any) -> list[tuple[str, str, dict[str, Any], list[Any]]]:
    return notices_told(factory, "reminder")


def test_reminders_fire_at_their_offsets_and_follow_a_moved_meeting(
    client, accounts, factory
) -> None:  # type: ignore[no-untyped-def]
    # S1, 2036-12-08: T-I01 meets T-P001, T-P002, T-P005 at 09:00, 09:20, 09:40; T-I02 at
    # 11:00, 11:20, 11:40
    publish_s1_investor_early(client, accounts, factory)
    assert scan(factory, "2036-12-07T17:59") == 0  # the evening before, not yet 18:00
    assert scan(factory, "2036-12-07T18:00") == 4  # one per person with meetings tomorrow
    evening = {n[0]: n for n in reminders(factory)}
    assert sorted(evening) == ["entrant", "entrant_b", "investor", "investor_b"]
    investor = evening["investor"]
    assert [i["time"] for i in investor[3]] == ["09:00", "09:20", "09:40"]
    assert investor[2]["time"] == "09:00" and investor[2]["date"] == "12-08"
    assert {i["table"] for i in investor[3]} == {"1号桌"}
    text = notice_text(factory, "investor", "reminder")
    assert "会见提醒：12-08 09:00 起，本地专场" in text and "晋能储能电池管理系统" in text
    assert scan(factory, "2036-12-07T18:30") == 0  # a second scan writes nothing
    assert scan(factory, "2036-12-08T07:59") == 0  # nothing due before 08:00
    # 60 minutes before 09:00 (08:00 in Shanghai, 00:00 UTC): that meeting's two people
    assert scan(factory, "2036-12-08T08:00") == 2
    early = reminders(factory)[4:]
    assert sorted(n[0] for n in early) == ["entrant", "investor"]
    assert all(n[2]["minutes"] == 60 and n[2]["time"] == "09:00" for n in early)
    assert [i["counterpart"] for n in early if n[0] == "entrant" for i in n[3]] == [
        "汾河新能源创投"
    ]
    # T-I01 turns out to arrive only for slot 4: its three meetings move to 10:00 or later
    late = client.post(
        S1 + "/late",
        json={"institution_id": "T-I01", "first_slot": 4},
        headers=accounts.headers("organiser"),
    )
    assert late.status_code == 200, late.get_json()
    before = len(reminders(factory))
    # 08:45 would be 15 minutes before the old 09:00: the moved meeting is not reminded there
    assert scan(factory, "2036-12-08T08:45") == 0
    with transaction(factory) as db:
        moved = db.execute(select(Notice.items).where(Notice.kind == "meetings_changed")).all()
    new_times = sorted({i["time"] for (items,) in moved for i in items if i["what"] == "moved"})
    assert new_times and min(new_times) >= "10:00"
    first = new_times[0]  # … but 60 and 15 minutes before its new time
    hour, minute = map(int, first.split(":"))
    sixty = f"2036-12-08T{hour - 1:02d}:{minute:02d}"
    assert scan(factory, sixty) >= 2
    fresh = reminders(factory)[before:]
    assert {n[2]["time"] for n in fresh} == {first} and {n[2]["minutes"] for n in fresh} == {60}
    assert "investor" in {n[0] for n in fresh}
    fifteen = f"2036-12-08T{hour if minute >= 15 else hour - 1:02d}:{(minute - 15) % 60:02d}"
    assert scan(factory, fifteen) >= 2
    assert {n[2]["minutes"] for n in reminders(factory)[len(fresh) + before :]} == {15}
    # once a meeting has begun nothing about it fires, however late the scan
    count = len(reminders(factory))
    scan(factory, f"2036-12-08T{hour:02d}:{minute + 1:02d}")
    assert all(n[2]["time"] != first for n in reminders(factory)[count:])


def test_reminder_settings_are_checked(factory, accounts) -> None:  # type: ignore[no-untyped-def]
    for bad in (Settings(reminder_minutes="15,soon"), Settings(reminder_evening="6pm")):
        with pytest.raises(InvalidInput) as caught, transaction(factory) as db:
            queue_reminders(db, bad, at("2036-12-07T18:00"))
        line = caught.value.problems[0].line("en")
        assert "MATCHMAKER_REMINDER" in line and ("soon" in line or "6pm" in line)


def test_due_diligence_tasks_reach_their_owner_once_a_day(factory, accounts) -> None:  # type: ignore[no-untyped-def]
    with transaction(factory) as db:
        staff = db.scalars(select(User).where(User.username == "staff")).one()
        staff.display_name = "王芳"
        project, institution = get_project(db, "T-P001"), get_institution(db, "T-I01")
        for owner, due in (("王芳", date(2036, 12, 8)), ("王芳", date(2036, 12, 1)),
                           ("王芳", date(2036, 12, 20)), ("无人", date(2036, 12, 8))):  # fmt: skip
            db.add(DueDiligence(project_id=project.id, institution_id=institution.id,
                                owner=owner, due_date=due))  # fmt: skip
    assert scan(factory, "2036-12-08T09:00") == 2  # 王芳, and the organiser for nobody's
    tasks = {n[0]: n for n in notices_told(factory, "task_due")}
    assert sorted(tasks) == ["organiser", "staff"]
    mine = tasks["staff"]
    # hers, and the one nobody owns (she is staff: someone must chase it)
    assert [i["what"] for i in mine[3]] == ["task_overdue", "task_due", "task_due"]
    assert mine[2]["count"] == 3
    assert "已逾期：晋能储能电池管理系统 ← 汾河新能源创投" in notice_text(
        factory, "staff", "task_due"
    )
    # the organiser gets the task whose owner matches no account
    assert {i["due"] for i in tasks["organiser"][3]} == {"2036-12-08"}
    assert scan(factory, "2036-12-08T15:00") == 0  # once a day
    assert scan(factory, "2036-12-09T09:00") == 2  # and again the next day


def test_a_broadcast_reaches_every_party_of_the_session(client, accounts, factory) -> None:  # type: ignore[no-untyped-def]
    url = "/api/v1/events/T2026/sessions/S1/broadcast"
    organiser = accounts.headers("organiser")
    sent = client.post(url, json={"text": "签到处已移至一楼东门"}, headers=organiser)
    assert sent.status_code == 200, sent.get_json()
    assert sent.get_json() == {"session": "S1", "accounts": 4}
    notices = notices_told(factory, "broadcast")
    assert sorted(n[0] for n in notices) == ["entrant", "entrant_b", "investor", "investor_b"]
    assert "签到处已移至一楼东门" in notice_text(factory, "entrant", "broadcast")
    assert "本地专场：组委会通知" in notice_text(factory, "entrant", "broadcast")
    # S2 has T-P002, T-P003, T-P004 and T-I02, T-I03: only entrant_b and investor_b have accounts
    client.post("/api/v1/events/T2026/sessions/S2/broadcast", json={"text": "x"}, headers=organiser)
    assert sorted(n[0] for n in notices_told(factory, "broadcast")[4:]) == [
        "entrant_b",
        "investor_b",
    ]
    # only organisers; empty or too long is a clear error that writes nothing
    assert_error(client.post(url, json={"text": "hi"}, headers=accounts.headers("investor")), 403)
    body = assert_error(client.post(url, json={"text": "   "}, headers=organiser), 422)
    assert body["errors"][0]["column"] == "text" and "不能为空" in body["errors"][0]["message"]
    body = assert_error(client.post(url, json={"text": "长" * 1001}, headers=organiser), 422)
    assert "1000" in str(body) and "1001" in str(body)
    assert_error(client.post(url, json={}, headers=organiser), 422)
    assert len(notices_told(factory, "broadcast")) == 6


def test_the_agenda_page_and_the_cli_broadcast(app, client, accounts, factory) -> None:  # type: ignore[no-untyped-def]
    from matchmaker.cli import main

    sign_in(client, factory, "organiser")
    page = client.get("/sessions/S1/agenda", headers={"Accept": "text/html"})
    assert 'data-testid="broadcast"' in page.get_data(as_text=True)
    html = page.get_data(as_text=True)
    csrf = html.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    posted = client.post(
        "/sessions/S1/agenda",
        data={"csrf": csrf, "action": "broadcast", "text": "午餐 12:00 在二楼"},
        follow_redirects=True,
    )
    assert posted.status_code == 200
    assert "已向本地专场的 4 个账号发送通知" in posted.get_data(as_text=True)
    assert len(notices_told(factory, "broadcast")) == 4
    db_url = app.config["DATABASE_URL"]
    if not db_url.startswith("sqlite"):
        return  # in-process commands leave their engine open; the service is the same on both
    runner = CliRunner()
    result = runner.invoke(
        main,
        ["--db", db_url, "notifications", "broadcast", "--session", "S1", "--text", "散会"],
    )
    assert result.exit_code == 0, result.output
    assert "sent to 4 account(s)" in result.output
    result = runner.invoke(main, ["--db", db_url, "notifications", "remind", "--now", "bad"])
    assert result.exit_code != 0
    result = runner.invoke(
        main, ["--db", db_url, "notifications", "remind", "--now", "2036-12-07T18:00"]
    )
    assert result.exit_code == 0 and "0 notice(s) written" in result.output  # nothing published


def test_links_reach_only_their_person(client, accounts, factory) -> None:  # type: ignore[no-untyped-def]
    from matchmaker.services.registry.events import get_event
    from matchmaker.services.registry.invitations import invite_contacts
    from matchmaker.services.registry.links import RESET, send_link

    with transaction(factory) as db:
        run = invite_contacts(db, get_event(db, "T2026"), "institutions", "https://mm.example")
        reset = send_link(db, "investor", RESET, "https://mm.example")
    invited = notices_told(factory, "invitation")
    assert len(invited) == len(run.invites) == 1  # T-I03 alone had no account
    (who, _kind, params, _items) = invited[0]
    assert who == run.invites[0].username and params["link"] == run.invites[0].link
    assert params["link"].startswith("https://mm.example/invite/")
    (mail,) = notices_told(factory, "password_reset")
    assert mail[0] == "investor" and mail[2]["link"] == reset.link
    assert reset.link in notice_text(factory, "investor", "password_reset")
    # no other person's notice carries either token
    with transaction(factory) as db:
        for notice in db.scalars(select(Notice)):
            carried = str(notice.params) + str(notice.items)
            if run.invites[0].link in carried:
                assert notice.user.username == run.invites[0].username
            if reset.link in carried:
                assert notice.user.username == "investor"


def test_an_accepted_booking_is_reminded_before_any_agenda_is_published(
    client, accounts, factory
) -> None:  # type: ignore[no-untyped-def]
    made = client.post(
        "/api/v1/meeting-requests",
        json={"session": "S1", "project_id": "T-P001", "institution_id": "T-I01", "slot": 3},
        headers=accounts.headers("entrant"),
    ).get_json()
    client.post(
        f"/api/v1/meeting-requests/{made['id']}/accept", headers=accounts.headers("investor")
    )
    assert scan(factory, "2036-12-08T08:40") == 2  # 60 minutes before 09:40
    assert {n[2]["time"] for n in reminders(factory)} == {"09:40"}
