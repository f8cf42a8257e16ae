"""Commands for session agendas: build, publish, show, write the solver instance, export."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from matchmaker.cli.base import Context, handles_errors, main, pass_ctx

SESSION = click.option("--session", "session_code", required=True, help="Session code, e.g. S1.")
EVENT = click.option("--event", "event_code", help="Event code (needed when there are several).")


@main.group()
def agenda() -> None:
    """Build, check, publish and export each session's agenda."""


def _session(db: Any, event_code: str | None, session_code: str) -> Any:
    from matchmaker.errors import NotFound
    from matchmaker.messages import Ref
    from matchmaker.services.registry.events import get_event

    event = get_event(db, event_code)
    found = next((s for s in event.sessions if s.code == session_code), None)
    if found is None:
        raise NotFound(what=Ref("what.session"), key=session_code)
    return found


@agenda.command("build")
@SESSION
@EVENT
@click.option(
    "--fair/--no-fair",
    default=True,
    show_default=True,
    help="Raise every project's minimum as far as the room allows.",
)
@click.option("--time-limit", default=10.0, show_default=True, type=click.FloatRange(0.5, 3600))
@click.option("--project-min", default=0, show_default=True, type=click.IntRange(0, 50))
@click.option(
    "--project-max",
    default=None,
    type=click.IntRange(1, 50),
    help="Default: 1.5 × a fair share of the room. A project keeps every booking it holds.",
)
@click.option("--institution-min", default=0, show_default=True, type=click.IntRange(0, 50))
@click.option(
    "--institution-max",
    default=None,
    type=click.IntRange(1, 50),
    help="Default: every slot. An institution keeps every booking it holds.",
)
@pass_ctx
@handles_errors
def agenda_build(
    ctx: Context,
    session_code: str,
    event_code: str | None,
    fair: bool,
    time_limit: float,
    project_min: int,
    project_max: int | None,
    institution_min: int,
    institution_max: int | None,
) -> None:
    """Solve a session's agenda (locked meetings and bookings are kept) and store the draft."""
    from matchmaker.services.agendas.build import build_agenda
    from matchmaker.services.agendas.options import AgendaOptions

    options = AgendaOptions(
        fair=fair,
        time_limit=time_limit,
        project_min=project_min,
        project_max=project_max,
        institution_min=institution_min,
        institution_max=institution_max,
    )
    with ctx.transaction() as db:
        session = _session(db, event_code, session_code)
        outcome = build_agenda(
            db, ctx.matcher(), session, options, lang=ctx.lang, progress=_progress(ctx)
        )
        data = outcome.to_dict()
    stats = data["stats"]
    lines = [
        f"status: {data['status']}  meetings: {data['meetings']}  revision: {data['revision']}",
        f"objective {data['objective']:.3f}  bound {data['bound']:.3f}"
        + (f"  fair minimum {data['fair_minimum']}" if data["fair_minimum"] is not None else ""),
    ]
    if stats:
        lines.append("stats: " + ", ".join(f"{k}={v}" for k, v in sorted(stats.items())))
    lines += [f"! {d['message']}" for d in data["diagnostics"]]
    ctx.emit({"ok": data["status"] != "infeasible", **data}, "\n".join(lines))
    if data["status"] == "infeasible":
        raise SystemExit(1)


def _progress(ctx: Context) -> Any:
    if ctx.as_json:
        return None

    def report(phase: str, fraction: float) -> None:
        click.echo(f"  {phase}: {fraction:.0%}", err=True)

    return report


@agenda.command("publish")
@SESSION
@EVENT
@pass_ctx
@handles_errors
def agenda_publish(ctx: Context, session_code: str, event_code: str | None) -> None:
    """Publish the draft once the independent validator passes it."""
    from matchmaker.services.agendas.build import publish_agenda

    with ctx.transaction() as db:
        found = publish_agenda(db, ctx.matcher(), _session(db, event_code, session_code))
        data = {"ok": True, "status": found.status.value, "revision": found.revision}
    ctx.emit(data, f"published {session_code} (revision {data['revision']})")


@agenda.command("show")
@SESSION
@EVENT
@pass_ctx
@handles_errors
def agenda_show(ctx: Context, session_code: str, event_code: str | None) -> None:
    """Print the session grid: a line per table, a column per slot."""
    from matchmaker.services.agendas.views import session_grid

    with ctx.transaction() as db:
        grid = session_grid(db, _session(db, event_code, session_code), ctx.lang)
        header = "table".ljust(16) + " ".join(f"{s.number:>9}" for s in grid.slots)
        lines = [header]
        data = []
        for table, institution in grid.tables:
            cells = [grid.cells.get((table.id, s.number)) for s in grid.slots]
            name = f"{table.number:>2} {institution.code if institution else '-'}"
            lines.append(
                name.ljust(16) + " ".join(f"{c.project.code if c else '.':>9}" for c in cells)
            )
            data += [c.to_dict(ctx.lang) for c in cells if c]
    ctx.emit({"ok": True, "meetings": data}, "\n".join(lines))


@agenda.command("instance")
@SESSION
@EVENT
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@pass_ctx
@handles_errors
def agenda_instance(ctx: Context, session_code: str, event_code: str | None, output: Path) -> None:
    """Write the session as a ``matchmaker schedule`` instance file."""
    from matchmaker.services.agendas.build import agenda_of, options_of
    from matchmaker.services.agendas.instance import session_instance

    with ctx.transaction() as db:
        session = _session(db, event_code, session_code)
        data = session_instance(db, ctx.matcher(), session, options_of(agenda_of(db, session)))
    output.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    ctx.emit(
        {"ok": True, "output": str(output)},
        f"wrote {output}: {len(data['projects'])} projects, "
        f"{len(data['institutions'])} institutions, {len(data['scores'])} scored pairs",
    )


@agenda.command("export")
@EVENT
@click.option("--session", "session_code")
@click.option("--institution")
@click.option("--project")
@click.option("--table", type=click.IntRange(1, 10_000))
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "ics"]), default="xlsx")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@pass_ctx
@handles_errors
def agenda_export(
    ctx: Context,
    event_code: str | None,
    session_code: str | None,
    institution: str | None,
    project: str | None,
    table: int | None,
    fmt: str,
    output: Path,
) -> None:
    """Write an agenda (whole event, a session, an institution, a project or a table)."""
    from matchmaker.services.agendas.views import agenda_rows, export_agenda
    from matchmaker.services.registry import catalog
    from matchmaker.services.registry.events import get_event

    with ctx.transaction() as db:
        event = get_event(db, event_code)
        scope: dict[str, Any] = {"table": table}
        if session_code:
            scope["session"] = _session(db, event.code, session_code)
        if institution:
            scope["institution"] = catalog.get_institution(db, institution, event.code)
        if project:
            scope["project"] = catalog.get_project(db, project, event.code)
        rows = agenda_rows(db, event, lang=ctx.lang, **scope)
        content = export_agenda(rows, fmt, ctx.lang, title=event.name)
    output.write_bytes(content)
    ctx.emit({"ok": True, "rows": len(rows)}, f"wrote {output}: {len(rows)} meetings")
