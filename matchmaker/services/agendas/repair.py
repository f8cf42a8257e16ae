"""Changes on the day: a cancelled meeting, a late arrival, a new must-meet pair; each repairs the
session's agenda with the fewest meetings moved."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaker.db.models import (
    Institution,
    MatchmakingSession,
    Meeting,
    Project,
    Unavailability,
    User,
)
from matchmaker.domain import MeetingStatus
from matchmaker.errors import Conflict
from matchmaker.scheduling import Placement, parse_instance, repair
from matchmaker.services.agendas.build import (
    Outcome,
    agenda_of,
    ensure_not_over,
    ensure_valid,
    note_result,
    options_of,
    party_ids,
    placement_of,
)
from matchmaker.services.agendas.instance import (
    fixed,
    live_meetings,
    raise_to_held,
    session_instance,
)
from matchmaker.services.agendas.notices import watching
from matchmaker.services.agendas.seats import seat_all
from matchmaker.services.audit import record
from matchmaker.services.matching.matcher import Matcher


def cancel_meeting(
    db: Session, matcher: Matcher, meeting: Meeting, actor: User | None = None, lang: str = "zh"
) -> Outcome:
    """Cancel one meeting (it will not be scheduled again) and repair the session around it.

    On a published agenda everyone whose meetings the two change is told, in one notice each."""
    ensure_not_over(meeting.session)
    if meeting.status == MeetingStatus.CANCELLED:
        raise Conflict("agenda.meeting_cancelled")
    session = db.get(MatchmakingSession, meeting.session_id)
    assert session is not None  # a foreign key guarantees it
    with watching(db, session, actor):
        before = _where(meeting)
        meeting.status = MeetingStatus.CANCELLED
        db.flush()
        record(db, meeting, "cancel", actor, before, _where(meeting))
        # the repair sees the cancelled meeting among the previous ones (its pair now
        # forbidden), so it knows which seat was freed and may refill it
        return repair_agenda(db, matcher, session, actor, lang=lang, cancelled=meeting)


def arrives_late(
    db: Session,
    matcher: Matcher,
    session: MatchmakingSession,
    party: Project | Institution,
    first_slot: int,
    actor: User | None = None,
    lang: str = "zh",
) -> Outcome:
    """Mark ``party`` away before slot ``first_slot`` and repair its meetings there."""
    ensure_not_over(session)
    column = "project_id" if isinstance(party, Project) else "institution_id"
    with watching(db, session, actor):
        for slot in session.slots:
            if slot.number >= first_slot:
                break
            exists = db.scalar(
                select(Unavailability).where(
                    Unavailability.slot_id == slot.id, getattr(Unavailability, column) == party.id
                )
            )
            if exists is None:
                db.add(Unavailability(slot_id=slot.id, reason="late", **{column: party.id}))
        db.flush()
        return repair_agenda(db, matcher, session, actor, lang=lang)


def add_must_meet(
    db: Session,
    matcher: Matcher,
    session: MatchmakingSession,
    institution: Institution,
    project: Project,
    actor: User | None = None,
    lang: str = "zh",
) -> Outcome:
    """Fit a new must-meet pair into the session with the fewest other meetings moved."""
    return repair_agenda(db, matcher, session, actor, must_meet=(institution, project), lang=lang)


def repair_agenda(
    db: Session,
    matcher: Matcher,
    session: MatchmakingSession,
    actor: User | None = None,
    must_meet: tuple[Institution, Project] | None = None,
    lang: str = "zh",
    cancelled: Meeting | None = None,
    relocate: Sequence[Meeting] = (),
    gone_slots: Collection[int] = (),
    freed: Sequence[Meeting] = (),
) -> Outcome:
    """Re-plan the session with kept meetings fixed and the fewest others moved.

    The instance is built with the options the agenda was built with (bounds per party).
    ``gone_slots`` (ids) are slots going away (the session's hours changed): they are left out
    of the instance, and each pair of ``relocate`` (the meetings in them) must meet again in
    another slot, so the repair moves them (or finds that impossible: infeasible).

    On a published agenda each person whose meetings moved, went or were added is told in one
    ``meetings_changed`` notice listing them all (:func:`notices.watching`).
    ``cancelled`` and ``freed`` are meetings just cancelled: the repair sees their seats as
    freed and may refill them.
    """
    ensure_not_over(session)
    with watching(db, session, actor):
        return _repair(
            db, matcher, session, actor, must_meet, lang, cancelled, relocate, gone_slots, freed
        )


def _repair(
    db: Session,
    matcher: Matcher,
    session: MatchmakingSession,
    actor: User | None,
    must_meet: tuple[Institution, Project] | None,
    lang: str,
    cancelled: Meeting | None,
    relocate: Sequence[Meeting],
    gone_slots: Collection[int],
    freed: Sequence[Meeting] = (),
) -> Outcome:
    agenda = agenda_of(db, session)
    tables = seat_all(db, session, sorted(session.institutions, key=lambda i: i.code))
    current = live_meetings(db, session)
    relocating = {m.id for m in relocate}
    keep = [m for m in fixed(db, session, current) if m.id not in relocating]
    data = session_instance(db, matcher, session, options_of(agenda), keep=keep)
    if gone_slots:
        _relocating(data, session, relocate, gone_slots)
    if must_meet is not None:
        institution, project = must_meet
        data["must_meet"].append({"institution": institution.code, "project": project.code})
        pair = (institution.code, project.code)
        if not any((s["institution"], s["project"]) == pair for s in data["scores"]):
            # the organiser's word makes the pair admissible even outside the shortlist's filters
            data["scores"].append({"institution": pair[0], "project": pair[1], "score": 0.0})
        raise_to_held(data)  # the organiser's word counts like a booking: it is held
    gone = [*([cancelled] if cancelled is not None else []), *freed]
    ids = party_ids(session, [*current, *gone])
    previous = [placement_of(m, ids) for m in [*current, *gone]]
    instance = parse_instance(data)
    result = None
    if agenda.fair and agenda.fair_minimum:
        # first try to keep the fair build's promise (a late party's meetings move rather than
        # go); when the change makes that impossible, repair under the plain bounds
        floor = parse_instance(_with_minimum(data, agenda.fair_minimum))
        attempt = repair(floor, previous, time_limit=2.0)
        if attempt.agenda.status != "infeasible":
            instance, result = floor, attempt
    if result is None:
        result = repair(instance, previous, time_limit=2.0)
    diagnostics = [d.to_dict(lang) for d in result.agenda.diagnostics]
    note_result(agenda, result.agenda, agenda.fair, diagnostics)
    if result.agenda.status == "infeasible":
        return Outcome.of(agenda, "infeasible", len(current), diagnostics=diagnostics)
    ensure_valid(instance, result.agenda.meetings)
    by_pair = {(m.institution_id, m.project_id): m for m in current}
    moved, dropped, added = [], [], []
    for placement in result.dropped:
        meeting = by_pair.get((ids["i"][placement.institution], ids["p"][placement.project]))
        if meeting is not None and meeting.status != MeetingStatus.CANCELLED:
            record(db, meeting, "drop", actor, _where(meeting), None)
            db.delete(meeting)
        dropped.append(_describe(placement))
    db.flush()
    # Moves may swap slots between meetings; the unique indexes cover live meetings only, so
    # the moving ones step out (status cancelled) before any takes its new slot.
    moving = [
        (by_pair[(ids["i"][before.institution], ids["p"][before.project])], before, after)
        for before, after in result.moved
    ]
    olds = [(_where(meeting), meeting.status) for meeting, _b, _a in moving]
    for meeting, _before, _after in moving:
        meeting.status = MeetingStatus.CANCELLED
    db.flush()
    for (meeting, _before, after), (_old, status) in zip(moving, olds, strict=True):
        meeting.slot_id = ids["slot"][after.slot]
        meeting.status = status
    db.flush()
    for (meeting, before, after), (old, _status) in zip(moving, olds, strict=True):
        record(db, meeting, "move", actor, old, _where(meeting))
        moved.append({**_describe(before), "to_slot": int(after.slot)})
    for placement in result.added:
        i_id, p_id = ids["i"][placement.institution], ids["p"][placement.project]
        meeting = Meeting(
            session_id=session.id,
            slot_id=ids["slot"][placement.slot],
            table_id=tables[i_id].id,
            institution_id=i_id,
            project_id=p_id,
            status=MeetingStatus.SCHEDULED,
            locked=must_meet is not None and (i_id, p_id) == (must_meet[0].id, must_meet[1].id),
        )
        db.add(meeting)
        db.flush()
        record(db, meeting, "add", actor, None, _where(meeting))
        added.append(_describe(placement))
    agenda.revision += 1
    db.flush()
    return Outcome.of(
        agenda,
        result.agenda.status,
        len(result.agenda.meetings),
        moved=moved,
        dropped=dropped,
        added=added,
        diagnostics=diagnostics,
    )


def _relocating(
    data: dict[str, Any],
    session: MatchmakingSession,
    relocate: Sequence[Meeting],
    gone_slots: Collection[int],
) -> None:
    """Leave ``gone_slots`` out of instance ``data`` and make each pair of ``relocate`` a
    must-meet, admissible even if the shortlist's filters no longer admit it."""
    gone = {str(s.number) for s in session.slots if s.id in set(gone_slots)}
    data["slots"] = [s for s in data["slots"] if s["id"] not in gone]
    for side in ("institutions", "projects"):
        for party in data[side]:
            party["unavailable"] = [k for k in party["unavailable"] if k not in gone]
    scored = {(s["institution"], s["project"]) for s in data["scores"]}
    for meeting in relocate:
        pair = (meeting.institution.code, meeting.project.code)
        data["must_meet"].append({"institution": pair[0], "project": pair[1]})
        if pair not in scored:
            data["scores"].append({"institution": pair[0], "project": pair[1], "score": 0.0})
    raise_to_held(data)


def _with_minimum(data: dict[str, Any], minimum: int) -> dict[str, Any]:
    projects = [
        {**p, "min_meetings": max(p["min_meetings"], min(minimum, p["max_meetings"]))}
        for p in data["projects"]
    ]
    return {**data, "projects": projects}


def _where(meeting: Meeting) -> dict[str, Any]:
    return {
        "slot_id": meeting.slot_id,
        "table_id": meeting.table_id,
        "status": meeting.status.value,
        "institution_id": meeting.institution_id,
        "project_id": meeting.project_id,
    }


def _describe(placement: Placement) -> dict[str, Any]:
    return {
        "institution": placement.institution,
        "project": placement.project,
        "slot": int(placement.slot),
    }
