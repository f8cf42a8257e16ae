"""The notification delivery log as JSON (organisers and staff): what went to whom, what failed."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from matchmaker.api.auth import BEARER, require
from matchmaker.api.context import db
from matchmaker.api.i18n import lang
from matchmaker.api.resources.common import envelope
from matchmaker.api.schemas.deliveries import DeliveryPage, DeliveryQuery
from matchmaker.domain import Role
from matchmaker.services.notifications import deliveries

blp = Blueprint(
    "deliveries",
    __name__,
    url_prefix="/api/v1/notifications",
    description="Notification deliveries: each notice through each channel, with its tries",
)


@blp.route("/deliveries")
class Deliveries(MethodView):
    @blp.doc(security=BEARER)
    @require(Role.ORGANISER, Role.STAFF)
    @blp.arguments(DeliveryQuery, location="query")
    @blp.response(200, DeliveryPage)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Deliveries newest first, with every try, filtered by event, kind, channel, status
        and person."""
        page_number, size = args.pop("page"), args.pop("page_size")
        filters = deliveries.DeliveryFilters.read(args)
        page = deliveries.list_deliveries(db(), filters, page_number, size)
        page.items = deliveries.delivery_rows(db(), page.items, lang(), attempts=True)
        return envelope(page)
