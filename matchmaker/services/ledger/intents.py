"""Reading the intent ledger: who may see which intents, the one filtered list, its totals, history.

Who may do what: staff and organisers every intent of the event; an investor only their own
institution's (and only that institution may be named on a new one); an entrant reads their
own project's and changes nothing. The page and the API list intents with the same query
(:func:`list_intents`, :func:`intent_page`); recording and changing them is
:mod:`matchmaker.services.ledger.intent_changes`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import Select, false, or_, select
from sqlalchemy.orm import Session, selectinload

from matchmaker.db.models import (
    AuditEntry,
    DueDiligence,
    Event,
    Institution,
    Intent,
    Project,
    User,
)
from matchmaker.db.types import utcnow
from matchmaker.domain import LOCAL_TZ, IntentStatus, Role
from matchmaker.errors import NotFound
from matchmaker.ledger import SIGNED_OR_LATER
from matchmaker.messages import Ref
from matchmaker.services.registry.catalog import Page, paginate
from matchmaker.services.registry.events import find_session
from matchmaker.services.registry.vocabulary import vocabulary_of

Q = TypeVar("Q", bound=Select[Any])  # a query of rows :func:`scoped` narrows
STAFF = (Role.STAFF, Role.ORGANISER)


def today_local(now: datetime | None = None) -> date:
    """Return the competition's calendar date (Asia/Shanghai) at ``now`` (default: now)."""
    return (now or utcnow()).astimezone(LOCAL_TZ).date()


def may_write(viewer: User, intent_institution_id: int) -> bool:
    """Return whether ``viewer`` may create or change intents of that institution."""
    if viewer.role in STAFF:
        return True
    return viewer.role == Role.INVESTOR and viewer.institution_id == intent_institution_id


def may_read(viewer: User, intent: Intent) -> bool:
    """Return whether ``viewer`` may see ``intent`` (amounts included: it is theirs)."""
    if viewer.role in STAFF:
        return True
    if viewer.role == Role.INVESTOR:
        return viewer.institution_id == intent.institution_id
    return viewer.role == Role.ENTRANT and viewer.project_id == intent.project_id


def scoped(query: Q, viewer: User | None) -> Q:
    """Restrict an ``Intent`` query to what ``viewer`` may read (None: the CLI, everything)."""
    if viewer is None:
        return query
    if viewer.role == Role.INVESTOR:
        return query.where(Intent.institution_id == viewer.institution_id)
    if viewer.role == Role.ENTRANT:
        return query.where(Intent.project_id == viewer.project_id)
    return query


def get_intent(db: Session, intent_id: int, viewer: User, lock: bool = False) -> Intent:
    """Return the intent ``viewer`` may read; 404 otherwise (its existence is not disclosed)."""
    query = select(Intent).where(Intent.id == intent_id)
    if lock:
        query = query.with_for_update(of=Intent)
    intent = db.scalar(query)
    if intent is None or not may_read(viewer, intent):
        raise NotFound(what=Ref("what.intent"), key=intent_id)
    return intent


# ---- the list both edges show --------------------------------------------------------------


@dataclass(frozen=True)
class IntentFilters:
    """What a list of intents is narrowed to (None or empty: any); codes as users write them."""

    session: str | None = None  # a session code; one the event lacks matches nothing
    no_session: bool = False  # only intents tied to no session
    status: IntentStatus | None = None
    project: str | None = None  # registration ids
    institution: str | None = None
    track: str | None = None  # a key, label or alias of the event's tracks
    region: str | None = None
    text: str = ""  # found in the project's or institution's id or name


def _listed(event: Event, viewer: User | None, filters: IntentFilters) -> Select[Intent]:
    query = (
        scoped(select(Intent).where(Intent.event_id == event.id), viewer)
        .options(selectinload(Intent.session))
        .join(Project, Project.id == Intent.project_id)
        .join(Institution, Institution.id == Intent.institution_id)
    )
    if filters.no_session:
        query = query.where(Intent.session_id.is_(None))
    elif filters.session:
        found = find_session(event, filters.session)
        query = query.where(Intent.session_id == found.id if found else false())
    for column, value in (
        (Intent.status, filters.status),
        (Project.code, filters.project),
        (Institution.code, filters.institution),
        (Project.track, vocabulary_of(event).check(filters.track) if filters.track else None),
        (Project.region, filters.region),
    ):
        if value:
            query = query.where(column == value)
    if filters.text:
        columns = (Project.code, Project.name, Institution.code, Institution.name)
        query = query.where(or_(*(c.icontains(filters.text, autoescape=True) for c in columns)))
    return query


