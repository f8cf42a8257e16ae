"""Commands for a contest's yearly targets (年度目标): set them, show them beside the actuals."""

from __future__ import annotations

from typing import Any

import click

from matchmaker.cli.base import Context, handles_errors, main, pass_ctx
from matchmaker.cli.ledger import AS_USER, EVENT, _actor

CLEAR_WORDS = ("-", "none", "清除", "无")


def _parse(pairs: tuple[str, ...]) -> dict[str, Any]:
    """Return ``{metric: value}`` from ``metric=value`` words: amounts as 5000万 / 1.2亿 / yuan,
    counts as integers, ``-`` to clear; a word that is none of those is kept as typed, so
    ``set_targets`` refuses it by name with the rest."""
    from matchmaker.domain import parse_amount
    from matchmaker.errors import InvalidInput, Problem
    from matchmaker.services.ledger.targets import AMOUNTS

    values: dict[str, Any] = {}
    for pair in pairs:
        metric, sep, raw = pair.partition("=")
        metric, raw = metric.strip(), raw.strip()
        if not sep or not metric:
            problem = Problem("targets.bad_value", column=pair, value=pair, params={"limit": "-"})
            raise InvalidInput("targets.invalid", [problem], count=1)
        if raw.lower() in CLEAR_WORDS:
            values[metric] = None
            continue
        try:
            if metric in AMOUNTS:
                values[metric] = parse_amount(raw, default_unit=1)
            else:
                values[metric] = int(raw.replace(",", ""))
        except (InvalidInput, ValueError):
            values[metric] = raw
    return values


def _lines(rows: list[dict[str, Any]], lang: str) -> str:
    from matchmaker.messages import render

    if not rows:
        return render("targets.none", lang)
    return "\n".join(
        f"{row['label']}: {row['actual_text']} / {row['target_text']}"
        + (f"  ({row['percent']}%)" if row["percent"] is not None else "")
        for row in rows
    )


@main.group()
def targets() -> None:
    """The year's targets (年度目标) of a city's or county's contest, beside its actuals."""


@targets.command("set")
@EVENT
@AS_USER
@click.argument("pairs", nargs=-1, required=True)
@pass_ctx
@handles_errors
def targets_set(
    ctx: Context, event_code: str | None, username: str | None, pairs: tuple[str, ...]
) -> None:
    """Set targets as METRIC=VALUE (signed_amount=5亿 signed_projects=40 landings=25;
    VALUE - clears one). Metrics: meetings_held, signed_projects, signed_amount,
    invested_projects, invested_amount, landings. Every value is checked before any is saved."""
    from matchmaker.services.ledger.reports import report
    from matchmaker.services.ledger.targets import actuals, progress, set_targets
    from matchmaker.services.registry.events import get_event

    values = _parse(pairs)
    with ctx.transaction() as db:
        event = get_event(db, event_code)
        saved = set_targets(db, event, values, _actor(db, username))
        rows = progress(saved, actuals(report(db, event, lang=ctx.lang)), ctx.lang)
        data = {"event": event.code, "year": event.year, "targets": saved, "progress": rows}
    ctx.emit(data, _lines(rows, ctx.lang))


@targets.command("show")
@EVENT
@pass_ctx
@handles_errors
def targets_show(ctx: Context, event_code: str | None) -> None:
    """Show the event's targets beside what it has done (the report's figures)."""
    from matchmaker.services.ledger.reports import report
    from matchmaker.services.ledger.targets import actuals, progress, targets_of
    from matchmaker.services.registry.events import get_event

    with ctx.transaction() as db:
        event = get_event(db, event_code)
        saved = targets_of(event)
        rows = progress(saved, actuals(report(db, event, lang=ctx.lang)), ctx.lang)
        data = {"event": event.code, "year": event.year, "targets": saved, "progress": rows}
    ctx.emit(data, _lines(rows, ctx.lang))
