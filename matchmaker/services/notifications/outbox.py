"""The outbox: notices written in the transaction of the change that causes them.

A service that changes someone's day calls :func:`notify` before its caller commits; a change
that is rolled back takes its notices with it, so nothing is ever sent about a change that did
not happen. Nothing here sends anything: a sender picks up the notices after the commit.

Folding: a notice given a ``fold_key`` takes the items of a later notice with the same person
and key while it has not been dispatched (fanned out to its channels), so a burst of changes to
one person's meetings becomes one message listing them all. The notice's row is locked while
items are added, and a sender dispatches a notice under the same lock, so an item is either in
the message that goes out or in a new notice, never lost between the two.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from matchmaker.db.models import Institution, Notice, Project, User
from matchmaker.domain import NoticeKind

__all__ = ["new_key", "notify", "notify_each", "party_users", "unread_count"]


def new_key() -> str:
    """Return a fresh idempotency key (the e-mail Message-ID's left part, the webhook header)."""
    return uuid.uuid4().hex


def party_users(
    db: Session,
    projects: Iterable[Project | int] = (),
    institutions: Iterable[Institution | int] = (),
) -> list[User]:
    """Return the active accounts that speak for these projects and institutions."""
    project_ids = {p if isinstance(p, int) else p.id for p in projects}
    institution_ids = {i if isinstance(i, int) else i.id for i in institutions}
    if not project_ids and not institution_ids:
        return []
    clauses = []
    if project_ids:
        clauses.append(User.project_id.in_(project_ids))
    if institution_ids:
        clauses.append(User.institution_id.in_(institution_ids))
    query = select(User).where(User.active.is_(True), or_(*clauses)).order_by(User.id)
    return list(db.scalars(query))


def notify(
    db: Session,
    users: Iterable[User],
    kind: NoticeKind,
    params: Mapping[str, Any] | None = None,
    *,
    event_id: int | None,
    items: Sequence[Mapping[str, Any]] = (),
    fold_key: str | None = None,
    key: str | None = None,
) -> list[Notice]:
    """Write one notice of ``kind`` to each of ``users`` in the caller's transaction.

    ``params`` fill the kind's sentences (JSON values only: names, ``HH:MM`` times, labels);
    ``items`` are its lines, each a mapping with a ``what`` naming its sentence. With a
    ``fold_key``, a person's undispatched notice of the same kind and key takes the items
    instead of a new notice being written. ``key`` (for one user only) makes the notice's
    idempotency key deterministic, so writing the same notice twice is refused by the database
    rather than sent twice (reminders use it); None draws a fresh one.
    """
    written: list[Notice] = []
    plain_params = dict(params or {})
    plain_items = [dict(item) for item in items]
    for user in users:
        if fold_key is not None:
            open_notice = _foldable(db, user, kind, fold_key)
            if open_notice is not None:
                open_notice.items = [*open_notice.items, *plain_items]
                open_notice.params = {**open_notice.params, **plain_params}
                written.append(open_notice)
                continue
        notice = Notice(
            event_id=event_id,
            user_id=user.id,
            kind=kind.value,
            key=key if key is not None else new_key(),
            fold_key=fold_key,
            params=plain_params,
            items=plain_items,
        )
        db.add(notice)
        written.append(notice)
    db.flush()
    return written


Letter = tuple[User, Mapping[str, Any], Sequence[Mapping[str, Any]]]


def notify_each(
    db: Session,
    kind: NoticeKind,
    letters: Iterable[Letter],
    *,
    event_id: int | None,
    fold_key: str | None = None,
) -> list[Notice]:
    """Write one notice of ``kind`` per ``(user, params, items)`` letter, each person their own
    (an agenda: every party its own day), in one flush.

    Folding is :func:`notify`'s, looked up for all the letters' people in one query rather than
    one per person, so publishing a session of hundreds of parties costs a handful of queries.
    """
    letters = list(letters)
    open_notices: dict[int, Notice] = {}
    if fold_key is not None:
        people = sorted({user.id for user, _p, _i in letters})
        for start in range(0, len(people), 500):  # bound the IN list
            ids = people[start : start + 500]
            query = (
                select(Notice)
                .where(
                    Notice.user_id.in_(ids),
                    Notice.kind == kind.value,
                    Notice.fold_key == fold_key,
                    Notice.dispatched_at.is_(None),
                )
                .order_by(Notice.id)
                .with_for_update()
            )
            open_notices.update({n.user_id: n for n in db.scalars(query)})  # newest wins
    written: dict[int, Notice] = {}  # id(notice) → notice: each once, in order
    fresh: list[Notice] = []
    for user, params, items in letters:
        plain_items = [dict(item) for item in items]
        found = open_notices.get(user.id)
        if found is not None:
            found.items = [*found.items, *plain_items]
            found.params = {**found.params, **params}
            written[id(found)] = found
            continue
        notice = Notice(
            event_id=event_id,
            user_id=user.id,
            kind=kind.value,
            key=new_key(),
            fold_key=fold_key,
            params=dict(params),
            items=plain_items,
        )
        written[id(notice)] = notice
        fresh.append(notice)
        if fold_key is not None:
            open_notices[user.id] = notice  # a second letter to the same person folds in
    db.add_all(fresh)
    db.flush()
    return list(written.values())


def unread_count(db: Session, user: User) -> int:
    """Return how many of ``user``'s notices are unread (the badge on every page)."""
    query = select(func.count(Notice.id)).where(Notice.user_id == user.id, Notice.read_at.is_(None))
    return int(db.scalar(query) or 0)


def _foldable(db: Session, user: User, kind: NoticeKind, fold_key: str) -> Notice | None:
    query = (
        select(Notice)
        .where(
            Notice.user_id == user.id,
            Notice.kind == kind.value,
            Notice.fold_key == fold_key,
            Notice.dispatched_at.is_(None),
        )
        .order_by(Notice.id.desc())
        .limit(1)
        .with_for_update()
    )
    return db.scalars(query).first()
