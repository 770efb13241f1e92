"""Personal data detectors: validated ID numbers, mobiles, bank cards and e-mail addresses."""

import pytest

from sensitive_words.engine import Engine, find_pii, mask, valid_id_number, valid_luhn

VALID_ID = "11010519491231002X"  # the GB 11643 standard's own example
VALID_CARD = "6222021234567890128"  # Luhn-valid test number


def kinds(text):
    return [p.kind for p in find_pii(text)]


def test_valid_id_number_is_found():
    assert kinds(f"身份证号{VALID_ID}。") == ["id_number"]


def test_id_number_with_wrong_check_digit_is_not_found():
    assert kinds("身份证号110105194912310021。") == []


def test_id_number_with_impossible_birth_date_is_not_found():
    assert not valid_id_number("110105194913310028")


def test_id_number_in_full_width_digits_is_found():
    full = VALID_ID.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789X"})
    assert kinds(full) == ["id_number"]


@pytest.mark.parametrize(
    "text", ["13800138000", "138-0013-8000", "138 0013 8000", "+8613800138000"]
)
def test_mobile_number_is_found(text):
    assert kinds(f"电话{text}联系") == ["mobile"]


@pytest.mark.parametrize("text", ["12800138000", "138001380001", "1380013800"])
def test_number_that_is_not_a_mobile_is_not_found(text):
    assert kinds(f"编号{text}结束") == []


def test_luhn_valid_bank_card_is_found():
    assert valid_luhn(VALID_CARD)
    assert kinds(f"卡号{VALID_CARD}") == ["bank_card"]
    assert kinds("卡号 6222 0212 3456 7890 128") == ["bank_card"]


def test_luhn_invalid_bank_card_is_not_found():
    assert kinds("卡号6222021234567890123") == []


def test_email_is_found():
    assert kinds("请发送至 zhang.san@example.gov.cn 谢谢") == ["email"]


def test_text_without_digits_or_at_sign_has_no_personal_data():
    assert find_pii("没有任何个人信息的文字。" * 100) == []


def test_personal_data_is_a_privacy_hit_and_masked():
    engine = Engine()
    text = f"电话13800138000，身份证{VALID_ID}"
    hits = engine.check(text)
    assert [h.category for h in hits] == ["隐私", "隐私"]
    assert mask(text, hits) == "电话***********，身份证" + "*" * 18


def test_personal_data_detection_can_be_switched_off():
    assert Engine(pii=False).check("电话13800138000") == []
