"""Local validation of resident ID numbers and mobiles, and the masked (脱敏) forms."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from backend_bridge.idcard import (
    build_id_number,
    check_digit,
    mask_id_number,
    mask_name,
    mask_phone,
    region_name_of,
    validate_id_number,
    validate_mobile,
)

TODAY = datetime.date(2026, 3, 1)


def _with_check(first17: str) -> str:
    """Compute the check digit here, independently of the module under test."""
    weights = [2 ** (17 - i) % 11 for i in range(17)]
    total = sum(int(d) * w for d, w in zip(first17, weights, strict=True))
    return first17 + "10X98765432"[total % 11]


def _error(value, **kwargs) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        validate_id_number(value, today=TODAY, **kwargs)
    return info.value


def test_the_published_example_number_is_valid():
    # GB 11643-1999's worked example: 11010519491231002 → check character X.
    assert check_digit("11010519491231002") == "X"
    assert validate_id_number("11010519491231002X", today=TODAY) == "11010519491231002X"


@pytest.mark.parametrize(
    "first17", ["45010319900307123", "45260119851231456", "45142219700101001", "81000019880808088"]
)
def test_numbers_with_a_correct_check_digit_are_accepted(first17):
    number = _with_check(first17)
    assert validate_id_number(number, today=TODAY) == number


def test_build_id_number_produces_valid_numbers():
    number = build_id_number("450102", datetime.date(2000, 2, 29), 37)
    assert validate_id_number(number, today=TODAY) == number
    assert number.startswith("45010220000229037")


def test_a_wrong_check_digit_is_refused_with_its_reason():
    number = _with_check("45010319900307123")
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    error = _error(wrong)
    assert error.code == "id_check_digit"
    assert "校验位" in error.messages[0]


def test_full_width_input_spaces_and_lower_case_x_are_normalized():
    number = _with_check("11010519491231002")
    assert number.endswith("X")
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in number[:17]) + "ｘ"
    assert validate_id_number(f" {full_width} ", today=TODAY) == number
    assert validate_id_number("110105 19491231 002x", today=TODAY) == number


def test_old_fifteen_digit_numbers_are_refused_with_a_clear_message():
    error = _error("450103900307123")
    assert error.code == "id_old_format"
    assert "15位" in error.messages[0] and "18位" in error.messages[0]


@pytest.mark.parametrize("value", ["4501031990030712", "4501031990030712345"])
def test_other_lengths_are_refused(value):
    error = _error(value)
    assert error.code == "id_length"
    assert str(len(value)) in error.messages[0]


def test_letters_inside_the_number_are_refused():
    assert _error("45010319900307A23X").code == "id_characters"


def test_empty_input_is_refused():
    assert _error("  ").code == "id_required"


@pytest.mark.parametrize("province", ["00", "10", "20", "39", "72", "91", "99"])
def test_an_unknown_province_code_is_refused(province):
    error = _error(_with_check(province + "010319900307123"))
    assert error.code == "id_region"
    assert province in error.messages[0]


@pytest.mark.parametrize(
    "birth", ["19900230", "19901301", "19900000", "19900431", "19000229", "20230229"]
)
def test_dates_that_do_not_exist_are_refused(birth):
    # 1900 and 2023 are not leap years (1900 is divisible by 100 but not by 400).
    error = _error(_with_check("450103" + birth + "123"))
    assert error.code == "id_birth_date"
    assert birth in error.messages[0]


def test_february_29_of_a_leap_year_is_accepted():
    for birth in ("20000229", "20240229", "19960229"):
        number = _with_check("450103" + birth + "123")
        assert validate_id_number(number, today=TODAY) == number


def test_a_birth_date_in_the_future_is_refused():
    error = _error(_with_check("450103" + "20260302" + "123"))
    assert error.code == "id_birth_date"
    assert "晚于今天" in error.messages[0]
    number = _with_check("450103" + "20260301" + "123")  # born today is fine
    assert validate_id_number(number, today=TODAY) == number


def test_a_birth_year_before_1900_is_refused():
    error = _error(_with_check("450103" + "18991231" + "123"))
    assert error.code == "id_birth_date"
    assert "1900" in error.messages[0]


def test_region_names_cover_guangxi_prefectures_old_and_new():
    assert region_name_of("450103199003071235") == "广西壮族自治区南宁市"
    assert region_name_of("452601198512314567") == "广西壮族自治区百色地区"
    assert region_name_of("440301199003071235") == "广东省"


def test_id_numbers_are_masked_keeping_three_and_four_characters():
    assert mask_id_number("450103199003071234") == "450***********1234"
    assert mask_id_number("11010519491231002x") == "110***********002X"
    assert mask_id_number("") == ""


def test_phones_are_masked():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("+8613812345678") == "138****5678"


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张三", "张*"),
        ("李小明", "李**"),
        ("欧阳娜娜", "欧阳**"),
        ("欧阳", "欧*"),
        ("王", "*"),
        ("", ""),
    ],
)
def test_names_keep_only_the_surname(name, masked):
    assert mask_name(name) == masked


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("13812345678", "13812345678"),
        (" 138-1234-5678 ", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("008613812345678", "13812345678"),
        ("１９９１２３４５６７８", "19912345678"),
    ],
)
def test_mainland_mobiles_are_normalized(value, expected):
    assert validate_mobile(value) == expected


@pytest.mark.parametrize(
    "value", ["", "1381234567", "138123456789", "12812345678", "23812345678", "1381234567a"]
)
def test_invalid_mobiles_are_refused_in_chinese(value):
    with pytest.raises(ValidationError) as info:
        validate_mobile(value)
    assert "手机号码" in info.value.messages[0]
