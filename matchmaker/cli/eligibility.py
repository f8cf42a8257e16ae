"""``matchmaker rules``: the notices' eligibility rules of an event, switched and listed."""

from __future__ import annotations

from pathlib import Path

import click

from matchmaker.cli.base import Context, handles_errors, main, pass_ctx
from matchmaker.messages import render

_RULE_NAMES = "one-per-enterprise, one-per-person, not-both-groups, enterprise-not-maker, barred"


def _rules(value: str | None) -> list[str]:
    """Return the rule names in a comma list, as the service spells them (dashes → underscores)."""
    return [v.strip().replace("-", "_") for v in (value or "").split(",") if v.strip()]


@main.command("rules")
@click.option("--event", "event_code", help="Event code (needed when there are several).")
@click.option("--on", "on", metavar="RULE,…", help=f"Refuse what breaks these: {_RULE_NAMES}.")
@click.option("--warn", "warn", metavar="RULE,…", help="Let these through with a warning.")
@click.option("--off", "off", metavar="RULE,…", help="Switch these off.")
@click.option(
    "--barred-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Past winners barred (CSV, TXT or XLSX: credit codes, id numbers or project names); "
    "replaces the list, and switches `barred` on if it was off.",
)
@pass_ctx
@handles_errors
def rules(
    ctx: Context,
    event_code: str | None,
    on: str | None,
    warn: str | None,
    off: str | None,
    barred_file: Path | None,
) -> None:
    """Show the event's eligibility rules; --on/--warn/--off switch them first."""
    from matchmaker.services.registry import eligibility
    from matchmaker.services.registry.events import get_event

    switches: dict[str, str] = {}
    for option, given, mode in (
        ("--off", off, "off"),
        ("--warn", warn, "warn"),
        ("--on", on, "refuse"),
    ):
        for rule in _rules(given):
            if rule not in eligibility.RULES:
                shown = rule.replace("_", "-")
                raise click.BadParameter(
                    f"no rule {shown!r}; choose from: {_RULE_NAMES}", param_hint=option
                )
            switches[rule] = mode
    with ctx.transaction() as db:
        event = get_event(db, event_code)
        if barred_file is not None:
            entries = eligibility.barred_from_file(ctx.read_upload(barred_file), barred_file.name)
            eligibility.set_barred(db, event, entries)
            if "barred" not in switches and eligibility.rules_of(event).mode("barred") == "off":
                switches["barred"] = "refuse"
        current = eligibility.set_rules(db, event, **switches) if switches else None
        shown = (current or eligibility.rules_of(event)).to_dict()
        code = event.code
    lines = [render("rules.heading", ctx.lang, event=code)]
    for rule, mode in shown["rules"].items():
        label = render(f"rules.name_{rule}", ctx.lang)
        lines.append(
            f"  {rule.replace('_', '-'):<22} {render(f'rules.mode_{mode}', ctx.lang):<6} {label}"
        )
    lines.append(render("rules.barred_count", ctx.lang, count=len(shown["barred"])))
    ctx.emit({"ok": True, "event": code, **shown}, "\n".join(lines))
