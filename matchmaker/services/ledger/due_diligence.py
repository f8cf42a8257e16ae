"""Follow-up tasks: due diligence (入场评估考察 / 尽调) and government services' own tasks.

A due-diligence task belongs to an institution × project (and to the pair's intent when there
is one). A service task (贷款对接, 入驻, 培训, 政策申报) belongs to a project and names its
counterpart (a city service, a park) as text, with or without an institution. Staff
and organisers create and change tasks; an investor reads their institution's, an entrant their
project's. "Today" is the competition's calendar day (Asia/Shanghai), whatever the server's
clock zone: a task due on the 30th is overdue from 00:00 on the 1st in Beijing time. What needs
chasing each day is :mod:`matchmaker.services.ledger.digest`.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from datetime import date, timedelta
from email.message import EmailMessage
from typing import Any, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from matchmaker.config import Settings
from matchmaker.db.models import (
    AuditEntry,
    DueDiligence,
    Event,
    Institution,
    Intent,
    Project,
    User,
)
from matchmaker.domain import DueDiligenceStatus, Role, TaskKind
from matchmaker.errors import Conflict, InvalidInput, NotFound, PermissionDenied, Problem
from matchmaker.messages import Ref
from matchmaker.services.audit import record
from matchmaker.services.ledger.intents import STAFF, history
from matchmaker.services.registry.catalog import Page, get_institution, get_project, paginate

Q = TypeVar("Q", bound=Select[Any])  # a query of rows :func:`scoped` narrows
EDITABLE = (
    "owner",
    "due_date",
    "next_follow_up",
    "status",
    "outcome",
    "intent_id",
    "kind",
    "counterpart",
)
LIMITS = {"owner": 100, "outcome": 5000, "counterpart": 200}


def may_write(viewer: User | None) -> bool:
    """Return whether ``viewer`` (None: the CLI) may create or change tasks."""
    return viewer is None or viewer.role in STAFF


def scoped(query: Q, viewer: User | None, model: Any = DueDiligence) -> Q:
    """Restrict a query of ``model`` rows (a task, a landing: anything with ``project_id`` and
    ``institution_id``) to what ``viewer`` may read (None: everything): an investor its
    institution's, an entrant its project's, staff and organisers all."""
    if viewer is None:
        return query
    if viewer.role == Role.INVESTOR:
        return query.where(model.institution_id == viewer.institution_id)
    if viewer.role == Role.ENTRANT:
        return query.where(model.project_id == viewer.project_id)
    return query


def of_event(event: Event) -> Select[DueDiligence]:
    """Return the query of an event's tasks."""
    return (
        select(DueDiligence)
        .join(Project, Project.id == DueDiligence.project_id)
        .where(Project.event_id == event.id)
    )


def get_task(db: Session, task_id: int, viewer: User) -> DueDiligence:
    """Return a task ``viewer`` may read; 404 otherwise."""
    found = db.scalar(scoped(select(DueDiligence).where(DueDiligence.id == task_id), viewer))
    if found is None:
        raise NotFound(what=Ref("what.due_diligence"), key=task_id)
    return found


def is_overdue(task: DueDiligence, day: date) -> bool:
    """Return whether ``task`` is open and was due before the local ``day``."""
    return bool(task.status == DueDiligenceStatus.OPEN and task.due_date and task.due_date < day)


@dataclass(frozen=True)
class TaskFilters:
    """What a list of tasks is narrowed to (None: any); registration ids as users write them."""

    status: DueDiligenceStatus | None = None
    owner: str | None = None
    project: str | None = None
    institution: str | None = None
    kind: TaskKind | None = None


