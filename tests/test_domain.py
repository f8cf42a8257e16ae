"""Unit tests of the vocabularies and money parsing (no database)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from matchmaker.domain import (
    InstitutionType,
    Need,
    Stage,
    Track,
    format_yuan,
    parse_amount,
    parse_amount_range,
    parse_portfolio,
    split_multi,
)
from matchmaker.errors import InvalidInput
from matchmaker.text import fold, to_simplified


@pytest.mark.parametrize(
    ("raw", "yuan"),
    [
        ("500", 5_000_000),  # bare numbers are in the column's unit, 万元
        (500, 5_000_000),
        (12.5, 125_000),
        ("500万", 5_000_000),
        ("500万元", 5_000_000),
        ("1.2亿", 120_000_000),
        ("1.2億", 120_000_000),
        ("3,000,000元", 3_000_000),
        ("８００万", 8_000_000),  # full-width digits
        ("¥2,000元", 2_000),
        ("0", 0),
        ("", None),
        (None, None),
    ],
)
def test_amounts_parse_to_integer_yuan(raw: object, yuan: int | None) -> None:
    assert parse_amount(raw) == yuan


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("约五百万", "import.bad_amount"),  # an estimate is not an amount
        ("abc", "import.bad_amount"),
        ("1.2.3万", "import.bad_amount"),
        ("500美元", "import.bad_amount"),
        ("-50", "import.negative_amount"),
        ("0.00001", "import.fractional_yuan"),  # 0.1 yuan
        (True, "import.bad_amount"),
    ],
)
def test_bad_amounts_name_the_problem(raw: object, code: str) -> None:
    with pytest.raises(InvalidInput) as info:
        parse_amount(raw)
    assert info.value.code == code


def test_default_unit_can_be_yuan() -> None:
    assert parse_amount("3000", default_unit=1) == 3000
    assert parse_amount("3000万", default_unit=1) == 30_000_000


@given(st.integers(min_value=0, max_value=10**14))
def test_yuan_amounts_round_trip(yuan: int) -> None:
    assert parse_amount(f"{yuan:,}元") == yuan
    assert parse_amount(str(yuan), default_unit=1) == yuan


@given(st.integers(min_value=0, max_value=10**10))
def test_wan_amounts_are_exact(wan: int) -> None:
    assert parse_amount(f"{wan}万") == wan * 10_000
    assert parse_amount(wan) == wan * 10_000


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("100-500", (1_000_000, 5_000_000)),
        ("100~500", (1_000_000, 5_000_000)),
        ("50万-300万", (500_000, 3_000_000)),
        ("50-300万", (500_000, 3_000_000)),  # the bare end takes the other end's unit
        ("2000万-1亿", (20_000_000, 100_000_000)),
        ("500万以上", (5_000_000, None)),
        ("≤300", (None, 3_000_000)),
        ("300", (3_000_000, 3_000_000)),
        ("", (None, None)),
    ],
)
def test_ranges(raw: str, expected: tuple[int | None, int | None]) -> None:
    assert parse_amount_range(raw) == expected


def test_inverted_and_bad_ranges_are_rejected() -> None:
    with pytest.raises(InvalidInput) as info:
        parse_amount_range("500-100")
    assert info.value.code == "import.range_inverted"
    with pytest.raises(InvalidInput) as info:
        parse_amount_range("很多-更多")
    assert info.value.code == "import.bad_range"


@pytest.mark.parametrize(
    ("raw", "stage"),
    [
        ("天使轮", Stage.ANGEL),
        ("天使", Stage.ANGEL),
        ("angel", Stage.ANGEL),
        ("天使輪", Stage.ANGEL),
        ("Series A", Stage.A),
        ("A轮", Stage.A),
        ("A+轮", Stage.A),
        ("Pre-A轮", Stage.PRE_A),
        ("pre-a", Stage.PRE_A),
        ("种子轮", Stage.SEED),
        ("seed", Stage.SEED),
        ("创意", Stage.IDEA),
        ("C轮", Stage.B_PLUS),
        ("B轮及以后", Stage.B_PLUS),
        ("Series B", Stage.B_PLUS),
    ],
)
def test_stages_in_chinese_english_and_traditional(raw: str, stage: Stage) -> None:
    assert Stage.parse(raw) is stage


def test_stage_order_and_unknown_stage() -> None:
    assert [s.rank for s in Stage] == list(range(6))
    assert Stage.SEED.rank < Stage.ANGEL.rank < Stage.PRE_A.rank < Stage.A.rank
    with pytest.raises(ValueError):
        Stage.parse("天使2轮")


def test_vocabularies_accept_labels_in_both_languages() -> None:
    assert Track.parse("先進製造") is Track.ADVANCED_MANUFACTURING
    assert Track.parse("Silver economy") is Track.SILVER_ECONOMY
    assert InstitutionType.parse("風險投資") is InstitutionType.VC
    assert InstitutionType.parse("政府引导基金") is InstitutionType.GOVERNMENT_FUND
    assert Need.parse("市场") is Need.MARKET
    assert Track.ADVANCED_MANUFACTURING.label("en") == "Advanced manufacturing"
    assert len(Track) == 6 and len(InstitutionType) == 6


def test_multi_valued_cells_split_on_every_separator() -> None:
    assert split_multi("储能、新能源|锂电池，回收;AI；大模型, 储能") == [
        "储能",
        "新能源",
        "锂电池",
        "回收",
        "AI",
        "大模型",
    ]
    assert split_multi(None) == [] and split_multi("  ") == []


def test_portfolio_entries() -> None:
    entries = parse_portfolio(
        "清源储能科技（储能，A轮）|晋北智造（工业机器人）|Foo Inc (AI, Series A)|独立公司"
    )
    assert entries == [
        {"company": "清源储能科技", "sectors": ["储能"], "stage": "a"},
        {"company": "晋北智造", "sectors": ["工业机器人"], "stage": None},
        {"company": "Foo Inc", "sectors": ["AI"], "stage": "a"},
        {"company": "独立公司", "sectors": [], "stage": None},
    ]


@pytest.mark.parametrize(
    ("yuan", "text"),
    [
        (774_000_000, "7.74亿元"),
        (71_000_000, "7100万元"),
        (5_000_000, "500万元"),
        (3_000, "3,000元"),
        (123_456_789, "1.2346亿元"),
        (None, ""),
    ],
)
def test_yuan_is_formatted_as_the_press_writes_it(yuan: int | None, text: str) -> None:
    assert format_yuan(yuan) == text


def test_traditional_is_folded_to_simplified() -> None:
    assert to_simplified("儲能電池管理系統") == "储能电池管理系统"
    assert fold("ＡＩ 大模型") == fold("ai大模型")
