"""Near-duplicate registrations: planted copies are found with their kind; look-alikes are not."""

from __future__ import annotations

import csv
import random
import re
import time
from itertools import combinations
from pathlib import Path

import numpy as np
import pytest

import matchmaker.demo
from matchmaker.ranking.duplicates import (
    DEFAULT_THRESHOLD,
    KINDS,
    DuplicatePair,
    Registration,
    find_duplicates,
)

DEMO_PROJECTS = Path(matchmaker.demo.__file__).parent / "data" / "projects.csv"


def reg(
    id: str, name: str, description: str, phone: str = "", email: str = "", *sectors: str
) -> Registration:
    return Registration(id, name, description, tuple(sectors), phone, email)


# ---- a small registration sheet with planted copies and honest look-alikes ------------------

SOLID_ELECTROLYTE = (
    "团队自主研发硫化物固态电解质及干法成膜工艺，电解质膜厚度做到25μm，室温离子电导率达到每厘米"
    "12毫西门子。已建成年产20万平方米的中试线，向3家电池企业送样，其中1家进入B样验证。"
    "拥有发明专利9项，2025年营收1800万元。"
)
ORCHARD = [
    "为山地苹果园提供土壤墒情传感器、智能阀门和水肥一体化控制平台。",
    "系统根据墒情和树龄自动配比灌溉，节水45%、节肥30%。",
    "已在临猗、吉县推广果园1.2万亩。",
    "果农通过手机小程序即可远程控制灌溉。",
]
PAPER_CUT = (
    "以国家级非遗剪纸为核心，开发文创礼品、数字藏品和研学课程。"
    "已与42所中小学开展研学合作，年接待学生2.6万人次。"
    "文创产品入驻景区商店38家，线上店铺复购率27%。"
)
MINE_ROBOT = [
    "研发适用于煤矿井下的防爆四足巡检机器人，可自主爬坡、跨越障碍并识别皮带跑偏和托辊异响。",
    "机器人搭载气体、温度和红外传感器，单次续航4.5小时。",
    "已在5座煤矿试用，替代巡检人员约60%的工作量。",
]
LOOM = (
    "LoomAI mounts line-scan cameras on looms and flags weaving defects in real time. "
    "Our model detects 42 defect types with 97.3% recall and pays back within 7 months. "
    "Running in 9 mills in Shaoxing; 2025 revenue RMB 8.6 million."
)

