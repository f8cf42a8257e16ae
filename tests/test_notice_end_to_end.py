"""Issue #16, must show 1, end to end through the real parts: an entrant's meeting request made
through the API reaches the investor by e-mail (a real SMTP server on loopback) and by webhook
(a real HTTP receiver checking the HMAC signature) with the project's name, the slot's time and
the table; the investor's answer reaches the entrant's inbox, a declined one another entrant's."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from receivers import MailServer, WebhookReceiver, verify
from sqlalchemy import select

from matchmaker.config import Settings
from matchmaker.db.engine import transaction
from matchmaker.db.models import NoticeDelivery
from matchmaker.services.notifications.sender import send_due

pytestmark = pytest.mark.fake_encoder

URL = "/api/v1/meeting-requests"
PROJECT = "晋能储能电池管理系统"  # T-P001, whose contact e-mail is zw@example.com


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
def app(make_app: Any, mail: MailServer, hook: WebhookReceiver) -> Any:
    return make_app(
        MATCHMAKER_SMTP_URL=mail.url,
        MATCHMAKER_WEBHOOK_URL=hook.url,
        MATCHMAKER_WEBHOOK_SECRET=hook.secret,
        SECRET_KEY="e2e",
    )


def book(
    client: Any, headers: dict[str, str], slot: int, project: str = "T-P001"
) -> dict[str, Any]:
    body = {"session": "S1", "project_id": project, "institution_id": "T-I01", "slot": slot}
    made = client.post(URL, json={**body, "message": "想介绍储能BMS"}, headers=headers)
    assert made.status_code == 201, made.get_json()
    return dict(made.get_json())


def text_of(mail: Any) -> str:
    message = mail.message
    return "\n".join(
        part.get_content() for part in message.walk() if part.get_content_type() == "text/plain"
    )


def test_a_request_reaches_the_investor_by_mail_and_webhook_and_the_answer_the_entrant(
    app: Any, factory: Any, accounts: Any, mail: MailServer, hook: WebhookReceiver
) -> None:
    client = app.test_client()
    settings = Settings().with_config(app.config)
    investor, entrant = accounts.headers("investor"), accounts.headers("entrant")
    # The investor's institution has no contact e-mail: they give their own and add the webhook.
    chosen = {"channels": ["email", "webhook"], "email": "fund@fenhe.example.cn"}
    saved = client.put("/api/v1/notifications/settings", json=chosen, headers=investor)
    assert saved.status_code == 200, saved.get_json()

    request = book(client, entrant, slot=3)
    assert mail.received == [] and hook.received == []  # nothing leaves before a sender runs
    report = send_due(factory, settings)
    assert report.sent == 2 and report.failed == 0, report.errors

    (to_investor,) = mail.received
    assert to_investor.rcpt_tos == ["fund@fenhe.example.cn"]
    body = text_of(to_investor)
    slot = client.get("/api/v1/events/T2026/sessions/S1", headers=investor).get_json()
    starts = next(s for s in slot["slots"] if s["number"] == 3)["starts_at"][11:16]
    assert PROJECT in body and starts in body and "1号桌" in body and "想介绍储能BMS" in body
    assert "新的会见预约" in str(to_investor.message["Subject"])
    (posted,) = hook.received
    assert verify(hook.secret, posted.headers, posted.body)
    payload = posted.json
    assert payload["kind"] == "request_received" and PROJECT in payload["text"]
    assert starts in payload["text"] and "1号桌" in payload["text"]

    accepted = client.post(f"{URL}/{request['id']}/accept", headers=investor)
    assert accepted.status_code == 200, accepted.get_json()
    assert send_due(factory, settings).sent == 1
    to_entrant = mail.received[-1]
    assert to_entrant.rcpt_tos == ["zw@example.com"]  # the project's contact, by default
    assert "预约已接受" in str(to_entrant.message["Subject"])
    assert starts in text_of(to_entrant) and "1号桌" in text_of(to_entrant)

    second = book(client, accounts.headers("entrant_b"), slot=5, project="T-P002")
    send_due(factory, settings)
    declined = client.post(f"{URL}/{second['id']}/decline", headers=investor)
    assert declined.status_code == 200, declined.get_json()
    assert send_due(factory, settings).sent == 1
    assert mail.received[-1].rcpt_tos == ["ln@example.com"]  # T-P002's contact
    assert "预约未被接受" in str(mail.received[-1].message["Subject"])
    with transaction(factory) as db:
        statuses = {d.status for d in db.scalars(select(NoticeDelivery))}
    assert statuses == {"sent"}
