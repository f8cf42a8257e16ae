"""Helpers the resources share: page envelopes and per-viewer presentation."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from flask_smorest import Blueprint
from sqlalchemy import select

from matchmaker.api.auth import sees_contacts_of_institution, sees_contacts_of_project
from matchmaker.api.context import TYPES, db
from matchmaker.api.schemas.common import ErrorSchema
from matchmaker.db.models import Event, Institution, Project, User
from matchmaker.services.registry.catalog import Page


def envelope(page: Page[Any]) -> dict[str, Any]:
    """Return a page as ``{items, meta}``."""
    return {
        "items": page.items,
        "meta": {
            "total": page.total,
            "page": page.page,
            "page_size": page.page_size,
            "pages": page.pages,
        },
    }


def event_code(viewer: User, code: str | None) -> str | None:
    """The event a registration id is looked up in: the one named, else a party's own (an id
    reused by another event is then no ambiguity to them), else None (the id must be unique)."""
    if code:
        return code
    bound = viewer.institution or viewer.project
    return db().get_one(Event, bound.event_id).code if bound is not None else None


def present(rows: Iterable[Project | Institution], viewer: User) -> None:
    """Attach what the schemas show per viewer: the event code, and whether contacts are shown."""
    rows = list(rows)
    codes = {row.id: row.code for row in db().execute(select(Event.id, Event.code))} if rows else {}
    for row in rows:
        row.event_code = codes.get(row.event_id)  # type: ignore[union-attr]
        if isinstance(row, Project):
            row.show_contact = sees_contacts_of_project(viewer, row.id)  # type: ignore[attr-defined]
        else:
            row.show_contact = sees_contacts_of_institution(viewer, row.id)  # type: ignore[attr-defined]


def present_user(user: User) -> User:
    """Attach the registration ids a user is bound to."""
    user.institution_code = (  # type: ignore[attr-defined]
        db().get(Institution, user.institution_id).code if user.institution_id else None
    )
    user.project_code = (  # type: ignore[attr-defined]
        db().get(Project, user.project_id).code if user.project_id else None
    )
    return user


F = TypeVar("F", bound=Callable[..., Any])


def format_parameter(*fmts: str) -> list[dict[str, Any]]:
    """Document a route's ``<fmt>`` (``agenda.<fmt>``): one of ``fmts``."""
    return [{"in": "path", "name": "fmt", "schema": {"type": "string", "enum": list(fmts)}}]


def file_response(blp: Blueprint, *fmts: str) -> Callable[[F], F]:
    """Document a view's 200 as a file download in one of ``fmts`` (each with its media type)."""

    def decorate(view: F) -> F:
        for fmt in fmts:
            view = blp.alt_response(
                200,
                success=True,
                content_type=TYPES[fmt].split(";")[0],
                schema={"type": "string", "format": "binary"},
                description="the file, as an attachment",
            )(view)
        return view

    return decorate


def rate_limited(blp: Blueprint) -> Callable[[F], F]:
    """Document the 429 that :mod:`matchmaker.api.limits` answers on a view, with Retry-After."""
    retry = {"description": "seconds to wait", "schema": {"type": "integer"}}
    decorator: Callable[[F], F] = blp.alt_response(
        429,
        schema=ErrorSchema,
        description="Too Many Requests",
        headers={"Retry-After": retry},
    )
    return decorator
