"""The organiser's notification log (/notifications/log): every delivery, filterable and
exportable, failures marked with a retry button, and a test-send button per channel."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask import session as web_session

from matchmaker.api.context import db, download, session_factory
from matchmaker.api.i18n import lang, t
from matchmaker.api.pages.common import (
    check_csrf,
    hidden_404,
    notice,
    page_event,
    signed_in,
    signed_in_user,
)
from matchmaker.config import Settings
from matchmaker.domain import Channel, NoticeKind, Role
from matchmaker.errors import MatchmakerError
from matchmaker.services.notifications import deliveries
from matchmaker.services.notifications.channels import configured_channels
from matchmaker.services.notifications.trial import send_test
from matchmaker.services.registry.paging import MAX_PAGE_SIZE

bp = Blueprint("notification_log_pages", __name__)
STAFF = (Role.ORGANISER, Role.STAFF)


def _settings() -> Settings:
    """The notification settings of this app (its config carries them)."""
    return Settings().with_config(current_app.config)


def _filters() -> deliveries.DeliveryFilters:
    """The log's filters from the query; the event is the page's (chosen in the header)."""
    args = {**request.args.to_dict(), "event": page_event().code}
    try:
        return deliveries.DeliveryFilters.read(args)
    except MatchmakerError:  # a hand-edited URL: show the whole log rather than an error
        return deliveries.DeliveryFilters(event=args["event"])


def _kick() -> None:
    kicker = current_app.extensions.get("matchmaker.notice_kicker")
    if kicker is not None:
        kicker.kick()


@bp.get("/notifications/log")
@signed_in(*STAFF)
def log_page() -> str:
    """Deliveries newest first; failures stand out; test sends per configured channel."""
    filters = _filters()
    try:
        number = max(1, int(request.args.get("page", "1")))
    except ValueError:
        number = 1
    page = deliveries.list_deliveries(db(), filters, number, min(50, MAX_PAGE_SIZE))
    rows = deliveries.delivery_rows(db(), page.items, lang())
    return render_template(
        "notification_log.html",
        event=page_event(),
        page=page,
        rows=rows,
        filters=filters,
        kinds=list(NoticeKind),
        channels=list(Channel),
        statuses=deliveries.STATUSES,
        configured=configured_channels(_settings()),
        me=signed_in_user(),
        notice=web_session.pop("notice", None),
    )


@bp.get("/notifications/log.<fmt>")
@signed_in(*STAFF)
def log_export(fmt: str) -> Response:
    """The filtered log as CSV or XLSX."""
    if fmt not in ("csv", "xlsx"):
        abort(404)
    filters = _filters()
    content = deliveries.export_deliveries(db(), filters, fmt, lang())
    return download(content, fmt, f"{filters.event}-notifications")


@bp.post("/notifications/log/<int:delivery_id>/retry")
@signed_in(*STAFF)
def log_retry(delivery_id: int) -> Response:
    """Queue a failed delivery again (at the person's current address) and send soon."""
    check_csrf()
    try:
        delivery = deliveries.retry_delivery(db(), _settings(), delivery_id)
        address = delivery.address
        db().commit()
    except MatchmakerError as exc:
        hidden_404(exc)
        db().rollback()
        notice("error", exc.message(lang()))
    else:
        _kick()
        notice("ok", t("notify.log.retried", address=address))
    return redirect(url_for(".log_page", **_kept()), 303)


@bp.post("/notifications/log/test")
@signed_in(*STAFF)
def log_test() -> Response:
    """Send the signed-in organiser a test message through one channel, now."""
    check_csrf()
    channel = request.form.get("channel", "")[:20]
    address = request.form.get("to", "")[:200]
    me = signed_in_user()
    db().rollback()  # the test send writes through its own sessions
    try:
        result = send_test(session_factory(), _settings(), me.id, channel, address)
    except MatchmakerError as exc:
        notice("error", exc.message(lang()), [p.line(lang(), named=True) for p in exc.problems])
    else:
        label = Channel(result.channel).label(lang())
        if result.ok:
            notice("ok", t("notify.send.ok", channel=label, address=result.address))
        else:
            said = {"channel": label, "address": result.address, "error": result.error}
            notice("error", t("notify.send.failed", **said))
    return redirect(url_for(".log_page"), 303)


def _kept() -> dict[str, Any]:
    """The filters the form came from, to land back on the same view."""
    return {k: v for k, v in request.form.items() if k in ("kind", "channel", "status", "person")}
