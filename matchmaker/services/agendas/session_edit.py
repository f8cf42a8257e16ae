"""Editing a session's hours, slots, breaks and tables once meetings may sit in them.

It lives with the agendas (not the registry) because a published agenda is changed only by a
repair. Old slots map to new ones by start time and old tables to new ones by label; meetings in
a slot or at a table that vanishes are the ones to re-place:

* before publication the draft is the organiser's to rebuild: an institution whose table goes
  sits at a free one (its meetings follow), and draft meetings that no longer fit are dropped
  (the answer says how many);
* after publication people hold copies: meetings whose slot vanishes are re-placed by the
  repair (fewest others moved, locked ones kept) and the answer lists every meeting that moved,
  with both parties' names and old → new slot and table. When that is impossible the edit is
  refused and nothing changes (the caller's transaction is rolled back).

Locked, booked or held meetings are never dropped or moved by an edit: one in a vanishing slot
refuses the edit, naming it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaker.db.models import Agenda, MatchmakingSession, Meeting, SessionSeat, Slot, Table, User
from matchmaker.domain import AgendaStatus
from matchmaker.errors import Conflict
from matchmaker.services.agendas.build import ensure_not_over
from matchmaker.services.agendas.instance import kept, live_meetings
from matchmaker.services.agendas.notices import watching
from matchmaker.services.agendas.repair import repair_agenda
from matchmaker.services.audit import record
from matchmaker.services.matching.matcher import Matcher
from matchmaker.services.registry.events import get_session
from matchmaker.services.registry.sessions import SessionSpec, default_label, hhmm, spec_of

LAYOUT = ("date", "start", "end", "slot_minutes", "tables", "table_labels", "breaks")


@dataclass(frozen=True)
class SessionChange:
    """What an edit did: the session's new shape, and the meetings it moved or dropped.

    A moved or dropped meeting names both parties (id and name) and its slot (``HH:MM``) and
    table label before and, when moved, after.
    """

    session: str
    published: bool
    slots: int
    tables: int
    moved: list[dict[str, Any]] = field(default_factory=list)
    dropped: list[dict[str, Any]] = field(default_factory=list)
    added: int = 0

    def to_dict(self) -> dict[str, Any]:
        """Return the change as a plain record."""
        return asdict(self)


def edit_session(
    db: Session,
    matcher: Matcher,
    event_code: str | None,
    code: str,
    changes: dict[str, Any],
    actor: User | None = None,
    lang: str = "zh",
    drop_meetings: bool = False,
) -> SessionChange:
    """Change any of a session's name, kind, date, hours, slot length, tables (a count or
    labels), breaks and venue; InvalidInput names every bad field and nothing changes.

    When the agenda is published and the repair can keep the session only by cancelling some
    of its meetings (fewer slots than they need), the edit is refused naming how many, unless
    ``drop_meetings`` says the organiser accepts that; the answer then lists them."""
    session = get_session(db, event_code, code)
    before = spec_of(session)
    wanted = {k: v for k, v in changes.items() if v is not None}
    if "tables" in wanted and "table_labels" not in wanted:
        wanted["tables"] = _resized(before["tables"], wanted["tables"])
    elif "table_labels" in wanted and "tables" not in wanted:
        wanted["tables"] = None
    merged = {k: v for k, v in {**before, **wanted}.items() if v is not None}
    spec = SessionSpec.from_dict({**merged, "code": session.code})
    slots = spec.layout()
    session.name, session.name_en, session.kind = spec.name, spec.name_en, spec.kind
    session.venue = spec.venue
    reshaped = any(k in wanted for k in LAYOUT) and _shape(spec, slots) != _shape_of(session)
    published = _published(db, session)
    change = SessionChange(session.code, published, len(session.slots), len(session.tables))
    if reshaped:
        if published:
            ensure_not_over(session)
        with watching(db, session, actor):  # people are told of what moved (published only)
            change = _reshape(
                db, matcher, session, spec, slots, published, actor, lang, drop_meetings
            )
    db.flush()
    after = spec_of(session)
    if after != before:
        record(db, session, "edit", actor, before, after)
    return change


def _resized(labels: list[str], raw: Any) -> Any:
    """A bare count keeps the first tables' labels (shrinking removes the last tables)."""
    text = str(raw).strip()
    if not text.isdigit():
        return raw  # labels, or a bad value the spec names
    count = int(text)
    kept_labels = labels[:count]
    extra = [default_label(n) for n in range(len(kept_labels) + 1, count + 1)]
    return [*kept_labels, *(e for e in extra if e not in kept_labels)] or count


