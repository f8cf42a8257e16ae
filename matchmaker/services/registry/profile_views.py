"""A party's profile page as one viewer gets it: the registration, what they may change, its
files and (for organisers and staff) its changes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic

from sqlalchemy.orm import Session

from matchmaker.db.models import Attachment, Institution, Project, User
from matchmaker.domain import Role
from matchmaker.services.registry import names, parties, profiles
from matchmaker.services.registry.access import may_read_attachments
from matchmaker.services.registry.attachments import list_attachments
from matchmaker.services.registry.parties import R, Shown


@dataclass(frozen=True)
class ProfileView(Generic[R]):
    """A profile as ``viewer`` sees it: ``editable`` when they may edit it, ``locked`` the
    fields they may not change, ``changes`` and ``renames`` its audit trail (organisers and
    staff only)."""

    shown: Shown[R]
    editable: bool
    locked: frozenset[str]
    changes: list[profiles.Change]
    renames: list[names.Rename]
    attachments: list[Attachment]
    sees_attachments: bool
    manages_attachments: bool


def project_view(
    db: Session, viewer: User, code: str, event: str | None = None, prefer: int | None = None
) -> ProfileView[Project]:
    """Return the project ``code`` as ``viewer`` sees it (an entrant: their own only)."""
    shown = parties.show_project(db, viewer, code, event, prefer)
    project = shown.row
    own = viewer.role is Role.ENTRANT and viewer.project_id == project.id
    editable = viewer.role is Role.ORGANISER or own
    return ProfileView(
        shown=shown,
        editable=editable,
        locked=profiles.locked_for(db, viewer, project),
        changes=profiles.changes(db, viewer, project),
        renames=names.renames(db, viewer, project.event_id, project),
        attachments=list_attachments(db, viewer, project),
        sees_attachments=may_read_attachments(viewer, project),
        manages_attachments=editable,
    )


def institution_view(
    db: Session, viewer: User, code: str, event: str | None = None, prefer: int | None = None
) -> ProfileView[Institution]:
    """Return the institution ``code`` as ``viewer`` sees it (every role sees every one)."""
    shown = parties.show_institution(db, viewer, code, event, prefer)
    institution = shown.row
    own = viewer.role is Role.INVESTOR and viewer.institution_id == institution.id
    return ProfileView(
        shown=shown,
        editable=viewer.role is Role.ORGANISER or own,
        locked=profiles.locked_for(db, viewer, institution),
        changes=profiles.changes(db, viewer, institution),
        renames=names.renames(db, viewer, institution.event_id, institution),
        attachments=[],
        sees_attachments=False,
        manages_attachments=False,
    )


def project_to_edit(
    db: Session, viewer: User, code: str, event: str | None = None, prefer: int | None = None
) -> ProfileView[Project]:
    """Return the project ``code`` for ``viewer`` to edit: an organiser any, an entrant their
    own (PermissionDenied otherwise)."""
    view = project_view(db, viewer, code, event, prefer)
    profiles.ensure_may_edit(viewer, view.editable)
    return view


def institution_to_edit(
    db: Session, viewer: User, code: str, event: str | None = None, prefer: int | None = None
) -> ProfileView[Institution]:
    """Return the institution ``code`` for ``viewer`` to edit: an organiser any, an investor
    their own (PermissionDenied otherwise)."""
    view = institution_view(db, viewer, code, event, prefer)
    profiles.ensure_may_edit(viewer, view.editable)
    return view
