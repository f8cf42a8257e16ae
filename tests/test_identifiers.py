"""Check characters of 统一社会信用代码 (GB 32100-2015) and 身份证号 (GB 11643-1999)."""

from __future__ import annotations

import pytest

from matchmaker.identifiers import (
    credit_check_char,
    id_check_char,
    is_credit_code,
    is_id_number,
    mask_id,
    normalise,
    phone_key,
)

# credit codes as printed on business licences (published by the enterprises themselves)
REAL_CREDIT_CODES = [
    "91350100M000100Y43",  # the example of GB 32100-2015's explanatory material
    "914403001922038216",  # 华为技术有限公司
    "9144030071526726XG",  # 深圳市腾讯计算机系统有限公司
    "91330100716105852F",  # 阿里巴巴（中国）有限公司
    "91110108551385082Q",  # 北京小米科技有限责任公司
]


@pytest.mark.parametrize("code", REAL_CREDIT_CODES)
def test_real_credit_codes_pass(code: str) -> None:
    assert is_credit_code(code)


@pytest.mark.parametrize(
    "code",
    [
        "914403001922038217",  # last character changed
        "914403001922083216",  # two characters swapped
        "91440300192203821",  # 17 characters
        "9144030019220382160",  # 19 characters
        "91440300I92203821G",  # I is not in the alphabet (looks like 1)
        "9144O30071526726XG",  # O in the division code (looks like 0)
        "",
    ],
)
def test_mistyped_credit_codes_fail(code: str) -> None:
    assert not is_credit_code(code)


def test_credit_check_char_of_every_alphabet_position() -> None:
    # a check value of 0 (sum divisible by 31) is written 0, not the 31st character
    assert credit_check_char("00000000000000000") == "0"
    assert credit_check_char("91350100M000100Y4") == "3"


@pytest.mark.parametrize(
    "number",
    [
        "11010519491231002X",  # the example printed in GB 11643-1999 (check X)
        "110101199003074477",
        "440308199901010012",
    ],
)
def test_valid_id_numbers_pass(number: str) -> None:
    assert is_id_number(number)


@pytest.mark.parametrize(
    "number",
    [
        "110105194912310021",  # X written as 1
        "110101199003074478",  # last digit changed
        "110101199030074477",  # two digits swapped
        "11010119900307447",  # 17 digits
        "1101011990030744７7",  # a full-width digit left in (normalise first)
        "11010519491231002Y",
    ],
)
def test_wrong_id_numbers_fail(number: str) -> None:
    assert not is_id_number(number)


def test_id_check_x_is_ten() -> None:
    assert id_check_char("11010519491231002") == "X"


def test_normalise_folds_what_people_type() -> None:
    assert normalise(" 9144 0300 7152 6726 xg ") == "9144030071526726XG"
    assert normalise("１１０１０５１９４９１２３１００２ｘ") == "11010519491231002X"
    assert is_id_number(normalise("11010519491231002x"))


def test_mask_keeps_first_and_last_four() -> None:
    assert mask_id("11010519491231002X") == "1101**********002X"
    assert mask_id("") == ""
    assert mask_id(None) is None


def test_phone_key_compares_digits_only() -> None:
    assert phone_key("+86 138-0013-8000") == phone_key("13800138000") == "13800138000"
    assert phone_key("0351-1234567") == "03511234567"
    assert phone_key("无") == ""
