"""Account pages, on the registry's blueprint: a one-time link (invitation or reset) where a
person sets their password and is signed in, and the organiser's /accounts page (invite every
contact and download the list, send, revoke and reset links, disable and enable accounts)."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, redirect, render_template, request, session, url_for

from matchmaker.api.context import db, download
from matchmaker.api.i18n import lang, t
from matchmaker.api.pages.common import notice, page_event, run_action, signed_in, signed_in_user
from matchmaker.api.pages.registry import bp
from matchmaker.api.security import check_csrf
from matchmaker.domain import Role, local_minute
from matchmaker.errors import Gone, InvalidInput, NotFound
from matchmaker.services.registry.accounts import start_web_session
from matchmaker.services.registry.events import all_events
from matchmaker.services.registry.invitations import SOURCES, invite_contacts, invites_table
from matchmaker.services.registry.links import (
    INVITE,
    RESET,
    open_link,
    redeem_link,
    revoke_links,
    send_link,
)
from matchmaker.services.registry.roster import list_accounts, set_active
from matchmaker.services.registry.staff import add_staff, rescope

ACTIONS = ("resend", "reset", "revoke", "disable", "enable", "scope")


@bp.route("/invite/<token>", methods=["GET", "POST"])
def invite(token: str) -> Any:
    """Accept an invitation: choose a password, and be signed in."""
    return _link_page(token, INVITE)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset(token: str) -> Any:
    """Choose a new password with a reset link, and be signed in."""
    return _link_page(token, RESET)


def _link_page(token: str, purpose: str) -> Any:
    """The password form of a usable link; a clear page (never a sign-in) for one that is not."""
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        check_csrf()  # before the link is looked at: a forged post learns nothing
    try:
        holder = open_link(db(), token, purpose)
        if request.method == "POST":
            form = request.form
            user = redeem_link(
                db(), token, purpose, form.get("password", ""), form.get("confirm", "")
            )
            session.clear()  # whoever was signed in on this browser before
            session["sign_in"] = start_web_session(db(), user)
            db().commit()
            return redirect(url_for("pages.home"))
    except (NotFound, Gone) as exc:
        db().rollback()
        page = render_template("link_problem.html", message=exc.message(lang()))
        return page, exc.http_status
    except InvalidInput as exc:
        db().rollback()
        for problem in exc.problems:
            errors.setdefault(problem.column or "password", []).append(problem.message(lang()))
    status = 422 if errors else 200
    return render_template("set_password.html", holder=holder, errors=errors), status


@bp.get("/accounts")
@signed_in(Role.ORGANISER)
def accounts_page() -> str:
    """The event's accounts with their state, searchable, and what an organiser does with them."""
    search = request.args.get("q", "")[:200]
    me = signed_in_user()
    rows = list_accounts(db(), page_event(), search, actor=me)
    return render_template(
        "accounts.html",
        rows=rows,
        scopes=[(e.code, e.name) for e in all_events(db(), newest_first=True)],
        unscoped=me.scope_event_id is None,
        q=search,
        sources=SOURCES,
        days=current_app.config.get("MATCHMAKER_INVITE_DAYS", 14),
        notice=session.pop("notice", None),
    )


@bp.post("/accounts/invite")
@signed_in(Role.ORGANISER)
def accounts_invite() -> Any:
    """Invite every project or institution contact; answer with the list of links to send."""
    check_csrf()
    form = request.form
    source, fmt = form.get("source", ""), form.get("fmt", "csv")
    if fmt not in ("csv", "xlsx"):
        abort(400)
    event, me = page_event(), signed_in_user()
    run = run_action(
        lambda: invite_contacts(
            db(),
            event,
            source,
            _base_url(),
            _days(),
            form.get("resend") == "1",
            actor=me,  # type: ignore[arg-type]
        )
    )
    if run is None:
        return redirect(url_for(".accounts_page"))
    if not run.invites:
        notice("ok", t("accounts.nobody", skipped=run.skipped))
        return redirect(url_for(".accounts_page"))
    return download(invites_table(run.invites, fmt, lang()), fmt, f"{event.code}-{source}-invites")


@bp.post("/accounts/<username>")
@signed_in(Role.ORGANISER)
def account_action(username: str) -> Any:
    """Send a new invitation or reset link (shown once), revoke links, disable or enable."""
    check_csrf()
    action, me = request.form.get("action", ""), signed_in_user()
    if action not in ACTIONS:
        abort(400)

    def act() -> str:
        if action in ("resend", "reset"):
            purpose = INVITE if action == "resend" else RESET
            sent = send_link(db(), username, purpose, _base_url(), _days(), actor=me)
            when = local_minute(sent.expires_at)
            return t("accounts.link_sent", who=username, when=when, link=sent.link)
        if action == "scope":
            scope = request.form.get("scope", "")[:64]
            rescope(db(), me, username, scope)
            return t("staff.scope_set", who=username, scope=scope or t("scope.everything"))
        if action == "revoke":
            count = revoke_links(db(), username, actor=me)
            return t("accounts.links_revoked", who=username, count=count)
        set_active(db(), username, action == "enable", actor=me)
        return t("accounts.enabled" if action == "enable" else "accounts.disabled", who=username)

    text = run_action(act)
    if text is not None:
        notice("ok", text)
    return redirect(url_for(".accounts_page", q=request.form.get("q") or None))


@bp.post("/accounts/staff")
@signed_in(Role.ORGANISER)
def staff_add() -> Any:
    """Add an organiser or staff account, limited to one event (a county's) or over every
    event; the invitation link is shown once. A refusal names each bad field."""
    check_csrf()
    form, me = request.form, signed_in_user()
    sent = run_action(
        lambda: add_staff(
            db(),
            me,
            form.get("username", "")[:64],
            form.get("display_name", "")[:200],
            form.get("role", ""),
            form.get("scope", "")[:64],
            _base_url(),
            _days(),
        )
    )
    if sent is not None:
        when = local_minute(sent.expires_at)
        notice("ok", t("accounts.link_sent", who=sent.username, when=when, link=sent.link))
    return redirect(url_for(".accounts_page"))


def _base_url() -> str:
    """Where people open links: the configured address, else the one this page was opened at."""
    return str(current_app.config.get("MATCHMAKER_BASE_URL") or request.url_root)


def _days() -> int:
    """The form's number of days a link works (the setting's when blank; the service refuses a
    number out of range, and a non-number as 0)."""
    given = request.form.get("days", "").strip()
    if not given:
        return int(current_app.config.get("MATCHMAKER_INVITE_DAYS", 14))
    return int(given) if given.isdigit() else 0
