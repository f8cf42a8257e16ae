"""Events and their sessions: create from a description, find, and lay out slots and tables."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaker.db.models import Event, MatchmakingSession, Slot, Table, User
from matchmaker.domain import LOCAL_TZ, SessionKind, check_name, parse_id
from matchmaker.errors import Conflict, InvalidInput, NotFound, Problem
from matchmaker.messages import Ref
from matchmaker.services.registry.paging import Page, paginate
from matchmaker.text import fold
from matchmaker.vocabulary import DEFAULT_PRESET, PRESETS


@dataclass(frozen=True)
class SessionSpec:
    """What it takes to lay out a session: a day, hours in Asia/Shanghai, slot length, tables."""

    code: str
    name: str
    kind: SessionKind
    day: date
    start: time
    end: time
    slot_minutes: int
    tables: int
    venue: str = ""
    name_en: str = ""

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SessionSpec:
        """Build from the JSON shape of ``demo/data/event.json``; InvalidInput names bad fields."""
        problems = []

        def get(key: str, convert: Any) -> Any:
            try:
                return convert(data[key])
            except (KeyError, ValueError, TypeError):
                problems.append(Problem("error.invalid_input", column=key, value=data.get(key)))
                return None

        spec = dict(
            code=get("code", str),
            name=get("name", str),
            kind=get("kind", lambda v: SessionKind.parse(v)),
            day=get("date", date.fromisoformat),
            start=get("start", time.fromisoformat),
            end=get("end", time.fromisoformat),
            slot_minutes=get("slot_minutes", int),
            tables=get("tables", int),
        )
        if problems:
            raise InvalidInput("error.invalid_input", problems)
        return cls(**spec, venue=str(data.get("venue", "")), name_en=str(data.get("name_en", "")))


def create_event(
    db: Session,
    code: str,
    name: str,
    year: int,
    city: str = "",
    organiser: str = "",
    name_en: str = "",
) -> Event:
    """Create an event with the 中国创翼 tracks; Conflict if the code is taken, InvalidInput
    naming a malformed field. ``vocabulary.set_vocabulary`` gives it other tracks."""
    code = parse_id(code, "code")
    check_name(name, "name")
    check_name(name_en, "name_en")
    if db.scalar(select(Event.id).where(Event.code == code)) is not None:
        raise Conflict("error.duplicate_code", key=code)
    event = Event(code=code, name=name, name_en=name_en, year=year, city=city, organiser=organiser)
    # the 中国创翼 tracks until the organiser chooses (services/registry/vocabulary.py)
    event.vocabulary = PRESETS[DEFAULT_PRESET].to_dict()
    db.add(event)
    db.flush()
    return event


def add_session(db: Session, event: Event, spec: SessionSpec) -> MatchmakingSession:
    """Add a session with its slots (back to back from start to end) and numbered tables."""
    spec = replace(spec, code=parse_id(spec.code, "code"))
    check_name(spec.name, "name")
    check_name(spec.name_en, "name_en")
    starts = datetime.combine(spec.day, spec.start, LOCAL_TZ)
    ends = datetime.combine(spec.day, spec.end, LOCAL_TZ)
    if ends <= starts or spec.slot_minutes <= 0 or spec.tables < 0:
        raise InvalidInput("error.invalid_input", [Problem("error.invalid_input", column="end")])
    session = MatchmakingSession(
        event_id=event.id,
        code=spec.code,
        kind=spec.kind,
        name=spec.name,
        name_en=spec.name_en,
        starts_at=starts,
        ends_at=ends,
        venue=spec.venue,
        slot_minutes=spec.slot_minutes,
        table_count=spec.tables,
    )
    step = timedelta(minutes=spec.slot_minutes)
    number, at = 1, starts
    while at + step <= ends:
        session.slots.append(Slot(number=number, starts_at=at, ends_at=at + step))
        number, at = number + 1, at + step
    session.tables.extend(Table(number=n, label=f"{n}号桌") for n in range(1, spec.tables + 1))
    db.add(session)
    db.flush()
    return session


def list_events(db: Session, page: int = 1, page_size: int = 50) -> Page[Event]:
    """Return one page of the events, by code."""
    return paginate(db, select(Event).order_by(Event.code), page, page_size)


def all_events(db: Session, newest_first: bool = False) -> list[Event]:
    """Return every event, by code (``newest_first``: by year, the latest first, then code)."""
    order = (Event.year.desc(), Event.code) if newest_first else (Event.code,)
    return list(db.scalars(select(Event).order_by(*order)))


def update_event(db: Session, code: str, changes: dict[str, Any]) -> Event:
    """Change the event's names, city or organiser (the fields given)."""
    event = get_event(db, code)
    for key, value in changes.items():
        setattr(event, key, value)
    return event


