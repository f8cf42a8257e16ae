#!/usr/bin/env python3
"""Generate the XH2026 demo data set for matchmaker.

Run from the repository root:

    python scripts/demo_data/generate.py

Writes, under matchmaker/demo/data/:

    event.json         the event and its three matchmaking sessions
    projects.csv       ~240 registrations (UTF-8 with BOM, as exported by a spreadsheet)
    institutions.csv   41 investors / service institutions (UTF-8 with BOM)
    README.md          what is in the set and where the deliberate quirks are

The content (project concepts, institution profiles, theses) is hand-written
in projects_content.py and institutions_content.py beside this file; the
seeded random generator below only varies details: funding asks, regions,
sessions, needs, which rows carry the formatting quirks, and contacts.
Python 3.11 standard library only; the output is byte-identical on every run.
"""

from __future__ import annotations

import csv
import io
import json
import random
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from institutions_content import INSTITUTIONS  # noqa: E402
from projects_content import PROJECTS, ProjectSpec  # noqa: E402

ROOT = HERE.parents[1]
OUT = ROOT / "matchmaker" / "demo" / "data"
SEED = 20261124

EVENT_CODE = "XH2026"
EVENT = {
    "code": EVENT_CODE,
    "name": "2026年第十届“星火杯”创新创业大赛",
    "name_en": "The 10th \u201cXinghuo Cup\u201d Innovation and Entrepreneurship Competition 2026",
    "year": 2026,
    "city": "太原市",
    "organiser": "“星火杯”创新创业大赛组委会秘书处",
}
SESSIONS = [
    {"code": "S1", "kind": "local", "name": "本地专场", "name_en": "Local session",
     "date": "2026-12-08", "venue": "星火创业孵化基地一号楼路演中心"},
    {"code": "S2", "kind": "national", "name": "全国专场", "name_en": "National session",
     "date": "2026-12-09", "venue": "龙城国际会展中心B馆2号厅"},
    {"code": "S3", "kind": "alumni", "name": "往届参赛项目专场", "name_en": "Past entrants session",
     "date": "2026-12-10", "venue": "晋阳湖科创园会议中心二层多功能厅"},
]
SESSION_START, SESSION_END, SLOT_MINUTES = "09:00", "12:00", 20

PROJECT_HEADERS = ["报名编号", "项目名称", "赛道", "组别", "行业领域", "阶段", "融资需求(万元)", "所在地区",
                   "需求", "项目简介", "对接专场", "联系人", "联系电话", "电子邮箱"]
INSTITUTION_HEADERS = ["机构编号", "机构名称", "机构类型", "关注领域", "投资阶段", "单笔投资额(万元)", "关注地区",
                       "投资逻辑", "已投项目", "参加专场", "联系人", "联系电话", "电子邮箱"]

NEEDS = ["资金", "场地", "技术合作", "市场渠道", "人才", "政策咨询", "培训"]
# extra needs (besides 资金) each track tends to ask for, with weights
TRACK_NEEDS = {
    "先进制造": {"技术合作": 5, "市场渠道": 4, "人才": 3, "场地": 3, "政策咨询": 1, "培训": 1},
    "现代服务": {"市场渠道": 5, "人才": 3, "政策咨询": 2, "技术合作": 2, "场地": 1, "培训": 1},
    "乡村振兴": {"市场渠道": 5, "政策咨询": 3, "场地": 2, "培训": 2, "技术合作": 2, "人才": 1},
    "银发经济": {"市场渠道": 5, "政策咨询": 3, "场地": 3, "人才": 2, "培训": 1, "技术合作": 1},
    "绿色经济": {"技术合作": 4, "市场渠道": 4, "政策咨询": 3, "场地": 2, "人才": 1, "培训": 1},
    "微视听创意": {"市场渠道": 5, "人才": 3, "场地": 2, "培训": 2, "技术合作": 1, "政策咨询": 1},
}
MAKER_NEEDS_BONUS = {"场地": 3, "培训": 2, "人才": 1}

STAGE_RANK = {"创意": 0, "种子轮": 1, "seed": 1, "天使轮": 2, "angel": 2, "Pre-A轮": 3,
              "A轮": 4, "Series A": 4, "B轮": 5, "C轮": 6}
