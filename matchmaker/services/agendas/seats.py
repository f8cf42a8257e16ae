"""Seats: which table (桌号) each institution holds for a whole session."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaker.db.models import Institution, MatchmakingSession, SessionSeat, Table
from matchmaker.errors import InvalidInput
from matchmaker.messages import render


def seats(db: Session, session: MatchmakingSession) -> dict[int, Table]:
    """Return institution id → its table in ``session`` (only institutions already seated)."""
    rows = db.execute(
        select(SessionSeat.institution_id, Table)
        .join(Table, Table.id == SessionSeat.table_id)
        .where(SessionSeat.session_id == session.id)
    ).all()
    return {institution_id: table for institution_id, table in rows}


def seat(db: Session, session: MatchmakingSession, institution: Institution) -> Table:
    """Return ``institution``'s table in ``session``, giving it the lowest free one if needed.

    Two first bookings racing for the same free table meet the unique constraint on
    ``(session, table)``; the loser's transaction fails and its caller reports a conflict.
    """
    held = db.scalar(
        select(Table)
        .join(SessionSeat, SessionSeat.table_id == Table.id)
        .where(SessionSeat.session_id == session.id, SessionSeat.institution_id == institution.id)
    )
    if held is not None:  # every booking after an institution's first: one row, not the session's
        return held
    taken = seats(db, session)
    used = {table.id for table in taken.values()}
    free = [table for table in session.tables if table.id not in used]
    if not free:
        raise InvalidInput(
            "agenda.too_few_tables",
            session=session.code,
            tables=len(session.tables),
            needed=len(taken) + 1,
        )
    table = free[0]
    db.add(SessionSeat(session_id=session.id, institution_id=institution.id, table_id=table.id))
    db.flush()
    return table


def seat_all(
    db: Session, session: MatchmakingSession, institutions: list[Institution]
) -> dict[int, Table]:
    """Seat every institution of ``institutions`` (existing seats kept) and return the map."""
    taken = seats(db, session)
    missing = [i for i in institutions if i.id not in taken]
    if len(taken) + len(missing) > len(session.tables):
        raise InvalidInput(
            "agenda.too_few_tables",
            session=session.code,
            tables=len(session.tables),
            needed=len(taken) + len(missing),
        )
    for institution in missing:
        taken[institution.id] = seat(db, session, institution)
    return taken


def table_label(table: Table | None, lang: str = "zh") -> str:
    """Return how a table is named on paper: ``3号桌`` / ``Table 3``."""
    if table is None:
        return ""
    default = render("agenda.table", "zh", number=table.number)
    if table.label and table.label != default:
        return table.label  # a venue's own name for the table
    return render("agenda.table", lang, number=table.number)
