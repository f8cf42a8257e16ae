"""A sector taxonomy: free-text labels (储能, 新型储能, energy storage) → nodes with parents.

Users write sectors as free text. Matching needs synonyms (大模型 ≈ LLM) and hierarchy
(储能 ⊂ 新能源): each label is mapped to taxonomy nodes by alias (exact after folding), then by
containment (``工商业储能`` contains ``储能``); a profile's sector vector puts weight on each node
and, decaying, on its ancestors, so that an institution's broad focus (新能源) meets a project's
narrow label (储能). Labels that match nothing can be mapped by a callback (``SectorMapper``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from matchmaker.text import fold

# (code, 中文, English, parent code or "", aliases: other names and English forms)
_NODES: tuple[tuple[str, str, str, str, tuple[str, ...]], ...] = (
    # 先进制造
    (
        "manufacturing",
        "先进制造",
        "Advanced manufacturing",
        "",
        ("制造业", "高端制造", "manufacturing", "硬科技", "高科技"),
    ),
    (
        "smart_mfg",
        "智能制造",
        "Smart manufacturing",
        "manufacturing",
        (
            "智能工厂",
            "数字化工厂",
            "智能装备",
            "高端装备",
            "自动化",
            "精密制造",
            "精密加工",
            "smart manufacturing",
        ),
    ),
    (
        "robotics",
        "机器人",
        "Robotics",
        "smart_mfg",
        (
            "工业机器人",
            "服务机器人",
            "特种机器人",
            "协作机器人",
            "机械臂",
            "焊接机器人",
            "robot",
            "robotics",
        ),
    ),
    (
        "machine_vision",
        "机器视觉",
        "Machine vision",
        "smart_mfg",
        ("视觉检测", "工业视觉", "computer vision"),
    ),
    (
        "industrial_software",
        "工业软件",
        "Industrial software",
        "smart_mfg",
        ("工业互联网", "数字孪生", "MES", "CAD", "industrial internet"),
    ),
    (
        "additive",
        "增材制造",
        "Additive manufacturing",
        "smart_mfg",
        ("3D打印", "金属增材制造", "3d printing"),
    ),
    (
        "semiconductor",
        "半导体",
        "Semiconductors",
        "manufacturing",
        ("芯片", "集成电路", "传感器", "电子信息", "MEMS", "chips", "semiconductor"),
    ),
    (
        "auto_parts",
        "汽车零部件",
        "Auto parts",
        "manufacturing",
        ("汽车交通", "汽车电子", "轻量化", "自动驾驶", "毫米波雷达", "automotive"),
    ),
    (
        "aerospace",
        "航空航天",
        "Aerospace",
        "manufacturing",
        ("无人机", "低空经济", "飞控", "卫星", "drone", "aerospace"),
    ),
    (
        "mining_equipment",
        "煤机装备",
        "Mining equipment",
        "manufacturing",
        ("煤矿智能化", "矿山装备", "煤矿", "智能矿山"),
    ),
    # 新材料
    (
        "materials",
        "新材料",
        "New materials",
        "",
        ("先进材料", "材料", "碳纤维", "高温合金", "高纯石英", "复合材料", "materials"),
    ),
    # 新能源
    (
        "new_energy",
        "新能源",
        "New energy",
        "",
        ("清洁能源", "能源", "新型电力系统", "renewable energy", "energy", "cleantech"),
    ),
    (
        "energy_storage",
        "储能",
        "Energy storage",
        "new_energy",
        (
            "新型储能",
            "长时储能",
            "工商业储能",
            "储能系统集成",
            "钠离子电池",
            "电池管理系统",
            "BMS",
            "energy storage",
        ),
    ),
    (
        "batteries",
        "锂电池",
        "Batteries",
        "new_energy",
        ("动力电池", "电池", "电池材料", "电池安全", "batteries"),
    ),
    ("solar", "光伏", "Solar PV", "new_energy", ("光伏运维", "太阳能", "solar")),
    ("wind", "风电", "Wind power", "new_energy", ("风能", "风电叶片回收", "wind")),
    (
        "hydrogen",
        "氢能",
        "Hydrogen",
        "new_energy",
        ("燃料电池", "电解水制氢", "氢能装备", "hydrogen", "fuel cell"),
    ),
    (
        "ev",
        "新能源汽车",
        "Electric vehicles",
        "new_energy",
        ("电动汽车", "电动重卡", "充电桩", "换电", "新能源物流", "ev", "electric vehicles"),
    ),
    (
        "virtual_power",
        "虚拟电厂",
        "Virtual power plants",
        "new_energy",
        ("需求响应", "源网荷储", "能源管理", "微电网"),
    ),
    (
        "coal_clean",
        "煤炭清洁利用",
        "Clean coal",
        "new_energy",
        ("煤层气", "煤炭清洁高效利用", "焦化环保", "煤化工"),
    ),
    # 节能环保 / 绿色经济
    (
        "green",
        "节能环保",
        "Energy saving & environment",
        "",
        ("绿色低碳", "绿色经济", "环保", "环境治理", "cleantech", "environment"),
    ),
    (
        "carbon",
        "碳中和",
        "Carbon neutrality",
        "green",
        ("双碳", "碳资产管理", "碳核算", "碳普惠", "碳账户", "碳捕集", "零碳园区", "carbon"),
    ),
    (
        "recycling",
        "循环经济",
        "Circular economy",
        "green",
        (
            "再生资源",
            "资源综合利用",
            "固废处理",
            "锂电池回收",
            "电池回收",
            "梯次利用",
            "煤矸石综合利用",
            "粉煤灰",
            "秸秆综合利用",
            "废塑料",
            "recycling",
        ),
    ),
    (
        "env_monitoring",
        "环境监测",
        "Environmental monitoring",
        "green",
        ("大气治理", "水处理", "污泥处理", "环保设备", "生态修复", "矿山治理"),
    ),
    (
        "biodegradable",
        "生物降解材料",
        "Biodegradable materials",
        "green",
        ("可降解材料", "绿色消费"),
    ),
    # 数字经济 / 人工智能
    (
        "digital",
        "数字经济",
        "Digital economy",
        "",
        ("数字化", "信息技术", "新一代信息技术", "互联网", "it", "software", "web", "internet"),
    ),
    (
        "ai",
        "人工智能",
        "Artificial intelligence",
        "digital",
        (
            "AI",
            "大模型",
            "AIGC",
            "生成式AI",
            "机器学习",
            "深度学习",
            "智能客服",
            "LLM",
            "artificial intelligence",
        ),
    ),
    (
        "saas",
        "企业服务",
        "Enterprise software",
        "digital",
        (
            "SaaS",
            "企业软件",
            "工具软件",
            "数据服务",
            "数据治理",
            "大数据",
            "云计算",
            "enterprise",
            "b2b",
        ),
    ),
    (
        "iot",
        "物联网",
        "Internet of things",
        "digital",
        ("智能硬件", "可穿戴设备", "硬件", "iot", "hardware"),
    ),
    ("vr", "虚拟现实", "VR/AR", "digital", ("VR", "AR", "元宇宙", "裸眼3D", "数字人", "虚拟主播")),
    (
        "fintech",
        "金融科技",
        "Fintech",
        "digital",
        ("金融", "跨境支付", "供应链金融", "绿色信贷", "fintech", "finance"),
    ),
    ("social", "社交网络", "Social networks", "digital", ("社交", "社区社交", "social")),
    ("legaltech", "法律科技", "Legal tech", "digital", ("法律服务", "知识产权", "版权服务")),
    ("security", "网络安全", "Cybersecurity", "digital", ("信息安全", "数据安全", "security")),
    # 医疗健康
    (
        "health",
        "医疗健康",
        "Healthcare",
        "",
        ("大健康", "健康", "医疗", "health", "healthcare", "medical"),
    ),
    (
        "medical_devices",
        "医疗器械",
        "Medical devices",
        "health",
        ("康复器械", "诊断设备", "medical devices"),
    ),
    (
        "digital_health",
        "数字医疗",
        "Digital health",
        "health",
        (
            "互联网医疗",
            "远程医疗",
            "远程诊断",
            "远程监护",
            "慢病管理",
            "基层医疗",
            "医疗AI",
            "health it",
        ),
    ),
    (
        "biotech",
        "生物医药",
        "Biotech & pharma",
        "health",
        ("创新药", "中药材", "特医食品", "biotech", "pharma"),
    ),
    ("dental", "口腔医疗", "Dental care", "health", ("口腔", "眼科")),
    # 银发经济
    (
        "silver",
        "银发经济",
        "Silver economy",
        "",
        ("养老", "养老服务", "康养", "医养结合", "老龄", "elderly care", "aging"),
    ),
    (
        "smart_eldercare",
        "智慧养老",
        "Smart elderly care",
        "silver",
        (
            "居家养老",
            "社区养老",
            "陪伴机器人",
            "智能护理床",
            "防跌倒",
            "智能药盒",
            "远程康复",
            "认知障碍",
            "阿尔茨海默病",
        ),
    ),
    (
        "rehab",
        "康复辅具",
        "Rehabilitation aids",
        "silver",
        ("康复", "康复辅具", "电动轮椅", "适老化", "无障碍服务", "理疗"),
    ),
    (
        "senior_services",
        "老年服务",
        "Senior services",
        "silver",
        ("陪诊", "长期护理保险", "时间银行", "旅居养老", "老年教育", "银发消费", "银发人才"),
    ),
    # 现代农业 / 乡村振兴
    (
        "agriculture",
        "现代农业",
        "Modern agriculture",
        "",
        ("农业", "乡村振兴", "农业科技", "agriculture", "agtech"),
    ),
    (
        "smart_farming",
        "智慧农业",
        "Smart farming",
        "agriculture",
        (
            "数字乡村",
            "植保无人机",
            "植保",
            "精准施药",
            "测土配肥",
            "节水农业",
            "设施农业",
            "智能养殖",
            "智慧牧场",
        ),
    ),
    (
        "livestock",
        "畜牧养殖",
        "Livestock",
        "agriculture",
        ("畜牧业", "肉牛养殖", "蛋鸡养殖", "饲草", "青贮", "畜禽粪污资源化"),
    ),
    (
        "agri_products",
        "农产品加工",
        "Agricultural products",
        "agriculture",
        (
            "农产品",
            "深加工",
            "初加工",
            "食用菌",
            "杂粮",
            "小米",
            "核桃",
            "红枣",
            "沙棘",
            "枸杞",
            "马铃薯",
            "连翘",
            "蜂产品",
            "品牌农业",
            "订单农业",
        ),
    ),
    ("seeds", "种业", "Seeds", "agriculture", ("育种", "组培")),
    (
        "agri_services",
        "农业社会化服务",
        "Farm services",
        "agriculture",
        ("农机服务", "托管服务", "有机肥", "有机旱作"),
    ),
    (
        "rural_tourism",
        "乡村旅游",
        "Rural tourism",
        "agriculture",
        ("田园综合体", "露营", "研学旅行", "林下经济"),
    ),
    # 消费 / 食品
    (
        "consumer",
        "新消费",
        "Consumer",
        "",
        ("消费", "零售", "消费品", "品牌", "consumer", "retail"),
    ),
    (
        "food",
        "食品",
        "Food & beverage",
        "consumer",
        ("预制菜", "饮料", "陈醋", "食品加工", "餐饮", "food"),
    ),
    (
        "ecommerce",
        "电子商务",
        "E-commerce",
        "consumer",
        ("电商", "跨境电商", "社交电商", "社区团购", "直播电商", "独立站", "品牌出海", "ecommerce"),
    ),
    ("cold_chain", "冷链物流", "Cold chain", "consumer", ("冷链",)),
    # 文化创意 / 微视听
    (
        "culture",
        "文化创意",
        "Culture & creative",
        "",
        ("文创", "文化传媒", "文化", "创意", "media", "creative"),
    ),
    (
        "short_video",
        "短视频",
        "Short video",
        "culture",
        ("微视听", "微短剧", "直播", "直播带货", "MCN", "直播切片", "短视频数据", "网红", "video"),
    ),
    (
        "film",
        "影视制作",
        "Film & TV",
        "culture",
        ("影视", "纪录片", "虚拟制片", "视频生成", "film"),
    ),
    ("games", "游戏", "Games", "culture", ("电竞", "独立游戏", "games", "gaming")),
    ("audio", "音频", "Audio", "culture", ("有声书", "音乐版权", "播客", "music")),
    (
        "heritage",
        "非遗",
        "Intangible heritage",
        "culture",
        ("非物质文化遗产", "手工艺", "晋剧", "黄河文化", "晋商文化", "IP运营"),
    ),
    (
        "tourism",
        "文旅",
        "Culture & tourism",
        "culture",
        ("旅游", "文化旅游", "沉浸式演艺", "沉浸式展陈", "景区", "tourism", "travel"),
    ),
    # 现代服务
    ("services", "现代服务", "Modern services", "", ("服务业", "生活服务", "本地生活", "services")),
    (
        "logistics",
        "物流",
        "Logistics",
        "services",
        ("供应链", "智慧物流", "跨境物流", "海外仓", "运输", "logistics"),
    ),
    (
        "community",
        "社区服务",
        "Community services",
        "services",
        ("智慧物业", "家政", "普惠托育", "社区"),
    ),
    (
        "education",
        "教育培训",
        "Education",
        "services",
        ("教育", "职业培训", "技能培训", "青少年教育", "少儿内容", "阅读推广", "education"),
    ),
    (
        "business_services",
        "商务服务",
        "Business services",
        "services",
        ("财税服务", "人力资源", "知识产权服务", "检验检测", "第三方检测", "咨询"),
    ),
    ("auto_services", "汽车后市场", "Automotive services", "services", ("车辆租赁", "汽车服务")),
    ("sports", "体育", "Sports", "services", ("运动器材", "赛事运营", "sports")),
    (
        "real_estate",
        "房产服务",
        "Real estate",
        "services",
        ("房产", "房地产", "物业", "real estate"),
    ),
    (
        "marketing",
        "广告营销",
        "Advertising & marketing",
        "services",
        ("广告", "营销", "advertising"),
    ),
)


@dataclass(frozen=True)
class Node:
    """One taxonomy node."""

    index: int
    code: str
    zh: str
    en: str
    parent: int | None


class Taxonomy:
    """The node list with lookups; ``ancestors`` and names are precomputed."""

    def __init__(self, nodes: Sequence[tuple[str, str, str, str, tuple[str, ...]]] = _NODES):
        codes = {code: i for i, (code, *_rest) in enumerate(nodes)}
        self.nodes = [
            Node(i, code, zh, en, codes[parent] if parent else None)
            for i, (code, zh, en, parent, _aliases) in enumerate(nodes)
        ]
        self.aliases: dict[str, int] = {}
        for i, (_code, zh, en, _parent, aliases) in enumerate(nodes):
            for name in (zh, en, *aliases):
                self.aliases.setdefault(fold(name), i)
        # longest alias first, so 工商业储能 matches 储能 rather than 能源
        self._by_length = sorted(self.aliases.items(), key=lambda kv: -len(kv[0]))
        self._label_cache: dict[str, int | None] = {}

    def __len__(self) -> int:
        return len(self.nodes)

    def ancestors(self, index: int) -> list[int]:
        """Return the node's parents, nearest first."""
        out = []
        parent = self.nodes[index].parent
        while parent is not None:
            out.append(parent)
            parent = self.nodes[parent].parent
        return out

    def name(self, index: int, lang: str = "zh") -> str:
        """Return a node's display name."""
        node = self.nodes[index]
        return node.en if lang == "en" else node.zh

    def match_label(self, label: str) -> int | None:
        """Return the node a free-text label names (alias, then containment), or None."""
        if label not in self._label_cache:
            self._label_cache[label] = self._match(label)
        return self._label_cache[label]

    def _match(self, label: str) -> int | None:
        key = fold(label)
        if not key:
            return None
        if key in self.aliases:
            return self.aliases[key]
        if len(key) < 2:
            return None
        for alias, index in self._by_length:
            # containment both ways: "工商业储能" ⊃ "储能"; Latin aliases only as whole words,
            # so "search" does not contain "ar" (VR) nor "messaging" "aging" (elderly care)
            if len(alias) < 2:
                continue
            if alias.isascii():
                if re.search(rf"(?<![a-z]){re.escape(alias)}(?![a-z])", key):
                    return index
            elif alias in key or (len(key) >= 3 and key in alias):
                return index
        return None

    def find_in_text(self, text: str, limit: int = 2) -> list[int]:
        """Return up to ``limit`` nodes whose aliases occur most often in ``text``."""
        key = fold(text)
        counts: dict[int, int] = {}
        for alias, index in self._by_length:
            if len(alias) >= 2 and alias in key:
                counts[index] = counts.get(index, 0) + key.count(alias)
        depth = {i: len(self.ancestors(i)) for i in counts}
        ranked = sorted(counts, key=lambda i: (-counts[i], -depth[i], i))
        return ranked[:limit]


