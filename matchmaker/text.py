"""Text normalisation: Traditional → Simplified Chinese, width and case folding for matching."""

from __future__ import annotations

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