# funding ask ranges in 万元: (maker group, enterprise group)
ASK_RANGE = {
    0: ((20, 100), (50, 200)),
    1: ((30, 200), (50, 400)),
    2: ((50, 300), (100, 1000)),
    3: ((300, 1500), (300, 2000)),
    4: ((1000, 4000), (1000, 4000)),
    5: ((2500, 6000), (2500, 6000)),
    6: ((10000, 15000), (10000, 15000)),
}

SHANXI_CITIES = [("太原市", 35), ("晋中市", 10), ("大同市", 8), ("长治市", 8), ("运城市", 8), ("临汾市", 7),
                 ("吕梁市", 6), ("忻州市", 5), ("晋城市", 5), ("阳泉市", 4), ("朔州市", 4)]
NATIONAL_PLACES = [
    ("北京市", 10), ("上海市", 9), ("广东省深圳市", 9), ("浙江省杭州市", 8), ("陕西省西安市", 7),
    ("河南省郑州市", 6), ("四川省成都市", 6), ("广东省广州市", 5), ("江苏省南京市", 5), ("江苏省苏州市", 5),
    ("湖北省武汉市", 5), ("安徽省合肥市", 5), ("山东省济南市", 4), ("河北省石家庄市", 4), ("湖南省长沙市", 4),
    ("重庆市", 4), ("山东省青岛市", 3), ("天津市", 3), ("福建省厦门市", 3), ("内蒙古自治区呼和浩特市", 3),
    ("辽宁省沈阳市", 2), ("甘肃省兰州市", 2), ("云南省昆明市", 2), ("贵州省贵阳市", 2), ("江西省南昌市", 2),
    ("黑龙江省哈尔滨市", 2), ("宁夏回族自治区银川市", 2), ("广西壮族自治区南宁市", 2), ("吉林省长春市", 1),
    ("新疆维吾尔自治区乌鲁木齐市", 1), ("海南省海口市", 1), ("青海省西宁市", 1),
]
RURAL_PLACES = [
    ("河南省周口市", 3), ("山东省临沂市", 3), ("山东省潍坊市", 3), ("陕西省延安市", 3), ("陕西省榆林市", 2),
    ("河北省邢台市", 2), ("河北省张家口市", 2), ("内蒙古自治区赤峰市", 2), ("四川省南充市", 2),
    ("甘肃省天水市", 2), ("安徽省阜阳市", 2), ("湖南省邵阳市", 2), ("江西省赣州市", 2), ("贵州省遵义市", 2),
    ("黑龙江省绥化市", 1),
]

SURNAMES = [("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"), ("杨", "yang"),
            ("赵", "zhao"), ("郭", "guo"), ("贾", "jia"), ("武", "wu"), ("闫", "yan"), ("薛", "xue"),
            ("乔", "qiao"), ("霍", "huo"), ("梁", "liang"), ("高", "gao"), ("周", "zhou"), ("孙", "sun"),
            ("徐", "xu"), ("胡", "hu"), ("田", "tian"), ("常", "chang"), ("范", "fan"), ("任", "ren"),
            ("段", "duan"), ("白", "bai"), ("牛", "niu"), ("秦", "qin"), ("韩", "han"), ("冯", "feng"),
            ("董", "dong"), ("宋", "song"), ("谢", "xie"), ("郝", "hao"), ("苏", "su"), ("马", "ma"),
            ("黄", "huang"), ("吴", "wu"), ("林", "lin"), ("何", "he")]
GIVEN = [("建军", "jianjun"), ("晓东", "xiaodong"), ("志强", "zhiqiang"), ("丽娜", "lina"), ("婷", "ting"),
         ("浩然", "haoran"), ("子涵", "zihan"), ("宇航", "yuhang"), ("文博", "wenbo"), ("佳怡", "jiayi"),
         ("鹏", "peng"), ("磊", "lei"), ("敏", "min"), ("静", "jing"), ("海峰", "haifeng"), ("振华", "zhenhua"),
         ("云飞", "yunfei"), ("思远", "siyuan"), ("一鸣", "yiming"), ("欣怡", "xinyi"), ("瑞", "rui"),
         ("凯", "kai"), ("慧敏", "huimin"), ("国栋", "guodong"), ("春梅", "chunmei"), ("宏伟", "hongwei"),
         ("丹", "dan"), ("少华", "shaohua"), ("俊杰", "junjie"), ("梦瑶", "mengyao"), ("天宇", "tianyu"),
         ("立新", "lixin"), ("亚楠", "yanan"), ("晨阳", "chenyang"), ("嘉琪", "jiaqi"), ("伟", "wei"),
         ("芳", "fang"), ("若曦", "ruoxi"), ("卫东", "weidong"), ("永刚", "yonggang"), ("泽宇", "zeyu"),
         ("书瑶", "shuyao"), ("明远", "mingyuan"), ("晓燕", "xiaoyan"), ("建平", "jianping"), ("红霞", "hongxia"),
         ("学文", "xuewen"), ("嘉乐", "jiale"), ("志刚", "zhigang"), ("雪", "xue"), ("博文", "bowen"),
         ("晋生", "jinsheng"), ("艳萍", "yanping"), ("启航", "qihang"), ("梓萱", "zixuan"), ("宇轩", "yuxuan")]
