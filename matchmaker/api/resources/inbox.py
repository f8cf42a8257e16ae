"""A person's own notices and notification settings: list, mark read, choose channels.

Every signed-in role has a list; nobody sees or marks another person's notice (404, as if it
did not exist).
"""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from matchmaker.api.auth import BEARER, require, user
from matchmaker.api.context import db
from matchmaker.api.resources.common import envelope
from matchmaker.api.schemas.inbox import (
    NoticeOut,
    NoticePage,
    NoticeQuery,
    ReadAllOut,
    SettingsIn,
    SettingsOut,
)
from matchmaker.db.models import Notice, NotificationSettings
from matchmaker.services.notifications.inbox import mark_all_read, mark_read, notice_page
from matchmaker.services.notifications.outbox import unread_count
from matchmaker.services.notifications.preferences import settings_of, update_settings

blp = Blueprint(
    "inbox",
    __name__,
    url_prefix="/api/v1",
    description="Your notices (通知), newest first, and where else they reach you",
)


@blp.route("/notifications")
class Notices(MethodView):
    @blp.doc(security=BEARER)
    @require()
    @blp.arguments(NoticeQuery, location="query")
    @blp.response(200, NoticePage)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Your notices, newest first, in your language; ``unread=true`` for the unread only."""
        me = user()
        page = notice_page(
            db(), me, unread_only=args["unread"], page=args["page"], page_size=args["page_size"]
        )
        return {**envelope(page), "unread": unread_count(db(), me)}


@blp.route("/notifications/<int:notice_id>/read")
class Read(MethodView):
    @blp.doc(security=BEARER)
    @require()
    @blp.response(200, NoticeOut)
    def post(self, notice_id: int) -> Notice:
        """Mark one of your notices read (it stays read; another person's is 404)."""
        found = mark_read(db(), user(), notice_id)
        db().commit()
        return found


@blp.route("/notifications/read-all")
class ReadAll(MethodView):
    @blp.doc(security=BEARER)
    @require()
    @blp.response(200, ReadAllOut)
    def post(self) -> dict[str, int]:
        """Mark all your notices read."""
        marked = mark_all_read(db(), user())
        db().commit()
        return {"marked": marked, "unread": 0}


@blp.route("/notifications/settings")
class Settings(MethodView):
    @blp.doc(security=BEARER)
    @require()
    @blp.response(200, SettingsOut)
    def get(self) -> NotificationSettings:
        """Your channels, addresses (empty: your party's contact), quiet hours, muted kinds."""
        return settings_of(db(), user())

    @blp.doc(security=BEARER)
    @require()
    @blp.arguments(SettingsIn)
    @blp.response(200, SettingsOut)
    def put(self, data: dict[str, Any]) -> NotificationSettings:
        """Change your settings: fields left out keep their value; 422 names each bad field and
        changes nothing."""
        saved = update_settings(db(), user(), data)
        db().commit()
        return saved
