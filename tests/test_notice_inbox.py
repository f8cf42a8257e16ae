"""What a person sees of their notices (#16): their own list (page and API) with the unread
badge on every page, marking read, the settings (channels, addresses, quiet hours, muted kinds)
and the one-click unsubscribe link that works without signing in."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select
from tests_support import CSRF, assert_error, db_snapshot, sign_in

from matchmaker.db.engine import transaction
from matchmaker.db.models import AuditEntry, Notice, NotificationSettings, User
from matchmaker.domain import NoticeKind
from matchmaker.errors import InvalidInput
from matchmaker.services.notifications.links import unsubscribe_path
from matchmaker.services.notifications.outbox import notify
from matchmaker.services.notifications.preferences import (
    parse_phone,
    parse_quiet_time,
    update_settings,
)

pytestmark = pytest.mark.fake_encoder  # no ranking here: the pages need no real model

HTML = {"Accept": "text/html"}
EN = {"Accept-Language": "en"}


def user_id(factory: Any, name: str) -> int:
    with transaction(factory) as db:
        return int(db.scalar(select(User.id).where(User.username == name)) or 0)


def send(factory: Any, name: str, channel: str, kind: NoticeKind = NoticeKind.TEST) -> int:
    """Write one notice to ``name`` (its sentence names ``channel``); return its id."""
    with transaction(factory) as db:
        person = db.scalars(select(User).where(User.username == name)).one()
        (made,) = notify(db, [person], kind, {"channel": channel}, event_id=None)
        return int(made.id)


def badge(page: str) -> str | None:
    """The unread count the header shows, or None when it shows none."""
    found = re.search(r'data-testid="notify-count">([^<]+)<', page)
    return found[1] if found else None


def settings_row(factory: Any, name: str) -> NotificationSettings | None:
    with transaction(factory) as db:
        row = db.get(NotificationSettings, user_id(factory, name))
        if row is not None:
            db.expunge(row)
        return row


# ---- the list through the API -----------------------------------------------------------------


def test_the_api_lists_ones_own_notices_newest_first_paged_and_in_ones_language(
    client: Any, accounts: Any, factory: Any
) -> None:
    first = send(factory, "entrant", "邮件-1")
    second = send(factory, "entrant", "邮件-2")
    third = send(factory, "entrant", "邮件-3")
    send(factory, "entrant_b", "别人的")
    me = accounts.headers("entrant")
    body = client.get("/api/v1/notifications?page_size=2", headers=me).get_json()
    assert [n["id"] for n in body["items"]] == [third, second]
    assert body["meta"] == {"total": 3, "page": 1, "page_size": 2, "pages": 2}
    assert body["unread"] == 3
    top = body["items"][0]
    assert top["subject"] == "测试消息：邮件-3" and top["read"] is False
    assert top["lines"][0].startswith("这是 matchmaker 发出的测试消息")
    assert top["created_at"].endswith("+08:00")  # Asia/Shanghai
    page_two = client.get("/api/v1/notifications?page=2&page_size=2", headers=me).get_json()
    assert [n["id"] for n in page_two["items"]] == [first]
    english = client.get("/api/v1/notifications", headers={**me, **EN}).get_json()
    assert english["items"][0]["subject"] == "Test message: 邮件-3"
    others = client.get("/api/v1/notifications", headers=accounts.headers("entrant_b")).get_json()
    assert [n["subject"] for n in others["items"]] == ["测试消息：别人的"]


def test_marking_read_through_the_api_and_nobody_marks_another_persons(
    client: Any, accounts: Any, factory: Any
) -> None:
    mine = [send(factory, "investor", f"c{n}") for n in range(3)]
    theirs = send(factory, "investor_b", "theirs")
    me = accounts.headers("investor")
    before = db_snapshot(factory, "notices")
    for who in ("investor", "entrant", "organiser"):  # not even an organiser: 404, as for none
        refused = client.post(f"/api/v1/notifications/{theirs}/read", headers=accounts.headers(who))
        assert_error(refused, 404)
    assert_error(client.post("/api/v1/notifications/999999/read", headers=me), 404)
    assert db_snapshot(factory, "notices") == before
    done = client.post(f"/api/v1/notifications/{mine[0]}/read", headers=me).get_json()
    assert done["read"] is True and done["read_at"].endswith("+08:00")
    unread = client.get("/api/v1/notifications?unread=true", headers=me).get_json()
    assert [n["id"] for n in unread["items"]] == [mine[2], mine[1]] and unread["unread"] == 2
    again = client.post(f"/api/v1/notifications/{mine[0]}/read", headers=me).get_json()
    assert again["read_at"] == done["read_at"]  # read once, stays as first read
    assert client.post("/api/v1/notifications/read-all", headers=me).get_json() == {
        "marked": 2,
        "unread": 0,
    }
    assert client.get("/api/v1/notifications", headers=me).get_json()["unread"] == 0
    other = client.get("/api/v1/notifications", headers=accounts.headers("investor_b")).get_json()
    assert other["unread"] == 1  # read-all marked only one's own
    assert_error(client.get("/api/v1/notifications"), 401)


def test_an_invitation_or_reset_notice_shows_no_link(
    client: Any, accounts: Any, factory: Any
) -> None:
    link = "https://contest.example.cn/reset/SeCrEtToKeN123"
    with transaction(factory) as db:
        person = db.scalars(select(User).where(User.username == "entrant")).one()
        for kind in (NoticeKind.PASSWORD_RESET, NoticeKind.INVITATION):
            notify(db, [person], kind, {"link": link, "url": link}, event_id=None,
                   items=[{"what": "line", "text": f"打开 {link} 设置密码"}])  # fmt: skip
    listed = client.get("/api/v1/notifications", headers=accounts.headers("entrant")).get_json()
    assert len(listed["items"]) == 2
    assert "SeCrEtToKeN123" not in str(listed)
    assert "为安全起见不在此显示" in listed["items"][0]["lines"][-1]
    sign_in(client, factory, "entrant")
    page = client.get("/notifications", headers=HTML).get_data(as_text=True)
    assert "SeCrEtToKeN123" not in page and "为安全起见不在此显示" in page


# ---- the list and the badge on pages ----------------------------------------------------------


def test_the_badge_counts_unread_on_every_page_and_tapping_a_notice_reads_it(
    client: Any, accounts: Any, factory: Any
) -> None:
    ids = [send(factory, "entrant", f"渠道{n}") for n in range(3)]
    sign_in(client, factory, "entrant")
    assert badge(client.get("/", headers=HTML).get_data(as_text=True)) == "3"
    assert badge(client.get("/agenda", headers=HTML).get_data(as_text=True)) == "3"
    page = client.get("/notifications", headers=HTML).get_data(as_text=True)
    assert page.index("测试消息：渠道2") < page.index("测试消息：渠道0")  # newest first
    assert page.count('class="unread"') == 3 and "3 条未读" in page
    tapped = client.post(
        f"/notifications/{ids[1]}/read",
        data={"csrf": CSRF, "next": "/notifications?unread=1"},
        headers=HTML,
    )
    assert tapped.status_code == 302
    assert tapped.headers["Location"] == f"/notifications?unread=1#notice-{ids[1]}"
    page = client.get("/notifications?unread=1", headers=HTML).get_data(as_text=True)
    assert badge(page) == "2" and "渠道1" not in page and "渠道2" in page
    done = client.post("/notifications/read-all", data={"csrf": CSRF}, headers=HTML)
    assert done.status_code == 302
    page = client.get("/notifications", headers=HTML).get_data(as_text=True)
    assert badge(page) is None and "已将 2 条通知标为已读" in page
    assert page.count('class="read"') == 3 and 'data-testid="read-all"' not in page


def test_a_page_refuses_another_persons_notice_and_a_post_without_the_token(
    client: Any, accounts: Any, factory: Any
) -> None:
    theirs = send(factory, "entrant_b", "theirs")
    sign_in(client, factory, "entrant")
    before = db_snapshot(factory, "notices")
    refused = client.post(f"/notifications/{theirs}/read", data={"csrf": CSRF}, headers=HTML)
    assert refused.status_code == 404 and "通知不存在" in refused.get_data(as_text=True)
    forged = client.post(f"/notifications/{theirs}/read", headers=HTML)
    assert forged.status_code == 400
    assert client.post("/notifications/read-all", headers=HTML).status_code == 400
    assert db_snapshot(factory, "notices") == before
    client.post("/logout", data={"csrf": CSRF})
    anonymous = client.get("/notifications", headers=HTML)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


def test_many_notices_page_and_an_empty_list_says_so(
    client: Any, accounts: Any, factory: Any
) -> None:
    sign_in(client, factory, "staff")
    empty = client.get("/notifications", headers=HTML).get_data(as_text=True)
    assert "暂无通知" in empty and badge(empty) is None
    for n in range(23):
        send(factory, "staff", f"n{n:02d}")
    first = client.get("/notifications", headers=HTML).get_data(as_text=True)
    assert first.count('data-testid="notice-item"') == 20 and "n22" in first
    assert badge(first) == "23" and 'rel="next"' in first
    second = client.get("/notifications?page=2", headers=HTML).get_data(as_text=True)
    assert second.count('data-testid="notice-item"') == 3 and "n00" in second


# ---- settings ---------------------------------------------------------------------------------


def test_settings_default_to_email_at_the_partys_contact_and_round_trip_through_the_api(
    client: Any, accounts: Any, factory: Any
) -> None:
    me = accounts.headers("entrant")
    shown = client.get("/api/v1/notifications/settings", headers=me).get_json()
    assert shown["channels"] == ["email"] and shown["muted"] == []
    assert shown["email"] == "" and shown["contact_email"] == "zw@example.com"
    assert shown["mutable_kinds"] == ["broadcast", "reminder"]
    assert settings_row(factory, "entrant") is None  # reading writes nothing
    body = {"channels": ["sms", "email", "sms"], "phone": " 139-0000-1234 ",
            "quiet_start": "22:00", "quiet_end": "7:30", "muted": ["reminder"]}  # fmt: skip
    saved = client.put("/api/v1/notifications/settings", json=body, headers=me)
    assert saved.status_code == 200, saved.get_json()
    assert saved.get_json() | {"contact_email": "", "contact_phone": ""} == {
        "channels": ["email", "sms"],
        "email": "",
        "phone": "139-0000-1234",
        "quiet_start": "22:00",
        "quiet_end": "07:30",  # a quiet night wraps midnight
        "muted": ["reminder"],
        "mutable_kinds": ["broadcast", "reminder"],
        "contact_email": "",
        "contact_phone": "",
    }
    row = settings_row(factory, "entrant")
    assert row is not None and row.quiet_end == "07:30" and row.channels == ["email", "sms"]
    partial = client.put("/api/v1/notifications/settings", json={"muted": []}, headers=me)
    assert partial.get_json()["quiet_start"] == "22:00" and partial.get_json()["muted"] == []
    with transaction(factory) as db:
        trail = db.scalars(
            select(AuditEntry)
            .where(AuditEntry.entity_type == "users", AuditEntry.action == "notify_settings")
            .order_by(AuditEntry.id)
        ).all()
        assert [(e.actor_label, e.before, e.after) for e in trail][-1] == (
            "entrant",
            {"muted": ["reminder"]},
            {"muted": []},
        )
        assert trail[0].entity_id == user_id(factory, "entrant")
        changed = {"channels", "phone", "quiet_start", "quiet_end", "muted"}
        assert set(trail[0].after or {}) == changed


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"quiet_start": "25:00", "quiet_end": "07:00"}, "quiet_start", "“25:00”不是有效的时间"),
        ({"quiet_start": "22:00", "quiet_end": "7点"}, "quiet_end", "“7点”不是有效的时间"),
        ({"email": "zw@", "channels": ["email"]}, "email", "“zw@”不是有效的邮箱地址"),
        ({"phone": "call me"}, "phone", "“call me”不是有效的电话号码"),
        ({"channels": ["pigeon"]}, "channels.0", "没有“pigeon”这个渠道"),
        ({"muted": ["password_reset"]}, "muted.0", "安全类通知，总会发送"),
        ({"muted": ["request_received"]}, "muted.0", "只有赛程提醒和主办方通知可以"),
    ],
)
def test_a_bad_setting_is_refused_naming_its_field_and_value_and_nothing_changes(
    client: Any, accounts: Any, factory: Any, body: dict[str, Any], field: str, words: str
) -> None:
    before = db_snapshot(factory)
    refused = client.put("/api/v1/notifications/settings", json=body,
                         headers=accounts.headers("entrant"))  # fmt: skip
    problems = assert_error(refused, 422)["errors"]
    assert [(p["field"], words in p["message"]) for p in problems] == [(field, True)], problems
    assert db_snapshot(factory) == before


def test_rules_between_fields_are_refused_by_the_service_with_the_field_named(
    client: Any, accounts: Any, factory: Any
) -> None:
    cases = [
        ("entrant", {"quiet_start": "22:00"}, "quiet_end", "同时填写开始和结束时间"),
        ("entrant", {"quiet_start": "22:00", "quiet_end": "22:00"}, "quiet_end", "需要有长度"),
        ("organiser", {"channels": ["email"]}, "email", "选择了电子邮件，但没有地址可发"),
        ("entrant", {"channels": ["sms"], "phone": ""}, None, None),  # the project's phone
        ("organiser", {"channels": ["sms"]}, "phone", "选择了短信"),
        ("organiser", {"channels": ["webhook"]}, None, None),  # the organisers' own endpoint
    ]
    for who, body, field, words in cases:
        before = db_snapshot(factory)
        answer = client.put("/api/v1/notifications/settings", json=body,
                            headers=accounts.headers(who))  # fmt: skip
        if field is None:
            assert answer.status_code == 200, (who, body, answer.get_json())
            continue
        error = assert_error(answer, 422)
        assert "未做任何修改" in error["message"]
        assert [(p["column"], words in p["message"]) for p in error["errors"]] == [(field, True)]
        assert db_snapshot(factory) == before


def test_the_parsers_normalise_what_people_type() -> None:
    assert parse_quiet_time("7:30") == "07:30"
    assert parse_quiet_time("２２：００") == "22:00"  # typed with a Chinese input method
    assert parse_quiet_time("  ") == ""
    for bad in ("24:00", "12:60", "1230", "12:3", "noon"):
        with pytest.raises(InvalidInput):
            parse_quiet_time(bad)
    assert parse_phone("+86 138-0013-8000") == "+86 138-0013-8000"
    for bad in ("123456", "1" * 16, "138abc00000"):
        with pytest.raises(InvalidInput):
            parse_phone(bad)


def test_the_settings_form_keeps_a_refused_value_beside_its_error_then_saves(
    client: Any, accounts: Any, factory: Any
) -> None:
    sign_in(client, factory, "entrant")
    page = client.get("/notifications/settings", headers=HTML).get_data(as_text=True)
    assert "zw@example.com" in page and "晋能储能电池管理系统" in page  # where mail goes today
    assert 'value="email" checked' in page and 'value="reminder" checked' in page
    assert page.count('data-testid="not-configured"') == 3  # no SMTP, no webhook on this app
    form = {"csrf": CSRF, "channels": ["email", "webhook"], "email": "me@example.org",
            "phone": "", "quiet_start": "23:75", "quiet_end": "06:30",
            "receive": ["broadcast"]}  # fmt: skip
    before = db_snapshot(factory)
    refused = client.post("/notifications/settings", data=form, headers=HTML)
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422
    error = re.search(r'data-field="quiet_start">([^<]+)<', text)
    assert error and "“23:75”不是有效的时间" in error[1]
    assert 'value="23:75"' in text and 'value="me@example.org"' in text  # kept to correct
    assert db_snapshot(factory) == before
    saved = client.post("/notifications/settings", data={**form, "quiet_start": "23:00"},
                        headers=HTML)  # fmt: skip
    assert saved.status_code == 302
    page = client.get("/notifications/settings", headers=HTML).get_data(as_text=True)
    assert "通知设置已保存" in page and 'value="23:00"' in page
    assert 'value="reminder" checked' not in page and 'value="broadcast" checked' in page
    row = settings_row(factory, "entrant")
    assert row is not None
    assert (row.channels, row.email, row.muted) == (
        ["email", "webhook"],
        "me@example.org",
        ["reminder"],
    )


def test_a_channel_set_up_on_the_server_is_not_marked_missing(
    make_app: Any, accounts: Any, factory: Any
) -> None:
    app = make_app(MATCHMAKER_SMTP_URL="smtp://127.0.0.1:2525")
    client = app.test_client()
    sign_in(client, factory, "investor")
    page = client.get("/notifications/settings", headers=HTML).get_data(as_text=True)
    assert page.count('data-testid="not-configured"') == 2  # SMS and webhook only


# ---- one-click unsubscribe --------------------------------------------------------------------


def unsubscribe_url(app: Any, factory: Any, name: str, kind: NoticeKind) -> str:
    return unsubscribe_path(app.config["SECRET_KEY"], user_id(factory, name), kind)


def test_the_unsubscribe_link_asks_then_mutes_without_signing_in(
    app: Any, client: Any, accounts: Any, factory: Any
) -> None:
    url = unsubscribe_url(app, factory, "investor", NoticeKind.REMINDER)
    asked = client.get(url, headers=HTML)
    text = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "将不再通过邮件、短信或 Webhook 收到“赛程提醒”" in text
    assert 'data-testid="notify-badge"' not in text  # nobody is signed in
    assert settings_row(factory, "investor") is None  # looking changes nothing
    with client.session_transaction() as session:
        session["csrf"] = CSRF  # the page's form carries the token the page was given
    done = client.post(url, data={"csrf": CSRF}, headers=HTML)
    assert done.status_code == 200 and "已退订" in done.get_data(as_text=True)
    row = settings_row(factory, "investor")
    assert row is not None and row.muted == ["reminder"] and row.channels == ["email"]
    again = client.get(url, headers=HTML).get_data(as_text=True)
    assert "此前已退订“赛程提醒”" in again
    with transaction(factory) as db:
        entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "notify_settings")).one()
        assert (entry.actor_label, entry.after) == ("investor", {"muted": ["reminder"]})


def test_a_mail_clients_one_click_post_mutes_without_a_session_or_token(
    app: Any, accounts: Any, factory: Any
) -> None:
    url = unsubscribe_url(app, factory, "entrant", NoticeKind.BROADCAST)
    fresh = app.test_client()  # no cookie at all, as a mail client posts
    other = fresh.post(url, data={"List-Unsubscribe": "Yes"})
    assert other.status_code == 400  # only that exact body skips the page's token
    extra = fresh.post(url, data={"List-Unsubscribe": "One-Click", "more": "x"})
    assert extra.status_code == 400
    assert settings_row(factory, "entrant") is None
    done = fresh.post(url, data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and done.get_json() == {
        "status": "unsubscribed",
        "kind": "broadcast",
    }
    row = settings_row(factory, "entrant")
    assert row is not None and row.muted == ["broadcast"]
    multipart = fresh.post(url, data={"List-Unsubscribe": "One-Click"},
                           content_type="multipart/form-data")  # fmt: skip
    assert multipart.status_code == 200  # RFC 8058 allows either encoding; still muted once
    assert settings_row(factory, "entrant").muted == ["broadcast"]  # type: ignore[union-attr]


def test_a_bad_or_foreign_unsubscribe_link_is_a_clear_404_and_changes_nothing(
    app: Any, client: Any, accounts: Any, factory: Any
) -> None:
    good = unsubscribe_url(app, factory, "entrant", NoticeKind.REMINDER)
    forged = unsubscribe_path("another secret", user_id(factory, "entrant"), NoticeKind.REMINDER)
    before = db_snapshot(factory)
    one_click = {"List-Unsubscribe": "One-Click"}
    for url in (good[:-3], forged, "/unsubscribe/nonsense"):
        for answer in (client.get(url, headers=HTML), client.post(url, data=one_click)):
            assert answer.status_code == 404, url
            assert "这个退订链接无效" in answer.get_data(as_text=True)
    assert db_snapshot(factory) == before


def test_unsubscribing_works_whatever_else_the_settings_hold(
    app: Any, client: Any, accounts: Any, factory: Any
) -> None:
    """The person chose e-mail at their project's address, which the organisers later removed:
    saving the settings would now be refused, but the one-click link must still work."""
    with transaction(factory) as db:
        person = db.scalars(select(User).where(User.username == "entrant")).one()
        update_settings(db, person, {"channels": ["email"], "quiet_start": "22:00",
                                     "quiet_end": "06:00"})  # fmt: skip
        assert person.project is not None
        person.project.contact_email = ""
    url = unsubscribe_url(app, factory, "entrant", NoticeKind.REMINDER)
    done = client.post(url, data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    row = settings_row(factory, "entrant")
    assert row is not None and (row.muted, row.quiet_start) == (["reminder"], "22:00")


def test_notices_of_a_muted_kind_still_show_on_the_list(
    app: Any, client: Any, accounts: Any, factory: Any
) -> None:
    client.post(unsubscribe_url(app, factory, "entrant", NoticeKind.REMINDER),
                data={"List-Unsubscribe": "One-Click"})  # fmt: skip
    send(factory, "entrant", "x", NoticeKind.REMINDER)
    listed = client.get("/api/v1/notifications", headers=accounts.headers("entrant")).get_json()
    assert [n["kind"] for n in listed["items"]] == ["reminder"]
    with transaction(factory) as db:
        assert db.scalar(select(Notice.kind)) == "reminder"
