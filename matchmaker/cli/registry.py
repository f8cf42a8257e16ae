"""Commands for registrations (import, export), events, accounts and tokens."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from matchmaker.cli.base import (
    Context,
    handles_errors,
    main,
    pass_ctx,
    progress_bar,
    safe_url,
)
from matchmaker.domain import Role
from matchmaker.messages import render

if TYPE_CHECKING:
    from matchmaker.services.registry.vocabulary import Kind


@main.command(name="import")
@click.argument("kind", type=click.Choice(["projects", "institutions"]))
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--event", "event_code", help="Event code (needed when there are several).")
@pass_ctx
@handles_errors
def import_(ctx: Context, kind: str, file: Path, event_code: str | None) -> None:
    """Import projects or institutions from a CSV or XLSX file (all rows or none)."""
    from matchmaker.services.operations import jobs
    from matchmaker.services.registry.events import get_event
    from matchmaker.services.registry.registrations import import_registrations

    _require_schema(ctx)
    data = ctx.read_upload(file)
    with progress_bar(ctx, f"{file.name}") as tick, ctx.transaction() as db:
        event = get_event(db, event_code)
        report = import_registrations(db, event, kind, data, file.name, tick)
        event_id = event.id
    queued = jobs.rebuild_after_import(ctx.factory(), ctx.queue(), event_id)
    text = render(
        "import.done", ctx.lang, total=report.total, created=report.created, updated=report.updated
    )
    for warning in report.warnings:
        text += f"\n  ! {warning.line(ctx.lang)}"
    if queued is not None:
        text += "\n" + render("import.rebuild_queued", ctx.lang, job=queued)
    ctx.emit({"ok": True, **report.to_dict(ctx.lang), "rebuild_job": queued}, text)


def _require_schema(ctx: Context) -> None:
    """A database without tables is a new one: say how to start rather than "no such table"."""
    from sqlalchemy import inspect

    from matchmaker.errors import NotFound

    if not inspect(ctx.parts.engine).has_table("events"):
        raise NotFound("import.no_schema", url=safe_url(ctx.db_url))


@main.command()
@click.argument("kind", type=click.Choice(["projects", "institutions", "archive"]))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "xlsx"]),
    default=None,
    help="File format (default: from --output's suffix, else csv).",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write here instead of standard output.",
)
@click.option("--event", "event_code", help="Event code (needed when there are several).")
@pass_ctx
@handles_errors
def export(
    ctx: Context, kind: str, fmt: str | None, output: Path | None, event_code: str | None
) -> None:
    """Export projects or institutions as CSV or XLSX (imports back unchanged), or the whole
    event for people as one ZIP (``archive``: registrations, agendas, intents, due diligence,
    report, audit trail, README)."""
    from matchmaker.services.registry.events import get_event
    from matchmaker.services.registry.registrations import export_registrations

    if kind == "archive":
        _export_archive(ctx, output, event_code)
        return
    fmt = fmt or (output.suffix.lstrip(".").lower() if output and output.suffix else "csv")
    if fmt not in ("csv", "xlsx"):
        raise click.BadParameter(f"unknown format {fmt!r}", param_hint="--format")
    with ctx.transaction() as db:
        # the command line is the server's operator: ids go out whole, as they import back
        event = get_event(db, event_code)
        data = export_registrations(db, event, kind, fmt, ctx.lang, reveal_ids=True)
    if output is None:
        if fmt == "xlsx" and sys.stdout.isatty():
            raise click.UsageError("refusing to write XLSX to a terminal; use --output FILE")
        sys.stdout.buffer.write(data)
        return
    output.write_bytes(data)
    ctx.emit({"ok": True, "path": str(output), "bytes": len(data)}, f"wrote {output}")


@main.command()
@click.argument("kind", type=click.Choice(["projects", "institutions"]))
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Write here (.xlsx or .csv).",
)
@click.option("--event", "event_code", help="Event code (needed when there are several).")
@click.option(
    "--sheet-lang",
    type=click.Choice(["zh", "en"]),
    default=None,
    help="Language of the headers (default: --lang).",
)
@pass_ctx
@handles_errors
def template(
    ctx: Context, kind: str, output: Path, event_code: str | None, sheet_lang: str | None
) -> None:
    """Write a blank registration sheet: the import's headers and one example row."""
    from matchmaker.services.registry.events import get_event
    from matchmaker.services.registry.sheet_templates import sheet_template

    fmt = output.suffix.lstrip(".").lower() or "csv"
    if fmt not in ("csv", "xlsx"):
        raise click.BadParameter(f"use .csv or .xlsx, not {output.name!r}", param_hint="--output")
    with ctx.snapshot() as db:
        data = sheet_template(get_event(db, event_code), kind, fmt, sheet_lang or ctx.lang)
    output.write_bytes(data)
    ctx.emit({"ok": True, "path": str(output), "bytes": len(data)}, f"wrote {output}")


