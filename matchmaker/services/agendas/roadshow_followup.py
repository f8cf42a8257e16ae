"""What a roadshow's interest becomes in a later one-to-one session, as the organiser chooses.

For each institution × project pair with interest the organiser either (a) raises the pair's
score when the later session's agenda is built (an :class:`InterestBoost`, read by
``instance.py``) or (b) asks for the meeting on the institution's behalf in the later session:
a booking request through ``bookings.request_meeting``, so its caps, slot checks, audit and
notices apply as to any other. A pair that cannot be booked (no shared free slot, a cap
reached, not in that session) is reported with its reason and the others go ahead.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from matchmaker.db.models import (
    Institution,
    InterestBoost,
    MatchmakingSession,
    MeetingRequest,
    Project,
    User,
)
from matchmaker.db.transactions import begin_write
from matchmaker.domain import RequestStatus, Role, SessionKind
from matchmaker.errors import Conflict, InvalidInput, MatchmakerError
from matchmaker.services.agendas.bookings import BookingRules, free_slots, request_meeting
from matchmaker.services.agendas.roadshow import ensure_roadshow, interest_counts

Action = Literal["bonus", "request"]
ACTIONS: tuple[Action, ...] = ("bonus", "request")


@dataclass
class PairInterest:
    """A pair with interest at a roadshow, and what became of it in later sessions."""

    institution: Institution
    project: Project
    count: int
    boosted_in: list[str] = field(default_factory=list)  # session codes
    requested_in: list[tuple[str, RequestStatus]] = field(default_factory=list)

    @property
    def key(self) -> str:
        """The pair as a form names it: ``institution code|project code``."""
        return f"{self.institution.code}|{self.project.code}"


@dataclass
class PairOutcome:
    """What applying an action did to one pair: ``done`` or the reason it was skipped."""

    institution: str
    project: str
    done: bool
    slot: int | None = None
    reason: str = ""


def interest_pairs(db: Session, roadshow: MatchmakingSession) -> list[PairInterest]:
    """Return the pairs with interest at ``roadshow``, most interest first, then by codes."""
    ensure_roadshow(roadshow)
    counts = interest_counts(db, roadshow)
    if not counts:
        return []
    institutions = {i.id: i for i in roadshow.institutions}
    projects = {p.id: p for p in roadshow.projects}
    pairs = [
        PairInterest(institutions[i], projects[p], n)
        for (i, p), n in counts.items()
        if i in institutions and p in projects
    ]
    boosts = db.execute(
        select(InterestBoost.institution_id, InterestBoost.project_id, MatchmakingSession.code)
        .join(MatchmakingSession, MatchmakingSession.id == InterestBoost.session_id)
        .where(InterestBoost.source_session_id == roadshow.id)
    ).all()
    requests = db.execute(
        select(
            MeetingRequest.institution_id,
            MeetingRequest.project_id,
            MatchmakingSession.code,
            MeetingRequest.status,
        )
        .join(MatchmakingSession, MatchmakingSession.id == MeetingRequest.session_id)
        .where(
            MatchmakingSession.event_id == roadshow.event_id,
            MatchmakingSession.id != roadshow.id,
            MeetingRequest.institution_id.in_([i for i, _ in counts]),
            MeetingRequest.project_id.in_([p for _, p in counts]),
        )
        .order_by(MeetingRequest.id)
    ).all()
    by_pair = {(pair.institution.id, pair.project.id): pair for pair in pairs}
    for i, p, code in boosts:
        if (i, p) in by_pair:
            by_pair[(i, p)].boosted_in.append(code)
    for i, p, code, status in requests:
        if (i, p) in by_pair:
            by_pair[(i, p)].requested_in.append((code, status))
    return sorted(pairs, key=lambda x: (-x.count, x.institution.code, x.project.code))


def later_sessions(roadshow: MatchmakingSession) -> list[MatchmakingSession]:
    """Return the one-to-one sessions of the roadshow's event that the interest may go to."""
    return [s for s in roadshow.event.sessions if s.kind != SessionKind.ROADSHOW]


def apply_interest(
    db: Session,
    rules: BookingRules,
    actor: User,
    roadshow: MatchmakingSession,
    target: MatchmakingSession,
    action: str,
    chosen: Iterable[str] | None = None,
    lang: str = "zh",
) -> list[PairOutcome]:
    """Apply ``action`` (``bonus`` or ``request``) in session ``target`` to the pairs
    ``chosen`` (``institution|project`` keys; None: every pair with interest).

    Raises ``InvalidInput`` for an unknown action, a target that is a roadshow or of another
    event, or a chosen pair without interest: then nothing changes. Pairs that cannot be booked
    are skipped with their reason.
    """
    ensure_roadshow(roadshow)
    if action not in ACTIONS:
        raise InvalidInput("roadshow.bad_action", value=action)
    if target.event_id != roadshow.event_id or target.kind == SessionKind.ROADSHOW:
        raise InvalidInput("roadshow.bad_target", session=target.code)
    pairs = interest_pairs(db, roadshow)
    if chosen is not None:
        wanted = list(dict.fromkeys(chosen))
        known = {pair.key: pair for pair in pairs}
        unknown = [key for key in wanted if key not in known]
        if unknown:
            raise InvalidInput("roadshow.no_interest", pairs=", ".join(unknown))
        pairs = [known[key] for key in wanted]
    begin_write(db)
    if action == "bonus":
        return [_boost(db, actor, roadshow, target, pair) for pair in pairs]
    return [_request(db, rules, actor, target, pair, lang) for pair in pairs]


def _boost(
    db: Session,
    actor: User,
    roadshow: MatchmakingSession,
    target: MatchmakingSession,
    pair: PairInterest,
) -> PairOutcome:
    outcome = PairOutcome(pair.institution.code, pair.project.code, True)
    if target.code in pair.boosted_in:
        return outcome  # already raised there: nothing to do twice
    try:
        with db.begin_nested():
            db.add(
                InterestBoost(
                    session_id=target.id,
                    source_session_id=roadshow.id,
                    institution_id=pair.institution.id,
                    project_id=pair.project.id,
                    created_by=actor.id,
                )
            )
            db.flush()
    except IntegrityError:  # raised at the same moment by another tab (or by another roadshow)
        pass
    pair.boosted_in.append(target.code)
    return outcome


def _request(
    db: Session,
    rules: BookingRules,
    actor: User,
    target: MatchmakingSession,
    pair: PairInterest,
    lang: str,
) -> PairOutcome:
    outcome = PairOutcome(pair.institution.code, pair.project.code, False)
    try:
        if pair.project not in target.projects or pair.institution not in target.institutions:
            who = pair.project if pair.project not in target.projects else pair.institution
            raise InvalidInput("booking.not_in_session", what=who.code, session=target.code)
        slots = free_slots(db, target, pair.project, pair.institution)
        if not slots:
            raise Conflict("roadshow.no_free_slot", session=target.code)
        with db.begin_nested():
            request_meeting(
                db,
                rules,
                actor,
                target,
                pair.project,
                pair.institution,
                slots[0].number,
                on_behalf_of=Role.INVESTOR,
            )
    except MatchmakerError as exc:
        outcome.reason = exc.message(lang)
        return outcome
    outcome.done, outcome.slot = True, slots[0].number
    pair.requested_in.append((target.code, RequestStatus.PENDING))
    return outcome
