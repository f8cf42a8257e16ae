"""Channels: how a rendered notice leaves the building — e-mail over SMTP, a signed webhook, SMS.

All standard library: :mod:`smtplib` and :class:`email.message.EmailMessage` (policy SMTP, so a
Chinese subject is RFC 2047-encoded and lines end in CRLF) for e-mail, :mod:`urllib.request` and
:mod:`hmac` for the webhook. A channel raises :class:`SendFailed` saying whether trying again
later may help (a server down, 4xx SMTP, webhook 5xx/408/429) or not (SMTP 5xx, webhook 4xx).

Every message carries its notice's idempotency key, and is built from the notice alone (its
``created_at``, not the moment of sending), so a retry after a crash repeats the same message.

**Webhook signature.** Each POST has ``X-Matchmaker-Timestamp: <unix seconds>`` and
``X-Matchmaker-Signature: sha256=<hex>``, the hex HMAC-SHA256 under MATCHMAKER_WEBHOOK_SECRET of
``<timestamp>.<raw body bytes>``. A receiver recomputes it over the raw body, compares in constant
time (``hmac.compare_digest``) and refuses timestamps more than a few minutes old (a replay). The
body is the same on every retry; ``Idempotency-Key: <notice key>.<channel>`` names the delivery.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import smtplib
import ssl
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlsplit

from matchmaker.config import Settings
from matchmaker.domain import Channel

__all__ = [
    "EmailChannel",
    "Outgoing",
    "SendFailed",
    "SmsChannel",
    "SmsProvider",
    "Transport",
    "WebhookChannel",
    "WebhookSms",
    "configured_channels",
    "open_channels",
    "sign",
    "smtp_config",
]

TIMEOUT = 20  # seconds a server may keep us waiting per message


class SendFailed(Exception):
    """A message did not leave; ``permanent``: trying again will not help (the address is
    refused, the receiver says the request is wrong)."""

    def __init__(self, reason: str, permanent: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason[:500]
        self.permanent = permanent


@dataclass(frozen=True)
class Outgoing:
    """One delivery as a channel sends it: the notice's key and kind, the address, the texts."""

    key: str
    kind: str
    channel: str
    to: str
    subject: str
    text: str
    html: str
    created_at: str  # the notice's time (ISO 8601), the same on every retry
    event: str | None = None
    unsubscribe: str = ""  # the one-click unsubscribe URL (mutable kinds only)
    recipient: dict[str, str] = field(default_factory=dict)  # who it is for (the webhook)


class Transport(Protocol):
    """A channel: sends one message or raises :class:`SendFailed`; ``close`` ends the batch."""

    def send(self, message: Outgoing) -> None: ...

    def close(self) -> None: ...


# ---- e-mail -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SmtpConfig:
    """What MATCHMAKER_SMTP_URL says: ``smtp://user:pass@host:587?starttls=1&from=a@b``,
    ``smtps://…`` (TLS from the start)."""

    host: str
    port: int
    user: str = ""
    password: str = ""
    tls: bool = False
    starttls: bool = False
    sender: str = "matchmaker@localhost"


def smtp_config(settings: Settings) -> SmtpConfig | None:
    """Return the SMTP server MATCHMAKER_SMTP_URL names; None when it is not set.

    A malformed URL is a ValueError naming what is wrong (the sender reports it per message).
    """
    url = settings.smtp_url.strip()
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ValueError(f"MATCHMAKER_SMTP_URL must be smtp://host:port or smtps://…, not {url!r}")
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    tls = parts.scheme == "smtps"
    return SmtpConfig(
        host=parts.hostname,
        port=parts.port or (465 if tls else 25),
        user=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        tls=tls,
        starttls=query.get("starttls", "").lower() in ("1", "true", "yes", "on"),
        sender=query.get("from") or settings.smtp_from,
    )


