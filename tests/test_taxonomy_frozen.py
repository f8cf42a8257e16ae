"""The sector taxonomy is frozen for evaluation: its names come from sheets the product was built
on and from public classifications, never from an evaluation set's labels.

Changing ``embeddings/sector_nodes.py`` is allowed, but not silently: the fingerprint below
changes with it, and whoever updates it says in CHANGES.md where the new names came from and
re-runs ``benchmarks/ranking_quality.py`` (whose tables assume the frozen names).
"""

from __future__ import annotations

import hashlib
import json

from matchmaker.embeddings.sector_nodes import EXTRA_ALIASES, NODES
from matchmaker.embeddings.taxonomy import TAXONOMY
from matchmaker.text import fold

# IT桔子 industry names that were once aliases, added for the Chinese benchmark's labels.
EVALUATION_NAMES = (
    "高科技", "汽车交通", "工具软件", "大数据", "硬件", "金融", "旅游", "社交网络", "社区社交",
    "房产服务", "房产", "广告营销", "营销",
)  # fmt: skip
FINGERPRINT = "5cc1cea0"


def fingerprint() -> str:
    """Return the first 8 hex digits of the taxonomy data's SHA-256."""
    data = json.dumps([NODES, EXTRA_ALIASES], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()[:8]


def test_benchmark_labels_are_not_aliases() -> None:
    aliases = set(TAXONOMY.aliases)
    assert [name for name in EVALUATION_NAMES if fold(name) in aliases] == []


def test_public_classification_names_stand_in() -> None:
    # GB/T 4754-2017 门类 K 房地产业 and 大类 L725 广告业 name the nodes the IT桔子 names had
    assert TAXONOMY.name(TAXONOMY.match_label("房地产业")) == "房地产业"
    assert TAXONOMY.name(TAXONOMY.match_label("广告")) == "广告业"


def test_the_taxonomy_has_not_changed_since_it_was_frozen() -> None:
    assert fingerprint() == FINGERPRINT, (
        "embeddings/sector_nodes.py changed: say where the names came from (a public "
        "classification or a sheet that is not an evaluation set), re-run "
        "benchmarks/ranking_quality.py, then update FINGERPRINT"
    )
