"""The request's language: ?lang=, then the ``lang`` cookie, then Accept-Language; Chinese first."""

from __future__ import annotations

from flask import current_app, g, has_request_context, request

from matchmaker.messages import LANGUAGES, pick_language, render


def lang() -> str:
    """Return ``zh`` or ``en`` for this request."""
    if not has_request_context():
        return "zh"
    if "lang" in g:
        return g.lang
    default = current_app.config.get("MATCHMAKER_LANGUAGE", "zh")
    chosen = request.args.get("lang") or request.cookies.get("lang")
    if chosen not in LANGUAGES:
        header = request.accept_languages.best_match(["zh", "zh-CN", "zh-TW", "en"])
        chosen = (
            pick_language(header, default) if request.headers.get("Accept-Language") else default
        )
    g.lang = chosen
    return chosen


def t(code: str, **params: object) -> str:
    """Render message ``code`` in the request's language (templates call this as ``t``)."""
    return render(code, lang(), **params)
