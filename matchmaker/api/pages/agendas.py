"""Agenda pages: the organiser's session grid, booking, everyone's own day, printable agendas."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import Blueprint, Response, abort, redirect, render_template, request, session, url_for

from matchmaker.api.context import booking_rules, db, matcher, queue, session_factory
from matchmaker.api.context import download as attachment
from matchmaker.api.i18n import lang, t
from matchmaker.api.pages.common import (
    check_csrf,
    event_of_code,
    notice,
    page_event,
    run_action,
    signed_in,
    signed_in_user,
)
from matchmaker.db.models import Event, MatchmakingSession
from matchmaker.db.types import utcnow
from matchmaker.domain import JobKind, Role
from matchmaker.errors import MatchmakerError, NotFound
from matchmaker.services.agendas.bookings import (
    answer_request,
    free_slots,
    has_slot_to_come,
    own_requests,
    request_meeting,
    shared_sessions,
)
from matchmaker.services.agendas.build import (
    Outcome,
    build_agenda,
    ensure_not_over,
    get_meeting,
    options_of,
    publish_agenda,
    set_locked,
)
from matchmaker.services.agendas.options import (
    LIMIT_TOP,
    LIMITS,
    AgendaOptions,
    options_from_form,
)
from matchmaker.services.agendas.repair import arrives_late, cancel_meeting
from matchmaker.services.agendas.views import (
    by_time,
    counterpart,
    export_file,
    session_grid,
    visible_rows,
)
from matchmaker.services.notifications.broadcast import broadcast
from matchmaker.services.operations import jobs
from matchmaker.services.registry import catalog
from matchmaker.services.registry.events import get_session

bp = Blueprint("agenda_pages", __name__)


def _outcome_notice(outcome: Outcome) -> None:
    details = [d["message"] for d in outcome.diagnostics]
    details += [
        t(
            "ui.agenda_moved",
            institution=m["institution"],
            project=m["project"],
            frm=m["slot"],
            to=m["to_slot"],
        )
        for m in outcome.moved
    ]
    details += [
        t("ui.agenda_dropped", institution=m["institution"], project=m["project"], slot=m["slot"])
        for m in outcome.dropped
    ]
    details += [
        t("ui.agenda_added", institution=m["institution"], project=m["project"], slot=m["slot"])
        for m in outcome.added
    ]
    kind = "error" if outcome.status == "infeasible" else "ok"
    notice(kind, t(f"ui.agenda_status_{outcome.status}", meetings=outcome.meetings), details)


@bp.get("/sessions/<session_code>/agenda")
@signed_in(Role.ORGANISER, Role.STAFF)
def grid(session_code: str) -> str:
    """The session grid (tables × slots) with build, publish, lock and repair."""
    found = _session(session_code)
    latest = jobs.pending(db(), JobKind.AGENDA_BUILD, found.event, found)
    shown = session_grid(db(), found, lang())
    return render_template(
        "agenda_grid.html",
        grid=shown,
        options=options_of(shown.agenda) if shown.agenda else AgendaOptions(),
        limits=LIMITS,
        limit_top=LIMIT_TOP,
        notice=session.pop("notice", None),
        sessions=found.event.sessions,
        job=jobs.job_dict(latest, lang()) if latest else None,
        over=found.ends_at <= utcnow(),
    )


@bp.post("/sessions/<session_code>/agenda")
@signed_in(Role.ORGANISER)
def grid_action(session_code: str) -> Response:
    """Build, publish, lock/unlock, cancel, mark a late arrival or send a message to the
    session's parties, then show the grid again."""
    check_csrf()
    found = _session(session_code)
    action = request.form.get("action", "")
    me = signed_in_user()
    if action == "build" and queue().background:

        def queue_build() -> Any:
            options = options_from_form(request.form, request.form.get("fair") == "on")
            ensure_not_over(found)
            params = {k: v for k, v in asdict(options).items() if k != "time_limit"}
            job = jobs.start_job(
                db(),
                session_factory(),
                queue(),
                matcher(),
                JobKind.AGENDA_BUILD,
                found.event,
                found,
                params,
                me,
            )
            return jobs.job_dict(job, lang())

        job = run_action(queue_build)
        if job is not None:
            notice("ok", t("ui.agenda_job_queued", job=job["id"]))
    elif action == "build":

        def build() -> Any:
            options = options_from_form(request.form, request.form.get("fair") == "on")
            return build_agenda(db(), matcher(), found, options, me, lang())

        outcome = run_action(build)
        if outcome is not None:
            _outcome_notice(outcome)
    elif action == "publish":
        if run_action(lambda: publish_agenda(db(), matcher(), found, me)) is not None:
            notice("ok", t("ui.agenda_published"))
    elif action in ("lock", "unlock", "cancel"):
        try:
            meeting = get_meeting(db(), request.form.get("meeting", type=int) or 0)
        except NotFound:
            abort(404)
        if meeting.session_id != found.id:
            abort(404)
        if action == "cancel":
            outcome = run_action(lambda: cancel_meeting(db(), matcher(), meeting, me, lang()))
            if outcome is not None:
                _outcome_notice(outcome)
        else:
            run_action(lambda: set_locked(db(), meeting, action == "lock", me))
    elif action == "late":
        code = request.form.get("party", "").strip()
        first = request.form.get("first_slot", type=int) or 1

        def late() -> Any:
            party = _party(found.event, code)
            return arrives_late(db(), matcher(), found, party, first, me, lang())

        outcome = run_action(late)
        if outcome is not None:
            _outcome_notice(outcome)
    elif action == "broadcast":
        text = request.form.get("text", "")
        sent = run_action(lambda: broadcast(db(), me, found, text))
        if sent is not None:
            notice("ok", t("notice.broadcast.sent", session=found.name, count=sent))
    else:
        abort(400)
    return redirect(url_for("agenda_pages.grid", session_code=session_code))


