"""Request guards: the body's content type, well-formed JSON, and no control characters.

They run before every view, so a hostile request is refused with a clear 4xx in the one error
shape, naming the field, before it reaches a view: otherwise a body sent as ``text/plain`` is
silently ignored (webargs reads JSON only from JSON requests), JSON nested 10,000 deep or
holding a 5,000-digit number ends in a 500, and a NUL in any text reaches PostgreSQL, which
refuses it with a 500 (SQLite stores it, and the XLSX export then fails), as does a number
beyond BIGINT (SQLite cannot even bind it).
"""

from __future__ import annotations

import json
from typing import Any, NoReturn

from flask import Flask, current_app, request
from werkzeug.exceptions import (
    BadRequest,
    HTTPException,
    RequestEntityTooLarge,
    UnprocessableEntity,
    UnsupportedMediaType,
)

from matchmaker.api.i18n import t
from matchmaker.text import control_char

MAX_JSON_DEPTH = 20  # the deepest real body (a portfolio's sectors) is four levels
MAX_INT = 2**63 - 1  # BIGINT; SQLite cannot even bind a larger Python int (a 500, not a 4xx)
MAX_ROW_ID = 2**31 - 1  # ids in paths are INTEGER keys; PostgreSQL refuses to compare past it
_BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
_UPLOAD_TYPES = {"multipart/form-data"}


def register_guards(app: Flask) -> None:
    """Check every request before its view runs."""

    @app.before_request
    def _guard() -> None:
        expected = _expected_locations()
        if request.method in _BODY_METHODS:
            _check_content_type(expected)
            if "json" in expected and request.is_json:
                _check_text("json", "", _json_body())
        _check_text("query", "", request.args.to_dict(flat=False))
        _check_text("path", "", request.view_args or {})
        _check_row_ids(request.view_args or {})
        if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            try:
                form = request.form.to_dict(flat=False)
            except RequestEntityTooLarge:
                return  # the view reports it, on the page the upload came from
            _check_text("form", "", form)


def _expected_locations() -> set[str]:
    """Where the view takes its arguments from (``json``, ``files``, ``query`` …)."""
    view = current_app.view_functions.get(request.endpoint or "")
    view_class = getattr(view, "view_class", None)
    handler = getattr(view_class, request.method.lower(), None) if view_class else view
    doc = getattr(handler, "_apidoc", {}) or {}
    return {p["in"] for p in doc.get("arguments", {}).get("parameters", [])}


def _check_content_type(expected: set[str]) -> None:
    got = request.mimetype or "—"
    if "files" in expected and request.mimetype not in _UPLOAD_TYPES:
        _refuse(UnsupportedMediaType, "headers", "Content-Type", "request.multipart_expected", got)
    if "json" in expected and not request.is_json and request.get_data(cache=True):
        _refuse(UnsupportedMediaType, "headers", "Content-Type", "request.json_expected", got)


def _json_body() -> Any:
    data = request.get_data(cache=True)
    if not data:
        return {}
    try:
        return json.loads(data, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        message = t("request.bad_json", line=exc.lineno, column=exc.colno)
    except UnicodeDecodeError:
        message = t("request.bad_json_text", detail="UTF-8")
    except RecursionError:
        message = t("request.json_too_deep", limit=MAX_JSON_DEPTH)
    except ValueError as exc:  # NaN, Infinity, or an integer of more than 4,300 digits
        detail = t("request.long_number") if "digits" in str(exc) else str(exc)[:20]
        message = t("request.bad_json_text", detail=detail)
    _refuse_message(BadRequest, "json", "", message)


def _no_constant(name: str) -> NoReturn:
    raise ValueError(name)  # NaN and Infinity are not JSON


def _check_text(location: str, path: str, value: Any) -> None:
    """Refuse the first text holding a control character; refuse JSON nested too deeply."""
    stack: list[tuple[str, Any, int]] = [(path, value, 0)]
    while stack:
        where, node, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            _refuse_message(
                BadRequest, location, where, t("request.json_too_deep", limit=MAX_JSON_DEPTH)
            )
        if isinstance(node, str):
            bad = control_char(node)
            if bad:
                message = t("request.control_char", char=bad)
                _refuse_message(UnprocessableEntity, location, where, message)
        elif isinstance(node, int) and not isinstance(node, bool) and abs(node) > MAX_INT:
            message = t("request.number_out_of_range", limit=MAX_INT)
            _refuse_message(UnprocessableEntity, location, where, message)
        elif isinstance(node, dict):
            for key, item in node.items():
                _check_key(location, where, key)
                name = f"{where}.{key}" if where else str(key)
                stack.append((name, item, depth + 1))
        elif isinstance(node, list):
            # a query or form field given once is a list of one: name it without an index
            many = len(node) > 1 or location == "json"
            for index, item in enumerate(node):
                name = f"{where}.{index}" if many else where
                stack.append((name, item, depth + (location == "json")))


def _check_row_ids(view_args: dict[str, Any]) -> None:
    """Refuse a row id in the path beyond INTEGER, naming it (the document says so too)."""
    for name, value in view_args.items():
        if isinstance(value, int) and value > MAX_ROW_ID:
            message = t("request.number_out_of_range", limit=MAX_ROW_ID)
            _refuse_message(UnprocessableEntity, "path", name, message)


def _check_key(location: str, where: str, key: Any) -> None:
    bad = control_char(str(key))
    if bad:
        _refuse_message(
            UnprocessableEntity, location, where or repr(key), t("request.control_char", char=bad)
        )


def _refuse(kind: type[HTTPException], location: str, field: str, code: str, got: str) -> NoReturn:
    _refuse_message(kind, location, field, t(code, got=got))


def _refuse_message(kind: type[HTTPException], location: str, field: str, message: str) -> NoReturn:
    """Raise ``kind`` carrying one problem in webargs' shape, which the error handler flattens."""
    error = kind()
    error.data = {"messages": {location: {field: [message]}}}  # type: ignore[attr-defined]
    raise error
