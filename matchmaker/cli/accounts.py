"""``matchmaker accounts``: invite every contact of an event, list accounts, send, revoke and
reset one-time links, disable and enable accounts (the registry's accounts, as on /accounts)."""

from __future__ import annotations

from pathlib import Path

import click

from matchmaker.cli.base import Context, handles_errors, main, pass_ctx
from matchmaker.domain import local_minute
from matchmaker.messages import render

LOCAL_URL = "http://127.0.0.1:5000"  # `make run` and `matchmaker serve`'s default address


def _base_url(ctx: Context, given: str | None) -> str:
    return given or ctx.settings.base_url or LOCAL_URL


def _days(ctx: Context, given: int | None) -> int:
    return given if given is not None else ctx.settings.invite_days


base_url_option = click.option(
    "--base-url",
    help="The address people open links at (default: MATCHMAKER_BASE_URL, else " + LOCAL_URL + ").",
)
days_option = click.option(
    "--days", type=int, help="How long a link works (default: MATCHMAKER_INVITE_DAYS, else 14)."
)


@main.group()
def accounts() -> None:
    """Invite people, list accounts, send and revoke links, disable accounts."""


@accounts.command("invite")
@click.option("--event", "event_code", help="Event code (needed when there are several).")
@click.option("--from", "source", type=click.Choice(["projects", "institutions"]), required=True)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the invitation list here (.csv or .xlsx), for mail merge or SMS.",
)
@base_url_option
@days_option
@click.option("--resend", is_flag=True, help="New links for people invited but not yet active.")
@pass_ctx
@handles_errors
def invite(
    ctx: Context,
    event_code: str | None,
    source: str,
    output: Path | None,
    base_url: str | None,
    days: int | None,
    resend: bool,
) -> None:
    """Create an account and a one-time link for every project or institution contact."""
    from matchmaker.services.registry.events import get_event
    from matchmaker.services.registry.invitations import invite_contacts, invites_table

    fmt = output.suffix.lstrip(".").lower() if output is not None else "csv"
    if fmt not in ("csv", "xlsx"):
        raise click.BadParameter("use a .csv or .xlsx file name", param_hint="--output")
    with ctx.transaction() as db:
        event = get_event(db, event_code)
        run = invite_contacts(db, event, source, _base_url(ctx, base_url), _days(ctx, days), resend)
    params = {"count": len(run.invites), "skipped": run.skipped}
    text = render("accounts.invited" if run.invites else "accounts.nobody", ctx.lang, **params)
    if output is not None and run.invites:
        output.write_bytes(invites_table(run.invites, fmt, ctx.lang))
        text += f"\nwrote {output}"
    elif run.invites:
        text += "\n" + "\n".join(f"{i.party_code}\t{i.username}\t{i.link}" for i in run.invites)
    data = {
        "ok": True,
        **params,
        "path": str(output) if output is not None and run.invites else None,
        "invites": [
            {
                "party": i.party_code,
                "username": i.username,
                "link": i.link,
                "expires_at": i.expires_at.isoformat(),
            }  # fmt: skip
            for i in run.invites
        ],
    }
    ctx.emit(data, text)


@accounts.command("list")
@click.option("--event", "event_code", help="Event code (needed when there are several).")
@click.option("--search", default="", help="Part of a user name, name, id or registration.")
@pass_ctx
@handles_errors
def list_(ctx: Context, event_code: str | None, search: str) -> None:
    """List the event's accounts with their state (invited, active, disabled …)."""
    from matchmaker.services.registry.events import get_event
    from matchmaker.services.registry.roster import list_accounts

    with ctx.snapshot() as db:
        rows = list_accounts(db, get_event(db, event_code), search)
    data = [
        {"username": r.username, "name": r.display_name, "role": r.role.value,
         "party": r.party_code, "status": r.status,
         "link_expires_at": r.link_expires_at.isoformat() if r.link_expires_at else None}
        for r in rows
    ]  # fmt: skip
    lines = [
        "\t".join(
            (
                r.username,
                r.display_name,
                r.role.label(ctx.lang),
                r.party_code,
                render(r.status_code, ctx.lang),
                local_minute(r.link_expires_at) if r.link_expires_at else "",
            )
        )  # fmt: skip
        for r in rows
    ]
    ctx.emit(data, "\n".join(lines) or render("ui.none", ctx.lang))


def _send(
    ctx: Context, username: str, purpose: str, base_url: str | None, days: int | None
) -> None:
    from matchmaker.services.registry.links import send_link

    with ctx.transaction() as db:
        sent = send_link(db, username, purpose, _base_url(ctx, base_url), _days(ctx, days))
    ctx.emit(
        {
            "ok": True,
            "username": username,
            "link": sent.link,
            "expires_at": sent.expires_at.isoformat(),
        },  # fmt: skip
        sent.link,
    )


@accounts.command("resend")
@click.argument("username")
@base_url_option
@days_option
@pass_ctx
@handles_errors
def resend(ctx: Context, username: str, base_url: str | None, days: int | None) -> None:
    """Print a new invitation link for USERNAME (the older one stops working)."""
    _send(ctx, username, "invite", base_url, days)


@accounts.command("reset")
@click.argument("username")
@base_url_option
@days_option
@pass_ctx
@handles_errors
def reset(ctx: Context, username: str, base_url: str | None, days: int | None) -> None:
    """Print a one-time link with which USERNAME chooses a new password."""
    _send(ctx, username, "reset", base_url, days)


@accounts.command("revoke-invite")
@click.argument("username")
@pass_ctx
@handles_errors
def revoke_invite(ctx: Context, username: str) -> None:
    """Revoke USERNAME's unused links (invitation or reset)."""
    from matchmaker.services.registry.links import revoke_links

    with ctx.transaction() as db:
        count = revoke_links(db, username)
    text = render("accounts.links_revoked", ctx.lang, who=username, count=count)
    ctx.emit({"ok": True, "username": username, "revoked": count}, text)


def _set_active(ctx: Context, username: str, active: bool) -> None:
    from matchmaker.services.registry.roster import set_active

    with ctx.transaction() as db:
        set_active(db, username, active)
    text = render("accounts.enabled" if active else "accounts.disabled", ctx.lang, who=username)
    ctx.emit({"ok": True, "username": username, "active": active}, text)


@accounts.command("disable")
@click.argument("username")
@pass_ctx
@handles_errors
def disable(ctx: Context, username: str) -> None:
    """Disable USERNAME: no sign-in; their pages, tokens and links stop working."""
    _set_active(ctx, username, False)


@accounts.command("enable")
@click.argument("username")
@pass_ctx
@handles_errors
def enable(ctx: Context, username: str) -> None:
    """Enable USERNAME again."""
    _set_active(ctx, username, True)