def list_intents(
    db: Session, event: Event, viewer: User | None, filters: IntentFilters
) -> list[Intent]:
    """Return the intents of ``event`` that ``viewer`` may read and ``filters`` keep, by pair."""
    query = _listed(event, viewer, filters).order_by(Project.code, Institution.code)
    return list(db.scalars(query))


def intent_page(
    db: Session,
    event: Event,
    viewer: User | None,
    filters: IntentFilters,
    page: int,
    page_size: int,
) -> Page[Intent]:
    """Return one page of what :func:`list_intents` lists, oldest intent first."""
    return paginate(db, _listed(event, viewer, filters).order_by(Intent.id), page, page_size)


@dataclass(frozen=True)
class LedgerTotals:
    """What a list of intents adds up to: how many, how many signed, and their integer yuan."""

    count: int
    signed: int
    signed_amount: int
    invested_amount: int


def totals(intents: list[Intent]) -> LedgerTotals:
    """Return the totals of ``intents`` (signed or later; invested for the invested sum)."""
    signed = [i for i in intents if i.status in SIGNED_OR_LATER]
    return LedgerTotals(
        count=len(intents),
        signed=len(signed),
        signed_amount=sum(i.amount or 0 for i in signed),
        invested_amount=sum(
            i.invested_amount or 0 for i in intents if i.status == IntentStatus.INVESTED
        ),
    )


def regions_seen(db: Session, event: Event, viewer: User) -> list[str]:
    """Return the regions of the projects of the intents ``viewer`` may read, and no others."""
    query = (
        select(Project.region)
        .join(Intent, Intent.project_id == Project.id)
        .where(Intent.event_id == event.id, Project.region != "")
    )
    return list(db.scalars(scoped(query, viewer).distinct().order_by(Project.region)))


def pair_choices(
    db: Session, event: Event, viewer: User
) -> tuple[list[Project], list[Institution]]:
    """Return the projects and institutions ``viewer`` may name on a new intent or task (an
    investor only their own institution), by registration id."""
    projects = select(Project).where(Project.event_id == event.id).order_by(Project.code)
    institutions = select(Institution).where(Institution.event_id == event.id)
    if viewer.role == Role.INVESTOR:
        institutions = institutions.where(Institution.id == viewer.institution_id)
    return list(db.scalars(projects)), list(db.scalars(institutions.order_by(Institution.code)))


def find_pair(
    db: Session, event: Event, project: str | None, institution: str | None
) -> tuple[Project | None, Institution | None]:
    """Return the project and institution of ``event`` with these registration ids (None for
    one it does not have)."""
    return (
        db.scalar(select(Project).where(Project.event_id == event.id, Project.code == project)),
        db.scalar(
            select(Institution).where(
                Institution.event_id == event.id, Institution.code == institution
            )
        ),
    )


# ---- the audit trail -----------------------------------------------------------------------


def history(db: Session, entity_type: str, entity_id: int) -> list[AuditEntry]:
    """Return the audit trail of one record, oldest first."""
    return list(
        db.scalars(
            select(AuditEntry)
            .where(AuditEntry.entity_type == entity_type, AuditEntry.entity_id == entity_id)
            .order_by(AuditEntry.at, AuditEntry.id)
        )
    )


def trail_of(db: Session, record: Intent | DueDiligence) -> list[AuditEntry]:
    """Return the audit trail of an intent or a task in hand, oldest first."""
    return history(db, type(record).__tablename__, record.id)


def intent_history(db: Session, intent_id: int, viewer: User) -> list[AuditEntry]:
    """Return the trail of an intent ``viewer`` may read; staff and organisers also read the
    trail of a deleted one. NotFound when there is none to show."""
    try:
        get_intent(db, intent_id, viewer)
    except NotFound:
        if viewer.role not in STAFF:
            raise
    entries = history(db, Intent.__tablename__, intent_id)
    if not entries:
        raise NotFound(what=Ref("what.intent"), key=intent_id)
    return entries
