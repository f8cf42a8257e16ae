"""Real receivers for notification tests: an SMTP server (aiosmtpd) and an HTTP endpoint that
checks the webhook's HMAC signature, both on loopback, both recording what they got."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Mail:
    """One message the SMTP server accepted."""

    rcpt_tos: list[str]
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        parsed = message_from_bytes(self.raw, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


class MailServer:
    """aiosmtpd on a free loopback port; recipients containing "refused" get 550."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.received: list[Mail] = []
        self._controller: Any = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}?from=notices@matchmaker.test"

    def start(self) -> MailServer:
        from aiosmtpd.controller import Controller

        received = self.received

        class Handler:
            async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
                self, server: Any, session: Any, envelope: Any, address: str, options: Any
            ) -> str:
                if "refused" in address:
                    return "550 5.1.1 mailbox unavailable"
                envelope.rcpt_tos.append(address)
                return "250 OK"

            async def handle_DATA(  # noqa: N802
                self, server: Any, session: Any, envelope: Any
            ) -> str:
                received.append(Mail(list(envelope.rcpt_tos), bytes(envelope.original_content)))
                return "250 OK"

        self._controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


def verify(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """Check a webhook request as a receiver would: HMAC-SHA256 of ``timestamp.body``."""
    timestamp = headers.get("X-Matchmaker-Timestamp", "")
    given = headers.get("X-Matchmaker-Signature", "")
    expected = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return hmac.compare_digest(given, "sha256=" + expected.hexdigest())


@dataclass
class Hook:
    """One POST the receiver got, and whether its signature verified."""

    headers: dict[str, str]
    body: bytes
    valid: bool

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class WebhookReceiver:
    """An http.server thread: answers 200 to a correctly signed POST, 401 otherwise (or the
    status in ``answer`` while it is set)."""

    secret: str = "hook-secret"
    received: list[Hook] = field(default_factory=list)
    answer: int | None = None
    port: int = 0
    _server: Any = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def start(self) -> WebhookReceiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {k: v for k, v in self.headers.items()}
                ok = verify(receiver.secret, headers, body)
                receiver.received.append(Hook(headers, body, ok))
                status = receiver.answer or (200 if ok else 401)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def replay(self, hook: Hook, body: bytes) -> int:
        """POST ``body`` with ``hook``'s headers again (a tampered copy): the status answered."""
        names = ("X-Matchmaker-Timestamp", "X-Matchmaker-Signature", "Idempotency-Key")
        headers = {k: hook.headers[k] for k in names if k in hook.headers}
        request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return int(response.status)
        except urllib.error.HTTPError as exc:
            exc.close()
            return int(exc.code)
