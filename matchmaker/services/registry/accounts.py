"""Users, passwords and bearer tokens (stored as SHA-256, compared in constant time)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session, joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from matchmaker.db.models import ApiToken, Institution, Project, User, WebSession
from matchmaker.db.types import utcnow
from matchmaker.domain import Role
from matchmaker.errors import AuthenticationRequired, Conflict, InvalidInput, NotFound, Problem
from matchmaker.messages import Ref
from matchmaker.services.registry.passwords import check_password

TOKEN_PREFIX = "mm_"
LAST_USED_RESOLUTION = timedelta(minutes=5)  # how fresh a token's last_used_at is kept


def create_user(
    db: Session,
    username: str,
    role: Role | str,
    password: str = "",
    display_name: str = "",
    institution: Institution | None = None,
    project: Project | None = None,
    language: str = "zh",
    check_policy: bool = True,
) -> User:
    """Create a user; investors need an institution, entrants a project.

    A password is checked against the policy (:mod:`passwords`) unless ``check_policy`` is
    off, for accounts nobody chose a password for (the demo's). No password: the account
    cannot sign in until a link sets one (:mod:`invitations`) or it gets a token.
    """
    role = Role.parse(role) if not isinstance(role, Role) else role
    if role is Role.INVESTOR and institution is None:
        raise InvalidInput(None, [Problem("error.invalid_input", column="institution")])
    if role is Role.ENTRANT and project is None:
        raise InvalidInput(None, [Problem("error.invalid_input", column="project")])
    if db.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict("error.duplicate_code", key=username)
    if password and check_policy:
        check_password(password, username, display_name)
    user = User(
        username=username,
        role=role,
        display_name=display_name or username,
        institution_id=institution.id if role is Role.INVESTOR and institution else None,
        project_id=project.id if role is Role.ENTRANT and project else None,
        password_hash=generate_password_hash(password) if password else "",
        language=language,
    )
    db.add(user)
    db.flush()
    return user


@dataclass(frozen=True)
class Account:
    """A user as the API shows them: role, and the registration ids they are bound to."""

    username: str
    display_name: str
    role: Role
    institution_code: str | None
    project_code: str | None

    @classmethod
    def of(cls, user: User) -> Account:
        """Return ``user``'s account as shown."""
        return cls(
            user.username,
            user.display_name,
            user.role,
            user.institution.code if user.institution is not None else None,
            user.project.code if user.project is not None else None,
        )


@dataclass(frozen=True)
class IssuedToken:
    """A bearer token just issued (shown once), its stored row (hash only), and whose it is."""

    token: str
    row: ApiToken
    user: Account

    @property
    def expires_at(self) -> datetime | None:
        """Return when the token expires (None: never), as stored."""
        return self.row.expires_at


def sign_in_api(db: Session, username: str, password: str, days: int | None) -> IssuedToken:
    """Check the password and issue a bearer token for API clients (AuthenticationRequired)."""
    user = authenticate(db, username, password)
    token, row = issue_token(db, user, "api", days)
    return IssuedToken(token, row, Account.of(user))


def get_user(db: Session, username: str) -> User:
    """Return the user called ``username``."""
    user = db.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(what=Ref("what.user"), key=username)
    return user


def authenticate(db: Session, username: str, password: str) -> User:
    """Return the active user whose password matches, else AuthenticationRequired."""
    user = db.scalar(select(User).where(User.username == username))
    # Hash even for unknown users so timing does not reveal which names exist.
    stored = user.password_hash if user and user.password_hash else _dummy_hash()
    ok = check_password_hash(stored, password)
    if user is None or not user.active or not user.password_hash or not ok:
        raise AuthenticationRequired("auth.bad_credentials")
    return user


def issue_token(
    db: Session, user: User, label: str = "", days: int | None = 30
) -> tuple[str, ApiToken]:
    """Create a bearer token for ``user``; return it (shown once) and its stored row (hash only)."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires = utcnow() + timedelta(days=days) if days else None
    row = ApiToken(user_id=user.id, token_hash=_digest(token), label=label, expires_at=expires)
    db.add(row)
    db.flush()
    return token, row


def user_for_token(db: Session, token: str) -> User:
    """Return the active user holding ``token``; AuthenticationRequired if bad or expired."""
    digest = _digest(token)
    # Every API request asks this first, and most go on to the user's institution or project
    # and its event: one query for all of them, not four round trips.
    holder = joinedload(ApiToken.user)
    row = db.scalar(
        select(ApiToken)
        .where(ApiToken.token_hash == digest)
        .options(
            holder.joinedload(User.institution).joinedload(Institution.event),
            holder.joinedload(User.project).joinedload(Project.event),
        )
    )
    if row is None or not hmac.compare_digest(row.token_hash, digest):
        raise AuthenticationRequired("auth.bad_token")
    now = utcnow()
    if row.revoked_at is not None or (row.expires_at is not None and row.expires_at <= now):
        raise AuthenticationRequired("auth.bad_token")
    if not row.user.active:
        raise AuthenticationRequired("auth.bad_token")
    if row.last_used_at is None or now - row.last_used_at >= LAST_USED_RESOLUTION:
        row.last_used_at = now  # to the minute or so: not a database write on every request
    return row.user


def revoke_token(db: Session, token: str) -> None:
    """Revoke ``token`` (idempotent)."""
    row = db.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token)))
    if row is not None and row.revoked_at is None:
        row.revoked_at = utcnow()


def start_web_session(db: Session, user: User) -> str:
    """Record a page sign-in for ``user``; return the token its cookie carries (hash stored)."""
    token = secrets.token_urlsafe(32)
    db.add(WebSession(user_id=user.id, token_hash=_digest(token)))
    db.flush()
    return token


def user_for_web_session(db: Session, token: str, lifetime: timedelta) -> User | None:
    """Return the active user signed in with ``token``, or None: unknown (signed out), older
    than ``lifetime`` or deactivated."""
    row = db.scalar(select(WebSession).where(WebSession.token_hash == _digest(token)))
    if row is None or row.created_at <= utcnow() - lifetime:
        return None
    user = db.get(User, row.user_id)
    return user if user is not None and user.active else None


def end_web_sessions(db: Session, token: str, lifetime: timedelta) -> None:
    """Delete the sign-in behind ``token`` (signing out) and every sign-in past ``lifetime``."""
    db.execute(
        delete(WebSession).where(
            or_(
                WebSession.token_hash == _digest(token),
                WebSession.created_at <= utcnow() - lifetime,
            )
        )
    )


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


# A hash of a random password nobody kept, made by werkzeug's default method (the one
# create_user uses): checking against it costs what checking a real password does, and, being
# fixed, the first unknown name costs no extra hashing either (tests/test_tokens.py compares).
_DUMMY_HASH = (
    "scrypt:32768:8:1$m88JtkPJVO4kGHb1$21a5bfad578a2f8281350792753088bc9ea58e3467b565089de910c8"
    "1195fb2f1a78a3c0d85942c412c72f7fdb385f26c63bf7e5f649937f7be4d338f7375abe"
)


def _dummy_hash() -> str:
    return _DUMMY_HASH
