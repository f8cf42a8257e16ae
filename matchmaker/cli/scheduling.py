"""The standalone solver: ``matchmaker schedule --input instance.json --output agenda.json``."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import click

from matchmaker.cli.base import Context, handles_errors, main, pass_ctx


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
        progress = None if ctx.as_json else _Progress()
        agenda = solve(instance, time_limit=time_limit, fair=fair, progress=progress)
    data = {**agenda_to_dict(agenda, ctx.lang), **(changes or {})}
    output.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    ctx.emit({"ok": agenda.status != "infeasible", **data}, _summary(data, ctx.lang, output))
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


def _summary(data: dict[str, Any], lang: str, output: Path) -> str:
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


class _Progress:
    """Phase lines on stderr, only once a solve has run for a second (quick ones stay quiet)."""

    def __init__(self) -> None:
        self.start = time.perf_counter()

    def __call__(self, phase: str, fraction: float) -> None:
        elapsed = time.perf_counter() - self.start
        if elapsed >= 1.0:
            click.echo(f"  [{elapsed:5.1f} s] {phase} {fraction:.0%}", err=True)
