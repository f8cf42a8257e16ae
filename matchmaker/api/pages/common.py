"""What every page shares: sign-in and the event chosen, CSRF, notices, paging and filters."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar
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
from werkzeug.exceptions import RequestEntityTooLarge

from matchmaker.api.auth import current_user
from matchmaker.api.context import db
from matchmaker.api.i18n import lang
from matchmaker.api.security import check_csrf, cookie_secure
from matchmaker.api.security import csrf_token as _csrf_token
from matchmaker.db.models import Event, User
from matchmaker.db.types import utcnow
from matchmaker.domain import (
    LOCAL_TZ,
    Need,
    Role,
    Stage,
    format_yuan,
    local_minute,
)
from matchmaker.errors import (
    AuthenticationRequired,
    InvalidInput,
    MatchmakerError,
    NotFound,
    PermissionDenied,
    TooLarge,
)
from matchmaker.messages import size_text
from matchmaker.services.agendas.day import Day, party_day
from matchmaker.services.agendas.views import counterpart
from matchmaker.services.registry.accounts import authenticate, end_web_sessions, start_web_session
from matchmaker.services.registry.catalog import overview
from matchmaker.services.registry.events import all_events, event_for, get_event
from matchmaker.services.registry.scopes import session_scope
from matchmaker.services.registry.signups import open_signup_events
from matchmaker.services.registry.vocabulary import (
    group_label,
    groups_of,
    institution_type_label,
    institution_types_of,
    track_label,
    vocabulary_of,
)
from matchmaker.vocabulary import Vocabulary

bp = Blueprint("pages", __name__)


EVENT_COOKIE = "event"  # an organiser's or staff member's chosen event, remembered for pages


CHOOSERS = (Role.ORGANISER, Role.STAFF)  # parties belong to one event: nothing to choose


@bp.app_context_processor
def _globals() -> dict[str, Any]:
    return {
        "user": safe_user(),
        "csrf_token": _csrf_token,
        "track_options": track_options,
        "track_name": track_name,
        "group_options": group_options,
        "group_name": group_name,
        "type_options": type_options,
        "type_name": type_name,
        "need_name": need_name,
        "Stage": Stage,
        "Need": Need,
        "Role": Role,
        "yuan": _yuan,
        "here": here,
        "event_choice": event_choice,
        "local_minute": local_minute,
        "rendered_at": rendered_at,
        "client_key": client_key,
    }


def rendered_at() -> str:
    """Return when this page was rendered (HH:MM, local time): a copy read offline says so."""
    return utcnow().astimezone(LOCAL_TZ).strftime("%H:%M")


def client_key() -> str:
    """Return a fresh key for a form a person may submit offline: a replay repeats it, so the
    server can tell the same action sent twice."""
    return uuid.uuid4().hex


def track_options(event: Event | None = None) -> Vocabulary:
    """Return the tracks of ``event`` (else of the page's event) for a filter's options."""
    return vocabulary_of(event if event is not None else page_event())


def track_name(row: Any) -> str:
    """Return the label of a project's track in its event's own vocabulary."""
    return track_label(db().get_one(Event, row.event_id), row.track, lang())


def group_options(event: Event | None = None) -> Vocabulary:
    """Return the groups of ``event`` (else of the page's event) for a filter's options."""
    return groups_of(event if event is not None else page_event())


def group_name(row: Any) -> str:
    """Return the label of a project's group in its event's own vocabulary ("" for none)."""
    return group_label(db().get_one(Event, row.event_id), row.group, lang())


def type_options(event: Event | None = None) -> Vocabulary:
    """Return the institution types of ``event`` (else of the page's event) for a filter's or
    a form's options."""
    return institution_types_of(event if event is not None else page_event())


def type_name(row: Any, type_key: str | None = None) -> str:
    """Return the label of an institution's type (or of ``type_key``, for a row of the same
    event that holds none, such as a sign-up) in its event's own vocabulary."""
    key = type_key if type_key is not None else row.type
    return institution_type_label(db().get_one(Event, row.event_id), key, lang())


def need_name(need: str) -> str:
    """Return a need's label; a need kept as the entrant wrote it, as written."""
    try:
        return Need(need).label(lang())
    except ValueError:
        return need


def page_event() -> Event:
    """Return the event this page shows (the service decides: see ``events.event_for``).

    A party's is their own. For organisers and staff ``event`` in the query or form wins and
    becomes their remembered choice, so the links of the page they land on follow it; else the
    remembered choice; else the only event, or the most recent of several.
    """
    if "page_event" not in g:
        me = safe_user()
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
    me = safe_user()
    if me is None or me.role not in CHOOSERS:
        return None
    try:
        chosen = page_event()
    except MatchmakerError:  # an unknown ?event= (this is its error page): the remembered one
        try:
            chosen = event_for(db(), me, None, request.cookies.get(EVENT_COOKIE), latest=True)
        except MatchmakerError:  # no event at all yet
            return None
    events = all_events(db(), newest_first=True)
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


def safe_user() -> Any:
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
            user = safe_user()
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
        check_csrf()
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
            return redirect(safe_next(request.args.get("next")))
    status = 401 if error else 200
    hint = current_app.config.get("MATCHMAKER_DEMO_HINT", False)
    page = render_template(
        "login.html", error=error, demo_hint=hint, signup_events=open_signup_events(db())
    )
    return page, status


@bp.post("/logout")
def logout() -> Response:
    """Sign out."""
    check_csrf()
    token = session.get("sign_in")
    if isinstance(token, str):
        end_web_sessions(db(), token, current_app.permanent_session_lifetime)
        db().commit()
    session.clear()
    return redirect(url_for("pages.login"))


@bp.get("/lang/<code>")
def switch_language(code: str) -> Response:
    """Remember the chosen language in a cookie and go back."""
    response = redirect(safe_next(request.args.get("next")))
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
    response = redirect(_without_event(safe_next(request.args.get("next"))))
    _set_event_cookie(response, found.code)
    return response


def safe_next(target: str | None) -> str:
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
    me = signed_in_user()
    day = party_day(db(), me, events[0], lang()) if events else Day()
    return render_template(
        "home.html",
        overview=[overview(db(), event) for event in events],
        day=day,
        counterpart=lambda row: counterpart(me.role, row.institution, row.project),
    )


@bp.get("/sw.js")
def service_worker() -> Response:
    """The service worker, from the site's root so that its scope is every page (it keeps a
    person's agenda, home page and badge readable offline); never cached stale."""
    script = Path(current_app.static_folder or "", "sw.js").read_bytes()  # small: no open file
    response = current_app.response_class(script, mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    return response


def event_of_code() -> tuple[str | None, int | None]:
    """How a page finds a registration by its id: in the event named by ``?event=`` (a party's
    own), else the one registration with that id, the page's event breaking a tie between
    events that reuse ids."""
    me = safe_user()
    if _asked_event() or (me is not None and me.role not in CHOOSERS):
        return page_event().code, None
    return None, page_event().id


def uploaded_file() -> tuple[str, bytes]:
    """Check the upload form's CSRF token; return the uploaded file's name and bytes.

    Raises :class:`TooLarge` when the body is over the limit (the form is then never read, so
    the page can say so beside its form) and ``ui.no_file`` when no file was chosen.
    """
    try:
        check_csrf()
        upload = request.files.get("file")
    except RequestEntityTooLarge:
        limit = size_text(current_app.config.get("MAX_CONTENT_LENGTH") or 0)
        raise TooLarge(limit=limit) from None
    if upload is None or not upload.filename:
        raise InvalidInput("ui.no_file")
    return upload.filename, upload.read()


def page_number() -> int:
    try:
        return max(1, min(int(request.args.get("page", 1)), 100_000))
    except ValueError:
        return 1


def vocab_filters(*specs: tuple[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, vocab in specs:
        value = request.args.get(name)
        if value:
            try:
                out[name] = vocab.parse(value)
            except ValueError:
                continue  # a hand-edited URL: ignore the unknown filter
    return out


def text_filters(*names: str) -> dict[str, str]:
    return {n: request.args[n][:200] for n in names if request.args.get(n)}


def signed_in_user() -> User:
    """Return the signed-in user of a page guarded by :func:`signed_in`."""
    user = current_user()
    assert user is not None  # guarded by signed_in()
    return user


def notice(kind: str, text: str, details: list[str] | None = None) -> None:
    """Show ``text`` (and its ``details``) once, on the next page this browser opens."""
    session["notice"] = {"kind": kind, "text": text, "details": details or []}


T = TypeVar("T")


def hidden_404(exc: MatchmakerError) -> None:
    """Re-raise a NotFound met by an account scoped to some events: another county's record
    is the 404 page on every route, never a notice beside a form (its existence stays hidden
    and the answer is the same whichever route asked)."""
    if isinstance(exc, NotFound) and session_scope(db()) is not None:
        raise exc


def run_action(action: Callable[[], T], failure: list[MatchmakerError] | None = None) -> T | None:
    """Run a page's action: commit on success and return its result; on a ``MatchmakerError``
    roll back, show the error's sentence as the next page's notice and return None.

    The error is also appended to ``failure`` when given, for a page that answers with its
    status. A refusal is not a failure to explain on the page: it is the 403 page, as on every
    route.
    """
    try:
        result = action()
    except PermissionDenied:
        raise
    except MatchmakerError as exc:
        hidden_404(exc)
        db().rollback()
        notice("error", exc.message(lang()), [p.line(lang(), named=True) for p in exc.problems])
        if failure is not None:
            failure.append(exc)
        return None
    db().commit()
    return result
