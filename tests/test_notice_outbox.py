"""The notifications outbox (#16): notices are written in the transaction of the change that
causes them (a rolled-back change leaves none), a burst for one person folds into one notice
until it is dispatched, and a notice renders in the person's language with nothing in it able
to become markup."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from matchmaker.db.engine import transaction
from matchmaker.db.models import Notice, User
from matchmaker.domain import NoticeKind
from matchmaker.services.notifications.outbox import notify, party_users, unread_count
from matchmaker.services.notifications.render import render_notice
from matchmaker.services.registry.catalog import get_institution, get_project


def user(db: Any, name: str) -> User:
    found = db.scalars(select(User).where(User.username == name)).one()
    assert isinstance(found, User)
    return found


def test_party_users_finds_the_accounts_of_a_project_and_an_institution(
    factory: Any, accounts: Any
) -> None:
    with transaction(factory) as db:
        project = get_project(db, "T-P001")
        institution = get_institution(db, "T-I01")
        names = [u.username for u in party_users(db, [project], [institution])]
        assert names == ["investor", "entrant"]
        user(db, "entrant").active = False
        assert [u.username for u in party_users(db, [project], [institution])] == ["investor"]
        assert party_users(db) == []


def test_a_rolled_back_change_leaves_no_notice(factory: Any, accounts: Any) -> None:
    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction(factory) as db:
        notify(db, [user(db, "investor")], NoticeKind.TEST, {"channel": "x"}, event_id=None)
        assert db.scalar(select(func.count(Notice.id))) == 1  # written, inside the transaction
        raise Boom
    with transaction(factory) as db:
        assert db.scalar(select(func.count(Notice.id))) == 0
        notify(db, [user(db, "investor")], NoticeKind.TEST, {"channel": "x"}, event_id=None)
    with transaction(factory) as db:
        assert db.scalar(select(func.count(Notice.id))) == 1
        assert unread_count(db, user(db, "investor")) == 1
        assert unread_count(db, user(db, "entrant")) == 0


def test_a_burst_folds_into_one_notice_until_it_is_dispatched(factory: Any, accounts: Any) -> None:
    kind = NoticeKind.MEETINGS_CHANGED
    with transaction(factory) as db:
        investor, entrant = user(db, "investor"), user(db, "entrant")
        for n in range(3):  # three separate changes, as a repair, a cancel, a late arrival
            notify(
                db,
                [investor, entrant],
                kind,
                event_id=None,
                items=[{"what": "line", "text": f"move {n}"}],
                fold_key="S1",
            )
    with transaction(factory) as db:
        notices = db.scalars(select(Notice).order_by(Notice.id)).all()
        assert len(notices) == 2  # one per person
        assert [i["text"] for i in notices[0].items] == ["move 0", "move 1", "move 2"]
        notices[0].dispatched_at = datetime.now(UTC)  # a sender fanned it out
    with transaction(factory) as db:
        notify(
            db,
            [user(db, "investor")],
            kind,
            event_id=None,
            items=[{"what": "line", "text": "late"}],
            fold_key="S1",
        )
    with transaction(factory) as db:
        mine = db.scalars(
            select(Notice).where(Notice.user_id == user(db, "investor").id).order_by(Notice.id)
        ).all()
        assert [[i["text"] for i in n.items] for n in mine] == [
            ["move 0", "move 1", "move 2"],
            ["late"],
        ]
        assert len({n.key for n in mine}) == 2


def test_a_notice_renders_in_either_language_and_escapes_names_in_html(
    factory: Any, accounts: Any
) -> None:
    with transaction(factory) as db:
        (notice,) = notify(
            db,
            [user(db, "investor")],
            NoticeKind.TEST,
            {"channel": "<b>邮件</b>"},
            event_id=None,
            items=[{"what": "line", "text": "<script>alert(1)</script>"}],
        )
        zh = render_notice(notice, "zh", footer=("退订：https://x/u",))
        en = render_notice(notice, "en")
    assert zh.subject == "测试消息：<b>邮件</b>"
    assert en.subject == "Test message: <b>邮件</b>"
    assert "<script>" in zh.text and "退订：https://x/u" in zh.text
    assert "<script>" not in zh.html and "&lt;script&gt;" in zh.html
    assert "<b>邮件</b>" not in zh.html


def test_unsubscribe_tokens_name_one_person_and_kind_and_cannot_be_forged() -> None:
    from matchmaker.services.notifications.links import (
        read_unsubscribe_token,
        unsubscribe_token,
    )

    token = unsubscribe_token("s3cret", 7, NoticeKind.REMINDER)
    assert read_unsubscribe_token("s3cret", token) == (7, NoticeKind.REMINDER)
    assert read_unsubscribe_token("other", token) is None
    assert read_unsubscribe_token("s3cret", token[:-2] + "xx") is None
    assert read_unsubscribe_token("s3cret", "garbage") is None
    with pytest.raises(ValueError):
        unsubscribe_token("s3cret", 7, NoticeKind.PASSWORD_RESET)
