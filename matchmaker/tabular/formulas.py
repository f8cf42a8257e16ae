"""Formula injection: quote text a spreadsheet would run, and take our own quote off again.

A cell whose text starts with ``= + - @`` (or their full-width forms, which Chinese input
methods type and some spreadsheets convert), possibly after blanks, or with a tab or carriage
return, is run as a formula by Excel, WPS or LibreOffice when the file is opened
(``=HYPERLINK(...)``, ``=cmd|' /C calc'!A0``). Exports prefix such text with ``'`` (OWASP's
advice), which shows it as written; numbers are never touched, so ``-5`` stays a number.
Imports take that one quote off again, so an export imports back unchanged.
"""

from __future__ import annotations

import re
from typing import Any

TRIGGERS = ("=", "+", "-", "@", "＝", "＋", "－", "＠")
_BLANKS = " \u3000\xa0\n"
# XML 1.0 cannot hold these; openpyxl refuses to write them (IllegalCharacterError).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def is_formula_like(text: str) -> bool:
    """Return whether a spreadsheet would take ``text`` for a formula."""
    return text.startswith(("\t", "\r")) or text.lstrip(_BLANKS).startswith(TRIGGERS)


def neutralise(value: Any) -> Any:
    """Prefix text that a spreadsheet would run as a formula with a quote (numbers pass).

    Quotes already in front of such text count as part of it (``'=1`` becomes ``''=1``), so
    that :func:`restore` gives back exactly what was stored.
    """
    if isinstance(value, str) and is_formula_like(value.lstrip("'")):
        return "'" + value
    return value


def restore(text: str) -> str:
    """Undo :func:`neutralise`: take one quote off quoted formula-like text.

    Spreadsheets themselves read a leading quote as "this is text", so a quote typed before
    ``=`` in a sheet is taken the same way.
    """
    if text.startswith("'") and is_formula_like(text.lstrip("'")):
        return text[1:]
    return text


def for_xlsx(value: Any) -> Any:
    """Return ``value`` as an XLSX cell may hold it: neutralised, without XML-illegal characters.

    The database may hold such characters from before they were refused at the door; dropping
    them from a download beats failing the whole download.
    """
    value = neutralise(value)
    if isinstance(value, str):
        return _NOT_XML.sub("", value)
    return value