REGISTRATIONS = [
    # 1. a Traditional-Chinese copy (same person: same phone)
    reg("T26-P01", "硫化物固态电解质膜", SOLID_ELECTROLYTE, "13912345678", "", "固态电池"),
    reg(
        "T26-P02",
        "硫化物固態電解質膜",
        "團隊自主研發硫化物固態電解質及乾法成膜工藝，電解質膜厚度做到25μm，室溫離子電導率達到每厘米"
        "12毫西門子。已建成年產20萬平方米的中試線，向3家電池企業送樣，其中1家進入B樣驗證。"
        "擁有發明專利9項，2025年營收1800萬元。",
        "+86 139-1234-5678",
        "",
        "固態電池",
    ),
    # 2. a paraphrase by another team: new words, the same figures (1.2亿 written as 12000万)
    reg(
        "T26-P03",
        "县域冷链共配中心",
        "在晋中、吕梁建设县域冷链共同配送中心，为超市、餐饮店和电商网点提供冷藏仓储与城乡配送。"
        "现有冷库容量1.5万吨，冷藏车86辆，服务商户1300家，2025年营收1.2亿元，配送准时率98.5%。",
        "13700001111",
        "coldchain@example.cn",
        "冷链物流",
    ),
    reg(
        "T26-P04",
        "城乡冷链一张网——县级共同配送",
        "我们在吕梁和晋中两地的县城运营冷链共配中心，帮助商超、饭店和电商网点完成冷藏存储和下乡配送。"
        "公司拥有86辆冷藏车和15000吨冷库，合作商户达到1300家；去年收入12000万元，"
        "准时送达率为98.5%。",
        "15800002222",
        "peisong@example.com",
        "物流",
    ),
    # 3. renamed, sentences reordered (same phone)
    reg("T26-P05", "苹果园智能水肥一体化", "".join(ORCHARD), "18603510001", "", "智慧农业"),
    reg(
        "T26-P06",
        "果园云灌——山地果园精准灌溉系统",
        "".join([ORCHARD[2], ORCHARD[3], ORCHARD[0], ORCHARD[1]]),
        "186 0351 0001",
        "",
        "智慧农业",
    ),
    # 4. a copy with one sentence added, different contacts
    reg("T26-P07", "非遗剪纸文创与研学", PAPER_CUT, "13500003333", "", "文创"),
    reg(
        "T26-P08",
        "非遗剪纸文创与研学",
        PAPER_CUT + "团队计划在太原古县城开设非遗剪纸体验馆。",
        "13600004444",
        "",
        "文创",
    ),
    # 5. same name, sentences reordered
    reg("T26-P09", "矿井巡检四足机器人", "".join(MINE_ROBOT), "13300005555", "", "煤矿智能化"),
    reg(
        "T26-P10",
        "矿井巡检四足机器人",
        "".join([MINE_ROBOT[2], MINE_ROBOT[0], MINE_ROBOT[1]]),
        "13300006666",
        "",
        "煤矿智能化",
    ),
    # 6. an English pair: one sentence edited, one added
    reg("T26-P11", "LoomAI — defect detection for textile mills", LOOM, "", "team@loomai.example"),
    reg(
        "T26-P12",
        "LoomAI - Defect Detection for Textile Mills",
        LOOM.replace("Shaoxing", "Shaoxing and Keqiao") + " We are raising a seed round.",
        "",
        "TEAM@LoomAI.example ",
    ),
    # 7. one team, two genuinely different projects (same phone and e-mail): not a duplicate
    reg(
        "T26-P13",
        "高原藜麦种植与深加工",
        "在忻州高寒山区推广藜麦订单种植，建设清洗、脱皂和膨化加工线，开发藜麦米、藜麦粉和代餐棒。"
        "带动农户620户，种植面积8000亩。",
        "13812340000",
        "wang.lei@example.cn",
        "特色农业",
    ),
    reg(
        "T26-P14",
        "农产品直播电商培训基地",
        "为返乡青年和合作社开展直播带货、短视频拍摄和店铺运营培训，提供直播间和供应链选品支持。"
        "累计培训学员2300人次，孵化直播账号140个。",
        "138-1234-0000",
        "Wang.Lei@example.cn",
        "电商",
    ),
    # 8. three different energy-storage projects
    reg(
        "T26-P15",
        "工商业液冷储能一体柜",
        "面向工业园区的215kWh液冷储能一体柜，集成自研EMS能量管理系统，利用峰谷电价差套利和需量管理"
        "降低企业电费。已在江苏、山西投运储能项目63个，累计装机180MWh，2025年营收2.1亿元。",
        "13911110000",
        "",
        "储能",
    ),
    reg(
        "T26-P16",
        "钠离子电池储能电芯",
        "研发层状氧化物正极钠离子电池电芯，能量密度145Wh/kg，零下20℃容量保持率超过88%，用于户用储能"
        "和通信基站备电。已建成0.5GWh产线，获得储能电池订单6000万元。",
        "13922220000",
        "",
        "储能",
        "钠离子电池",
    ),
    reg(
        "T26-P17",
        "储能电池管理系统BMS",
        "开发储能电池管理系统（BMS）和主动均衡模组，电芯级SOC估算误差小于2%，适配磷酸铁锂储能柜和"
        "储能电站。产品已进入12家储能集成商供应链，累计出货3.6GWh，拥有发明专利17项。",
        "13933330000",
        "",
        "储能",
        "BMS",
    ),
    # 9. two different elderly-care robots
    reg(
        "T26-P18",
        "居家智能陪护机器人",
        "为居家独居老人研发的智能陪护机器人，具备语音聊天、用药提醒、跌倒报警和视频问诊功能，"
        "接入社区养老服务平台。已在太原3个区投放1100台，月活跃率81%。",
        "13944440000",
        "",
        "智慧养老",
    ),
    reg(
        "T26-P19",
        "失能老人助浴护理机器人",
        "研发面向失能老人的床旁助浴护理机器人，一名护理员即可完成洗浴，洗浴时间缩短到25分钟，"
        "水温和水压全程自动控制。产品进入养老机构46家，2025年销售额2600万元。",
        "13955550000",
        "",
        "智慧养老",
        "养老服务",
    ),
    # 10. two different ready-meal companies
    reg(
        "T26-P20",
        "山西面食预制菜",
        "把刀削面、莜面栲栳栳、剔尖等山西面食做成冷冻预制菜，通过速冻锁鲜技术保持口感，3分钟即可出餐。"
        "产品进入盒马、美团买菜等渠道，2025年销售额9500万元，复购率35%。",
        "13966660000",
        "",
        "预制菜",
    ),
    reg(
        "T26-P21",
        "团餐预制菜中央厨房",
        "为企事业单位食堂和学校提供净菜、半成品菜和预制菜配送，菜品配方标准化后减少后厨人力40%。"
        "中央厨房日产能达到60吨，服务团餐客户210家。",
        "13977770000",
        "",
        "预制菜",
    ),
    # 11. the storage team's second project: its own product, one sentence of the company's record
    reg(
        "T26-P22",
        "工商业储能智能运维平台",
        "为工商业储能电站提供远程监控、电池健康诊断和预测性维护的SaaS运维平台，与公司自研的EMS"
        "能量管理系统打通。已在江苏、山西投运储能项目63个，累计装机180MWh，2025年营收2.1亿元。",
        "139 1111 0000",
        "",
        "储能",
        "运维",
    ),
    # 12. a paraphrase with no figures at all: only an embedding can tell
    reg(
        "T26-P23",
        "盲人无障碍导航眼镜",
        "为视障人士设计的智能导航眼镜，通过双目摄像头识别红绿灯、台阶和障碍物，并用骨传导耳机语音提示。"
        "眼镜与手机地图联动，可在陌生街区独立出行。",
        "13988880000",
    ),
    reg(
        "T26-P24",
        "视障者出行辅助眼镜",
        "这款眼镜帮助盲人和低视力人群独立出门：镜框上的两个摄像头能认出信号灯、楼梯和路上的障碍，"
        "再通过骨传导耳机用语音告诉使用者。它还能配合手机导航，在不熟悉的街道也能自己走。",
        "13999990000",
    ),
]
BY_ID = {r.id: r for r in REGISTRATIONS}

