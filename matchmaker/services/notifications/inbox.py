"""A person's in-app notices (站内通知): their own list, newest first, and marking them read.

Nobody sees or marks another person's notice: asked for one, the answer is "no such notice"
(404), as for intents and tasks, so an id reveals nothing. A notice of an invitation or a
password reset is listed without its link: the one-time link went to the person's mailbox or
phone, and a list that anyone at an unlocked screen can read is no place to repeat it.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from matchmaker.db.models import Notice, User
from matchmaker.db.types import utcnow
from matchmaker.domain import NoticeKind
from matchmaker.errors import NotFound
from matchmaker.messages import Ref
from matchmaker.messages import render as say
from matchmaker.services.notifications.render import Rendered, render_notice
from matchmaker.services.registry.paging import Page, paginate

__all__ = ["get_notice", "mark_all_read", "mark_read", "notice_page", "shown"]

NO_LINK_KINDS = frozenset({NoticeKind.INVITATION.value, NoticeKind.PASSWORD_RESET.value})
# A web address, or a path to a one-time page, wherever it sits in a sentence.
_LINK = re.compile(r"(?:[a-z][a-z0-9+.-]*://|www\.|/(?:invite|reset|unsubscribe)/)\S+", re.I)


def notice_page(
    db: Session, viewer: User, *, unread_only: bool = False, page: int = 1, page_size: int = 20
) -> Page[Notice]:
    """Return one page of ``viewer``'s own notices, newest first (only unread ones if asked)."""
    query = select(Notice).where(Notice.user_id == viewer.id)
    if unread_only:
        query = query.where(Notice.read_at.is_(None))
    query = query.order_by(Notice.created_at.desc(), Notice.id.desc())
    return paginate(db, query, page, page_size)


def get_notice(db: Session, viewer: User, notice_id: int) -> Notice:
    """Return ``viewer``'s notice ``notice_id``; NotFound for another person's, as for none."""
    notice = db.get(Notice, notice_id)
    if notice is None or notice.user_id != viewer.id:
        raise NotFound(what=Ref("notify.inbox.what"), key=notice_id)
    return notice


def mark_read(db: Session, viewer: User, notice_id: int) -> Notice:
    """Mark ``viewer``'s notice read (again: it keeps the first time) and return it."""
    notice = get_notice(db, viewer, notice_id)
    if notice.read_at is None:
        notice.read_at = utcnow()
        db.flush()
    return notice


def mark_all_read(db: Session, viewer: User) -> int:
    """Mark every unread notice of ``viewer`` read; return how many there were."""
    done = db.execute(
        update(Notice)
        .where(Notice.user_id == viewer.id, Notice.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.expire_all()  # notices already loaded in this session show their new state
    return int(done.rowcount or 0)  # type: ignore[attr-defined]


def shown(notice: Notice, lang: str) -> Rendered:
    """Return ``notice`` as the in-app list shows it in ``lang``: without a link if it is an
    invitation or a password reset."""
    if notice.kind not in NO_LINK_KINDS:
        return render_notice(notice, lang)
    hidden = say("notify.inbox.link_hidden", lang)
    safe = Notice(
        kind=notice.kind,
        params={k: _unlinked(v, hidden) for k, v in (notice.params or {}).items()},
        items=[{k: _unlinked(v, hidden) for k, v in item.items()} for item in notice.items or ()],
    )
    rendered = render_notice(safe, lang)
    return Rendered(
        subject=_LINK.sub(hidden, rendered.subject),
        lines=tuple(_LINK.sub(hidden, line) for line in rendered.lines),
    )


def _unlinked(value: Any, hidden: str) -> Any:
    return _LINK.sub(hidden, value) if isinstance(value, str) else value