def _shape(spec: SessionSpec, slots: list[tuple[datetime, datetime]]) -> tuple[Any, ...]:
    return (tuple(slots), tuple(spec.labels()), tuple(spec.break_texts()), spec.slot_minutes)


def _shape_of(session: MatchmakingSession) -> tuple[Any, ...]:
    return (
        tuple((s.starts_at, s.ends_at) for s in session.slots),
        tuple(t.label or default_label(t.number) for t in session.tables),
        tuple(session.breaks or []),
        session.slot_minutes,
    )


def _published(db: Session, session: MatchmakingSession) -> bool:
    status = db.scalar(select(Agenda.status).where(Agenda.session_id == session.id))
    return status == AgendaStatus.PUBLISHED


def _reshape(
    db: Session,
    matcher: Matcher,
    session: MatchmakingSession,
    spec: SessionSpec,
    slots: list[tuple[datetime, datetime]],
    published: bool,
    actor: User | None,
    lang: str,
    drop_meetings: bool,
) -> SessionChange:
    """Lay the slots and tables out again and re-place what no longer fits."""
    start = _where_now(db, session)
    session.starts_at, session.ends_at = spec.starts_at(), spec.ends_at()
    session.slot_minutes, session.breaks = spec.slot_minutes, spec.break_texts()
    gone_slots = _relay_slots(db, session, slots)
    dropped: list[dict[str, Any]] = []
    stranded = [m for m in live_meetings(db, session) if m.slot_id in gone_slots]
    held = [m for m in stranded if kept(m)]
    if held:
        first = held[0]
        raise Conflict(
            "session.kept_meeting_lost",
            count=len(held),
            first=f"{first.institution.name} × {first.project.name} {hhmm(first.slot.starts_at)}",
        )
    _relay_tables(db, session, spec.labels(), published, dropped, start, actor)
    repaired = (
        published
        and bool(stranded)
        and _relocated(db, matcher, session, stranded, gone_slots, actor, lang)
    )
    if published and stranded and not repaired and not drop_meetings:
        lost = start[stranded[0].id]
        raise Conflict(
            "session.would_drop",
            count=len(stranded),
            first=f"{lost['institution']} × {lost['project']} {lost['slot']}",
        )
    if not repaired:
        for meeting in stranded:
            dropped.append(start[meeting.id])
            record(db, meeting, "drop", actor, _audit(meeting), None)
            db.delete(meeting)
    db.flush()
    for slot in list(session.slots):
        if slot.id in gone_slots:
            session.slots.remove(slot)
    db.flush()
    db.expire(session, ["slots", "tables"])
    end = _where_now(db, session)
    moved = [
        {**start[i], "to_slot": end[i]["slot"], "to_table": end[i]["table"]}
        for i in start
        if i in end and (end[i]["slot"], end[i]["table"]) != (start[i]["slot"], start[i]["table"])
    ]
    dropped += [start[i] for i in start if i not in end and start[i] not in dropped]
    if published and moved and not repaired:  # seats changed: the copies people hold did too
        agenda = db.scalar(select(Agenda).where(Agenda.session_id == session.id))
        if agenda is not None:
            agenda.revision += 1
    return SessionChange(
        session=session.code,
        published=published,
        slots=len(session.slots),
        tables=len(session.tables),
        moved=moved,
        dropped=dropped,
        added=len(set(end) - set(start)),
    )


def _relocated(
    db: Session,
    matcher: Matcher,
    session: MatchmakingSession,
    stranded: list[Meeting],
    gone_slots: set[int],
    actor: User | None,
    lang: str,
) -> bool:
    """Re-place the published meetings of vanishing slots by a repair that must keep each of
    them (fewest others moved). Returns False, with nothing changed, when that is impossible
    or would cost other meetings: the session cannot keep every meeting, and then only the
    stranded ones go (the organiser's choice, ``drop_meetings``), nothing else moves."""
    attempt = db.begin_nested()
    outcome = repair_agenda(
        db, matcher, session, actor, lang=lang, relocate=stranded, gone_slots=gone_slots
    )
    if outcome.status != "infeasible" and not outcome.dropped:
        attempt.commit()
        return True
    attempt.rollback()
    return False