def _export_archive(ctx: Context, output: Path | None, event_code: str | None) -> None:
    from matchmaker.services.operations.event_archive import event_archive
    from matchmaker.services.registry.events import get_event

    if output is None:
        raise click.UsageError("an archive needs --output FILE.zip")
    with ctx.snapshot() as db:
        data = event_archive(db, get_event(db, event_code), ctx.lang)
    output.write_bytes(data)
    ctx.emit({"ok": True, "path": str(output), "bytes": len(data)}, f"wrote {output}")


@main.group()
def user() -> None:
    """Manage accounts."""


@user.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--institution", "institution_code", help="Investor's institution id.")
@click.option("--project", "project_code", help="Entrant's project id.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--event", "event_code")
@pass_ctx
@handles_errors
def user_add(
    ctx: Context,
    username: str,
    role: str,
    institution_code: str | None,
    project_code: str | None,
    password: str,
    event_code: str | None,
) -> None:
    """Create an account (investors need --institution, entrants --project)."""
    from matchmaker.services.registry.accounts import create_user
    from matchmaker.services.registry.catalog import get_institution, get_project

    with ctx.transaction() as db:
        institution = (
            get_institution(db, institution_code, event_code) if institution_code else None
        )
        project = get_project(db, project_code, event_code) if project_code else None
        create_user(db, username, role, password, institution=institution, project=project)
    ctx.emit({"ok": True, "username": username, "role": role}, f"created {username} ({role})")


@user.command("scope")
@click.argument("username")
@click.option("--event", "event_code", help="The event (a city's covers its counties' events).")
@click.option("--everything", is_flag=True, help="Lift the limit: every event, as before.")
@pass_ctx
@handles_errors
def user_scope(ctx: Context, username: str, event_code: str | None, everything: bool) -> None:
    """Limit an organiser or staff account to one event and the events under it."""
    from matchmaker.services.registry.events import get_event
    from matchmaker.services.registry.scopes import find_user, set_scope

    if bool(event_code) == everything:
        raise click.UsageError("give --event CODE or --everything")
    with ctx.transaction() as db:
        found = find_user(db, username)
        set_scope(db, found, get_event(db, event_code) if event_code else None)
    scope = event_code or render("scope.everything", ctx.lang)
    ctx.emit({"ok": True, "username": username, "scope": event_code}, f"{username}: {scope}")


@main.group()
def token() -> None:
    """Issue and revoke API bearer tokens."""


@token.command("issue")
@click.argument("username")
@click.option("--days", default=30, show_default=True, type=int, help="0 = never expires.")
@click.option("--label", default="cli")
@pass_ctx
@handles_errors
def token_issue(ctx: Context, username: str, days: int, label: str) -> None:
    """Print a new bearer token for USERNAME (shown once; only its hash is kept)."""
    from matchmaker.services.registry.accounts import get_user, issue_token

    with ctx.transaction() as db:
        value, _row = issue_token(db, get_user(db, username), label, days or None)
    ctx.emit({"ok": True, "username": username, "token": value}, value)


@token.command("revoke")
@click.argument("value")
@pass_ctx
@handles_errors
def token_revoke(ctx: Context, value: str) -> None:
    """Revoke a bearer token."""
    from matchmaker.services.registry.accounts import revoke_token

    with ctx.transaction() as db:
        revoke_token(db, value)
    ctx.emit({"ok": True}, "revoked")


# ---- an event's own tracks (赛道) and groups (组别) -------------------------------------------


