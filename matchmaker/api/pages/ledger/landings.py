"""The landings page: the event's landings by kind (fixed totals, how many are to be fixed),
the list, a form to record one and a form to fix a value that was 待定."""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, session, url_for

from matchmaker.api.context import db
from matchmaker.api.i18n import lang, t
from matchmaker.api.pages.common import check_csrf, notice, page_event, signed_in, signed_in_user
from matchmaker.api.pages.ledger.base import STAFF, Form, FormErrors, bp
from matchmaker.api.schemas.ledger.forms import FixValueForm, LandingForm
from matchmaker.domain import CooperationKind, LandingKind
from matchmaker.errors import Conflict, InvalidInput, Problem
from matchmaker.services.ledger import landings as service
from matchmaker.services.ledger.intents import find_pair, pair_choices
from matchmaker.services.ledger.outcomes import kind_label


def _page(form: Form | None = None, errors: FormErrors | None = None) -> Any:
    me, event = signed_in_user(), page_event()
    found = service.list_landings(db(), event, me)
    totals = [t_ for key, t_ in service.kind_totals(found).items() if key != "investment"]
    can_write = service.may_write(me)
    projects, institutions = pair_choices(db(), event, me) if can_write else ([], [])
    return render_template(
        "landings.html",
        event=event,
        landings=found,
        totals=totals,
        label_of=lambda key: kind_label(key, lang()),
        key_of=service.kind_key,
        lang_code=lang(),
        kinds=list(LandingKind),
        cooperations=list(CooperationKind),
        can_write=can_write,
        projects=projects,
        institutions=institutions,
        form=form or request.args,
        errors=errors.by_field if errors else {},
        notice=session.pop("notice", None),
    ), (422 if errors else 200)


@bp.get("/landings")
@signed_in()
def landings_page() -> Any:
    """The event's landings you may see, with totals by kind."""
    return _page()


@bp.post("/landings")
@signed_in(*STAFF)
def landing_create() -> Any:
    """Record a landing; a refused form comes back with each problem beside its field."""
    check_csrf()
    event, errors = page_event(), FormErrors()
    values = errors.read(LandingForm(), request.form)
    project_code, institution_code = values.pop("project", None), values.pop("institution", None)
    project, institution = find_pair(db(), event, project_code, institution_code)
    if project is None:
        errors.add(Problem("import.unknown_project", column="project", value=project_code))
    if institution_code and institution is None:
        errors.add(
            Problem("import.unknown_institution", column="institution", value=institution_code)
        )
    if not errors:
        assert project is not None
        try:
            service.add_landing(
                db(), signed_in_user(), event, project.code, values, institution_code or None
            )
        except InvalidInput as exc:
            errors.add(*exc.problems)
    if errors:
        db().rollback()
        return _page(request.form, errors)
    db().commit()
    notice("ok", t("ui.landings_saved"))
    return redirect(url_for(".landings_page", event=event.code))


@bp.post("/landings/<int:landing_id>")
@signed_in(*STAFF)
def landing_fix(landing_id: int) -> Any:
    """Fix a landing's value (待定 until now); audited."""
    check_csrf()
    me, errors = signed_in_user(), FormErrors()
    landing = service.get_landing(db(), landing_id, me)
    values = errors.read(FixValueForm(), request.form)
    if not errors:
        try:
            version = request.form.get("version", type=int)
            service.fix_value(db(), me, landing, values["value"], version)
        except InvalidInput as exc:
            errors.add(*exc.problems)
        except Conflict as exc:
            db().rollback()
            notice("error", exc.message(lang()))
            return redirect(url_for(".landings_page"))
    if errors:
        db().rollback()
        return _page(request.form, errors)
    db().commit()
    notice("ok", t("ui.landings_saved"))
    return redirect(url_for(".landings_page"))
