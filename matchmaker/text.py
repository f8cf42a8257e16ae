"""Text normalisation and checks: Simplified Chinese, folding, ids, names, Chinese numerals."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal
from functools import lru_cache

import opencc


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def to_simplified(text: str | None) -> str:
    """Return ``text`` converted to Simplified Chinese (the original is kept elsewhere)."""
    if not text:
        return ""
    converted: str = _t2s().convert(text)  # opencc has no type information
    return converted


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


# C0 control characters other than tab, line feed and carriage return, C1 control characters,
# the bidirectional embeddings, overrides and isolates, and lone UTF-16 surrogates. PostgreSQL
# refuses NUL and XLSX (XML) the other C0 ones; none of them is typed on purpose: they come from
# binary files read as text, from hostile requests, or (the bidi ones) reorder what people read,
# so a name shows one thing and holds another.
_CONTROL = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
# In a name (one line, compared and shown in lists), line breaks and tabs are refused too, and
# the zero-width characters that make two names look alike while differing.
_NOT_IN_NAME = re.compile("[\t\n\r\u200b\u2060\ufeff\u2028\u2029]")


def char_code(char: str) -> str:
    """Return ``char`` as people can read it in a message: itself if visible, else ``U+200B``."""
    if char.isprintable() and not char.isspace():
        return char
    return f"U+{ord(char):04X}"


def control_char(text: str) -> str | None:
    """Return the first character of ``text`` that may not be stored (as ``U+0000``), or None."""
    found = _CONTROL.search(text)
    return None if found is None else char_code(found.group())


def name_char(text: str) -> str | None:
    """Return the first character a one-line name may not hold (as ``U+000A``), or None."""
    found = _NOT_IN_NAME.search(text)
    return char_code(found.group()) if found else control_char(text)


# Ids (registration ids, event and session codes) travel in URLs, file names and spreadsheet
# cells, and are compared as typed: after NFKC (full-width ＸＨ２０２６ is XH2026) they hold only
# ASCII letters and digits, '-', '_' and Chinese characters, so no invisible or lookalike
# character (a zero-width space, a Cyrillic Р) makes a second id that reads like the first.
_ID_CHAR = re.compile("[A-Za-z0-9_\\-\u3400-\u4dbf\u4e00-\u9fff\U00020000-\U0003134f]", re.ASCII)


def normalise_id(text: str) -> tuple[str, str | None]:
    """Return ``text`` NFKC-normalised and trimmed, and its first character not allowed in an id."""
    out = unicodedata.normalize("NFKC", text).strip()
    bad = next((c for c in out if not _ID_CHAR.fullmatch(c)), None)
    return out, None if bad is None else char_code(bad)


# ---- money text --------------------------------------------------------------------------

# Full-width ASCII (ＡＢＣ１２３，) is the same text typed with a Chinese input method; NFKC would
# also read superscripts (5² → 52) and other digits, so money folds the width alone.
_WIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {0x3000: " ", 0xFFE5: "¥"}


def fold_width(text: str) -> str:
    """Return ``text`` with full-width ASCII letters, digits and signs as half-width."""
    return text.translate(_WIDTH)


_CN_DIGITS = {
    **dict.fromkeys("零〇", 0),
    **dict.fromkeys("一壹", 1),
    **dict.fromkeys("二贰两", 2),
    **dict.fromkeys("三叁", 3),
    **dict.fromkeys("四肆", 4),
    **dict.fromkeys("五伍", 5),
    **dict.fromkeys("六陆", 6),
    **dict.fromkeys("七柒", 7),
    **dict.fromkeys("八捌", 8),
    **dict.fromkeys("九玖", 9),
}
_CN_SMALL = {
    **dict.fromkeys("十拾", 10),
    **dict.fromkeys("百佰", 100),
    **dict.fromkeys("千仟", 1000),
}
# each large unit with the smallest value the part after it may have without a 零 in between
# (五亿五千万 is 5.5亿, 一万五千 is 15,000, but 一万五 — 15,000 said aloud — is refused, not read
# as 10,005, and so is 五亿五百万, which standard writing spells 五亿零五百万)
_CN_LARGE = (("亿", 10**8, 10**7), ("万", 10**4, 1000))


def chinese_number(text: str) -> Decimal | None:
    """Return the value of a number written in Chinese numerals, or None if ``text`` is not one.

    Standard writing only, never a guess: ``五百``, ``一千零五十``, ``五亿五千万``, ``一点二亿``,
    ``伍佰`` (financial forms), ``两千``. Colloquial shortenings (``一万五``, ``二百五``) and digit
    strings (``一二三``) are not numbers here.
    """
    whole, dot, fraction = text.partition("点")
    value = 0 if whole in ("零", "〇") else _cn_integer(whole, _CN_LARGE) if whole else None
    if value is None:
        return None
    if not dot:
        return Decimal(value)
    scale = 1
    while fraction[-1:] in ("万", "亿"):  # 一点二亿 is 1.2 × 10⁸
        scale *= 10**4 if fraction[-1] == "万" else 10**8
        fraction = fraction[:-1]
    if not fraction or any(c not in _CN_DIGITS for c in fraction):
        return None
    return Decimal(f"{value}.{''.join(str(_CN_DIGITS[c]) for c in fraction)}") * scale


def _cn_integer(text: str, large: tuple[tuple[str, int, int], ...]) -> int | None:
    if not large:
        return _cn_section(text)
    name, size, lead = large[0]
    if name not in text:
        return _cn_integer(text, large[1:])
    left, _, right = text.partition(name)
    high = _cn_integer(left, large[1:]) if left else None
    if not high:
        return None
    if not right:
        return high * size
    gap = right[0] in "零〇"
    low = _cn_integer(right[1:] if gap else right, large[1:])
    if low is None or not 0 < low < size or gap == (low >= lead):
        return None
    return high * size + low


def _cn_section(text: str) -> int | None:
    """Return the value of a numeral below 10,000 (``三千零五十``), or None."""
    value, last, digit, gap = 0, 10_000, None, False
    for char in text:
        if char in "零〇":
            if digit is not None or gap or value == 0:
                return None
            gap = True
        elif char in _CN_DIGITS:
            if digit is not None:
                return None
            digit = _CN_DIGITS[char]
        elif char in _CN_SMALL:
            unit = _CN_SMALL[char]
            if digit is None and unit == 10 and value == 0 and not gap:
                digit = 1  # 十五 is 15
            if digit is None or unit >= last or (value and gap == (unit * 10 == last)):
                return None
            value, last, digit, gap = value + digit * unit, unit, None, False
        else:
            return None
    if digit is not None:
        if value and not gap and last != 10:
            return None  # 一千五 said aloud is 1,500: not read as 1,005
        value += digit
    elif gap:
        return None
    return value
