"""Local checks and masking of personal identifiers: resident ID numbers, mainland mobiles, names.

``validate_id_number`` checks an 18-digit resident identity number (居民身份证号码, GB 11643-1999)
before any real-name verification call: characters, province code, a real birth date between
1900 and today, and the ISO 7064 MOD 11-2 check digit. The ``mask_*`` helpers produce the 脱敏
forms shown on admin and public screens.
"""

from __future__ import annotations

import datetime
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils import timezone

# Province-level codes (first two digits). 71/81/82/83 are Taiwan, Hong Kong, Macao and the
# residence permits of their residents (港澳台居民居住证 use 81/82/83 with an 0000 suffix).
PROVINCES: dict[str, str] = {
    "11": "北京市",
    "12": "天津市",
    "13": "河北省",
    "14": "山西省",
    "15": "内蒙古自治区",
    "21": "辽宁省",
    "22": "吉林省",
    "23": "黑龙江省",
    "31": "上海市",
    "32": "江苏省",
    "33": "浙江省",
    "34": "安徽省",
    "35": "福建省",
    "36": "江西省",
    "37": "山东省",
    "41": "河南省",
    "42": "湖北省",
    "43": "湖南省",
    "44": "广东省",
    "45": "广西壮族自治区",
    "46": "海南省",
    "50": "重庆市",
    "51": "四川省",
    "52": "贵州省",
    "53": "云南省",
    "54": "西藏自治区",
    "61": "陕西省",
    "62": "甘肃省",
    "63": "青海省",
    "64": "宁夏回族自治区",
    "65": "新疆维吾尔自治区",
    "71": "台湾省",
    "81": "香港特别行政区",
    "82": "澳门特别行政区",
    "83": "台湾地区（居住证）",
}

# Guangxi's prefecture-level cities (current codes). An ID number keeps the region code of where
# it was first issued, so numbers from the former 地区 (4521xx–4528xx) are still valid: this table
# names regions for display and is never used to reject a number.
GUANGXI_PREFECTURES: dict[str, str] = {
    "4501": "南宁市",
    "4502": "柳州市",
    "4503": "桂林市",
    "4504": "梧州市",
    "4505": "北海市",
    "4506": "防城港市",
    "4507": "钦州市",
    "4508": "贵港市",
    "4509": "玉林市",
    "4510": "百色市",
    "4511": "贺州市",
    "4512": "河池市",
    "4513": "来宾市",
    "4514": "崇左市",
    # former prefectures (地区), abolished in the 1990s–2000s
    "4521": "南宁地区",
    "4522": "柳州地区",
    "4523": "桂林地区",
    "4524": "梧州地区（贺州地区）",
    "4525": "玉林地区",
    "4526": "百色地区",
    "4527": "河池地区",
    "4528": "钦州地区",
}

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
_ID_RE = re.compile(r"^\d{17}[\dX]$")
_SEPARATORS_RE = re.compile(r"[\s\-_]+")
_MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
EARLIEST_BIRTH_YEAR = 1900

# Two-character surnames kept visible by mask_name (欧阳**); the common ones are enough, a rare
# one simply shows one character less.
COMPOUND_SURNAMES = frozenset(
    [
        "欧阳",
        "司马",
        "上官",
        "诸葛",
        "东方",
        "皇甫",
        "尉迟",
        "公孙",
        "慕容",
        "长孙",
        "宇文",
        "司徒",
        "夏侯",
        "轩辕",
        "令狐",
        "端木",
        "西门",
        "南宫",
        "独孤",
        "钟离",
        "申屠",
        "澹台",
        "太史",
        "闻人",
        "万俟",
        "呼延",
        "赫连",
        "公羊",
        "濮阳",
        "单于",
        "司空",
        "亓官",
        "仲孙",
        "闾丘",
    ]
)


def _normalize(value: object) -> str:
    """Full-width digits and letters become ASCII (NFKC); spaces and dashes typed between digit
    groups are dropped; a trailing x becomes X."""
    text = unicodedata.normalize("NFKC", str(value or ""))
    return _SEPARATORS_RE.sub("", text).upper()


def check_digit(first17: str) -> str:
    """The GB 11643-1999 (ISO 7064 MOD 11-2) check character for the first 17 digits."""
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError("check_digit needs exactly 17 digits")
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def build_id_number(
    region: str = "450103", birth: datetime.date | None = None, seq: int = 1
) -> str:
    """A well-formed ID number (for tests, factories and demo data): region + birth + seq + check.

    ``seq`` is the 3-digit order code; odd for men, even for women.
    """
    birth = birth or datetime.date(1990, 1, 1)
    first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
    return first17 + check_digit(first17)


