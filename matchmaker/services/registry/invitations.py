"""Getting people in: an account and a one-time invitation link (:mod:`links`) for every
project or institution contact of an event in one step, and the list to send them by mail
merge or SMS."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaker.db.models import Event, Institution, Project, User
from matchmaker.db.transactions import begin_write
from matchmaker.db.types import utcnow
from matchmaker.domain import Role, local_minute
from matchmaker.errors import InvalidInput, Problem
from matchmaker.messages import render
from matchmaker.services import audit
from matchmaker.services.registry.access import ensure_manages_accounts
from matchmaker.services.registry.links import (
    DEFAULT_DAYS,
    INVITE,
    Invite,
    check_days,
    invite_of,
    link_url,
    new_link,
    revoke_pending,
    tell_links,
)
from matchmaker.tabular.write import write_table

Source = Literal["projects", "institutions"]
SOURCES: tuple[Source, ...] = ("projects", "institutions")
USERNAME_MAX = 100  # users.username

_EMAIL = re.compile(r"[^\s,;，；、<>()（）]+@[^\s,;，；、<>()（）]+\.[A-Za-z]{2,}")
_PHONE = re.compile(r"\+?\d[\d\- ]{5,18}\d")


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
    check_days(days)
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
    revoke_pending(db, [user.id for user, _party in again])
    expires = utcnow() + timedelta(days=days)
    invites = []
    for user, party in made + again:
        token = new_link(db, user, INVITE, expires)
        invites.append(invite_of(user, party, link_url(base_url, INVITE, token), expires))
    db.flush()
    tell_links(db, [(u, p, i) for (u, p), i in zip(made + again, invites, strict=True)], INVITE)
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