@bp.get("/agenda")
@signed_in()
def my_agenda() -> str:
    """Your own day: meetings by session, requests to answer or withdraw, downloads."""
    me = signed_in_user()
    event = page_event()
    rows, _scope = visible_rows(db(), me, event, lang=lang())
    requests = own_requests(db(), me)
    coming, past = by_time(rows)
    return render_template(
        "agenda_mine.html",
        event=event,
        rows=coming,
        past=past,
        requests=requests,
        counterpart=lambda item: counterpart(me.role, item.institution, item.project),
        notice=session.pop("notice", None),
    )


@bp.post("/agenda/requests/<int:request_id>")
@signed_in(Role.ORGANISER, Role.INVESTOR, Role.ENTRANT)
def answer(request_id: int) -> Response:
    """Accept, decline or withdraw a request."""
    check_csrf()
    action = request.form.get("action", "")
    if action not in ("accept", "decline", "withdraw"):
        abort(400)
    me = signed_in_user()
    if run_action(lambda: answer_request(db(), me, request_id, action)) is not None:
        notice("ok", t(f"ui.request_{action}ed"))
    return redirect(url_for("agenda_pages.my_agenda"))


@bp.route("/book", methods=["GET", "POST"])
@signed_in(Role.ENTRANT, Role.INVESTOR, Role.ORGANISER)
def book() -> Any:
    """Pick a slot in which both sides are free and send the request (either side may ask)."""
    me = signed_in_user()
    project = me.project or catalog.get_project(
        db(), request.values.get("project", ""), *event_of_code()
    )
    institution = me.institution or catalog.get_institution(
        db(), request.values.get("institution", ""), *event_of_code()
    )
    if institution.event_id != project.event_id:
        abort(404)
    shared = shared_sessions(project, institution)
    now = utcnow()
    to_come = [s for s in shared if has_slot_to_come(s, now)]
    chosen = next(
        (s for s in shared if s.code == request.values.get("session")),
        # by default the first session still to come (a past one has no slot left to book)
        to_come[0] if to_come else (shared[0] if shared else None),
    )
    status = 200
    if request.method == "POST" and chosen is not None:
        check_csrf()
        failure: list[MatchmakerError] = []
        made = run_action(
            lambda: request_meeting(
                db(),
                booking_rules(),
                me,
                chosen,
                project,
                institution,
                request.form.get("slot", type=int),  # None when no slot was picked
                request.form.get("message", ""),
            ),
            failure,
        )
        if made is not None:
            other = counterpart(me.role, institution, project)
            if other is None:  # an organiser booking for both: name both
                text = t("ui.request_sent_for", project=project.name, institution=institution.name)
            else:
                text = t("ui.request_sent", counterpart=other.name)
            notice("ok", text)
            return redirect(url_for("agenda_pages.my_agenda"))
        status = failure[0].http_status if failure else 200
    slots = free_slots(db(), chosen, project, institution) if chosen else []
    db().commit()
    page = render_template(
        "agenda_book.html",
        project=project,
        institution=institution,
        counterpart=counterpart(me.role, institution, project),
        sessions=shared,
        chosen=chosen,
        slots=slots,
        over=chosen is not None and chosen.ends_at <= now,
        all_over=bool(shared) and not to_come,
        message=request.form.get("message", ""),  # kept when the form comes back refused
        notice=session.pop("notice", None),
    )
    return page, status


@bp.get("/agenda/print")
@signed_in()
def printable() -> str:
    """A printable agenda (paper is normal at venues with poor connectivity)."""
    event = page_event()
    me = signed_in_user()
    rows, scope = visible_rows(db(), me, event, lang=lang(), **_export_args())
    return render_template(
        "agenda_print.html",
        event=event,
        rows=rows,
        scope=scope,
        party=me.role in (Role.INVESTOR, Role.ENTRANT),  # they see the other party, not their own
        counterpart=lambda item: counterpart(me.role, item.institution, item.project),
    )


@bp.get("/agenda/export.<fmt>")
@signed_in()
def download(fmt: str) -> Response:
    """The same agenda as a file: ``xlsx``, ``csv`` or ``ics``."""
    event = page_event()
    content, name = export_file(db(), signed_in_user(), event.code, fmt, lang(), **_export_args())
    return attachment(content, fmt, name)


def _session(code: str) -> MatchmakingSession:
    event = page_event()
    return get_session(db(), event.code, code)


def _party(event: Event, code: str) -> Any:
    try:
        return catalog.get_project(db(), code, event.code)
    except MatchmakerError:
        return catalog.get_institution(db(), code, event.code)


def _export_args() -> dict[str, Any]:
    args: dict[str, Any] = {
        k: request.args[k] for k in ("session", "institution", "project") if request.args.get(k)
    }
    if request.args.get("table", type=int):
        args["table"] = request.args.get("table", type=int)
    return args
