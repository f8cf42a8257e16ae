"""Figures in a project's text, each read as one canonical value however it is written.

A paraphrase keeps a project's figures but not their spelling: 1.2亿元 and 12000万, 40MW and
4万千瓦, 5800万千瓦时 and 5800万度, 1吨 and 1000公斤, 五千吨 and 5000吨, 六成 and 60%, 68家门店
and 68个门店. :func:`figures` turns each into a key (value in a base unit, plus the unit's
family) so that they meet, while what was written is kept for the evidence people read.

Counting words (个, 家, 名, 人, 款 …) and money (元) share one family: writers swap them freely
(56名主播 / 主播56人) and the value alone is the fingerprint. Physical units keep theirs, so
30% never meets 30吨.
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

from matchmaker.text import chinese_number, to_simplified

_FIGURE = re.compile(
    r"(?<![0-9a-z.×*/])(?P<whole>\d{1,3}(?:,\d{3})+|\d+)(?P<fraction>\.\d+)?"
    r"(?:\s*(?P<magnitude>千万|百万|亿|万|million|billion))?"
    r"(?:\s*(?P<measure>%|‰|公斤|公里|千克|毫克|千瓦时|千瓦|兆瓦|小时|分钟|平方米|°c|人次"
    r"|(?:μm|mm|cm|km|kg|mg|gwh|gw|mwh|mw|kwh|kw|mah|g)(?![a-z])"
    r"|[个家台项次吨元件人所座条套名张份倍天月年户亩头只辆款位篇期笔单种首处场支片架栋间克度]))?"
)
_MAGNITUDE = {"千万": 1e7, "百万": 1e6, "亿": 1e8, "万": 1e4, "million": 1e6, "billion": 1e9}
# measure as written -> (family, factor to the family's base unit); the rest count things
_UNITS: dict[str, tuple[str, float]] = {
    "%": ("%", 1.0),
    "‰": ("‰", 1.0),
    "kw": ("kw", 1.0),
    "千瓦": ("kw", 1.0),
    "mw": ("kw", 1e3),
    "兆瓦": ("kw", 1e3),
    "gw": ("kw", 1e6),
    "kwh": ("kwh", 1.0),
    "千瓦时": ("kwh", 1.0),
    "mwh": ("kwh", 1e3),
    "gwh": ("kwh", 1e6),
    "mah": ("mah", 1.0),
    "吨": ("g", 1e6),
    "公斤": ("g", 1e3),
    "千克": ("g", 1e3),
    "kg": ("g", 1e3),
    "克": ("g", 1.0),
    "g": ("g", 1.0),
    "毫克": ("g", 1e-3),
    "mg": ("g", 1e-3),
    "公里": ("m", 1e3),
    "km": ("m", 1e3),
    "cm": ("m", 1e-2),
    "mm": ("m", 1e-3),
    "μm": ("m", 1e-6),
    "平方米": ("m2", 1.0),
    "亩": ("亩", 1.0),
    "°c": ("°c", 1.0),
    "度": ("度", 1.0),  # an angle or a temperature; with 万 or 亿 it is kWh (5800万度)
    "小时": ("h", 1.0),
    "分钟": ("h", 1 / 60),
    "天": ("d", 1.0),
    "月": ("month", 1.0),
    "年": ("year", 1.0),
}
_LIST_MARK = frozenset(".、)）")
_ENUMERATORS = re.compile(r"[\u2460-\u24ff\u2776-\u2793]")  # ① ⑴ ⒈ ❶: list markers
# Chinese numerals written out (二十四, 三千二百, 十五万); single digits (一体化, 二期, 三类证)
# are words far more often than figures and are left alone
_CN_NUMERAL = re.compile(r"(?<![0-9.])[零〇一二两三四五六七八九十百千万亿]{2,}")
_CN_PERCENT = re.compile(r"百分之([零〇一二两三四五六七八九十点]+|\d+(?:\.\d+)?)")
# 六成 = 60%, but not 建成, 成本, 成品, 成立 …
_CN_TENTHS = re.compile(r"([一二两三四五六七八九])成(?![本品立功为员果熟交长型套都])")
_CN_DIGIT = dict(zip("一二两三四五六七八九", (1, 2, 2, 3, 4, 5, 6, 7, 8, 9), strict=True))


class Figure(NamedTuple):
    """One figure: as written, and its weight (½ for counts up to 10, which recur by chance)."""

    shown: str
    weight: float


def figures(text: str) -> dict[str, Figure]:
    """Return canonical value (with its unit family) -> the figure as first written.

    Years (2025年, "in 2019") are dropped, as are list numbers (1. 2、), codes (5G, 3D, 7×24)
    and counts of one.
    """
    folded = _ENUMERATORS.sub(" ", to_simplified(text))
    folded = unicodedata.normalize("NFKC", folded).casefold()
    folded = _arabic(folded)
    found: dict[str, Figure] = {}
    for match in _FIGURE.finditer(folded):
        whole, fraction, magnitude, measure = match.group(
            "whole", "fraction", "magnitude", "measure"
        )
        value = float(whole.replace(",", "") + (fraction or ""))
        family, factor = _UNITS.get(measure or "", ("", 1.0))
        after = folded[match.end() : match.end() + 1]
        if not (fraction or magnitude) and value <= 1 and family == "":
            continue  # "1家", "其中1位" (but 1吨 is a quantity)
        if not (fraction or magnitude or measure) and (
            after in _LIST_MARK  # "1. 服务：", "2、"
            or (after.isascii() and after.isalpha())  # 3D, 5G, 4K
            or after in "×x*"  # 7×24
            or (1990 <= value <= 2035 and not _is_cjk(after))  # "2025 revenue", "in 2019,"
        ):
            continue
        if measure == "年" and 1990 <= value <= 2035:
            continue  # 2025年: every project has one
        value *= _MAGNITUDE.get(magnitude or "", 1.0)
        if measure == "度" and magnitude:
            family = "kwh"
        small = value <= 10 and family not in ("%", "‰")
        key = f"{value * factor:.6g}" + family
        found.setdefault(key, Figure(match.group(0).strip(), 0.5 if small else 1.0))
    return found


def _arabic(text: str) -> str:
    """Return ``text`` with written-out Chinese numerals as digits (五千吨 → 5000吨, 六成 → 60%)."""
    text = _CN_PERCENT.sub(lambda m: f"{_number(m.group(1))}%", text)
    text = _CN_TENTHS.sub(lambda m: f"{_CN_DIGIT[m.group(1)] * 10}%", text)
    return _CN_NUMERAL.sub(lambda m: _number(m.group(0)), text)


def _number(numeral: str) -> str:
    if numeral.replace(".", "", 1).isdigit():
        return numeral
    value = chinese_number(numeral)
    return numeral if value is None else format(value.normalize(), "f")


def _is_cjk(char: str) -> bool:
    return bool(char) and "\u3400" <= char <= "\u9fff"
