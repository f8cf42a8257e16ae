"""Check-in (签到): a badge's code scanned or typed records a party's arrival, once per session.

The code is read and its signature checked (:mod:`matchmaker.services.registry.badges`); a code
of another event, or one no badge ever carried, is refused with a sentence saying which, and
nothing is written. A party checked in again is told when it first was. Without a session
named, the party's session of the day is taken (the one under way, else the next, else the last
of the day); a party with no session that day is checked in for the day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from matchmaker.db.models import CheckIn, Event, Institution, MatchmakingSession, Project, User
from matchmaker.db.types import utcnow
from matchmaker.domain import LOCAL_TZ
from matchmaker.errors import InvalidInput, NotFound, Problem
from matchmaker.messages import Ref
from matchmaker.services.registry.badges import PartyKind, read_badge_code
from matchmaker.services.registry.events import find_session

METHODS = ("scan", "typed")
Party = Project | Institution


@dataclass(frozen=True)
class CheckInResult:
    """What the staff member's phone shows after a scan."""

    kind: PartyKind
    code: str  # the party's registration id
    name: str
    session: str | None  # the session's code; None: checked in for the day
    at: datetime  # aware, Asia/Shanghai
    method: str
    already: bool  # checked in before: ``at`` is the first time


@dataclass(frozen=True)
class Arrival:
    """A party expected at a session and when it arrived (None: not yet)."""

    kind: PartyKind
    code: str
    name: str
    at: datetime | None


def party_of(db: Session, event: Event, kind: PartyKind, party_id: int) -> Party:
    """Return the event's project or institution with row id ``party_id``; NotFound otherwise."""
    found: Party | None = (
        db.get(Project, party_id) if kind == "project" else db.get(Institution, party_id)
    )
    if found is None or found.event_id != event.id:
        raise NotFound("checkin.no_party")
    return found


def check_in(
    db: Session,
    secret: str,
    event: Event,
    code: str,
    session_code: str | None,
    by: User,
    method: str = "scan",
    now: datetime | None = None,
) -> CheckInResult:
    """Record the arrival that badge ``code`` names at ``event`` (once); return who it is."""
    if method not in METHODS:
        raise InvalidInput("checkin.bad_method", [Problem("checkin.bad_method", column="method")])
    text = (code or "").strip()
    if not text:
        raise InvalidInput("checkin.no_code", [Problem("checkin.no_code", column="code")])
    ref = read_badge_code(secret, text)
    if ref is None:
        problem = Problem("checkin.bad_code", column="code", value=text)
        raise InvalidInput("checkin.bad_code", [problem], value=problem.shown_value())
    if ref.event_code != event.code:
        raise InvalidInput(
            "checkin.other_event", [Problem("checkin.other_event", column="code", value=text)],
            other=ref.event_code, event=event.code,
        )  # fmt: skip
    party = party_of(db, event, ref.kind, ref.party_id)
    now = now or utcnow()
    session = _session(event, party, session_code, now)
    found = _existing(db, event, ref.kind, party, session, now)
    already = found is not None
    if found is None:
        found = CheckIn(
            event_id=event.id,
            session_id=session.id if session else None,
            project_id=party.id if ref.kind == "project" else None,
            institution_id=party.id if ref.kind == "institution" else None,
            at=now,
            by_user_id=by.id,
            method=method,
        )
        try:
            with db.begin_nested():  # two phones scanning the same badge at once: one row
                db.add(found)
                db.flush()
        except IntegrityError:
            found = _existing(db, event, ref.kind, party, session, now)
            assert found is not None
            already = True
    return CheckInResult(
        kind=ref.kind,
        code=party.code,
        name=party.name,
        session=session.code if session else None,
        at=found.at.astimezone(LOCAL_TZ),
        method=found.method,
        already=already,
    )


def _session(
    event: Event, party: Party, code: str | None, now: datetime
) -> MatchmakingSession | None:
    if code:
        session = find_session(event, code)
        if session is None:
            raise NotFound(what=Ref("what.session"), key=code)
        if session not in party.sessions:
            raise InvalidInput("checkin.not_in_session", party=party.name, session=session.code)
        return session
    today = now.astimezone(LOCAL_TZ).date()
    of_day = [s for s in party.sessions if s.starts_at.astimezone(LOCAL_TZ).date() == today]
    of_day.sort(key=lambda s: s.starts_at)
    running = [s for s in of_day if s.starts_at <= now < s.ends_at]
    coming = [s for s in of_day if s.starts_at > now]
    if running or coming:
        return (running or coming)[0]
    return of_day[-1] if of_day else None


def _existing(
    db: Session,
    event: Event,
    kind: PartyKind,
    party: Party,
    session: MatchmakingSession | None,
    now: datetime,
) -> CheckIn | None:
    column = CheckIn.project_id if kind == "project" else CheckIn.institution_id
    query = select(CheckIn).where(CheckIn.event_id == event.id, column == party.id)
    if session is not None:
        return db.scalar(query.where(CheckIn.session_id == session.id))
    rows = db.scalars(query.where(CheckIn.session_id.is_(None)).order_by(CheckIn.at)).all()
    today = now.astimezone(LOCAL_TZ).date()
    return next((r for r in rows if r.at.astimezone(LOCAL_TZ).date() == today), None)


def arrival_times(
    db: Session, session: MatchmakingSession
) -> dict[tuple[PartyKind, int], datetime]:
    """Return when each party arrived for ``session``: its check-in for the session, else one
    for the day of the session (no session named)."""
    day = session.starts_at.astimezone(LOCAL_TZ).date()
    rows = db.scalars(
        select(CheckIn)
        .where(CheckIn.event_id == session.event_id)
        .where((CheckIn.session_id == session.id) | CheckIn.session_id.is_(None))
        .order_by(CheckIn.at)
    ).all()
    out: dict[tuple[PartyKind, int], datetime] = {}
    for row in rows:
        if row.session_id is None and row.at.astimezone(LOCAL_TZ).date() != day:
            continue
        key = party_key(row)
        if key not in out or row.session_id is not None:
            out[key] = row.at.astimezone(LOCAL_TZ)
    return out


def party_key(row: CheckIn) -> tuple[PartyKind, int]:
    """Return the party a check-in names, as (kind, row id)."""
    if row.project_id is not None:
        return ("project", row.project_id)
    assert row.institution_id is not None  # the table's check: exactly one party
    return ("institution", row.institution_id)


def arrivals(db: Session, session: MatchmakingSession) -> list[Arrival]:
    """Return every party expected at ``session`` (institutions first), arrived or not."""
    times = arrival_times(db, session)
    out = [
        Arrival("institution", i.code, i.name, times.get(("institution", i.id)))
        for i in sorted(session.institutions, key=lambda i: i.code)
    ]
    out += [
        Arrival("project", p.code, p.name, times.get(("project", p.id)))
        for p in sorted(session.projects, key=lambda p: p.code)
    ]
    return out
