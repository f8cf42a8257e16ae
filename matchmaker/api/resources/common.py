"""What the resources share: page envelopes, a registration id's event, file and 429 docs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask_smorest import Blueprint

from matchmaker.api.context import TYPES, db
from matchmaker.api.schemas.common import ErrorSchema
from matchmaker.db.models import User
from matchmaker.services.registry.events import event_code_for
from matchmaker.services.registry.paging import Page


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
    """The event a registration id is looked up in (see ``events.event_code_for``)."""
    return event_code_for(db(), viewer, code)


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
