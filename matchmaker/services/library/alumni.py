"""An alumni session (往届参赛项目专场): past editions' projects brought into this contest.

The chosen past projects (by default those with a signed intent or a meeting rated ≥ 4) become
rows of the current event, copied from their past profile and linked to the same lasting
identity (``how = 'alumni'``, ``source_project_id`` the past row), and join the alumni session,
so its agenda is built by the scheduler like any other session's. A past project already here
(linked to the same identity) only joins the session.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from matchmaker.db.models import (
    Event,
    Intent,
    LibraryLink,
    LibraryParty,
    MatchmakingSession,
    Meeting,
    MeetingMark,
    Project,
    User,
)
from matchmaker.domain import IntentStatus, SessionKind
from matchmaker.errors import Conflict, InvalidInput, NotFound, Problem
from matchmaker.messages import Ref
from matchmaker.services import audit
from matchmaker.text import name_key
from matchmaker.vocabulary import EventVocabulary

_SIGNED = (IntentStatus.SIGNED, IntentStatus.DUE_DILIGENCE, IntentStatus.INVESTED)
# What a copy keeps of the past profile (ids included: they are the identity's own).
COPIED = (
    "name",
    "track",
    "group",
    "sectors",
    "stage",
    "funding_ask",
    "region",
    "needs",
    "description",
    "contact_name",
    "contact_phone",
    "contact_email",
    "credit_code",
    "leader_id",
    "search_text",
)


@dataclass
class AlumniReport:
    """What an alumni draw did: codes copied in, codes already here, all now in the session."""

    session: str
    source: str
    copied: list[str] = field(default_factory=list)
    already_here: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready summary."""
        return {
            "session": self.session,
            "from": self.source,
            "copied": self.copied,
            "already_here": self.already_here,
        }


def alumni_candidates(db: Session, past: Event, min_rating: int = 4) -> list[Project]:
    """Return the past event's projects with a signed intent or a meeting rated ≥ ``min_rating``
    (the meeting's own rating or either side's), by code."""
    signed = select(Intent.project_id).where(Intent.event_id == past.id, Intent.status.in_(_SIGNED))
    in_past = select(MatchmakingSession.id).where(MatchmakingSession.event_id == past.id)
    rated = select(Meeting.project_id).where(
        Meeting.session_id.in_(in_past), Meeting.rating >= min_rating
    )
    marked = (
        select(Meeting.project_id)
        .join(MeetingMark, MeetingMark.meeting_id == Meeting.id)
        .where(Meeting.session_id.in_(in_past), MeetingMark.rating >= min_rating)
    )
    chosen = signed.union(rated, marked).subquery()
    return list(
        db.scalars(
            select(Project)
            .where(Project.event_id == past.id, Project.id.in_(select(chosen.c[0])))
            .order_by(Project.code)
        )
    )


def add_alumni(
    db: Session,
    event: Event,
    session_code: str,
    past: Event,
    codes: Sequence[str] | None = None,
    min_rating: int = 4,
    actor: User | None = None,
) -> AlumniReport:
    """Bring ``past``'s projects (``codes``, else :func:`alumni_candidates`) into the alumni
    session ``session_code`` of ``event``. Every problem is found before anything is written."""
    session = next((s for s in event.sessions if s.code == session_code), None)
    if session is None:
        raise NotFound(what=Ref("what.session"), key=session_code)
    if session.kind != SessionKind.ALUMNI:
        raise InvalidInput("library.not_alumni", session=session.code)
    if past.id == event.id or past.year > event.year:
        raise InvalidInput("library.not_past", source=past.code, event=event.code)
    if not past.share_library:
        raise Conflict("library.not_shared", source=past.code)
    chosen = _chosen(db, past, codes, min_rating)
    here = _rows_here(db, event, [p.id for p in chosen])
    problems = _problems(db, event, past, [p for p in chosen if p.id not in here])
    if problems:
        raise InvalidInput("library.alumni_rejected", problems, count=len(problems))
    report = AlumniReport(session.code, past.code)
    for p in chosen:
        row = here.get(p.id)
        if row is None:
            row = _copy(db, event, past, p, actor)
            report.copied.append(row.code)
        else:
            report.already_here.append(row.code)
        if session not in row.sessions:
            row.sessions.append(session)
    db.flush()
    after = report.to_dict()
    audit.record(db, session, "alumni", actor, None, after)
    return report


