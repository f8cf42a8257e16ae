"""Server-rendered pages: sign-in, event overview, project and institution lists, import."""

from __future__ import annotations

from collections import Counter
from functools import wraps
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from sqlalchemy import select
from werkzeug.exceptions import RequestEntityTooLarge

from matchmaker.api.auth import current_user
from matchmaker.api.extensions import db
from matchmaker.api.i18n import lang, t
from matchmaker.api.resources.common import download
from matchmaker.api.security import check_csrf as _check_csrf
from matchmaker.api.security import cookie_secure
from matchmaker.api.security import csrf_token as _csrf_token
from matchmaker.db.models import Event, Institution, Project
from matchmaker.domain import (
    Group,
    InstitutionType,
    Need,
    Role,
    Stage,
    Track,
    Verdict,
    format_yuan,
    local_minute,
)
from matchmaker.errors import (
    AuthenticationRequired,
    ImportRejected,
    InvalidInput,
    MatchmakerError,
    NotFound,
    TooLarge,
)
from matchmaker.messages import size_text
from matchmaker.services import catalog, jobs, names
from matchmaker.services.accounts import authenticate, end_web_sessions, start_web_session
from matchmaker.services.bookings import booking_offers
from matchmaker.services.catalog import Page
from matchmaker.services.duplicates import event_duplicates
from matchmaker.services.events import event_for, get_event
from matchmaker.services.matching import ShortlistQuery, record_verdict
from matchmaker.services.registrations import KINDS, export_registrations, import_registrations

bp = Blueprint("pages", __name__)
EVENT_COOKIE = "event"  # an organiser's or staff member's chosen event, remembered for pages
CHOOSERS = (Role.ORGANISER, Role.STAFF)  # parties belong to one event: nothing to choose


@bp.app_context_processor
def _globals() -> dict[str, Any]:
    return {
        "user": _safe_user(),
        "csrf_token": _csrf_token,
        "Track": Track,
        "Stage": Stage,
        "Group": Group,
        "InstitutionType": InstitutionType,
        "Need": Need,
        "Role": Role,
        "yuan": _yuan,
        "here": here,
        "event_choice": event_choice,
        "local_minute": local_minute,
    }


def page_event() -> Event:
    """Return the event this page shows (the service decides: see ``events.event_for``).

    A party's is their own. For organisers and staff ``event`` in the query or form wins and
    becomes their remembered choice, so the links of the page they land on follow it; else the
    remembered choice; else the only event, or the most recent of several.
    """
    if "page_event" not in g:
        me = _safe_user()
        assert me is not None  # guarded by signed_in()
        code = _asked_event()
        g.page_event = event_for(db(), me, code, request.cookies.get(EVENT_COOKIE), latest=True)
        if code and me.role in CHOOSERS:
            g.remember_event = g.page_event.code
    event: Event = g.page_event
    return event


def _asked_event() -> str | None:
    """The event code the query, else the posted form, names (an oversized form: none)."""
    try:
        return request.values.get("event") or None
    except RequestEntityTooLarge:  # the view says so beside its form; the header still shows
        return request.args.get("event") or None


def event_choice() -> dict[str, Any] | None:
    """The header's event selector: every event and the one pages show (organisers, staff)."""
    me = _safe_user()
    if me is None or me.role not in CHOOSERS:
        return None
    try:
        chosen = page_event()
    except MatchmakerError:  # an unknown ?event= (this is its error page): the remembered one
        try:
            chosen = event_for(db(), me, None, request.cookies.get(EVENT_COOKIE), latest=True)
        except MatchmakerError:  # no event at all yet
            return None
    events = db().scalars(select(Event).order_by(Event.year.desc(), Event.code)).all()
    return {"events": events, "chosen": chosen, "next": _without_event(here())}


def _without_event(target: str) -> str:
    """``target`` without the query arguments that belong to one event (its code, a session,
    a page number), so that going back after choosing another event shows the new one."""
    parts = urlsplit(target)
    kept = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k not in ("event", "session", "page")
    ]
    return parts.path + (f"?{urlencode(kept)}" if kept else "")


@bp.after_app_request
def _remember_event(response: Response) -> Response:
    if g.get("remember_event") and request.cookies.get(EVENT_COOKIE) != g.remember_event:
        _set_event_cookie(response, g.remember_event)
    return response