EXPECTED = {
    ("T26-P01", "T26-P02"): "traditional_copy",
    ("T26-P03", "T26-P04"): "paraphrase",
    ("T26-P05", "T26-P06"): "renamed",
    ("T26-P07", "T26-P08"): "near_copy",
    ("T26-P09", "T26-P10"): "reordered",
    ("T26-P11", "T26-P12"): "near_copy",
    ("T26-P15", "T26-P22"): "same_contact",
}
LOOK_ALIKES = [
    ("T26-P13", "T26-P14"),  # same team, different projects
    *combinations(["T26-P01", "T26-P15", "T26-P16", "T26-P17"], 2),  # batteries and storage
    ("T26-P16", "T26-P22"),
    ("T26-P17", "T26-P22"),
    ("T26-P18", "T26-P19"),  # elderly-care robots
    ("T26-P20", "T26-P21"),  # ready meals
    ("T26-P23", "T26-P24"),  # a paraphrase without figures: lexically out of reach
]


Found = dict[tuple[str, str], DuplicatePair]


@pytest.fixture(scope="module")
def found() -> Found:
    return {(p.a, p.b): p for p in find_duplicates(REGISTRATIONS)}


def evidence(pair: DuplicatePair) -> str:
    return "\n".join(pair.evidence_text("zh"))


def test_the_planted_pairs_are_found_with_their_kind_and_nothing_else(found: Found) -> None:
    assert {key: pair.kind for key, pair in found.items()} == EXPECTED


def test_look_alikes_stay_well_under_the_threshold() -> None:
    everything = {(p.a, p.b): p.similarity for p in find_duplicates(REGISTRATIONS, threshold=1e-6)}
    for key in LOOK_ALIKES:
        assert everything.get(key, 0.0) < DEFAULT_THRESHOLD - 0.15, key


def test_pairs_are_ordered_scored_and_sorted(found: Found) -> None:
    pairs = find_duplicates(REGISTRATIONS)
    assert [p.similarity for p in pairs] == sorted((p.similarity for p in pairs), reverse=True)
    for p in pairs:
        assert p.a < p.b and p.kind in KINDS and p.evidence
        assert DEFAULT_THRESHOLD <= p.similarity <= 1.0
    copies = [p for p in pairs if p.kind != "paraphrase" and p.kind != "same_contact"]
    assert min(p.similarity for p in copies) > found[("T26-P03", "T26-P04")].similarity


