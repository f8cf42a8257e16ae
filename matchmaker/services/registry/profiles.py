"""Self-service profiles: the fields an event locks, and every profile change on the audit trail.

A party edits its own registration (``parties.edit_project`` / ``edit_institution``); the
organiser locks registration fields per event (``Event.locked_fields``), and after the event's
``registration_deadline`` name, track and group lock by themselves. A locked field is refused to
the party, naming it, and stays open to organisers. Each saved edit puts one entry on the audit
trail (who, when, each changed field before → after), which organisers see as the profile's
"Changes"; a rename keeps its own entry and list (``names.record_rename``, ``names.renames``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaker.db.models import (
    AuditEntry,
    Event,
    Institution,
    MatchmakingSession,
    PortfolioEntry,
    Project,
    User,
)
from matchmaker.db.types import utcnow
from matchmaker.domain import Role, Stage
from matchmaker.errors import InvalidInput, PermissionDenied, Problem
from matchmaker.services.audit import record
from matchmaker.services.registry.access import edits_locked_fields
from matchmaker.services.registry.events import get_event

PROFILE = "update"  # the audit action of a profile edit
ATTACH, DETACH = "attach", "detach"  # a file added to or deleted from a project's profile
SHOWN_ACTIONS = (PROFILE, ATTACH, DETACH)  # renames have their own list (names.renames)
SEES_CHANGES = (Role.ORGANISER, Role.STAFF)

PROJECT_FIELDS = (
    "name", "track", "group", "sectors", "stage", "funding_ask", "region", "needs",
    "description", "contact_name", "contact_phone", "contact_email", "sessions",
)  # fmt: skip
INSTITUTION_FIELDS = (
    "name", "type", "focus_sectors", "stages", "ticket_min", "ticket_max", "regions", "thesis",
    "portfolio", "hard_region", "hard_stage", "hard_ticket", "contact_name", "contact_phone",
    "contact_email", "sessions",
)  # fmt: skip
# What an organiser may lock: the fields a registration is judged and grouped by.
LOCKABLE = (
    "name", "track", "group", "stage", "funding_ask", "sectors", "region", "needs",
    "description", "type",
)  # fmt: skip
DEADLINE_LOCKED = ("name", "track", "group")  # locked by themselves once the deadline passed


def fields_of(row: Project | Institution) -> tuple[str, ...]:
    """Return the profile fields of ``row``'s kind."""
    return PROJECT_FIELDS if isinstance(row, Project) else INSTITUTION_FIELDS


# ---- locks ---------------------------------------------------------------------------------


def locked_fields(event: Event, now: datetime | None = None) -> frozenset[str]:
    """Return the fields locked in ``event`` now: those the organiser chose, and name, track
    and group once the registration deadline has passed."""
    locked = set(event.locked_fields or ())
    deadline = event.registration_deadline
    if deadline is not None and (now or utcnow()) >= deadline:
        locked.update(DEADLINE_LOCKED)
    return frozenset(locked)


def locked_for(db: Session, viewer: User, row: Project | Institution) -> frozenset[str]:
    """Return the fields of ``row`` that ``viewer`` may not change (none for organisers)."""
    if edits_locked_fields(viewer):
        return frozenset()
    return locked_fields(db.get_one(Event, row.event_id)) & set(fields_of(row))


def ensure_unlocked(
    db: Session, viewer: User, row: Project | Institution, data: dict[str, Any]
) -> None:
    """Refuse (PermissionDenied, naming each field) a party changing a locked field; sending a
    locked field's current value back unchanged is fine (a form or client that sends all)."""
    locked = locked_for(db, viewer, row)
    refused = [
        key for key in data if key in locked and plain(data[key]) != plain(getattr(row, key, None))
    ]
    if refused:
        problems = [
            Problem("profile.field_locked", column=key, value=plain(data[key])) for key in refused
        ]
        raise PermissionDenied("profile.fields_locked", problems, fields=", ".join(refused))


@dataclass(frozen=True)
class Locks:
    """An event's lock settings as its form shows them."""

    fields: frozenset[str]
    deadline: datetime | None
    locked_now: frozenset[str]


def event_locks(event: Event) -> Locks:
    """Return ``event``'s lock settings and the fields locked now."""
    return Locks(
        frozenset(event.locked_fields or ()), event.registration_deadline, locked_fields(event)
    )


def locks_of(db: Session, viewer: User, code: str) -> Locks:
    """Return the lock settings of the event ``code`` (organisers)."""
    if viewer.role is not Role.ORGANISER:
        raise PermissionDenied()
    return event_locks(get_event(db, code))


