"""Bookings (预约): either side asks for a meeting in a free slot; the other side answers.

A pending request holds its slot as a ``requested`` meeting, so the database's unique indexes on
live meetings (one per institution, project and table per slot) make double booking impossible
even when many people book at once; the loser's insert fails and becomes a 409. Requests that
are not answered in time expire and free their slot (checked on every booking, no worker).

An answer moves a request on only from the status it was read in (a conditional UPDATE checked
by its row count), so when an accept and a withdrawal arrive together exactly one of them wins
and the other gets a 409 naming what happened, on PostgreSQL (the second UPDATE waits for the
first and then matches nothing) and on SQLite alike. On SQLite every booking and answer begins
its transaction as a writer (``begin_write``), so parallel bookings queue for the lock instead
of failing with "database is locked".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import (
    ColumnElement,
    CursorResult,
    Select,
    and_,
    case,
    exists,
    func,
    literal,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from matchmaker.config import Settings
from matchmaker.db.models import (
    Event,
    Institution,
    MatchmakingSession,
    Meeting,
    MeetingRequest,
    Project,
    Slot,
    Unavailability,
    User,
    session_institutions,
    session_projects,
)
from matchmaker.db.transactions import begin_write
from matchmaker.db.types import utcnow
from matchmaker.domain import MeetingStatus, NoticeKind, RequestStatus, Role, local_minute
from matchmaker.errors import Conflict, InvalidInput, NotFound, PermissionDenied, Problem
from matchmaker.messages import Ref
from matchmaker.services.agendas.notices import (
    INSTITUTION,
    PROJECT,
    asked_side,
    asker_side,
    tell_request,
)
from matchmaker.services.agendas.seats import seat
from matchmaker.services.audit import record
from matchmaker.services.registry import catalog
from matchmaker.services.registry.events import get_session

LIVE_REQUESTS = (RequestStatus.PENDING, RequestStatus.ACCEPTED)


@dataclass(frozen=True)
class BookingRules:
    """How long a pending request holds its slot, and how many requests one party may have."""

    request_hours: int = 24
    institution_cap: int = 0  # live requests an institution may receive per session; 0: 2 × slots
    project_cap: int = 6  # live requests a project may have per session

    @classmethod
    def from_settings(cls, settings: Settings) -> BookingRules:
        """Return the rules configured by ``MATCHMAKER_REQUEST_HOURS`` and the cap variables."""
        return cls(
            request_hours=settings.request_hours,
            institution_cap=settings.institution_request_cap,
            project_cap=settings.project_request_cap,
        )

    def cap_for(self, session: MatchmakingSession) -> int:
        """Return the institution cap in ``session``."""
        return self.institution_cap or 2 * len(session.slots)


def expire_stale(db: Session, session: MatchmakingSession, now: datetime | None = None) -> int:
    """Expire pending requests past their time and free their slots; return how many. Both
    sides of each are told (``request_expired``)."""
    now = now or utcnow()
    stale = db.scalars(_stale(session, now)).all()
    _expire(db, stale, now)
    return len(stale)


def _stale(session: MatchmakingSession, now: datetime) -> Select[int]:
    """The ids of the pending requests of ``session`` past their time."""
    return select(MeetingRequest.id).where(
        MeetingRequest.session_id == session.id,
        MeetingRequest.status == RequestStatus.PENDING,
        MeetingRequest.expires_at < now,
    )


def _expire(db: Session, stale: Sequence[int], now: datetime) -> None:
    """Expire the requests ``stale`` (ids) still pending, free their slots and tell both sides."""
    if not stale:
        return
    # only the requests this UPDATE moved are told of (another process may expire the same
    # ones at once: its UPDATE, not this one, then returns them)
    expired = db.scalars(
        update(MeetingRequest)
        .where(MeetingRequest.id.in_(stale), MeetingRequest.status == RequestStatus.PENDING)
        .values(status=RequestStatus.EXPIRED, decided_at=now)
        .returning(MeetingRequest.id)
    ).all()
    db.execute(
        update(Meeting)
        .where(Meeting.request_id.in_(stale), Meeting.status == MeetingStatus.REQUESTED)
        .values(status=MeetingStatus.CANCELLED)
    )
    for request in db.scalars(select(MeetingRequest).where(MeetingRequest.id.in_(expired))):
        tell_request(db, request, NoticeKind.REQUEST_EXPIRED, None, (PROJECT, INSTITUTION))


MEETING, AWAY, STALE = 0, 1, 2  # what a row of _pair_and_busy's query is


def _pair_and_busy(
    db: Session, session: MatchmakingSession, project: Project, institution: Institution
) -> tuple[int | None, set[int]]:
    """Expire the stale requests of ``session`` (:func:`expire_stale`), then return the slot id
    of the pair's live meeting in it (None if they have none) and the slots in which either of
    the two has a live meeting or is away.

    One query asks all three; only when some request has gone stale (rare: most are answered or
    lapse on the reminders' round) does a second one follow the expiry.
    """
    now = utcnow()
    meetings = select(
        literal(MEETING), Meeting.slot_id, Meeting.project_id, Meeting.institution_id
    ).where(
        Meeting.session_id == session.id,
        Meeting.status != MeetingStatus.CANCELLED,
        or_(Meeting.project_id == project.id, Meeting.institution_id == institution.id),
    )
    away = select(
        literal(AWAY),
        Unavailability.slot_id,
        Unavailability.project_id,
        Unavailability.institution_id,
    ).where(
        or_(
            Unavailability.project_id == project.id, Unavailability.institution_id == institution.id
        )
    )
    stale_ids = _stale(session, now).subquery()
    stale = select(literal(STALE), stale_ids.c.id, literal(None), literal(None))
    rows: list[Any] = list(db.execute(union_all(meetings, away, stale)))
    stale_found = [int(row[1]) for row in rows if row[0] == STALE]
    if stale_found:
        _expire(db, stale_found, now)
        rows = list(db.execute(union_all(meetings, away)))
    paired: int | None = None
    busy: set[int] = set()
    for kind, slot_id, project_id, institution_id in rows:
        busy.add(int(slot_id))
        if kind == MEETING and (project_id, institution_id) == (project.id, institution.id):
            paired = int(slot_id)
    return paired, busy


def free_slots(
    db: Session, session: MatchmakingSession, project: Project, institution: Institution
) -> list[Slot]:
    """Return the slots of ``session`` not yet begun in which both parties are free, in time
    order."""
    _paired, busy = _pair_and_busy(db, session, project, institution)
    now = utcnow()
    return [slot for slot in session.slots if slot.id not in busy and slot.starts_at > now]


def find_free_slots(
    db: Session,
    viewer: User,
    event: str | None,
    project_code: str,
    institution_code: str,
    session_code: str,
) -> list[Slot]:
    """Return :func:`free_slots` of a pair named by registration ids (in ``event`` when given)
    in the session ``session_code`` of the project's event.

    A party may ask only about pairs it belongs to (else ``PermissionDenied``); an organiser
    about any.
    """
    project = catalog.get_project(db, project_code, event)
    institution = catalog.get_institution(db, institution_code, event)
    _ensure_acts_for(viewer, project, institution)
    session = get_session(db, _event_code(db, project), session_code)
    return free_slots(db, session, project, institution)


def shared_sessions(project: Project, institution: Institution) -> list[MatchmakingSession]:
    """Return the sessions both ``project`` and ``institution`` attend, in the project's order."""
    return [s for s in project.sessions if institution in s.institutions]


def has_slot_to_come(session: MatchmakingSession, now: datetime | None = None) -> bool:
    """Return whether a slot of ``session`` has not begun yet (only such a slot can be booked)."""
    now = now or utcnow()
    return any(slot.starts_at > now for slot in session.slots)


def booking_offers(
    sessions: Iterable[MatchmakingSession],
    side: Literal["projects", "institutions"],
    now: datetime | None = None,
) -> tuple[set[str], set[str]]:
    """Return which parties of ``side`` one party (attending ``sessions``) can still book.

    The first set holds the codes met in a shared session with a slot still to come: a request
    can be made. The second holds those met only in sessions whose every slot has begun: there
    is nothing left to book, and pages say so rather than offer a dead end.
    """
    now = now or utcnow()
    bookable: set[str] = set()
    ended: set[str] = set()
    for session in sessions:
        codes = {party.code for party in getattr(session, side)}
        (bookable if has_slot_to_come(session, now) else ended).update(codes)
    return bookable, ended - bookable


def request_meeting(
    db: Session,
    rules: BookingRules,
    actor: User,
    session: MatchmakingSession,
    project: Project,
    institution: Institution,
    slot_number: int | None,
    message: str = "",
    on_behalf_of: Role | None = None,
) -> MeetingRequest:
    """Ask for a meeting in slot ``slot_number``; the slot is held until answered or expired.

    A request not answered by the time its slot begins expires then (or after the rules' hours,
    whichever comes first). An organiser may ask on one side's behalf (``on_behalf_of``: the
    investor's, say, for a roadshow's interest): the other side then answers it.

    Raises ``Conflict`` when the slot has begun or was taken (also by a concurrent booking), the
    pair already has a live request, or a cap is reached; ``InvalidInput`` when no slot was
    chosen (``None``) or a party is not in the session.
    """
    _ensure_acts_for(actor, project, institution)
    if slot_number is None:  # nobody is booked into a slot they did not choose
        raise InvalidInput("booking.no_slot", [Problem("booking.pick_slot", column="slot")])
    # asked from the parties' side in one query: not the session's every party (a booking used
    # to load all 240 projects of the session to find one), nor each party's sessions
    project_attends, institution_attends = _attendance(db, session, project, institution)
    if not project_attends:
        raise InvalidInput("booking.not_in_session", what=project.code, session=session.code)
    if not institution_attends:
        raise InvalidInput("booking.not_in_session", what=institution.code, session=session.code)
    slot = next((s for s in session.slots if s.number == slot_number), None)
    if slot is None:
        raise NotFound(what=Ref("what.slot"), key=slot_number)
    now = utcnow()
    if session.ends_at <= now:
        end = local_minute(session.ends_at)
        raise Conflict("booking.session_over", session=session.code, end=end)
    if slot.starts_at <= now:
        start = local_minute(slot.starts_at)
        raise Conflict("booking.slot_started", slot=slot_number, start=start)
    # Serialise bookings per institution on PostgreSQL (on SQLite all of them: the write lock)
    # so the caps below are exact.
    begin_write(db)
    db.execute(select(Institution.id).where(Institution.id == institution.id).with_for_update())
    paired, busy = _pair_and_busy(db, session, project, institution)  # stale ones expired
    _check_caps(db, rules, session, project, institution)
    if paired is not None:  # one meeting per pair and session: the agenda already has it
        number = next(s.number for s in session.slots if s.id == paired)
        raise Conflict("booking.pair_meets", slot=number)
    if slot.id in busy:
        raise Conflict("booking.slot_taken", slot=slot_number)
    # The request holds its session, parties and slot (not only their ids): what is shown of it
    # after the commit is then read from memory, not the database, which may be gone by then.
    request = MeetingRequest(
        session=session,
        project=project,
        institution=institution,
        requested_by=_asker(actor, on_behalf_of),
        status=RequestStatus.PENDING,
        slot=slot,
        message=message.strip(),
        expires_at=min(now + timedelta(hours=rules.request_hours), slot.starts_at),
    )
    try:
        with db.begin_nested():
            table = seat(db, session, institution)
            db.add(request)
            db.flush()
            hold = Meeting(
                session_id=session.id,
                slot_id=slot.id,
                table_id=table.id,
                institution_id=institution.id,
                project_id=project.id,
                status=MeetingStatus.REQUESTED,
                request_id=request.id,
            )
            db.add(hold)
            db.flush()
    except IntegrityError:
        raise Conflict("booking.slot_taken", slot=slot_number) from None
    record(db, request, "request", actor, after=_request_state(request, slot_number))
    # the asked side is told; an organiser booking for a pair tells the asking side too
    sides = [asked_side(request)] + ([asker_side(request)] if actor.role == Role.ORGANISER else [])
    tell_request(db, request, NoticeKind.REQUEST_RECEIVED, actor, sides, hold)
    return request


def book_meeting(
    db: Session,
    rules: BookingRules,
    actor: User,
    event: str | None,
    session_code: str,
    project_code: str,
    institution_code: str,
    slot_number: int | None,
    message: str = "",
) -> MeetingRequest:
    """Return :func:`request_meeting` for a pair named by registration ids (in ``event`` when
    given), in the session ``session_code`` of the project's event."""
    project = catalog.get_project(db, project_code, event)
    institution = catalog.get_institution(db, institution_code, event)
    session = get_session(db, _event_code(db, project), session_code)
    return request_meeting(db, rules, actor, session, project, institution, slot_number, message)


Answer = Literal["accept", "decline", "withdraw"]


def answer_request(db: Session, actor: User, request_id: int, action: Answer) -> MeetingRequest:
    """Accept, decline (:func:`decide`) or withdraw (:func:`withdraw`) request ``request_id``."""
    request = get_request(db, request_id)
    if action == "withdraw":
        return withdraw(db, actor, request)
    return decide(db, actor, request, accept=action == "accept")


def decide(db: Session, actor: User, request: MeetingRequest, accept: bool) -> MeetingRequest:
    """Accept or decline ``request`` (the side that was asked, or an organiser)."""
    begin_write(db)
    session = db.get(MatchmakingSession, request.session_id)
    assert session is not None  # a foreign key guarantees it
    expire_stale(db, session)
    db.refresh(request)
    asked = Role.ENTRANT if request.requested_by == Role.INVESTOR else Role.INVESTOR
    if actor.role != Role.ORGANISER and (
        actor.role != asked or not _is_party(actor, request.project_id, request.institution_id)
    ):
        raise PermissionDenied()
    if request.status != RequestStatus.PENDING:
        raise Conflict("booking.not_pending", status=Ref(f"status.{request.status.value}"))
    before = {"status": request.status.value}
    _move(db, request, RequestStatus.ACCEPTED if accept else RequestStatus.DECLINED)
    hold = _hold(db, request)
    if hold is not None:
        hold.status = MeetingStatus.SCHEDULED if accept else MeetingStatus.CANCELLED
    db.flush()
    record(
        db,
        request,
        "accept" if accept else "decline",
        actor,
        before,
        {"status": request.status.value},
    )
    kind = NoticeKind.REQUEST_ACCEPTED if accept else NoticeKind.REQUEST_DECLINED
    tell_request(db, request, kind, actor, [asker_side(request)])
    return request


def withdraw(db: Session, actor: User, request: MeetingRequest) -> MeetingRequest:
    """Cancel a live request (either party, or an organiser) and free its slot."""
    if actor.role != Role.ORGANISER and not _is_party(
        actor, request.project_id, request.institution_id
    ):
        raise PermissionDenied()
    begin_write(db)
    db.refresh(request)
    if request.status not in LIVE_REQUESTS:
        raise Conflict("booking.not_pending", status=Ref(f"status.{request.status.value}"))
    before = {"status": request.status.value}
    _move(db, request, RequestStatus.CANCELLED)
    hold = _hold(db, request)
    if hold is not None and hold.status in (MeetingStatus.REQUESTED, MeetingStatus.SCHEDULED):
        hold.status = MeetingStatus.CANCELLED
    db.flush()
    record(db, request, "withdraw", actor, before, {"status": request.status.value})
    # the other side is told (both when an organiser withdrew it)
    sides = [s for s in (PROJECT, INSTITUTION) if not _on_side(actor, request, s)]
    tell_request(db, request, NoticeKind.REQUEST_WITHDRAWN, actor, sides)
    return request


_SHOWN_WITH = ("session", "project", "institution", "slot")


def requests_of(
    db: Session, session: MatchmakingSession | None = None, **party: int
) -> list[MeetingRequest]:
    """Return requests (newest first) of one party (``project_id=``/``institution_id=``).

    Each is shown with its session, parties and slot: loaded in the same query, not one query
    per request and per party (an investor's list of 20 requests took 40 round trips).
    """
    query = (
        select(MeetingRequest)
        .options(*(joinedload(getattr(MeetingRequest, name)) for name in _SHOWN_WITH))
        .order_by(MeetingRequest.created_at.desc())
    )
    for column, value in party.items():
        query = query.where(getattr(MeetingRequest, column) == value)
    if session is not None:
        query = query.where(MeetingRequest.session_id == session.id)
    return list(db.scalars(query))


def own_requests(db: Session, viewer: User) -> list[MeetingRequest]:
    """Return the requests made or received by ``viewer``'s party, newest first: an investor's
    institution's, an entrant's project's (none for organisers and staff: they have no party)."""
    if viewer.role == Role.INVESTOR and viewer.institution_id is not None:
        return requests_of(db, institution_id=viewer.institution_id)
    if viewer.role == Role.ENTRANT and viewer.project_id is not None:
        return requests_of(db, project_id=viewer.project_id)
    return []  # an account bound to no party has none either


def visible_requests(db: Session, viewer: User) -> list[MeetingRequest]:
    """Return the requests ``viewer`` may see, newest first: a party its own, organisers and
    staff every one."""
    if viewer.role in (Role.INVESTOR, Role.ENTRANT):
        return own_requests(db, viewer)
    return requests_of(db)


def get_request(db: Session, request_id: int) -> MeetingRequest:
    """Return the request ``request_id`` or raise ``NotFound``."""
    request = db.get(MeetingRequest, request_id)
    if request is None:
        raise NotFound(what=Ref("what.request"), key=request_id)
    return request


def _check_caps(
    db: Session,
    rules: BookingRules,
    session: MatchmakingSession,
    project: Project,
    institution: Institution,
) -> None:
    mine = MeetingRequest.project_id == project.id
    theirs = MeetingRequest.institution_id == institution.id

    def live(condition: ColumnElement[bool]) -> ColumnElement[int]:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    # the pair's, the project's and the institution's live requests, in one query
    pair, of_project, of_institution = db.execute(
        select(live(and_(mine, theirs)), live(mine), live(theirs)).where(
            MeetingRequest.session_id == session.id,
            MeetingRequest.status.in_(LIVE_REQUESTS),
            or_(mine, theirs),
        )
    ).one()
    if pair:
        raise Conflict(
            "booking.already_requested", project=project.code, institution=institution.code
        )
    if of_project >= rules.project_cap:
        raise Conflict("booking.project_cap", cap=rules.project_cap)
    cap = rules.cap_for(session)
    if of_institution >= cap:
        raise Conflict("booking.institution_cap", institution=institution.code, cap=cap)


def _attendance(
    db: Session, session: MatchmakingSession, project: Project, institution: Institution
) -> tuple[bool, bool]:
    """Return whether ``project`` and whether ``institution`` attend ``session``, in one round
    trip (not each party's list of sessions)."""

    def attends(table: Any, column: Any, party_id: int) -> Any:
        return exists().where(table.c.session_id == session.id, column == party_id)

    row = db.execute(
        select(
            attends(session_projects, session_projects.c.project_id, project.id),
            attends(session_institutions, session_institutions.c.institution_id, institution.id),
        )
    ).one()
    return bool(row[0]), bool(row[1])


def _ensure_acts_for(actor: User, project: Project, institution: Institution) -> None:
    if actor.role == Role.ORGANISER:
        return
    if actor.role == Role.ENTRANT and actor.project_id == project.id:
        return
    if actor.role == Role.INVESTOR and actor.institution_id == institution.id:
        return
    raise PermissionDenied()


def _asker(actor: User, on_behalf_of: Role | None) -> Role:
    if actor.role != Role.ORGANISER:
        return actor.role
    return on_behalf_of if on_behalf_of in (Role.INVESTOR, Role.ENTRANT) else Role.ORGANISER


def _is_party(actor: User, project_id: int, institution_id: int) -> bool:
    return (actor.role == Role.ENTRANT and actor.project_id == project_id) or (
        actor.role == Role.INVESTOR and actor.institution_id == institution_id
    )


def _on_side(actor: User, request: MeetingRequest, side: str) -> bool:
    if side == PROJECT:
        return actor.role == Role.ENTRANT and actor.project_id == request.project_id
    return actor.role == Role.INVESTOR and actor.institution_id == request.institution_id


def _move(db: Session, request: MeetingRequest, to: RequestStatus) -> None:
    """Move ``request`` from the status it was read in to ``to``, unless another answer moved
    it first (then a 409 saying what it became, and nothing is changed)."""
    seen = request.status
    result = db.execute(
        update(MeetingRequest)
        .where(MeetingRequest.id == request.id, MeetingRequest.status == seen)
        .values(status=to, decided_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    assert isinstance(result, CursorResult)  # an UPDATE's result counts its rows
    moved = result.rowcount
    db.refresh(request)
    if moved != 1:
        raise Conflict("booking.changed_meanwhile", status=Ref(f"status.{request.status.value}"))


def _event_code(db: Session, project: Project) -> str:
    return db.get_one(Event, project.event_id).code


def _hold(db: Session, request: MeetingRequest) -> Meeting | None:
    return db.scalar(select(Meeting).where(Meeting.request_id == request.id))


def _request_state(request: MeetingRequest, slot_number: int) -> dict[str, Any]:
    return {
        "status": request.status.value,
        "project_id": request.project_id,
        "institution_id": request.institution_id,
        "slot": slot_number,
    }
