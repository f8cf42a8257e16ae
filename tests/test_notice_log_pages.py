"""The organiser's notification log (#16): a refused address shows as failed (page, JSON, CSV),
can be retried once fixed; a test send per channel reaches a real SMTP server and webhook; a
request that writes notices has them sent right after it when the background sender is on."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from receivers import MailServer, WebhookReceiver
from sqlalchemy import select
from tests_support import CSRF, assert_error, sign_in

from matchmaker.config import Settings
from matchmaker.db.engine import transaction
from matchmaker.db.models import NoticeDelivery, NotificationSettings, User
from matchmaker.domain import NoticeKind
from matchmaker.services.notifications.outbox import notify
from matchmaker.services.notifications.sender import send_due

pytestmark = pytest.mark.fake_encoder

T0 = datetime(2036, 12, 7, 2, 0, tzinfo=UTC)


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
def config(mail: MailServer, hook: WebhookReceiver) -> dict[str, Any]:
    return {
        "MATCHMAKER_SMTP_URL": mail.url,
        "MATCHMAKER_WEBHOOK_URL": hook.url,
        "MATCHMAKER_WEBHOOK_SECRET": hook.secret,
        "SECRET_KEY": "log-test",
    }


def refused_notice(factory: Any, settings: Settings) -> None:
    """The entrant's own address is refused by the server (550): the delivery fails for good."""
    with transaction(factory) as db:
        entrant = db.scalars(select(User).where(User.username == "entrant")).one()
        db.add(NotificationSettings(user_id=entrant.id, email="refused@example.cn"))
        notify(db, [entrant], NoticeKind.TEST, {"channel": "电子邮件"}, event_id=None)
    assert send_due(factory, settings, now=T0).failed == 1


