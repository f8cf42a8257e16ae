"""Commands for long-term follow-up: landings (落户, 入驻园区, 合作, investments whose amount is
to be fixed) and the services' own tasks (贷款对接, 入驻, 培训, 政策申报)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import click

from matchmaker.cli.base import Context, handles_errors, main, pass_ctx
from matchmaker.cli.ledger import AS_USER, EVENT, _actor, due_diligence

DAY = click.DateTime(["%Y-%m-%d"])


def _refused(code: str, column: str, value: Any, **params: Any) -> Exception:
    from matchmaker.errors import InvalidInput, Problem

    problem = Problem(code, column=column, value=value, params=params)
    return InvalidInput("landing.invalid", [problem], count=1)


def _vocab(cls: Any, column: str, raw: str | None) -> Any:
    """Return the member ``raw`` names (code, label or alias); a refusal naming it otherwise."""
    if raw is None:
        return None
    try:
        return cls.parse(raw)
    except ValueError:
        raise _refused("landing.bad_choice", column, raw, choices=cls.choices()) from None


def _value(raw: str | None) -> tuple[int | None, bool]:
    """Return ``(yuan, pending)`` from ``--value``: an amount (500万, 1.2亿, 3000) or 待定."""
    from matchmaker.domain import is_pending_word, parse_amount
    from matchmaker.errors import InvalidInput

    if raw is None:
        return None, False
    if is_pending_word(raw):
        return None, True
    try:
        return parse_amount(raw, default_unit=1), False
    except InvalidInput as exc:
        raise _refused(exc.code, "value", raw, **exc.params) from None


def _row(landing: Any) -> dict[str, Any]:
    from matchmaker.services.ledger.landings import snapshot

    return {"id": landing.id, "version": landing.version, **snapshot(landing)}


@main.group()
def landings() -> None:
    """Landings: 落户, 入驻园区, 合作 (loan, space, equipment, orders); fixing amounts later."""


@landings.command("add")
@EVENT
@AS_USER
@click.option("--project", required=True, help="The project's registration id.")
@click.option("--kind", required=True, help="落户 relocation, 入驻园区 park or 合作 cooperation.")
@click.option("--cooperation", help="For 合作: 贷款 loan, 场地 space, 设备 equipment, 订单 orders.")
@click.option("--date", "landed_on", type=DAY, required=True, help="When it landed (YYYY-MM-DD).")
@click.option("--place", default="", help="Where (the city, the park).")
@click.option("--counterpart", default="", help="Who with (a park, a city service, a bank).")
@click.option("--institution", help="The institution, when the counterpart is one of the event's.")
@click.option("--value", help="For 合作: the value (500万, 3000000) or 待定 (to be fixed).")
@click.option("--note", default="")
@pass_ctx
@handles_errors
def landings_add(
    ctx: Context,
    event_code: str | None,
    username: str | None,
    project: str,
    kind: str,
    cooperation: str | None,
    landed_on: datetime,
    place: str,
    counterpart: str,
    institution: str | None,
    value: str | None,
    note: str,
) -> None:
    """Record a landing; every problem is named and nothing is written when there is one."""
    from matchmaker.domain import CooperationKind, LandingKind
    from matchmaker.services.ledger.landings import add_landing
    from matchmaker.services.registry.events import get_event

    yuan, pending = _value(value)
    values = {
        "kind": _vocab(LandingKind, "kind", kind),
        "cooperation": _vocab(CooperationKind, "cooperation", cooperation),
        "landed_on": landed_on.date(),
        "place": place,
        "counterpart": counterpart,
        "value": yuan,
        "value_pending": pending,
        "note": note,
    }
    with ctx.transaction() as db:
        event = get_event(db, event_code)
        landing = add_landing(db, _actor(db, username), event, project, values, institution)
        data = _row(landing)
    ctx.emit(data, f"landing {data['id']}: {project} {values['kind'].label(ctx.lang)}")


@landings.command("list")
@EVENT
@click.option("--kind", help="Only this kind.")
@pass_ctx
@handles_errors
def landings_list(ctx: Context, event_code: str | None, kind: str | None) -> None:
    """List the event's landings, oldest first."""
    from matchmaker.domain import LandingKind, format_yuan
    from matchmaker.messages import render
    from matchmaker.services.ledger.landings import list_landings
    from matchmaker.services.registry.events import get_event

    with ctx.transaction() as db:
        found = list_landings(
            db, get_event(db, event_code), None, _vocab(LandingKind, "kind", kind)
        )
        rows = [_row(landing) for landing in found]
    lines = []
    for row in rows:
        value = (
            render("landing.pending", ctx.lang)
            if row["value_pending"]
            else format_yuan(row["value"], ctx.lang)
        )
        lines.append(
            f"{row['id']}  {row['landed_on']}  {row['project_id']}  {row['kind']}"
            f"{':' + row['cooperation'] if row['cooperation'] else ''}  {row['place']}"
            f"  {row['counterpart']}  {value}".rstrip()
        )
    ctx.emit({"landings": rows}, "\n".join(lines) or render("ui.landings_none", ctx.lang))


