"""Sign-in for API clients: exchange a user name and password for a bearer token."""

from __future__ import annotations

from typing import Any

from flask import current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint

from matchmaker.api.auth import BEARER, require, user
from matchmaker.api.context import db
from matchmaker.api.resources.common import present_user, rate_limited
from matchmaker.api.schemas.common import Credentials, Me, TokenOut
from matchmaker.db.models import User
from matchmaker.services.registry.accounts import authenticate, issue_token, revoke_token

blp = Blueprint("auth", __name__, url_prefix="/api/v1", description="Tokens and the current user")


@blp.route("/auth/token")
class Token(MethodView):
    @blp.arguments(Credentials)
    @blp.response(201, TokenOut)
    @blp.alt_response(401, response="UNAUTHORIZED")  # wrong user name or password
    @rate_limited(blp)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Exchange user name and password for a bearer token (shown once)."""
        found = authenticate(db(), data["username"], data["password"])
        token, row = issue_token(db(), found, "api", current_app.config["MATCHMAKER_TOKEN_DAYS"])
        db().commit()
        return {"token": token, "expires_at": row.expires_at, "user": present_user(found)}

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
    def get(self) -> User:
        """Who the token belongs to: role and the institution or project it is bound to."""
        return present_user(user())