TAXONOMY = Taxonomy()

# How much an ancestor counts, per level: 储能 → 新能源 0.6 → (root) 0.36.
ANCESTOR_DECAY = 0.6


class SectorMapper:
    """Map a profile's labels (and, when it has none, its text) to a normalised node vector.

    ``fallback``, when given, maps a label no alias matches to a node (e.g. nearest by embedding);
    it returns ``(node index, similarity)`` or None.
    """

    def __init__(
        self,
        taxonomy: Taxonomy = TAXONOMY,
        fallback: Callable[[str], tuple[int, float] | None] | None = None,
    ) -> None:
        self.taxonomy = taxonomy
        self.fallback = fallback
        self._similarity: dict[tuple[int, int], float] = {}

    @cached_property
    def dim(self) -> int:
        """Return the vector length (one entry per node)."""
        return len(self.taxonomy)

    def nodes_for(self, labels: Sequence[str], text: str = "") -> list[tuple[str, int]]:
        """Return ``(label, node)`` pairs; labels that map to nothing are left out.

        With no mappable label, up to two nodes are inferred from ``text`` (label ``""``).
        """
        found: list[tuple[str, int]] = []
        for label in labels:
            node = self.taxonomy.match_label(label)
            if node is None and self.fallback is not None:
                hit = self.fallback(label)
                node = hit[0] if hit else None
            if node is not None:
                found.append((label, node))
        if not found and text:
            found = [("", node) for node in self.taxonomy.find_in_text(text)]
        return found

    def similarity(self, a: int, b: int) -> float:
        """Return the cosine of two single-node vectors (1 same, 0.6 parent, 0.36 sibling …)."""
        key = (a, b) if a <= b else (b, a)
        if key not in self._similarity:
            self._similarity[key] = float(self.vector([a]) @ self.vector([b]))
        return self._similarity[key]

    def vector(self, nodes: Sequence[int], weights: Sequence[float] | None = None) -> np.ndarray:
        """Return the L2-normalised node vector with decaying weight on ancestors."""
        out = np.zeros(self.dim, dtype=np.float32)
        for i, node in enumerate(nodes):
            weight = 1.0 if weights is None else float(weights[i])
            out[node] += weight
            factor = weight
            for parent in self.taxonomy.ancestors(node):
                factor *= ANCESTOR_DECAY
                out[parent] += factor
        norm = float(np.linalg.norm(out))
        return out / norm if norm > 0 else out
