"""The organiser's list of accounts: who has one in an event, in which state, and switching an
account off (it can then neither sign in nor use a signed-in page, a token or a link) and on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from matchmaker.db.models import ApiToken, Event, Institution, Invitation, Project, User, WebSession
from matchmaker.db.types import utcnow
from matchmaker.domain import Role
from matchmaker.errors import InvalidInput, NotFound
from matchmaker.messages import Ref
from matchmaker.services import audit
from matchmaker.services.registry.access import ensure_manages_accounts
from matchmaker.services.registry.scopes import scope_ids

STAFF_ROLES = (Role.ORGANISER, Role.STAFF)
STATUSES = ("invited", "invite_expired", "active", "disabled", "no_link")
ORDER = {Role.ORGANISER: 0, Role.STAFF: 1, Role.INVESTOR: 2, Role.ENTRANT: 3}


@dataclass(frozen=True)
class AccountRow:
    """One account as the organiser's list shows it."""

    username: str
    display_name: str
    role: Role
    party_code: str
    party_name: str
    status: str  # one of STATUSES
    link_expires_at: datetime | None  # the unused link's, if there is one
    scope: str = ""  # an organiser's or staff account's event ("" : every event)

    @property
    def status_code(self) -> str:
        """Return the message code of the status."""
        return f"status.{self.status}"


def list_accounts(
    db: Session, event: Event, search: str = "", actor: User | None = None
) -> list[AccountRow]:
    """Return the accounts of ``event``'s projects and institutions, and the organiser and
    staff accounts (those inside ``actor``'s events when it is limited to some), whose user
    name, name or registration matches ``search`` (any part, any case)."""
    ensure_manages_accounts(actor)
    projects = select(Project.id).where(Project.event_id == event.id)
    institutions = select(Institution.id).where(Institution.event_id == event.id)
    users = list(
        db.scalars(
            select(User).where(
                or_(
                    User.project_id.in_(projects),
                    User.institution_id.in_(institutions),
                    User.role.in_([Role.ORGANISER, Role.STAFF]),
                )
            )
        )
    )
    pending: dict[int, datetime] = {}
    for user_id, expires in db.execute(
        select(Invitation.user_id, Invitation.expires_at)
        .where(Invitation.user_id.in_([u.id for u in users]))
        .where(Invitation.used_at.is_(None), Invitation.revoked_at.is_(None))
    ):
        pending[user_id] = max(expires, pending.get(user_id, expires))
    codes: dict[int, str] = {id_: code for id_, code in db.execute(select(Event.id, Event.code))}
    mine = scope_ids(db, actor) if actor is not None else None
    if mine is not None:  # an office limited to some events sees only the staff inside them
        users = [u for u in users if u.role not in STAFF_ROLES or u.scope_event_id in mine]
    rows = [_row(user, pending.get(user.id), codes) for user in users]
    wanted = search.strip().casefold()
    if wanted:
        rows = [r for r in rows if any(wanted in text.casefold() for text in _texts(r))]
    return sorted(rows, key=lambda r: (ORDER[r.role], r.party_code, r.username))


def set_active(db: Session, username: str, active: bool, actor: User | None = None) -> User:
    """Enable or disable ``username``. Disabling ends their page sign-ins and revokes their
    bearer tokens at once; their links refuse to open until the account is enabled again."""
    ensure_manages_accounts(actor)
    user = db.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(what=Ref("what.user"), key=username)
    if not active and actor is not None and actor.id == user.id:
        raise InvalidInput("accounts.not_yourself")
    if user.active == active:
        return user
    user.active = active
    if not active:
        db.execute(delete(WebSession).where(WebSession.user_id == user.id))
        db.execute(
            update(ApiToken)
            .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )
    audit.record(db, user, "enabled" if active else "disabled", actor, {"active": not active},
                 {"active": active})  # fmt: skip
    db.flush()
    return user


def _row(user: User, expires: datetime | None, codes: dict[int, str]) -> AccountRow:
    party = user.project if user.project is not None else user.institution
    if not user.active:
        status = "disabled"
    elif user.password_hash:
        status = "active"
    elif expires is None:
        status = "no_link"
    else:
        status = "invited" if expires > utcnow() else "invite_expired"
    return AccountRow(
        username=user.username,
        display_name=user.display_name,
        role=user.role,
        party_code=party.code if party is not None else "",
        party_name=party.name if party is not None else "",
        status=status,
        link_expires_at=expires,
        scope=codes.get(user.scope_event_id, "") if user.scope_event_id else "",
    )


def _texts(row: AccountRow) -> tuple[str, ...]:
    return (row.username, row.display_name, row.party_code, row.party_name)
