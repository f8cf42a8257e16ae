"""Landings that are not investments (落户, 入驻园区, 合作): recording, fixing a value, totals.

An investment lands on the intent ladder (投资落地, in
:mod:`matchmaker.services.ledger.intent_changes`); everything else a project brings home after
the contest is a ``Landing``: it moved to a place (落户) or into a park (入驻园区), or got a
loan, space, equipment or orders (合作), with a value in yuan where there is one or one still
to be fixed (待定). A project may land several times, with or without an institution: a park
or a city service is named as text. Staff and organisers (and the CLI) record and change
landings; an investor reads those naming their institution, an entrant their project's. Every
change is audited.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from matchmaker.db.models import AuditEntry, Event, Intent, Landing, User
from matchmaker.domain import CooperationKind, LandingKind
from matchmaker.errors import Conflict, InvalidInput, NotFound, PermissionDenied, Problem
from matchmaker.messages import Ref
from matchmaker.services.audit import record
from matchmaker.services.ledger.due_diligence import may_write, scoped
from matchmaker.services.ledger.intents import history, today_local
from matchmaker.services.registry.catalog import Page, get_institution, get_project, paginate

EDITABLE = (
    "kind",
    "cooperation",
    "counterpart",
    "place",
    "landed_on",
    "value",
    "value_pending",
    "note",
    "institution_id",
    "intent_id",
)
LIMITS = {"counterpart": 200, "place": 200, "note": 5000}
PLACED = (LandingKind.RELOCATION, LandingKind.PARK)  # a landing that needs its place


def _listed(event: Event, viewer: User | None, kind: LandingKind | None) -> Select[Landing]:
    query = scoped(select(Landing).where(Landing.event_id == event.id), viewer, Landing)
    if kind is not None:
        query = query.where(Landing.kind == kind)
    return query.order_by(Landing.landed_on, Landing.id)


def list_landings(
    db: Session, event: Event, viewer: User | None, kind: LandingKind | None = None
) -> list[Landing]:
    """Return the event's landings ``viewer`` may read, oldest landing first."""
    return list(db.scalars(_listed(event, viewer, kind)))


def landing_page(
    db: Session,
    event: Event,
    viewer: User | None,
    kind: LandingKind | None,
    page: int,
    page_size: int,
) -> Page[Landing]:
    """Return one page of what :func:`list_landings` lists."""
    return paginate(db, _listed(event, viewer, kind), page, page_size)


def get_landing(db: Session, landing_id: int, viewer: User | None) -> Landing:
    """Return a landing ``viewer`` may read; NotFound otherwise (its existence undisclosed)."""
    found = db.scalar(scoped(select(Landing).where(Landing.id == landing_id), viewer, Landing))
    if found is None:
        raise NotFound(what=Ref("what.landing"), key=landing_id)
    return found


def landing_history(db: Session, landing: Landing) -> list[AuditEntry]:
    """Return the audit trail of a landing, oldest first."""
    return history(db, Landing.__tablename__, landing.id)


def snapshot(landing: Landing) -> dict[str, Any]:
    """Return the audited picture of a landing: codes, integer yuan, ISO dates."""
    return {
        "project_id": landing.project.code,
        "institution_id": landing.institution.code if landing.institution else None,
        "intent_id": landing.intent_id,
        "kind": landing.kind.value,
        "cooperation": landing.cooperation.value if landing.cooperation else None,
        "counterpart": landing.counterpart,
        "place": landing.place,
        "landed_on": landing.landed_on.isoformat(),
        "value": landing.value,
        "value_pending": landing.value_pending,
        "note": landing.note,
    }


def _normalised(values: dict[str, Any]) -> dict[str, Any]:
    """Return ``values`` with text stripped and the 待定 mark dropped once a value is given."""
    out = dict(values)
    for name in LIMITS:
        out[name] = (out.get(name) or "").strip()
    if out.get("value") is not None:
        out["value_pending"] = False
    out["value_pending"] = bool(out.get("value_pending"))
    return out


def check(db: Session, values: dict[str, Any], project_id: int, today: date) -> list[Problem]:
    """Return every problem with a landing's ``values`` for the project (nothing is written)."""
    problems: list[Problem] = []
    kind, cooperation = values.get("kind"), values.get("cooperation")
    if kind is None:
        problems.append(Problem("landing.kind_required", column="kind"))
    elif kind == LandingKind.COOPERATION and cooperation is None:
        problems.append(
            Problem(
                "landing.cooperation_required",
                column="cooperation",
                params={"choices": CooperationKind.choices()},
            )
        )
    elif kind != LandingKind.COOPERATION and cooperation is not None:
        problems.append(
            Problem("landing.cooperation_only", column="cooperation", value=str(cooperation))
        )
    if kind in PLACED and not values.get("place"):
        problems.append(Problem("landing.place_required", column="place"))
    landed_on = values.get("landed_on")
    if landed_on is None:
        problems.append(Problem("landing.date_required", column="landed_on"))
    elif landed_on > today:
        problems.append(
            Problem("intent.date_in_future", column="landed_on", value=landed_on.isoformat())
        )
    value = values.get("value")
    if value is not None and value < 0:
        problems.append(Problem("import.negative_amount", column="value", value=value))
    if kind in PLACED and (value is not None or values.get("value_pending")):
        problems.append(Problem("landing.value_cooperation_only", column="value", value=value))
    for name, limit in LIMITS.items():
        if len(values.get(name) or "") > limit:
            problems.append(Problem("import.too_long", column=name, params={"limit": limit}))
    intent_id = values.get("intent_id")
    if intent_id is not None:
        intent = db.get(Intent, intent_id)
        institution_id = values.get("institution_id")
        if (
            intent is None
            or intent.project_id != project_id
            or (institution_id is not None and intent.institution_id != institution_id)
        ):
            problems.append(Problem("landing.bad_intent", column="intent_id", value=intent_id))
    return problems