def _set_event_cookie(response: Response, code: str) -> None:
    response.set_cookie(
        EVENT_COOKIE,
        code,
        max_age=365 * 86400,
        samesite="Lax",
        httponly=True,
        secure=cookie_secure(),
    )


def here() -> str:
    """Return this page's path with its query, and no bare "?" when it has none."""
    return request.full_path if request.query_string else request.path


def _safe_user() -> Any:
    try:
        return current_user()
    except AuthenticationRequired:
        return None


def _yuan(value: int | None) -> str:
    return format_yuan(value, lang())


def signed_in(*roles: Role) -> Any:
    """Page guard: send anonymous visitors to sign in; show 403 to the wrong role."""

    def decorate(view: Any) -> Any:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            user = _safe_user()
            if user is None:
                return redirect(url_for("pages.login", next=here()))
            if roles and user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorate


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    """Sign in with user name and password."""
    error = None
    if request.method == "POST":
        _check_csrf()
        try:
            user = authenticate(
                db(), request.form.get("username", ""), request.form.get("password", "")
            )
        except AuthenticationRequired as exc:
            error = exc.message(lang())
        else:
            session.clear()
            session["sign_in"] = start_web_session(db(), user)
            db().commit()
            return redirect(_safe_next(request.args.get("next")))
    status = 401 if error else 200
    hint = current_app.config.get("MATCHMAKER_DEMO_HINT", False)
    return render_template("login.html", error=error, demo_hint=hint), status


@bp.post("/logout")
def logout() -> Response:
    """Sign out."""
    _check_csrf()
    token = session.get("sign_in")
    if isinstance(token, str):
        end_web_sessions(db(), token, current_app.permanent_session_lifetime)
        db().commit()
    session.clear()
    return redirect(url_for("pages.login"))


@bp.get("/lang/<code>")
def switch_language(code: str) -> Response:
    """Remember the chosen language in a cookie and go back."""
    response = redirect(_safe_next(request.args.get("next")))
    if code in ("zh", "en"):
        response.set_cookie(
            "lang",
            code,
            max_age=365 * 86400,
            samesite="Lax",
            httponly=True,
            secure=cookie_secure(),
        )
    return response


@bp.get("/event")
@signed_in(*CHOOSERS)
def choose_event() -> Response:
    """Remember the event chosen in the header and go back to the page (now showing it)."""
    found = get_event(db(), request.args.get("event", ""))
    response = redirect(_without_event(_safe_next(request.args.get("next"))))
    _set_event_cookie(response, found.code)
    return response


def _safe_next(target: str | None) -> str:
    # Only same-site paths: an open redirect would let a link send users elsewhere.
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and not urlsplit(target).netloc
    ):
        return target
    return url_for("pages.home")


@bp.get("/")
@signed_in()
def home() -> str:
    """The event at a glance: sessions, and registrations by track and type."""
    try:
        events = [page_event()]
    except NotFound:  # no event yet (an unknown ?event= is still the 404 it is)
        if _asked_event():
            raise
        events = []
    overview = []
    for event in events:
        tracks = Counter(db().scalars(select(Project.track).where(Project.event_id == event.id)))
        types = Counter(
            db().scalars(select(Institution.type).where(Institution.event_id == event.id))
        )
        overview.append(
            {
                "event": event,
                "tracks": tracks,
                "types": types,
                "projects": sum(tracks.values()),
                "institutions": sum(types.values()),
            }
        )
    return render_template("home.html", overview=overview)


@bp.get("/projects")
@signed_in(Role.ORGANISER, Role.STAFF, Role.INVESTOR)
def projects() -> str:
    """Browse projects with filters."""
    filters = _filters(("track", Track), ("stage", Stage), ("group", Group))
    filters.update(_text_filters("session", "q", "region"))
    page = catalog.list_projects(
        db(), event=page_event().code, page=_page(), page_size=30, **filters
    )
    return render_template("projects.html", page=page, filters=request.args)


@bp.get("/projects/<code>")
@signed_in()
def project(code: str) -> str:
    """One project."""
    item = catalog.get_project(db(), code, *_event_of_code())
    user = _safe_user()
    if user.role is Role.ENTRANT and user.project_id != item.id:
        abort(403)
    show_contact = user.role in (Role.ORGANISER, Role.STAFF) or user.project_id == item.id
    history = names.renames(db(), user, item.event_id, item)
    return render_template("project.html", p=item, show_contact=show_contact, renames=history)