def create_session(db: Session, event_code: str, spec: SessionSpec) -> MatchmakingSession:
    """Add a session to the event ``event_code``; Conflict if the event has one with its code."""
    event = get_event(db, event_code)
    if find_session(event, spec.code) is not None:
        raise Conflict("error.duplicate_code", key=spec.code)
    return add_session(db, event, spec)


def update_session(
    db: Session, event_code: str, code: str, changes: dict[str, Any]
) -> MatchmakingSession:
    """Rename a session or change its venue (the fields given)."""
    session = get_session(db, event_code, code)
    for key, value in changes.items():
        setattr(session, key, value)
    return session


def get_event(db: Session, code: str | None = None) -> Event:
    """Return the event with ``code``, or the only event when ``code`` is None."""
    if code is not None:
        event = db.scalar(select(Event).where(Event.code == code))
        if event is None:
            raise NotFound(what=Ref("what.event"), key=code)
        return event
    events = db.scalars(select(Event).order_by(Event.id)).all()
    if not events:
        raise NotFound("import.no_event")
    if len(events) > 1:
        raise InvalidInput("import.ambiguous_event", choices=", ".join(e.code for e in events))
    return events[0]


def find_session(event: Event, code: str) -> MatchmakingSession | None:
    """Return the session of ``event`` with ``code``, or None."""
    return next((s for s in event.sessions if s.code == code), None)


def get_session(db: Session, event_code: str | None, code: str) -> MatchmakingSession:
    """Return the session ``code`` of the event ``event_code``; NotFound names what is missing."""
    session = find_session(get_event(db, event_code), code)
    if session is None:
        raise NotFound(what=Ref("what.session"), key=code)
    return session


def event_for(
    db: Session,
    viewer: User,
    code: str | None = None,
    preferred: str | None = None,
    latest: bool = False,
) -> Event:
    """Return the event a request by ``viewer`` means.

    An investor or entrant belongs to one event through their institution or project: that is
    always theirs (naming another is NotFound, as if it did not exist, so no other event's code
    ever reaches them). Organisers and staff get the event named by ``code``, else the
    ``preferred`` one (their remembered choice, ignored when it no longer exists), else the only
    one; with several and no choice, the most recent (``latest``, for pages) or InvalidInput
    naming the codes to choose from.
    """
    bound = viewer.institution or viewer.project
    if bound is not None:
        own = db.get_one(Event, bound.event_id)
        if code is not None and code != own.code:
            raise NotFound(what=Ref("what.event"), key=code)
        return own
    if code is not None:
        return get_event(db, code)
    if preferred:
        found = db.scalar(select(Event).where(Event.code == preferred))
        if found is not None:
            return found
    if latest:
        newest = db.scalar(select(Event).order_by(Event.year.desc(), Event.id.desc()).limit(1))
        if newest is not None:
            return newest
    return get_event(db)


def event_code_for(db: Session, viewer: User, code: str | None) -> str | None:
    """Return the event a registration id is looked up in for ``viewer``: the one named, else a
    party's own (an id reused by another event is then no ambiguity to them), else None (the id
    must then be unique)."""
    if code:
        return code
    bound = viewer.institution or viewer.project
    return db.get_one(Event, bound.event_id).code if bound is not None else None


def session_lookup(event: Event) -> dict[str, str]:
    """Return folded session code/name/English name → session code, for import cells."""
    out: dict[str, str] = {}
    for session in event.sessions:
        for name in (session.code, session.name, session.name_en):
            if name:
                out.setdefault(fold(name), session.code)
    return out