def lock_event(
    db: Session, viewer: User, code: str, fields: Iterable[str], deadline: datetime | None
) -> Locks:
    """Set the locks of the event ``code``: see :func:`set_locks`."""
    return set_locks(db, viewer, get_event(db, code), fields, deadline)


def set_locks(
    db: Session,
    viewer: User,
    event: Event,
    fields: Iterable[str],
    deadline: datetime | None,
) -> Locks:
    """Set the fields ``event`` locks and its registration deadline (organisers), audited."""
    if viewer.role is not Role.ORGANISER:
        raise PermissionDenied()
    chosen = list(dict.fromkeys(fields))
    unknown = [f for f in chosen if f not in LOCKABLE]
    if unknown:
        problems = [
            Problem("field.invalid_choice", column="locked_fields", value=f,
                    params={"choices": ", ".join(LOCKABLE)})
            for f in unknown
        ]  # fmt: skip
        raise InvalidInput(None, problems)
    before = _lock_state(event)
    event.locked_fields = [f for f in LOCKABLE if f in chosen]
    event.registration_deadline = deadline
    after = _lock_state(event)
    if before != after:
        db.flush()
        entry = record(db, event, PROFILE, viewer, before, after)
        entry.event_id = event.id
    return event_locks(event)


def _lock_state(event: Event) -> dict[str, Any]:
    deadline = event.registration_deadline
    return {
        "locked_fields": list(event.locked_fields or ()),
        "registration_deadline": deadline.isoformat() if deadline else None,
    }


# ---- the audit trail -----------------------------------------------------------------------


def plain(value: Any) -> Any:
    """Return a profile value as the audit trail keeps it (JSON): vocabulary codes, lists of
    them, portfolio entries as people write them, sessions by code."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, PortfolioEntry):
        return _entry(value.company, value.sectors, value.stage)
    if isinstance(value, dict) and "company" in value:  # a portfolio entry as sent
        return _entry(value["company"], value.get("sectors", []), value.get("stage"))
    if isinstance(value, MatchmakingSession):
        return value.code
    return value


def _entry(company: str, sectors: list[str], stage: Any) -> str:
    """A portfolio entry as people write it (and the form reads it): 公司A（储能，A轮）."""
    inner = [*sectors, *([Stage(plain(stage)).label("zh")] if stage else [])]
    return f"{company}（{'，'.join(inner)}）" if inner else company


def snapshot(row: Project | Institution) -> dict[str, Any]:
    """Return ``row``'s profile fields as the audit trail keeps them."""
    return {key: plain(getattr(row, key)) for key in fields_of(row)}


def record_changes(
    db: Session, row: Project | Institution, before: dict[str, Any], actor: User
) -> AuditEntry | None:
    """Put one entry on the audit trail holding each field that changed since ``before`` (a
    rename has its own entry); nothing when nothing changed."""
    after = snapshot(row)
    changed = [k for k in before if k != "name" and before[k] != after.get(k)]
    if not changed:
        return None
    return record(
        db, row, PROFILE, actor, {k: before[k] for k in changed}, {k: after[k] for k in changed}
    )


@dataclass(frozen=True)
class Change:
    """One entry of a profile's changes as organisers see it: each field before → after."""

    at: datetime
    actor: str
    action: str
    fields: list[tuple[str, Any, Any]]


def changes(db: Session, viewer: User, row: Project | Institution) -> list[Change]:
    """Return the changes to ``row``'s profile, newest first (organisers and staff; anyone
    else gets an empty list)."""
    if viewer.role not in SEES_CHANGES:
        return []
    entries = db.scalars(
        select(AuditEntry)
        .where(
            AuditEntry.entity_type == type(row).__tablename__,
            AuditEntry.entity_id == row.id,
            AuditEntry.action.in_(SHOWN_ACTIONS),
        )
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    ).all()
    out = []
    for entry in entries:
        before, after = entry.before or {}, entry.after or {}
        keys = list(dict.fromkeys([*before, *after]))
        out.append(
            Change(
                entry.at,
                entry.actor_label,
                entry.action,
                [(k, before.get(k), after.get(k)) for k in keys],
            )
        )
    return out


def ensure_may_edit(viewer: User, editable: bool) -> None:
    """Refuse (PermissionDenied) a profile ``viewer`` may not edit."""
    if not editable:
        raise PermissionDenied()
