"""The intent ledger: record, move along the ladder, delete — each change checked and audited.

Who may do what: staff and organisers every intent of the event; an investor only their own
institution's (and only that institution may be named on a new one); an entrant reads their
own project's and changes nothing. Rules of the ladder live in :mod:`matchmaker.ledger`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from matchmaker.db.models import AuditEntry, Event, Intent, Meeting, Project, User
from matchmaker.db.types import utcnow
from matchmaker.domain import LOCAL_TZ, IntentStatus, MeetingStatus, Role
from matchmaker.errors import Conflict, InvalidInput, NotFound, PermissionDenied, Problem
from matchmaker.ledger import IntentFacts, check_change
from matchmaker.messages import Ref
from matchmaker.services.audit import record

# The fields a user edits; the rest (ids, version, times) the service keeps.
EDITABLE = (
    "status",
    "amount",
    "signed_at",
    "signatories",
    "invested_amount",
    "invested_at",
    "drop_reason",
    "note",
    "session_id",
    "meeting_id",
)
TEXT_LIMITS = {"signatories": 300, "note": 5000, "reason": 500}


def today_local(now: datetime | None = None) -> date:
    """Return the competition's calendar date (Asia/Shanghai) at ``now`` (default: now)."""
    return (now or utcnow()).astimezone(LOCAL_TZ).date()


def may_write(viewer: User, intent_institution_id: int) -> bool:
    """Return whether ``viewer`` may create or change intents of that institution."""
    if viewer.role in (Role.STAFF, Role.ORGANISER):
        return True
    return viewer.role == Role.INVESTOR and viewer.institution_id == intent_institution_id


def may_read(viewer: User, intent: Intent) -> bool:
    """Return whether ``viewer`` may see ``intent`` (amounts included: it is theirs)."""
    if viewer.role in (Role.STAFF, Role.ORGANISER):
        return True
    if viewer.role == Role.INVESTOR:
        return viewer.institution_id == intent.institution_id
    return viewer.role == Role.ENTRANT and viewer.project_id == intent.project_id


def scoped(query: Select[Any], viewer: User | None) -> Select[Any]:
    """Restrict an ``Intent`` query to what ``viewer`` may read (None: the CLI, everything)."""
    if viewer is None:
        return query
    if viewer.role == Role.INVESTOR:
        return query.where(Intent.institution_id == viewer.institution_id)
    if viewer.role == Role.ENTRANT:
        return query.where(Intent.project_id == viewer.project_id)
    return query


def get_intent(db: Session, intent_id: int, viewer: User, lock: bool = False) -> Intent:
    """Return the intent ``viewer`` may read; 404 otherwise (its existence is not disclosed)."""
    query = select(Intent).where(Intent.id == intent_id)
    if lock:
        query = query.with_for_update(of=Intent)
    intent = db.scalar(query)
    if intent is None or not may_read(viewer, intent):
        raise NotFound(what=Ref("what.intent"), key=intent_id)
    return intent


def snapshot(intent: Intent) -> dict[str, Any]:
    """Return the audited picture of an intent: codes, not row ids; integer yuan; ISO dates."""
    return {
        "project_id": intent.project.code,
        "institution_id": intent.institution.code,
        "session": intent.session.code if intent.session else None,
        "meeting_id": intent.meeting_id,
        "status": intent.status.value,
        "amount": intent.amount,
        "signed_at": intent.signed_at.isoformat() if intent.signed_at else None,
        "signatories": intent.signatories,
        "invested_amount": intent.invested_amount,
        "invested_at": intent.invested_at.isoformat() if intent.invested_at else None,
        "drop_reason": intent.drop_reason,
        "note": intent.note,
    }


def facts(values: dict[str, Any]) -> IntentFacts:
    """Return the ladder's view of an intent's field values."""
    return IntentFacts(
        status=values["status"],
        amount=values.get("amount"),
        signed_at=values.get("signed_at"),
        signatories=values.get("signatories") or "",
        invested_amount=values.get("invested_amount"),
        invested_at=values.get("invested_at"),
        drop_reason=values.get("drop_reason") or "",
    )


def current(intent: Intent) -> dict[str, Any]:
    """Return the intent's editable fields as plain values."""
    return {name: getattr(intent, name) for name in EDITABLE}


@dataclass(frozen=True)
class Pair:
    """An institution × project named by a caller, resolved to rows of one event."""

    event: Event
    project: Project
    institution_id: int


def met(db: Session, project_id: int, institution_id: int) -> Meeting | None:
    """Return the pair's most recent live meeting (held or scheduled), if they met."""
    return db.scalar(
        select(Meeting)
        .where(
            Meeting.project_id == project_id,
            Meeting.institution_id == institution_id,
            Meeting.status.in_((MeetingStatus.HELD, MeetingStatus.SCHEDULED)),
        )
        .order_by(Meeting.id.desc())
        .limit(1)
    )


