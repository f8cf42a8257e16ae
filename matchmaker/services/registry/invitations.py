"""Getting people in: an account and a one-time link for every contact of an event, and the
links' life (open, redeem once, expire, revoke, re-send, reset).

A link carries a random token; only its SHA-256 is stored (``Invitation``). No password is
hashed when people are invited (hashing is deliberately slow): the person chooses one when they
open the link, under the policy of :mod:`passwords`.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from matchmaker.db.models import Event, Institution, Invitation, Project, User, WebSession
from matchmaker.db.transactions import begin_write
from matchmaker.db.types import utcnow
from matchmaker.domain import Role, local_minute
from matchmaker.errors import Gone, InvalidInput, NotFound, Problem
from matchmaker.messages import Ref, render
from matchmaker.services import audit
from matchmaker.services.registry.access import ensure_manages_accounts
from matchmaker.services.registry.passwords import check_password
from matchmaker.tabular.write import write_table

INVITE, RESET = "invite", "reset"
PATHS = {INVITE: "invite", RESET: "reset"}  # the page that opens each kind of link
DEFAULT_DAYS = 14
MAX_DAYS = 365
Source = Literal["projects", "institutions"]
SOURCES: tuple[Source, ...] = ("projects", "institutions")
USERNAME_MAX = 100  # users.username

_EMAIL = re.compile(r"[^\s,;，；、<>()（）]+@[^\s,;，；、<>()（）]+\.[A-Za-z]{2,}")
_PHONE = re.compile(r"\+?\d[\d\- ]{5,18}\d")


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


@dataclass(frozen=True)
class InviteRun:
    """What one bulk invitation did: the links issued, and how many contacts it left alone
    (already invited, active or disabled)."""

    invites: list[Invite]
    skipped: int


def invite_contacts(
    db: Session,
    event: Event,
    source: Source,
    base_url: str,
    days: int = DEFAULT_DAYS,
    resend: bool = False,
    actor: User | None = None,
) -> InviteRun:
    """Create an account and a one-time invitation link for every contact of ``event``'s
    projects (entrants) or institutions (investors) that has no account yet, in the caller's
    transaction.

    Running it again invites nobody twice; with ``resend`` the people invited but not yet
    active get a new link (the old one is revoked). Active and disabled accounts are left alone.
    """
    ensure_manages_accounts(actor)
    if source not in SOURCES:
        raise InvalidInput(None, [Problem("field.invalid_choice", column="from", value=source,
                                          params={"choices": ", ".join(SOURCES)})])  # fmt: skip
    _check_days(days)
    # One bulk invitation of an event at a time (two organisers clicking at once would each
    # see nobody invited): PostgreSQL locks the event's row, SQLite takes its write lock.
    begin_write(db)
    db.execute(select(Event.id).where(Event.id == event.id).with_for_update())
    role = Role.ENTRANT if source == "projects" else Role.INVESTOR
    link_column = User.project_id if source == "projects" else User.institution_id
    parties: list[Project | Institution] = []
    if source == "projects":
        parties.extend(db.scalars(select(Project).where(Project.event_id == event.id)))
    else:
        parties.extend(db.scalars(select(Institution).where(Institution.event_id == event.id)))
    parties.sort(key=lambda party: party.code)
    holders: dict[int, User] = {}
    for user in db.scalars(
        select(User)
        .where(link_column.in_([party.id for party in parties]))
        .order_by(User.id.desc())  # the first account made for a registration wins
    ):
        owner = user.project_id if role is Role.ENTRANT else user.institution_id
        if owner is not None:
            holders[owner] = user
    taken = set(db.scalars(select(User.username)))
    made: list[tuple[User, Project | Institution]] = []
    again: list[tuple[User, Project | Institution]] = []
    for party in parties:
        holder = holders.get(party.id)
        if holder is None:
            user = User(
                username=_username(party, event, taken),
                role=role,
                display_name=party.contact_name or party.name,
                project_id=party.id if role is Role.ENTRANT else None,
                institution_id=party.id if role is Role.INVESTOR else None,
                password_hash="",
            )
            made.append((user, party))
        elif resend and holder.active and not holder.password_hash:
            again.append((holder, party))
    db.add_all([user for user, _party in made])
    db.flush()
    _revoke_pending(db, [user.id for user, _party in again])
    expires = utcnow() + timedelta(days=days)
    invites = []
    for user, party in made + again:
        token = _new_link(db, user, INVITE, expires)
        invites.append(_invite(user, party, _link(base_url, INVITE, token), expires))
    db.flush()
    for user, _party in made:
        audit.record(db, user, "invited", actor, after={"username": user.username})
    for user, _party in again:
        audit.record(db, user, "link_sent", actor, after={"purpose": INVITE})
    return InviteRun(sorted(invites, key=lambda i: i.party_code), len(parties) - len(invites))


INVITE_COLUMNS = (
    "col.party_code",
    "col.party_name",
    "col.contact_name",
    "col.phone",
    "col.email",
    "col.role",
    "col.username",
    "col.link",
    "col.expires",
)


def invites_table(invites: Sequence[Invite], fmt: str, lang: str = "zh") -> bytes:
    """Return the invitation list as CSV or XLSX, one person a row, for mail merge or SMS."""
    headers = [render(code, lang) for code in INVITE_COLUMNS]
    rows = [
        (
            i.party_code,
            i.party_name,
            i.contact_name,
            i.phone,
            i.email,
            i.role.label(lang),
            i.username,
            i.link,
            local_minute(i.expires_at),
        )  # fmt: skip
        for i in invites
    ]
    return write_table(headers, rows, fmt)


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
    _check_days(days)
    user = _user(db, username)
    if not user.active:
        raise Gone("link.disabled")
    if purpose == INVITE and user.password_hash:
        raise InvalidInput("accounts.active_already", who=user.username)
    _revoke_pending(db, [user.id])
    expires = utcnow() + timedelta(days=days)
    token = _new_link(db, user, purpose, expires)
    db.flush()
    audit.record(db, user, "link_sent", actor, after={"purpose": purpose})
    party = user.project if user.project is not None else user.institution
    return _invite(user, party, _link(base_url, purpose, token), expires)


def revoke_links(db: Session, username: str, actor: User | None = None) -> int:
    """Revoke every unused link of ``username``; return how many there were."""
    ensure_manages_accounts(actor)
    user = _user(db, username)
    count = _revoke_pending(db, [user.id])
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
    _revoke_pending(db, [user.id])
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


def _new_link(db: Session, user: User, purpose: str, expires: datetime) -> str:
    token = secrets.token_urlsafe(32)
    db.add(
        Invitation(user_id=user.id, token_hash=_digest(token), purpose=purpose, expires_at=expires)
    )
    return token


def _revoke_pending(db: Session, user_ids: Sequence[int]) -> int:
    if not user_ids:
        return 0
    done = db.execute(
        update(Invitation)
        .where(Invitation.user_id.in_(user_ids), Invitation.used_at.is_(None))
        .where(Invitation.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    return int(done.rowcount)  # type: ignore[attr-defined]


def _invite(
    user: User, party: Project | Institution | None, link: str, expires: datetime
) -> Invite:
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


def _username(party: Project | Institution, event: Event, taken: set[str]) -> str:
    """The contact's e-mail, else phone, else ``<event>-<code>``: the first not yet taken (a
    person who is the contact of two registrations gets a second name by the next rule), and a
    numbered ``<event>-<code>-2`` as the last resort."""
    email = _EMAIL.search(party.contact_email or "")
    phone = _PHONE.search(party.contact_phone or "")
    candidates: Iterable[str] = (
        email.group(0).lower() if email else "",
        re.sub(r"[\s\-]", "", phone.group(0)) if phone else "",
        f"{event.code}-{party.code}",
    )
    for name in candidates:
        if name and len(name) <= USERNAME_MAX and name not in taken:
            taken.add(name)
            return name
    base, n = f"{event.code}-{party.code}"[: USERNAME_MAX - 6], 2
    while f"{base}-{n}" in taken:
        n += 1
    taken.add(f"{base}-{n}")
    return f"{base}-{n}"


def _link(base_url: str, purpose: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/{PATHS[purpose]}/{token}"


def _user(db: Session, username: str) -> User:
    user = db.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(what=Ref("what.user"), key=username)
    return user


def _check_days(days: int) -> None:
    if not 1 <= days <= MAX_DAYS:
        raise InvalidInput(None, [Problem("accounts.bad_days", column="days", value=days,
                                          params={"max": MAX_DAYS})])  # fmt: skip


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
