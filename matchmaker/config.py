"""Settings: the one reader of the environment, with defaults that run on one machine.

Each setting is named in one place, :data:`NAMES`: its ``Settings`` field, its environment
variable and, when the web app reads it from ``app.config``, its key there. The composition
root (``wiring.py``) hands the values down; no other module reads the environment.
"""

from __future__ import annotations

import logging
import os
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, get_type_hints

DEFAULT_INSTANCE_DIR = Path("instance")


def default_database_url(instance_dir: Path = DEFAULT_INSTANCE_DIR) -> str:
    """Return the SQLite URL used when nothing else is configured."""
    return f"sqlite:///{(instance_dir / 'matchmaker.db').resolve()}"


@dataclass(frozen=True)
class Settings:
    """Process settings; each field is set by the environment variable :data:`NAMES` gives it."""

    database_url: str = field(default_factory=default_database_url)
    secret_key: str = ""
    instance_dir: Path = DEFAULT_INSTANCE_DIR
    default_language: str = "zh"
    token_days: int = 30
    max_upload_bytes: int = 16 * 1024 * 1024
    # Project attachments (a BP PDF): where they are kept ("" = beside the database, see
    # services/registry/attachments.py) and how large one may be.
    attachment_dir: str = ""
    attachment_max_bytes: int = 20 * 1024 * 1024
    demo_hint: bool = False
    # Accounts: the address people open invitation and reset links at ("": the address the
    # organiser's page was opened at; the command line then says http://127.0.0.1:5000), and
    # how long such a link works.
    base_url: str = ""
    invite_days: int = 14
    # Bookings: a pending request holds its slot this long; caps per session (0 = no cap).
    request_hours: int = 24
    institution_request_cap: int = 0  # 0: twice the session's slots
    project_request_cap: int = 6
    # Production (README "Running a matchmaking day"): shared state, abuse limits, TLS proxy.
    redis_url: str = ""  # rate-limit counters and background jobs (RQ) live here when set
    job_queue: str = "matchmaker"  # the RQ queue's name (one per deployment sharing a Redis)
    job_stale_seconds: int = 10  # a running job silent this long has lost its worker
    rate_limits: bool = True
    # Failed sign-ins per user name from one address, and from one address in all.
    login_limit: str = "10/minute"
    login_address_limit: str = "100/minute"
    booking_limit: str = "30/minute"  # meeting requests sent per signed-in user
    signup_limit: str = "20/hour"  # investors' sign-up forms sent from one address
    proxy_hops: int = 0  # trusted reverse proxies in front (X-Forwarded-For/-Proto); 0 = none
    secure_cookies: bool = False  # always mark cookies Secure (else only on HTTPS requests)
    # Matching: the text encoder ("" = embeddings' default), and the FAISS index. Exact search
    # up to hnsw_threshold vectors, an IVF over 8-bit codes (hits re-ranked exactly) above,
    # whose centroids are searched through an HNSW graph of breadth hnsw_ef (the names are
    # older than the IVF); a shortlist searches with this many threads.
    embedding_model: str = ""
    hub_offline: bool = True  # sentence-transformers models from the local cache only
    hnsw_threshold: int = 10_000
    hnsw_ef: int = 256
    faiss_search_threads: int = 1
    # Mail (the due-diligence digest); no host means no mail.
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_from: str = "matchmaker@localhost"
    smtp_starttls: bool = False
    # Notifications (services/notifications): e-mail through MATCHMAKER_SMTP_URL
    # (smtp://user:password@host:587?starttls=1, smtps://…), a signed JSON POST to the webhook
    # (HMAC-SHA256 with the secret; also the first SMS gateway), reminders' offsets in minutes
    # before each meeting, the evening hour of the day-before reminder, and how often a failed
    # delivery is retried before it is marked failed.
    smtp_url: str = ""
    webhook_url: str = ""
    webhook_secret: str = ""
    reminder_minutes: str = "15"
    reminder_evening: str = "18:00"
    notify_attempts: int = 6
    # After a request that wrote notices, send them at once: an RQ job when Redis is set, else
    # one background thread per process (off in tests unless a test turns it on).
    notify_background: bool = True
    # Fault tests only (tests/test_backup.py): a restore pauses this long after its first table.
    restore_pause_seconds: float = 0.0

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Build settings from ``environ`` (``os.environ`` by default).

        An unset variable keeps the field's default; so does an empty one for numbers and the
        database URL (whose default lives under the instance folder).
        """
        env = os.environ if environ is None else environ
        types = get_type_hints(cls)
        values: dict[str, Any] = {}
        for name in NAMES:
            raw = env.get(name.env)
            if raw is None or (not raw.strip() and types[name.field] in (int, float)):
                continue
            values[name.field] = (name.parse or _PARSE[types[name.field]])(raw)
        if not values.get("database_url"):
            instance_dir = values.get("instance_dir", DEFAULT_INSTANCE_DIR)
            values["database_url"] = default_database_url(instance_dir)
        return cls(**values)

    def app_config(self) -> dict[str, Any]:
        """Return the settings the web app reads from ``app.config``, under their keys there."""
        return {name.config: getattr(self, name.field) for name in NAMES if name.config}

    def with_config(self, config: Mapping[str, Any]) -> Settings:
        """Return these settings with the ``app.config`` keys in ``config`` put in their fields
        (how ``create_app(test_config)`` overrides a setting)."""
        changed = {n.field: config[n.config] for n in NAMES if n.config and n.config in config}
        return replace(self, **changed) if changed else self


@dataclass(frozen=True)
class Name:
    """Where one setting is named: its field, its variable, its ``app.config`` key ("": none)."""

    field: str
    env: str
    config: str = ""
    parse: Callable[[str], Any] | None = None  # else by the field's type


def _flag(value: str) -> bool:
    return value.strip().lower() in ("1", "true", "yes", "on")


_PARSE: dict[Any, Callable[[str], Any]] = {
    str: str,
    int: int,
    float: float,
    bool: _flag,
    Path: Path,
}

NAMES: tuple[Name, ...] = (
    Name("database_url", "MATCHMAKER_DATABASE_URL", "DATABASE_URL"),
    Name("secret_key", "MATCHMAKER_SECRET_KEY", "SECRET_KEY"),
    Name("instance_dir", "MATCHMAKER_INSTANCE_DIR"),
    Name("default_language", "MATCHMAKER_LANGUAGE", "MATCHMAKER_LANGUAGE"),
    Name("token_days", "MATCHMAKER_TOKEN_DAYS", "MATCHMAKER_TOKEN_DAYS"),
    Name("max_upload_bytes", "MATCHMAKER_MAX_UPLOAD_BYTES", "MAX_CONTENT_LENGTH"),
    Name("demo_hint", "MATCHMAKER_DEMO_HINT", "MATCHMAKER_DEMO_HINT"),
    Name("base_url", "MATCHMAKER_BASE_URL", "MATCHMAKER_BASE_URL"),
    Name("invite_days", "MATCHMAKER_INVITE_DAYS", "MATCHMAKER_INVITE_DAYS"),
    Name("attachment_dir", "MATCHMAKER_ATTACHMENT_DIR", "MATCHMAKER_ATTACHMENT_DIR"),
    Name(
        "attachment_max_bytes", "MATCHMAKER_ATTACHMENT_MAX_BYTES", "MATCHMAKER_ATTACHMENT_MAX_BYTES"
    ),
    Name("request_hours", "MATCHMAKER_REQUEST_HOURS"),
    Name("institution_request_cap", "MATCHMAKER_INSTITUTION_REQUEST_CAP"),
    Name("project_request_cap", "MATCHMAKER_PROJECT_REQUEST_CAP"),
    Name("redis_url", "MATCHMAKER_REDIS_URL", "MATCHMAKER_REDIS_URL"),
    # Also the rate limiter's key prefix in Redis (api/limits.py): one name per deployment.
    Name("job_queue", "MATCHMAKER_JOB_QUEUE", "MATCHMAKER_JOB_QUEUE"),
    Name("job_stale_seconds", "MATCHMAKER_JOB_STALE_SECONDS"),
    Name("rate_limits", "MATCHMAKER_RATE_LIMITS", "MATCHMAKER_RATE_LIMITS"),
    Name("login_limit", "MATCHMAKER_LOGIN_LIMIT", "MATCHMAKER_LOGIN_LIMIT"),
    Name("login_address_limit", "MATCHMAKER_LOGIN_ADDRESS_LIMIT", "MATCHMAKER_LOGIN_ADDRESS_LIMIT"),
    Name("booking_limit", "MATCHMAKER_BOOKING_LIMIT", "MATCHMAKER_BOOKING_LIMIT"),
    Name("signup_limit", "MATCHMAKER_SIGNUP_LIMIT", "MATCHMAKER_SIGNUP_LIMIT"),
    Name("proxy_hops", "MATCHMAKER_PROXY_HOPS", "MATCHMAKER_PROXY_HOPS"),
    # Flask's own key: set, cookies are Secure always (else on HTTPS requests only).
    Name("secure_cookies", "MATCHMAKER_SECURE_COOKIES", "SESSION_COOKIE_SECURE"),
    Name("embedding_model", "MATCHMAKER_EMBEDDING_MODEL"),
    # Hugging Face's own variable: offline unless it is exactly "0" (downloads allowed).
    Name("hub_offline", "HF_HUB_OFFLINE", parse=lambda value: value != "0"),
    Name("hnsw_threshold", "MATCHMAKER_HNSW_THRESHOLD"),
    Name("hnsw_ef", "MATCHMAKER_HNSW_EF"),
    Name("faiss_search_threads", "MATCHMAKER_FAISS_SEARCH_THREADS"),
    Name("smtp_host", "MATCHMAKER_SMTP_HOST"),
    Name("smtp_port", "MATCHMAKER_SMTP_PORT"),
    Name("smtp_user", "MATCHMAKER_SMTP_USER"),
    Name("smtp_password", "MATCHMAKER_SMTP_PASSWORD"),
    Name("smtp_from", "MATCHMAKER_SMTP_FROM"),
    Name("smtp_starttls", "MATCHMAKER_SMTP_STARTTLS"),
    Name("smtp_url", "MATCHMAKER_SMTP_URL", "MATCHMAKER_SMTP_URL"),
    Name("webhook_url", "MATCHMAKER_WEBHOOK_URL", "MATCHMAKER_WEBHOOK_URL"),
    Name("webhook_secret", "MATCHMAKER_WEBHOOK_SECRET", "MATCHMAKER_WEBHOOK_SECRET"),
    Name("reminder_minutes", "MATCHMAKER_REMINDER_MINUTES", "MATCHMAKER_REMINDER_MINUTES"),
    Name("reminder_evening", "MATCHMAKER_REMINDER_EVENING", "MATCHMAKER_REMINDER_EVENING"),
    Name("notify_attempts", "MATCHMAKER_NOTIFY_ATTEMPTS", "MATCHMAKER_NOTIFY_ATTEMPTS"),
    Name("notify_background", "MATCHMAKER_NOTIFY_BACKGROUND", "MATCHMAKER_NOTIFY_BACKGROUND"),
    Name("restore_pause_seconds", "MATCHMAKER_TEST_PAUSE_RESTORE"),
)


def instance_secret(settings: Settings) -> str:
    """Return the secret key: MATCHMAKER_SECRET_KEY, else the one kept in the instance folder
    (made once), so restarts keep sign-ins and old mails' links keep working. The web app and
    the notification sender (whose unsubscribe links the app must verify) share it."""
    if settings.secret_key:
        return settings.secret_key
    path = settings.instance_dir / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    # The first start of a server forks its workers before any key exists, and each comes here
    # at once: a key written in place would let each keep its own (sessions signed by one worker
    # refused by the other: sign-ins lost, forms answered 400). A full file is put in place with
    # a hard link, which fails if another process won, and everyone reads the winner's key.
    settings.instance_dir.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f"secret_key.{os.getpid()}.{secrets.token_hex(4)}")
    draft.write_text(secrets.token_hex(32))
    draft.chmod(0o600)
    pause_point("secret_key")  # fault tests: every worker is here, none has published a key
    try:
        os.link(draft, path)
    except FileExistsError:
        pass
    finally:
        draft.unlink()
    return path.read_text().strip()


def pause_point(name: str) -> None:
    """Sleep at the named point when ``MATCHMAKER_PAUSE_AT`` lists it (``name:seconds,...``).

    For fault tests only: they stop a process at a known place (inside an import's or a
    publish's transaction, say) and kill it there. Unset, this costs one dictionary lookup.
    Read at each call, not through Settings: the points sit deep in services and cores, which
    are handed no settings.
    """
    spec = os.environ.get("MATCHMAKER_PAUSE_AT")
    if not spec:
        return
    for item in spec.split(","):
        point, _, seconds = item.partition(":")
        if point.strip() == name:
            logging.getLogger(__name__).warning("pausing at %s", name)
            time.sleep(float(seconds or 30))
