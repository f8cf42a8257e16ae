"""Investors' like/pass on shortlisted projects, and the meetings already held."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaker.db.models import Feedback, Institution, Meeting, Project
from matchmaker.domain import MeetingStatus, Verdict


def verdicts(db: Session, institution_id: int) -> dict[int, str]:
    """Return project id → the institution's verdict (``like``/``pass``)."""
    rows = db.execute(
        select(Feedback.project_id, Feedback.verdict).where(
            Feedback.institution_id == institution_id
        )
    )
    return {pid: verdict.value for pid, verdict in rows}


def met_projects(db: Session, institution_id: int) -> list[int]:
    """Return the projects the institution has already met (meetings held)."""
    return list(
        db.scalars(
            select(Meeting.project_id).where(
                Meeting.institution_id == institution_id, Meeting.status == MeetingStatus.HELD
            )
        )
    )


def record_verdict(
    db: Session, institution: Institution, project: Project, verdict: Verdict, user_id: int | None
) -> Feedback:
    """Record (or change) an investor's like/pass on a project."""
    row = db.scalar(
        select(Feedback).where(
            Feedback.institution_id == institution.id, Feedback.project_id == project.id
        )
    )
    if row is None:
        row = Feedback(
            institution_id=institution.id, project_id=project.id, verdict=verdict, user_id=user_id
        )
        db.add(row)
    else:
        row.verdict, row.user_id = verdict, user_id
    db.flush()
    return row
