"""Text normalisation: Traditional → Simplified Chinese, width and case folding for matching."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import opencc


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def to_simplified(text: str | None) -> str:
    """Return ``text`` converted to Simplified Chinese (the original is kept elsewhere)."""
    if not text:
        return ""
    return _t2s().convert(text)


def fold(text: str | None) -> str:
    """Return a matching key: Simplified, NFKC (full-width → half-width), case-folded, no spaces."""
    simplified = unicodedata.normalize("NFKC", to_simplified(text))
    return "".join(simplified.split()).casefold()


NAME_KEY_LENGTH = 500  # stored and unique-indexed; NFKC may lengthen a 200-character name


def name_key(text: str | None) -> str:
    """Return the key two names must not share within an event.

    NFKC (full-width → half-width), Traditional → Simplified, case-folded, with invisible
    format characters (zero-width space, bidi marks) and all whitespace dropped: "星火资本",
    " 星火資本 ", "星火　资本" and "星火\u200b资本" share a key. Spaces go entirely, not just
    collapsed, since one slipped between two Chinese characters is barely seen.
    """
    simplified = unicodedata.normalize(
        "NFKC", to_simplified(unicodedata.normalize("NFKC", text or ""))
    )
    visible = "".join(c for c in simplified if unicodedata.category(c) != "Cf")
    return "".join(visible.casefold().split())[:NAME_KEY_LENGTH]


# C0 control characters other than tab, line feed and carriage return, and lone UTF-16
# surrogates: PostgreSQL refuses NUL, XLSX (XML) refuses the rest, and none of them is typed
# on purpose; they come from binary files read as text or from hostile requests.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")


def control_char(text: str) -> str | None:
    """Return the first character of ``text`` that may not be stored (as ``U+0000``), or None."""
    found = _CONTROL.search(text)
    return None if found is None else f"U+{ord(found.group()):04X}"
