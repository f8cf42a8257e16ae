"""Turn a session in the database into a scheduling instance for the solver core.

Party ids in the instance are registration codes and slot ids are slot numbers, so the same
instance can be written out and solved by ``matchmaker schedule`` without a database.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaker.db.models import (
    Feedback,
    Institution,
    InterestBoost,
    MatchmakingSession,
    Meeting,
    MeetingRequest,
    Project,
    Unavailability,
)
from matchmaker.db.types import utcnow
from matchmaker.domain import LOCAL_TZ, MeetingStatus, RequestStatus, Verdict
from matchmaker.ranking.shortlist import ProjectColumns, allowed_projects
from matchmaker.services.agendas.options import AgendaOptions
from matchmaker.services.matching.matcher import Matcher

LIKE_BONUS = 0.1  # an investor's "interested" outweighs small score differences
# Interest shown at a roadshow, when the organiser chose to let it raise the pair's score here
# (services/agendas/roadshow_followup.py): as much again as a like on the shortlist.
INTEREST_BONUS = 0.1


def live_meetings(db: Session, session: MatchmakingSession) -> list[Meeting]:
    """Return the meetings of ``session`` that occupy a slot (holds included)."""
    return list(
        db.scalars(
            select(Meeting)
            .where(Meeting.session_id == session.id, Meeting.status != MeetingStatus.CANCELLED)
            .order_by(Meeting.slot_id, Meeting.table_id)
        )
    )


def kept(meeting: Meeting) -> bool:
    """Return whether a rebuild must keep ``meeting`` where it is.

    Locked meetings, bookings (a request's hold or its accepted meeting) and meetings that
    already happened stay; the rest of a draft is the solver's to rearrange.
    """
    return (
        meeting.locked
        or meeting.request_id is not None
        or meeting.status in (MeetingStatus.HELD, MeetingStatus.NO_SHOW)
    )


def fixed(db: Session, session: MatchmakingSession, meetings: list[Meeting]) -> list[Meeting]:
    """Return the meetings of ``meetings`` that a build or repair must leave where they are.

    Those :func:`kept` says, and on the day every meeting whose slot has begun: it is taking
    place or has taken place. The exception is a meeting a party was marked away for (a late
    arrival): it was missed, and a repair may still move it to a slot to come.
    """
    now = utcnow()
    begun = {slot.id for slot in session.slots if slot.starts_at <= now}
    away: set[tuple[str, int, int]] = set()
    if begun:
        for row in db.scalars(select(Unavailability).where(Unavailability.slot_id.in_(begun))):
            if row.project_id is not None:
                away.add(("p", row.project_id, row.slot_id))
            else:
                away.add(("i", row.institution_id, row.slot_id))  # type: ignore[arg-type]
    return [
        m
        for m in meetings
        if kept(m)
        or (
            m.slot_id in begun
            and ("p", m.project_id, m.slot_id) not in away
            and ("i", m.institution_id, m.slot_id) not in away
        )
    ]


def session_instance(
    db: Session,
    matcher: Matcher,
    session: MatchmakingSession,
    options: AgendaOptions,
    keep: list[Meeting] | None = None,
) -> dict[str, Any]:
    """Return the JSON instance (the ``matchmaker schedule`` format) for ``session``.

    ``keep`` are the meetings to pass as locked (default: those :func:`fixed` says). Slots that
    have begun take no new meeting: every party without a kept meeting there is unavailable.
    Each party's maximum is at least what it holds already (:func:`raise_to_held`).
    """
    projects = sorted(session.projects, key=lambda p: p.code)
    institutions = sorted(session.institutions, key=lambda i: i.code)
    slots = list(session.slots)
    slot_key = {slot.id: str(slot.number) for slot in slots}
    away = _unavailable(db, session, slot_key)
    capacity = len(institutions) * len(slots)
    share = capacity / max(len(projects), 1)
    project_max = options.project_max or min(len(slots), max(2, math.ceil(1.5 * share)))
    institution_max = options.institution_max or len(slots)
    keep = fixed(db, session, live_meetings(db, session)) if keep is None else keep
    now = utcnow()
    begun = [slot_key[slot.id] for slot in slots if slot.starts_at <= now]
    if begun:
        there = {(("i", m.institution_id), slot_key[m.slot_id]) for m in keep}
        there |= {(("p", m.project_id), slot_key[m.slot_id]) for m in keep}
        parties = [("i", i.id) for i in institutions] + [("p", p.id) for p in projects]
        for party in parties:
            away.setdefault(party, set()).update(s for s in begun if (party, s) not in there)
    codes = {("p", p.id): p.code for p in projects} | {("i", i.id): i.code for i in institutions}
    scores, forbidden = _scores(db, matcher, session, institutions, projects)
    data = {
        "slots": [
            {
                "id": slot_key[slot.id],
                "session": session.code,
                "start": slot.starts_at.astimezone(LOCAL_TZ).isoformat(),
                "minutes": round((slot.ends_at - slot.starts_at).total_seconds() / 60),
            }
            for slot in slots
        ],
        "institutions": [
            {
                "id": i.code,
                "min_meetings": options.institution_min,
                "max_meetings": institution_max,
                "unavailable": sorted(away.get(("i", i.id), ())),
            }
            for i in institutions
        ],
        "projects": [
            {
                "id": p.code,
                "min_meetings": options.project_min,
                "max_meetings": project_max,
                "unavailable": sorted(away.get(("p", p.id), ())),
            }
            for p in projects
        ],
        "scores": [
            {"institution": i, "project": p, "score": round(s, 6)}
            for (i, p), s in sorted(scores.items())
            if (i, p) not in forbidden
        ],
        "tables": [{"session": session.code, "ids": [str(t.id) for t in session.tables]}],
        "must_meet": [],
        "forbidden": [{"institution": i, "project": p} for i, p in sorted(forbidden)],
        "locked": [
            {
                "institution": codes[("i", m.institution_id)],
                "project": codes[("p", m.project_id)],
                "slot": slot_key[m.slot_id],
            }
            for m in keep
            if ("i", m.institution_id) in codes and ("p", m.project_id) in codes
        ],
    }
    return raise_to_held(data)


def raise_to_held(data: dict[str, Any]) -> dict[str, Any]:
    """Raise each party's ``max_meetings`` in instance ``data`` to what it holds already.

    Held are its locked meetings (bookings, pending or accepted, organiser's locks, meetings
    under way or over) and its must-meet pairs: the service accepted them, so no limit set for
    the rest of the build may make the session impossible to build.
    """
    held: Counter[tuple[str, str]] = Counter()
    for row in [*data["locked"], *data["must_meet"]]:
        held[("institutions", row["institution"])] += 1
        held[("projects", row["project"])] += 1
    for side in ("institutions", "projects"):
        for party in data[side]:
            party["max_meetings"] = max(party["max_meetings"], held[(side, party["id"])])
    return data


def _unavailable(
    db: Session, session: MatchmakingSession, slot_key: dict[int, str]
) -> dict[tuple[str, int], set[str]]:
    away: dict[tuple[str, int], set[str]] = {}
    rows = db.scalars(
        select(Unavailability).where(Unavailability.slot_id.in_(list(slot_key)))
    ).all()
    for row in rows:
        party = ("p", row.project_id) if row.project_id is not None else ("i", row.institution_id)
        away.setdefault(party, set()).add(slot_key[row.slot_id])  # type: ignore[arg-type]
    return away


def _scores(
    db: Session,
    matcher: Matcher,
    session: MatchmakingSession,
    institutions: list[Institution],
    projects: list[Project],
) -> tuple[dict[tuple[str, str], float], set[tuple[str, str]]]:
    """Return the mutual scores of admissible pairs and the pairs that must not meet.

    The composite score is one inner product, the same seen from either side; pairs an
    institution's hard limits exclude are left out unless the investor liked the project or
    either side asked for the meeting, or the organiser let a roadshow's interest raise the
    pair's score here (``INTEREST_BONUS``). Passed projects, declined or withdrawn requests and
    pairs that already met in another session of the event must not meet again.
    """
    if not institutions or not projects:
        return {}, set()
    state = matcher.state(db, session.event)
    p_rows = [state.project_row[p.id] for p in projects]
    q_rows = [state.institution_row[i.id] for i in institutions]
    matrix = state.score_matrix(q_rows, p_rows)  # the same score the shortlist shows
    columns = ProjectColumns.of([state.projects[r] for r in p_rows])
    i_ids = [i.id for i in institutions]
    p_ids = [p.id for p in projects]
    verdicts = {
        (f.institution_id, f.project_id): f.verdict
        for f in db.scalars(
            select(Feedback).where(
                Feedback.institution_id.in_(i_ids), Feedback.project_id.in_(p_ids)
            )
        )
    }
    asked = {
        tuple(row)
        for row in db.execute(
            select(MeetingRequest.institution_id, MeetingRequest.project_id).where(
                MeetingRequest.session_id == session.id
            )
        )
    }
    refused = _refused(db, session, i_ids, p_ids)
    boosted = {
        tuple(row)
        for row in db.execute(
            select(InterestBoost.institution_id, InterestBoost.project_id).where(
                InterestBoost.session_id == session.id
            )
        )
    }
    scores: dict[tuple[str, str], float] = {}
    forbidden: set[tuple[str, str]] = set()
    for a, institution in enumerate(institutions):
        allowed = allowed_projects(
            columns, state.institutions[q_rows[a]], state.hard[institution.id]
        )
        for b, project in enumerate(projects):
            key = (institution.id, project.id)
            pair = (institution.code, project.code)
            if verdicts.get(key) == Verdict.PASS or key in refused:
                forbidden.add(pair)
                continue
            liked = verdicts.get(key) == Verdict.LIKE
            keen = key in boosted
            if allowed[b] or liked or keen or key in asked:
                bonus = (LIKE_BONUS if liked else 0.0) + (INTEREST_BONUS if keen else 0.0)
                scores[pair] = float(np.float64(matrix[a, b])) + bonus
    return scores, forbidden


def _refused(
    db: Session, session: MatchmakingSession, i_ids: list[int], p_ids: list[int]
) -> set[tuple[int, int]]:
    """Pairs that must not be scheduled: met elsewhere, cancelled, declined or withdrawn."""
    rows = db.execute(
        select(Meeting.institution_id, Meeting.project_id, Meeting.session_id, Meeting.status)
        .outerjoin(MeetingRequest, MeetingRequest.id == Meeting.request_id)
        .where(
            Meeting.institution_id.in_(i_ids),
            Meeting.project_id.in_(p_ids),
            (MeetingRequest.id.is_(None))
            | MeetingRequest.status.in_((RequestStatus.DECLINED, RequestStatus.CANCELLED))
            | (Meeting.session_id != session.id),
        )
    ).all()
    refused = set()
    for institution_id, project_id, session_id, status in rows:
        other_session = session_id != session.id
        if (other_session and status in (MeetingStatus.HELD, MeetingStatus.SCHEDULED)) or (
            not other_session and status == MeetingStatus.CANCELLED
        ):
            refused.add((institution_id, project_id))
    return refused
