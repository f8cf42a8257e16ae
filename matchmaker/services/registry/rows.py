"""Write validated registration records in bulk: compare with what is stored, then insert and
update in a fixed number of statements, whatever the number of rows.

An import of N rows must cost O(N): the unit of work (one ORM object per row, its history and
its flush) was most of an import's time, so rows are read as plain tuples and written with
executemany; the registration version is bumped here, since no flush sees these writes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Column, Table, delete, insert, select, update
from sqlalchemy.orm import Session

from matchmaker.db.models import (
    Event,
    Institution,
    MatchmakingSession,
    PortfolioEntry,
    Project,
    User,
    session_institutions,
    session_projects,
)
from matchmaker.db.types import utcnow
from matchmaker.db.versioning import bump
from matchmaker.domain import Progress, Stage
from matchmaker.services.registry.names import record_rename
from matchmaker.text import fold, name_key

Model = type[Project] | type[Institution]
CHUNK = 500  # ids per IN (...) list: far below every driver's parameter limit

_FIELDS: dict[Any, tuple[str, ...]] = {
    Project: (
        "name",
        "track",
        "group",
        "sectors",
        "stage",
        "funding_ask",
        "region",
        "needs",
        "description",
        "contact_name",
        "contact_phone",
        "contact_email",
        "credit_code",
        "leader_id",
    ),
    Institution: (
        "name",
        "type",
        "focus_sectors",
        "stages",
        "ticket_min",
        "ticket_max",
        "regions",
        "thesis",
        "contact_name",
        "contact_phone",
        "contact_email",
    ),
}
_MEMBERS: dict[Any, tuple[Table, str]] = {
    Project: (session_projects, "project_id"),
    Institution: (session_institutions, "institution_id"),
}


@dataclass
class Counts:
    """How many records were new, changed, or already stored as they are."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class _Plan:
    inserts: list[dict[str, Any]] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)
    members: dict[str, set[int]] = field(default_factory=dict)  # code -> session ids to write
    portfolios: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # code -> entries
    renames: dict[int, str] = field(default_factory=dict)  # row id -> name before
    rekeyed: list[int] = field(default_factory=list)  # row ids whose name key changes
    counts: Counts = field(default_factory=Counts)


def write_records(
    db: Session,
    event: Event,
    model: Model,
    records: Sequence[dict[str, Any]],
    progress: Progress | None = None,
    actor: User | None = None,
) -> Counts:
    """Insert or update ``records`` (parsed rows keyed by ``code``) of ``event``; return counts.

    Only the columns a record holds are written (a file without a column keeps what is
    stored); a row whose values all match is not written. The caller's transaction holds the
    writes. Name keys are kept as the models keep them, and every rename goes on the audit
    trail as ``actor`` (the caller has checked the names are free).
    """
    db.flush()  # what the caller has pending goes first: the statements below bypass the session
    plan = _plan(db, event, model, records, progress)
    ids: dict[str, int] = {}
    # two parties swapping names would collide halfway through the updates: free the old keys
    for chunk in _chunks(plan.rekeyed):
        db.execute(update(_table(model)).where(model.id.in_(chunk)).values(name_key=None))
    _insert_many(db, model.__table__, plan.inserts)
    for batch in _by_keys(plan.updates):
        db.execute(update(model), batch)
    if plan.members or plan.portfolios:
        ids = dict(db.execute(select(model.code, model.id).where(model.event_id == event.id)).all())
    _write_members(db, model, plan.members, ids)
    _write_portfolios(db, plan.portfolios, ids)
    if plan.inserts or plan.updates or plan.members or plan.portfolios:
        bump(db, event.id)
        _expire(db, model, event)
    _audit_renames(db, model, plan.renames, actor)
    return plan.counts


def search_text_of(model: Model, values: dict[str, Any], companies: Iterable[str] = ()) -> str:
    """Return the folded text that list filters search (name, labels, region, description)."""
    if model is Project:
        parts = [
            values.get("code"),
            values.get("name"),
            *(values.get("sectors") or []),
            values.get("region"),
            values.get("description"),
        ]
    else:
        parts = [
            values.get("code"),
            values.get("name"),
            *(values.get("focus_sectors") or []),
            *(values.get("regions") or []),
            values.get("thesis"),
            *companies,
        ]
    return fold(" ".join(p for p in parts if p))


def _plan(
    db: Session,
    event: Event,
    model: Model,
    records: Sequence[dict[str, Any]],
    progress: Progress | None,
) -> _Plan:
    fields = _FIELDS[model]
    stored = _stored(db, model, event.id, fields)
    members = _stored_members(db, model, event.id)
    portfolios = _stored_portfolios(db, event.id) if model is Institution else {}
    session_ids = {s.code: s.id for s in event.sessions}
    plan = _Plan()
    for done, record in enumerate(records, start=1):
        given = {name: record[name] for name in fields if name in record}
        old = stored.get(record["code"])
        wanted_members = (
            {session_ids[c] for c in record["sessions"]} if "sessions" in record else None
        )
        entries = record.get("portfolio") if model is Institution else None
        if old is None:
            plan.counts.created += 1
            row = {"event_id": event.id, "code": record["code"], **given}
            row["name_key"] = name_key(row.get("name"))
            companies = [e["company"] for e in entries or []]
            row["search_text"] = search_text_of(model, row, companies)
            plan.inserts.append(row)
            if wanted_members:
                plan.members[record["code"]] = wanted_members
            if entries:
                plan.portfolios[record["code"]] = entries
        else:
            row_id = old["id"]
            changed = any(old[name] != value for name, value in given.items())
            if wanted_members is not None and wanted_members != members.get(row_id, set()):
                plan.members[record["code"]] = wanted_members
                changed = True
            companies = [c for c, _s, _t in portfolios.get(row_id, [])]
            if entries is not None:
                if _portfolio_key(entries) != portfolios.get(row_id, []):
                    plan.portfolios[record["code"]] = entries
                    changed = True
                companies = [e["company"] for e in entries]
            text = search_text_of(model, {**old, **given}, companies)
            if changed:
                written = {"id": row_id, **given, "search_text": text, "updated_at": utcnow()}
                if "name" in given and given["name"] != old["name"]:
                    plan.renames[row_id] = old["name"]
                    # as the models' validator does: a change of spaces or case alone keeps the
                    # key (an old duplicate without one keeps none until really renamed)
                    if name_key(old["name"]) != name_key(given["name"]):
                        written["name_key"] = name_key(given["name"])
                        plan.rekeyed.append(row_id)
                plan.updates.append(written)
            elif text != old["search_text"]:  # the folding changed, not the registration
                plan.updates.append(
                    {"id": row_id, "search_text": text, "updated_at": old["updated_at"]}
                )
            plan.counts.updated += int(changed)
            plan.counts.unchanged += int(not changed)
        if progress:
            progress(done, len(records))
    return plan


