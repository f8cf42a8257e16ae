"""``matchmaker signups``: investors' own applications from the event's public page — list
them, approve or reject one, open or close the page (as on /signups)."""

from __future__ import annotations

import click

from matchmaker.cli.base import Context, handles_errors, main, pass_ctx
from matchmaker.domain import local_minute
from matchmaker.messages import render

STATUS_CHOICES = ("pending", "approved", "rejected", "all")


@main.group()
def signups() -> None:
    """Investors' applications from the event's sign-up page: list, approve, reject."""


@signups.command("list")
@click.option("--event", "event_code", help="Event code (needed when there are several).")
@click.option("--status", type=click.Choice(STATUS_CHOICES), default="pending", show_default=True)
@pass_ctx
@handles_errors
def list_(ctx: Context, event_code: str | None, status: str) -> None:
    """List the event's applications (pending ones by default)."""
    from matchmaker.services.registry.events import get_event
    from matchmaker.services.registry.signups import list_signups

    with ctx.snapshot() as db:
        event = get_event(db, event_code)
        rows = list_signups(db, event, None if status == "all" else status)
        data = [
            {"id": r.id, "status": r.status, "name": r.name, **r.payload,
             "contact_name": r.contact_name, "contact_phone": r.contact_phone,
             "contact_email": r.contact_email, "username": r.username,
             "created_at": r.created_at.isoformat(),
             "institution": r.institution.code if r.institution is not None else None,
             "reason": r.reason}
            for r in rows
        ]  # fmt: skip
        lines = [
            "\t".join((str(r.id), render(f"signup.status_{r.status}", ctx.lang), r.name,
                       r.contact_name, r.contact_phone, r.username, local_minute(r.created_at),
                       r.institution.code if r.institution is not None else r.reason))
            for r in rows
        ]  # fmt: skip
        state = "ui.signups_open_state" if event.signups_open else "ui.signups_closed_state"
        head = render(state, ctx.lang)
    ctx.emit(data, "\n".join([head, *lines]) if lines else f"{head}\n{render('ui.none', ctx.lang)}")


@signups.command("approve")
@click.argument("request_id", type=int)
@pass_ctx
@handles_errors
def approve(ctx: Context, request_id: int) -> None:
    """Approve application ID: its institution and investor account are made."""
    from matchmaker.services.registry.signups import approve_signup

    with ctx.transaction() as db:
        row = approve_signup(db, request_id)
        code = row.institution.code if row.institution is not None else ""
        name, username = row.name, row.username
    text = render("signup.approved", ctx.lang, name=name, institution=code, username=username)
    ctx.emit({"ok": True, "id": request_id, "institution": code, "username": username}, text)


@signups.command("reject")
@click.argument("request_id", type=int)
@click.option("--reason", required=True, help="Why (kept with the application).")
@pass_ctx
@handles_errors
def reject(ctx: Context, request_id: int, reason: str) -> None:
    """Reject application ID, saying why."""
    from matchmaker.services.registry.signups import reject_signup

    with ctx.transaction() as db:
        name = reject_signup(db, request_id, reason).name
    ctx.emit({"ok": True, "id": request_id}, render("signup.rejected", ctx.lang, name=name))


def _set_open(ctx: Context, event_code: str | None, open_: bool) -> None:
    from matchmaker.services.registry.events import get_event
    from matchmaker.services.registry.signups import set_signups_open

    with ctx.transaction() as db:
        event = set_signups_open(db, get_event(db, event_code), open_)
        name, code = event.name, event.code
    link = f"{ctx.settings.base_url or 'http://127.0.0.1:5000'}/events/{code}/signup"
    text = render("signup.opened" if open_ else "signup.shut", ctx.lang, event=name, link=link)
    ctx.emit({"ok": True, "event": code, "signups_open": open_}, text)


@signups.command("open")
@click.option("--event", "event_code", help="Event code (needed when there are several).")
@pass_ctx
@handles_errors
def open_(ctx: Context, event_code: str | None) -> None:
    """Open the event's public sign-up page (/events/<code>/signup)."""
    _set_open(ctx, event_code, True)


@signups.command("close")
@click.option("--event", "event_code", help="Event code (needed when there are several).")
@pass_ctx
@handles_errors
def close(ctx: Context, event_code: str | None) -> None:
    """Close the event's public sign-up page."""
    _set_open(ctx, event_code, False)
