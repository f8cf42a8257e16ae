"""Regions: a place written any way (山西省太原市, 太原, 長三角, Shanxi) → provinces, as vectors."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from matchmaker.text import fold

# 34 provincial-level divisions: short name, English, a few major cities (for city-only cells).
PROVINCES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("北京", "Beijing", ()),
    ("天津", "Tianjin", ()),
    ("上海", "Shanghai", ()),
    ("重庆", "Chongqing", ()),
    ("河北", "Hebei", ("石家庄", "唐山", "保定", "雄安", "邯郸", "廊坊")),
    (
        "山西",
        "Shanxi",
        (
            "太原",
            "大同",
            "晋中",
            "长治",
            "晋城",
            "临汾",
            "运城",
            "吕梁",
            "朔州",
            "忻州",
            "阳泉",
            "平遥",
        ),
    ),
    ("内蒙古", "Inner Mongolia", ("呼和浩特", "包头", "鄂尔多斯", "赤峰")),
    ("辽宁", "Liaoning", ("沈阳", "大连", "鞍山")),
    ("吉林", "Jilin", ("长春",)),
    ("黑龙江", "Heilongjiang", ("哈尔滨", "大庆")),
    ("江苏", "Jiangsu", ("南京", "苏州", "无锡", "常州", "南通", "徐州")),
    ("浙江", "Zhejiang", ("杭州", "宁波", "温州", "嘉兴", "绍兴", "金华", "义乌")),
    ("安徽", "Anhui", ("合肥", "芜湖")),
    ("福建", "Fujian", ("福州", "厦门", "泉州")),
    ("江西", "Jiangxi", ("南昌", "赣州")),
    ("山东", "Shandong", ("济南", "青岛", "烟台", "潍坊")),
    ("河南", "Henan", ("郑州", "洛阳", "开封")),
    ("湖北", "Hubei", ("武汉", "宜昌", "襄阳")),
    ("湖南", "Hunan", ("长沙", "株洲")),
    ("广东", "Guangdong", ("广州", "深圳", "东莞", "佛山", "珠海", "惠州", "中山")),
    ("广西", "Guangxi", ("南宁", "柳州", "桂林")),
    ("海南", "Hainan", ("海口", "三亚")),
    ("四川", "Sichuan", ("成都", "绵阳")),
    ("贵州", "Guizhou", ("贵阳",)),
    ("云南", "Yunnan", ("昆明",)),
    ("西藏", "Tibet", ("拉萨",)),
    ("陕西", "Shaanxi", ("西安", "咸阳", "榆林", "宝鸡")),
    ("甘肃", "Gansu", ("兰州",)),
    ("青海", "Qinghai", ("西宁",)),
    ("宁夏", "Ningxia", ("银川",)),
    ("新疆", "Xinjiang", ("乌鲁木齐",)),
    ("香港", "Hong Kong", ()),
    ("澳门", "Macao", ()),
    ("台湾", "Taiwan", ("台北", "台中", "高雄", "新竹")),
)
_INDEX = {name: i for i, (name, _en, _cities) in enumerate(PROVINCES)}

GROUPS: dict[str, tuple[str, ...]] = {
    "长三角": ("上海", "江苏", "浙江", "安徽"),
    "珠三角": ("广东",),
    "粤港澳大湾区": ("广东", "香港", "澳门"),
    "大湾区": ("广东", "香港", "澳门"),
    "京津冀": ("北京", "天津", "河北"),
    "成渝": ("四川", "重庆"),
    "华北": ("北京", "天津", "河北", "山西", "内蒙古"),
    "东北": ("辽宁", "吉林", "黑龙江"),
    "华东": ("上海", "江苏", "浙江", "安徽", "福建", "江西", "山东"),
    "华中": ("河南", "湖北", "湖南"),
    "中部": ("山西", "安徽", "江西", "河南", "湖北", "湖南"),
    "华南": ("广东", "广西", "海南"),
    "西南": ("重庆", "四川", "贵州", "云南", "西藏"),
    "西北": ("陕西", "甘肃", "青海", "宁夏", "新疆"),
    "西部": (
        "重庆",
        "四川",
        "贵州",
        "云南",
        "西藏",
        "陕西",
        "甘肃",
        "青海",
        "宁夏",
        "新疆",
        "广西",
        "内蒙古",
    ),
    "港澳台": ("香港", "澳门", "台湾"),
    "黄河流域": ("青海", "四川", "甘肃", "宁夏", "内蒙古", "陕西", "山西", "河南", "山东"),
}
NATIONWIDE = {"全国", "不限", "不限地区", "全国范围", "nationwide", "china", "all", "中国"}

DIM = len(PROVINCES)


def provinces_of(place: str) -> list[int]:
    """Return the province indexes a cell names (a province, city, group, or 全国 = all)."""
    return list(_provinces_of(place))


@lru_cache(maxsize=65536)
def _provinces_of(place: str) -> tuple[int, ...]:
    key = fold(place)
    if not key:
        return ()
    names = _folded()
    if key in names.nationwide:
        return tuple(range(DIM))
    for group, members in names.groups:
        if group in key:
            return members
    return tuple(
        i
        for i, (name, english, cities) in enumerate(names.provinces)
        if name in key or english == key or any(c in key for c in cities)
    )


@dataclass(frozen=True)
class _Names:
    provinces: tuple[tuple[str, str, tuple[str, ...]], ...]
    groups: tuple[tuple[str, tuple[int, ...]], ...]
    nationwide: frozenset[str]


@lru_cache(maxsize=1)
def _folded() -> _Names:
    """Fold every name once (OpenCC per alias per call was the hot spot of a shortlist)."""
    return _Names(
        provinces=tuple((fold(n), fold(e), tuple(fold(c) for c in cs)) for n, e, cs in PROVINCES),
        groups=tuple((fold(g), tuple(_INDEX[m] for m in ms)) for g, ms in GROUPS.items()),
        nationwide=frozenset(fold(n) for n in NATIONWIDE),
    )


def province_of(region: str) -> int | None:
    """Return the province a project's region names (the first named), or None."""
    found = provinces_of(region)
    return found[0] if found and len(found) < DIM else None


def coverage(regions: Sequence[str]) -> np.ndarray:
    """Return a 0/1 vector of the provinces an institution covers (all ones when none listed)."""
    return _coverage(tuple(regions)).copy()


@lru_cache(maxsize=4096)
def _coverage(regions: tuple[str, ...]) -> np.ndarray:
    out = np.zeros(DIM, dtype=np.float32)
    if not regions:
        out[:] = 1.0
        return out
    for region in regions:
        out[list(_provinces_of(region))] = 1.0
    return out


def is_nationwide(regions: Sequence[str]) -> bool:
    """Return True when the listed regions cover every province (or none are listed)."""
    return bool(coverage(regions).all())


def name(index: int, lang: str = "zh") -> str:
    """Return a province's display name."""
    zh, en, _cities = PROVINCES[index]
    return en if lang == "en" else zh
