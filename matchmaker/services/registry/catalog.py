"""Browse and edit the registrations: filtered, paginated lists; get, create and update by id."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import String, cast, inspect, select
from sqlalchemy.orm import Session, selectinload

from matchmaker.db.models import (
    Event,
    Institution,
    MatchmakingSession,
    PortfolioEntry,
    Project,
    User,
    session_institutions,
    session_projects,
)
from matchmaker.domain import Stage, check_name, parse_id
from matchmaker.errors import Conflict, InvalidInput, NotFound, Problem
from matchmaker.messages import Ref
from matchmaker.services.registry.eligibility import ensure_eligible
from matchmaker.services.registry.events import get_event
from matchmaker.services.registry.names import ensure_name_free, record_rename
from matchmaker.services.registry.paging import Page as Page  # re-exported for other features
from matchmaker.services.registry.paging import paginate as paginate
from matchmaker.services.registry.registrations import search_text
from matchmaker.services.registry.vocabulary import (
    GROUP,
    INSTITUTION_TYPE,
    TRACK,
    Kind,
    check_group,
    check_institution_type,
    check_track,
    event_vocabulary,
    groups_of,
    institution_types_of,
    normalise_needs,
    vocabulary_of,
)
from matchmaker.text import fold
from matchmaker.vocabulary import Term, Vocabulary

R = TypeVar("R", Project, Institution)
HELD_SCAN = 64  # rows of a session searched before a code look-up asks the database (_held)


@dataclass(frozen=True)
class Overview:
    """An event at a glance: its registrations counted by track (keys of ``track_terms``, the
    event's tracks) and by institution type (keys of ``type_terms``)."""

    event: Event
    tracks: Counter[str]
    types: Counter[str]
    track_terms: Vocabulary
    type_terms: Vocabulary

    @property
    def projects(self) -> int:
        """Return the number of projects."""
        return sum(self.tracks.values())

    @property
    def institutions(self) -> int:
        """Return the number of institutions."""
        return sum(self.types.values())


def overview(db: Session, event: Event) -> Overview:
    """Return the event's registrations counted by track and by institution type."""
    tracks = Counter(db.scalars(select(Project.track).where(Project.event_id == event.id)))
    types = Counter(db.scalars(select(Institution.type).where(Institution.event_id == event.id)))
    own = event_vocabulary(event)
    return Overview(event, tracks, types, own.tracks, own.institution_types)


def event_registrations(db: Session, model: type[R], event_id: int) -> list[R]:
    """Return every project (or institution) of the event, by registration id."""
    query = select(model).where(model.event_id == event_id).order_by(model.code)
    return list(db.scalars(query))


def project_names(db: Session, event_id: int) -> dict[str, str]:
    """Return registration id → name for the event's projects."""
    rows = db.execute(select(Project.code, Project.name).where(Project.event_id == event_id))
    return {code: name for code, name in rows}


def _event_filter(db: Session, event: str | None) -> int | None:
    return get_event(db, event).id if event else None


def list_projects(
    db: Session,
    *,
    event: str | None = None,
    track: str | None = None,
    stage: str | None = None,
    group: str | None = None,
    session: str | None = None,
    region: str | None = None,
    q: str | None = None,
    min_ask: int | None = None,
    max_ask: int | None = None,
    page: int = 1,
    page_size: int = 50,
) -> Page[Project]:
    """Return projects matching every given filter, ordered by registration id.

    ``track`` and ``group`` are a key, label or alias of the event's tracks or groups
    (InvalidInput naming them if not); with no event named, of any event's.
    """
    query = select(Project).options(selectinload(Project.sessions)).order_by(Project.code)
    if (event_id := _event_filter(db, event)) is not None:
        query = query.where(Project.event_id == event_id)
    if track:
        tracks = vocabulary_of(get_event(db, event)) if event else _every(db, TRACK)
        query = query.where(Project.track == tracks.check(track))
    if stage:
        query = query.where(Project.stage == stage)
    if group:
        groups = groups_of(get_event(db, event)) if event else _every(db, GROUP)
        query = query.where(Project.group == groups.check(group, "group", "import.bad_group"))
    if session:
        query = query.where(
            Project.id.in_(
                select(session_projects.c.project_id)
                .join(MatchmakingSession, MatchmakingSession.id == session_projects.c.session_id)
                .where(MatchmakingSession.code == session)
            )
        )
    if region:
        query = query.where(Project.search_text.contains(fold(region), autoescape=True))
    if q:
        for word in fold(q).split() or [fold(q)]:
            query = query.where(Project.search_text.contains(word, autoescape=True))
    if min_ask is not None:
        query = query.where(Project.funding_ask >= min_ask)
    if max_ask is not None:
        query = query.where(Project.funding_ask <= max_ask)
    return paginate(db, query, page, page_size)


def _every(db: Session, kind: Kind) -> Vocabulary:
    """Return the ``kind`` terms of every event, each key once (a list across events filters by
    any)."""
    terms: dict[str, Term] = {}
    for event in db.scalars(select(Event).order_by(Event.id)):
        for term in kind.of(event_vocabulary(event)):
            terms.setdefault(term.key, term)
    return Vocabulary(tuple(terms.values()))


def list_institutions(
    db: Session,
    *,
    event: str | None = None,
    type: str | None = None,
    stage: str | None = None,
    session: str | None = None,
    q: str | None = None,
    page: int = 1,
    page_size: int = 50,
) -> Page[Institution]:
    """Return institutions matching every given filter, ordered by registration id; ``type`` is
    a key, label or alias of the event's institution types (InvalidInput naming them if not)."""
    query = (
        select(Institution)
        .options(selectinload(Institution.sessions), selectinload(Institution.portfolio))
        .order_by(Institution.code)
    )
    if (event_id := _event_filter(db, event)) is not None:
        query = query.where(Institution.event_id == event_id)
    if type:
        types = (
            institution_types_of(get_event(db, event)) if event else _every(db, INSTITUTION_TYPE)
        )
        key = types.check(type, "type", "import.bad_institution_type")
        query = query.where(Institution.type == key)
    if session:
        query = query.where(
            Institution.id.in_(
                select(session_institutions.c.institution_id)
                .join(
                    MatchmakingSession, MatchmakingSession.id == session_institutions.c.session_id
                )
                .where(MatchmakingSession.code == session)
            )
        )
    if q:
        for word in fold(q).split() or [fold(q)]:
            query = query.where(Institution.search_text.contains(word, autoescape=True))
    if stage:
        # JSON arrays render as text the same way on SQLite and PostgreSQL: ["angel", "seed"]
        query = query.where(cast(Institution.stages, String).contains(f'"{stage}"'))
    return paginate(db, query, page, page_size)


def get_project(
    db: Session, code: str, event: str | None = None, prefer: int | None = None
) -> Project:
    """Return the project with registration id ``code`` (in ``event``, when given).

    Without ``event`` the id must name one project, or one in the event ``prefer`` (an id),
    else InvalidInput asks for the event.
    """
    return _by_code(db, Project, code, event, "what.project", prefer)


def get_institution(
    db: Session, code: str, event: str | None = None, prefer: int | None = None
) -> Institution:
    """Return the institution with registration id ``code``, as :func:`get_project` does."""
    return _by_code(db, Institution, code, event, "what.institution", prefer)


def _by_code(
    db: Session, model: type[R], code: str, event: str | None, what: str, prefer: int | None
) -> R:
    query = select(model).where(model.code == code)
    if event:
        event_id = get_event(db, event).id
        held = _held(db, model, code, event_id)
        if held is not None:
            return held
        query = query.where(model.event_id == event_id)
    rows: list[R] = list(db.scalars(query))
    if not rows:
        raise NotFound(what=Ref(what), key=code)
    if len(rows) > 1:
        preferred = [r for r in rows if r.event_id == prefer]
        if preferred:
            return preferred[0]
        codes = db.scalars(select(Event.code).where(Event.id.in_([r.event_id for r in rows])))
        raise InvalidInput("import.ambiguous_event", choices=", ".join(sorted(codes)))
    return rows[0]


def _held(db: Session, model: type[R], code: str, event_id: int) -> R | None:
    """The ``model`` row of ``event_id`` with ``code`` when this session already holds it loaded
    (the signed-in party's own, say, read with its account), else None: the query would return
    that same object, so the round trip is skipped. A session holding many rows (an organiser's
    list) is not searched: the query is cheaper then."""
    if len(db.identity_map) > HELD_SCAN:
        return None
    for row in list(db.identity_map.values()):
        if type(row) is not model:
            continue
        state = inspect(row)
        if state.unloaded & {"code", "event_id"} or state.deleted:
            continue
        if row.event_id == event_id and row.code == code:
            return row
    return None


def create_project(
    db: Session, event: Event, data: dict[str, Any], actor: User | None = None
) -> Project:
    """Register a project; Conflict if its id or its name is taken in the event."""
    data["code"] = parse_id(data["code"])
    _ensure_free(db, Project, event, data["code"])
    project = Project(event_id=event.id, code=data["code"])
    ensure_name_free(db, project, data["name"])
    db.add(project)
    return update_project(db, project, data, actor)


def update_project(
    db: Session, project: Project, data: dict[str, Any], actor: User | None = None
) -> Project:
    """Apply the given fields (absent fields are left alone) and refresh the search text.

    A new name must be free in the event (Conflict naming its holder); a rename is audited. The
    event's eligibility rules are checked first (InvalidInput naming the clashing project).
    """
    _check_names(data)
    event = db.get_one(Event, project.event_id)
    if "track" in data:  # the event's own tracks and groups: InvalidInput names them
        data["track"] = check_track(event, data["track"])
    if "group" in data:
        data["group"] = check_group(event, data["group"])
    if data.get("needs") is not None:
        data["needs"] = normalise_needs(data["needs"])
    if project.id is None or _RULED.intersection(data):
        with db.no_autoflush:  # a new project is pending: compare it, do not write it half-made
            current = {k: getattr(project, k) for k in _RULED}
            ensure_eligible(db, event, {**current, **data})
    sessions = data.pop("sessions", None)
    renamed = _check_name(db, project, data)
    for key, value in data.items():
        if key != "code":
            setattr(project, key, value)
    if sessions is not None:
        project.sessions = _sessions(db, project.event_id, sessions)
    project.search_text = search_text(project)
    db.flush()
    if renamed is not None:
        record_rename(db, project, renamed, actor)
    return project


_RULED = {"code", "name", "group", "credit_code", "leader_id", "contact_phone"}


def create_institution(
    db: Session, event: Event, data: dict[str, Any], actor: User | None = None
) -> Institution:
    """Register an institution; Conflict if its id or its name is taken in the event."""
    data["code"] = parse_id(data["code"])
    _ensure_free(db, Institution, event, data["code"])
    institution = Institution(event_id=event.id, code=data["code"])
    ensure_name_free(db, institution, data["name"])
    db.add(institution)
    return update_institution(db, institution, data, actor)


def update_institution(
    db: Session, institution: Institution, data: dict[str, Any], actor: User | None = None
) -> Institution:
    """Apply the given fields; ticket bounds are checked together, a new name like a project's,
    the type against the event's institution types (InvalidInput naming them)."""
    _check_names(data)
    if "type" in data:
        event = db.get_one(Event, institution.event_id)
        data["type"] = check_institution_type(event, data["type"])
    sessions = data.pop("sessions", None)
    portfolio = data.pop("portfolio", None)
    low = data.get("ticket_min", institution.ticket_min)
    high = data.get("ticket_max", institution.ticket_max)
    if low is not None and high is not None and low > high:
        raise InvalidInput(
            None, [Problem("field.range_inverted", column="ticket_min", value=f"{low}>{high}")]
        )
    renamed = _check_name(db, institution, data)
    for key, value in data.items():
        if key != "code":
            setattr(institution, key, value)
    if sessions is not None:
        institution.sessions = _sessions(db, institution.event_id, sessions)
    if portfolio is not None:
        institution.portfolio = [
            PortfolioEntry(
                position=i,
                company=p["company"],
                sectors=p.get("sectors", []),
                stage=Stage(p["stage"]) if p.get("stage") else None,
                year=p.get("year"),
                description=p.get("description", ""),
            )
            for i, p in enumerate(portfolio)
        ]
    institution.search_text = search_text(institution)
    db.flush()
    if renamed is not None:
        record_rename(db, institution, renamed, actor)
    return institution


def _check_names(data: dict[str, Any]) -> None:
    """Refuse a name holding a line break, a control, bidi or zero-width character."""
    for key in ("name", "contact_name"):
        if isinstance(data.get(key), str):
            check_name(data[key], key)


def _check_name(db: Session, row: Project | Institution, data: dict[str, Any]) -> str | None:
    """Refuse a taken name before anything changes; return the old name if this is a rename."""
    if "name" not in data or row.id is None:  # a new row's name was checked before it was added
        return None
    ensure_name_free(db, row, data["name"])
    return row.name if row.name != data["name"] else None


def _ensure_free(db: Session, model: Any, event: Event, code: str) -> None:
    taken = db.scalar(select(model.id).where(model.event_id == event.id, model.code == code))
    if taken is not None:
        raise Conflict("error.duplicate_code", key=code)


def _sessions(db: Session, event_id: int, codes: list[str]) -> list[MatchmakingSession]:
    found = {
        s.code: s
        for s in db.scalars(
            select(MatchmakingSession).where(
                MatchmakingSession.event_id == event_id, MatchmakingSession.code.in_(codes)
            )
        )
    }
    missing = [c for c in codes if c not in found]
    if missing:
        raise InvalidInput(
            None, [Problem("import.bad_session", column="sessions", value=c) for c in missing]
        )
    return [found[c] for c in codes]