PHONE_PREFIXES = ["138", "139", "137", "136", "135", "150", "151", "152", "158", "159", "182", "183",
                  "187", "188", "189", "186", "155", "156", "185", "180", "181", "177", "133", "153", "173"]


def weighted(rng: random.Random, pairs):
    items = [x for x, _ in pairs]
    weights = [w for _, w in pairs]
    return rng.choices(items, weights=weights, k=1)[0]


def round_ask(v: float, rank: int) -> int:
    if rank >= 6:
        step = 1000
    elif v < 100:
        step = 10
    elif v < 1000:
        step = 50
    else:
        step = 100
    return max(step, int(round(v / step)) * step)


class Contacts:
    """Invented people, unique names, phones and e-mail addresses."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.names: set[str] = set()
        self.phones: set[str] = set()
        self.emails: set[str] = set()

    def reserve(self, name: str | None = None, phone: str | None = None, email: str | None = None) -> None:
        for value, bag in ((name, self.names), (phone, self.phones), (email, self.emails)):
            if value:
                bag.add(value)

    def phone(self) -> str:
        while True:
            number = self.rng.choice(PHONE_PREFIXES) + "".join(str(self.rng.randrange(10)) for _ in range(8))
            if number not in self.phones:
                self.phones.add(number)
                return number

    def person(self, domain_weights=(("example.com", 1), ("example.cn", 1))) -> tuple[str, str, str]:
        rng = self.rng
        while True:
            (sur, spy), (giv, gpy) = rng.choice(SURNAMES), rng.choice(GIVEN)
            if sur + giv not in self.names:
                break
        self.names.add(sur + giv)
        domain = weighted(rng, domain_weights)
        pattern = rng.randrange(4)
        local = [f"{gpy}.{spy}", f"{spy}{gpy}", f"{spy}.{gpy}{rng.randint(1, 99)}", f"{spy[0]}{gpy}"][pattern]
        email = f"{local}@{domain}"
        n = 2
        while email in self.emails:
            email = f"{local}{n}@{domain}"
            n += 1
        self.emails.add(email)
        return sur + giv, self.phone(), email


# --------------------------------------------------------------------------- projects
def is_quirk(spec: ProjectSpec, dup_keys: set[str]) -> bool:
    return spec.lang != "zh-Hans" or spec.dup_of is not None or (spec.key in dup_keys)


def assign_sessions(rng: random.Random, specs: list[ProjectSpec]) -> list[str]:
    n = len(specs)
    target = {"S1": n - 2 * (n // 3), "S2": n // 3, "S3": n // 3}
    sessions: list[str | None] = [None] * n
    for idx, s in enumerate(specs):
        if s.session:
            sessions[idx] = s.session
        elif s.region and s.region != "山西" and not s.region.startswith("山西省"):
            sessions[idx] = "S2"
    free = [idx for idx in range(n) if sessions[idx] is None]
    # past entrants (S3) are the more mature projects
    scored = []
    for idx in free:
        s = specs[idx]
        score = STAGE_RANK[s.stage] + rng.uniform(0.0, 3.5) - (1.0 if s.group == "创客组" else 0.0)
        scored.append((score, idx))
    scored.sort(key=lambda t: (-t[0], t[1]))
    need_s3 = target["S3"] - sessions.count("S3")
    for _, idx in scored[:need_s3]:
        sessions[idx] = "S3"
    # the national session (S2) prefers projects not tied to the host province
    rest = [(rng.random() + (0.8 if specs[idx].region == "山西" else 0.0), idx) for _, idx in scored[need_s3:]]
    rest.sort()
    need_s2 = target["S2"] - sessions.count("S2")
    for k, (_, idx) in enumerate(rest):
        sessions[idx] = "S2" if k < need_s2 else "S1"
    return sessions  # type: ignore[return-value]


def pick_region(rng: random.Random, spec: ProjectSpec, session: str) -> str:
    if spec.region and spec.region != "山西":
        return spec.region
    shanxi = spec.region == "山西"
    if not shanxi:
        p_shanxi = {"S1": 1.0, "S2": 0.10, "S3": 0.85}[session]
        shanxi = rng.random() < p_shanxi
    if shanxi:
        return "山西省" + weighted(rng, SHANXI_CITIES)
    pool = RURAL_PLACES if spec.track == "乡村振兴" and rng.random() < 0.7 else NATIONAL_PLACES
    return weighted(rng, pool)


def pick_ask(rng: random.Random, spec: ProjectSpec) -> int:
    rank = STAGE_RANK[spec.stage]
    lo, hi = ASK_RANGE[rank][0 if spec.group == "创客组" else 1]
    # log-uniform: small asks are more common than large ones
    v = lo * (hi / lo) ** rng.random()
    return round_ask(v, rank)


def pick_needs(rng: random.Random, spec: ProjectSpec, wants_money: bool) -> list[str]:
    weights = dict(TRACK_NEEDS[spec.track])
    if spec.group == "创客组":
        for k, w in MAKER_NEEDS_BONUS.items():
            weights[k] = weights.get(k, 0) + w
    chosen = ["资金"] if wants_money else []
    extra = rng.choice([0, 1, 1, 2]) if wants_money else rng.choice([1, 2, 2, 3])
    pool = [k for k in NEEDS if k != "资金"]
    while extra > 0:
        k = rng.choices(pool, weights=[weights.get(x, 1) for x in pool], k=1)[0]
        chosen.append(k)
        pool.remove(k)
        extra -= 1
    return [k for k in NEEDS if k in chosen]


def format_ask(value: int, style: str) -> str:
    if style == "亿":
        return f"{value / 10000:g}亿"
    if style == "万":
        return f"{value}万"
    if style == "万元":
        return f"{value}万元"
    if style == "元":
        return f"{value * 10000:,}元"
    return str(value)


def build_projects(rng: random.Random, contacts: Contacts):
    specs = PROJECTS
    n = len(specs)
    by_key = {s.key: idx for idx, s in enumerate(specs) if s.key}
    dup_keys = {s.dup_of for s in specs if s.dup_of}
    for s in specs:  # pinned contacts must not be handed out again
        if s.contact:
            contacts.reserve(name=s.contact[0], email=s.contact[1])

    sessions = assign_sessions(rng, specs)
    regions = [pick_region(rng, s, sessions[idx]) for idx, s in enumerate(specs)]
    asks: list[int | None] = [pick_ask(rng, s) for s in specs]

    plain = [idx for idx, s in enumerate(specs) if not is_quirk(s, dup_keys)]

    # ~5%: not asking for money at all (only 场地/人才/... )
    no_money = sorted(rng.sample([idx for idx in plain if STAGE_RANK[specs[idx].stage] <= 4], 12))
    for idx in no_money:
        asks[idx] = None

    # ~6 asks written with units, as real spreadsheets have them
    ask_style = ["plain"] * n
    big = [idx for idx in plain if STAGE_RANK[specs[idx].stage] == 6]
    unit_rows = [rng.choice(big)]
    ask_style[unit_rows[0]] = "亿"
    candidates = [idx for idx in plain if asks[idx] is not None and idx not in unit_rows
                  and STAGE_RANK[specs[idx].stage] < 6]
    for idx, style in zip(rng.sample(candidates, 5), ["万", "万元", "元", "万", "万元"], strict=True):
        ask_style[idx] = style
        unit_rows.append(idx)

    needs = [pick_needs(rng, s, asks[idx] is not None) for idx, s in enumerate(specs)]

    # stages typed in English: the English rows already are; a few more
    stages = [s.stage for s in specs]
    english_stage_rows = [idx for idx, s in enumerate(specs) if s.stage in ("seed", "angel", "Series A")]
    for wanted, english in (("天使轮", "angel"), ("A轮", "Series A"), ("种子轮", "seed")):
        idx = rng.choice([k for k in plain if stages[k] == wanted and ask_style[k] == "plain"])
        stages[idx] = english
        english_stage_rows.append(idx)

    # ~5%: 行业领域 left empty (the description still makes the sector clear)
    sectors = [s.sectors for s in specs]
    # entrants fill in one to three labels; the content tables give three
    for idx in plain:
        labels = sectors[idx].split("、")
        keep = rng.choices([1, 2, 3], weights=[15, 35, 50], k=1)[0]
        sectors[idx] = "、".join(labels[:keep])
    empty_sector_rows = sorted(rng.sample(plain, 12))
    for idx in empty_sector_rows:
        sectors[idx] = ""

    # near-duplicates share the product with their original
    for idx, s in enumerate(specs):
        if s.dup_of:
            orig = by_key[s.dup_of]
            asks[idx] = asks[orig]
            ask_style[idx] = ask_style[orig]
            needs[idx] = list(needs[orig])
            stages[idx] = stages[orig]

    # contacts
    people: list[tuple[str, str, str] | None] = [None] * n
    for idx, s in enumerate(specs):
        if s.dup_of and "copy" in (s.dup_kind or ""):
            continue  # same person registering again: filled in below
        if s.contact:
            people[idx] = (s.contact[0], contacts.phone(), s.contact[1])
        else:
            people[idx] = contacts.person()
    for idx, s in enumerate(specs):
        if people[idx] is None:
            orig = people[by_key[s.dup_of]]
            assert orig is not None
            name, email = s.contact if s.contact else (orig[0], orig[2])
            people[idx] = (name, orig[1], email)

    # registration order: shuffled, but a re-registration always comes after its original
    order = list(range(n))
    rng.shuffle(order)
    pos = {idx: k for k, idx in enumerate(order)}
    for idx, s in enumerate(specs):
        if s.dup_of:
            orig = by_key[s.dup_of]
            if pos[idx] < pos[orig]:
                a, b = pos[idx], pos[orig]
                order[a], order[b] = order[b], order[a]
                pos[idx], pos[orig] = b, a

    ids = {idx: f"{EVENT_CODE}-P{k + 1:03d}" for k, idx in enumerate(order)}
    rows = []
    for idx in order:
        s = specs[idx]
        name, phone, email = people[idx]  # type: ignore[misc]
        rows.append({
            "报名编号": ids[idx],
            "项目名称": s.name,
            "赛道": s.track,
            "组别": s.group,
            "行业领域": sectors[idx],
            "阶段": stages[idx],
            "融资需求(万元)": "" if asks[idx] is None else format_ask(asks[idx], ask_style[idx]),
            "所在地区": regions[idx],
            "需求": "、".join(needs[idx]),
            "项目简介": s.description,
            "对接专场": sessions[idx],
            "联系人": name,
            "联系电话": phone,
            "电子邮箱": email,
        })

    def ids_of(indices):
        return [ids[idx] for idx in sorted(indices, key=lambda k: pos[k])]

    quirks = {
        "traditional": ids_of([idx for idx, s in enumerate(specs) if s.lang == "zh-Hant" and not s.dup_of]),
        "english": ids_of([idx for idx, s in enumerate(specs) if s.lang == "en"]),
        "duplicates": [(ids[by_key[s.dup_of]], ids[idx], s.dup_kind)
                       for idx, s in enumerate(specs) if s.dup_of],
        "hk_mo_tw": ids_of([idx for idx in range(n)
                            if regions[idx].startswith(("香港", "澳门", "台湾"))]),
        "empty_sectors": ids_of(empty_sector_rows),
        "no_money": ids_of(no_money),
        "unit_asks": [(ids[idx], format_ask(asks[idx], ask_style[idx])) for idx in unit_rows],  # type: ignore[arg-type]
        "english_stage": [(ids[idx], stages[idx]) for idx in sorted(english_stage_rows, key=lambda k: pos[k])],
        "past_winner_mentions": ids_of([idx for idx, s in enumerate(specs)
                                        if s.session == "S3" and not s.dup_of]),
    }
    return rows, quirks


# --------------------------------------------------------------------------- institutions
def build_institutions(rng: random.Random, contacts: Contacts):
    rows = []
    for k, spec in enumerate(INSTITUTIONS):
        name, phone, email = contacts.person(domain_weights=(("example.cn", 3), ("example.com", 1)))
        rows.append({
            "机构编号": f"{EVENT_CODE}-I{k + 1:02d}",
            "机构名称": spec.name,
            "机构类型": spec.kind,
            "关注领域": spec.focus,
            "投资阶段": spec.stages,
            "单笔投资额(万元)": spec.ticket,
            "关注地区": spec.regions,
            "投资逻辑": spec.thesis,
            "已投项目": "|".join(f"{c}（{sec}，{rnd}）" for c, sec, rnd in spec.portfolio),
            "参加专场": spec.sessions,
            "联系人": name,
            "联系电话": phone,
            "电子邮箱": email,
        })
    quirks = {
        "empty_thesis": [r["机构编号"] for r, s in zip(rows, INSTITUTIONS, strict=True) if not s.thesis],
        "english_thesis": [r["机构编号"] for r, s in zip(rows, INSTITUTIONS, strict=True) if s.thesis_lang == "en"],
        "unit_tickets": [(r["机构编号"], r["单笔投资额(万元)"]) for r in rows if "万" in r["单笔投资额(万元)"]],
        "all_sessions": [r["机构编号"] for r in rows if r["参加专场"].count("S") == 3],
    }
    return rows, quirks


# --------------------------------------------------------------------------- output
def csv_text(headers: list[str], rows: list[dict]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=headers, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def write_text(path: Path, text: str, bom: bool = False) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as fh:
        fh.write(text)


def event_json(inst_rows: list[dict]) -> str:
    sessions = []
    for s in SESSIONS:
        tables = sum(1 for r in inst_rows if s["code"] in r["参加专场"].split("、"))
        sessions.append({
            "code": s["code"], "kind": s["kind"], "name": s["name"], "name_en": s["name_en"],
            "date": s["date"], "start": SESSION_START, "end": SESSION_END, "venue": s["venue"],
            "slot_minutes": SLOT_MINUTES, "tables": tables,
        })
    return json.dumps({"event": EVENT, "sessions": sessions}, ensure_ascii=False, indent=2) + "\n"


def readme(proj_rows, pq, inst_rows, iq) -> str:
    by_session = Counter(r["对接专场"] for r in proj_rows)
    by_track = Counter(r["赛道"] for r in proj_rows)
    inst_by_session = Counter(s for r in inst_rows for s in r["参加专场"].split("、"))
    by_kind = Counter(r["机构类型"] for r in inst_rows)
    dup_zh = {"Traditional-Chinese copy": "繁体中文抄录", "paraphrase under a different team": "换团队改写（同产品同数据）",
              "renamed copy, sentences reordered": "改名并调整句序"}

    def join(xs):
        return ", ".join(xs)

    lines = [
        "# XH2026 demo data / 演示数据",
        "",
        "Generated by `python scripts/demo_data/generate.py` (Python 3.11 standard library, seed 20261124; "
        "the output is byte-identical on every run). Do not edit these files by hand: edit the content tables in "
        "`scripts/demo_data/` and regenerate.",
        "",
        "由 `python scripts/demo_data/generate.py` 生成（仅用 Python 3.11 标准库，随机种子 20261124，"
        "每次运行输出逐字节相同）。请勿手工修改本目录文件；如需调整，请修改 `scripts/demo_data/` 下的内容表后重新生成。",
        "",
        "**Everything here is fictional / 全部内容均为虚构**: the contest, organisers' roles, companies, institutions, "
        "people, phone numbers and e-mails (`@example.com` / `@example.cn` only). Any resemblance to real entities is "
        "coincidental. 赛事、企业、机构、人名、电话、邮箱均为虚构，与真实主体无关。",
        "",
        "## Files / 文件",
        "",
        "| file | content |",
        "|---|---|",
        f"| `event.json` | {EVENT['name']} — 3 sessions (本地专场 / 全国专场 / 往届参赛项目专场) on three consecutive days, "
        f"9 slots of {SLOT_MINUTES} min ({SESSION_START}–{SESSION_END}), tables = institutions attending |",
        f"| `projects.csv` | {len(proj_rows)} registrations 参赛项目报名表, UTF-8 with BOM, header `{','.join(PROJECT_HEADERS)}` |",
        f"| `institutions.csv` | {len(inst_rows)} institutions 创投/服务机构, UTF-8 with BOM, header "
        f"`{','.join(INSTITUTION_HEADERS)}` |",
        "",
        "Read the CSVs with `csv.DictReader(open(path, encoding='utf-8-sig', newline=''))`. "
        "Host province 山西 (太原); most projects are from 山西, the national session (S2) draws from many provinces.",
        "",
        "## Counts / 数量",
        "",
        "- projects per session 各专场项目数: " + join(f"{k} {by_session[k]}" for k in ("S1", "S2", "S3")),
        "- projects per track 各赛道项目数: " + join(f"{k} {v}" for k, v in by_track.items()),
        "- institutions per type 机构类型: " + join(f"{k} {v}" for k, v in by_kind.items()),
        "- institutions per session 各专场机构数 (= tables 桌数): "
        + join(f"{k} {inst_by_session[k]}" for k in ("S1", "S2", "S3")),
        "",
        "## Deliberate quirks / 刻意保留的“脏数据”",
        "",
        "The set imitates real registration spreadsheets; importers, the matcher and the duplicate detector "
        "should cope with all of these. 数据模仿真实报名表，导入、匹配和查重功能都应能处理以下情况：",
        "",
        "### projects.csv",
        "",
        f"- **Traditional Chinese 繁体中文** (Hong Kong / Taiwan / Macau round; name, sectors and description in 繁體; "
        f"region, track, stage are the form's simplified options): {join(pq['traditional'])}; plus the Traditional copy "
        f"listed under duplicates. Rows from 香港/澳门/台湾: {join(pq['hk_mo_tw'])}.",
        f"- **English 英文** name and description (returnee teams 海归团队): {join(pq['english'])}.",
        "- **Near-duplicate registrations 疑似重复报名** (original → duplicate):",
    ]
    for orig, dup, kind in pq["duplicates"]:
        lines.append(f"  - {orig} → {dup}: {kind} / {dup_zh.get(kind, kind)}")
    lines += [
        "  The Traditional copy and the renamed copy keep the original contact's phone number (same person registering "
        "again); the paraphrase comes from a different team with different contacts. 繁体抄录和改名重报沿用原联系人手机号；"
        "改写版为另一团队，联系方式不同。",
        f"- **Empty 行业领域** (sector must be inferred from 项目简介): {join(pq['empty_sectors'])}.",
        f"- **No funding sought 融资需求为空** (需求 has no 资金): {join(pq['no_money'])}.",
        "- **融资需求 written with units 带单位的金额** (all other non-empty cells are plain 万元 integers): "
        + join(f"{i} `{v}`" for i, v in pq["unit_asks"]) + ".",
        "- **阶段 typed in English 英文轮次**: " + join(f"{i} `{v}`" for i, v in pq["english_stage"])
        + ". English rows' 行业领域 may be English too.",
        "- **行业领域 vocabulary** is free text with synonyms and hierarchy across rows "
        "(储能 / 新型储能 / 新能源; 人工智能 / AI / 大模型; 智慧养老 / 养老服务 / 银发经济; 3D打印 / 增材制造; "
        "无人机 / 低空经济 …).",
        f"- Rows that mention a previous 星火杯 (so pinned to S3): {join(pq['past_winner_mentions'])}.",
        "",
        "### institutions.csv",
        "",
        f"- **Empty 投资逻辑** — the 4–6 past investments in 已投项目 must speak for them: {join(iq['empty_thesis'])}.",
        f"- **投资逻辑 in English**: {join(iq['english_thesis'])}.",
        "- **单笔投资额 with units** (others are plain `min-max` in 万元): "
        + join(f"{i} `{v}`" for i, v in iq["unit_tickets"]) + ".",
        "- 关注领域 is often broader than the projects' labels (新能源 vs 储能, 大健康 vs 康复辅具, 数字经济 …) "
        "and theses are phrased at a higher level than project descriptions, sharing few literal words.",
        "- 已投项目 format: `公司名（行业，轮次）` joined by `|` (full-width brackets and comma). "
        "孵化器 stages include 创意; one 产业资本 lists C轮.",
        f"- Institutions attending all three sessions: {join(iq['all_sessions'])}.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    rng = random.Random(SEED)
    contacts = Contacts(rng)
    proj_rows, pq = build_projects(rng, contacts)
    inst_rows, iq = build_institutions(rng, contacts)
    write_text(OUT / "event.json", event_json(inst_rows))
    write_text(OUT / "projects.csv", csv_text(PROJECT_HEADERS, proj_rows), bom=True)
    write_text(OUT / "institutions.csv", csv_text(INSTITUTION_HEADERS, inst_rows), bom=True)
    write_text(OUT / "README.md", readme(proj_rows, pq, inst_rows, iq))
    print(f"wrote {len(proj_rows)} projects, {len(inst_rows)} institutions to {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
