"""Duplicate detection on our own pairs (tests/data/duplicate_pairs.csv), with the real encoder.

40 duplicate pairs (paraphrase, Traditional copy, reordered, renamed) and 17 look-alike pairs of
one narrow sector and city are checked as one batch, the way an event's check runs: each row is
the project the importer stores, the service builds what the detector sees, and the vectors are
the default encoder's. benchmarks/duplicates_quality.py prints the same numbers with intervals
and baselines.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from matchmaker.db.models import Project
from matchmaker.domain import YUAN_PER_WAN, parse_amount, split_multi
from matchmaker.embeddings import get_encoder
from matchmaker.ranking.duplicates import DEFAULT_THRESHOLD, DuplicatePair, find_duplicates
from matchmaker.ranking.figures import figures
from matchmaker.services.matching.duplicates import registration
from matchmaker.services.matching.profiles import project_profile

PAIRS = Path(__file__).parent / "data" / "duplicate_pairs.csv"
KINDS = ("paraphrase", "traditional_copy", "reordered", "renamed")

with PAIRS.open(encoding="utf-8-sig", newline="") as _handle:
    ROWS = list(csv.DictReader(_handle))
GROUPS: dict[str, list[dict[str, str]]] = {}
for _row in ROWS:
    GROUPS.setdefault(_row["对编号"], []).append(_row)
# pair label (D01, N01) -> (the two registration ids, sorted; the kind written in the file)
LABELLED = {
    label: (tuple(sorted(r["报名编号"] for r in rows)), rows[0]["类型"])
    for label, rows in GROUPS.items()
}
DUPLICATES = {ids: kind for ids, kind in LABELLED.values() if kind != "negative"}
NEGATIVES = [label for label, (_ids, kind) in LABELLED.items() if kind == "negative"]
Pair = tuple[str, ...]


def as_project(row: dict[str, str]) -> Project:
    """The project the importer stores for a sheet row (never saved here)."""
    return Project(
        code=row["报名编号"],
        name=row["项目名称"],
        track=row["赛道"],
        sectors=split_multi(row["行业领域"]),
        stage=None,
        funding_ask=parse_amount(row["融资需求(万元)"], YUAN_PER_WAN),
        region=row["所在地区"],
        description=row["项目简介"],
        contact_phone=row["联系电话"],
        contact_email=row["电子邮箱"],
    )


@pytest.fixture(scope="module")
def scored() -> dict[Pair, DuplicatePair]:
    """Every pair of the batch the detector scores above 0.05 (flagged ones: ≥ the threshold)."""
    projects = [as_project(r) for r in ROWS]
    vectors = get_encoder().encode([project_profile(p).text for p in projects])
    pairs = find_duplicates([registration(p) for p in projects], vectors, threshold=0.05)
    return {(p.a, p.b): p for p in pairs}


@pytest.fixture(scope="module")
def flagged(scored: dict[Pair, DuplicatePair]) -> dict[Pair, DuplicatePair]:
    return {key: p for key, p in scored.items() if p.similarity >= DEFAULT_THRESHOLD}


def test_the_file_holds_what_the_evaluation_needs() -> None:
    kinds = [kind for _ids, kind in LABELLED.values()]
    assert all(len(rows) == 2 for rows in GROUPS.values())
    assert len({r["报名编号"] for r in ROWS}) == len(ROWS)
    assert len(DUPLICATES) >= 30 and len(NEGATIVES) >= 10
    assert kinds.count("paraphrase") >= 14 and all(kinds.count(k) >= 8 for k in KINDS[1:])


def test_precision_and_recall_reach_ninety_percent(flagged: dict[Pair, DuplicatePair]) -> None:
    found = set(flagged) & set(DUPLICATES)
    precision, recall = len(found) / len(flagged), len(found) / len(DUPLICATES)
    missed = sorted(set(DUPLICATES) - found)
    alarms = sorted(set(flagged) - found)
    assert precision >= 0.9, alarms
    assert recall >= 0.9, missed


@pytest.mark.parametrize("label", NEGATIVES)
def test_a_look_alike_of_the_same_sector_and_city_is_not_flagged(
    label: str, scored: dict[Pair, DuplicatePair]
) -> None:
    ids, _kind = LABELLED[label]
    pair = scored.get(ids)
    assert pair is None or pair.similarity < DEFAULT_THRESHOLD, pair


def test_no_two_rows_of_different_projects_are_flagged(
    flagged: dict[Pair, DuplicatePair],
) -> None:
    # a 预制菜 factory in 临汾 against another pair's 预制菜 factory there, and so on
    assert set(flagged) <= set(DUPLICATES)


@pytest.mark.parametrize("kind", KINDS)
def test_most_pairs_of_a_kind_are_named_as_that_kind(
    kind: str, flagged: dict[Pair, DuplicatePair]
) -> None:
    mine = [ids for ids, k in DUPLICATES.items() if k == kind]
    named = {ids: flagged[ids].kind for ids in mine if ids in flagged}
    right = [ids for ids, k in named.items() if k == kind]
    assert len(right) >= 0.8 * len(mine), named


def test_a_paraphrase_in_other_units_shows_its_figures_place_and_ask(
    flagged: dict[Pair, DuplicatePair],
) -> None:
    ids, _kind = LABELLED["D04"]  # 40MW / 4万千瓦, 5800万千瓦时 / 5800万度, 2000亩 / 两千亩
    text = "\n".join(flagged[ids].evidence_text("zh"))
    assert "相同数据：2000亩、40mw、5800万千瓦时、2300万元、8年、3000万元" in text
    assert "所在地区相同：忻州市五台县" in text and "融资需求相同：3000万元" in text
    assert "联系" not in text  # another colleague's phone and e-mail
    english = flagged[ids].evidence_text("en")
    assert "Same ask: ¥30,000,000" in english and "Same place: “忻州市五台县”" in english


def test_a_paraphrase_is_flagged_only_where_it_keeps_its_place_and_ask(
    scored: dict[Pair, DuplicatePair],
) -> None:
    by_id = {r["报名编号"]: r for r in ROWS}
    first, second = LABELLED["D09"][0]  # 县域医共体 SaaS in 太原小店区, 2500万元
    moved = {**by_id[second], "所在地区": "河南省郑州市金水区"}
    asked = {**by_id[second], "融资需求(万元)": "800"}
    for row, expected in ((by_id[second], True), (moved, False), (asked, True)):
        projects = [as_project(by_id[first]), as_project(row)]
        vectors = get_encoder().encode([project_profile(p).text for p in projects])
        pairs = find_duplicates([registration(p) for p in projects], vectors)
        assert bool(pairs) is expected, row["所在地区"]
        if pairs:
            assert pairs[0].similarity <= scored[(first, second)].similarity


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("装机40MW", "装机4万千瓦"),
        ("年发电5800万千瓦时", "年发电5800万度"),
        ("日加氢1000公斤", "每天加注1吨氢"),
        ("年处理六千吨", "年处理6000吨"),
        ("签约农户三千二百户", "签约农户3200户"),
        ("成本低六成", "成本低60%"),
        ("去年收入1.2亿元", "去年收入12000万"),
        ("签约主播56名", "主播56人"),
    ],
)
def test_a_figure_is_one_value_however_it_is_written(one: str, other: str) -> None:
    assert set(figures(one)) == set(figures(other)) != set()


def test_words_that_hold_a_numeral_are_not_figures() -> None:
    assert figures("一体化设备，二期工程，三类证，建成投产，成本领先") == {}
    assert set(figures("可跨越15度坡度")) != set(figures("年发电15万度"))
    assert set(figures("增长30%")) != set(figures("年产30吨"))


def test_english_evidence_quotes_what_has_no_english_name(
    flagged: dict[Pair, DuplicatePair],
) -> None:
    quoted = re.compile(r"“[^”]*”")
    for pair in flagged.values():
        for line in pair.evidence_text("en"):
            assert not re.search("[：、（）「」]", quoted.sub("", line)), line
            if line.startswith("Same place"):
                assert not re.search(r"[\u3400-\u9fff]", quoted.sub("", line)), line
