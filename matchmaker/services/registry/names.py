"""Party names: unique within an event once normalised, and every rename on the audit trail.

Two projects (or two institutions) of one event may not share a name as :func:`name_key`
compares them, so a party cannot pass itself off as another by renaming its profile. The
database holds the same rule (a unique index on ``name_key``, migration 0010); checking here
first gives the user a sentence naming the other party instead of a bare conflict. Names that
were shared before the rule existed keep no key and are tolerated until they change.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from matchmaker.db.models import AuditEntry, Institution, Project, User
from matchmaker.domain import Role
from matchmaker.errors import Conflict, Problem
from matchmaker.messages import Ref
from matchmaker.services.audit import record
from matchmaker.text import name_key

RENAME = "rename"
FEW_KEYS = 1000  # more than this are looked for in all the event's rows, not by a bound list
SEES_RENAMES = (Role.ORGANISER, Role.STAFF)
_WHAT = {Project: "what.project", Institution: "what.institution"}


def holders(
    db: Session, model: type[Project] | type[Institution], event_id: int, keys: Iterable[str]
) -> dict[str, list[tuple[int, str]]]:
    """Return ``{key: [(id, code), …]}``: the event's rows whose name has one of ``keys``.

    Rows without a stored key (old duplicates, rows written around the ORM) are compared by
    their name, so they are never missed.
    """
    wanted = set(keys)
    if not wanted:
        return {}
    query = select(model.id, model.code, model.name, model.name_key).where(
        model.event_id == event_id
    )
    if len(wanted) <= FEW_KEYS:  # SQLite binds at most 32,766 values; an import may hold more
        query = query.where(or_(model.name_key.in_(wanted), model.name_key.is_(None)))
    found: dict[str, list[tuple[int, str]]] = {}
    for row_id, code, name, stored in db.execute(query.order_by(model.id)):
        key = stored if stored is not None else name_key(name)
        if key in wanted:
            found.setdefault(key, []).append((row_id, code))
    return found


def ensure_name_free(db: Session, row: Project | Institution, name: str) -> None:
    """Refuse ``name`` for ``row`` (new or existing) if another party of its kind in the event
    has it. Keeping one's own name (or changing only its spaces or case) is always allowed."""
    key = name_key(name)
    if row.id is not None and row.name is not None and name_key(row.name) == key:
        return
    model = type(row)
    found = holders(db, model, row.event_id, [key]).get(key, [])
    others = [code for row_id, code in found if row_id != row.id]
    if others:
        params = {"name": name, "what": Ref(_WHAT[model]), "key": others[0]}
        problem = Problem("field.name_taken", column="name", value=name, params=params)
        raise Conflict("error.duplicate_name", [problem], **params)


def record_rename(
    db: Session, row: Project | Institution, before: str, actor: User | None
) -> AuditEntry:
    """Put a rename on the audit trail: who, when, the old name and the new one."""
    return record(db, row, RENAME, actor, {"name": before}, {"name": row.name})


@dataclass(frozen=True)
class Rename:
    """One rename as organisers see it."""

    at: datetime
    actor: str
    kind: str  # "project" or "institution"
    code: str
    before: str
    after: str


def renames(
    db: Session, viewer: User, event_id: int, row: Project | Institution | None = None
) -> list[Rename]:
    """Return the renames of the event's parties (or of ``row`` alone), newest first.

    Organisers and staff see them; anyone else gets an empty list.
    """
    if viewer.role not in SEES_RENAMES:
        return []
    query = select(AuditEntry).where(AuditEntry.event_id == event_id, AuditEntry.action == RENAME)
    if row is not None:
        query = query.where(
            AuditEntry.entity_type == type(row).__tablename__, AuditEntry.entity_id == row.id
        )
    entries = db.scalars(query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())).all()
    codes = {
        (model.__tablename__, row_id): code
        for model in (Project, Institution)
        for row_id, code in db.execute(
            select(model.id, model.code).where(model.event_id == event_id)
        )
    }
    return [
        Rename(
            at=entry.at,
            actor=entry.actor_label,
            kind="project" if entry.entity_type == Project.__tablename__ else "institution",
            code=codes.get((entry.entity_type, entry.entity_id), ""),
            before=str((entry.before or {}).get("name", "")),
            after=str((entry.after or {}).get("name", "")),
        )
        for entry in entries
    ]


def rename_problems(
    db: Session,
    model: type[Project] | type[Institution],
    event_id: int,
    records: list[dict[str, Any]],
    column: str,
) -> list[Problem]:
    """Problems for import rows whose name another party of the event already has.

    A row that keeps its own name is fine; rows named in the file are judged by their new
    names (the file's own repeats are found while it is parsed).
    """
    in_file = {r["code"] for r in records}
    current = dict(
        db.execute(select(model.code, model.name).where(model.event_id == event_id)).all()
    )
    changing = [
        r
        for r in records
        if "name" in r
        and (r["code"] not in current or name_key(current[r["code"]]) != name_key(r["name"]))
    ]
    found = holders(db, model, event_id, (name_key(r["name"]) for r in changing))
    problems = []
    for r in changing:
        others = [code for _id, code in found.get(name_key(r["name"]), []) if code not in in_file]
        if others:
            params = {"what": Ref(_WHAT[model]), "key": others[0]}
            problems.append(Problem("import.name_taken", r["_row"], column, r["name"], params))
    return problems
