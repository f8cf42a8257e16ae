"""The library page (organisers): share the contest with the library, decide link proposals."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, session, url_for

from matchmaker.api.context import db
from matchmaker.api.i18n import lang, t
from matchmaker.api.pages.common import (
    check_csrf,
    notice,
    page_event,
    run_action,
    signed_in,
    signed_in_user,
)
from matchmaker.domain import Role
from matchmaker.services.library import proposals
from matchmaker.services.library.sharing import set_share_library

bp = Blueprint("library_pages", __name__)


@bp.get("/library")
@signed_in(Role.ORGANISER)
def library_page() -> str:
    """This contest's sharing switch and the link proposals waiting for a decision."""
    event = page_event()
    return render_template(
        "library.html",
        event=event,
        proposals=proposals.proposals(db(), event, lang=lang()),
        notice=session.pop("notice", None),
    )


@bp.post("/library/share")
@signed_in(Role.ORGANISER)
def library_share() -> Any:
    """Share (or stop sharing) this contest with the library; on the audit trail."""
    check_csrf()
    wanted = request.form.get("share", "")
    if wanted not in ("0", "1"):
        abort(400)
    event, me = page_event(), signed_in_user()
    if run_action(lambda: set_share_library(db(), event, wanted == "1", me)) is not None:
        notice("ok", t("library.share_on" if wanted == "1" else "library.share_off"))
    return redirect(url_for(".library_page"))


@bp.post("/library/proposals/<int:proposal_id>")
@signed_in(Role.ORGANISER)
def library_decide(proposal_id: int) -> Any:
    """Confirm a proposal (the row joins the proposed party) or reject it."""
    check_csrf()
    action = request.form.get("action", "")
    if action not in ("confirm", "reject"):
        abort(400)
    event, me = page_event(), signed_in_user()

    def decide() -> str:
        if action == "confirm":
            proposals.confirm_proposal(db(), event, proposal_id, me)
            return t("library.confirmed")
        proposals.reject_proposal(db(), event, proposal_id, me)
        return t("library.rejected")

    text = run_action(decide)
    if text is not None:
        notice("ok", text)
    return redirect(url_for(".library_page"))
