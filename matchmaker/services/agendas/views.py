"""What people see of an agenda: the organiser's grid, each party's day, and the exports.

Who may see what is decided here: investors see only their institution's meetings, entrants
only their project's, and both only published agendas plus their own bookings; organisers and
staff see everything.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import icalendar
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from matchmaker.db.models import (
    Agenda,
    Event,
    Institution,
    MatchmakingSession,
    Meeting,
    Project,
    Table,
    User,
)
from matchmaker.db.types import utcnow
from matchmaker.domain import LOCAL_TZ, AgendaStatus, MeetingStatus, Role
from matchmaker.errors import InvalidInput, PermissionDenied, Problem
from matchmaker.messages import render
from matchmaker.services.agendas.build import AgendaState, agenda_of
from matchmaker.services.agendas.seats import seats, table_label
from matchmaker.services.registry import catalog
from matchmaker.services.registry.events import get_event, get_session
from matchmaker.tabular.write import write_table

FORMATS = ("csv", "xlsx", "ics")
SHOWN = (
    MeetingStatus.REQUESTED,
    MeetingStatus.SCHEDULED,
    MeetingStatus.HELD,
    MeetingStatus.NO_SHOW,
)
# What a calendar file holds: meetings both sides have agreed to. A pending request is left out,
# not marked TENTATIVE: phone calendars show a tentative event like any other, and an imported
# file is never updated, so a request declined later would stay in the phone as a firm meeting
# at a table. Download again once it is accepted.
CONFIRMED = (MeetingStatus.SCHEDULED, MeetingStatus.HELD, MeetingStatus.NO_SHOW)


@dataclass(frozen=True)
class AgendaRow:
    """One meeting as a line of somebody's agenda, in one language (table and status labels)."""

    meeting_id: int
    session: MatchmakingSession
    slot: int
    starts_at: datetime  # aware, Asia/Shanghai
    ends_at: datetime
    table: str
    institution: Institution
    project: Project
    status: MeetingStatus
    status_label: str
    locked: bool

    @property
    def session_code(self) -> str:
        """Return the session's code."""
        return self.session.code

    @property
    def institution_code(self) -> str:
        """Return the institution's registration id."""
        return self.institution.code

    @property
    def institution_name(self) -> str:
        """Return the institution's name."""
        return self.institution.name

    @property
    def project_code(self) -> str:
        """Return the project's registration id."""
        return self.project.code

    @property
    def project_name(self) -> str:
        """Return the project's name."""
        return self.project.name


@dataclass(frozen=True)
class AgendaView(AgendaState):
    """A session's agenda as one viewer sees it: the solver's figures and the meetings."""

    solver_status: str
    objective: float
    bound: float
    fair_minimum: int | None
    summary: dict[str, Any]  # empty for parties: the solver's statistics are the organiser's
    meetings: list[AgendaRow]


def counterpart(
    role: Role, institution: Institution, project: Project
) -> Institution | Project | None:
    """Return the other party of a meeting or request as ``role`` sees it: the project for an
    investor, the institution for an entrant; ``None`` for organisers and staff (both matter)."""
    if role == Role.INVESTOR:
        return project
    if role == Role.ENTRANT:
        return institution
    return None


def by_time(
    rows: list[AgendaRow], now: datetime | None = None
) -> tuple[list[AgendaRow], list[AgendaRow]]:
    """Split ``rows`` into those of sessions still to end and those of sessions that are over.

    A day's agenda is read for what comes next: its sessions to come go first; the meetings of a
    session under way stay with it, so the day reads whole.
    """
    now = now or utcnow()
    coming = [r for r in rows if r.session.ends_at > now]
    return coming, [r for r in rows if r.session.ends_at <= now]


