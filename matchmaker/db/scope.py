"""Where a session keeps the events its user may see, and how a shared build reads past it.

``services/registry/scopes.py`` marks a scoped organiser's session (``SCOPE_KEY``) and limits
every query through it. A matching state is built once per process and shared by every user,
so it must not depend on who happened to trigger the build: :func:`lifted` reads it unlimited.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

SCOPE_KEY = "matchmaker.event_scope"  # Session.info key: the event ids this session may see


@contextmanager
def lifted(db: Session) -> Iterator[None]:
    """Run the block with the session's event scope lifted, and put it back after."""
    kept = db.info.pop(SCOPE_KEY, None)
    try:
        yield
    finally:
        if kept is not None:
            db.info[SCOPE_KEY] = kept