def test_a_refused_address_stands_out_on_the_log_and_is_retried_once_fixed(
    make_app: Any, factory: Any, accounts: Any, config: dict[str, Any], mail: MailServer
) -> None:
    app = make_app(**config)
    client = app.test_client()
    settings = Settings().with_config(app.config)
    refused_notice(factory, settings)
    sign_in(client, factory, "organiser")
    page = client.get("/notifications/log?status=failed")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'data-status="failed"' in html and "refused@example.cn" in html
    assert "550 5.1.1 mailbox unavailable" in html and "badge danger" in html
    assert "refused@example.cn" not in client.get("/notifications/log?status=sent").get_data(
        as_text=True
    )

    api = client.get(
        "/api/v1/notifications/deliveries?status=failed&channel=email&person=entr",
        headers=accounts.headers("staff"),
    )
    (item,) = api.get_json()["items"]
    assert item["status"] == "failed" and item["address"] == "refused@example.cn"
    assert item["attempt_log"][0]["error"].startswith("550") and not item["attempt_log"][0]["ok"]
    bad = client.get(
        "/api/v1/notifications/deliveries?status=lost", headers=accounts.headers("staff")
    )
    assert assert_error(bad, 422)["errors"][0]["field"] == "status"
    assert (
        client.get(
            "/api/v1/notifications/deliveries", headers=accounts.headers("investor")
        ).status_code
        == 403
    )

    sheet = client.get("/notifications/log.csv?status=failed")
    rows = list(csv.reader(io.StringIO(sheet.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["编号", "活动", "账号"] and rows[1][2] == "entrant"
    assert "失败" in rows[1] and any(cell.startswith("550") for cell in rows[1])

    with transaction(factory) as db:  # the person fixes their address
        fixed = db.scalars(select(NotificationSettings)).one()
        fixed.email = "zw@example.cn"
        delivery_id = db.scalars(select(NoticeDelivery.id)).one()
    retried = client.post(f"/notifications/log/{delivery_id}/retry", data={"csrf": CSRF})
    assert retried.status_code == 303
    assert "zw@example.cn" in client.get(retried.headers["Location"]).get_data(as_text=True)
    assert send_due(factory, settings).sent == 1
    assert mail.received[-1].rcpt_tos == ["zw@example.cn"]
    again = client.post(f"/notifications/log/{delivery_id}/retry", data={"csrf": CSRF})
    assert "并未失败" in client.get(again.headers["Location"]).get_data(as_text=True)


def test_a_test_send_button_per_channel_reaches_the_real_receivers(
    make_app: Any,
    factory: Any,
    accounts: Any,
    config: dict[str, Any],
    mail: MailServer,
    hook: WebhookReceiver,
) -> None:
    client = make_app(**config).test_client()
    sign_in(client, factory, "organiser")
    page = client.get("/notifications/log").get_data(as_text=True)
    assert 'data-testid="test-email"' in page and 'data-testid="test-webhook"' in page
    sent = client.post(
        "/notifications/log/test", data={"csrf": CSRF, "channel": "email", "to": "org@example.cn"}
    )
    shown = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert "测试消息已发出" in shown and "org@example.cn" in shown
    assert mail.received[0].message["Subject"] == "测试消息：电子邮件"
    client.post("/notifications/log/test", data={"csrf": CSRF, "channel": "webhook"})
    assert hook.received and hook.received[0].valid
    refused = client.post(
        "/notifications/log/test",
        data={"csrf": CSRF, "channel": "email", "to": "refused@example.cn"},
    )
    shown = client.get(refused.headers["Location"]).get_data(as_text=True)
    assert "测试消息未能发出" in shown and "550" in shown
    bad = client.post(
        "/notifications/log/test", data={"csrf": CSRF, "channel": "sms", "to": "call me"}
    )
    assert "call me" in client.get(bad.headers["Location"]).get_data(as_text=True)
    log = client.get("/notifications/log").get_data(as_text=True)
    assert log.count('data-testid="delivery"') == 3  # the refused address was not written


def test_an_app_without_a_channel_offers_no_test_button_for_it(
    make_app: Any, factory: Any, accounts: Any
) -> None:
    client = make_app(SECRET_KEY="x").test_client()
    sign_in(client, factory, "staff")
    page = client.get("/notifications/log").get_data(as_text=True)
    assert page.count("disabled>") == 3 and "未配置" in page
    refused = client.post("/notifications/log/test", data={"csrf": CSRF, "channel": "email"})
    assert "未配置" in client.get(refused.headers["Location"]).get_data(as_text=True)


def test_notices_written_by_a_request_go_out_right_after_it(
    make_app: Any, factory: Any, accounts: Any, config: dict[str, Any], mail: MailServer
) -> None:
    app = make_app(**config, MATCHMAKER_NOTIFY_BACKGROUND=True)
    kicker = app.extensions["matchmaker.notice_kicker"]
    with app.app_context():  # what a view that notifies does: write, then commit
        from matchmaker.api.context import db

        entrant = db().scalars(select(User).where(User.username == "entrant")).one()
        notify(db(), [entrant], NoticeKind.TEST, {"channel": "请求后"}, event_id=None)
        db().commit()
    assert kicker.idle.wait(20)
    assert [m.message["Subject"] for m in mail.received] == ["测试消息：请求后"]
    assert "matchmaker.notice_kicker" not in make_app(**config).extensions  # tests: off


def test_with_redis_the_worker_sends_what_a_request_wrote(
    make_app: Any,
    db_url: str,
    tmp_path: Any,
    accounts: Any,
    config: dict[str, Any],
    mail: MailServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With Redis configured the commit queues a send on the RQ queue (nothing is sent in the
    web process); ``matchmaker worker --burst`` then delivers it to the real SMTP server."""
    import os
    import subprocess
    import uuid

    from redis import Redis
    from redis.exceptions import ConnectionError as RedisDown
    from tests_support import MATCHMAKER

    redis_url = os.environ.get("MATCHMAKER_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    try:
        Redis.from_url(redis_url, socket_connect_timeout=2).ping()
    except RedisDown as exc:
        pytest.skip(f"Redis not reachable at {redis_url}: {exc}")
    name = f"test-notices-{uuid.uuid4().hex[:10]}"
    monkeypatch.setenv("MATCHMAKER_JOB_QUEUE", name)
    app = make_app(**config, MATCHMAKER_REDIS_URL=redis_url, MATCHMAKER_NOTIFY_BACKGROUND=True)
    try:
        with app.app_context():
            from matchmaker.api.context import db

            entrant = db().scalars(select(User).where(User.username == "entrant")).one()
            notify(db(), [entrant], NoticeKind.TEST, {"channel": "队列"}, event_id=None)
            db().commit()
        assert mail.received == []  # queued for the worker, not sent by the web process
        assert Redis.from_url(redis_url).llen(f"rq:queue:{name}") == 1
        env = {
            **os.environ,
            "MATCHMAKER_DATABASE_URL": db_url,
            "MATCHMAKER_INSTANCE_DIR": str(tmp_path / "instance"),
            "MATCHMAKER_REDIS_URL": redis_url,
            "MATCHMAKER_JOB_QUEUE": name,
            "MATCHMAKER_SMTP_URL": mail.url,
        }
        worker = subprocess.run(
            [MATCHMAKER, "worker", "--burst"], env=env, capture_output=True, text=True, timeout=240
        )
        assert worker.returncode == 0, worker.stderr
        assert [m.message["Subject"] for m in mail.received] == ["测试消息：队列"]
        with transaction(app.extensions["matchmaker.session_factory"]) as session:
            (delivery,) = session.scalars(select(NoticeDelivery)).all()
            assert delivery.status == "sent" and delivery.attempts == 1
    finally:
        redis = Redis.from_url(redis_url)
        for key in redis.scan_iter(f"*{name}*"):
            redis.delete(key)


def test_the_log_says_when_notices_stay_in_app_because_no_channel_is_configured(
    make_app: Any, factory: Any, accounts: Any, config: dict[str, Any]
) -> None:
    bare = make_app().test_client()
    sign_in(bare, factory, "organiser")
    page = bare.get("/notifications/log").get_data(as_text=True)
    assert 'data-testid="in-app-only"' in page and "MATCHMAKER_SMTP_URL" in page
    wired = make_app(**config).test_client()
    sign_in(wired, factory, "organiser")
    assert 'data-testid="in-app-only"' not in wired.get("/notifications/log").get_data(as_text=True)