def agenda_rows(
    db: Session,
    event: Event,
    *,
    session: MatchmakingSession | None = None,
    institution: Institution | None = None,
    project: Project | None = None,
    table: int | None = None,
    published_only: bool = False,
    lang: str = "zh",
) -> list[AgendaRow]:
    """Return live meetings in time order, narrowed to one session, party or table number.

    ``published_only`` hides meetings of unpublished agendas except bookings, which belong to
    the people who made them from the start.
    """
    query = (
        select(Meeting)
        .join(MatchmakingSession, MatchmakingSession.id == Meeting.session_id)
        .where(MatchmakingSession.event_id == event.id, Meeting.status.in_(SHOWN))
        .options(
            joinedload(Meeting.slot),
            joinedload(Meeting.table),
            joinedload(Meeting.institution),
            joinedload(Meeting.project),
            joinedload(Meeting.session),
        )
    )
    if session is not None:
        query = query.where(Meeting.session_id == session.id)
    if institution is not None:
        query = query.where(Meeting.institution_id == institution.id)
    if project is not None:
        query = query.where(Meeting.project_id == project.id)
    if table is not None:
        query = query.join(Table, Table.id == Meeting.table_id).where(Table.number == table)
    published = set(
        db.scalars(select(Agenda.session_id).where(Agenda.status == AgendaStatus.PUBLISHED))
    )
    rows = []
    for m in db.scalars(query).unique():
        if published_only and m.session_id not in published and m.request_id is None:
            continue
        # by the table's number, not its label: 2号桌 comes before 10号桌
        number = m.table.number if m.table is not None else 0
        row = AgendaRow(
            meeting_id=m.id,
            session=m.session,
            slot=m.slot.number,
            starts_at=m.slot.starts_at.astimezone(LOCAL_TZ),
            ends_at=m.slot.ends_at.astimezone(LOCAL_TZ),
            table=table_label(m.table, lang),
            institution=m.institution,
            project=m.project,
            status=m.status,
            status_label=m.status.label(lang),
            locked=m.locked,
        )
        rows.append(((m.slot.starts_at, number, m.institution.code), row))
    rows.sort(key=lambda keyed: keyed[0])
    return [row for _key, row in rows]


@dataclass
class Grid:
    """A session as the organiser sees it: a row per table, a column per slot."""

    session: MatchmakingSession
    agenda: Agenda | None
    slots: list[Any]
    tables: list[tuple[Table, Institution | None]]
    cells: dict[tuple[int | None, int], AgendaRow]  # (table id, slot number) -> meeting

    def count(self) -> int:
        """Return how many meetings the grid holds."""
        return len(self.cells)


def session_grid(db: Session, session: MatchmakingSession, lang: str = "zh") -> Grid:
    """Return the grid of ``session``: every table (seated institution or empty) × every slot."""
    seated = {table.id: institution_id for institution_id, table in seats(db, session).items()}
    institutions = {i.id: i for i in session.institutions}
    rows = agenda_rows(db, session.event, session=session, lang=lang)
    ids = {
        meeting_id: table_id
        for meeting_id, table_id in db.execute(
            select(Meeting.id, Meeting.table_id).where(Meeting.session_id == session.id)
        )
    }
    cells = {(ids[r.meeting_id], r.slot): r for r in rows}
    agenda = db.scalar(select(Agenda).where(Agenda.session_id == session.id))
    return Grid(
        session=session,
        agenda=agenda,
        slots=list(session.slots),
        tables=[(t, institutions.get(seated.get(t.id, -1))) for t in session.tables],
        cells=cells,
    )


# ---- who sees what -----------------------------------------------------------------------------


def own_scope(viewer: User) -> dict[str, Any]:
    """Return the party whose meetings ``viewer`` is limited to: investors see only their
    institution's meetings, entrants only their project's; organisers and staff everyone's."""
    if viewer.role == Role.INVESTOR:
        return {"institution": viewer.institution}
    if viewer.role == Role.ENTRANT:
        return {"project": viewer.project}
    return {}


def sees_drafts(viewer: User) -> bool:
    """Return whether ``viewer`` sees unpublished agendas (organisers and staff do)."""
    return viewer.role in (Role.ORGANISER, Role.STAFF)


def session_agenda(
    db: Session, viewer: User, session: MatchmakingSession, lang: str = "zh"
) -> AgendaView:
    """Return ``session``'s agenda as ``viewer`` sees it (an empty draft is made the first time).

    Organisers and staff see all of it with the solver's summary; parties their own part.
    """
    agenda = agenda_of(db, session)
    rows = agenda_rows(
        db,
        session.event,
        session=session,
        published_only=not sees_drafts(viewer),
        lang=lang,
        **own_scope(viewer),
    )
    return AgendaView(
        session=session.code,
        status=agenda.status,
        revision=agenda.revision,
        solver_status=agenda.solver_status,
        objective=agenda.objective,
        bound=agenda.bound,
        fair_minimum=agenda.fair_minimum,
        summary=agenda.summary if sees_drafts(viewer) else {},
        meetings=rows,
    )


