"""A person's notices on pages: the unread badge in every page's header, the list (tap a
notice to mark it read, or mark them all), the settings form, and the one-click unsubscribe
page that a mail's link opens without signing in (RFC 8058's one-click POST included)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, g, redirect, render_template, request, session, url_for
from werkzeug.datastructures import MultiDict

from matchmaker.api.context import db
from matchmaker.api.i18n import lang, t
from matchmaker.api.pages.common import (
    notice,
    page_number,
    safe_next,
    safe_user,
    signed_in,
    signed_in_user,
)
from matchmaker.api.pages.ledger.base import FormErrors
from matchmaker.api.security import one_click
from matchmaker.db.models import NotificationSettings, User
from matchmaker.domain import MUTABLE_KINDS, Channel, NoticeKind
from matchmaker.errors import InvalidInput
from matchmaker.services.notifications.inbox import mark_all_read, mark_read, notice_page, shown
from matchmaker.services.notifications.links import read_unsubscribe_token
from matchmaker.services.notifications.outbox import unread_count
from matchmaker.services.notifications.preferences import (
    FIELDS,
    contact_of,
    mute,
    settings_of,
    update_settings,
)

bp = Blueprint("inbox_pages", __name__)
PAGE_SIZE = 20
# Settings of the server that switch a channel on; without them it sends nothing yet.
CONFIGURED_BY = {
    Channel.EMAIL: ("MATCHMAKER_SMTP_URL",),
    Channel.WEBHOOK: ("MATCHMAKER_WEBHOOK_URL",),
    Channel.SMS: ("MATCHMAKER_WEBHOOK_URL",),  # the webhook is the first SMS gateway
}


@bp.app_context_processor
def _badge() -> dict[str, Any]:
    return {"unread_notices": _unread_notices}


def _unread_notices() -> int:
    """The header's badge: the signed-in person's unread count (one COUNT on an index, once
    a request)."""
    if "unread_notices" not in g:
        me = safe_user()
        g.unread_notices = unread_count(db(), me) if me is not None else 0
    count: int = g.unread_notices
    return count


@bp.get("/notifications")
@signed_in()
def notifications() -> str:
    """Your notices, newest first, unread ones marked; ``?unread=1`` for the unread only."""
    me, unread_only = signed_in_user(), request.args.get("unread") == "1"
    page = notice_page(db(), me, unread_only=unread_only, page=page_number(), page_size=PAGE_SIZE)
    return render_template(
        "notifications.html",
        page=page,
        rows=[(n, shown(n, lang())) for n in page.items],
        unread_only=unread_only,
        unread=_unread_notices(),
        filters=request.args,
        notice=session.pop("notice", None),
    )


@bp.post("/notifications/<int:notice_id>/read")
@signed_in()
def read_one(notice_id: int) -> Any:
    """Mark one of your notices read and go back to the list (another person's: 404)."""
    mark_read(db(), signed_in_user(), notice_id)
    db().commit()
    back = safe_next(request.form.get("next") or url_for(".notifications"))
    return redirect(f"{back}#notice-{notice_id}")


@bp.post("/notifications/read-all")
@signed_in()
def read_all() -> Any:
    """Mark all your notices read."""
    count = mark_all_read(db(), signed_in_user())
    db().commit()
    notice("ok", t("notify.inbox.marked_all", count=count))
    return redirect(url_for(".notifications"))


@bp.route("/notifications/settings", methods=["GET", "POST"])
@signed_in()
def settings_page() -> Any:
    """Your channels, addresses, quiet hours and the kinds you receive; refused values are
    shown beside their fields and nothing is saved."""
    me, errors = signed_in_user(), FormErrors()
    current = settings_of(db(), me)
    posted: dict[str, Any] | None = None
    if request.method == "POST":
        posted = _read_form(request.form)
        try:
            update_settings(db(), me, posted)
        except InvalidInput as exc:
            db().rollback()
            errors.add(*exc.problems)
        else:
            db().commit()
            notice("ok", t("notify.prefs.saved"))
            return redirect(url_for(".settings_page"))
    return render_template(
        "notification_settings.html",
        values=posted if posted is not None else _shown_values(current),
        errors=errors.by_field,
        contact=contact_of(me),
        channels=[(c, _configured(c)) for c in Channel],
        mutable=[k for k in NoticeKind if k in MUTABLE_KINDS],
        notice=session.pop("notice", None),
    ), (422 if errors else 200)


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token: str) -> Any:
    """Turn off one kind of notice from a mail's link, signed in or not: the page says what
    will stop and asks; its button (or a mail client's one-click POST) turns it off."""
    found = read_unsubscribe_token(current_app.config["SECRET_KEY"], token)
    person = db().get(User, found[0]) if found is not None else None
    if found is None or person is None:
        return render_template("unsubscribe.html", state="bad"), 404
    kind = found[1]
    who = person.display_name or person.username
    if request.method == "GET":
        state = "already" if kind.value in settings_of(db(), person).muted else "ask"
        return render_template("unsubscribe.html", state=state, kind=kind, who=who)
    changed = mute(db(), person, kind)
    db().commit()
    if one_click():  # RFC 8058: a mail client posted, not a person: no page to show
        return {"status": "unsubscribed", "kind": kind.value}
    state = "done" if changed else "already"
    return render_template("unsubscribe.html", state=state, kind=kind, who=who)


def _read_form(form: MultiDict[str, str]) -> dict[str, Any]:
    """The settings form as the service takes it: ticked channels, and the kinds left unticked
    of those one may turn off (the form asks which to receive)."""
    received = set(form.getlist("receive"))
    values: dict[str, Any] = {name: form.get(name, "") for name in FIELDS}
    values["channels"] = form.getlist("channels")
    values["muted"] = [k.value for k in MUTABLE_KINDS if k.value not in received]
    return values


def _shown_values(current: NotificationSettings) -> dict[str, Any]:
    return {name: getattr(current, name) for name in FIELDS}


def _configured(channel: Channel) -> bool:
    return all(current_app.config.get(name) for name in CONFIGURED_BY[channel])