def test_a_traditional_copy_is_an_exact_copy_once_converted(found: Found) -> None:
    pair = found[("T26-P01", "T26-P02")]
    assert pair.similarity == 1.0
    assert pair.evidence_text("zh")[0] == "简介 100% 相同（繁简转换后）"
    assert "相同数据：25μm、12、20万平方米、3家、9项、1800万元" in evidence(pair)
    assert "联系电话相同：139****5678" in evidence(pair)  # +86 and dashes are ignored


def test_a_paraphrase_is_caught_by_its_figures_in_any_unit(found: Found) -> None:
    pair = found[("T26-P03", "T26-P04")]
    assert "相同数据：1.5万吨、86辆、1300家、1.2亿元、98.5%" in evidence(pair)
    assert "项目名称不同" in evidence(pair)
    assert "联系" not in evidence(pair) and "相同句子" not in evidence(pair)


def test_a_renamed_reordered_copy_shows_both_names_and_the_order(found: Found) -> None:
    text = evidence(found[("T26-P05", "T26-P06")])
    assert "项目名称不同：「苹果园智能水肥一体化」↔「果园云灌——山地果园精准灌溉系统」" in text
    assert "相同句子 4/4" in text and "句子顺序不同" in text
    assert "相同数据：45%、30%、1.2万亩" in text
    assert "联系电话相同：186****0001" in text


def test_an_added_sentence_is_quoted(found: Found) -> None:
    text = evidence(found[("T26-P07", "T26-P08")])
    assert "T26-P08 多出 1 句：「团队计划在太原古县城开设非遗剪纸体验馆" in text
    assert "相同句子 3/4" in text and "项目名称相同" in text
    assert "句子顺序" not in text


def test_a_reordered_copy_under_the_same_name(found: Found) -> None:
    text = evidence(found[("T26-P09", "T26-P10")])
    assert "句子顺序不同" in text and "项目名称相同" in text and "多出" not in text


def test_an_english_copy(found: Found) -> None:
    text = evidence(found[("T26-P11", "T26-P12")])
    assert "相同数据：42、97.3%、7、9、8.6 million" in text
    assert "电子邮箱相同：team@loomai.example" in text
    assert "项目名称相同" in text  # case, spaces and dashes do not make a new name


def test_kinds_and_evidence_read_in_one_language(found: Found) -> None:
    paraphrase = found[("T26-P03", "T26-P04")]
    assert paraphrase.kind_label("zh") == "改写（同产品同数据）"
    assert paraphrase.kind_label("en") == "Paraphrase (same product, same figures)"
    assert "Same figures: 1.5万吨, 86辆, 1300家, 1.2亿元, 98.5%" in paraphrase.evidence_text("en")
    quoted = re.compile(r"「[^」]*」|“[^”]*”")
    for pair in found.values():
        assert pair.kind_label("en") != pair.kind and pair.kind_label("zh") != pair.kind
        for line in pair.evidence_text("en"):
            assert not re.search("[：、（）「」]", quoted.sub("", line)), line
        for line in pair.evidence_text("zh"):
            assert " / " not in line and not re.search(
                r"\b(identical|sentences?|figures|same|names?|order)\b", line
            ), line


def test_a_shared_contact_alone_is_not_proof_but_backs_up_a_partial_overlap(found: Found) -> None:
    assert ("T26-P13", "T26-P14") not in found
    pair = found[("T26-P15", "T26-P22")]
    assert "联系电话相同" in evidence(pair) and "相同句子 1/" in evidence(pair)
    # without the contact bonus the same texts would not be reported
    others = [r if r.id != "T26-P22" else reg(r.id, r.name, r.description) for r in REGISTRATIONS]
    assert ("T26-P15", "T26-P22") not in {(p.a, p.b) for p in find_duplicates(others)}


# ---- embeddings ---------------------------------------------------------------------------


