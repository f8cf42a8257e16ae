"""Regions: a place written any way (山西省太原市小店区, 太原, 長三角) → divisions, as vectors.

A project's region is one division (``divisions.locate``: province, city or county). An
institution's regions are targets: provinces, cities, counties, or named groups of them (晋北,
长三角, 全国). A project fits a target it lies inside (county ⊂ city ⊂ province ⊂ group); it
half-fits when it names only a division that holds a target (山西 for a 太原 fund: it may be
there); otherwise not.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache

import numpy as np

from matchmaker.embeddings.divisions import PROVINCE, chain, contains, locate, places_in, table
from matchmaker.text import fold

# 34 provincial-level divisions in the order of the province coordinates: short name, English,
# adcode.
PROVINCES: tuple[tuple[str, str, int], ...] = (
    ("北京", "Beijing", 110000),
    ("天津", "Tianjin", 120000),
    ("上海", "Shanghai", 310000),
    ("重庆", "Chongqing", 500000),
    ("河北", "Hebei", 130000),
    ("山西", "Shanxi", 140000),
    ("内蒙古", "Inner Mongolia", 150000),
    ("辽宁", "Liaoning", 210000),
    ("吉林", "Jilin", 220000),
    ("黑龙江", "Heilongjiang", 230000),
    ("江苏", "Jiangsu", 320000),
    ("浙江", "Zhejiang", 330000),
    ("安徽", "Anhui", 340000),
    ("福建", "Fujian", 350000),
    ("江西", "Jiangxi", 360000),
    ("山东", "Shandong", 370000),
    ("河南", "Henan", 410000),
    ("湖北", "Hubei", 420000),
    ("湖南", "Hunan", 430000),
    ("广东", "Guangdong", 440000),
    ("广西", "Guangxi", 450000),
    ("海南", "Hainan", 460000),
    ("四川", "Sichuan", 510000),
    ("贵州", "Guizhou", 520000),
    ("云南", "Yunnan", 530000),
    ("西藏", "Tibet", 540000),
    ("陕西", "Shaanxi", 610000),
    ("甘肃", "Gansu", 620000),
    ("青海", "Qinghai", 630000),
    ("宁夏", "Ningxia", 640000),
    ("新疆", "Xinjiang", 650000),
    ("香港", "Hong Kong", 810000),
    ("澳门", "Macao", 820000),
    ("台湾", "Taiwan", 710000),
)
_PROVINCE_INDEX = {code: i for i, (_n, _e, code) in enumerate(PROVINCES)}
DIM = len(PROVINCES)

# Named groups, by adcode. Provinces unless a comment says otherwise.
GROUPS: dict[str, tuple[int, ...]] = {
    "长三角": (310000, 320000, 330000, 340000),
    "珠三角": (440000,),
    "粤港澳大湾区": (440000, 810000, 820000),
    "大湾区": (440000, 810000, 820000),
    "京津冀": (110000, 120000, 130000),
    "成渝": (510000, 500000),
    "华北": (110000, 120000, 130000, 140000, 150000),
    "东北": (210000, 220000, 230000),
    "华东": (310000, 320000, 330000, 340000, 350000, 360000, 370000),
    "华中": (410000, 420000, 430000),
    "中部": (140000, 340000, 360000, 410000, 420000, 430000),
    "华南": (440000, 450000, 460000),
    "西南": (500000, 510000, 520000, 530000, 540000),
    "西北": (610000, 620000, 630000, 640000, 650000),
    "西部": (
        500000,
        510000,
        520000,
        530000,
        540000,
        610000,
        620000,
        630000,
        640000,
        650000,
        450000,
        150000,
    ),
    "港澳台": (810000, 820000, 710000),
    "黄河流域": (630000, 510000, 620000, 640000, 150000, 610000, 140000, 410000, 370000),
    "晋北": (140200, 140600, 140900),  # cities: 大同 朔州 忻州
    "晋南": (141000, 140800),  # cities: 临汾 运城
    "晋东南": (140400, 140500),  # cities: 长治 晋城
}
NATIONWIDE = {"全国", "不限", "不限地区", "全国范围", "nationwide", "china", "all", "中国"}
_ALL = tuple(code for _n, _e, code in PROVINCES)
# Taiwan's cities are not in the division table; they stand for the province.
_TAIWAN = ("台北", "台中", "台南", "高雄", "新竹", "桃园", "基隆")


@lru_cache(maxsize=65536)
def _cell_targets(place: str) -> tuple[int, ...]:
    key = fold(place)
    if not key:
        return ()
    if key in _folded_nationwide():
        return _ALL
    for group, members in _folded_groups():
        if group in key:
            return members
    found = places_in(place)
    if not found and any(city in key for city in _TAIWAN):
        return (710000,)
    return found


@lru_cache(maxsize=1)
def _folded_groups() -> tuple[tuple[str, tuple[int, ...]], ...]:
    return tuple((fold(g), members) for g, members in GROUPS.items())


@lru_cache(maxsize=1)
def _folded_nationwide() -> frozenset[str]:
    return frozenset(fold(n) for n in NATIONWIDE)


def targets(regions: Sequence[str]) -> frozenset[int]:
    """Return the divisions an institution's regions cover, none inside another of them."""
    return _targets(tuple(regions))