def _listed(event: Event, viewer: User | None, filters: TaskFilters) -> Select[DueDiligence]:
    query = scoped(of_event(event), viewer)
    if filters.status:
        query = query.where(DueDiligence.status == filters.status)
    if filters.owner:
        query = query.where(DueDiligence.owner == filters.owner)
    if filters.kind:
        query = query.where(DueDiligence.kind == filters.kind)
    if filters.project:
        query = query.where(Project.code == filters.project)
    if filters.institution:
        query = query.join(Institution, Institution.id == DueDiligence.institution_id).where(
            Institution.code == filters.institution
        )
    # soonest due first, undated last
    return query.order_by(DueDiligence.due_date.is_(None), DueDiligence.due_date, DueDiligence.id)


def list_tasks(
    db: Session, event: Event, viewer: User | None, filters: TaskFilters | None = None
) -> list[DueDiligence]:
    """Return the tasks of ``event`` that ``viewer`` may read and ``filters`` keep."""
    return list(db.scalars(_listed(event, viewer, filters or TaskFilters())))


def task_page(
    db: Session,
    event: Event,
    viewer: User | None,
    filters: TaskFilters,
    page: int,
    page_size: int,
) -> Page[DueDiligence]:
    """Return one page of what :func:`list_tasks` lists."""
    return paginate(db, _listed(event, viewer, filters), page, page_size)


def task_history(db: Session, task_id: int, viewer: User) -> list[AuditEntry]:
    """Return the trail of a task ``viewer`` may read; staff and organisers also read the trail
    of a deleted one. NotFound when there is none to show."""
    try:
        get_task(db, task_id, viewer)
    except NotFound:
        if viewer.role not in STAFF:
            raise
    entries = history(db, DueDiligence.__tablename__, task_id)
    if not entries:
        raise NotFound(what=Ref("what.due_diligence"), key=task_id)
    return entries


def snapshot(task: DueDiligence) -> dict[str, Any]:
    """Return the audited picture of a task."""
    return {
        "project_id": task.project.code,
        "institution_id": task.institution.code if task.institution else None,
        "kind": task.kind.value,
        "counterpart": task.counterpart,
        "intent_id": task.intent_id,
        "owner": task.owner,
        "due_date": task.due_date.isoformat() if task.due_date else None,
        "next_follow_up": task.next_follow_up.isoformat() if task.next_follow_up else None,
        "status": task.status.value,
        "outcome": task.outcome,
    }


def _check(
    db: Session, values: dict[str, Any], project_id: int, institution_id: int | None
) -> None:
    problems = []
    for name, limit in LIMITS.items():
        if len(values.get(name) or "") > limit:
            problems.append(Problem("import.too_long", column=name, params={"limit": limit}))
    kind = values.get("kind", TaskKind.DUE_DILIGENCE)
    if kind == TaskKind.DUE_DILIGENCE and institution_id is None:
        problems.append(Problem("dd.institution_required", column="institution_id"))
    elif institution_id is None and not (values.get("counterpart") or "").strip():
        problems.append(Problem("dd.counterpart_required", column="counterpart"))
    if (
        values.get("status", DueDiligenceStatus.OPEN) == DueDiligenceStatus.OPEN
        and not (values.get("owner") or "").strip()
    ):
        problems.append(Problem("dd.owner_required", column="owner"))
    due, follow = values.get("due_date"), values.get("next_follow_up")
    if (
        values.get("status") == DueDiligenceStatus.DONE
        and not (values.get("outcome") or "").strip()
    ):
        problems.append(Problem("dd.outcome_required", column="outcome"))
    if due is not None and follow is not None and follow > due + timedelta(days=365):
        problems.append(Problem("dd.follow_up_far", column="next_follow_up", value=follow))
    intent_id = values.get("intent_id")
    if intent_id is not None:
        intent = db.get(Intent, intent_id)
        if intent is None or (intent.project_id, intent.institution_id) != (
            project_id,
            institution_id,
        ):
            problems.append(Problem("dd.bad_intent", column="intent_id", value=intent_id))
    if problems:
        raise InvalidInput("dd.invalid", problems, count=len(problems))