def _stored(
    db: Session, model: Model, event_id: int, fields: tuple[str, ...]
) -> dict[str, dict[str, Any]]:
    names = ("id", "code", "search_text", "updated_at", *fields)
    query = select(*(getattr(model, n) for n in names)).where(model.event_id == event_id)
    return {row[1]: dict(zip(names, row, strict=True)) for row in db.execute(query)}


def _stored_members(db: Session, model: Model, event_id: int) -> dict[int, set[int]]:
    table, key = _MEMBERS[model]
    member: Column[int] = table.c[key]
    session: Column[int] = table.c.session_id
    query = (
        select(member, session).join(model, model.id == member).where(model.event_id == event_id)
    )
    out: dict[int, set[int]] = {}
    for row_id, session_id in db.execute(query):
        out.setdefault(row_id, set()).add(session_id)
    return out


def _stored_portfolios(db: Session, event_id: int) -> dict[int, list[tuple[Any, ...]]]:
    query = (
        select(
            PortfolioEntry.institution_id,
            PortfolioEntry.company,
            PortfolioEntry.sectors,
            PortfolioEntry.stage,
        )
        .join(Institution, Institution.id == PortfolioEntry.institution_id)
        .where(Institution.event_id == event_id)
        .order_by(PortfolioEntry.institution_id, PortfolioEntry.position)
    )
    out: dict[int, list[tuple[Any, ...]]] = {}
    for institution_id, company, sectors, stage in db.execute(query):
        entry = (company, list(sectors or []), stage.value if stage else None)
        out.setdefault(institution_id, []).append(entry)
    return out


def _portfolio_key(entries: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [(e["company"], e["sectors"], e["stage"]) for e in entries]


def _by_keys(rows: list[dict[str, Any]]) -> Iterable[list[dict[str, Any]]]:
    """Group bulk-update rows by the columns they set: one executemany per group."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(tuple(row), []).append(row)
    return groups.values()


def _insert_many(db: Session, table: Any, rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` with one executemany.

    The table, not the mapper: an ORM bulk insert splits the rows into a statement per run of
    rows that leave the same columns None. (RETURNING, which makes SQLAlchemy send multi-row
    VALUES, measured slower here on SQLite and PostgreSQL alike.)
    """
    if rows:
        db.execute(insert(table), rows)


def _table(model: Model) -> Table:
    """Return the model's table (typed: ``__table__`` is declared as any FromClause)."""
    table: Table = model.__table__  # type: ignore[assignment]
    return table


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def _write_members(
    db: Session, model: Model, members: dict[str, set[int]], ids: dict[str, int]
) -> None:
    if not members:
        return
    table, key = _MEMBERS[model]
    for chunk in _chunks([ids[code] for code in members]):
        db.execute(delete(table).where(table.c[key].in_(chunk)))
    pairs = [
        {"session_id": session_id, key: ids[code]}
        for code, wanted in members.items()
        for session_id in sorted(wanted)
    ]
    _insert_many(db, table, pairs)


def _write_portfolios(
    db: Session, portfolios: dict[str, list[dict[str, Any]]], ids: dict[str, int]
) -> None:
    if not portfolios:
        return
    for chunk in _chunks([ids[code] for code in portfolios]):
        db.execute(delete(PortfolioEntry).where(PortfolioEntry.institution_id.in_(chunk)))
    rows = [
        {
            "institution_id": ids[code],
            "position": position,
            "company": e["company"],
            "sectors": e["sectors"],
            "stage": Stage(e["stage"]) if e["stage"] else None,
        }
        for code, entries in portfolios.items()
        for position, e in enumerate(entries)
    ]
    _insert_many(db, PortfolioEntry.__table__, rows)


def _audit_renames(db: Session, model: Model, renames: dict[int, str], actor: User | None) -> None:
    """Put each rename on the audit trail (who, when, old → new name)."""
    for chunk in _chunks(list(renames)):
        rows: Iterable[Project | Institution] = db.scalars(select(model).where(model.id.in_(chunk)))
        for row in rows:
            record_rename(db, row, renames[row.id], actor)


def _expire(db: Session, model: Model, event: Event) -> None:
    """Forget loaded copies of what the bulk statements rewrote: the next read sees the rows."""
    collection = "projects" if model is Project else "institutions"
    for obj in list(db.identity_map.values()):
        if isinstance(obj, model | PortfolioEntry):
            db.expire(obj)
        elif isinstance(obj, MatchmakingSession) and obj.event_id == event.id:
            db.expire(obj, [collection])