def visible_rows(
    db: Session,
    viewer: User,
    event: Event,
    *,
    session: str | None = None,
    institution: str | None = None,
    project: str | None = None,
    table: int | None = None,
    lang: str = "zh",
) -> tuple[list[AgendaRow], dict[str, Any]]:
    """Return the meetings ``viewer`` may see of ``event``, narrowed to a session, institution,
    project (codes) or table number, and the scope they were narrowed to (rows, or the number).

    Parties see only their own meetings (asking for someone else's is ``PermissionDenied``),
    and only published ones plus their bookings; organisers and staff see everything.
    """
    scope: dict[str, Any] = {}
    if session:
        scope["session"] = get_session(db, event.code, session)
    if institution:
        scope["institution"] = catalog.get_institution(db, institution, event.code)
    if project:
        scope["project"] = catalog.get_project(db, project, event.code)
    if table:
        scope["table"] = table
    own = own_scope(viewer)
    for key, value in own.items():
        if key in scope and scope[key].id != value.id:
            raise PermissionDenied()
    scope |= own
    rows = agenda_rows(db, event, published_only=not sees_drafts(viewer), lang=lang, **scope)
    return rows, scope


def export_file(
    db: Session,
    viewer: User,
    event_code: str,
    fmt: str,
    lang: str = "zh",
    **narrowed: Any,
) -> tuple[bytes, str]:
    """Return the agenda ``viewer`` may see as ``fmt`` (csv, xlsx, ics) bytes and a file name
    (without extension) naming the event and what it was narrowed to (see :func:`visible_rows`).
    """
    if fmt not in FORMATS:
        raise InvalidInput(
            "error.invalid_input", [Problem("error.bad_request", column="format", value=fmt)]
        )
    event = get_event(db, event_code)
    rows, scope = visible_rows(db, viewer, event, lang=lang, **narrowed)
    parts = [event.code] + [
        getattr(v, "code", None) or f"T{v}" for v in scope.values() if v is not None
    ]
    return export_agenda(rows, fmt, lang, title=event.name), "agenda-" + "-".join(parts)


# ---- exports ----------------------------------------------------------------------------------


def _headers(lang: str) -> list[str]:
    keys = ["session", "date", "start", "end", "table", "institution_id", "institution"]
    keys += ["project_id", "project", "status"]
    return [render(f"agenda.col.{k}", lang) for k in keys]


def export_agenda(rows: list[AgendaRow], fmt: str, lang: str = "zh", title: str = "") -> bytes:
    """Return ``rows`` as ``csv``, ``xlsx`` or ``ics`` bytes (Chinese labels by default)."""
    if fmt == "ics":
        return to_ics(rows, lang, title)
    table = [
        [
            r.session.name if lang == "zh" or not r.session.name_en else r.session.name_en,
            r.starts_at.date().isoformat(),
            r.starts_at.strftime("%H:%M"),
            r.ends_at.strftime("%H:%M"),
            r.table,
            r.institution.code,
            r.institution.name,
            r.project.code,
            r.project.name,
            r.status.label(lang),
        ]
        for r in rows
    ]
    return write_table(_headers(lang), table, fmt)


def to_ics(rows: list[AgendaRow], lang: str = "zh", title: str = "") -> bytes:
    """Return an iCalendar file with one event per confirmed meeting, in Asia/Shanghai time.

    Pending requests are left out (see ``CONFIRMED``); the other exports list them, marked.
    """
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//matchmaker//agenda//ZH")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", title or render("agenda.calendar", lang))
    calendar.add("x-wr-timezone", "Asia/Shanghai")
    calendar.add_missing_timezones()
    for r in rows:
        if r.status not in CONFIRMED:
            continue
        event = icalendar.Event()
        event.add("uid", f"meeting-{r.meeting_id}@matchmaker")
        event.add("dtstamp", datetime.now(LOCAL_TZ))
        event.add("dtstart", r.starts_at)
        event.add("dtend", r.ends_at)
        event.add("status", "CONFIRMED")
        event.add(
            "summary",
            render(
                "agenda.ics_summary", lang, institution=r.institution.name, project=r.project.name
            ),
        )
        event.add("location", " ".join(x for x in (r.session.venue, r.table) if x))
        event.add(
            "description",
            render(
                "agenda.ics_description",
                lang,
                session=r.session.name,
                table=r.table,
                status=r.status.label(lang),
            ),
        )
        calendar.add_component(event)
    calendar.add_missing_timezones()
    content: bytes = calendar.to_ical()  # icalendar has no type information
    return content
