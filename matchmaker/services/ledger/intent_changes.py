"""Recording and changing intents: every change checked against the ladder and audited.

Who may change which intent is :func:`matchmaker.services.ledger.intents.may_write`; the rules
of the ladder live in :mod:`matchmaker.ledger`. The edges hand in what the user wrote
(:func:`intent_values` turns session codes into rows) and show what :func:`intent_problems`
or the refused change lists.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaker.db.models import Event, Intent, Meeting, Project, User
from matchmaker.db.types import utcnow
from matchmaker.domain import IntentStatus, MeetingStatus, Role
from matchmaker.errors import Conflict, InvalidInput, NotFound, PermissionDenied, Problem
from matchmaker.ledger import IntentFacts, check_change
from matchmaker.messages import Ref
from matchmaker.services.audit import record
from matchmaker.services.ledger.intents import get_intent, may_write, today_local
from matchmaker.services.registry.catalog import get_institution, get_project
from matchmaker.services.registry.events import find_session

# The fields a user edits; the rest (ids, version, times) the service keeps.
EDITABLE = (
    "status",
    "amount",
    "signed_at",
    "signatories",
    "invested_amount",
    "invested_amount_pending",
    "invested_at",
    "drop_reason",
    "note",
    "session_id",
    "meeting_id",
)
TEXT_LIMITS = {"signatories": 300, "note": 5000, "reason": 500}


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
        "invested_amount_pending": intent.invested_amount_pending,
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
        invested_amount_pending=bool(values.get("invested_amount_pending")),
    )


def current(intent: Intent) -> dict[str, Any]:
    """Return the intent's editable fields as plain values."""
    return {name: getattr(intent, name) for name in EDITABLE}


def _edited(intent: Intent, changes: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Return the intent's editable values before and after ``changes``."""
    old = current(intent)
    new = {**old, **{k: v for k, v in changes.items() if k in EDITABLE}}
    for name in ("signatories", "note", "drop_reason"):
        new[name] = new[name] or ""
    if new.get("status") != IntentStatus.DROPPED:
        new["drop_reason"] = ""  # a reopened intent no longer carries its old drop reason
    new["invested_amount_pending"] = pending(new)
    return old, new


def pending(values: dict[str, Any]) -> bool:
    """Return whether ``values`` still leave the invested amount to be fixed: asked for, landed,
    and no amount given (giving the amount fixes it; leaving 投资落地 drops the mark)."""
    return bool(
        values.get("invested_amount_pending")
        and values.get("status") == IntentStatus.INVESTED
        and values.get("invested_amount") is None
    )


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
    values["invested_amount_pending"] = pending(values)
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


def watch_after_meeting(db: Session, investor: User, meeting_id: int) -> Intent:
    """Return the pair's intent after the investor answered "继续跟进? yes" at a meeting, opening
    it at 关注 (watching) when the pair has none; an intent already on the ladder stays where
    it is (a tap never moves it, up or down). Amounts are untouched."""
    meeting = db.get(Meeting, meeting_id)
    if meeting is None or meeting.status != MeetingStatus.HELD:
        raise Conflict("attendance.rate_held_only")
    existing = db.scalar(
        select(Intent).where(
            Intent.project_id == meeting.project_id,
            Intent.institution_id == meeting.institution_id,
        )
    )
    if existing is not None:
        return existing
    values = {"meeting_id": meeting.id, "session_id": meeting.session_id}
    project, event = meeting.project, meeting.session.event
    return create_intent(
        db, investor, event, project, meeting.institution_id, values, action="follow_up"
    )


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
    old, new = _edited(intent, changes)
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


def intent_problems(
    db: Session,
    intent: Intent | None,
    values: dict[str, Any],
    project_id: int,
    institution_id: int,
    reason: str,
) -> list[Problem]:
    """Return every problem :func:`check_values` finds with ``values`` on ``intent`` (None: a
    new intent of the pair), writing nothing: a refused form then lists them all at once."""
    if intent is None:
        old, new = None, {"status": IntentStatus.WATCHING, **values}
        new["invested_amount_pending"] = pending(new)
    else:
        old, new = _edited(intent, values)
    try:
        check_values(db, old, new, project_id, institution_id, reason, None)
    except InvalidInput as exc:
        return exc.problems
    return []


def intent_values(db: Session, event: Event, fields: dict[str, Any]) -> dict[str, Any]:
    """Turn the fields an edge read (session code, drop reason) into the service's values.

    A session code of None or "" means no session; NotFound for a session or a meeting the
    event does not have.
    """
    skipped = ("session", "reason", "version", "event", "project_id", "institution_id")
    out = {k: v for k, v in fields.items() if k not in skipped}
    if "drop_reason" in out:
        out["drop_reason"] = str(out["drop_reason"] or "")
    if "session" in fields:
        code = fields["session"]
        found = find_session(event, code) if code else None
        if code and found is None:
            raise NotFound(what=Ref("what.session"), key=code)
        out["session_id"] = found.id if found else None
    if out.get("meeting_id") is not None and db.get(Meeting, out["meeting_id"]) is None:
        raise NotFound(what=Ref("what.meeting"), key=out["meeting_id"])
    return out


def add_intent(
    db: Session,
    actor: User,
    event: Event,
    project_code: str,
    institution_code: str,
    fields: dict[str, Any],
) -> Intent:
    """Record an intent for the pair named by registration ids, from the fields an edge read."""
    project = get_project(db, project_code, event.code)
    institution = get_institution(db, institution_code, event.code)
    if not may_write(actor, institution.id):
        raise PermissionDenied()
    values = intent_values(db, event, fields)
    return create_intent(
        db, actor, event, project, institution.id, values, fields.get("reason", "")
    )


def change_intent(db: Session, actor: User, intent_id: int, fields: dict[str, Any]) -> Intent:
    """Change the intent from the fields an edge read; a stale ``version`` is a Conflict."""
    intent = get_intent(db, intent_id, actor, lock=True)
    values = intent_values(db, intent.event, fields)
    update_intent(db, actor, intent, values, fields.get("reason", ""), fields.get("version"))
    return intent
