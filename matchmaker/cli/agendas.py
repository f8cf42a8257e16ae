"""Commands for session agendas: build, publish, show, write the solver instance, export; and
``matchmaker schedule``, the standalone solver (an instance file in, an agenda file out)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import click

from matchmaker.cli.base import Context, handles_errors, main, pass_ctx

SESSION = click.option("--session", "session_code", required=True, help="Session code, e.g. S1.")
EVENT = click.option("--event", "event_code", help="Event code (needed when there are several).")


@main.group()
def agenda() -> None:
    """Build, check, publish and export each session's agenda."""


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
    from matchmaker.services.registry.events import get_session

    options = AgendaOptions(
        fair=fair,
        time_limit=time_limit,
        project_min=project_min,
        project_max=project_max,
        institution_min=institution_min,
        institution_max=institution_max,
    )
    with ctx.transaction() as db:
        session = get_session(db, event_code, session_code)
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
    from matchmaker.services.registry.events import get_session

    with ctx.transaction() as db:
        found = publish_agenda(db, ctx.matcher(), get_session(db, event_code, session_code))
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
    from matchmaker.services.registry.events import get_session

    with ctx.transaction() as db:
        grid = session_grid(db, get_session(db, event_code, session_code), ctx.lang)
        header = "table".ljust(16) + " ".join(f"{s.number:>9}" for s in grid.slots)
        lines = [header]
        data = []
        for table, institution in grid.tables:
            cells = [grid.cells.get((table.id, s.number)) for s in grid.slots]
            name = f"{table.number:>2} {institution.code if institution else '-'}"
            lines.append(
                name.ljust(16) + " ".join(f"{c.project.code if c else '.':>9}" for c in cells)
            )
            data += [_meeting(c) for c in cells if c]
    ctx.emit({"ok": True, "meetings": data}, "\n".join(lines))


def _meeting(row: Any) -> dict[str, Any]:
    """Return a grid cell (an ``AgendaRow``) as the API's ``RowOut`` shows it."""
    return {
        "meeting_id": row.meeting_id,
        "session": row.session_code,
        "slot": row.slot,
        "start": row.starts_at.isoformat(),
        "end": row.ends_at.isoformat(),
        "table": row.table,
        "institution_id": row.institution_code,
        "institution": row.institution_name,
        "project_id": row.project_code,
        "project": row.project_name,
        "status": row.status.value,
        "status_label": row.status_label,
        "locked": row.locked,
    }


@agenda.command("instance")
@SESSION
@EVENT
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@pass_ctx
@handles_errors
def agenda_instance(ctx: Context, session_code: str, event_code: str | None, output: Path) -> None:
    """Write the session as a ``matchmaker schedule`` instance file."""
    from matchmaker.services.agendas.build import instance_of
    from matchmaker.services.registry.events import get_session

    with ctx.transaction() as db:
        data = instance_of(db, ctx.matcher(), get_session(db, event_code, session_code))
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
    from matchmaker.services.registry.events import get_event, get_session

    with ctx.transaction() as db:
        event = get_event(db, event_code)
        scope: dict[str, Any] = {"table": table}
        if session_code:
            scope["session"] = get_session(db, event.code, session_code)
        if institution:
            scope["institution"] = catalog.get_institution(db, institution, event.code)
        if project:
            scope["project"] = catalog.get_project(db, project, event.code)
        rows = agenda_rows(db, event, lang=ctx.lang, **scope)
        content = export_agenda(rows, fmt, ctx.lang, title=event.name)
    output.write_bytes(content)
    ctx.emit({"ok": True, "rows": len(rows)}, f"wrote {output}: {len(rows)} meetings")


# ---- the standalone solver ----------------------------------------------------------------