@bp.get("/institutions")
@signed_in()
def institutions() -> str:
    """Browse institutions with filters."""
    filters = _filters(("type", InstitutionType), ("stage", Stage))
    filters.update(_text_filters("session", "q"))
    page = catalog.list_institutions(
        db(), event=page_event().code, page=_page(), page_size=30, **filters
    )
    return render_template("institutions.html", page=page, filters=request.args)


@bp.get("/institutions/<code>")
@signed_in()
def institution(code: str) -> str:
    """One institution."""
    item = catalog.get_institution(db(), code, *_event_of_code())
    user = _safe_user()
    show_contact = user.role in (Role.ORGANISER, Role.STAFF) or user.institution_id == item.id
    history = names.renames(db(), user, item.event_id, item)
    return render_template("institution.html", i=item, show_contact=show_contact, renames=history)


def _event_of_code() -> tuple[str | None, int | None]:
    """How a page finds a registration by its id: in the event named by ``?event=`` (a party's
    own), else the one registration with that id, the page's event breaking a tie between
    events that reuse ids."""
    me = _safe_user()
    if _asked_event() or (me is not None and me.role not in CHOOSERS):
        return page_event().code, None
    return None, page_event().id


def _matcher() -> Any:
    return current_app.extensions["matchmaker.matcher"]


def _subject(model: Any, bound_id: int | None, param: str, title: str) -> Any:
    """Return the page's subject: the user's own record, the one in ``?param=``, or a chooser."""
    if bound_id is not None:
        return db().get_one(model, bound_id)
    code = request.args.get(param) or None
    if code:
        return (
            catalog.get_institution(db(), code, *_event_of_code())
            if model is Institution
            else catalog.get_project(db(), code, *_event_of_code())
        )
    event_id = page_event().id
    choices = (
        db().scalars(select(model).where(model.event_id == event_id).order_by(model.code)).all()
    )
    return render_template("choose.html", choices=choices, param=param, title=title)


@bp.get("/shortlist")
@signed_in(Role.ORGANISER, Role.STAFF, Role.INVESTOR)
def shortlist_page() -> Any:
    """An institution's ranked projects with reasons and like/pass."""
    user = _safe_user()
    bound = user.institution_id if user.role is Role.INVESTOR else None
    institution = _subject(Institution, bound, "institution", t("ui.choose_institution"))
    if not isinstance(institution, Institution):
        return institution  # the chooser page
    filters = _filters(("track", Track), ("stage", Stage))
    filters.update(_text_filters("session", "region"))
    query = ShortlistQuery(
        k=20,
        page=_page(),
        diversity=0.3 if request.args.get("diverse") else 0.0,
        include_passed=bool(request.args.get("passed")),
        **{k: getattr(v, "value", v) for k, v in filters.items()},
    )
    event = db().get_one(Event, institution.event_id)
    items, total = _matcher().shortlist(db(), event, institution, query)
    db().commit()
    pager = Page(items, total, query.page, query.k)
    return render_template(
        "shortlist.html",
        event=event,
        institution=institution,
        items=items,
        page=pager,
        filters=request.args,
        offers=booking_offers(institution.sessions, "projects"),  # (bookable, every session over)
    )


@bp.post("/shortlist/feedback")
@signed_in(Role.ORGANISER, Role.INVESTOR)
def shortlist_feedback() -> Any:
    """Record like/pass from the shortlist page and go back to it."""
    _check_csrf()
    user = _safe_user()
    institution = catalog.get_institution(
        db(), request.form.get("institution", ""), *_event_of_code()
    )
    if user.role is Role.INVESTOR and user.institution_id != institution.id:
        abort(403)
    try:
        verdict = Verdict.parse(request.form.get("verdict", ""))
    except ValueError:
        abort(400)
    project = catalog.get_project(db(), request.form.get("project", ""), *_event_of_code())
    if project.event_id != institution.event_id:
        abort(404)
    record_verdict(db(), institution, project, verdict, user.id)
    db().commit()
    return redirect(_safe_next(request.form.get("next")))