def create_intent(
    db: Session,
    actor: User | None,
    event: Event,
    project: Project,
    institution_id: int,
    values: dict[str, Any],
    reason: str = "",
    now: datetime | None = None,
    action: str = "create",
) -> Intent:
    """Record a new intent for the pair; Conflict if the pair already has one.

    Without a meeting named, the pair's meeting (if they met in a session) is linked.
    """
    if actor is not None and not may_write(actor, institution_id):
        raise PermissionDenied()
    existing = db.scalar(
        select(Intent).where(
            Intent.project_id == project.id, Intent.institution_id == institution_id
        )
    )
    if existing is not None:
        raise Conflict("intent.exists", id=existing.id)
    values = {"status": IntentStatus.WATCHING, **values}
    if values.get("meeting_id") is None:
        meeting = met(db, project.id, institution_id)
        if meeting is not None:
            values["meeting_id"] = meeting.id
            values.setdefault("session_id", meeting.session_id)
    check_values(db, None, values, project.id, institution_id, reason, now)
    stamp = now or utcnow()
    intent = Intent(
        event_id=event.id,
        project_id=project.id,
        institution_id=institution_id,
        status_since=stamp,
        **{k: v for k, v in values.items() if k in EDITABLE and v is not None},
    )
    db.add(intent)
    db.flush()
    db.refresh(intent)
    after = snapshot(intent)
    if reason:
        after["reason"] = reason
    record(db, intent, action, actor, None, after)
    return intent


def update_intent(
    db: Session,
    actor: User | None,
    intent: Intent,
    changes: dict[str, Any],
    reason: str = "",
    version: int | None = None,
    now: datetime | None = None,
    action: str = "update",
) -> bool:
    """Apply ``changes`` (a subset of :data:`EDITABLE`); return whether anything changed.

    A ``version`` other than the intent's is a stale edit (Conflict): someone changed it since.
    """
    if actor is not None and not may_write(actor, intent.institution_id):
        raise PermissionDenied()
    if version is not None and version != intent.version:
        raise Conflict("intent.stale", id=intent.id, version=intent.version)
    old = current(intent)
    new = {**old, **{k: v for k, v in changes.items() if k in EDITABLE}}
    for name in ("signatories", "note", "drop_reason"):
        new[name] = new[name] or ""
    if new.get("status") != IntentStatus.DROPPED:
        new["drop_reason"] = ""  # a reopened intent no longer carries its old drop reason
    if new == old:
        return False
    check_values(db, old, new, intent.project_id, intent.institution_id, reason, now)
    before = snapshot(intent)
    for name, value in new.items():
        setattr(intent, name, value)
    if new["status"] != old["status"]:
        intent.status_since = now or utcnow()
    intent.version += 1
    db.flush()
    db.refresh(intent)
    after = snapshot(intent)
    changed = [k for k in after if after[k] != before[k]]
    entry_after = {k: after[k] for k in changed}
    if reason:
        entry_after["reason"] = reason
    record(db, intent, action, actor, {k: before[k] for k in changed}, entry_after)
    return True


def delete_intent(db: Session, actor: User, intent: Intent, reason: str = "") -> None:
    """Delete an intent (staff and organisers only); the trail keeps what it was."""
    if actor.role not in (Role.STAFF, Role.ORGANISER):
        raise PermissionDenied()
    before = snapshot(intent)
    record(db, intent, "delete", actor, before, {"reason": reason} if reason else None)
    db.delete(intent)
    db.flush()


def check_values(
    db: Session,
    old: dict[str, Any] | None,
    new: dict[str, Any],
    project_id: int,
    institution_id: int,
    reason: str,
    now: datetime | None,
) -> None:
    """Raise InvalidInput listing every problem with moving ``old`` (None: new) to ``new``."""
    problems = check_change(facts(old) if old else None, facts(new), reason, today_local(now))
    for name, limit in TEXT_LIMITS.items():
        value = reason if name == "reason" else new.get(name) or ""
        if len(value) > limit:
            problems.append(Problem("import.too_long", column=name, params={"limit": limit}))
    meeting_id = new.get("meeting_id")
    if meeting_id is not None:
        meeting = db.get(Meeting, meeting_id)
        if meeting is None or (meeting.project_id, meeting.institution_id) != (
            project_id,
            institution_id,
        ):
            problems.append(Problem("intent.bad_meeting", column="meeting_id", value=meeting_id))
        elif new.get("session_id") not in (None, meeting.session_id):
            problems.append(Problem("intent.meeting_session", column="session", value=meeting_id))
    if problems:
        raise InvalidInput("intent.invalid", problems, count=len(problems))


def history(db: Session, entity_type: str, entity_id: int) -> list[AuditEntry]:
    """Return the audit trail of one record, oldest first."""
    return list(
        db.scalars(
            select(AuditEntry)
            .where(AuditEntry.entity_type == entity_type, AuditEntry.entity_id == entity_id)
            .order_by(AuditEntry.at, AuditEntry.id)
        )
    )