@lru_cache(maxsize=4096)
def _targets(regions: tuple[str, ...]) -> frozenset[int]:
    # Asked for every institution on every recommendation (which of them admit the project),
    # and each time the same few lists: worth remembering (about 0.1 ms each, 41 a request).
    return _normalised(frozenset(c for region in regions for c in _cell_targets(region)))


def _normalised(codes: frozenset[int]) -> frozenset[int]:
    return frozenset(c for c in codes if not any(a in codes for a in chain(c)[:-1]))


def provinces_of(place: str) -> list[int]:
    """Return the province indexes a cell touches (a province, city, county, group, 全国)."""
    out: list[int] = []
    for code in _cell_targets(place):
        index = _PROVINCE_INDEX[chain(code)[0]]
        if index not in out:
            out.append(index)
    return out


def province_of(region: str) -> int | None:
    """Return the province index of a project's region, or None."""
    place = place_of(region)
    return None if place is None else _PROVINCE_INDEX[chain(place)[0]]


def place_of(region: str) -> int | None:
    """Return the division (adcode) a project's region names, or None."""
    place = locate(region)
    if place is None and any(city in fold(region) for city in _TAIWAN):
        return 710000
    return place


def is_nationwide(regions: Sequence[str]) -> bool:
    """Return True when the listed regions cover every province (or none are listed)."""
    return not regions or set(_ALL) <= targets(regions)


def match(place: int, covered: frozenset[int]) -> int | None:
    """Return the target that holds ``place``, or None."""
    return next((c for c in chain(place) if c in covered), None)


@lru_cache(maxsize=65536)
def fit(place: int, covered: frozenset[int]) -> float:
    """Return 1 when ``place`` lies inside a target, 0.5 when it holds one, else 0."""
    if match(place, covered) is not None:
        return 1.0
    return 0.5 if any(contains(place, t) for t in covered) else 0.0


def admits(places: np.ndarray, covered: Iterable[int], at_least: float) -> np.ndarray:
    """Return a boolean mask over adcodes: those whose fit to ``covered`` is ≥ ``at_least``."""
    codes = frozenset(covered)
    return np.array([fit(int(p), codes) >= at_least for p in places], dtype=bool)


def off_name(place: int, covered: frozenset[int]) -> int:
    """Return the division to name when ``place`` is outside every target: the level at which
    it leaves them (广东 for a 山西 fund, 太原市 for a 临汾 one, 小店区 for a 阳曲县 one)."""
    own = chain(place)
    depth = 0
    for target in covered:
        shared = 0
        for a, b in zip(own, chain(target), strict=False):
            if a != b:
                break
            shared += 1
        depth = max(depth, shared)
    return own[min(depth, len(own) - 1)]


def name(index: int, lang: str = "zh") -> str:
    """Return a province's display name."""
    zh, en, _code = PROVINCES[index]
    return en if lang == "en" else zh


def display(code: int, lang: str = "zh") -> str:
    """Return a division's display name: a province's short name, a city's or county's full."""
    if code in _PROVINCE_INDEX:
        return name(_PROVINCE_INDEX[code], lang)
    division = table()[code]
    return division.english() if lang == "en" else division.name


class Places:
    """The region block's coordinates for one set of institutions.

    One coordinate per province and per city or county some institution names (and the cities
    above named counties): a project sets those it lies inside, a target its own, so that the
    inner product is 1 inside. One "open" coordinate per division holding a named target: a
    project that stops there sets it, and a target above which it lies sets 0.5 (it may be
    there). A last coordinate is the neutral one (a project that names no region: 0.5).
    With no city or county named, the block is the 34 provinces and the neutral coordinate.
    """

    def __init__(self, named: Iterable[int] = ()) -> None:
        below = sorted({c for t in named for c in chain(t)[1:]})
        self.codes = [*_ALL, *below]
        self.index = {c: i for i, c in enumerate(self.codes)}
        holders = sorted({a for t in named for a in chain(t)[:-1]})
        self.open = {c: len(self.codes) + i for i, c in enumerate(holders)}
        self.dim = len(self.codes) + len(self.open) + 1

    @classmethod
    def of(cls, region_lists: Iterable[Sequence[str]]) -> Places:
        """Return the coordinates for institutions with these regions."""
        named = {c for r in region_lists for c in targets(r) if table()[c].level > PROVINCE}
        return cls(named)

    def project(self, region: str) -> np.ndarray:
        """Return a project's region coordinates (unscaled)."""
        out = np.zeros(self.dim, dtype=np.float32)
        place = place_of(region)
        if place is None:
            out[-1] = 1.0
            return out
        out[[self.index[c] for c in chain(place) if c in self.index]] = 1.0
        if place in self.open:
            out[self.open[place]] = 1.0
        return out

    def institution(self, regions: Sequence[str], neutral: float) -> np.ndarray:
        """Return an institution's region coordinates (unscaled)."""
        out = np.zeros(self.dim, dtype=np.float32)
        out[-1] = neutral
        if is_nationwide(regions):
            out[: len(_ALL)] = 1.0
            return out
        covered = self.coarsened(regions)
        out[[self.index[c] for c in covered]] = 1.0
        for target in covered:
            for holder in chain(target)[:-1]:
                if holder in self.open:
                    out[self.open[holder]] = 0.5
        return out

    def coarsened(self, regions: Sequence[str]) -> frozenset[int]:
        """Return the targets, each widened to the nearest division with a coordinate."""
        return _normalised(
            frozenset(
                next(c for c in reversed(chain(t)) if c in self.index) for t in targets(regions)
            )
        )
