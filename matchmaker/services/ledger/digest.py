"""The daily digest and the board: open tasks overdue, due this week, or due a follow-up.

"Today" is the competition's calendar day (Asia/Shanghai), whatever the server's clock zone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from matchmaker.db.models import DueDiligence, Event, User
from matchmaker.domain import DueDiligenceStatus
from matchmaker.messages import render
from matchmaker.services.ledger.due_diligence import list_tasks, of_event, scoped
from matchmaker.services.ledger.intents import today_local


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


@dataclass(frozen=True)
class Board:
    """The due-diligence board: the digest's urgent tasks, then the other open ones, then the
    closed ones (soonest due first)."""

    digest: Digest
    later: list[DueDiligence]
    closed: list[DueDiligence]


def board(db: Session, viewer: User, event: Event) -> Board:
    """Return the board of the tasks of ``event`` that ``viewer`` may read, as of today."""
    found = digest(db, viewer, event)
    urgent = {task.id for task in [*found.overdue, *found.due_this_week]}
    tasks = list_tasks(db, event, viewer)
    return Board(
        found,
        later=[x for x in tasks if x.status == DueDiligenceStatus.OPEN and x.id not in urgent],
        closed=[x for x in tasks if x.status != DueDiligenceStatus.OPEN],
    )


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
                    institution=task.counterpart_name,
                    owner=task.owner or "—",
                    due=task.due_date.isoformat() if task.due_date else "—",
                    follow=task.next_follow_up.isoformat() if task.next_follow_up else "—",
                )
            )
    if result.empty():
        lines.extend(["", render("dd.digest.nothing", lang)])
    return "\n".join(lines)
