"""Commands for roadshow sessions: draw the pitch order by lot, verify a draw, publish it."""

from __future__ import annotations

import click

from matchmaker.cli.base import Context, handles_errors, main, pass_ctx

SESSION = click.option("--session", "session_code", required=True, help="Session code, e.g. R1.")
EVENT = click.option("--event", "event_code", help="Event code (needed when there are several).")


@main.group()
def roadshow() -> None:
    """Draw, verify and publish a roadshow session's pitch order."""


@roadshow.command("draw")
@SESSION
@EVENT
@click.option("--seed", type=click.IntRange(0, 2**63 - 1), help="Default: a random seed.")
@click.option(
    "--minutes",
    "pitch_minutes",
    type=click.IntRange(1, 240),
    help="Minutes per pitch from the session's start (default: one slot each).",
)
@pass_ctx
@handles_errors
def roadshow_draw(
    ctx: Context,
    session_code: str,
    event_code: str | None,
    seed: int | None,
    pitch_minutes: int | None,
) -> None:
    """Draw the pitch order by lot and record the seed (refused once a draw is published)."""
    from matchmaker.services.agendas.roadshow import make_draw
    from matchmaker.services.registry.events import get_session

    with ctx.transaction() as db:
        draw = make_draw(db, get_session(db, event_code, session_code), None, seed, pitch_minutes)
        data = {"ok": True, "number": draw.number, "seed": draw.seed, "order": list(draw.order)}
    ctx.emit(data, f"draw {data['number']} seed {data['seed']}: " + " ".join(data["order"]))


@roadshow.command("verify")
@SESSION
@EVENT
@click.option("--draw", "number", type=click.IntRange(1), help="Default: the standing draw.")
@pass_ctx
@handles_errors
def roadshow_verify(
    ctx: Context, session_code: str, event_code: str | None, number: int | None
) -> None:
    """Draw again from the recorded seed and compare with the recorded order (exit 1 if not)."""
    from matchmaker.services.agendas.roadshow import verify_draw
    from matchmaker.services.registry.events import get_session

    with ctx.transaction() as db:
        found = verify_draw(db, get_session(db, event_code, session_code), number)
        data = {
            "ok": found.matches,
            "number": found.draw.number,
            "seed": found.draw.seed,
            "recorded": list(found.draw.order),
            "expected": found.expected,
            "same_projects": found.same_projects,
        }
    verdict = "matches" if found.matches else "DOES NOT MATCH"
    lines = [f"draw {data['number']} seed {data['seed']}: {verdict}", " ".join(data["expected"])]
    if not found.same_projects:
        lines.append("! the session's projects changed after the draw")
    ctx.emit(data, "\n".join(lines))
    if not found.matches:
        raise SystemExit(1)


@roadshow.command("publish")
@SESSION
@EVENT
@pass_ctx
@handles_errors
def roadshow_publish(ctx: Context, session_code: str, event_code: str | None) -> None:
    """Publish the standing draw: investors see the order, and no new draw is made."""
    from matchmaker.services.agendas.roadshow import publish_draw
    from matchmaker.services.registry.events import get_session

    with ctx.transaction() as db:
        draw = publish_draw(db, get_session(db, event_code, session_code), None)
        data = {"ok": True, "number": draw.number, "seed": draw.seed}
    ctx.emit(data, f"published draw {data['number']} (seed {data['seed']})")
