"""Projects and institutions as one viewer gets them: looked up, checked, listed and edited.

The edges (API, pages) call these; what a viewer may see or change is decided here with the
rules of :mod:`access`, and what they are shown comes back as :class:`Shown`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaker.db.models import Event, Institution, Project, User
from matchmaker.identifiers import mask_id
from matchmaker.services.registry import catalog, profiles
from matchmaker.services.registry.access import (
    ensure_own_institution,
    ensure_own_project,
    ensure_sessions_kept,
    sees_contacts,
    sees_ids,
)
from matchmaker.services.registry.events import event_code_for, get_event
from matchmaker.services.registry.paging import Page

R = TypeVar("R", Project, Institution)


@dataclass(frozen=True)
class Shown(Generic[R]):
    """A project or institution as one viewer is shown it: the registration's own fields (read
    through to ``row``), the code of its event, whether its contact details are shown, and
    whether a lead person's id number is shown whole (else masked)."""

    row: R
    event_code: str
    show_contact: bool
    show_ids: bool = False

    @property
    def leader_id_shown(self) -> str | None:
        """Return the lead person's id number as this viewer may see it."""
        value: str | None = getattr(self.row, "leader_id", None)
        return value if self.show_ids else mask_id(value)

    def __getattr__(self, name: str) -> Any:
        if name == "row":  # not set yet (copying, unpickling): no registration to read through
            raise AttributeError(name)
        return getattr(self.row, name)


def show(db: Session, viewer: User, rows: list[R]) -> list[Shown[R]]:
    """Return ``rows`` as ``viewer`` is shown them."""
    if not rows:
        return []
    codes = {event_id: code for event_id, code in db.execute(select(Event.id, Event.code))}
    ids = sees_ids(viewer)
    return [Shown(row, codes[row.event_id], sees_contacts(viewer, row), ids) for row in rows]


# ---- projects ------------------------------------------------------------------------------


def project_for(
    db: Session, viewer: User, code: str, event: str | None = None, prefer: int | None = None
) -> Project:
    """Return the project ``code`` for ``viewer`` to see or act for (an entrant's own only).

    The event is the one named, else a party's own, else the id must be unique (or unique in
    the event ``prefer``, an id): see :func:`catalog.get_project`.
    """
    project = catalog.get_project(db, code, event_code_for(db, viewer, event), prefer)
    ensure_own_project(viewer, project)
    return project


def list_projects(
    db: Session, viewer: User, event: str | None = None, **filters: Any
) -> Page[Shown[Project]]:
    """Return one page of projects (filters as :func:`catalog.list_projects`) as ``viewer`` is
    shown them; the event is the one named, else a party's own."""
    page = catalog.list_projects(db, event=event_code_for(db, viewer, event), **filters)
    return Page(show(db, viewer, page.items), page.total, page.page, page.page_size)


def show_project(
    db: Session, viewer: User, code: str, event: str | None = None, prefer: int | None = None
) -> Shown[Project]:
    """Return the project ``code`` as ``viewer`` is shown it (an entrant sees their own only)."""
    return show(db, viewer, [project_for(db, viewer, code, event, prefer)])[0]


def register_project(db: Session, viewer: User, data: dict[str, Any]) -> Shown[Project]:
    """Register a project in the event ``data["event"]`` (or the only one), as ``viewer``."""
    event = get_event(db, data.pop("event", None))
    return show(db, viewer, [catalog.create_project(db, event, data, viewer)])[0]


def edit_project(
    db: Session, viewer: User, code: str, event: str | None, data: dict[str, Any]
) -> Shown[Project]:
    """Apply ``data`` to the project ``code``: an entrant edits only their own, leaves the
    fields the event locked as they are, and only organisers move a registration between
    sessions. The change goes on the audit trail."""
    project = project_for(db, viewer, code, event)
    ensure_sessions_kept(viewer, project, data.get("sessions"))
    profiles.ensure_unlocked(db, viewer, project, data)
    before = profiles.snapshot(project)
    catalog.update_project(db, project, data, viewer)
    profiles.record_changes(db, project, before, viewer)
    return show(db, viewer, [project])[0]


# ---- institutions --------------------------------------------------------------------------


def institution_for(
    db: Session, viewer: User, code: str, event: str | None = None, prefer: int | None = None
) -> Institution:
    """Return the institution ``code`` for ``viewer`` to act for (an investor's own only); the
    event is found as :func:`project_for` finds it."""
    institution = get_institution(db, viewer, code, event, prefer)
    ensure_own_institution(viewer, institution)
    return institution


def get_institution(
    db: Session, viewer: User, code: str, event: str | None = None, prefer: int | None = None
) -> Institution:
    """Return the institution ``code`` for ``viewer`` to see (everyone sees every institution)."""
    return catalog.get_institution(db, code, event_code_for(db, viewer, event), prefer)


def verdict_pair(
    db: Session, viewer: User, institution: str, project: str
) -> tuple[Institution, Project]:
    """Return the institution and project a like/pass (API) is given on, each id looked up in
    every event (the request names none); an investor acts for their own institution only."""
    found = catalog.get_institution(db, institution)
    ensure_own_institution(viewer, found)
    return found, catalog.get_project(db, project)


def list_institutions(
    db: Session, viewer: User, event: str | None = None, **filters: Any
) -> Page[Shown[Institution]]:
    """Return one page of institutions as ``viewer`` is shown them (see :func:`list_projects`)."""
    page = catalog.list_institutions(db, event=event_code_for(db, viewer, event), **filters)
    return Page(show(db, viewer, page.items), page.total, page.page, page.page_size)


def show_institution(
    db: Session, viewer: User, code: str, event: str | None = None, prefer: int | None = None
) -> Shown[Institution]:
    """Return the institution ``code`` as ``viewer`` is shown it."""
    return show(db, viewer, [get_institution(db, viewer, code, event, prefer)])[0]


def register_institution(db: Session, viewer: User, data: dict[str, Any]) -> Shown[Institution]:
    """Register an institution in the event ``data["event"]`` (or the only one), as ``viewer``."""
    event = get_event(db, data.pop("event", None))
    return show(db, viewer, [catalog.create_institution(db, event, data, viewer)])[0]


def edit_institution(
    db: Session, viewer: User, code: str, event: str | None, data: dict[str, Any]
) -> Shown[Institution]:
    """Apply ``data`` to the institution ``code``: an investor edits only their own, as
    :func:`edit_project` says. A portfolio entry sent without a description keeps the one its
    company had."""
    institution = institution_for(db, viewer, code, event)
    ensure_sessions_kept(viewer, institution, data.get("sessions"))
    profiles.ensure_unlocked(db, viewer, institution, data)
    before = profiles.snapshot(institution)
    if data.get("portfolio") is not None:
        kept = {entry.company: entry.description for entry in institution.portfolio}
        for entry in data["portfolio"]:
            entry.setdefault("description", kept.get(entry["company"], ""))
    catalog.update_institution(db, institution, data, viewer)
    profiles.record_changes(db, institution, before, viewer)
    return show(db, viewer, [institution])[0]
