"""Sending right after a change: a commit that wrote notices wakes a sender.

The session factory is watched: a flush that adds a :class:`Notice` marks the session, and its
commit kicks — an RQ job on the worker when Redis is configured (the composition root hands in
``enqueue``), else one background thread per process that runs one send at a time. The thread
lets a kick settle (``SETTLE`` seconds) before it sends, so the kicks of a burst (a booking rush:
dozens of commits a second) fold into one send rather than one send each; kicks that arrive while
it runs fold into one more run. Cron's ``matchmaker notifications send`` remains
the safety net: a kick lost in a crash only delays a notice until the next run.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from matchmaker.config import Settings
from matchmaker.db.models import Notice

__all__ = ["Kicker"]

log = logging.getLogger(__name__)

_MARK = "matchmaker.notices_written"
SETTLE = 0.25  # seconds a kick waits for more before the send (a notice is late by this much)


class Kicker:
    """Starts a send after each commit that wrote notices (see the module's note)."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        settings: Settings,
        enqueue: Callable[[], None] | None = None,
        settle: float = SETTLE,
    ) -> None:
        self.factory = factory
        self.settings = settings
        self.enqueue = enqueue
        self.settle = settle
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.runs = 0  # finished sends in the background thread (tests wait on it)
        self.idle = threading.Event()
        self.idle.set()

    def watch(self) -> Kicker:
        """Listen to the factory's sessions; return self."""
        event.listen(self.factory, "after_flush", self._flushed)
        event.listen(self.factory, "after_commit", self._committed)
        event.listen(self.factory, "after_rollback", self._rolled_back)
        return self

    def _flushed(self, session: Session, _context: Any) -> None:
        if any(isinstance(obj, Notice) for obj in session.new):
            session.info[_MARK] = True

    def _committed(self, session: Session) -> None:
        if session.info.pop(_MARK, False):
            self.kick()

    def _rolled_back(self, session: Session) -> None:
        session.info.pop(_MARK, None)

    def kick(self) -> None:
        """Send soon: queue a job on the worker, or wake this process's sender thread."""
        if self.enqueue is not None:
            try:
                self.enqueue()
            except Exception as exc:  # noqa: BLE001 - Redis down: cron's run sends them
                log.warning("could not queue a notification send: %s", exc)
            return
        with self._lock:
            self.idle.clear()
            self._wake.set()
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._loop, name="notification-sender", daemon=True
                )
                self._thread.start()

    def _loop(self) -> None:
        from matchmaker.services.notifications.sender import BATCH, send_due

        while True:
            self._wake.wait()
            time.sleep(self.settle)  # the rest of a burst's kicks join this send
            with self._lock:
                self._wake.clear()
            try:
                while True:  # a full batch may have left more behind
                    report = send_due(self.factory, self.settings)
                    if report.sent + report.retrying + report.failed < BATCH:
                        break
            except Exception:  # a thread's edge: log it, the next kick or cron tries again
                log.exception("background notification send failed")
            self.runs += 1
            with self._lock:
                if not self._wake.is_set():
                    self.idle.set()
