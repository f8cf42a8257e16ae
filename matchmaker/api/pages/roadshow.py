"""Roadshow pages: the pitch order on an investor's phone with a "感兴趣" tap per project, and
the organiser's page to draw, verify and publish the order and turn interest into meetings."""

from __future__ import annotations

import re
import uuid
from typing import Any

from flask import Blueprint, Response, abort, redirect, render_template, request, session, url_for

from matchmaker.api.context import booking_rules, db
from matchmaker.api.i18n import lang, t
from matchmaker.api.pages.common import (
    check_csrf,
    notice,
    page_event,
    run_action,
    signed_in,
    signed_in_user,
)
from matchmaker.db.models import MatchmakingSession
from matchmaker.db.types import utcnow
from matchmaker.domain import LOCAL_TZ, Role
from matchmaker.errors import InvalidInput, Problem
from matchmaker.services.agendas.roadshow import (
    current_draw,
    draws_of,
    ensure_roadshow,
    interested_in,
    make_draw,
    pitches,
    publish_draw,
    tap,
    verify_draw,
)
from matchmaker.services.agendas.roadshow_followup import (
    apply_interest,
    interest_pairs,
    later_sessions,
)
from matchmaker.services.registry.events import find_session, get_session

bp = Blueprint("roadshow_pages", __name__)


@bp.get("/sessions/<session_code>/roadshow")
@signed_in()
def watch(session_code: str) -> str:
    """The pitch order with times, the project pitching now marked, a tap per project."""
    found = _roadshow(session_code)
    me = signed_in_user()
    draw = current_draw(db(), found)
    shown = draw is not None and (draw.published_at is not None or me.role == Role.ORGANISER)
    names = {p.code: p.name for p in found.projects}
    rows = pitches(found, draw, names) if draw is not None and shown else []
    can_tap = me.role == Role.INVESTOR and me.institution_id in {i.id for i in found.institutions}
    return render_template(
        "roadshow.html",
        session_=found,
        rows=rows,
        now=utcnow(),
        mine=interested_in(db(), found, me) if can_tap else {},
        can_tap=can_tap,
        new_key=lambda: uuid.uuid4().hex,
        notice=session.pop("notice", None),
    )


@bp.post("/sessions/<session_code>/roadshow")
@signed_in(Role.INVESTOR)
def tap_interest(session_code: str) -> Response:
    """Mark or unmark a project interesting (a tap sent twice under one client_key counts once)."""
    check_csrf()
    found = _roadshow(session_code)
    code = request.form.get("project", "")
    wanted = request.form.get("interested", "1") == "1"
    key = request.form.get("client_key", "")
    now_on = run_action(lambda: tap(db(), signed_in_user(), found, code, wanted, key))
    if now_on is not None:
        name = next((p.name for p in found.projects if p.code == code), code)
        notice(
            "ok", t("ui.roadshow_tapped_on" if now_on else "ui.roadshow_tapped_off", project=name)
        )
    target = url_for("roadshow_pages.watch", session_code=session_code, _anchor=f"p-{code}")
    return redirect(target, 303)


@bp.get("/sessions/<session_code>/roadshow/manage")
@signed_in(Role.ORGANISER, Role.STAFF)
def manage(session_code: str) -> str:
    """The draws (each re-checked from its seed), publishing, and the interest per pair."""
    found = _roadshow(session_code)
    draw = current_draw(db(), found)
    names = {p.code: p.name for p in found.projects}
    return render_template(
        "roadshow_manage.html",
        session_=found,
        draws=draws_of(db(), found),
        draw=draw,
        check=verify_draw(db(), found) if draw is not None else None,
        rows=pitches(found, draw, names) if draw is not None else [],
        pairs=interest_pairs(db(), found),
        targets=later_sessions(found),
        tz=LOCAL_TZ,
        notice=session.pop("notice", None),
    )


@bp.post("/sessions/<session_code>/roadshow/manage")
@signed_in(Role.ORGANISER)
def manage_action(session_code: str) -> Response:
    """Draw (optionally with a seed and minutes per pitch), publish, or apply interest."""
    check_csrf()
    found = _roadshow(session_code)
    me = signed_in_user()
    action = request.form.get("action", "")
    if action == "draw":

        def draw() -> Any:
            seed = _whole(request.form.get("seed", ""), "seed", "roadshow.bad_seed")
            minutes = _whole(
                request.form.get("pitch_minutes", ""), "pitch_minutes", "roadshow.bad_minutes"
            )
            return make_draw(db(), found, me, seed, minutes)

        made = run_action(draw)
        if made is not None:
            notice("ok", t("ui.roadshow_drawn", number=made.number, seed=made.seed))
    elif action == "publish":
        if run_action(lambda: publish_draw(db(), found, me)) is not None:
            notice("ok", t("ui.roadshow_published"))
    elif action in ("bonus", "request"):
        chosen = request.form.getlist("pair")
        target = find_session(found.event, request.form.get("target", ""))
        if target is None:
            abort(404)

        def apply() -> Any:
            pairs = chosen or None  # nothing ticked: every pair with interest
            return apply_interest(db(), booking_rules(), me, found, target, action, pairs, lang())

        outcomes = run_action(apply)
        if outcomes is not None:
            skipped = [o for o in outcomes if not o.done]
            details = [
                t(
                    "ui.roadshow_skipped",
                    institution=o.institution,
                    project=o.project,
                    reason=o.reason,
                )
                for o in skipped
            ]
            done = len(outcomes) - len(skipped)
            notice("ok", t("ui.roadshow_applied", done=done, skipped=len(skipped)), details)
    else:
        abort(400)
    return redirect(url_for("roadshow_pages.manage", session_code=session_code), 303)


def _roadshow(code: str) -> MatchmakingSession:
    found = get_session(db(), page_event().code, code)
    ensure_roadshow(found)
    return found


def _whole(raw: str, column: str, code: str) -> int | None:
    """A number field of the draw form: empty is None; else a whole number, or the form is
    refused naming the field and what was typed."""
    raw = raw.strip()
    if not raw:
        return None
    if not re.fullmatch(r"\d{1,19}", raw):
        raise InvalidInput("roadshow.invalid", [Problem(code, column=column, value=raw)], count=1)
    return int(raw)
