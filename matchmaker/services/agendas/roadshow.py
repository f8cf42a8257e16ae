"""Roadshow sessions (路演): the pitch order drawn by lot, pitch times, investors' interest taps.

The order is ``random.Random(seed).shuffle`` of the session's project codes sorted, and both
the seed and the order are stored (and audited), so anyone can draw again from the seed and
compare (:func:`verify_draw`). A new draw before publication is recorded beside the older ones;
once a draw is published no other is made. Pitch times come from the session's slots, one per
pitch, or from its start and a number of minutes each.

A tap carries a ``client_key`` the page filled in when it rendered: a tap sent twice (a phone
replaying the taps it queued offline) finds its key already recorded and changes nothing.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from matchmaker.db.models import (
    MatchmakingSession,
    Project,
    RoadshowDraw,
    RoadshowInterest,
    RoadshowTap,
    User,
)
from matchmaker.db.transactions import begin_write
from matchmaker.db.types import utcnow
from matchmaker.domain import Role, SessionKind
from matchmaker.errors import Conflict, InvalidInput, NotFound, PermissionDenied, Problem
from matchmaker.messages import Ref
from matchmaker.services.audit import record

MAX_SEED = 2**63 - 1  # what the seed's column holds
CLIENT_KEY = 64


@dataclass(frozen=True)
class Pitch:
    """One project's turn: its place in the order, code, name and when it pitches."""

    position: int
    code: str
    name: str
    starts_at: datetime
    ends_at: datetime

    def now(self, moment: datetime) -> bool:
        """Return whether the project is pitching at ``moment``."""
        return self.starts_at <= moment < self.ends_at


@dataclass(frozen=True)
class Verification:
    """What drawing again from a draw's seed gave: ``matches`` when it is the recorded order;
    ``same_projects`` when the session still has exactly the projects that were drawn."""

    draw: RoadshowDraw
    expected: list[str]
    matches: bool
    same_projects: bool


def draw_order(codes: list[str], seed: int) -> list[str]:
    """Return the pitch order that ``seed`` draws for project ``codes`` (sorted first, so the
    order depends on the seed and the set of codes alone)."""
    order = sorted(codes)
    random.Random(seed).shuffle(order)
    return order


def ensure_roadshow(session: MatchmakingSession) -> None:
    """Refuse (``InvalidInput``) a session that is not of kind roadshow."""
    if session.kind != SessionKind.ROADSHOW:
        raise InvalidInput("roadshow.not_roadshow", session=session.code)


def draws_of(db: Session, session: MatchmakingSession) -> list[RoadshowDraw]:
    """Return every draw of ``session``, the first first."""
    query = select(RoadshowDraw).where(RoadshowDraw.session_id == session.id)
    return list(db.scalars(query.order_by(RoadshowDraw.number)))


def current_draw(db: Session, session: MatchmakingSession) -> RoadshowDraw | None:
    """Return the draw that stands (the latest), or None before any."""
    found = draws_of(db, session)
    return found[-1] if found else None


def make_draw(
    db: Session,
    session: MatchmakingSession,
    actor: User | None,
    seed: int | None = None,
    pitch_minutes: int | None = None,
) -> RoadshowDraw:
    """Draw the pitch order of ``session`` with ``seed`` (None: a random one) and record it.

    Raises ``InvalidInput`` for a session that is no roadshow, has no projects, or a seed or
    minutes out of range; ``Conflict`` once a draw of it is published.
    """
    ensure_roadshow(session)
    problems = []
    if seed is not None and not 0 <= seed <= MAX_SEED:
        problems.append(Problem("roadshow.bad_seed", column="seed", value=seed))
    if pitch_minutes is not None and not 0 < pitch_minutes <= 240:
        problems.append(
            Problem("roadshow.bad_minutes", column="pitch_minutes", value=pitch_minutes)
        )
    if problems:
        raise InvalidInput("roadshow.invalid", problems, count=len(problems))
    if not session.projects:
        raise InvalidInput("roadshow.no_projects", session=session.code)
    begin_write(db)
    before = current_draw(db, session)
    if before is not None and before.published_at is not None:
        raise Conflict("roadshow.published", session=session.code, number=before.number)
    seed = secrets.randbelow(MAX_SEED) if seed is None else seed
    draw = RoadshowDraw(
        session_id=session.id,
        number=(before.number + 1) if before is not None else 1,
        seed=seed,
        order=draw_order([p.code for p in session.projects], seed),
        pitch_minutes=pitch_minutes,
        created_by=actor.id if actor is not None else None,
    )
    db.add(draw)
    db.flush()
    record(db, draw, "draw", actor, after=_draw_state(draw))
    return draw


def publish_draw(db: Session, session: MatchmakingSession, actor: User | None) -> RoadshowDraw:
    """Publish the standing draw (investors then see the order); no draw is made after."""
    ensure_roadshow(session)
    begin_write(db)
    draw = current_draw(db, session)
    if draw is None:
        raise Conflict("roadshow.no_draw", session=session.code)
    if draw.published_at is None:
        draw.published_at = utcnow()
        db.flush()
        record(db, draw, "publish", actor, after=_draw_state(draw))
    return draw


