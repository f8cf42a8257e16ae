"""Commands for the lasting library: link rows to identities, proposals, sharing, history,
and alumni sessions drawn from past contests."""

from __future__ import annotations

import click

from matchmaker.cli.base import Context, handles_errors, main, pass_ctx
from matchmaker.cli.events import session
from matchmaker.messages import render


@main.group()
def library() -> None:
    """The lasting library (项目库 / 机构库): identities of projects and institutions across
    contests."""


@library.command("link")
@click.option("--event", "event_code", help="Event code (needed when there are several).")
@click.option("--confirm", "confirm", type=int, help="Confirm this proposal (its id).")
@click.option("--reject", "reject", type=int, help="Reject this proposal (its id).")
@pass_ctx
@handles_errors
def link(ctx: Context, event_code: str | None, confirm: int | None, reject: int | None) -> None:
    """Link the event's unlinked rows (an exact id joins at once; a phone, e-mail or name
    match is proposed), or confirm or reject one proposal."""
    from matchmaker.services.library import links, proposals
    from matchmaker.services.registry.events import get_event

    if confirm is not None and reject is not None:
        raise click.UsageError("--confirm and --reject: one at a time")
    with ctx.transaction() as db:
        event = get_event(db, event_code)
        if confirm is not None:
            made = proposals.confirm_proposal(db, event, confirm)
            data = {"ok": True, "confirmed": confirm, "party_id": made.party_id}
        elif reject is not None:
            proposals.reject_proposal(db, event, reject)
            data = {"ok": True, "rejected": reject}
        else:
            data = {"ok": True, **links.link_event(db, event).to_dict()}
    ctx.emit(data, " ".join(f"{k}={v}" for k, v in data.items()))


@library.command("proposals")
@click.option("--event", "event_code", help="Event code (needed when there are several).")
@click.option("--all", "everything", is_flag=True, help="Decided ones too.")
@pass_ctx
@handles_errors
def list_proposals(ctx: Context, event_code: str | None, everything: bool) -> None:
    """List the link proposals waiting for a decision."""
    from matchmaker.services.library.proposals import proposals
    from matchmaker.services.registry.events import get_event

    with ctx.transaction() as db:
        event = get_event(db, event_code)
        rows = proposals(db, event, None if everything else "pending", lang=ctx.lang)
    lines = []
    for p in rows:
        why = "、".join(render(f"library.reason.{r}", ctx.lang) for r in p["reasons"])
        seen = "; ".join(
            f"{e['year']} {e['event']} {e['code']} {e['name']}" for e in p["elsewhere"]
        )
        lines.append(f"#{p['id']} {p['code']} {p['name']} → {seen} ({why}) [{p['status']}]")
        if p["duplicate"]:  # what the duplicate detector found, indented under the proposal
            found = p["duplicate"]
            lines.append(f"    {found['kind_label']} {found['similarity']:.2f}")
            lines.extend(f"    · {sentence}" for sentence in found["evidence"])
    ctx.emit(rows, "\n".join(lines) or render("library.proposals_none", ctx.lang))


@library.command("share")
@click.option("--event", "event_code", help="Event code (needed when there are several).")
@click.option("--on/--off", "share", required=True, help="Share the event with the library.")
@pass_ctx
@handles_errors
def share(ctx: Context, event_code: str | None, share: bool) -> None:
    """Share (or stop sharing) the event's rows and outcomes with other contests' offices."""
    from matchmaker.services.library.sharing import set_share_library
    from matchmaker.services.registry.events import get_event

    with ctx.transaction() as db:
        event = set_share_library(db, get_event(db, event_code), share)
        data = {"ok": True, "event": event.code, "share_library": event.share_library}
    text = render("library.share_on" if share else "library.share_off", ctx.lang)
    ctx.emit(data, f"{data['event']}: {text}")


@library.command("history")
@click.option("--event", "event_code", help="Event code (needed when there are several).")
@click.option("--project", "project_code", required=True, help="The project's code.")
@pass_ctx
@handles_errors
def history(ctx: Context, event_code: str | None, project_code: str) -> None:
    """Show a project's contests (those that share), meetings held and intents."""
    from matchmaker.services.library.history import project_history
    from matchmaker.services.registry.catalog import get_project
    from matchmaker.services.registry.events import get_event

    with ctx.transaction() as db:
        event = get_event(db, event_code)
        found = project_history(db, get_project(db, project_code, event.code))
    lines = [
        render(
            "library.history_row",
            ctx.lang,
            year=c["year"],
            event=c["event"],
            code=c["code"],
            name=c["name"],
            meetings=len(c["meetings"]),
            intents=len(c["intents"]),
        )
        for c in found["contests"]
    ]
    ctx.emit(found, "\n".join(lines))


@session.command("add-alumni")
@click.option("--event", "event_code", help="Event code (needed when there are several).")
@click.option(
    "--session", "--code", "session_code", required=True, help="The alumni session, e.g. R0."
)
@click.option("--from", "source", required=True, help="The past event's code.")
@click.option("--projects", help="Past projects' codes (default: signed or rated ≥ 4).")
@click.option("--min-rating", default=4, show_default=True, type=click.IntRange(1, 5))
@pass_ctx
@handles_errors
def add_alumni(
    ctx: Context,
    event_code: str | None,
    session_code: str,
    source: str,
    projects: str | None,
    min_rating: int,
) -> None:
    """Bring a past contest's projects into an alumni session (copied, linked, marked)."""
    from matchmaker.services.library.alumni import add_alumni as add
    from matchmaker.services.registry.events import get_event

    codes = (
        [c.strip() for c in projects.replace("，", ",").split(",") if c.strip()]
        if projects
        else None
    )
    with ctx.transaction() as db:
        report = add(
            db, get_event(db, event_code), session_code, get_event(db, source), codes, min_rating
        )
    data = {"ok": True, **report.to_dict()}
    ctx.emit(data, " ".join(f"{k}={v}" for k, v in data.items()))
