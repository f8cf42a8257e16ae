"""Settings read from the environment, with defaults that run on one machine."""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_INSTANCE_DIR = Path("instance")


def default_database_url(instance_dir: Path = DEFAULT_INSTANCE_DIR) -> str:
    """Return the SQLite URL used when nothing else is configured."""
    return f"sqlite:///{(instance_dir / 'matchmaker.db').resolve()}"


@dataclass(frozen=True)
class Settings:
    """Process settings; every field can be set by a ``MATCHMAKER_*`` variable."""

    database_url: str = field(default_factory=default_database_url)
    secret_key: str = ""
    instance_dir: Path = DEFAULT_INSTANCE_DIR
    default_language: str = "zh"
    token_days: int = 30
    max_upload_bytes: int = 16 * 1024 * 1024
    demo_hint: bool = False
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
    proxy_hops: int = 0  # trusted reverse proxies in front (X-Forwarded-For/-Proto); 0 = none
    secure_cookies: bool = False  # always mark cookies Secure (else only on HTTPS requests)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        """Build settings from ``environ`` (``os.environ`` by default)."""
        env = os.environ if environ is None else environ
        instance_dir = Path(env.get("MATCHMAKER_INSTANCE_DIR", str(DEFAULT_INSTANCE_DIR)))
        return cls(
            database_url=env.get("MATCHMAKER_DATABASE_URL") or default_database_url(instance_dir),
            secret_key=env.get("MATCHMAKER_SECRET_KEY", ""),
            instance_dir=instance_dir,
            default_language=env.get("MATCHMAKER_LANGUAGE", "zh"),
            token_days=int(env.get("MATCHMAKER_TOKEN_DAYS", "30")),
            max_upload_bytes=int(env.get("MATCHMAKER_MAX_UPLOAD_BYTES", str(16 * 1024 * 1024))),
            demo_hint=_flag(env.get("MATCHMAKER_DEMO_HINT", "")),
            request_hours=int(env.get("MATCHMAKER_REQUEST_HOURS", "24")),
            institution_request_cap=int(env.get("MATCHMAKER_INSTITUTION_REQUEST_CAP", "0")),
            project_request_cap=int(env.get("MATCHMAKER_PROJECT_REQUEST_CAP", "6")),
            redis_url=env.get("MATCHMAKER_REDIS_URL", ""),
            job_queue=env.get("MATCHMAKER_JOB_QUEUE", "matchmaker"),
            job_stale_seconds=int(env.get("MATCHMAKER_JOB_STALE_SECONDS", "10")),
            rate_limits=_flag(env.get("MATCHMAKER_RATE_LIMITS", "1")),
            login_limit=env.get("MATCHMAKER_LOGIN_LIMIT", "10/minute"),
            login_address_limit=env.get("MATCHMAKER_LOGIN_ADDRESS_LIMIT", "100/minute"),
            booking_limit=env.get("MATCHMAKER_BOOKING_LIMIT", "30/minute"),
            proxy_hops=int(env.get("MATCHMAKER_PROXY_HOPS", "0")),
            secure_cookies=_flag(env.get("MATCHMAKER_SECURE_COOKIES", "")),
        )


def _flag(value: str) -> bool:
    return value.strip().lower() in ("1", "true", "yes", "on")


def pause_point(name: str) -> None:
    """Sleep at the named point when ``MATCHMAKER_PAUSE_AT`` lists it (``name:seconds,...``).

    For fault tests only: they stop a process at a known place (inside an import's or a
    publish's transaction, say) and kill it there. Unset, this costs one dictionary lookup.
    """
    spec = os.environ.get("MATCHMAKER_PAUSE_AT")
    if not spec:
        return
    for item in spec.split(","):
        point, _, seconds = item.partition(":")
        if point.strip() == name:
            logging.getLogger(__name__).warning("pausing at %s", name)
            time.sleep(float(seconds or 30))
