"""Who may see and act for which registration: the one home of these rules for every edge.

Organisers and staff see every project and institution with its contact details. A party is
bound to one registration: an entrant sees and acts for their own project only, an investor
acts for their own institution only (and sees every institution); each sees the contact
details of their own registration alone. A lead person's id number is shown whole to organisers
only.
"""

from __future__ import annotations

from matchmaker.db.models import Institution, Project, User
from matchmaker.domain import Role
from matchmaker.errors import PermissionDenied

STAFF_SIDE = (Role.ORGANISER, Role.STAFF)


def can_see_project(viewer: User, project: Project) -> bool:
    """Return whether ``viewer`` may see ``project``: an entrant only their own."""
    return viewer.role is not Role.ENTRANT or viewer.project_id == project.id


def ensure_own_project(viewer: User, project: Project) -> None:
    """Refuse (PermissionDenied) an entrant seeing or acting for a project not theirs."""
    if not can_see_project(viewer, project):
        raise PermissionDenied()


def ensure_own_institution(viewer: User, institution: Institution) -> None:
    """Refuse (PermissionDenied) an investor acting for an institution not theirs."""
    if viewer.role is Role.INVESTOR and viewer.institution_id != institution.id:
        raise PermissionDenied()


def sees_contacts(viewer: User, row: Project | Institution) -> bool:
    """Return whether ``viewer`` sees the contact details of ``row``: organisers, staff, and the
    party the registration belongs to."""
    if viewer.role in STAFF_SIDE:
        return True
    own = viewer.project_id if isinstance(row, Project) else viewer.institution_id
    return own == row.id


def sees_ids(viewer: User) -> bool:
    """Return whether ``viewer`` sees lead persons' id numbers whole: organisers alone (everyone
    else, the entrant included, sees them masked)."""
    return viewer.role is Role.ORGANISER


def own_project(viewer: User) -> Project | None:
    """Return the project an entrant is bound to (None for every other role)."""
    return viewer.project if viewer.role is Role.ENTRANT else None


def own_institution(viewer: User) -> Institution | None:
    """Return the institution an investor is bound to (None for every other role)."""
    return viewer.institution if viewer.role is Role.INVESTOR else None


def ensure_sessions_kept(
    viewer: User, row: Project | Institution, sessions: list[str] | None
) -> None:
    """Sessions are the organisers' invitations: a party may edit its registration, not move it
    (PermissionDenied when ``sessions`` differs from the registration's)."""
    if viewer.role is Role.ORGANISER or sessions is None:
        return
    if set(sessions) != {session.code for session in row.sessions}:
        raise PermissionDenied("auth.sessions_by_organisers")


def ensure_manages_accounts(viewer: User | None) -> None:
    """Refuse (PermissionDenied) anyone but an organiser inviting people, sending links or
    disabling accounts (``None``: the command line, run by whoever runs the server)."""
    if viewer is not None and viewer.role is not Role.ORGANISER:
        raise PermissionDenied()


def edits_locked_fields(viewer: User) -> bool:
    """Return whether ``viewer`` may change registration fields the event locked: organisers."""
    return viewer.role is Role.ORGANISER


def may_read_attachments(viewer: User, project: Project) -> bool:
    """Return whether ``viewer`` may list and download ``project``'s files: organisers and
    staff, the project's own team, and the investors of its event."""
    if viewer.role in STAFF_SIDE:
        return True
    if viewer.role is Role.ENTRANT:
        return viewer.project_id == project.id
    if viewer.role is Role.INVESTOR:
        return viewer.institution is not None and viewer.institution.event_id == project.event_id
    return False


def ensure_manages_attachments(viewer: User, project: Project) -> None:
    """Refuse (PermissionDenied) anyone but organisers and the project's own team adding or
    deleting its files."""
    if viewer.role is not Role.ORGANISER and not (
        viewer.role is Role.ENTRANT and viewer.project_id == project.id
    ):
        raise PermissionDenied()
