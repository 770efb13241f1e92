"""Built-in seed data: mild illustrative words, allow-list phrases and real official-expression rules.

The demo words only show how categories and levels behave; real dictionaries are imported by the
bureau (``import_sensitive_words``). The 表述规范 entries are real: institution names replaced in
the 2018 and 2023 State Council reforms, the 2005 《信访条例》 superseded by the 《信访工作条例》
(in force since 1 May 2022), and the renaming of COVID-19 in December 2022. They are loaded by
``manage.py seed_sensitive_words`` and used by the benchmark. Pure data: no Django import.
"""

from __future__ import annotations

from .engine.normalize import Profile

DEMO_DICTIONARY = "通用示例词库"
EXPRESSION_DICTIONARY = "表述规范"

# Every dictionary can choose its normalizations; the seed keeps the defaults for both, so that
# one normalization pass serves them (each distinct profile costs one more pass per check).
EXPRESSION_PROFILE = Profile()

SEED_DICTIONARIES = [
    {
        "name": DEMO_DICTIONARY,
        "description": "演示用的温和示例词，正式词库请由管理员导入。",
        "profile": Profile(),
    },
    {
        "name": EXPRESSION_DICTIONARY,
        "description": "机构名称、法规名称等规范表述，命中后给出正确写法。",
        "profile": EXPRESSION_PROFILE,
    },
]

# (word, category, level, suggestion, pinyin)
SEED_WORDS = {
    DEMO_DICTIONARY: [
        ("代开发票", "广告", "block", "", True),
        ("办证刻章", "广告", "block", "", False),
        ("无抵押贷款", "广告", "review", "", False),
        ("六合彩", "涉赌", "block", "", True),
        ("网络赌博", "涉赌", "review", "", False),
        ("黄片", "涉黄", "block", "", False),
        ("大麻", "暴恐", "review", "", False),
        ("傻冒", "辱骂", "replace", "", False),
        ("笨蛋", "辱骂", "replace", "", False),
    ],
    EXPRESSION_DICTIONARY: [
        ("信访条例", "表述规范", "review", "《信访工作条例》（2022年5月1日起施行）", False),
        ("国家工商总局", "表述规范", "review", "国家市场监督管理总局", False),
        ("国家工商行政管理总局", "表述规范", "review", "国家市场监督管理总局", False),
        ("国家质检总局", "表述规范", "review", "国家市场监督管理总局", False),
        ("国土资源部", "表述规范", "review", "自然资源部", False),
        ("环境保护部", "表述规范", "review", "生态环境部", False),
        ("环保部", "表述规范", "review", "生态环境部", False),
        ("国家卫计委", "表述规范", "review", "国家卫生健康委员会", False),
        ("国家卫生和计划生育委员会", "表述规范", "review", "国家卫生健康委员会", False),
        ("农业部", "表述规范", "review", "农业农村部", False),
        ("文化部", "表述规范", "review", "文化和旅游部", False),
        ("国家旅游局", "表述规范", "review", "文化和旅游部", False),
        ("监察部", "表述规范", "review", "国家监察委员会", False),
        ("中华人名共和国", "表述规范", "block", "中华人民共和国", False),
    ],
}

# (phrase, dictionary or "" for every dictionary)
SEED_ALLOW = [
    ("三黄片", DEMO_DICTIONARY),
    ("大麻烦", DEMO_DICTIONARY),
    ("大麻纤维", DEMO_DICTIONARY),
    ("农业部门", EXPRESSION_DICTIONARY),
    ("文化部门", EXPRESSION_DICTIONARY),
    ("环保部门", EXPRESSION_DICTIONARY),
    ("监察部门", EXPRESSION_DICTIONARY),
    ("文化部署", EXPRESSION_DICTIONARY),
]

# Rules are regular expressions over the normalized text (simplified, lower case, half width,
# without punctuation or spaces, Chinese numerals as digits, repeats collapsed) of their dictionary.
SEED_RULES = [
    {
        "name": "国家信访局名称",
        "pattern": r"国家信访(?:办公室|办|总局|委员会)",
        "category": "表述规范",
        "level": "review",
        "suggestion": "国家信访局",
        "dictionary": EXPRESSION_DICTIONARY,
        "profile": EXPRESSION_PROFILE,
    },
    {
        "name": "自治区信访局名称",
        "pattern": r"广西(?:壮族自治区)?(?:人民政府)?信访(?:办公室|办)",
        "category": "表述规范",
        "level": "review",
        "suggestion": "广西壮族自治区信访局",
        "dictionary": EXPRESSION_DICTIONARY,
        "profile": EXPRESSION_PROFILE,
    },
    {
        "name": "新冠病名",
        "pattern": r"新型冠状病毒肺炎|新冠肺炎",
        "category": "表述规范",
        "level": "review",
        "suggestion": "新型冠状病毒感染（2022年12月26日起）",
        "dictionary": EXPRESSION_DICTIONARY,
        "profile": EXPRESSION_PROFILE,
    },
]