@landings.command("fix")
@EVENT
@AS_USER
@click.option("--landing", "landing_id", type=int, help="A landing's id (its 合作 value).")
@click.option("--intent", "intent_id", type=int, help="An intent's id (its invested amount).")
@click.option("--value", required=True, help="The amount now fixed: 500万, 1.2亿, 3000000.")
@pass_ctx
@handles_errors
def landings_fix(
    ctx: Context,
    event_code: str | None,
    username: str | None,
    landing_id: int | None,
    intent_id: int | None,
    value: str,
) -> None:
    """Fill in an amount that was to be fixed (待定); the change is audited."""
    from matchmaker.db.models import Intent
    from matchmaker.errors import NotFound
    from matchmaker.messages import Ref
    from matchmaker.services.ledger.intent_changes import update_intent
    from matchmaker.services.ledger.landings import fix_value, get_landing
    from matchmaker.services.registry.events import get_event

    if (landing_id is None) == (intent_id is None):
        raise click.UsageError("give one of --landing or --intent")
    yuan, pending = _value(value)
    if yuan is None or pending:
        raise _refused("landing.fix_needs_amount", "value", value)
    with ctx.transaction() as db:
        event = get_event(db, event_code)
        actor = _actor(db, username)
        if landing_id is not None:
            landing = get_landing(db, landing_id, None)
            if landing.event_id != event.id:
                raise NotFound(what=Ref("what.landing"), key=landing_id)
            fix_value(db, actor, landing, yuan)
            data = _row(landing)
        else:
            intent = db.get(Intent, intent_id)
            if intent is None or intent.event_id != event.id:
                raise NotFound(what=Ref("what.intent"), key=intent_id)
            update_intent(db, actor, intent, {"invested_amount": yuan})
            data = {"intent_id": intent.id, "invested_amount": intent.invested_amount}
    ctx.emit(data, f"fixed: {yuan:,}")


@landings.command("invest")
@EVENT
@AS_USER
@click.argument("intent_id", type=int)
@click.option("--date", "invested_at", type=DAY, required=True, help="When it landed.")
@click.option("--value", required=True, help="The invested amount, or 待定 (to be fixed).")
@pass_ctx
@handles_errors
def landings_invest(
    ctx: Context,
    event_code: str | None,
    username: str | None,
    intent_id: int,
    invested_at: datetime,
    value: str,
) -> None:
    """Move an intent to 投资落地, its amount given or 待定 (to be fixed later)."""
    from matchmaker.db.models import Intent
    from matchmaker.domain import IntentStatus
    from matchmaker.errors import NotFound
    from matchmaker.messages import Ref
    from matchmaker.services.ledger.intent_changes import update_intent
    from matchmaker.services.registry.events import get_event

    yuan, pending = _value(value)
    with ctx.transaction() as db:
        event = get_event(db, event_code)
        intent = db.get(Intent, intent_id)
        if intent is None or intent.event_id != event.id:
            raise NotFound(what=Ref("what.intent"), key=intent_id)
        changes = {
            "status": IntentStatus.INVESTED,
            "invested_at": invested_at.date(),
            "invested_amount": yuan,
            "invested_amount_pending": pending,
        }
        update_intent(db, _actor(db, username), intent, changes)
        data = {
            "intent_id": intent.id,
            "status": intent.status.value,
            "invested_amount": intent.invested_amount,
            "invested_amount_pending": intent.invested_amount_pending,
        }
    ctx.emit(data, f"intent {intent_id}: {data['status']}")


@due_diligence.command("add")
@EVENT
@AS_USER
@click.option("--project", required=True, help="The project's registration id.")
@click.option("--institution", help="The institution (needed for due diligence).")
@click.option("--kind", default="due_diligence", help="尽调, 贷款对接, 入驻, 培训 or 政策申报.")
@click.option("--counterpart", default="", help="Who a service task is with (as text).")
@click.option("--owner", required=True, help="Who follows it up.")
@click.option("--due", type=DAY, help="Due date (YYYY-MM-DD).")
@pass_ctx
@handles_errors
def dd_add(
    ctx: Context,
    event_code: str | None,
    username: str | None,
    project: str,
    institution: str | None,
    kind: str,
    counterpart: str,
    owner: str,
    due: datetime | None,
) -> None:
    """Open a follow-up task: due diligence with an institution, or a service's own task."""
    from matchmaker.domain import TaskKind
    from matchmaker.services.ledger.due_diligence import add_task
    from matchmaker.services.registry.events import get_event

    values = {
        "kind": _vocab(TaskKind, "kind", kind),
        "counterpart": counterpart,
        "owner": owner,
        "due_date": due.date() if due else None,
    }
    with ctx.transaction() as db:
        event = get_event(db, event_code)
        task = add_task(db, _actor(db, username), event, project, institution, values)
        data = {"id": task.id, "kind": task.kind.value, "counterpart": task.counterpart_name}
    ctx.emit(data, f"task {data['id']}: {project} {values['kind'].label(ctx.lang)}")
