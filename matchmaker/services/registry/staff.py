"""Organiser and staff accounts added and limited from the accounts page, not only the CLI.

A city's office adds its counties' organisers (each limited to its county's event) and its own
staff without the command line: the new account has no password, and the one-time invitation
link (``links.send_link``) is shown once to the organiser who made it, to pass on.

An organiser limited to some events manages only accounts inside them: it may limit a new or
existing account to one of its own events, never widen one to every event or to an event it
does not see, nor change an account outside its scope. Every change is on the audit trail.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaker.db.models import Event, User
from matchmaker.domain import Role, parse_id
from matchmaker.errors import InvalidInput, NotFound, PermissionDenied, Problem
from matchmaker.messages import Ref
from matchmaker.services import audit
from matchmaker.services.registry.access import ensure_manages_accounts
from matchmaker.services.registry.accounts import create_user
from matchmaker.services.registry.links import INVITE, Invite, send_link
from matchmaker.services.registry.scopes import find_user, scope_ids, set_scope

STAFF_ROLES = (Role.ORGANISER, Role.STAFF)


def _scope_event(db: Session, actor: User | None, code: str) -> Event | None:
    """Return the event an account is to be limited to ("" → every event), as ``actor`` may
    grant it; InvalidInput naming the ``scope`` field otherwise."""
    mine = scope_ids(db, actor) if actor is not None else None
    code = code.strip()
    if not code:
        if mine is not None:
            problem = Problem("staff.cannot_widen", column="scope", value="")
            raise InvalidInput("staff.cannot_widen", [problem])
        return None
    event = db.scalar(select(Event).where(Event.code == code))
    if mine is not None and (event is None or event.id not in mine):
        # another county's event: as if it did not exist (the answer to any record of it)
        raise NotFound(what=Ref("what.event"), key=code)
    if event is None:
        problem = Problem("staff.unknown_scope", column="scope", value=code)
        raise InvalidInput("staff.unknown_scope", [problem], value=code)
    return event


def add_staff(
    db: Session,
    actor: User | None,
    username: str,
    display_name: str,
    role: str,
    scope: str,
    base_url: str,
    days: int,
) -> Invite:
    """Create an organiser or staff account limited to ``scope`` (an event code; "" for every
    event) and return its invitation (the link, shown once). Every bad field is named and
    nothing is written then."""
    ensure_manages_accounts(actor)
    problems: list[Problem] = []
    try:
        username = parse_id(username.strip(), "username")
        if not username:
            problems.append(Problem("staff.no_username", column="username", value=""))
    except InvalidInput as exc:
        problems.extend(exc.problems)
    parsed = next((r for r in STAFF_ROLES if r.value == role), None)
    if parsed is None:
        problems.append(Problem("staff.bad_role", column="role", value=role))
    event = None
    try:
        event = _scope_event(db, actor, scope)
    except InvalidInput as exc:
        problems.extend(exc.problems)
    if problems:
        raise InvalidInput("staff.invalid", problems, count=len(problems))
    assert parsed is not None
    made = create_user(db, username, parsed, "", display_name.strip()[:200])
    set_scope(db, made, event)
    after = {"role": parsed.value, "scope": event.code if event is not None else None}
    audit.record(db, made, "created", actor, None, after)
    return send_link(db, username, INVITE, base_url, days, actor=actor)


def rescope(db: Session, actor: User | None, username: str, scope: str) -> User:
    """Limit an organiser or staff account to ``scope`` (an event code; "" for every event).

    An actor limited to some events may only change accounts already inside them, and only
    to one of its events (PermissionDenied, InvalidInput naming ``scope``)."""
    ensure_manages_accounts(actor)
    target = find_user(db, username)
    if target.role not in STAFF_ROLES:
        raise InvalidInput("scope.not_staff", key=username)
    mine = scope_ids(db, actor) if actor is not None else None
    if mine is not None and (target.scope_event_id is None or target.scope_event_id not in mine):
        raise PermissionDenied()
    event = _scope_event(db, actor, scope)
    before = target.scope_event_id
    set_scope(db, target, event)
    if before != target.scope_event_id:
        audit.record(db, target, "scope", actor, {"scope_event_id": before},
                     {"scope_event_id": target.scope_event_id})  # fmt: skip
    return target
