"""Assertions the test modules share."""

from __future__ import annotations

from typing import Any

ERROR_KEYS = {"code", "status", "message", "errors"}


def assert_error(response: Any, status: int) -> dict[str, Any]:
    """Assert the one error shape with ``status``; return the body."""
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == ERROR_KEYS and body["code"] == status
    assert isinstance(body["errors"], list) and body["message"]
    return body