def validate_id_number(value: object, *, today: datetime.date | None = None) -> str:
    """Return the normalized 18-character ID number or raise ``ValidationError`` (zh-hans).

    ``today`` defaults to the local date (Asia/Shanghai); a birth date after it is refused.
    """
    number = _normalize(value)
    if not number:
        raise ValidationError("请填写身份证号码。", code="id_required")
    if len(number) == 15 and number.isdigit():
        raise ValidationError(
            "15位的旧版身份证号码已停止使用，请填写18位的居民身份证号码。", code="id_old_format"
        )
    if len(number) != 18:
        raise ValidationError(
            "身份证号码应为18位，您填写了%(length)d位。",
            code="id_length",
            params={"length": len(number)},
        )
    if not _ID_RE.match(number):
        raise ValidationError(
            "身份证号码只能由数字组成，最后一位可以是数字或字母X。", code="id_characters"
        )
    if number[:2] not in PROVINCES:
        raise ValidationError(
            "身份证号码前两位（省份代码）“%(code)s”不存在，请核对。",
            code="id_region",
            params={"code": number[:2]},
        )
    year, month, day = int(number[6:10]), int(number[10:12]), int(number[12:14])
    try:
        birth = datetime.date(year, month, day)
    except ValueError:
        raise ValidationError(
            "身份证号码中的出生日期（第7至14位：%(date)s）不是有效日期，请核对。",
            code="id_birth_date",
            params={"date": number[6:14]},
        ) from None
    if year < EARLIEST_BIRTH_YEAR:
        raise ValidationError(
            "身份证号码中的出生年份（%(year)d年）早于1900年，请核对。",
            code="id_birth_date",
            params={"year": year},
        )
    if birth > (today or timezone.localdate()):
        raise ValidationError(
            "身份证号码中的出生日期（%(date)s）晚于今天，请核对。",
            code="id_birth_date",
            params={"date": birth.strftime("%Y年%m月%d日")},
        )
    if check_digit(number[:17]) != number[17]:
        raise ValidationError(
            "身份证号码最后一位（校验位）不正确，请逐位核对后重新填写。", code="id_check_digit"
        )
    return number


def birth_date_of(id_number: str) -> datetime.date:
    """The birth date encoded in an already validated ID number."""
    return datetime.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))


def region_name_of(id_number: str) -> str:
    """A readable place of issue ("广西壮族自治区南宁市"), as precise as the bundled tables allow."""
    province = PROVINCES.get(id_number[:2], "")
    return province + GUANGXI_PREFECTURES.get(id_number[:4], "")


def _mask_middle(text: str, keep_start: int, keep_end: int) -> str:
    if len(text) <= keep_start + keep_end:
        # too short to keep both ends without revealing most of it: keep only the last character
        return "*" * (len(text) - 1) + text[-1:] if text else ""
    return text[:keep_start] + "*" * (len(text) - keep_start - keep_end) + text[-keep_end:]


def mask_id_number(value: object) -> str:
    """450103199001011234 → 450***********1234 (first 3 and last 4 characters kept)."""
    return _mask_middle(_normalize(value), 3, 4)


def mask_phone(value: object) -> str:
    """13812345678 → 138****5678."""
    text = _normalize(value)
    if text.startswith("+86"):
        text = text[3:]
    return _mask_middle(text, 3, 4)


def mask_name(value: object) -> str:
    """张三 → 张*, 欧阳娜娜 → 欧阳**, 买买提·艾力 → 买*****: the surname stays, the rest is starred."""
    name = str(value or "").strip()
    if not name:
        return ""
    keep = 2 if len(name) > 2 and name[:2] in COMPOUND_SURNAMES else 1
    if len(name) == 1:
        return "*"
    return name[:keep] + "*" * (len(name) - keep)


def validate_mobile(value: object) -> str:
    """Return a mainland mobile as 11 digits (1[3-9]xxxxxxxxx) or raise ``ValidationError``.

    Accepts full-width digits, spaces and dashes, and a +86 / 0086 / 86 prefix.
    """
    text = _normalize(value)
    if not text:
        raise ValidationError("请填写手机号码。", code="mobile_required")
    for prefix in ("+86", "0086", "86"):
        if text.startswith(prefix) and len(text) == len(prefix) + 11:
            text = text[len(prefix) :]
            break
    if not _MOBILE_RE.match(text):
        raise ValidationError(
            "请填写正确的11位中国大陆手机号码（以1开头）。", code="mobile_invalid"
        )
    return text
