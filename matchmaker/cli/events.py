"""Commands to set up a contest: ``matchmaker event …`` and ``matchmaker session …``.

Part of the registry feature (``cli/registry.py`` holds its import, export and accounts); every
value is passed to the services as written, so an error names the field and the value.
"""

from __future__ import annotations

from typing import Any

import click

from matchmaker.cli.base import Context, handles_errors, main, pass_ctx
from matchmaker.messages import render

_KINDS = "local|national|alumni|roadshow|other (or 本地/全国/往届/路演/其他)"
_TYPES_HELP = (
    "Institution types (机构类型) besides the six, each matched like one of them if given: "
    '"担保公司=bank,小额贷款公司=银行,商会".'
)


@main.group()
def event() -> None:
    """Create, edit and list events (大赛 / 活动)."""


@event.command("create")
@click.option("--code", required=True, help="Event code, e.g. XH2027.")
@click.option("--name", required=True, help="Name (中文).")
@click.option("--year", required=True, help="Year of the contest, e.g. 2027.")
@click.option("--name-en", default="", help="English name.")
@click.option("--city", default="", help="City.")
@click.option("--organiser", default="", help="Organiser (组委会).")
@click.option("--languages", default="zh,en", show_default=True, help="Working languages.")
@click.option(
    "--preset",
    type=click.Choice(["zhongguo-chuangyi", "chuangke-zhongguo", "none"]),
    default="zhongguo-chuangyi",
    show_default=True,
    help="Tracks and groups to start from: 中国创翼's six, 创客中国's fields (both with "
    "企业组/创客组), or none (no tracks or groups but those listed).",
)
@click.option(
    "--tracks",
    default="",
    help="The event's own tracks (赛道), after the preset's: \"电子信息,生物医药,非遗文创\".",
)
@click.option(
    "--groups",
    default="",
    help="The event's own groups (组别), after the preset's: \"初创组,成长组\".",
)
@click.option("--institution-types", default="", help=_TYPES_HELP)
@click.option("--parent", help="The city's event this county's 分赛场 belongs to (its code).")
@click.option("--division", help="The city or county that runs it: 洪洞县, or its adcode 141024.")
@pass_ctx
@handles_errors
def event_create(
    ctx: Context,
    code: str,
    tracks: str,
    groups: str,
    institution_types: str,
    parent: str | None,
    division: str | None,
    **fields: Any,
) -> None:
    """Create an event, its tracks and groups; then add its sessions with `matchmaker session
    add`. A county's 分赛场 names its city's event with --parent and its county with
    --division (an organiser scoped to the city's event then sees it too)."""
    from matchmaker.domain import split_multi
    from matchmaker.services.registry.events import create_event, get_event
    from matchmaker.services.registry.scopes import parse_division, place_event

    with ctx.transaction() as db:
        # one transaction: a bad --parent or --division leaves no event behind
        above = get_event(db, parent) if parent else None
        adcode = parse_division(division) if division else None
        created = create_event(
            db,
            code,
            tracks=split_multi(tracks),
            groups=split_multi(groups),
            institution_types=split_multi(institution_types),
            **fields,
        )
        place_event(db, created, above, adcode)
        row = _event_row(created)
    ctx.emit({"ok": True, **row}, render("event.created", ctx.lang, **row))


@event.command("edit")
@click.option("--code", required=True, help="The event to change.")
@click.option("--name")
@click.option("--name-en")
@click.option("--year")
@click.option("--city")
@click.option("--organiser")
@click.option("--languages", help="Working languages, e.g. zh,en.")
@click.option("--groups", help='Groups (组别) to add, by their names: "初创组,成长组".')
@click.option("--institution-types", help="Institution types to add. " + _TYPES_HELP)
@pass_ctx
@handles_errors
def event_edit(
    ctx: Context,
    code: str,
    groups: str | None,
    institution_types: str | None,
    **fields: Any,
) -> None:
    """Change an event's names, year, city, organiser or languages (the options given); add
    groups and institution types (`matchmaker groups` and `matchmaker institution-types` list
    and remove them)."""
    from matchmaker.domain import split_multi
    from matchmaker.services.registry.events import update_event

    changes = {k: v for k, v in fields.items() if v is not None}
    if groups is not None:
        changes["groups"] = split_multi(groups)
    if institution_types is not None:
        changes["institution_types"] = split_multi(institution_types)
    with ctx.transaction() as db:
        row = _event_row(update_event(db, code, changes))
    ctx.emit({"ok": True, **row}, render("event.edited", ctx.lang, **row))


