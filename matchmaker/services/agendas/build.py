"""Session agendas (议程): build with the solver, lock and publish (changes on the day: repair)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from matchmaker.config import pause_point
from matchmaker.db.models import (
    Agenda,
    MatchmakingSession,
    Meeting,
    User,
)
from matchmaker.db.types import utcnow
from matchmaker.domain import AgendaStatus, MeetingStatus, StageProgress, local_minute
from matchmaker.errors import Conflict, InvalidInput, NotFound
from matchmaker.messages import Ref
from matchmaker.scheduling import Placement, parse_instance, solve, validate
from matchmaker.services.agendas.instance import (
    fixed,
    live_meetings,
    session_instance,
)
from matchmaker.services.agendas.notices import tell_published
from matchmaker.services.agendas.options import AgendaOptions
from matchmaker.services.agendas.seats import seat_all
from matchmaker.services.audit import record
from matchmaker.services.matching.matcher import Matcher


@dataclass(frozen=True)
class Outcome:
    """What a build or a repair did, for the organiser (the API's, the CLI's and a job's answer).

    ``moved``, ``dropped`` and ``added`` name meetings by registration ids and slot numbers
    (``to_slot`` for where a moved one went); ``diagnostics`` say why an agenda is infeasible or
    short of what was asked.
    """

    status: str  # the solver's: optimal, feasible or infeasible
    agenda_status: AgendaStatus
    revision: int
    objective: float
    bound: float
    fair_minimum: int | None
    meetings: int
    moved: list[dict[str, Any]] = field(default_factory=list)
    dropped: list[dict[str, Any]] = field(default_factory=list)
    added: list[dict[str, Any]] = field(default_factory=list)
    diagnostics: list[dict[str, Any]] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)  # the solver's figures

    @classmethod
    def of(cls, agenda: Agenda, status: str, meetings: int, **changes: Any) -> Outcome:
        """Return the outcome of a build or repair that left ``agenda`` as it is now."""
        return cls(
            status=status,
            agenda_status=agenda.status,
            revision=agenda.revision,
            objective=round(agenda.objective, 6),
            bound=round(agenda.bound, 6),
            fair_minimum=agenda.fair_minimum,
            meetings=meetings,
            stats=agenda.summary.get("stats", {}),
            **changes,
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the outcome as a plain record (a background job stores it as its result)."""
        return {**asdict(self), "agenda_status": self.agenda_status.value}


@dataclass(frozen=True)
class AgendaState:
    """Where a session's agenda stands: the session's code, draft or published, its revision."""

    session: str
    status: AgendaStatus
    revision: int


@dataclass(frozen=True)
class MeetingRef:
    """A meeting named by registration ids and slot number, with its status and lock."""

    meeting_id: int
    session_code: str
    slot: int
    institution_code: str
    project_code: str
    status: MeetingStatus
    locked: bool


def ensure_not_over(session: MatchmakingSession) -> None:
    """Refuse to change the agenda of a session that has ended: it is the record of what was
    planned (meetings held are counted from it), not a plan any more."""
    if session.ends_at <= utcnow():
        end = local_minute(session.ends_at)
        raise Conflict("agenda.session_over", session=session.code, end=end)


def agenda_of(db: Session, session: MatchmakingSession) -> Agenda:
    """Return the session's agenda record, creating an empty draft."""
    agenda = db.scalar(select(Agenda).where(Agenda.session_id == session.id))
    if agenda is None:
        agenda = Agenda(session_id=session.id, status=AgendaStatus.DRAFT, revision=0, summary={})
        db.add(agenda)
        db.flush()
    return agenda


def instance_of(db: Session, matcher: Matcher, session: MatchmakingSession) -> dict[str, Any]:
    """Return ``session`` as a solver instance (``matchmaker schedule --input``), with the
    options its agenda was last built with."""
    return session_instance(db, matcher, session, options_of(agenda_of(db, session)))


def get_meeting(db: Session, meeting_id: int) -> Meeting:
    """Return the meeting ``meeting_id`` or raise ``NotFound``."""
    meeting = db.get(Meeting, meeting_id)
    if meeting is None:
        raise NotFound(what=Ref("what.meeting"), key=meeting_id)
    return meeting


def build_agenda(
    db: Session,
    matcher: Matcher,
    session: MatchmakingSession,
    options: AgendaOptions,
    actor: User | None = None,
    lang: str = "zh",
    progress: StageProgress | None = None,
) -> Outcome:
    """Solve ``session`` from scratch around its kept meetings and store the draft.

    A published agenda is changed only by a repair (:mod:`matchmaker.services.agendas.repair`:
    people hold copies of it).
    An infeasible build changes no meeting and reports the diagnostics.
    """
    options.check()
    ensure_not_over(session)
    agenda = agenda_of(db, session)
    if agenda.status == AgendaStatus.PUBLISHED:
        raise Conflict("agenda.published")
    tables = seat_all(db, session, sorted(session.institutions, key=lambda i: i.code))
    instance = parse_instance(session_instance(db, matcher, session, options))
    result = solve(instance, time_limit=options.time_limit, fair=options.fair, progress=progress)
    diagnostics = [d.to_dict(lang) for d in result.diagnostics]
    note_result(agenda, result, options.fair, diagnostics, options)
    if result.status == "infeasible":
        return Outcome.of(agenda, result.status, 0, diagnostics=diagnostics)
    ensure_valid(instance, result.meetings)
    current = live_meetings(db, session)
    staying = fixed(db, session, current)
    keep = {(m.institution_id, m.project_id) for m in staying}
    staying_ids = {m.id for m in staying}
    db.execute(
        delete(Meeting).where(
            Meeting.session_id == session.id,
            Meeting.id.in_([m.id for m in current if m.id not in staying_ids]),
        )
    )
    ids = party_ids(session)
    for placement in result.meetings:
        pair = (ids["i"][placement.institution], ids["p"][placement.project])
        if pair in keep:
            continue
        db.add(
            Meeting(
                session_id=session.id,
                slot_id=ids["slot"][placement.slot],
                table_id=tables[pair[0]].id,
                institution_id=pair[0],
                project_id=pair[1],
                status=MeetingStatus.SCHEDULED,
            )
        )
    agenda.revision += 1
    agenda.built_at = utcnow()
    db.flush()
    record(db, agenda, "build", actor, after=_summary(agenda, len(result.meetings)))
    return Outcome.of(agenda, result.status, len(result.meetings), diagnostics=diagnostics)


def publish_agenda(
    db: Session, matcher: Matcher, session: MatchmakingSession, actor: User | None = None
) -> AgendaState:
    """Publish the draft after the independent validator finds nothing wrong with it; every
    account of every party of the session is told its own day (once: publishing again what is
    published already tells nobody, its changes were told as they happened)."""
    ensure_not_over(session)
    agenda = agenda_of(db, session)
    if agenda.revision == 0:
        raise Conflict("agenda.not_built")
    instance = parse_instance(session_instance(db, matcher, session, options_of(agenda)))
    meetings = _placements(db, session)
    problems = [v for v in validate(instance, meetings) if v.code not in _SOFT]
    if problems:
        raise InvalidInput("agenda.invalid", count=len(problems), first=problems[0].message())
    first = agenda.status != AgendaStatus.PUBLISHED
    agenda.status = AgendaStatus.PUBLISHED
    agenda.published_at = utcnow()
    db.flush()
    record(db, agenda, "publish", actor, after=_summary(agenda, len(meetings)))
    if first:
        tell_published(db, session, actor)
    pause_point("agenda.publish")  # fault tests: a process killed here publishes nothing
    return AgendaState(session=session.code, status=agenda.status, revision=agenda.revision)


def set_locked(
    db: Session, meeting: Meeting, locked: bool, actor: User | None = None
) -> MeetingRef:
    """Lock (keep through rebuilds and repairs) or unlock one meeting."""
    if meeting.status == MeetingStatus.CANCELLED:
        raise Conflict("agenda.meeting_cancelled")
    before = {"locked": meeting.locked}
    meeting.locked = locked
    db.flush()
    record(db, meeting, "lock" if locked else "unlock", actor, before, {"locked": locked})
    return MeetingRef(
        meeting_id=meeting.id,
        session_code=meeting.session.code,
        slot=meeting.slot.number,
        institution_code=meeting.institution.code,
        project_code=meeting.project.code,
        status=meeting.status,
        locked=meeting.locked,
    )


# ---- between the stored meetings and the solver (repair uses these too) --------------------------

# A minimum the room could not give is reported at build time, not a reason to refuse publishing.
_SOFT = {"below_minimum"}


def party_ids(
    session: MatchmakingSession, meetings: Iterable[Meeting] = ()
) -> dict[str, dict[str, int]]:
    """Return code → id of the session's parties and slots.

    ``meetings`` adds the parties who have left the session (their sessions were edited) but
    still hold meetings in it: the validator refuses those meetings and a repair drops them.
    """
    meetings = list(meetings)
    return {
        "i": {m.institution.code: m.institution_id for m in meetings}
        | {i.code: i.id for i in session.institutions},
        "p": {m.project.code: m.project_id for m in meetings}
        | {p.code: p.id for p in session.projects},
        "slot": {str(s.number): s.id for s in session.slots},
    }


def placement_of(meeting: Meeting, ids: dict[str, dict[str, int]]) -> Placement:
    """Return ``meeting`` as the solver's placement (codes from :func:`party_ids`'s ``ids``)."""
    codes = {kind: {v: k for k, v in table.items()} for kind, table in ids.items()}
    return Placement(
        institution=codes["i"][meeting.institution_id],
        project=codes["p"][meeting.project_id],
        slot=codes["slot"][meeting.slot_id],
    )


def _placements(db: Session, session: MatchmakingSession) -> list[Placement]:
    meetings = live_meetings(db, session)
    ids = party_ids(session, meetings)
    return [replace(placement_of(m, ids), table=str(m.table_id)) for m in meetings]


def ensure_valid(instance: Any, meetings: list[Placement]) -> None:
    """Raise ``InvalidInput`` unless the independent validator passes ``meetings``.

    The solver's output is certified by code that shares nothing with it before it is stored.
    """
    problems = [v for v in validate(instance, meetings) if v.code not in _SOFT]
    if problems:
        raise InvalidInput("agenda.invalid", count=len(problems), first=problems[0].message())


def note_result(
    agenda: Agenda,
    result: Any,
    fair: bool,
    diagnostics: list[dict[str, Any]],
    options: AgendaOptions | None = None,
) -> None:
    """Keep the solver's figures and ``diagnostics`` on ``agenda`` (and the build's
    ``options``; a repair, which passes none, keeps those of the build)."""
    agenda.solver_status = result.status
    agenda.objective = float(result.objective)
    agenda.bound = float(result.bound)
    agenda.fair = fair
    if result.fair_minimum is not None or options is not None:  # a repair keeps the build's
        agenda.fair_minimum = result.fair_minimum
    kept_options = (agenda.summary or {}).get("options")
    agenda.summary = {
        "stats": _jsonable(result.stats),
        "diagnostics": diagnostics,
        "options": asdict(options) if options is not None else kept_options,
    }


def options_of(agenda: Agenda) -> AgendaOptions:
    """Return the options the agenda was last built with (defaults before its first build)."""
    stored = (agenda.summary or {}).get("options") or {}
    names = {f.name for f in fields(AgendaOptions)}
    return AgendaOptions(**{k: v for k, v in stored.items() if k in names})


def _jsonable(stats: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in stats.items() if isinstance(v, int | float | str | bool | dict | list)}


def _summary(agenda: Agenda, meetings: int) -> dict[str, Any]:
    return {
        "revision": agenda.revision,
        "status": agenda.status.value,
        "solver_status": agenda.solver_status,
        "objective": agenda.objective,
        "meetings": meetings,
    }
