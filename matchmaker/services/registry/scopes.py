"""Scoped organisers: an account limited to one event and its counties' events, enforced on
every query of the request's database session.

A city runs the contest and its counties run 分赛场 (``Event.parent_id``); an organiser or staff
account with ``User.scope_event_id`` sees that event and the events under it, nothing else. The
limit is not left to each view: :func:`limit_session` marks the request's session, and a
``do_orm_execute`` hook adds a criterion to every ORM SELECT, UPDATE and DELETE of an
event-owned table, so another county's event, project, meeting or intent is simply not there
(NotFound: a 404, as for a party asking for another event's record — its existence does not
leak). Unscoped accounts (``scope_event_id`` NULL) and sessions outside requests (the CLI, the
workers) are unchanged.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, or_, select
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria

from matchmaker.db.models import (
    Agenda,
    Attachment,
    AuditEntry,
    CheckIn,
    DueDiligence,
    Event,
    Feedback,
    Institution,
    Intent,
    InterestBoost,
    Job,
    Landing,
    LateReport,
    LibraryLink,
    LibraryProposal,
    MatchmakingSession,
    MatchWeights,
    Meeting,
    MeetingMark,
    MeetingRequest,
    Notice,
    NoticeDelivery,
    PortfolioEntry,
    Project,
    RoadshowDraw,
    RoadshowInterest,
    RoadshowTap,
    SessionSeat,
    SignupRequest,
    Slot,
    Table,
    Unavailability,
    User,
)
from matchmaker.db.scope import SCOPE_KEY
from matchmaker.domain import Role
from matchmaker.embeddings.divisions import CITY, COUNTY, contains
from matchmaker.embeddings.divisions import table as divisions
from matchmaker.errors import InvalidInput, NotFound, PermissionDenied, Problem
from matchmaker.messages import Ref
from matchmaker.text import fold


def scope_ids(db: Session, user: User) -> frozenset[int] | None:
    """Return the ids of the events ``user`` may see, or None for every event.

    A scope covers its event and the events directly under it (a city's counties); an
    investor's or entrant's own event is decided elsewhere (``events.event_for``).
    """
    if user.scope_event_id is None:
        return None
    under = db.scalars(select(Event.id).where(Event.parent_id == user.scope_event_id))
    return frozenset({user.scope_event_id, *under})


def limit_session(db: Session, user: User) -> None:
    """Limit every later query of ``db`` to the events ``user`` may see (no-op if unscoped)."""
    ids = scope_ids(db, user)
    if ids is not None:
        db.info[SCOPE_KEY] = (tuple(sorted(ids)), user.id)


def session_scope(db: Session) -> frozenset[int] | None:
    """Return the event ids ``db`` is limited to, or None when it is not limited."""
    found = db.info.get(SCOPE_KEY)
    return frozenset(found[0]) if found else None


def _criteria(ids: tuple[int, ...], me: int) -> list[Any]:
    """One loader criterion per event-owned model, each reaching its event by a subquery."""

    def by_event(model: Any) -> Any:
        return with_loader_criteria(model, lambda cls: cls.event_id.in_(ids), include_aliases=True)

    projects = select(Project.id).where(Project.event_id.in_(ids))
    institutions = select(Institution.id).where(Institution.event_id.in_(ids))
    sessions = select(MatchmakingSession.id).where(MatchmakingSession.event_id.in_(ids))
    meetings = select(Meeting.id).where(Meeting.project_id.in_(projects))
    # accounts: oneself, the parties of the events in scope, and staff scoped inside it
    users = or_(
        User.id == me,
        User.project_id.in_(projects),
        User.institution_id.in_(institutions),
        User.scope_event_id.in_(ids),
    )
    # notices: of the events in scope, or an account notice (no event) to a visible account
    visible_users = select(User.id).where(users)
    notice_rule = or_(Notice.event_id.in_(ids), Notice.user_id.in_(visible_users))
    notices = select(Notice.id).where(notice_rule)
    out = [
        with_loader_criteria(Event, lambda cls: cls.id.in_(ids), include_aliases=True),
        *(
            by_event(m)
            for m in (
                Project,
                Institution,
                MatchmakingSession,
                CheckIn,
                Intent,
                Landing,
                LibraryProposal,
                SignupRequest,
                MatchWeights,
                Job,
            )
        ),
        with_loader_criteria(
            AuditEntry, lambda cls: or_(cls.event_id.is_(None), cls.event_id.in_(ids))
        ),
        with_loader_criteria(Notice, notice_rule),
    ]
    by_project: tuple[Any, ...] = (Attachment, DueDiligence, Feedback, RoadshowTap, Meeting)
    for model in (*by_project, MeetingRequest, RoadshowInterest, InterestBoost):
        out.append(with_loader_criteria(model, model.project_id.in_(projects)))
    out.append(
        with_loader_criteria(PortfolioEntry, PortfolioEntry.institution_id.in_(institutions))
    )
    out.append(
        with_loader_criteria(
            LibraryLink,
            or_(
                LibraryLink.project_id.in_(projects),
                LibraryLink.institution_id.in_(institutions),
            ),
        )
    )
    by_session: tuple[Any, ...] = (Slot, Table, SessionSeat, RoadshowDraw, LateReport, Agenda)
    for one in by_session:
        out.append(with_loader_criteria(one, one.session_id.in_(sessions)))
    out.append(with_loader_criteria(MeetingMark, MeetingMark.meeting_id.in_(meetings)))
    out.append(
        with_loader_criteria(
            Unavailability,
            Unavailability.slot_id.in_(select(Slot.id).where(Slot.session_id.in_(sessions))),
        )
    )
    out.append(with_loader_criteria(NoticeDelivery, NoticeDelivery.notice_id.in_(notices)))
    out.append(with_loader_criteria(User, users))
    return out


@event.listens_for(Session, "do_orm_execute")
def _limit_to_scope(state: ORMExecuteState) -> None:
    found = state.session.info.get(SCOPE_KEY)
    if not found or not (state.is_select or state.is_update or state.is_delete):
        return
    if state.is_column_load:  # a deferred column of a row already allowed
        return
    ids, me = found
    state.statement = state.statement.options(*_criteria(ids, me))


# ---- setting up: a county's event under its city's, an account limited to an event ----------


def parse_division(written: str) -> int:
    """Return the adcode of a city or county written as its 6-digit code or its name.

    InvalidInput names an unknown division, and lists the codes of a name several share.
    """
    text = written.strip()
    table = divisions()
    if text.isdigit():
        code = int(text)
        if code in table and table[code].level in (CITY, COUNTY):
            return code
        raise InvalidInput(
            "scope.unknown_division", [_problem("scope.unknown_division", text)], value=text
        )
    key = fold(text)
    found = sorted(
        d.code
        for d in table.values()
        if d.level in (CITY, COUNTY) and key in (fold(d.name), fold(d.short))
    )
    if not found:
        raise InvalidInput(
            "scope.unknown_division", [_problem("scope.unknown_division", text)], value=text
        )
    if len(found) > 1:
        choices = ", ".join(f"{table[c].name} {c}" for c in found)
        problem = Problem("scope.ambiguous_division", column="division", value=text,
                          params={"choices": choices})  # fmt: skip
        raise InvalidInput("scope.ambiguous_division", [problem], choices=choices, value=text)
    return found[0]


def division_name(code: int | None) -> str:
    """Return the name of an adcode (市/县), or "" when none or unknown."""
    found = divisions().get(code) if code else None
    return found.name if found else ""


def _problem(code: str, value: str) -> Problem:
    return Problem(code, column="division", value=value)


def place_event(
    db: Session, event: Event, parent: Event | None = None, division: int | None = None
) -> Event:
    """Put ``event`` under ``parent`` (a city's contest) and/or give it its ``division``.

    Two levels only: a parent must not itself be under another event, and an event with
    counties under it cannot move under one. A county's division must lie in its city's.
    InvalidInput says which rule a request breaks; nothing is changed then.
    """
    if parent is not None:
        if parent.id == event.id:
            raise InvalidInput("scope.self_parent")
        if parent.parent_id is not None:
            above = db.get_one(Event, parent.parent_id)
            raise InvalidInput("scope.parent_is_county", key=parent.code, parent=above.code)
        if event.id is not None and db.scalar(select(Event.id).where(Event.parent_id == event.id)):
            raise InvalidInput("scope.has_counties", key=event.code)
    city = parent.division if parent is not None else None
    if division is not None and city is not None and not contains(city, division):
        table = divisions()
        raise InvalidInput(
            "scope.outside_city", division=table[division].name, city=table[city].name
        )
    if parent is not None:
        event.parent_id = parent.id
    if division is not None:
        event.division = division
    db.flush()
    return event


def place_written(
    db: Session, event: Event, parent: str | None = None, division: str | None = None
) -> Event:
    """Place ``event`` as an organiser types it: the city's event by its code, the division by
    its name or adcode; a blank one is left as it is.

    Only an account over every event may place events (a county's organiser cannot move its
    own event out of the city's roll-up): PermissionDenied otherwise. Every refusal is an
    InvalidInput naming its field (``parent`` or ``division``) and the value typed.
    """
    parent, division = (parent or "").strip(), (division or "").strip()
    if not parent and not division:
        return event
    above = None
    if parent:
        above = db.scalar(select(Event).where(Event.code == parent))
        if above is None:
            problem = Problem("scope.unknown_parent", column="parent", value=parent)
            raise InvalidInput("scope.unknown_parent", [problem], value=parent)
    adcode = parse_division(division) if division else None
    if (above is None or above.id == event.parent_id) and adcode in (None, event.division):
        return event  # as it is (a form saved again): nothing to change, nothing to allow
    require_unscoped(db)
    try:
        return place_event(db, event, above, adcode)
    except InvalidInput as exc:
        if exc.problems:
            raise
        column = "division" if exc.code == "scope.outside_city" else "parent"
        value = division if column == "division" else parent
        problem = Problem(exc.code, column=column, value=value, params=exc.params)
        raise InvalidInput(exc.code, [problem], **exc.params) from None


def set_scope(db: Session, user: User, event: Event | None) -> User:
    """Limit ``user`` (an organiser or staff account) to ``event`` and the events under it;
    None lifts the limit. InvalidInput for an investor's or entrant's account."""
    if user.role not in (Role.ORGANISER, Role.STAFF):
        raise InvalidInput("scope.not_staff", key=user.username)
    user.scope_event_id = event.id if event is not None else None
    db.flush()
    return user


def require_unscoped(db: Session) -> None:
    """Refuse (403) an action only an account over every event may take (creating events)."""
    if session_scope(db) is not None:
        raise PermissionDenied("scope.no_new_event")


def find_user(db: Session, username: str) -> User:
    """Return the account ``username`` or NotFound."""
    found = db.scalar(select(User).where(User.username == username))
    if found is None:
        raise NotFound(what=Ref("what.user"), key=username)
    return found
