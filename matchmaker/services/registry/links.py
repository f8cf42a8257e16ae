"""One-time links: an invitation to a new account, or a password reset. A link is opened once
(its page names whom it is for), expires, can be revoked, and a newer link for the same person
revokes the older. Only the token's SHA-256 is stored (``Invitation``).

No password is hashed until the person chooses one on the link's page, under the policy of
:mod:`passwords`: inviting hundreds of people hashes nothing.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from matchmaker.db.models import Event, Institution, Invitation, Project, User, WebSession
from matchmaker.db.transactions import begin_write
from matchmaker.db.types import utcnow
from matchmaker.domain import NoticeKind, Role, local_minute
from matchmaker.errors import Gone, InvalidInput, NotFound, Problem
from matchmaker.messages import Ref
from matchmaker.services import audit
from matchmaker.services.notifications.outbox import notify_each
from matchmaker.services.registry.access import ensure_manages_accounts
from matchmaker.services.registry.passwords import check_password

INVITE, RESET = "invite", "reset"
PATHS = {INVITE: "invite", RESET: "reset"}  # the page that opens each kind of link
DEFAULT_DAYS = 14
MAX_DAYS = 365


@dataclass(frozen=True)
class Invite:
    """One person invited (or sent a new link): whom, for which registration, and the link
    (shown once: only its hash is kept)."""

    username: str
    display_name: str
    role: Role
    party_code: str
    party_name: str
    contact_name: str
    phone: str
    email: str
    link: str
    expires_at: datetime


def send_link(
    db: Session,
    username: str,
    purpose: str,
    base_url: str,
    days: int = DEFAULT_DAYS,
    actor: User | None = None,
) -> Invite:
    """Issue a new one-time link for ``username`` (revoking any earlier one): an invitation for
    an account without a password yet (re-send), or a password reset (``purpose`` "reset")."""
    ensure_manages_accounts(actor)
    check_days(days)
    user = _user(db, username)
    if not user.active:
        raise Gone("link.disabled")
    if purpose == INVITE and user.password_hash:
        raise InvalidInput("accounts.active_already", who=user.username)
    revoke_pending(db, [user.id])
    expires = utcnow() + timedelta(days=days)
    token = new_link(db, user, purpose, expires)
    db.flush()
    audit.record(db, user, "link_sent", actor, after={"purpose": purpose})
    party = user.project if user.project is not None else user.institution
    invite = invite_of(user, party, link_url(base_url, purpose, token), expires)
    tell_links(db, [(user, party, invite)], purpose)
    return invite


def revoke_links(db: Session, username: str, actor: User | None = None) -> int:
    """Revoke every unused link of ``username``; return how many there were."""
    ensure_manages_accounts(actor)
    user = _user(db, username)
    count = revoke_pending(db, [user.id])
    if count:
        audit.record(db, user, "links_revoked", actor, after={"count": count})
    return count


@dataclass(frozen=True)
class LinkHolder:
    """Whom a usable link is for, as its page greets them."""

    username: str
    display_name: str
    role: Role
    party_name: str
    purpose: str
    expires_at: datetime


def open_link(db: Session, token: str, purpose: str) -> LinkHolder:
    """Return whom the link ``token`` is for; NotFound if there is no such link, Gone (saying
    why) if it expired, was used or revoked, or its account is disabled."""
    row = _usable(db, token, purpose)
    user = row.user
    party = user.project if user.project is not None else user.institution
    name = party.name if party is not None else ""
    return LinkHolder(user.username, user.display_name, user.role, name, purpose, row.expires_at)


def redeem_link(
    db: Session, token: str, purpose: str, password: str, confirm: str | None = None
) -> User:
    """Set the password of the link's account (policy checked), spend the link and return the
    user, now active. A reset also ends the account's page sign-ins everywhere."""
    begin_write(db)  # SQLite: the link read below stays as read until the commit
    row = _usable(db, token, purpose)
    user = row.user
    if confirm is not None and confirm != password:
        raise InvalidInput("password.refused", [Problem("password.mismatch", column="confirm")])
    check_password(password, user.username, user.display_name)
    spent = db.execute(
        update(Invitation)
        .where(Invitation.id == row.id, Invitation.used_at.is_(None))
        .where(Invitation.revoked_at.is_(None))
        .values(used_at=utcnow())
    )
    if spent.rowcount != 1:  # type: ignore[attr-defined]  # the same link redeemed at once
        raise Gone("link.used")
    user.password_hash = generate_password_hash(password)
    revoke_pending(db, [user.id])
    if purpose == RESET:
        db.execute(delete(WebSession).where(WebSession.user_id == user.id))
    audit.record(db, user, "password_set", user, after={"purpose": purpose})
    db.flush()
    return user


