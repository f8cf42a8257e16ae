"""Investors' like/pass on shortlisted projects, the meetings already held, and the verdicts as
the shift of the investor's own query (``ranking/feedback.py``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import literal, select, union_all
from sqlalchemy.orm import Session

from matchmaker.db.models import Feedback, Institution, Meeting, Project
from matchmaker.domain import MeetingStatus, Verdict
from matchmaker.ranking.feedback import QueryFeedback
from matchmaker.ranking.reasons import FeedbackNeighbour
from matchmaker.services.matching.state import MatchState


def verdicts_and_met(db: Session, institution_id: int) -> tuple[dict[int, str], frozenset[int]]:
    """Return the institution's verdicts (project id → ``like``/``pass``) and the projects it
    has already met (meetings held), in one query."""
    given = select(Feedback.project_id, Feedback.verdict).where(
        Feedback.institution_id == institution_id
    )
    met = select(Meeting.project_id, literal(None)).where(
        Meeting.institution_id == institution_id, Meeting.status == MeetingStatus.HELD
    )
    verdict_of: dict[int, str] = {}
    held: set[int] = set()
    rows: list[Any] = list(db.execute(union_all(given, met)))
    for project_id, verdict in rows:
        if verdict is None:
            held.add(int(project_id))
        else:
            verdict_of[int(project_id)] = Verdict(str(verdict)).value
    return verdict_of, frozenset(held)


def record_verdict(
    db: Session, institution: Institution, project: Project, verdict: Verdict, user_id: int | None
) -> Feedback:
    """Record (or change) an investor's like/pass on a project."""
    row = db.scalar(
        select(Feedback).where(
            Feedback.institution_id == institution.id, Feedback.project_id == project.id
        )
    )
    if row is None:
        row = Feedback(
            institution_id=institution.id, project_id=project.id, verdict=verdict, user_id=user_id
        )
        db.add(row)
    else:
        row.verdict, row.user_id = verdict, user_id
    db.flush()
    return row


@dataclass(frozen=True)
class VerdictShift:
    """An institution's verdicts as the shift of its query, with the names its reasons use."""

    shift: QueryFeedback
    liked: list[int]  # project ids, in the rows of ``shift.liked``
    passed: list[int]
    names: dict[int, str]

    def apply(self, views: np.ndarray) -> np.ndarray:
        """Return the institution's views (v, dim) shifted by its verdicts."""
        return self.shift.apply(views)

    def neighbour(self, project_id: int, vector: np.ndarray) -> FeedbackNeighbour:
        """Return what the verdicts did to one project: the term, and its nearest liked and
        passed projects other than itself (a liked project is not "close to" itself)."""
        to_liked, to_passed = self.shift.similarity(vector)
        nearest = []
        for ids, similarity in ((self.liked, to_liked), (self.passed, to_passed)):
            others = [(float(s), pid) for pid, s in zip(ids, similarity, strict=True)]
            others = [(s, pid) for s, pid in others if pid != project_id]
            nearest.append(max(others, default=None))
        liked, passed = nearest
        return FeedbackNeighbour(
            self.shift.term(vector),
            None if liked is None else self.names[liked[1]],
            0.0 if liked is None else liked[0],
            None if passed is None else self.names[passed[1]],
            0.0 if passed is None else passed[0],
        )


def verdict_shift(state: MatchState, given: Mapping[int, str]) -> VerdictShift | None:
    """Return the institution's verdicts on projects of the state as a query shift, or None
    when it has given none (the ranking is then the profile's alone)."""
    known = [(pid, v) for pid, v in sorted(given.items()) if pid in state.project_row]
    liked = [pid for pid, v in known if v == Verdict.LIKE.value]
    passed = [pid for pid, v in known if v == Verdict.PASS.value]
    if not liked and not passed:
        return None
    rows = state.project_row
    shift = QueryFeedback.of(
        state.space,
        state.project_vectors[[rows[p] for p in liked]],
        state.project_vectors[[rows[p] for p in passed]],
    )
    names = {pid: state.names[("project", pid)] for pid in liked + passed}
    return VerdictShift(shift, liked, passed, names)
