"""The OpenAPI document's shared parts: the error shape and the errors every operation may
return.

The document is checked against the running service by ``tests/test_api_fuzz.py`` (schemathesis):
every response must match what is written here, errors included.
"""

from __future__ import annotations

from typing import Any

from apispec import BasePlugin
from flask_smorest import Api

from matchmaker.api.schemas.common import MAX_ROW_ID, ErrorSchema

#: Request fields that name a record; an unknown one is a 404.
REFERENCES = frozenset(
    {
        "event",
        "session",
        "project",
        "institution",
        "project_id",
        "institution_id",
        "meeting_id",
        "intent_id",
    }
)
WRITES = frozenset({"post", "put", "patch", "delete"})
AUTH_PREFIX = "/api/v1/auth/"


class MatchmakerApi(Api):  # type: ignore[misc]  # flask-smorest ships no type hints
    """flask-smorest's Api with the service's own error shape in the document."""

    ERROR_SCHEMA = ErrorSchema


def row_id_parameter(_converter: Any) -> dict[str, Any]:
    """Document an ``<int:…>`` path parameter: every one is a row id (INTEGER key; a larger one
    is refused by :mod:`matchmaker.api.guards`)."""
    return {"type": "integer", "minimum": 1, "maximum": MAX_ROW_ID}


class ErrorResponses(BasePlugin):  # type: ignore[misc]
    """Document the errors an operation can return, from what the operation takes.

    401 and 403 come from :func:`matchmaker.api.auth.require`; this adds the rest: 422 when the
    operation takes any argument (a bad one, or text no column can store, see
    :mod:`matchmaker.api.guards`), 400 for a malformed JSON body, 413 for a body over
    ``MAX_CONTENT_LENGTH``, 415 for a body of another media type, 404 when the operation names
    a record (a path parameter, or a reference such as ``event`` or ``project_id`` in the query
    or body) and 409 on writes (duplicates, stale versions, taken slots) other than signing in
    and out, which change no shared record. The 429 of rate-limited views is documented on
    them (``resources.common.rate_limited``).
    """

    def __init__(self) -> None:
        super().__init__()
        self.spec: Any = None

    def init_spec(self, spec: Any) -> None:
        super().init_spec(spec)
        self.spec = spec

    def operation_helper(
        self, path: str | None = None, operations: dict[str, Any] | None = None, **_: Any
    ) -> None:
        for method, operation in (operations or {}).items():
            if method in WRITES | {"get"}:
                responses = operation.setdefault("responses", {})
                listed = {str(code) for code in responses}
                for code, name in self._errors(path or "", method, operation):
                    if str(code) not in listed:
                        responses[code] = name

    def _errors(self, path: str, method: str, operation: dict[str, Any]) -> list[tuple[int, str]]:
        body = operation.get("requestBody", {}).get("content", {})
        errors = []
        if body or operation.get("parameters") or "{" in path:
            errors.append((422, "UNPROCESSABLE_ENTITY"))  # bad arguments, text no column stores
        if body:
            errors.append((413, "REQUEST_ENTITY_TOO_LARGE"))
            errors.append((415, "UNSUPPORTED_MEDIA_TYPE"))  # a body not of the declared type
        if "application/json" in body:
            errors.append((400, "BAD_REQUEST"))
        if "{" in path or self._names_a_record(operation):
            errors.append((404, "NOT_FOUND"))
        if method in WRITES and not path.startswith(AUTH_PREFIX):
            errors.append((409, "CONFLICT"))
        return errors

    def _names_a_record(self, operation: dict[str, Any]) -> bool:
        names = {p.get("name") for p in operation.get("parameters", []) if isinstance(p, dict)}
        for content in operation.get("requestBody", {}).get("content", {}).values():
            names |= set(self._properties(content.get("schema", {})))
        return bool(names & REFERENCES)

    def _properties(self, schema: dict[str, Any]) -> dict[str, Any]:
        """Return the top-level properties of a request body schema (inline or a reference)."""
        if "$ref" in schema:
            schema = self.spec.components.schemas.get(schema["$ref"].rsplit("/", 1)[-1], {})
        return schema.get("properties", {})
