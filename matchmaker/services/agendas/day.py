"""A party's day as the home page shows it: the next meeting, then the rest of its day."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from matchmaker.db.models import Event, User
from matchmaker.db.types import utcnow
from matchmaker.domain import MeetingStatus, Role
from matchmaker.services.agendas.views import AgendaRow, visible_rows

# what is still worth walking to: a meeting held or missed is over, whatever the clock says
AHEAD = (MeetingStatus.SCHEDULED, MeetingStatus.REQUESTED)


@dataclass(frozen=True)
class Day:
    """The next meeting of a party (``None`` when nothing is ahead) and the rest of that day."""

    next: AgendaRow | None = None
    rest: list[AgendaRow] = field(default_factory=list)


def party_day(
    db: Session, viewer: User, event: Event, lang: str = "zh", now: datetime | None = None
) -> Day:
    """Return ``viewer``'s next meeting in ``event`` and the meetings after it on the same day.

    Only parties have a day of their own (an investor's institution, an entrant's project);
    organisers, staff and unbound accounts get an empty :class:`Day`. A meeting counts as ahead
    until its slot ends, so one under way is still "next": that is the table to be at.
    """
    if not (
        (viewer.role == Role.INVESTOR and viewer.institution is not None)
        or (viewer.role == Role.ENTRANT and viewer.project is not None)
    ):
        return Day()
    now = now or utcnow()
    rows, _scope = visible_rows(db, viewer, event, lang=lang)
    ahead = [r for r in rows if r.status in AHEAD and r.ends_at > now]
    if not ahead:
        return Day()
    first = ahead[0]
    return Day(first, [r for r in ahead[1:] if r.starts_at.date() == first.starts_at.date()])