def embeddings_for(
    registrations: list[Registration], cosines: dict[tuple[str, str], float]
) -> np.ndarray:
    """Random near-orthogonal unit vectors, with the given pairs bent to the given cosines."""
    rng = np.random.default_rng(7)
    vectors = rng.standard_normal((len(registrations), 384))
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    row = {r.id: k for k, r in enumerate(registrations)}
    for (a, b), cosine in cosines.items():
        base = vectors[row[a]]
        other = vectors[row[b]] - (vectors[row[b]] @ base) * base
        vectors[row[b]] = cosine * base + np.sqrt(1 - cosine**2) * other / np.linalg.norm(other)
    return vectors.astype(np.float32)


def test_embeddings_catch_a_paraphrase_that_shares_no_figures() -> None:
    copies = [pair for pair, kind in EXPECTED.items() if kind != "same_contact"]
    cosines = dict.fromkeys(copies, 0.99) | {("T26-P23", "T26-P24"): 0.97}
    pairs = find_duplicates(REGISTRATIONS, embeddings_for(REGISTRATIONS, cosines))
    kinds = {(p.a, p.b): p.kind for p in pairs}
    assert kinds == EXPECTED | {("T26-P23", "T26-P24"): "paraphrase"}
    blind = next(p for p in pairs if p.a == "T26-P23")
    assert "语义相似度 0.97" in evidence(blind)


def test_embeddings_close_in_topic_do_not_flag_same_sector_projects() -> None:
    # an encoder that puts every storage project, every care robot and every ready meal close
    cosines = {pair: 0.92 for pair in LOOK_ALIKES if pair != ("T26-P23", "T26-P24")}
    pairs = find_duplicates(REGISTRATIONS, embeddings_for(REGISTRATIONS, cosines))
    assert {(p.a, p.b) for p in pairs} == set(EXPECTED)


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="unique"):
        find_duplicates([REGISTRATIONS[0], REGISTRATIONS[0]])
    with pytest.raises(ValueError, match="shape"):
        find_duplicates(REGISTRATIONS, np.zeros((3, 8), dtype=np.float32))
    with pytest.raises(ValueError, match="threshold"):
        find_duplicates(REGISTRATIONS, threshold=0.0)
    assert find_duplicates(REGISTRATIONS[:1]) == []
    assert find_duplicates([]) == []


def test_empty_texts_and_zero_embeddings_are_harmless() -> None:
    blank = [reg("B1", "", ""), reg("B2", "", ""), reg("B3", "养老", "")]
    assert find_duplicates(blank, np.zeros((3, 4), dtype=np.float32)) == []


# ---- the packaged demo data ---------------------------------------------------------------


def test_demo_data_flags_exactly_the_three_planted_pairs() -> None:
    with DEMO_PROJECTS.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    registrations = [
        Registration(
            id=row["报名编号"],
            name=row["项目名称"],
            description=row["项目简介"],
            sectors=tuple(s for s in row["行业领域"].split("、") if s),
            contact_phone=row["联系电话"],
            contact_email=row["电子邮箱"],
        )
        for row in rows
    ]
    assert len(registrations) == 240
    pairs = find_duplicates(registrations)
    assert {(p.a, p.b): p.kind for p in pairs} == {
        ("XH2026-P190", "XH2026-P206"): "traditional_copy",
        ("XH2026-P099", "XH2026-P171"): "paraphrase",
        ("XH2026-P188", "XH2026-P227"): "renamed",
    }
    paraphrase = next(p for p in pairs if p.a == "XH2026-P099")
    assert "相同数据：2000次、4家、6000吨、3200万元、14项" in evidence(paraphrase)


# ---- scale ----------------------------------------------------------------------------------