def _refuse(problems: list[Problem]) -> None:
    if problems:
        raise InvalidInput("landing.invalid", problems, count=len(problems))


def add_landing(
    db: Session,
    actor: User | None,
    event: Event,
    project_code: str,
    values: dict[str, Any],
    institution_code: str | None = None,
) -> Landing:
    """Record a landing of the project named by its registration id in ``event``.

    ``institution_code`` names the counterpart when it is an institution of the event; the
    pair's intent is linked when there is one and ``values`` names none.
    """
    if not may_write(actor):
        raise PermissionDenied()
    project = get_project(db, project_code, event.code)
    values = _normalised({k: v for k, v in values.items() if k in EDITABLE})
    if institution_code:
        institution = get_institution(db, institution_code, event.code)
        values["institution_id"] = institution.id
        if values.get("intent_id") is None:
            values["intent_id"] = db.scalar(
                select(Intent.id).where(
                    Intent.project_id == project.id, Intent.institution_id == institution.id
                )
            )
    _refuse(check(db, values, project.id, today_local()))
    landing = Landing(
        event_id=event.id,
        project_id=project.id,
        **{k: v for k, v in values.items() if v is not None},
    )
    db.add(landing)
    db.flush()
    db.refresh(landing)
    record(db, landing, "create", actor, None, snapshot(landing))
    return landing


def update_landing(
    db: Session,
    actor: User | None,
    landing: Landing,
    changes: dict[str, Any],
    version: int | None = None,
) -> bool:
    """Apply ``changes``; a stale ``version`` is a Conflict. Return whether anything changed."""
    if not may_write(actor):
        raise PermissionDenied()
    if version is not None and version != landing.version:
        raise Conflict("intent.stale", id=landing.id, version=landing.version)
    old = {name: getattr(landing, name) for name in EDITABLE}
    new = _normalised({**old, **{k: v for k, v in changes.items() if k in EDITABLE}})
    if new == old:
        return False
    _refuse(check(db, new, landing.project_id, today_local()))
    before = snapshot(landing)
    for name, value in new.items():
        setattr(landing, name, value)
    landing.version += 1
    db.flush()
    db.refresh(landing)
    after = snapshot(landing)
    changed = [k for k in after if after[k] != before[k]]
    record(
        db,
        landing,
        "update",
        actor,
        {k: before[k] for k in changed},
        {k: after[k] for k in changed},
    )
    return True


def fix_value(
    db: Session, actor: User | None, landing: Landing, value: int, version: int | None = None
) -> bool:
    """Fill in a landing's value (待定 until now); audited like any change."""
    return update_landing(db, actor, landing, {"value": value}, version)


def delete_landing(db: Session, actor: User | None, landing: Landing) -> None:
    """Delete a landing; the trail keeps what it was."""
    if not may_write(actor):
        raise PermissionDenied()
    record(db, landing, "delete", actor, snapshot(landing), None)
    db.delete(landing)
    db.flush()


# ---- the report's view ---------------------------------------------------------------------


@dataclass
class KindTotal:
    """One landing kind in the report: how many, their fixed value in yuan, how many unfixed."""

    key: str  # "investment", "relocation", "park", "cooperation:loan" …
    count: int = 0
    projects: set[str] = field(default_factory=set)
    amount: int = 0
    unfixed: int = 0

    def add(self, project: str, value: int | None, pending: bool) -> None:
        """Count one landing of ``project``; only a fixed value adds to the amount."""
        self.count += 1
        self.projects.add(project)
        if value is not None:
            self.amount += value
        elif pending:
            self.unfixed += 1


def kind_key(landing: Landing) -> str:
    """Return the report's key of a landing's kind: ``park``, ``cooperation:loan`` …"""
    if landing.kind == LandingKind.COOPERATION and landing.cooperation is not None:
        return f"{landing.kind.value}:{landing.cooperation.value}"
    return landing.kind.value


KIND_KEYS = (
    "investment",
    *(k.value for k in PLACED),
    *(f"{LandingKind.COOPERATION.value}:{c.value}" for c in CooperationKind),
)


def kind_totals(landings: list[Landing]) -> dict[str, KindTotal]:
    """Return one total per kind key (every key, zero when none), in :data:`KIND_KEYS` order;
    ``investment`` is left for the caller, who counts it from the intents."""
    totals = {key: KindTotal(key) for key in KIND_KEYS}
    for landing in landings:
        totals[kind_key(landing)].add(landing.project.code, landing.value, landing.value_pending)
    return totals