@main.command("tracks")
@click.option("--event", "event_code", help="Event code (needed when there are several).")
@click.option("--add", "add", multiple=True, help="Add a track by its Chinese name (repeatable).")
@click.option("--en", default="", help="English name of the track added with --add.")
@click.option("--remove", "remove", multiple=True, help="Remove a track no project uses.")
@pass_ctx
@handles_errors
def tracks(
    ctx: Context, event_code: str | None, add: tuple[str, ...], en: str, remove: tuple[str, ...]
) -> None:
    """List the event's tracks (赛道) with their projects; add or remove tracks (all or none)."""
    from matchmaker.services.registry.vocabulary import TRACK

    _vocabulary_command(ctx, TRACK, event_code, add, en, remove)


@main.command("groups")
@click.option("--event", "event_code", help="Event code (needed when there are several).")
@click.option("--add", "add", multiple=True, help="Add a group by its Chinese name (repeatable).")
@click.option("--en", default="", help="English name of the group added with --add.")
@click.option("--remove", "remove", multiple=True, help="Remove a group no project is in.")
@pass_ctx
@handles_errors
def groups(
    ctx: Context, event_code: str | None, add: tuple[str, ...], en: str, remove: tuple[str, ...]
) -> None:
    """List the event's groups (组别) with their projects; add or remove groups (all or none)."""
    from matchmaker.services.registry.vocabulary import GROUP

    _vocabulary_command(ctx, GROUP, event_code, add, en, remove)


@main.command("institution-types")
@click.option("--event", "event_code", help="Event code (needed when there are several).")
@click.option(
    "--add",
    "add",
    multiple=True,
    help="Add a type by its Chinese name (repeatable); 担保公司=bank says what it is matched like.",
)
@click.option("--en", default="", help="English name of the type added with --add.")
@click.option("--remove", "remove", multiple=True, help="Remove a type no institution uses.")
@pass_ctx
@handles_errors
def institution_types(
    ctx: Context, event_code: str | None, add: tuple[str, ...], en: str, remove: tuple[str, ...]
) -> None:
    """List the event's institution types (机构类型) with their institutions and what an added
    one is matched like; add or remove types (all or none)."""
    from matchmaker.services.registry.vocabulary import INSTITUTION_TYPE

    _vocabulary_command(ctx, INSTITUTION_TYPE, event_code, add, en, remove)


def _vocabulary_command(
    ctx: Context,
    kind: Kind,
    event_code: str | None,
    add: tuple[str, ...],
    en: str,
    remove: tuple[str, ...],
) -> None:
    """Add and remove ``kind`` terms of the event in one transaction, then list them."""
    from matchmaker.services.registry.events import get_event
    from matchmaker.services.registry.vocabulary import (
        INSTITUTION_TYPE,
        add_term,
        event_vocabulary,
        parse_type_spec,
        remove_term,
        term_counts,
    )

    lines = []
    name = kind.name
    users = "institutions" if kind is INSTITUTION_TYPE else "projects"  # who use a term
    with ctx.transaction() as db:
        event = get_event(db, event_code)
        for spec in add:
            label, like = parse_type_spec(spec) if kind is INSTITUTION_TYPE else (spec, "")
            term = add_term(db, event, kind, label, en=en if len(add) == 1 else "", like=like)
            lines.append(render(kind.code("added"), ctx.lang, **{name: term.label(ctx.lang)}))
        for key in remove:
            term = remove_term(db, event, kind, key)
            lines.append(render(kind.code("removed"), ctx.lang, **{name: term.label(ctx.lang)}))
        vocab = event_vocabulary(event)
        counts = term_counts(db, event, kind)
        rows = [
            {
                "key": t.key,
                "zh": t.zh,
                "en": t.en,
                "aliases": list(t.aliases),
                users: counts.get(t.key, 0),
                **({"like": t.like} if t.like else {}),
            }
            for t in kind.of(vocab)
        ]
        code = event.code
        head = render(f"vocab.{kind.attr}_of", ctx.lang, event=code, preset=vocab.preset)
    listing = [
        f"  {r['zh'] if ctx.lang != 'en' else (r['en'] or r['zh'])}  ({r['key']})  "
        + render(kind.counted, ctx.lang, count=r[users])
        + (f"  ≈ {r['like']}" if r.get("like") else "")
        for r in rows
    ]
    ctx.emit(
        {"event": code, "preset": vocab.preset, kind.attr: rows},
        "\n".join([*lines, head, *listing]),
    )