def _usable(db: Session, token: str, purpose: str) -> Invitation:
    row = db.scalar(
        select(Invitation).where(
            Invitation.token_hash == _digest(token), Invitation.purpose == purpose
        )
    )
    if row is None:
        raise NotFound("link.unknown")
    if row.used_at is not None:
        raise Gone("link.used")
    if row.revoked_at is not None:
        raise Gone("link.revoked")
    if row.expires_at <= utcnow():
        raise Gone("link.expired", when=local_minute(row.expires_at))
    if not row.user.active:
        raise Gone("link.disabled")
    return row


def new_link(db: Session, user: User, purpose: str, expires: datetime) -> str:
    """Add a link for ``user`` (its hash); return the token, which only the link carries."""
    token = secrets.token_urlsafe(32)
    db.add(
        Invitation(user_id=user.id, token_hash=_digest(token), purpose=purpose, expires_at=expires)
    )
    return token


def revoke_pending(db: Session, user_ids: Sequence[int]) -> int:
    """Revoke the unused links of ``user_ids``; return how many there were."""
    if not user_ids:
        return 0
    done = db.execute(
        update(Invitation)
        .where(Invitation.user_id.in_(user_ids), Invitation.used_at.is_(None))
        .where(Invitation.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    return int(done.rowcount)  # type: ignore[attr-defined]


def invite_of(
    user: User, party: Project | Institution | None, link: str, expires: datetime
) -> Invite:
    """Return ``user``'s invite as listed and shown: whom, for which registration, the link."""
    return Invite(
        username=user.username,
        display_name=user.display_name,
        role=user.role,
        party_code=party.code if party is not None else "",
        party_name=party.name if party is not None else "",
        contact_name=party.contact_name if party is not None else "",
        phone=party.contact_phone if party is not None else "",
        email=party.contact_email if party is not None else "",
        link=link,
        expires_at=expires,
    )


def tell_links(
    db: Session,
    sent: Sequence[tuple[User, Project | Institution | None, Invite]],
    purpose: str,
) -> None:
    """Write each person's link as a notice to them alone (``invitation`` or
    ``password_reset``), so it can go by e-mail; a security notice, never muted. The link is in
    that person's notice only: nobody else's list or message carries it."""
    kind = NoticeKind.PASSWORD_RESET if purpose == RESET else NoticeKind.INVITATION
    by_event: dict[int | None, list[tuple[User, dict[str, str], list[dict[str, str]]]]] = {}
    for user, party, invite in sent:
        event = db.get(Event, party.event_id) if party is not None else None
        params = {
            "event": event.name if event is not None else "",
            "event_en": (event.name_en or event.name) if event is not None else "",
            "username": user.username,
            "link": invite.link,
            "expires": local_minute(invite.expires_at),
        }
        letters = by_event.setdefault(event.id if event is not None else None, [])
        letters.append((user, params, []))
    for event_id, letters in by_event.items():
        notify_each(db, kind, letters, event_id=event_id)


def link_url(base_url: str, purpose: str, token: str) -> str:
    """Return the address that opens the link ``token`` on the server at ``base_url``."""
    return f"{base_url.rstrip('/')}/{PATHS[purpose]}/{token}"


def _user(db: Session, username: str) -> User:
    user = db.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(what=Ref("what.user"), key=username)
    return user


def check_days(days: int) -> None:
    """Refuse (InvalidInput naming ``days``) a lifetime outside 1…MAX_DAYS days."""
    if not 1 <= days <= MAX_DAYS:
        raise InvalidInput(None, [Problem("accounts.bad_days", column="days", value=days,
                                          params={"max": MAX_DAYS})])  # fmt: skip


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
