"""Sign-in for API clients: exchange a user name and password for a bearer token."""

from __future__ import annotations

from typing import Any

from flask import current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint

from matchmaker.api.auth import BEARER, require, user
from matchmaker.api.context import db
from matchmaker.api.resources.common import rate_limited
from matchmaker.api.schemas.registry import Credentials, Me, TokenOut
from matchmaker.services.registry.accounts import Account, IssuedToken, revoke_token, sign_in_api

blp = Blueprint("auth", __name__, url_prefix="/api/v1", description="Tokens and the current user")


@blp.route("/auth/token")
class Token(MethodView):
    @blp.arguments(Credentials)
    @blp.response(201, TokenOut)
    @blp.alt_response(401, response="UNAUTHORIZED")  # wrong user name or password
    @rate_limited(blp)
    def post(self, data: dict[str, Any]) -> IssuedToken:
        """Exchange user name and password for a bearer token (shown once)."""
        days = current_app.config["MATCHMAKER_TOKEN_DAYS"]
        issued = sign_in_api(db(), data["username"], data["password"], days)
        db().commit()
        return issued

    @blp.doc(security=BEARER)
    @require()
    @blp.response(204)
    def delete(self) -> None:
        """Revoke the token this request presents (sign out)."""
        revoke_token(db(), request.headers["Authorization"].partition(" ")[2].strip())
        db().commit()


@blp.route("/me")
class CurrentUser(MethodView):
    @blp.doc(security=BEARER)
    @require()
    @blp.response(200, Me)
    def get(self) -> Account:
        """Who the token belongs to: role and the institution or project it is bound to."""
        return Account.of(user())