def email_message(message: Outgoing, sender: str) -> EmailMessage:
    """Return ``message`` as an e-mail: a plain-text and an HTML part, Message-ID from its key,
    List-Unsubscribe (one click, RFC 8058) when it may be unsubscribed from."""
    mail = EmailMessage(policy=SMTP)
    mail["Subject"] = message.subject
    mail["From"] = sender
    mail["To"] = message.to
    mail["Date"] = format_datetime(datetime.fromisoformat(message.created_at))
    domain = sender.rpartition("@")[2] or "localhost"
    mail["Message-ID"] = f"<{message.key}.email@{domain}>"
    if message.unsubscribe:
        mail["List-Unsubscribe"] = f"<{message.unsubscribe}>"
        mail["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    mail.set_content(message.text)
    mail.add_alternative(message.html, subtype="html")
    mail.set_boundary(f"=_{message.key}")  # not random: a retry's bytes are the first try's
    return mail


class EmailChannel:
    """E-mail through one SMTP connection, opened on the first message and reused for the
    batch (STARTTLS and login when configured); a broken connection is opened again."""

    def __init__(self, config: SmtpConfig) -> None:
        self.config = config
        self._smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        c = self.config
        try:
            smtp: smtplib.SMTP
            if c.tls:
                smtp = smtplib.SMTP_SSL(
                    c.host, c.port, timeout=TIMEOUT, context=ssl.create_default_context()
                )
            else:
                smtp = smtplib.SMTP(c.host, c.port, timeout=TIMEOUT)
            if c.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if c.user:
                smtp.login(c.user, c.password)
        except smtplib.SMTPAuthenticationError as exc:
            # The account, not the message: every message would fail alike until it is fixed.
            raise SendFailed(f"SMTP login refused: {_smtp_reply(exc)}") from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise SendFailed(f"SMTP server {c.host}:{c.port} unreachable: {exc}") from exc
        return smtp

    def send(self, message: Outgoing) -> None:
        """Send ``message`` to its address; SendFailed (permanent on a 5xx reply)."""
        mail = email_message(message, self.config.sender)
        if self._smtp is None:
            self._smtp = self._connect()
        try:
            self._smtp.send_message(mail, from_addr=self.config.sender, to_addrs=[message.to])
        except smtplib.SMTPRecipientsRefused as exc:
            code, reply = next(iter(exc.recipients.values()), (550, b"refused"))
            raise SendFailed(f"{code} {_text(reply)}", permanent=code >= 500) from exc
        except smtplib.SMTPResponseException as exc:
            self.close()
            raise SendFailed(_smtp_reply(exc), permanent=exc.smtp_code >= 500) from exc
        except (OSError, smtplib.SMTPException) as exc:
            self.close()
            raise SendFailed(f"SMTP connection lost: {exc}") from exc

    def close(self) -> None:
        """End the SMTP session (quietly: it may be broken already)."""
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                smtp.close()


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


def _smtp_reply(exc: smtplib.SMTPResponseException) -> str:
    return f"{exc.smtp_code} {_text(exc.smtp_error)}"


# ---- webhook ------------------------------------------------------------------------------


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """Return the ``X-Matchmaker-Signature`` value: ``sha256=`` and the hex HMAC-SHA256 of
    ``timestamp + "." + body`` under ``secret``."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def webhook_body(message: Outgoing) -> bytes:
    """Return the JSON body posted for ``message`` (keys sorted: the same bytes every time)."""
    payload = {
        "key": message.key,
        "kind": message.kind,
        "channel": message.channel,
        "to": message.to,
        "recipient": message.recipient,
        "subject": message.subject,
        "text": message.text,
        "event": message.event,
        "created_at": message.created_at,
        "unsubscribe": message.unsubscribe or None,
    }
    return json.dumps(payload, ensure_ascii=False, sort_keys=True).encode("utf-8")


class WebhookChannel:
    """A signed JSON POST to MATCHMAKER_WEBHOOK_URL (an SMS gateway, a WeCom/DingTalk bot…)."""

    def __init__(self, url: str, secret: str) -> None:
        self.url = url
        self.secret = secret

    def post(self, body: bytes, idempotency_key: str) -> None:
        """POST ``body``, signed; SendFailed (permanent on 4xx other than 408 and 429)."""
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "matchmaker-notifications",
            "Idempotency-Key": idempotency_key,
            "X-Matchmaker-Timestamp": timestamp,
        }
        if self.secret:
            headers["X-Matchmaker-Signature"] = sign(self.secret, timestamp, body)
        request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
                response.read()
        except urllib.error.HTTPError as exc:
            exc.close()  # it holds the response open
            permanent = 400 <= exc.code < 500 and exc.code not in (408, 429)
            raise SendFailed(f"webhook HTTP {exc.code} {exc.reason}", permanent) from exc
        except (OSError, ValueError) as exc:  # URLError is an OSError; ValueError: a bad URL
            raise SendFailed(f"webhook unreachable: {getattr(exc, 'reason', exc)}") from exc

    def send(self, message: Outgoing) -> None:
        """Post ``message`` as JSON."""
        self.post(webhook_body(message), f"{message.key}.{message.channel}")

    def close(self) -> None:
        """Nothing kept open between messages."""


# ---- SMS ----------------------------------------------------------------------------------


class SmsProvider(Protocol):
    """An SMS gateway: send ``text`` to ``phone``; ``key`` lets it drop a repeat. Raise
    :class:`SendFailed` when it does not take the message."""

    def send(self, phone: str, text: str, key: str) -> None: ...


class WebhookSms:
    """The first SMS provider: the webhook's signed POST with ``channel: "sms"`` and the phone
    number in ``to``, for the organiser's own gateway to turn into a text message."""

    def __init__(self, webhook: WebhookChannel) -> None:
        self.webhook = webhook

    def send(self, phone: str, text: str, key: str) -> None:
        """Post the text message for the gateway."""
        payload = {"key": key, "channel": Channel.SMS.value, "to": phone, "text": text}
        body = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode("utf-8")
        self.webhook.post(body, f"{key}.{Channel.SMS.value}")


class SmsChannel:
    """SMS through a :class:`SmsProvider`: the subject and the body's lines, no HTML."""

    def __init__(self, provider: SmsProvider) -> None:
        self.provider = provider

    def send(self, message: Outgoing) -> None:
        """Send the message's text (the footer's links left out: a text message is short)."""
        body = message.text.split("\n--\n", 1)[0].strip()
        self.provider.send(message.to, f"{message.subject}\n{body}", message.key)

    def close(self) -> None:
        """Nothing kept open between messages."""


class Broken:
    """A channel configured wrongly: every message fails with the reason (retried, so that
    fixing the setting lets them go out)."""

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def send(self, message: Outgoing) -> None:
        """Refuse, naming what is wrong with the setting."""
        raise SendFailed(self.reason)

    def close(self) -> None:
        """Nothing open."""


# ---- which channels this deployment has ----------------------------------------------------


def configured_channels(settings: Settings) -> set[Channel]:
    """Return the channels the settings configure: e-mail with MATCHMAKER_SMTP_URL, the
    webhook and SMS (through the webhook) with MATCHMAKER_WEBHOOK_URL."""
    found = set()
    if settings.smtp_url.strip():
        found.add(Channel.EMAIL)
    if settings.webhook_url.strip():
        found.update((Channel.WEBHOOK, Channel.SMS))
    return found


def open_channels(settings: Settings) -> dict[Channel, Transport]:
    """Return a transport per configured channel, for one batch (close each after it)."""
    transports: dict[Channel, Transport] = {}
    try:
        smtp = smtp_config(settings)
    except ValueError as exc:  # every e-mail fails with the reason, for the organiser to read
        transports[Channel.EMAIL] = Broken(str(exc))
    else:
        if smtp is not None:
            transports[Channel.EMAIL] = EmailChannel(smtp)
    if settings.webhook_url.strip():
        webhook = WebhookChannel(settings.webhook_url.strip(), settings.webhook_secret)
        transports[Channel.WEBHOOK] = webhook
        transports[Channel.SMS] = SmsChannel(WebhookSms(webhook))
    return transports