CITIES = (
    "太原 大同 晋中 长治 运城 临汾 忻州 吕梁 朔州 阳泉 晋城 郑州 西安 合肥 武汉 成都 杭州 苏州 "
    "济南 沈阳 南昌 长沙 贵阳 兰州"
).split()
# sector: products | customers | features (what a product does, in that sector's words)
SECTORS = {
    "储能": (
        "工商业储能柜 户用储能系统 储能变流器 液冷储能舱 钠电池电芯 储能BMS",
        "工业园区 数据中心 光伏电站 充电站运营商",
        "峰谷套利 需量管理 电芯级均衡 液冷温控 黑启动 虚拟电厂调度 热失控预警 并离网切换",
    ),
    "养老": (
        "陪护机器人 助浴设备 智能床垫 适老化改造 老年助餐 跌倒监测雷达",
        "养老机构 社区驿站 独居老人家庭 民政部门",
        "跌倒报警 用药提醒 离床监测 语音陪聊 助浴护理 上门巡访 慢病随访 防走失定位",
    ),
    "预制菜": (
        "冷冻面点 酸菜鱼料包 中央厨房 净菜配送 即热米饭 地方小吃",
        "连锁餐饮 学校食堂 商超 社区团购平台",
        "速冻锁鲜 标准化配方 冷链直配 小份量包装 减盐减油 地方风味还原 柔性排产 溯源赋码",
    ),
    "农业": (
        "水肥一体机 植保无人机 智能温室 小米深加工 蛋鸡养殖 食用菌工厂",
        "合作社 家庭农场 种植大户 农垦集团",
        "墒情监测 变量施肥 病虫害识别 订单收购 品牌包装 冷库预冷 秸秆还田 有机认证",
    ),
    "制造": (
        "工业相机 精密减速器 激光焊接头 3D打印粉末 数控刀具 视觉检测设备",
        "汽车零部件厂 电子工厂 模具企业 家电企业",
        "亚微米定位 缺陷自学习 国产替代 柔性换型 在线测量 预测性维护 无人化产线 工艺仿真",
    ),
    "医疗": (
        "康复外骨骼 远程心电 牙科种植体 医用敷料 血透耗材 基层影像AI",
        "县级医院 康复中心 民营诊所 体检机构",
        "医工结合 二类注册证 远程会诊 耗材集采 辅助诊断 步态训练 院外随访 多中心临床",
    ),
    "文创": (
        "非遗剪纸 短剧制作 数字人主播 文旅演艺 动漫IP 研学课程",
        "景区 品牌方 中小学 地方文旅局",
        "沉浸式演出 IP授权 直播带货 研学线路 数字藏品 剧本杀 非遗工坊 短视频矩阵",
    ),
    "环保": (
        "固废再生 污水处理剂 VOCs治理 光伏组件回收 秸秆燃料 土壤修复",
        "化工园区 县城水厂 钢铁企业 电力公司",
        "资源化利用 碳减排核算 在线监测 膜分离 低温催化 危废减量 异味控制 无害化处置",
    ),
}
ADJECTIVES = "小型 模块化 低成本 高可靠 智能 国产 便携式 一体化".split()
# [a|b|c] picks one wording, {slot} takes the registration's own word or figure
OPENINGS = (
    "{city}[团队|公司|创业团队][专注|深耕|聚焦]{adj}{product}，[主要客户是|客户主要是|服务对象为]{customer}。",
    "[公司|我们|本团队]为{customer}提供{adj}{product}[与配套服务|及运维|和整体方案]，[总部位于|注册在]{city}。",
    "项目源自[一所高校的实验室|一家科研院所|团队多年的技术积累]，[目标是|希望]让{customer}用上{adj}{product}。",
    "我们做{product}已经{years}年，[深知|了解|看到了]{customer}在{f1}上的[痛点|难处|短板]。",
    "本项目以{adj}{product}切入{sector}[市场|领域|赛道]，[先服务|首先覆盖|从]{city}[周边的|一带的]{customer}。",
    "创始人[曾在|此前在]{sector}行业[工作|打拼]{years}年，[回到|来到]{city}创业，[研发|主攻]{adj}{product}。",
    "[针对|面对|看到]{customer}在{f1}上[长期依赖人工|效率低、成本高|缺少好工具]的问题，"
    "[我们推出了|团队研发了|公司开发了]{product}。",
    "{adj}{product}是团队[在孵化器里|成立后|用两年时间]做出的[第一款|核心|主力]产品，{f1}是它的[长处|卖点]。",
)
FEATURES = (
    "[产品|方案|系统][主打|突出|强调]{f1}和{f2}。",
    "[核心能力|关键技术|主要功能]包括{f2}、{f3}两项。",
    "与[同类方案|竞品|进口产品]相比，我们在{f2}上[领先|更强]，并[补齐了|加上了]{f3}。",
    "{f2}[功能|模块]已经[成熟|量产]，{f3}正在[试点|验证|内测]。",
    "[客户|用户]最看重的是{f3}，其次是{f2}。",
    "[下一步|明年|接下来]把{f3}做成[标准模块|标准产品|独立产品线]。",
)
FACTS = (
    "[已服务|累计服务|合作]{customer}{a}家，2025年[营收|收入|销售额]{b}万元。",
    "[累计交付|已交付|共交付]{a}套，[客户复购率|复购率|老客户复购率]{p}%。",
    "[毛利率|综合毛利率]{q}%，{f2}[相关收入|带来的收入]占比[过半|超过一半|最大]。",
    "[目前|现已|截至目前]签约客户{a}个，[在手订单|待执行订单]{b}万元。",
    "[产品良率|良品率|出厂合格率]{p}%，[单位成本|综合成本]比[进口方案|同行]低{q}%。",
    "[核心团队|团队|研发团队]{c}人，其中[硕士以上|博士和硕士|高级职称]{e}名。",
    "[拥有|已获得|申请]发明专利{d}项、[软件著作权|实用新型专利]{g}项。",
    "[月活跃用户|月活用户|注册用户]{b}人，[付费转化率|付费率]{p}%。",
    "[年产能|设计产能|年处理能力]{b}吨，[产能利用率|开工率]{q}%。",
    "[完成|经历了]{c}轮[技术迭代|产品迭代]，{f3}[指标|性能]提升{p}%。",
    "[去年|2025年|过去一年]新增{customer}客户{a}家，[续约率|留存率]{q}%。",
    "设备在[示范点|首个客户现场|试点项目]连续运行{h}天[无故障|零停机]。",
    "与{customer}[共建|合作成立]{f3}[联合实验室|创新中心]。",
    "[入选|进入]{city}[专精特新|科技型中小企业|瞪羚企业][企业名单|培育库]。",
)
ASKS = (
    "[本轮|这一轮][计划融资|拟融资]{m}万元，用于[扩产和市场推广|研发和团队建设|渠道建设]。",
    "希望对接{sector}[领域|方向]的[产业资本|投资机构|龙头企业][与渠道资源|和应用场景|]。",
    "[寻求|期待]与{customer}的[规模化合作|深度合作|长期合作]。",
    "[拟出让|计划出让]{r}%股权，融资{m}万元。",
    "需要[政府|园区]在[场地和应用场景|人才和政策|厂房和审批]上给予支持。",
    "",
)
_WORDING = re.compile(r"\[([^\]]*)\]")


