"""The organiser's live view of a session on the day: arrivals, meetings now, no-shows, late
parties and free tables, as of one moment (the page asks again every few seconds)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from matchmaker.db.models import Institution, MatchmakingSession, Meeting, Project, Slot
from matchmaker.db.types import utcnow
from matchmaker.domain import LOCAL_TZ, MeetingStatus
from matchmaker.services.agendas.checkins import Arrival, arrival_times, arrivals
from matchmaker.services.agendas.seats import table_label
from matchmaker.services.registry.badges import PartyKind

# Meetings that take (or took) a table at their slot; a no-show frees it, a cancellation too.
AT_TABLE = (MeetingStatus.SCHEDULED, MeetingStatus.HELD)
ON_AGENDA = (MeetingStatus.SCHEDULED, MeetingStatus.HELD, MeetingStatus.NO_SHOW)


@dataclass(frozen=True)
class Running:
    """A meeting whose slot is under way."""

    table: str
    table_number: int
    institution: str
    project: str
    status: MeetingStatus


@dataclass(frozen=True)
class Late:
    """A party whose first meeting began before it arrived (``arrived`` None: not yet here)."""

    kind: PartyKind
    code: str
    name: str
    first_meeting: datetime  # aware, Asia/Shanghai
    arrived: datetime | None


@dataclass(frozen=True)
class LiveView:
    """A session as of ``now``."""

    session: MatchmakingSession
    now: datetime  # aware, Asia/Shanghai
    slot: Slot | None  # the slot under way, if any
    expected: int
    checked_in: int
    running: list[Running]
    no_shows: int
    late: list[Late]
    free_tables: list[str]
    arrivals: list[Arrival] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Return the view as the page's fetch (and the API) reads it."""

        def when(moment: datetime | None) -> str | None:
            return moment.strftime("%H:%M") if moment else None

        return {
            "session": self.session.code,
            "now": self.now.isoformat(),
            "slot": None
            if self.slot is None
            else {
                "number": self.slot.number,
                "starts": when(self.slot.starts_at.astimezone(LOCAL_TZ)),
                "ends": when(self.slot.ends_at.astimezone(LOCAL_TZ)),
            },
            "expected": self.expected,
            "checked_in": self.checked_in,
            "running": [
                {"table": r.table, "institution": r.institution, "project": r.project}
                for r in self.running
            ],
            "no_shows": self.no_shows,
            "late": [
                {
                    "kind": p.kind,
                    "code": p.code,
                    "name": p.name,
                    "first_meeting": when(p.first_meeting),
                    "arrived": when(p.arrived),
                }
                for p in self.late
            ],
            "free_tables": self.free_tables,
            "arrivals": [arrival_dict(a) for a in self.arrivals],
        }


def arrival_dict(arrival: Arrival) -> dict[str, Any]:
    """Return one line of the arrivals list as JSON."""
    return {
        "kind": arrival.kind,
        "code": arrival.code,
        "name": arrival.name,
        "at": arrival.at.strftime("%H:%M") if arrival.at else None,
    }


def live_view(
    db: Session, session: MatchmakingSession, lang: str = "zh", now: datetime | None = None
) -> LiveView:
    """Return ``session`` as of ``now``: who is here, what is running, who is late."""
    now = now or utcnow()
    meetings = db.scalars(
        select(Meeting)
        .where(Meeting.session_id == session.id, Meeting.status.in_(ON_AGENDA))
        .options(
            joinedload(Meeting.slot),
            joinedload(Meeting.table),
            joinedload(Meeting.institution),
            joinedload(Meeting.project),
        )
    ).all()
    slot = next((s for s in session.slots if s.starts_at <= now < s.ends_at), None)
    running = [m for m in meetings if slot is not None and m.slot_id == slot.id]
    busy = {m.table_id for m in running if m.status in AT_TABLE}
    times = arrival_times(db, session)
    first: dict[tuple[PartyKind, int], tuple[datetime, str, str]] = {}
    for m in meetings:
        sides: list[tuple[tuple[PartyKind, int], Institution | Project]] = [
            (("institution", m.institution_id), m.institution),
            (("project", m.project_id), m.project),
        ]
        for key, party in sides:
            if key not in first or m.slot.starts_at < first[key][0]:
                first[key] = (m.slot.starts_at, party.code, party.name)
    late = []
    for (kind, party_id), (starts, code, name) in first.items():
        arrived = times.get((kind, party_id))
        if (arrived is not None and arrived > starts) or (arrived is None and now >= starts):
            late.append(Late(kind, code, name, starts.astimezone(LOCAL_TZ), arrived))
    late.sort(key=lambda p: (p.first_meeting, p.code))
    shown = arrivals(db, session)
    return LiveView(
        session=session,
        now=now.astimezone(LOCAL_TZ),
        slot=slot,
        expected=len(shown),
        checked_in=sum(1 for a in shown if a.at is not None),
        running=sorted(
            (
                Running(
                    table_label(m.table, lang),
                    m.table.number if m.table else 0,
                    m.institution.name,
                    m.project.name,
                    m.status,
                )
                for m in running
                if m.status in AT_TABLE
            ),
            key=lambda r: r.table_number,
        ),
        no_shows=sum(1 for m in meetings if m.status == MeetingStatus.NO_SHOW),
        late=late,
        free_tables=[table_label(t, lang) for t in session.tables if t.id not in busy],
        arrivals=shown,
    )
