"""Due-diligence follow-up (入场评估考察 / 尽调): tasks, their audit trail, and the daily digest.

A task belongs to an institution × project (and to the pair's intent when there is one). Staff
and organisers create and change tasks; an investor reads their institution's, an entrant their
project's. "Today" is the competition's calendar day (Asia/Shanghai), whatever the server's
clock zone: a task due on the 30th is overdue from 00:00 on the 1st in Beijing time.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from matchmaker.config import Settings
from matchmaker.db.models import DueDiligence, Event, Intent, Project, User
from matchmaker.domain import DueDiligenceStatus, Role
from matchmaker.errors import Conflict, InvalidInput, NotFound, PermissionDenied, Problem
from matchmaker.messages import Ref, render
from matchmaker.services.audit import record
from matchmaker.services.ledger.intents import today_local

EDITABLE = ("owner", "due_date", "next_follow_up", "status", "outcome", "intent_id")
LIMITS = {"owner": 100, "outcome": 5000}


def may_write(viewer: User) -> bool:
    """Return whether ``viewer`` may create or change tasks."""
    return viewer.role in (Role.STAFF, Role.ORGANISER)


def scoped(query: Select[Any], viewer: User | None) -> Select[Any]:
    """Restrict a ``DueDiligence`` query to what ``viewer`` may read (None: everything)."""
    if viewer is None:
        return query
    if viewer.role == Role.INVESTOR:
        return query.where(DueDiligence.institution_id == viewer.institution_id)
    if viewer.role == Role.ENTRANT:
        return query.where(DueDiligence.project_id == viewer.project_id)
    return query


def of_event(event: Event) -> Select[Any]:
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


def snapshot(task: DueDiligence) -> dict[str, Any]:
    """Return the audited picture of a task."""
    return {
        "project_id": task.project.code,
        "institution_id": task.institution.code,
        "intent_id": task.intent_id,
        "owner": task.owner,
        "due_date": task.due_date.isoformat() if task.due_date else None,
        "next_follow_up": task.next_follow_up.isoformat() if task.next_follow_up else None,
        "status": task.status.value,
        "outcome": task.outcome,
    }


def _check(db: Session, values: dict[str, Any], project_id: int, institution_id: int) -> None:
    problems = []
    for name, limit in LIMITS.items():
        if len(values.get(name) or "") > limit:
            problems.append(Problem("import.too_long", column=name, params={"limit": limit}))
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
    actor: User,
    project: Project,
    institution_id: int,
    values: dict[str, Any],
) -> DueDiligence:
    """Open a task for the pair; linked to the pair's intent when there is one."""
    if not may_write(actor):
        raise PermissionDenied()
    values = {"status": DueDiligenceStatus.OPEN, **values}
    if values.get("intent_id") is None:
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


def delete_task(db: Session, actor: User, task: DueDiligence) -> None:
    """Delete a task; the trail keeps what it was."""
    if not may_write(actor):
        raise PermissionDenied()
    record(db, task, "delete", actor, snapshot(task), None)
    db.delete(task)
    db.flush()


# ---- the digest ----------------------------------------------------------------------------


@dataclass
class Digest:
    """What needs chasing on ``day``: overdue tasks, tasks due this week, follow-ups due."""

    day: date
    overdue: list[DueDiligence] = field(default_factory=list)
    due_this_week: list[DueDiligence] = field(default_factory=list)
    follow_up_due: list[DueDiligence] = field(default_factory=list)

    @property
    def week_end(self) -> date:
        """Return the Sunday that ends ``day``'s week."""
        return self.day + timedelta(days=6 - self.day.weekday())

    def empty(self) -> bool:
        """Return whether there is nothing to chase."""
        return not (self.overdue or self.due_this_week or self.follow_up_due)


def digest(db: Session, viewer: User | None, event: Event, now: datetime | None = None) -> Digest:
    """Return the open tasks overdue, due by Sunday, or due a follow-up, on the local day."""
    result = Digest(today_local(now))
    query = scoped(of_event(event), viewer).where(DueDiligence.status == DueDiligenceStatus.OPEN)
    for task in db.scalars(query.order_by(DueDiligence.due_date, DueDiligence.id)):
        if task.due_date is not None and task.due_date < result.day:
            result.overdue.append(task)
        elif task.due_date is not None and task.due_date <= result.week_end:
            result.due_this_week.append(task)
        if task.next_follow_up is not None and task.next_follow_up <= result.day:
            result.follow_up_due.append(task)
    return result


def digest_text(result: Digest, lang: str = "zh") -> str:
    """Return the digest as a plain-text message (mail body, CLI output)."""
    lines = [render("dd.digest.title", lang, day=result.day.isoformat())]
    sections = (
        ("dd.digest.overdue", result.overdue),
        ("dd.digest.due_this_week", result.due_this_week),
        ("dd.digest.follow_up_due", result.follow_up_due),
    )
    for code, tasks in sections:
        lines.append("")
        lines.append(render(code, lang, count=len(tasks), week_end=result.week_end.isoformat()))
        for task in tasks:
            lines.append(
                render(
                    "dd.digest.line",
                    lang,
                    project=f"{task.project.code} {task.project.name}",
                    institution=task.institution.name,
                    owner=task.owner or "—",
                    due=task.due_date.isoformat() if task.due_date else "—",
                    follow=task.next_follow_up.isoformat() if task.next_follow_up else "—",
                )
            )
    if result.empty():
        lines.extend(["", render("dd.digest.nothing", lang)])
    return "\n".join(lines)


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
