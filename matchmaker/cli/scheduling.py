"""The standalone solver: ``matchmaker schedule --input instance.json --output agenda.json``."""

from __future__ import annotations

import json
from pathlib import Path

import click

from matchmaker.cli.base import Context, handles_errors, main, pass_ctx


@main.command()
@click.option(
    "--input", "source", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True
)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--time-limit", default=10.0, show_default=True, type=click.FloatRange(0.5, 3600))
@click.option(
    "--fair", is_flag=True, help="Raise every project's minimum to the largest feasible value."
)
@click.option(
    "--previous",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Repair this agenda instead of solving from scratch.",
)
@pass_ctx
@handles_errors
def schedule(
    ctx: Context, source: Path, output: Path, time_limit: float, fair: bool, previous: Path | None
) -> None:
    """Solve a scheduling instance without a database (exit 1 if infeasible, 2 if malformed)."""
    from matchmaker.errors import InvalidInput, Problem
    from matchmaker.scheduling import Placement, agenda_to_dict, parse_instance, repair, solve

    def load(path: Path) -> object:
        try:
            return json.loads(path.read_text(encoding="utf-8-sig"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            where = (
                f"line {exc.lineno} column {exc.colno}"
                if isinstance(exc, json.JSONDecodeError)
                else "$"
            )
            raise InvalidInput(
                "schedule.invalid",
                [Problem("error.bad_request", column=where, value=path.name)],
                count=1,
            ) from None

    instance = parse_instance(load(source))  # type: ignore[arg-type]
    moved = None
    if previous is not None:
        raw = load(previous)
        rows = raw.get("meetings", []) if isinstance(raw, dict) else []
        before = [
            Placement(str(m["institution"]), str(m["project"]), str(m["slot"]), m.get("table"))
            for m in rows
            if isinstance(m, dict)
        ]
        fixed = repair(instance, before, time_limit=time_limit)
        agenda, moved = fixed.agenda, fixed.moved
    else:
        agenda = solve(
            instance, time_limit=time_limit, fair=fair, progress=None if ctx.as_json else _progress
        )
    data = agenda_to_dict(agenda, ctx.lang)
    if moved is not None:
        data["moved"] = [
            {"institution": a.institution, "project": a.project, "from": a.slot, "to": b.slot}
            for a, b in moved
        ]
    output.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    stats = agenda.stats
    lines = [
        f"status: {agenda.status}  meetings: {len(agenda.meetings)}  "
        f"objective {agenda.objective:.4f}  bound {agenda.bound:.4f}"
        + (f"  gap {agenda.gap:.2e}" if agenda.status != "infeasible" else ""),
    ]
    if agenda.meetings:
        lines.append(
            f"per project: min {stats.get('project_meetings_min')} "
            f"max {stats.get('project_meetings_max')}"
            f"  idle gaps {stats.get('idle_gaps')}  {stats.get('seconds')} s"
            + (f"  fair minimum {agenda.fair_minimum}" if agenda.fair_minimum is not None else "")
        )
    if moved is not None:
        lines.append(f"moved: {len(moved)}")
    lines += [f"! {d.message(ctx.lang)}" for d in agenda.diagnostics]
    lines.append(f"wrote {output}")
    ctx.emit({"ok": agenda.status != "infeasible", **data}, "\n".join(lines))
    if agenda.status == "infeasible":
        raise SystemExit(1)


def _progress(phase: str, fraction: float) -> None:
    click.echo(f"  {phase} {fraction:.0%}", err=True)
