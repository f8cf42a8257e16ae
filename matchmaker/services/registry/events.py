"""Events and their sessions: create from a description, find, and lay out slots and tables."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session, joinedload

from matchmaker.db.models import Event, MatchmakingSession, Meeting, Slot, Table, User
from matchmaker.db.scope import SCOPE_KEY
from matchmaker.domain import MeetingStatus, check_name, parse_id
from matchmaker.errors import Conflict, InvalidInput, NotFound, Problem
from matchmaker.messages import LANGUAGES, Ref
from matchmaker.services.audit import record
from matchmaker.services.registry.paging import Page, paginate
from matchmaker.services.registry.scopes import place_written
from matchmaker.services.registry.sessions import SessionSpec, spec_of
from matchmaker.services.registry.vocabulary import (
    INSTITUTION_TYPE,
    add_group,
    add_term,
    parse_type_spec,
    set_vocabulary,
)
from matchmaker.text import fold
from matchmaker.vocabulary import DEFAULT_PRESET, PRESETS

__all__ = ["SessionSpec"]  # its home is sessions.py; callers of old import it from here

# What an organiser may change on an event, and the fields of its audit entries.
EVENT_FIELDS = ("name", "name_en", "year", "city", "organiser", "languages")


def create_event(
    db: Session,
    code: str,
    name: str,
    year: int,
    city: str = "",
    organiser: str = "",
    name_en: str = "",
    languages: str = "zh,en",
    preset: str | None = DEFAULT_PRESET,
    tracks: Sequence[str] | None = None,
    groups: Sequence[str] | None = None,
    institution_types: Sequence[str] | None = None,
    parent: str | None = None,
    division: str | None = None,
) -> Event:
    """Create an event with the tracks (赛道) and groups (组别) of ``preset`` (the 中国创翼 six
    and 企业组/创客组 by default; ``none`` for only its own) and then ``tracks``, ``groups`` and
    ``institution_types`` (after the six; ``担保公司=bank`` to be matched like a bank), labels
    the organiser lists; Conflict if the code is taken, InvalidInput naming a malformed field,
    an unknown preset or no tracks at all."""
    code = parse_id(code, "code")
    fields = _event_fields(
        dict(
            name=name,
            name_en=name_en,
            year=year,
            city=city,
            organiser=organiser,
            languages=languages,
        )
    )
    if db.scalar(select(Event.id).where(Event.code == code)) is not None:
        raise Conflict("error.duplicate_code", key=code)
    event = Event(code=code, **fields)
    event.vocabulary = PRESETS[DEFAULT_PRESET].to_dict()
    db.add(event)
    db.flush()
    if preset != DEFAULT_PRESET or tracks or groups or institution_types:
        set_vocabulary(
            db,
            event,
            preset,
            list(tracks or ()),
            groups=list(groups or ()),
            institution_types=list(institution_types or ()),
        )
    # a county's 分赛场: the city's event (its code) and the county (name or adcode)
    place_written(db, event, parent, division)
    return event


def _event_fields(changes: dict[str, Any]) -> dict[str, Any]:
    """Return ``changes`` checked and normalised; InvalidInput names every bad field."""
    problems = [Problem("event.unknown_field", column=k) for k in changes if k not in EVENT_FIELDS]
    out: dict[str, Any] = {}
    for key, raw in changes.items():
        if key not in EVENT_FIELDS:
            continue
        value = "" if raw is None else raw
        if key == "year":
            try:
                value = int(str(value).strip())
                if not 2000 <= value <= 2100:
                    raise ValueError(value)
            except ValueError:
                problems.append(Problem("event.bad_year", column="year", value=raw))
                continue
        elif key == "languages":
            codes = [c.strip().lower() for c in str(value).replace("，", ",").split(",")]
            codes = list(dict.fromkeys(c for c in codes if c))
            if not codes or any(c not in LANGUAGES for c in codes):
                problems.append(
                    Problem(
                        "event.bad_languages",
                        column="languages",
                        value=raw,
                        params={"choices": ",".join(LANGUAGES)},
                    )
                )
                continue
            value = ",".join(codes)
        else:
            value = str(value).strip()
            limit = {"city": 100, "organiser": 300}.get(key, 200)
            if key == "name" and not value:
                problems.append(Problem("event.name_required", column="name"))
                continue
            if len(value) > limit:
                problems.append(
                    Problem("event.too_long", column=key, value=value, params={"limit": limit})
                )
                continue
            try:
                check_name(value, key)
            except InvalidInput as exc:
                problems.extend(exc.problems)
                continue
        out[key] = value
    if problems:
        raise InvalidInput("error.invalid_input", problems)
    return out


def _event_record(event: Event) -> dict[str, Any]:
    return {"code": event.code, **{k: getattr(event, k) for k in EVENT_FIELDS}}


def add_session(db: Session, event: Event, spec: SessionSpec) -> MatchmakingSession:
    """Add a session with its slots (back to back from start to end, around its breaks) and
    its labelled tables."""
    spec = replace(spec, code=parse_id(spec.code, "code"))
    check_name(spec.name, "name")
    check_name(spec.name_en, "name_en")
    slots = spec.layout()
    session = MatchmakingSession(
        event_id=event.id,
        code=spec.code,
        kind=spec.kind,
        name=spec.name,
        name_en=spec.name_en,
        starts_at=spec.starts_at(),
        ends_at=spec.ends_at(),
        venue=spec.venue,
        slot_minutes=spec.slot_minutes,
        table_count=len(spec.labels()),
        breaks=spec.break_texts(),
    )
    for number, (starts, ends) in enumerate(slots, start=1):
        session.slots.append(Slot(number=number, starts_at=starts, ends_at=ends))
    session.tables.extend(
        Table(number=n, label=label) for n, label in enumerate(spec.labels(), start=1)
    )
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


def update_event(
    db: Session, code: str | None, changes: dict[str, Any], actor: User | None = None
) -> Event:
    """Change the event's names, year, city, organiser or languages (the fields given), audited;
    ``groups`` and ``institution_types`` (labels; a type as ``担保公司=bank``) are added to the
    event's, each audited. InvalidInput names every bad field and nothing changes (the caller
    rolls back what it flushed)."""
    event = get_event(db, code)
    changes = dict(changes)
    groups = changes.pop("groups", None) or ()
    types = changes.pop("institution_types", None) or ()
    parent, division = changes.pop("parent", None), changes.pop("division", None)
    fields = _event_fields(changes)
    placed = {"parent_id": event.parent_id, "division": event.division}
    place_written(db, event, parent, division)
    now_placed = {"parent_id": event.parent_id, "division": event.division}
    if now_placed != placed:
        record(db, event, "place", actor, placed, now_placed)
    for label in groups:
        add_group(db, event, label, actor=actor)
    for spec in types:
        label, like = parse_type_spec(spec)
        add_term(db, event, INSTITUTION_TYPE, label, actor=actor, like=like)
    before = _event_record(event)
    for key, value in fields.items():
        setattr(event, key, value)
    db.flush()
    if _event_record(event) != before:
        record(db, event, "edit", actor, before, _event_record(event))
    return event


edit_event = update_event


def create_session(db: Session, event_code: str | None, spec: SessionSpec) -> MatchmakingSession:
    """Add a session to the event ``event_code``; Conflict if the event has one with its code."""
    event = get_event(db, event_code)
    if find_session(event, parse_id(spec.code, "code")) is not None:
        raise Conflict("error.duplicate_code", key=spec.code)
    return add_session(db, event, spec)


def delete_session(
    db: Session, event_code: str | None, code: str, actor: User | None = None
) -> dict[str, Any]:
    """Delete a session that holds no meeting (cancelled ones aside), audited; Conflict naming
    how many meetings it holds otherwise. Returns what was deleted."""
    session = get_session(db, event_code, code)
    held = db.scalar(
        select(func.count())
        .select_from(Meeting)
        .where(Meeting.session_id == session.id, Meeting.status != MeetingStatus.CANCELLED)
    )
    if held:
        raise Conflict("session.has_meetings", session=session.code, count=held)
    before = spec_of(session)
    record(db, session, "delete", actor, before, None)
    db.delete(session)
    db.flush()
    db.expire(session.event, ["sessions"])
    return before


def get_event(db: Session, code: str | None = None) -> Event:
    """Return the event with ``code``, or the only event when ``code`` is None."""
    if code is not None:
        event = _known(db).get((code, db.info.get(SCOPE_KEY)))
        if event is not None and _still(db, event, code):
            return event
        event = db.scalar(select(Event).where(Event.code == code))
        if event is None:
            raise NotFound(what=Ref("what.event"), key=code)
        return remember_event(db, event)
    events = db.scalars(select(Event).order_by(Event.id)).all()
    if not events:
        raise NotFound("import.no_event")
    if len(events) > 1:
        raise InvalidInput("import.ambiguous_event", choices=", ".join(e.code for e in events))
    return events[0]


_KNOWN = "matchmaker.events_by_code"  # Session.info key: events this session looked up


def _known(db: Session) -> dict[tuple[str, Any], Event]:
    known: dict[tuple[str, Any], Event] = db.info.setdefault(_KNOWN, {})
    return known


def remember_event(db: Session, event: Event) -> Event:
    """Keep ``event`` for :func:`get_event` in ``db`` and return it.

    One API request looks its event up by code three to five times (the viewer's own, then
    each registration id and session named in the request). The session's identity map holds
    objects weakly, so an event nobody kept a reference to is loaded again each time; this keeps
    it (per session, so per request, and per scope: a scoped organiser's lookups are filtered).
    """
    _known(db)[(event.code, db.info.get(SCOPE_KEY))] = event
    return event


def _still(db: Session, event: Event, code: str) -> bool:
    """Whether a remembered ``event`` may be returned for ``code`` without asking again: still
    in ``db``, loaded (not expired by a commit or rollback) and still under that code."""
    state = inspect(event)
    return state.persistent and "code" not in state.unloaded and event.code == code


def find_session(event: Event, code: str) -> MatchmakingSession | None:
    """Return the session of ``event`` with ``code``, or None."""
    return next((s for s in event.sessions if s.code == code), None)


def get_session(db: Session, event_code: str | None, code: str) -> MatchmakingSession:
    """Return the session ``code`` of the event ``event_code``; NotFound names what is missing.

    Unless the event's sessions are loaded already, only that session is read, with its slots
    (a booking or a free-slots question needs them) in the same query.
    """
    event = get_event(db, event_code)
    if "sessions" in inspect(event).unloaded:
        session = (
            db.scalars(
                select(MatchmakingSession)
                .where(MatchmakingSession.event_id == event.id, MatchmakingSession.code == code)
                .options(joinedload(MatchmakingSession.slots))
            )
            .unique()
            .one_or_none()
        )
    else:
        session = find_session(event, code)
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
    if bound is None:
        return None
    return remember_event(db, db.get_one(Event, bound.event_id)).code


def session_lookup(event: Event) -> dict[str, str]:
    """Return folded session code/name/English name → session code, for import cells."""
    out: dict[str, str] = {}
    for session in event.sessions:
        for name in (session.code, session.name, session.name_en):
            if name:
                out.setdefault(fold(name), session.code)
    return out