def verify_draw(
    db: Session, session: MatchmakingSession, number: int | None = None
) -> Verification:
    """Draw again from the seed of draw ``number`` (default: the standing one) and compare."""
    ensure_roadshow(session)
    found = draws_of(db, session)
    draw = next((d for d in found if d.number == number), None) if number else None
    if number is None and found:
        draw = found[-1]
    if draw is None:
        raise NotFound(what=Ref("what.draw"), key=number or session.code)
    expected = draw_order(list(draw.order), draw.seed)
    now = sorted(p.code for p in session.projects)
    return Verification(draw, expected, expected == list(draw.order), now == sorted(draw.order))


def pitches(session: MatchmakingSession, draw: RoadshowDraw, names: dict[str, str]) -> list[Pitch]:
    """Return the pitches of ``draw`` in order, with times: the session's slots one per pitch
    when the draw gives no minutes and there are enough slots, else from the session's start
    with the draw's minutes (or the session's slot length) each."""
    slots = list(session.slots)
    rows = []
    minutes = timedelta(minutes=draw.pitch_minutes or session.slot_minutes)
    use_slots = draw.pitch_minutes is None and len(slots) >= len(draw.order)
    for k, code in enumerate(draw.order):
        if use_slots:
            start, end = slots[k].starts_at, slots[k].ends_at
        else:
            start = session.starts_at + k * minutes
            end = start + minutes
        rows.append(Pitch(k + 1, code, names.get(code, code), start, end))
    return rows


# ---- interest ---------------------------------------------------------------------------------


def tap(
    db: Session,
    actor: User,
    session: MatchmakingSession,
    project_code: str,
    interested: bool,
    client_key: str,
) -> bool:
    """Set ``actor``'s interest in a project of roadshow ``session``; return the interest now.

    ``client_key`` (from the form) makes the tap idempotent: a key already recorded changes
    nothing and the interest as it stands is returned. Only investors whose institution
    attends the session tap (else ``PermissionDenied``).
    """
    ensure_roadshow(session)
    if actor.role != Role.INVESTOR or actor.institution_id is None:
        raise PermissionDenied()
    if actor.institution_id not in {i.id for i in session.institutions}:
        raise PermissionDenied()
    key = (client_key or "").strip()
    if not key or len(key) > CLIENT_KEY:
        raise InvalidInput(
            "roadshow.bad_client_key", [Problem("roadshow.bad_client_key", column="client_key")]
        )
    project = next((p for p in session.projects if p.code == project_code), None)
    if project is None:
        raise NotFound(what=Ref("what.project"), key=project_code)
    begin_write(db)
    if db.scalar(select(RoadshowTap.id).where(RoadshowTap.client_key == key)) is not None:
        return interested_in(db, session, actor).get(project.code, False)
    try:
        with db.begin_nested():
            db.add(
                RoadshowTap(
                    session_id=session.id,
                    client_key=key,
                    user_id=actor.id,
                    project_id=project.id,
                    interested=interested,
                )
            )
            db.flush()
    except IntegrityError:  # the same key sent twice at once: the other one counted
        return interested_in(db, session, actor).get(project.code, False)
    row = db.scalar(
        select(RoadshowInterest).where(
            RoadshowInterest.session_id == session.id,
            RoadshowInterest.user_id == actor.id,
            RoadshowInterest.project_id == project.id,
        )
    )
    if row is None:
        row = RoadshowInterest(
            session_id=session.id,
            user_id=actor.id,
            institution_id=actor.institution_id,
            project_id=project.id,
            interested=interested,
        )
        db.add(row)
    else:
        row.interested = interested
    db.flush()
    return interested


def interested_in(db: Session, session: MatchmakingSession, viewer: User) -> dict[str, bool]:
    """Return project code → whether ``viewer`` marked it interesting in ``session``."""
    rows = db.execute(
        select(Project.code, RoadshowInterest.interested)
        .join(Project, Project.id == RoadshowInterest.project_id)
        .where(RoadshowInterest.session_id == session.id, RoadshowInterest.user_id == viewer.id)
    )
    return {code: bool(on) for code, on in rows}


def interest_counts(db: Session, session: MatchmakingSession) -> dict[tuple[int, int], int]:
    """Return (institution id, project id) → how many of its people are interested."""
    rows = db.execute(
        select(
            RoadshowInterest.institution_id,
            RoadshowInterest.project_id,
            func.count(RoadshowInterest.id),
        )
        .where(RoadshowInterest.session_id == session.id, RoadshowInterest.interested.is_(True))
        .group_by(RoadshowInterest.institution_id, RoadshowInterest.project_id)
    )
    return {(i, p): int(n) for i, p, n in rows}


def _draw_state(draw: RoadshowDraw) -> dict[str, object]:
    return {
        "number": draw.number,
        "seed": draw.seed,
        "order": list(draw.order),
        "pitch_minutes": draw.pitch_minutes,
        "published": draw.published_at is not None,
    }
