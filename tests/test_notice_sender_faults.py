"""Kill -9 of the sender mid-batch (#16 must-show 2): `matchmaker notifications send` is killed
right after a message left and before it was recorded; the next run delivers every notice, and
the receiver never sees two different messages under one key (a repeat is byte-identical)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from receivers import MailServer
from sqlalchemy import select
from tests_support import MATCHMAKER

from matchmaker.db.engine import transaction
from matchmaker.db.models import NoticeDelivery, NotificationSettings, User
from matchmaker.domain import NoticeKind
from matchmaker.services.notifications.outbox import notify

PEOPLE = ("organiser", "staff", "investor", "investor_b", "entrant", "entrant_b")


@pytest.fixture
def mail() -> Iterator[MailServer]:
    server = MailServer().start()
    yield server
    server.stop()


def sender(db_url: str, mail: MailServer, tmp_path: Path, pause: bool) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "MATCHMAKER_SMTP_URL": mail.url,
        "MATCHMAKER_SECRET_KEY": "fault-test",
        "MATCHMAKER_INSTANCE_DIR": str(tmp_path / "instance"),
    }
    env.pop("MATCHMAKER_PAUSE_AT", None)
    if pause:
        env["MATCHMAKER_PAUSE_AT"] = "notify.after_send:30"
    return subprocess.Popen(
        [MATCHMAKER, "--db", db_url, "--json", "notifications", "send", "--limit", "5"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def test_a_sender_killed_mid_batch_loses_nothing_and_never_sends_two_messages_for_one_key(
    db_url: str, factory: Any, accounts: Any, mail: MailServer, tmp_path: Path
) -> None:
    with transaction(factory) as db:
        users = [db.scalars(select(User).where(User.username == n)).one() for n in PEOPLE]
        for person in users:
            db.add(NotificationSettings(user_id=person.id, email=f"{person.username}@example.cn"))
        keys = set()
        for round_ in range(2):
            for notice in notify(
                db, users, NoticeKind.TEST, {"channel": f"#{round_}"}, event_id=None
            ):
                keys.add(notice.key)
    assert len(keys) == 12

    first = sender(db_url, mail, tmp_path, pause=True)
    deadline = time.monotonic() + 60
    while len(mail.received) < 1 and time.monotonic() < deadline and first.poll() is None:
        time.sleep(0.05)
    assert len(mail.received) == 1, first.communicate()[1] if first.poll() is not None else ""
    first.send_signal(signal.SIGKILL)  # after the message left, before it was recorded
    first.communicate(timeout=10)
    assert first.returncode == -signal.SIGKILL

    second = sender(db_url, mail, tmp_path, pause=False)
    out, err = second.communicate(timeout=120)
    assert second.returncode == 0, err
    report = json.loads(out)
    assert report["sent"] == 12 and report["failed"] == report["retrying"] == 0

    by_key: dict[str, list[bytes]] = defaultdict(list)
    for got in mail.received:
        message_id = got.message["Message-ID"]
        by_key[message_id.strip("<>").split(".email@")[0]].append(got.raw)
    assert set(by_key) == keys  # every notice reached the receiver
    repeats = {k: v for k, v in by_key.items() if len(v) > 1}
    assert len(repeats) <= 1  # at most the one in flight when the sender died
    for copies in repeats.values():
        assert len(set(copies)) == 1  # sent again, byte for byte: the same message
    with transaction(factory) as db:
        rows = db.scalars(select(NoticeDelivery)).all()
        assert len(rows) == 12 and {r.status for r in rows} == {"sent"}


def test_the_test_command_sends_through_a_channel_or_says_why_not(
    db_url: str, accounts: Any, mail: MailServer, tmp_path: Path
) -> None:
    env = {**os.environ, "MATCHMAKER_SMTP_URL": mail.url, "MATCHMAKER_SECRET_KEY": "k"}
    env.pop("MATCHMAKER_WEBHOOK_URL", None)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        command = [MATCHMAKER, "--db", db_url, "notifications", "test", *args]
        return subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)

    sent = run("--channel", "email", "--to", "ops@example.cn")
    assert sent.returncode == 0, sent.stderr
    assert "sent: email → ops@example.cn" in sent.stdout
    assert mail.received[0].rcpt_tos == ["ops@example.cn"]
    refused = run("--channel", "email", "--to", "refused@example.cn", "--as", "staff")
    assert refused.returncode == 1 and "550" in refused.stdout
    missing = run("--channel", "webhook")
    assert missing.returncode == 2 and "MATCHMAKER_WEBHOOK_URL" in missing.stderr