@main.command()
@click.option(
    "--input",
    "source",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    required=True,
    help="Instance JSON (slots, institutions, projects, scores, …).",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Where to write the agenda JSON (also written when infeasible).",
)
@click.option("--time-limit", default=10.0, show_default=True, type=click.FloatRange(0.1, 3600))
@click.option(
    "--fair", is_flag=True, help="Raise every project's minimum to the largest feasible value."
)
@click.option(
    "--previous",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Repair this agenda (an earlier --output) with the fewest meetings moved (no --fair).",
)
@pass_ctx
@handles_errors
def schedule(
    ctx: Context, source: Path, output: Path, time_limit: float, fair: bool, previous: Path | None
) -> None:
    """Solve a scheduling instance without a database.

    Exit 0 with an agenda, 1 if no valid agenda exists (the reasons are printed and written),
    2 if the input is malformed (one line per problem; nothing is written).
    """
    from matchmaker.scheduling import agenda_to_dict, parse_instance, repair, solve
    from matchmaker.scheduling.result import parse_meetings, placement_to_dict

    instance = parse_instance(_load(source))
    before = parse_meetings(_load(previous)) if previous is not None else None
    changes = None
    if before is not None:
        fixed = repair(instance, before, time_limit=time_limit)
        agenda = fixed.agenda
        changes = {
            "moved": [
                {**placement_to_dict(a), "to_slot": b.slot, "to_table": b.table}
                for a, b in fixed.moved
            ],
            "dropped": [placement_to_dict(m) for m in fixed.dropped],
            "added": [placement_to_dict(m) for m in fixed.added],
        }
    else:
        progress = None if ctx.as_json else _ElapsedProgress()
        agenda = solve(instance, time_limit=time_limit, fair=fair, progress=progress)
    data = {**agenda_to_dict(agenda, ctx.lang), **(changes or {})}
    output.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    ctx.emit(
        {"ok": agenda.status != "infeasible", **data}, _schedule_summary(data, ctx.lang, output)
    )
    if agenda.status == "infeasible":
        raise SystemExit(1)


def _load(path: Path) -> Any:
    from matchmaker.errors import InvalidInput, Problem

    try:
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except json.JSONDecodeError as exc:
        where = f"{path.name}: line {exc.lineno} column {exc.colno}"
        problem = Problem("schedule.bad_json", column=where, params={"detail": exc.msg})
    except UnicodeDecodeError as exc:
        problem = Problem("schedule.bad_json", column=path.name, params={"detail": exc.reason})
    raise InvalidInput("schedule.invalid", [problem], count=1)


def _schedule_summary(data: dict[str, Any], lang: str, output: Path) -> str:
    stats = data["stats"]
    lines = [
        f"status {data['status']}  objective {data['objective']:.4f}  "
        f"bound {data['bound']:.4f}"
        + (f"  gap {data['gap']:.2e}" if data["gap"] is not None else "")
    ]
    if data["meetings"]:
        per_project = stats.get("meetings_per_project", {})
        gaps = stats.get("idle_gaps", {})
        lines.append(
            f"meetings {len(data['meetings'])}  per project min {per_project.get('min')} "
            f"max {per_project.get('max')}  idle gaps {gaps.get('institutions')} institutions "
            f"/ {gaps.get('projects')} projects  {stats.get('seconds')} s"
        )
    if data.get("fair_minimum") is not None:
        lines.append(
            f"fair minimum {data['fair_minimum']}  "
            f"price of fairness {stats.get('price_of_fairness', 0):.4f}"
        )
    if "moved" in data:
        lines.append(
            f"moved {len(data['moved'])}  dropped {len(data['dropped'])}  "
            f"added {len(data['added'])}"
        )
        lines += [
            f"  moved {m['institution']} × {m['project']}: {m['slot']} → {m['to_slot']}"
            + (
                f" (table {m['table']} → {m['to_table']})"
                if m["table"] not in (None, m["to_table"])
                else ""
            )
            for m in data["moved"]
        ]
    lines += [f"! {d['message']}" for d in data["diagnostics"]]
    lines.append(f"wrote {output}")
    return "\n".join(lines)


class _ElapsedProgress:
    """Phase lines on stderr, only once a solve has run for a second (quick ones stay quiet)."""

    def __init__(self) -> None:
        self.start = time.perf_counter()

    def __call__(self, phase: str, fraction: float) -> None:
        elapsed = time.perf_counter() - self.start
        if elapsed >= 1.0:
            click.echo(f"  [{elapsed:5.1f} s] {phase} {fraction:.0%}", err=True)
