"""The organiser's broadcast (群发通知): one message to every account of a session's parties."""

from __future__ import annotations

from sqlalchemy.orm import Session

from matchmaker.db.models import MatchmakingSession, User
from matchmaker.domain import NoticeKind, Role
from matchmaker.errors import InvalidInput, PermissionDenied, Problem
from matchmaker.services.agendas.notices import session_params
from matchmaker.services.audit import record
from matchmaker.services.notifications.outbox import notify, party_users

__all__ = ["MAX_TEXT", "broadcast"]

MAX_TEXT = 1000  # characters: a message people read on a phone, not a newsletter


def broadcast(db: Session, actor: User | None, session: MatchmakingSession, text: str) -> int:
    """Write ``text`` as a ``broadcast`` notice to every active account of every project and
    institution of ``session`` (in the caller's transaction); return how many accounts.

    Organisers only (``PermissionDenied``; ``None`` is the command line, run by whoever runs the
    server); ``InvalidInput`` naming the field ``text`` when it is empty or longer than
    :data:`MAX_TEXT` characters, and then nothing is written.
    """
    if actor is not None and actor.role != Role.ORGANISER:
        raise PermissionDenied()
    text = (text or "").strip()
    if not text:
        raise InvalidInput(
            "notice.broadcast.refused", [Problem("notice.broadcast.empty", column="text")]
        )
    if len(text) > MAX_TEXT:
        problem = Problem(
            "notice.broadcast.too_long",
            column="text",
            value=text,
            params={"max": MAX_TEXT, "length": len(text)},
        )
        raise InvalidInput("notice.broadcast.refused", [problem])
    users = [
        u
        for u in party_users(db, projects=session.projects, institutions=session.institutions)
        if actor is None or u.id != actor.id
    ]
    notify(
        db,
        users,
        NoticeKind.BROADCAST,
        {**session_params(session), "text": text},
        event_id=session.event_id,
    )
    record(db, session, "broadcast", actor, after={"text": text, "accounts": len(users)})
    return len(users)