def create_task(
    db: Session,
    actor: User | None,
    project: Project,
    institution_id: int | None,
    values: dict[str, Any],
) -> DueDiligence:
    """Open a task for the pair (a service task: for the project, ``institution_id`` None or
    not); linked to the pair's intent when there is one."""
    if not may_write(actor):
        raise PermissionDenied()
    values = {"status": DueDiligenceStatus.OPEN, "kind": TaskKind.DUE_DILIGENCE, **values}
    if values.get("intent_id") is None and institution_id is not None:
        values["intent_id"] = db.scalar(
            select(Intent.id).where(
                Intent.project_id == project.id, Intent.institution_id == institution_id
            )
        )
    _check(db, values, project.id, institution_id)
    task = DueDiligence(
        project_id=project.id,
        institution_id=institution_id,
        **{k: v for k, v in values.items() if k in EDITABLE and v is not None},
    )
    db.add(task)
    db.flush()
    db.refresh(task)
    record(db, task, "create", actor, None, snapshot(task))
    return task


def update_task(
    db: Session,
    actor: User,
    task: DueDiligence,
    changes: dict[str, Any],
    version: int | None = None,
) -> bool:
    """Apply ``changes``; a stale ``version`` is a Conflict. Return whether anything changed."""
    if not may_write(actor):
        raise PermissionDenied()
    if version is not None and version != task.version:
        raise Conflict("intent.stale", id=task.id, version=task.version)
    old = {name: getattr(task, name) for name in EDITABLE}
    new = {**old, **{k: v for k, v in changes.items() if k in EDITABLE}}
    for name in LIMITS:
        new[name] = new[name] or ""
    if new == old:
        return False
    _check(db, new, task.project_id, task.institution_id)
    before = snapshot(task)
    for name, value in new.items():
        setattr(task, name, value)
    task.version += 1
    db.flush()
    db.refresh(task)
    after = snapshot(task)
    changed = [k for k in after if after[k] != before[k]]
    record(
        db, task, "update", actor, {k: before[k] for k in changed}, {k: after[k] for k in changed}
    )
    return True


def add_task(
    db: Session,
    actor: User | None,
    event: Event,
    project_code: str,
    institution_code: str | None,
    values: dict[str, Any],
) -> DueDiligence:
    """Open a task for the pair named by registration ids in ``event`` (a service task may name
    no institution: its counterpart is in ``values``)."""
    project = get_project(db, project_code, event.code)
    if not institution_code:
        return create_task(db, actor, project, None, values)
    institution = get_institution(db, institution_code, event.code)
    return create_task(db, actor, project, institution.id, values)


def delete_task(db: Session, actor: User, task: DueDiligence) -> None:
    """Delete a task; the trail keeps what it was."""
    if not may_write(actor):
        raise PermissionDenied()
    record(db, task, "delete", actor, snapshot(task), None)
    db.delete(task)
    db.flush()


# ---- mailing the digest (:mod:`matchmaker.services.ledger.digest`) ---------------------------


@dataclass(frozen=True)
class Mailer:
    """SMTP settings from the environment (``MATCHMAKER_SMTP_*``); unset host means no mail."""

    host: str = ""
    port: int = 25
    user: str = ""
    password: str = ""
    sender: str = "matchmaker@localhost"
    starttls: bool = False

    @classmethod
    def from_settings(cls, settings: Settings) -> Mailer:
        """Return the mailer the ``smtp_*`` settings describe (``MATCHMAKER_SMTP_*``)."""
        return cls(
            host=settings.smtp_host,
            port=settings.smtp_port,
            user=settings.smtp_user,
            password=settings.smtp_password,
            sender=settings.smtp_from,
            starttls=settings.smtp_starttls,
        )

    def send(self, to: list[str], subject: str, body: str) -> None:
        """Send one plain-text message; raises OSError/SMTPException on failure."""
        if not self.host:
            raise InvalidInput("dd.no_smtp")
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = ", ".join(to)
        message["Subject"] = subject
        message.set_content(body)
        with smtplib.SMTP(self.host, self.port, timeout=30) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.user:
                smtp.login(self.user, self.password)
            smtp.send_message(message)
