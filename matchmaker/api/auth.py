"""Who is asking: bearer tokens for the API, a signed session cookie for pages; role checks."""

from __future__ import annotations

from collections.abc import Callable
from copy import deepcopy
from functools import wraps
from typing import Any, TypeVar

from flask import current_app, g, request, session

from matchmaker.api.context import db
from matchmaker.db.models import User
from matchmaker.domain import Role
from matchmaker.errors import AuthenticationRequired, PermissionDenied
from matchmaker.services.registry.accounts import user_for_token, user_for_web_session
from matchmaker.services.registry.scopes import limit_session

F = TypeVar("F", bound=Callable[..., Any])
ALL_ROLES = tuple(Role)
BEARER = [{"bearerAuth": []}]


def current_user() -> User | None:
    """Return the signed-in user, or None. A bad bearer token is an error, not anonymity."""
    if "user" in g:
        return g.user
    user: User | None = None
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise AuthenticationRequired("auth.bad_token")
        user = user_for_token(db(), value.strip())
        if db().dirty:  # keep last_used_at (a commit when it moved, not a round trip each time)
            db().commit()
    elif not request.path.startswith("/api/") and isinstance(session.get("sign_in"), str):
        # Cookies sign in pages only; the API takes bearer tokens, so no CSRF path into it. The
        # cookie's token must still be on record: signing out deletes it (a replay is refused).
        lifetime = current_app.permanent_session_lifetime
        user = user_for_web_session(db(), session["sign_in"], lifetime)
    if user is not None:
        limit_session(db(), user)  # a scoped organiser's queries see only its events
    g.user = user
    return user


def require(*roles: Role) -> Callable[[F], F]:
    """Allow the view only to signed-in users with one of ``roles`` (all roles when empty).

    The OpenAPI document says so: 401 always, 403 when only some roles may call the view.
    """
    allowed = roles or ALL_ROLES

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            user = current_user()
            if user is None:
                raise AuthenticationRequired()
            if user.role not in allowed:
                raise PermissionDenied()
            return view(*args, **kwargs)

        errors = {401: "UNAUTHORIZED"} | ({403: "FORBIDDEN"} if set(allowed) != set(Role) else {})
        document_errors(wrapper, errors)
        return wrapper  # type: ignore[return-value]

    return decorate


def document_errors(view: Callable[..., Any], errors: dict[int, str]) -> None:
    """Add error responses (status → flask-smorest response name) to ``view``'s API document."""
    doc = deepcopy(getattr(view, "_apidoc", {}))  # the wrapped view's doc stays as it was
    responses = doc.setdefault("response", {}).setdefault("responses", {})
    for status, name in errors.items():
        responses.setdefault(status, []).append(name)
    view._apidoc = doc  # type: ignore[attr-defined]


def user() -> User:
    """Return the signed-in user inside a ``require``-guarded view."""
    found = current_user()
    assert found is not None  # guarded by require()
    return found
