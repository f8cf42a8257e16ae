"""A notice as a person reads it: subject, plain text and HTML, in their language.

Each kind has three sentences in :mod:`matchmaker.messages`: ``notice.<kind>.subject``,
``notice.<kind>.body`` (filled with the notice's ``params``) and, for each of its ``items``,
``notice.item.<what>`` (filled with the item). The HTML part is built from the same sentences,
each escaped, so a project's name can never become markup in someone's mail.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from html import escape
from typing import Any

from matchmaker.db.models import Notice
from matchmaker.messages import render as say

__all__ = ["Rendered", "render_notice"]


@dataclass(frozen=True)
class Rendered:
    """What a channel sends: a subject line, the lines of the body, and both bodies."""

    subject: str
    lines: tuple[str, ...]
    footer: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        """Return the plain-text body."""
        parts = [*self.lines]
        if self.footer:
            parts += ["", "--", *self.footer]
        return "\n".join(parts) + "\n"

    @property
    def html(self) -> str:
        """Return the HTML body (every sentence escaped)."""
        head, *rest = self.lines or ("",)
        body = [f"<p>{escape(head)}</p>"]
        if rest:
            body.append("<ul>" + "".join(f"<li>{escape(line)}</li>" for line in rest) + "</ul>")
        if self.footer:
            body.append(
                '<p style="color:#666;font-size:small">'
                + "<br>".join(escape(line) for line in self.footer)
                + "</p>"
            )
        return "<!doctype html><html><body>" + "".join(body) + "</body></html>"


def render_notice(notice: Notice, lang: str = "zh", footer: tuple[str, ...] = ()) -> Rendered:
    """Return ``notice`` in ``lang``; ``footer`` lines (links) go under the body."""
    params: Mapping[str, Any] = notice.params or {}
    kind = notice.kind
    subject = say(f"notice.{kind}.subject", lang, **params)
    lines = [say(f"notice.{kind}.body", lang, **params)]
    for item in notice.items or ():
        what = str(item.get("what") or "line")
        lines.append(say(f"notice.item.{what}", lang, **{**params, **item}))
    return Rendered(subject=subject, lines=tuple(lines), footer=footer)