@event.command("list")
@pass_ctx
@handles_errors
def event_list(ctx: Context) -> None:
    """List events and their sessions."""
    _list_events(ctx)


@main.command("events")
@pass_ctx
@handles_errors
def events(ctx: Context) -> None:
    """List events and their sessions (the same as `matchmaker event list`)."""
    _list_events(ctx)


def _list_events(ctx: Context) -> None:
    from matchmaker.services.registry.events import all_events

    with ctx.snapshot() as db:
        rows = [
            {**_event_row(e), "sessions": [_session_row(s) for s in e.sessions]}
            for e in all_events(db)
        ]
    text = "\n".join(
        f"{r['code']}  {r['name']}  {r['year']}\n"
        + "\n".join(f"    {_session_line(s)}" for s in r["sessions"])
        for r in rows
    )
    ctx.emit(rows, text or "no events")


@main.group()
def session() -> None:
    """Add, edit, delete and list an event's matchmaking sessions (对接专场)."""


def _layout_options(required: bool) -> Any:
    """The options describing a session, shared by ``add`` and ``edit``."""

    def decorate(command: Any) -> Any:
        options = [
            click.option("--name", required=required, help="Name (中文)."),
            click.option("--name-en", help="English name."),
            click.option("--kind", required=required, help=_KINDS),
            click.option("--date", "date", required=required, help="YYYY-MM-DD"),
            click.option("--start", required=required, help="HH:MM (Asia/Shanghai)"),
            click.option("--end", required=required, help="HH:MM"),
            click.option("--slot-minutes", required=required, help="Minutes per slot (5-240)."),
            click.option(
                "--tables", required=required, help="Table count, or labels such as A1,A2,B1."
            ),
            click.option("--table-labels", help="Labels, one per table: A1,A2,B1."),
            click.option("--breaks", help="Breaks without meetings: 12:00-13:30,15:00-15:15"),
            click.option("--venue", help="Where it takes place."),
        ]
        for option in reversed(options):
            command = option(command)
        return command

    return decorate


@session.command("add")
@click.option("--event", "event_code", help="Event code (needed when there are several).")
@click.option("--code", required=True, help="Session code, e.g. S1.")
@_layout_options(required=True)
@pass_ctx
@handles_errors
def session_add(ctx: Context, event_code: str | None, code: str, **fields: Any) -> None:
    """Add a session: its slots are laid out from start to end around the breaks."""
    from matchmaker.services.registry.events import create_session
    from matchmaker.services.registry.sessions import SessionSpec

    spec = SessionSpec.from_dict({"code": code, **_given(fields)})
    with ctx.transaction() as db:
        row = _session_row(create_session(db, event_code, spec))
    text = render("session.created", ctx.lang, session=row["code"], **_counts(row))
    ctx.emit({"ok": True, **row}, f"{text}\n  {_session_line(row)}")


