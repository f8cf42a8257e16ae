"""Delivering notices (#16): fan-out to the channels each person chose, a real SMTP server and a
real signed-webhook receiver on loopback, retries with backoff on a moved clock, permanent
failures, quiet hours, muted kinds, and the test send. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from receivers import MailServer, WebhookReceiver, free_port
from sqlalchemy import select

from matchmaker.config import Settings
from matchmaker.db.engine import transaction
from matchmaker.db.models import Notice, NoticeAttempt, NoticeDelivery, NotificationSettings, User
from matchmaker.domain import LOCAL_TZ, NoticeKind
from matchmaker.errors import InvalidInput
from matchmaker.services.notifications.dispatch import quiet_until
from matchmaker.services.notifications.kick import Kicker
from matchmaker.services.notifications.links import read_unsubscribe_token
from matchmaker.services.notifications.outbox import notify, unread_count
from matchmaker.services.notifications.sender import send_due
from matchmaker.services.notifications.trial import send_test

T0 = datetime(2036, 12, 7, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


@pytest.fixture
def mail() -> Iterator[MailServer]:
    server = MailServer().start()
    yield server
    server.stop()


@pytest.fixture
def hook() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver().start()
    yield receiver
    receiver.stop()


@pytest.fixture
def settings(mail: MailServer, hook: WebhookReceiver, tmp_path: Any) -> Settings:
    return Settings(
        smtp_url=mail.url,
        webhook_url=hook.url,
        webhook_secret=hook.secret,
        secret_key="s3cret",
        base_url="https://mm.example.cn",
        instance_dir=tmp_path,
    )


def user(db: Any, name: str) -> User:
    return db.scalars(select(User).where(User.username == name)).one()  # type: ignore[no-any-return]


def choose(db: Any, name: str, **values: Any) -> None:
    db.add(NotificationSettings(user_id=user(db, name).id, **values))


def write(factory: Any, name: str, kind: NoticeKind, **params: Any) -> str:
    with transaction(factory) as db:
        (notice,) = notify(db, [user(db, name)], kind, params, event_id=None)
        return notice.key


def deliveries(factory: Any) -> list[NoticeDelivery]:
    with transaction(factory) as db:
        rows = db.scalars(select(NoticeDelivery).order_by(NoticeDelivery.id)).all()
        db.expunge_all()
        return list(rows)


def test_a_notice_reaches_the_inbox_with_its_chinese_subject_both_parts_and_its_key(
    factory: Any, accounts: Any, settings: Settings, mail: MailServer
) -> None:
    key = write(factory, "entrant", NoticeKind.TEST, channel="电子邮件")
    report = send_due(factory, settings, now=T0)
    assert (report.dispatched, report.sent, report.failed) == (1, 1, 0)
    (got,) = mail.received
    assert got.rcpt_tos == ["zw@example.com"]  # no settings row: e-mail, the project's contact
    message = got.message
    assert message["Subject"] == "测试消息：电子邮件"
    assert b"=?utf-8?" in got.raw.split(b"\r\n\r\n", 1)[0].lower()  # RFC 2047 on the wire
    assert message["Message-ID"] == f"<{key}.email@matchmaker.test>"
    assert message.get_content_type() == "multipart/alternative"
    plain = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert plain is not None and html is not None
    assert "通道已接通" in plain.get_content() and "通道已接通" in html.get_content()
    assert "https://mm.example.cn/notifications" in plain.get_content()
    assert "List-Unsubscribe" not in message  # a security notice: no way out of it
    (row,) = deliveries(factory)
    assert (row.status, row.attempts, row.address) == ("sent", 1, "zw@example.com")
    assert send_due(factory, settings, now=T0 + timedelta(hours=1)).sent == 0  # once only


def test_a_mutable_kind_carries_one_click_unsubscribe(
    factory: Any, accounts: Any, settings: Settings, mail: MailServer
) -> None:
    with transaction(factory) as db:
        choose(db, "investor", email="inv@example.cn")
        investor_id = user(db, "investor").id
        user(db, "investor").language = "en"
    write(factory, "investor", NoticeKind.BROADCAST, text="桌号调整")
    assert send_due(factory, settings, now=T0).sent == 1
    message = mail.received[0].message
    link = message["List-Unsubscribe"].strip("<>")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link.startswith("https://mm.example.cn/unsubscribe/")
    token = link.rsplit("/", 1)[1]
    assert read_unsubscribe_token("s3cret", token) == (investor_id, NoticeKind.BROADCAST)
    assert "Stop notices of this kind" in message.get_body(("plain",)).get_content()  # type: ignore[union-attr]


def test_the_webhook_is_signed_and_a_tampered_body_is_refused(
    factory: Any, accounts: Any, settings: Settings, hook: WebhookReceiver
) -> None:
    with transaction(factory) as db:
        choose(db, "investor", channels=["webhook", "sms"], phone="13900000009")
    key = write(factory, "investor", NoticeKind.TEST, channel="webhook")
    report = send_due(factory, settings, now=T0)
    assert report.sent == 2, report.errors
    by_channel = {h.json["channel"]: h for h in hook.received}
    webhook, sms = by_channel["webhook"], by_channel["sms"]
    assert webhook.valid and sms.valid
    assert webhook.json["key"] == key and webhook.headers["Idempotency-Key"] == f"{key}.webhook"
    assert webhook.json["subject"] == "测试消息：webhook"
    assert webhook.json["recipient"]["username"] == "investor"
    assert sms.json["to"] == "13900000009" and sms.headers["Idempotency-Key"] == f"{key}.sms"
    tampered = webhook.body.replace(b"investor", b"attacker")
    assert hook.replay(webhook, tampered) == 401
    assert hook.replay(webhook, webhook.body) == 200


def test_a_refused_address_fails_for_good_and_a_webhook_4xx_too(
    factory: Any, accounts: Any, settings: Settings, hook: WebhookReceiver
) -> None:
    with transaction(factory) as db:
        choose(db, "investor", email="refused@example.cn")
        choose(db, "entrant", channels=["webhook"])
    write(factory, "investor", NoticeKind.TEST, channel="x")
    write(factory, "entrant", NoticeKind.TEST, channel="x")
    hook.answer = 400
    report = send_due(factory, settings, now=T0)
    assert (report.sent, report.failed, report.retrying) == (0, 2, 0)
    email, webhook = deliveries(factory)
    assert email.status == "failed" and email.last_error.startswith("550")
    assert webhook.status == "failed" and "HTTP 400" in webhook.last_error


def test_a_server_down_is_retried_later_with_backoff(
    factory: Any, accounts: Any, tmp_path: Any
) -> None:
    port = free_port()
    settings = Settings(smtp_url=f"smtp://127.0.0.1:{port}", secret_key="k", notify_attempts=4)
    write(factory, "entrant", NoticeKind.TEST, channel="x")
    first = send_due(factory, settings, now=T0)
    assert (first.sent, first.retrying) == (0, 1) and "unreachable" in first.errors[0]
    (row,) = deliveries(factory)
    assert row.status == "pending" and row.next_attempt_at == T0 + timedelta(minutes=1)
    assert send_due(factory, settings, now=T0 + timedelta(seconds=30)).retrying == 0  # not due
    second = T0 + timedelta(minutes=1)
    assert send_due(factory, settings, now=second).retrying == 1
    assert deliveries(factory)[0].next_attempt_at == second + timedelta(minutes=2)
    server = MailServer(port).start()  # the server comes back
    try:
        third = second + timedelta(minutes=2)
        assert send_due(factory, settings, now=third).sent == 1
    finally:
        server.stop()
    assert len(server.received) == 1
    (row,) = deliveries(factory)
    assert (row.status, row.attempts, row.sent_at) == ("sent", 3, third)
    with transaction(factory) as db:
        tries = db.scalars(select(NoticeAttempt).order_by(NoticeAttempt.id)).all()
        assert [t.ok for t in tries] == [False, False, True]


def test_after_the_last_attempt_a_delivery_fails(factory: Any, accounts: Any) -> None:
    settings = Settings(smtp_url=f"smtp://127.0.0.1:{free_port()}", notify_attempts=2)
    write(factory, "entrant", NoticeKind.TEST, channel="x")
    send_due(factory, settings, now=T0)
    report = send_due(factory, settings, now=T0 + timedelta(minutes=1))
    assert report.failed == 1
    assert deliveries(factory)[0].status == "failed"


def test_quiet_hours_delay_a_reminder_but_not_a_password_reset(
    factory: Any, accounts: Any, settings: Settings, mail: MailServer
) -> None:
    with transaction(factory) as db:
        choose(db, "entrant", quiet_start="22:00", quiet_end="07:00")
    late = datetime(2036, 12, 7, 23, 30, tzinfo=LOCAL_TZ).astimezone(UTC)
    write(factory, "entrant", NoticeKind.REMINDER, time="09:00")
    write(factory, "entrant", NoticeKind.PASSWORD_RESET, url="https://x/reset")
    assert send_due(factory, settings, now=late).sent == 1
    assert len(mail.received) == 1  # the reset, at once
    reminder = next(d for d in deliveries(factory) if d.status == "pending")
    morning = datetime(2036, 12, 8, 7, 0, tzinfo=LOCAL_TZ)
    assert reminder.next_attempt_at == morning
    assert send_due(factory, settings, now=morning - timedelta(minutes=1)).sent == 0
    assert send_due(factory, settings, now=morning).sent == 1
    assert len(mail.received) == 2


def test_a_muted_kind_sends_no_mail_but_stays_in_app(
    factory: Any, accounts: Any, settings: Settings, mail: MailServer
) -> None:
    with transaction(factory) as db:
        choose(db, "entrant", muted=["broadcast", "test"])  # a security kind cannot be muted
    write(factory, "entrant", NoticeKind.BROADCAST, text="x")
    write(factory, "entrant", NoticeKind.TEST, channel="x")
    report = send_due(factory, settings, now=T0)
    assert (report.dispatched, report.sent) == (2, 1)
    assert mail.received[0].message["Subject"].startswith("测试消息")
    with transaction(factory) as db:
        assert unread_count(db, user(db, "entrant")) == 2
        assert all(n.dispatched_at is not None for n in db.scalars(select(Notice)))


def test_no_address_or_no_configured_channel_means_in_app_only(
    factory: Any, accounts: Any, settings: Settings, mail: MailServer
) -> None:
    with transaction(factory) as db:
        choose(db, "investor", channels=["sms"])  # no phone anywhere
    write(factory, "organiser", NoticeKind.TEST, channel="x")  # no e-mail anywhere
    write(factory, "investor", NoticeKind.TEST, channel="x")
    write(factory, "entrant", NoticeKind.TEST, channel="x")
    no_mail = replace(settings, smtp_url="")
    assert send_due(factory, no_mail, now=T0).dispatched == 3
    assert deliveries(factory) == [] and mail.received == []


def test_quiet_hours_wrap_midnight_in_shanghai_time() -> None:
    at = datetime(2036, 12, 7, 15, 0, tzinfo=UTC)  # 23:00 in Shanghai
    assert quiet_until(at, "22:00", "07:00") == datetime(2036, 12, 8, 7, 0, tzinfo=LOCAL_TZ)
    early = datetime(2036, 12, 7, 21, 0, tzinfo=UTC)  # 05:00 on the 8th
    assert quiet_until(early, "22:00", "07:00") == datetime(2036, 12, 8, 7, 0, tzinfo=LOCAL_TZ)
    assert quiet_until(at, "12:00", "14:00") is None
    assert quiet_until(at, "", "") is None and quiet_until(at, "25:99", "07:00") is None


def test_the_test_send_goes_out_at_once_or_says_why_not(
    factory: Any, accounts: Any, settings: Settings, mail: MailServer, hook: WebhookReceiver
) -> None:
    with transaction(factory) as db:
        organiser = user(db, "organiser")
    ok = send_test(factory, settings, organiser, "email", "org@example.cn")
    assert ok.ok and ok.error == "" and mail.received[0].rcpt_tos == ["org@example.cn"]
    assert send_test(factory, settings, organiser, "webhook").ok
    assert hook.received[0].valid
    refused = send_test(factory, settings, organiser, "email", "refused@example.cn")
    assert not refused.ok and refused.error.startswith("550")
    with pytest.raises(InvalidInput) as bad:
        send_test(factory, settings, organiser, "email", "not an address")
    assert bad.value.problems[0].column == "to"
    with pytest.raises(InvalidInput):
        send_test(factory, settings, organiser, "pigeon", "x")
    with pytest.raises(InvalidInput):
        send_test(factory, replace(settings, webhook_url=""), organiser, "sms", "13900000000")
    assert send_due(factory, settings, now=T0).dispatched == 0  # test notices are not re-sent
    assert len(mail.received) == 1  # the refused one never got past RCPT


def test_a_commit_that_writes_notices_wakes_the_background_sender(
    factory: Any, accounts: Any, settings: Settings, mail: MailServer
) -> None:
    kicker = Kicker(factory, settings).watch()
    with pytest.raises(RuntimeError), transaction(factory) as db:  # rolled back: no kick
        notify(db, [user(db, "entrant")], NoticeKind.TEST, {"channel": "x"}, event_id=None)
        raise RuntimeError
    assert kicker.runs == 0
    write(factory, "entrant", NoticeKind.TEST, channel="后台")
    assert kicker.idle.wait(20)
    assert kicker.runs >= 1
    assert [m.message["Subject"] for m in mail.received] == ["测试消息：后台"]


def test_a_burst_of_commits_folds_into_one_background_send(
    factory: Any, accounts: Any, settings: Settings, mail: MailServer
) -> None:
    # a booking rush: many commits write notices within moments; the sender waits for the
    # burst to settle and sends them all in one run instead of one run per commit
    kicker = Kicker(factory, settings, settle=2.0).watch()
    for n in range(5):
        write(factory, "entrant", NoticeKind.TEST, channel=f"批{n}")
    assert kicker.idle.wait(20)
    assert kicker.runs == 1
    subjects = sorted(m.message["Subject"] for m in mail.received)
    assert subjects == [f"测试消息：批{n}" for n in range(5)]