def _chosen(db: Session, past: Event, codes: Sequence[str] | None, min_rating: int) -> list[Any]:
    if not codes:
        found = alumni_candidates(db, past, min_rating)
        if not found:
            raise InvalidInput("library.no_alumni", source=past.code, rating=min_rating)
        return found
    rows = {
        p.code: p
        for p in db.scalars(
            select(Project).where(Project.event_id == past.id, Project.code.in_(list(codes)))
        )
    }
    missing = [c for c in codes if c not in rows]
    if missing:
        raise NotFound(what=Ref("what.project"), key=", ".join(missing))
    return [rows[c] for c in dict.fromkeys(codes)]


def _party(db: Session, project: Project) -> int:
    """Return the past row's lasting identity, giving it one if it has none yet."""
    found = db.scalar(select(LibraryLink.party_id).where(LibraryLink.project_id == project.id))
    if found is not None:
        return int(found)
    party = LibraryParty(kind="project", name=project.name)
    db.add(party)
    db.flush()
    db.add(LibraryLink(party_id=party.id, project_id=project.id, how="new"))
    return party.id


def _rows_here(db: Session, event: Event, past_ids: list[int]) -> dict[int, Project]:
    """Return past project id → this event's row of the same identity, where there is one."""
    there = select(LibraryLink.party_id, LibraryLink.project_id).where(
        LibraryLink.project_id.in_(past_ids)
    )
    parties = {party: pid for party, pid in db.execute(there) if pid is not None}
    if not parties:
        return {}
    rows = db.execute(
        select(LibraryLink.party_id, Project)
        .join(Project, Project.id == LibraryLink.project_id)
        .where(LibraryLink.party_id.in_(list(parties)), Project.event_id == event.id)
    )
    return {parties[party]: row for party, row in rows}


def _code(past: Event, project: Project) -> str:
    return f"{past.code}-{project.code}"[:64]


def _problems(db: Session, event: Event, past: Event, copies: list[Project]) -> list[Problem]:
    """Return why a copy cannot be made: its code or name taken here, a track this event has not."""
    tracks = EventVocabulary.from_dict(event.vocabulary).tracks
    codes = set(db.scalars(select(Project.code).where(Project.event_id == event.id)))
    names = set(db.scalars(select(Project.name_key).where(Project.event_id == event.id)))
    out = []
    for p in copies:
        if _code(past, p) in codes:
            out.append(Problem("library.code_taken", column="code", value=_code(past, p)))
        if name_key(p.name) in names:
            out.append(Problem("library.name_taken", column="name", value=p.name))
        if p.track not in tracks:
            out.append(Problem("library.track_unknown", column="track", value=p.track))
    return out


def _copy(db: Session, event: Event, past: Event, project: Project, actor: User | None) -> Project:
    party = _party(db, project)
    row = Project(event_id=event.id, code=_code(past, project))
    for name in COPIED:
        setattr(row, name, getattr(project, name))
    db.add(row)
    db.flush()
    db.add(
        LibraryLink(party_id=party, project_id=row.id, how="alumni", source_project_id=project.id)
    )
    audit.record(db, row, "alumni_copy", actor, None, {"from": past.code, "code": project.code})
    return row


def alumni_count(db: Session, event: Event) -> int:
    """Return how many of the event's projects were copied from past contests."""
    count: int = (
        db.scalar(
            select(func.count())
            .select_from(LibraryLink)
            .join(Project, Project.id == LibraryLink.project_id)
            .where(Project.event_id == event.id, LibraryLink.how == "alumni")
        )
        or 0
    )
    return count