def _relay_slots(
    db: Session, session: MatchmakingSession, slots: list[tuple[datetime, datetime]]
) -> set[int]:
    """Match old slots to the new layout by start time (their rows, meetings and absences are
    kept, their end follows the new length); add the new ones. Returns the ids of old slots with
    no place in the layout: they are numbered after the new ones until their meetings leave."""
    by_start = {s.starts_at: s for s in session.slots}
    for n, slot in enumerate(session.slots, start=1):
        slot.number = -n  # out of the way of the new numbers (unique per session)
    db.flush()
    used: set[int] = set()
    for number, (starts, ends) in enumerate(slots, start=1):
        found = by_start.get(starts)
        if found is None:
            session.slots.append(Slot(number=number, starts_at=starts, ends_at=ends))
        else:
            found.number, found.ends_at = number, ends
            used.add(found.id)
    gone = [s for s in by_start.values() if s.id not in used]
    for n, slot in enumerate(gone, start=len(slots) + 1):
        slot.number = n
    db.flush()
    session.slots.sort(key=lambda s: s.number)
    return {s.id for s in gone}


def _relay_tables(
    db: Session,
    session: MatchmakingSession,
    labels: list[str],
    published: bool,
    dropped: list[dict[str, Any]],
    start: dict[int, dict[str, Any]],
    actor: User | None,
) -> None:
    """Match old tables to the new labels; seat institutions whose table goes at a free one
    (their meetings follow). With no free table: refused when published, else the
    institution's draft meetings are dropped (the next build seats it again)."""
    old = list(session.tables)
    by_label = {t.label or default_label(t.number): t for t in old}
    for n, table in enumerate(old, start=1):
        table.number = -n
    db.flush()
    keep: set[int] = set()
    for number, label in enumerate(labels, start=1):
        found = by_label.get(label)
        if found is None:
            session.tables.append(Table(number=number, label=label))
        else:
            found.number = number
            keep.add(found.id)
    session.table_count = len(labels)
    db.flush()
    gone = {t.id for t in old if t.id not in keep}
    if not gone:
        return
    seats = list(db.scalars(select(SessionSeat).where(SessionSeat.session_id == session.id)))
    taken = {s.table_id for s in seats if s.table_id not in gone}
    free = [t for t in sorted(session.tables, key=lambda t: t.number) if t.id not in gone]
    free = [t for t in free if t.id not in taken]
    homeless = [s for s in seats if s.table_id in gone]
    if published and len(homeless) > len(free):
        raise Conflict(
            "session.too_few_tables",
            session=session.code,
            needed=len(taken) + len(homeless),
            tables=len(labels),
        )
    meetings = live_meetings(db, session)
    for seat in homeless:
        mine = [m for m in meetings if m.institution_id == seat.institution_id]
        if free:
            seat.table_id = free.pop(0).id
            for meeting in mine:
                old_place = _audit(meeting)
                meeting.table_id = seat.table_id
                db.flush()
                record(db, meeting, "move", actor, old_place, _audit(meeting))
        else:
            for meeting in mine:
                dropped.append(start[meeting.id])
                record(db, meeting, "drop", actor, _audit(meeting), None)
                db.delete(meeting)
            db.delete(seat)
    db.flush()
    for table in old:
        if table.id in gone:
            session.tables.remove(table)
    db.flush()


def _where_now(db: Session, session: MatchmakingSession) -> dict[int, dict[str, Any]]:
    """Return meeting id → where each live meeting of ``session`` is, as people read it (slots
    and tables looked up afresh: a repair changes the ids under loaded relationships)."""
    slots = {s.id: s for s in db.scalars(select(Slot).where(Slot.session_id == session.id))}
    tables = {t.id: t for t in db.scalars(select(Table).where(Table.session_id == session.id))}
    out = {}
    for m in live_meetings(db, session):
        table = tables.get(m.table_id) if m.table_id is not None else None
        out[m.id] = {
            "institution_id": m.institution.code,
            "institution": m.institution.name,
            "project_id": m.project.code,
            "project": m.project.name,
            "slot": hhmm(slots[m.slot_id].starts_at),
            "table": (table.label or default_label(table.number)) if table else "",
        }
    return out


def _audit(meeting: Meeting) -> dict[str, Any]:
    return {
        "slot_id": meeting.slot_id,
        "table_id": meeting.table_id,
        "status": meeting.status.value,
        "institution_id": meeting.institution_id,
        "project_id": meeting.project_id,
    }