@bp.get("/recommendations")
@signed_in(Role.ORGANISER, Role.STAFF, Role.ENTRANT)
def recommendations_page() -> Any:
    """A project's best-fitting institutions with reasons."""
    user = _safe_user()
    bound = user.project_id if user.role is Role.ENTRANT else None
    project = _subject(Project, bound, "project", t("ui.choose_project"))
    if not isinstance(project, Project):
        return project  # the chooser page
    kind = _filters(("type", InstitutionType))
    query = ShortlistQuery(k=20, page=_page(), type=kind["type"].value if kind else None)
    event = db().get_one(Event, project.event_id)
    items, total = _matcher().recommend(db(), event, project, query)
    db().commit()
    pager = Page(items, total, query.page, query.k)
    return render_template(
        "recommendations.html",
        event=event,
        project=project,
        items=items,
        page=pager,
        filters=request.args,
        offers=booking_offers(project.sessions, "institutions"),  # (bookable, every session over)
    )


@bp.get("/duplicates")
@signed_in(Role.ORGANISER, Role.STAFF)
def duplicates_page() -> Any:
    """Registrations that look like one project entered twice or copied."""
    event = page_event()
    pairs = event_duplicates(db(), event, _matcher())
    db().commit()
    titles = dict(
        db().execute(select(Project.code, Project.name).where(Project.event_id == event.id)).all()
    )
    history = names.renames(db(), _safe_user(), event.id)
    return render_template(
        "duplicates.html", event=event, pairs=pairs, names=titles, renames=history
    )


@bp.route("/import", methods=["GET", "POST"])
@signed_in(Role.ORGANISER)
def import_page() -> Any:
    """Upload a registration sheet; every problem is listed and nothing is written on error."""
    report, rejected, kind, queued = None, None, "projects", None
    status = 200
    if request.method == "POST":
        try:
            name, data = uploaded_file()
            kind = request.form.get("kind", "projects")
            if kind not in KINDS:
                abort(400)
            event = page_event()
            report = import_registrations(db(), event, kind, data, name, actor=current_user())
            event_id, signed_in = event.id, current_user().id
            db().commit()
            queued = jobs.rebuild_after_import(
                current_app.extensions["matchmaker.session_factory"],
                current_app.extensions["matchmaker.jobs"],
                event_id,
                signed_in,
            )
        except (ImportRejected, InvalidInput, NotFound) as exc:
            db().rollback()
            rejected = exc
        status = (413 if isinstance(rejected, TooLarge) else 422) if rejected else 200
    events = db().scalars(select(Event).order_by(Event.code)).all()
    chosen = event_choice()
    return render_template(
        "import.html",
        report=report,
        rejected=rejected,
        kind=kind,
        events=events,
        chosen=chosen["chosen"] if chosen else None,
        queued=queued,
    ), status


def uploaded_file() -> tuple[str, bytes]:
    """Check the upload form's CSRF token; return the uploaded file's name and bytes.

    Raises :class:`TooLarge` when the body is over the limit (the form is then never read, so
    the page can say so beside its form) and ``ui.no_file`` when no file was chosen.
    """
    try:
        _check_csrf()
        upload = request.files.get("file")
    except RequestEntityTooLarge:
        limit = size_text(current_app.config.get("MAX_CONTENT_LENGTH") or 0)
        raise TooLarge(limit=limit) from None
    if upload is None or not upload.filename:
        raise InvalidInput("ui.no_file")
    return upload.filename, upload.read()


@bp.get("/export/<kind>.<fmt>")
@signed_in(Role.ORGANISER, Role.STAFF)
def export(kind: str, fmt: str) -> Response:
    """Download projects or institutions as CSV or XLSX."""
    if kind not in KINDS or fmt not in ("csv", "xlsx"):
        abort(404)
    event = page_event()
    data = export_registrations(db(), event, kind, fmt, lang())
    return download(data, fmt, f"{event.code}-{kind}")


def _page() -> int:
    try:
        return max(1, min(int(request.args.get("page", 1)), 100_000))
    except ValueError:
        return 1


def _filters(*specs: tuple[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, vocab in specs:
        value = request.args.get(name)
        if value:
            try:
                out[name] = vocab.parse(value)
            except ValueError:
                continue  # a hand-edited URL: ignore the unknown filter
    return out


def _text_filters(*names: str) -> dict[str, str]:
    return {n: request.args[n][:200] for n in names if request.args.get(n)}
