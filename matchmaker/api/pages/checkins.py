"""The day's pages: a person's badge, staff check-in by scan or typing, the arrivals list,
printable badges and table signs, and the organiser's live view (routes on ``agenda_pages``)."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, redirect, render_template, request, session, url_for
from markupsafe import Markup

from matchmaker.api.context import app_secret, db
from matchmaker.api.i18n import lang, t
from matchmaker.api.pages.agendas import bp
from matchmaker.api.pages.common import (
    check_csrf,
    notice,
    page_event,
    signed_in,
    signed_in_user,
)
from matchmaker.db.models import MatchmakingSession
from matchmaker.db.types import utcnow
from matchmaker.domain import LOCAL_TZ, Role
from matchmaker.errors import MatchmakerError, PermissionDenied
from matchmaker.services.agendas.checkins import CheckInResult, arrivals, check_in
from matchmaker.services.agendas.live import arrival_dict, live_view
from matchmaker.services.agendas.seats import seats, table_label
from matchmaker.services.registry.badges import Badge, own_badge, session_badges
from matchmaker.services.registry.events import get_session

DAY_STAFF = (Role.ORGANISER, Role.STAFF)


@bp.app_context_processor
def _badge_helpers() -> dict[str, Any]:
    return {"own_badge": _own_badge, "qr": _qr}


def _own_badge() -> Badge | None:
    """The signed-in person's badge (``_badge_qr.html`` on /agenda), or None."""
    me = signed_in_user()
    return own_badge(db(), app_secret(), me)


def _qr(badge: Badge) -> Markup:
    return Markup(badge.svg)  # noqa: S704 - segno's own SVG of our code: no user markup in it


@bp.get("/badge")
@signed_in(Role.ENTRANT, Role.INVESTOR)
def badge() -> str:
    """Your own badge: name, project or institution, the QR code staff scan, your agenda."""
    found = _own_badge()
    assert found is not None  # entrants and investors are bound to a party
    return render_template("badge.html", badge=found)


def result_text(result: CheckInResult) -> str:
    """The sentence a scan shows: checked in now, or already at HH:MM."""
    when = result.at.strftime("%H:%M")
    if result.already:
        return t("checkin.already", name=result.name, time=when)
    return t("checkin.done", name=result.name, time=when)


def result_dict(result: CheckInResult) -> dict[str, Any]:
    """A scan's answer as JSON (the page's script and the API say the same)."""
    return {
        "kind": result.kind,
        "code": result.code,
        "name": result.name,
        "session": result.session,
        "at": result.at.isoformat(),
        "time": result.at.strftime("%H:%M"),
        "method": result.method,
        "already": result.already,
        "message": result_text(result),
    }


@bp.route("/checkin", methods=["GET", "POST"])
@signed_in(*DAY_STAFF)
def checkin() -> Any:
    """Check people in by scanning their badge with the phone's camera, or typing its code.

    The page's script posts the decoded code and reads JSON; without scripts the form posts
    and the page comes back with the answer as its notice.
    """
    event = page_event()
    chosen = request.values.get("session", "")
    if request.method == "POST":
        check_csrf()
        method = "scan" if request.form.get("method") == "scan" else "typed"
        wants_json = request.accept_mimetypes.best == "application/json"
        try:
            result = check_in(
                db(),
                app_secret(),
                event,
                request.form.get("code", ""),
                chosen or None,
                signed_in_user(),
                method,
            )
        except PermissionDenied:
            raise
        except MatchmakerError as exc:
            db().rollback()
            if wants_json:
                body = {"ok": False, "message": exc.message(lang())}
                return jsonify(body), exc.http_status
            notice("error", exc.message(lang()), [p.line(lang(), named=True) for p in exc.problems])
            return redirect(url_for("agenda_pages.checkin", session=chosen or None))
        db().commit()
        if wants_json:
            return jsonify({"ok": True, **result_dict(result)})
        notice("ok", result_text(result))
        return redirect(url_for("agenda_pages.checkin", session=chosen or None))
    found = _chosen_session(event.sessions, chosen)
    return render_template(
        "checkin.html",
        event=event,
        chosen=found,
        arrivals=arrivals(db(), found) if found else [],
        notice=session.pop("notice", None),
    )


def _chosen_session(sessions: list[MatchmakingSession], code: str) -> MatchmakingSession | None:
    """The session named, else today's under way or next, else the first to come, else the
    last."""
    named = next((s for s in sessions if s.code == code), None)
    if named is not None or not sessions:
        return named
    now = utcnow()
    coming = [s for s in sessions if s.ends_at > now]
    return coming[0] if coming else sessions[-1]


@bp.get("/sessions/<session_code>/arrivals")
@signed_in(*DAY_STAFF)
def arrivals_json(session_code: str) -> Response:
    """Who has arrived for the session (the check-in page refreshes its list from this)."""
    found = get_session(db(), page_event().code, session_code)
    shown = arrivals(db(), found)
    return jsonify(
        {
            "session": found.code,
            "expected": len(shown),
            "checked_in": sum(1 for a in shown if a.at is not None),
            "arrivals": [arrival_dict(a) for a in shown],
        }
    )


@bp.get("/sessions/<session_code>/badges")
@signed_in(*DAY_STAFF)
def badges_print(session_code: str) -> str:
    """Every badge of the session on A4 sheets, to print and cut."""
    found = get_session(db(), page_event().code, session_code)
    return render_template(
        "badges_print.html", session=found, badges=session_badges(app_secret(), found)
    )


@bp.get("/sessions/<session_code>/table-signs")
@signed_in(*DAY_STAFF)
def table_signs(session_code: str) -> str:
    """A sign for every table of the session, in numeric order, with who sits there."""
    found = get_session(db(), page_event().code, session_code)
    seated = {table.id: i for i, table in seats(db(), found).items()}
    names = {i.id: i.name for i in found.institutions}
    signs = [
        {"label": table_label(table, lang()), "institution": names.get(seated.get(table.id, -1))}
        for table in sorted(found.tables, key=lambda t: t.number)
    ]
    return render_template("table_signs.html", session=found, signs=signs)


@bp.get("/sessions/<session_code>/live")
@signed_in(*DAY_STAFF)
def live(session_code: str) -> str:
    """The session as it happens; the page refreshes its figures every few seconds."""
    found = get_session(db(), page_event().code, session_code)
    return render_template("live.html", view=live_view(db(), found, lang()), tz=LOCAL_TZ)


@bp.get("/sessions/<session_code>/live.json")
@signed_in(*DAY_STAFF)
def live_json(session_code: str) -> Response:
    """The live view's figures as JSON."""
    found = get_session(db(), page_event().code, session_code)
    return jsonify(live_view(db(), found, lang()).to_dict())