def synthetic(n: int, seed: int = 2026) -> list[Registration]:
    """Same sectors, words and phrasings; each registration its own product, place and figures."""
    rng = random.Random(seed)
    out = []
    for k in range(n):
        sector = rng.choice(list(SECTORS))
        products, customers, features = (s.split() for s in SECTORS[sector])
        f1, f2, f3 = rng.sample(features, 3)
        slots = {
            "city": rng.choice(CITIES),
            "sector": sector,
            "adj": rng.choice(ADJECTIVES),
            "product": rng.choice(products),
            "customer": rng.choice(customers),
            "f1": f1,
            "f2": f2,
            "f3": f3,
            "years": rng.randint(3, 25),
            "a": rng.randint(11, 3000),
            "b": rng.randint(101, 90000),
            "c": rng.randint(11, 80),
            "e": rng.randint(2, 10),
            "d": rng.randint(2, 60),
            "g": rng.randint(2, 90),
            "h": rng.randint(30, 900),
            "m": rng.choice(range(300, 20000, 100)),
            "p": rng.randint(11, 99),
            "q": rng.randint(11, 99),
            "r": rng.randint(5, 20),
        }
        parts = [rng.choice(FEATURES), *rng.sample(FACTS, 3), rng.choice(ASKS)]
        rng.shuffle(parts)
        template = "".join([rng.choice(OPENINGS), *parts])
        text = _WORDING.sub(lambda m: rng.choice(m.group(1).split("|")), template).format(**slots)
        name = f"{rng.choice(['', slots['city'], slots['adj'], '新一代'])}{slots['product']}"
        name += rng.choice(["", "项目", "平台", "研发及产业化", "示范工程"])
        out.append(reg(f"S{k:04d}", name, text, f"13{k:09d}", f"u{k}@example.cn", sector))
    return out


def test_two_thousand_registrations_are_checked_quickly_and_none_is_flagged() -> None:
    registrations = synthetic(2000)
    assert len({r.description for r in registrations}) == 2000
    started = time.perf_counter()
    pairs = find_duplicates(registrations)
    elapsed = time.perf_counter() - started
    assert pairs == []
    assert elapsed < 30  # generous: it takes about two seconds; catches an O(n²) Python loop