@session.command("edit")
@click.option("--event", "event_code", help="Event code (needed when there are several).")
@click.option("--code", required=True, help="The session to change.")
@_layout_options(required=False)
@click.option(
    "--drop-meetings",
    is_flag=True,
    help="With a published agenda, cancel the meetings that no longer fit (else refused).",
)
@pass_ctx
@handles_errors
def session_edit(
    ctx: Context, event_code: str | None, code: str, drop_meetings: bool, **fields: Any
) -> None:
    """Change a session. Before its agenda is published slots and tables are laid out again;
    afterwards meetings that lose their slot are re-placed by a repair, and listed."""
    from matchmaker.services.agendas.session_edit import edit_session
    from matchmaker.services.registry.events import get_session

    with ctx.transaction() as db:
        change = edit_session(
            db,
            ctx.matcher(),
            event_code,
            code,
            _given(fields),
            lang=ctx.lang,
            drop_meetings=drop_meetings,
        )
        row = _session_row(get_session(db, event_code, code))
    lines = [render("session.edited", ctx.lang, session=code, **_counts(row))]
    lines.append(f"  {_session_line(row)}")
    if change.moved:
        lines.append(render("session.moved", ctx.lang, count=len(change.moved)))
        lines += [
            f"  {m['institution']} × {m['project']}: {m['slot']} {m['table']} → "
            f"{m['to_slot']} {m['to_table']}"
            for m in change.moved
        ]
    if change.dropped:
        key = "session.dropped_published" if change.published else "session.dropped"
        lines.append(render(key, ctx.lang, count=len(change.dropped)))
        lines += [
            f"  {m['institution']} × {m['project']}: {m['slot']} {m['table']}"
            for m in change.dropped
        ]
    ctx.emit({"ok": True, **row, "change": change.to_dict()}, "\n".join(lines))


@session.command("delete")
@click.option("--event", "event_code", help="Event code (needed when there are several).")
@click.option("--code", required=True, help="The session to delete (it must hold no meeting).")
@pass_ctx
@handles_errors
def session_delete(ctx: Context, event_code: str | None, code: str) -> None:
    """Delete a session that holds no meeting."""
    from matchmaker.services.registry.events import delete_session

    with ctx.transaction() as db:
        delete_session(db, event_code, code)
    ctx.emit({"ok": True, "code": code}, render("session.deleted", ctx.lang, session=code))


@session.command("list")
@click.option("--event", "event_code", help="Event code (needed when there are several).")
@pass_ctx
@handles_errors
def session_list(ctx: Context, event_code: str | None) -> None:
    """List an event's sessions with their slots, breaks and tables."""
    from matchmaker.services.registry.events import get_event

    with ctx.snapshot() as db:
        rows = [_session_row(s) for s in get_event(db, event_code).sessions]
    ctx.emit(rows, "\n".join(_session_line(r) for r in rows) or "no sessions")


def _given(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in fields.items() if v is not None}


def _event_row(e: Any) -> dict[str, Any]:
    from matchmaker.services.registry.vocabulary import event_vocabulary

    vocab = event_vocabulary(e)
    return {
        "code": e.code,
        "name": e.name,
        "name_en": e.name_en,
        "year": e.year,
        "city": e.city,
        "organiser": e.organiser,
        "languages": e.languages,
        "parent": e.parent.code if e.parent is not None else None,
        "division": e.division,
        "preset": vocab.preset,
        "tracks": vocab.tracks.keys(),
        "groups": vocab.groups.keys(),
        "institution_types": vocab.institution_types.keys(),
    }


def _session_row(s: Any) -> dict[str, Any]:
    from matchmaker.domain import LOCAL_TZ
    from matchmaker.services.registry.sessions import hhmm, spec_of

    spec = spec_of(s)
    return {
        **spec,
        "starts_at": s.starts_at.astimezone(LOCAL_TZ).isoformat(),
        "tables": len(spec["tables"]),
        "table_labels": spec["tables"],
        "slots": len(s.slots),
        "slot_times": [f"{hhmm(slot.starts_at)}-{hhmm(slot.ends_at)}" for slot in s.slots],
    }


def _counts(row: dict[str, Any]) -> dict[str, int]:
    return {"slots": row["slots"], "tables": row["tables"]}


def _session_line(r: dict[str, Any]) -> str:
    breaks = f"  breaks {','.join(r['breaks'])}" if r["breaks"] else ""
    return (
        f"{r['code']}  {r['name']}  {r['kind']}  {r['date']} {r['start']}-{r['end']}  "
        f"{r['slots']} slots × {r['slot_minutes']} min, {r['tables']} tables "
        f"({','.join(r['table_labels'])}){breaks}"
    )
