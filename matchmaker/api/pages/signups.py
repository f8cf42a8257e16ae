"""Investors' sign-up pages, on the registry's blueprint: the event's public 对接服务报名 form
(anyone, while the organisers keep it open) and the organiser's /signups page (open or close
it; approve or reject each application)."""

from __future__ import annotations

from typing import Any

from flask import abort, redirect, render_template, request, session, url_for
from werkzeug.datastructures import MultiDict

from matchmaker.api.context import db
from matchmaker.api.i18n import lang, t
from matchmaker.api.pages.common import (
    check_csrf,
    notice,
    page_event,
    run_action,
    signed_in,
    signed_in_user,
)
from matchmaker.api.pages.ledger.base import FormErrors
from matchmaker.api.pages.registry import bp
from matchmaker.api.schemas.profile_forms import SignupForm
from matchmaker.domain import Role
from matchmaker.errors import Gone, InvalidInput
from matchmaker.services.registry import signups
from matchmaker.services.registry.signups import Applicant

APPLICANT = ("contact_name", "contact_phone", "contact_email", "username")
DONE = "signup_done"  # the session key that shows the thank-you page once after a sign-up


@bp.route("/events/<code>/signup", methods=["GET", "POST"])
def signup(code: str) -> Any:
    """The event's public sign-up form; a clear page when sign-ups are closed."""
    if request.method == "POST":
        check_csrf()
    try:
        event = signups.signup_event(db(), code)
    except Gone as exc:
        page = render_template("signup_closed.html", message=exc.message(lang()))
        return page, exc.http_status
    if request.method == "GET":
        done = session.pop(DONE, None)
        if isinstance(done, dict) and done.get("event") == event.code:
            return render_template("signup_done.html", event=event, done=done)
        return render_template("signup.html", event=event, form={}, errors={})
    errors = FormErrors()
    values = errors.read(SignupForm(), request.form)
    form = request.form
    applicant = Applicant(
        *(form.get(key, "").strip()[:200] for key in APPLICANT),
        password=form.get("password", ""),
        confirm=form.get("confirm", ""),
    )
    try:
        if errors:
            errors.also(signups.signup_problems(db(), event, values, applicant))
        else:
            signups.submit_signup(db(), event, values, applicant)
    except InvalidInput as exc:
        errors.also(exc.problems)
    except Gone as exc:  # closed while the form was open
        db().rollback()
        return render_template("signup_closed.html", message=exc.message(lang())), exc.http_status
    if errors:
        db().rollback()
        shown = _posted(form)
        return render_template("signup.html", event=event, form=shown, errors=errors.by_field), 422
    db().commit()
    session[DONE] = {"event": event.code, "name": values["name"], "username": applicant.username}
    return redirect(url_for(".signup", code=event.code), 303)


def _posted(form: MultiDict[str, str]) -> dict[str, Any]:
    """The form as typed, to show again: never the password."""
    values: dict[str, Any] = {
        key: form.get(key, "") for key in form if key not in ("password", "confirm", "csrf")
    }
    values["stages"] = [v for v in form.getlist("stages") if v]
    return values


@bp.get("/signups")
@signed_in(Role.ORGANISER)
def signups_page() -> str:
    """The event's applications: pending ones to decide, and those decided."""
    event, me = page_event(), signed_in_user()
    rows = signups.list_signups(db(), event, None, actor=me)
    return render_template(
        "signups.html",
        event=event,
        pending=[r for r in rows if r.status == signups.PENDING],
        decided=[r for r in reversed(rows) if r.status != signups.PENDING],
        example=f"{event.code}-{signups.CODE_MARK}001",
        notice=session.pop("notice", None),
    )


@bp.post("/signups/open")
@signed_in(Role.ORGANISER)
def signups_open() -> Any:
    """Open or close the event's public sign-up page."""
    check_csrf()
    wanted = request.form.get("open", "")
    if wanted not in ("0", "1"):
        abort(400)
    event, me = page_event(), signed_in_user()
    done = run_action(lambda: signups.set_signups_open(db(), event, wanted == "1", actor=me))
    if done is not None:
        link = url_for(".signup", code=event.code, _external=True)
        text = t("signup.opened", event=event.name, link=link) if wanted == "1" else None
        notice("ok", text or t("signup.shut", event=event.name))
    return redirect(url_for(".signups_page"))


@bp.post("/signups/<int:request_id>")
@signed_in(Role.ORGANISER)
def signup_decide(request_id: int) -> Any:
    """Approve an application (institution and account made), or reject it with a reason."""
    check_csrf()
    action, me = request.form.get("action", ""), signed_in_user()
    if action not in ("approve", "reject"):
        abort(400)

    def decide() -> str:
        if action == "approve":
            row = signups.approve_signup(db(), request_id, actor=me)
            code = row.institution.code if row.institution is not None else ""
            return t("signup.approved", name=row.name, institution=code, username=row.username)
        row = signups.reject_signup(db(), request_id, request.form.get("reason", ""), actor=me)
        return t("signup.rejected", name=row.name)

    text = run_action(decide)
    if text is not None:
        notice("ok", text)
    return redirect(url_for(".signups_page"))
