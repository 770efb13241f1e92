"""Precision and recall on a labelled corpus, and what the shipped dictionary catches.

Figures: ``.venv/bin/python tests/sensitive_words/sw_corpus.py`` (recorded in docs/benchmarks.md).
"""

import re

import pytest
from sw_corpus import CORPUS, ENGLISH, HARD, build_engine, evaluate

from sensitive_words.engine import BLOCK, REVIEW, AllowEntry, Engine, Entry, Rule
from sensitive_words.seed import CCP_TITLES, SEED_ALLOW, SEED_RULES, SEED_WORDS, XI_THOUGHT

# Every expected hit outside HARD is found, so recall is at least (all - HARD) / all; HARD holds
# the evasions the engine cannot see by design (8 of 157 expected hits: recall 0.949).
MIN_RECALL = 0.94
# The false positives left are review-level hits through a sentence join or pinyin initials,
# which a reviewer clears (5 of 154 reported: precision 0.968). A new false positive of that kind
# keeps precision above 0.95; two more, or any at block level, fail.
MIN_PRECISION = 0.95


@pytest.fixture(scope="module")
def figures():
    return evaluate(build_engine())


def _report(figures) -> str:
    return (
        f"precision {figures.precision:.3f}, recall {figures.recall:.3f}; "
        f"false positives {figures.false_positives}; missed {figures.false_negatives}"
    )


def test_corpus_has_three_hundred_sentences_of_every_kind():
    texts = [t for t, _ in CORPUS]
    assert len(texts) >= 300
    assert len(ENGLISH) >= 30
    assert sum(bool(re.search(r"\d", t)) for t in texts) >= 30
    assert sum(bool(re.search("[國廣區壯發臺這們請來]", t)) for t in texts) >= 8
    assert sum(not expected for _, expected in CORPUS) >= 150  # clean text and traps


def test_recall_on_the_corpus(figures):
    assert figures.recall >= MIN_RECALL, _report(figures)


def test_precision_on_the_corpus(figures):
    assert figures.precision >= MIN_PRECISION, _report(figures)


def test_every_expected_hit_outside_the_known_blind_spots_is_found(figures):
    hard = {text for text, _ in HARD}
    assert [m for m in figures.false_negatives if m[0] not in hard] == []


def test_no_sentence_is_blocked_without_a_blocking_word(figures):
    assert figures.wrongly_blocked == []


def test_false_positives_are_review_level_only(figures):
    assert {level for _, _, level in figures.false_positives} <= {REVIEW}


# --- the shipped dictionary -------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed():
    entries = [
        Entry(w, category=c, level=lv, suggestion=s, dictionary=d, pinyin=p)
        for d, rows in SEED_WORDS.items()
        for w, c, lv, s, p in rows
    ]
    allow = [AllowEntry(p, dictionary=d) for p, d in SEED_ALLOW]
    return Engine(entries, allow, [Rule(**r) for r in SEED_RULES], pii=False)


@pytest.mark.parametrize(
    ("text", "correct"),
    [
        ("银保监会", "国家金融监督管理总局"),
        ("中国银行保险监督管理委员会", "国家金融监督管理总局"),
        ("银监会", "国家金融监督管理总局"),
        ("保监会", "国家金融监督管理总局"),
        ("广西银保监局", "国家金融监督管理总局"),
        ("国务院扶贫办", "农业农村部"),
        ("国务院扶贫开发领导小组办公室", "国家乡村振兴局"),
        ("国家食品药品监督管理总局", "国家药品监督管理局"),
        ("国家食品药品监督管理总局", "国家市场监督管理总局"),
        ("国家工商行政管理总局", "国家市场监督管理总局"),
        ("国家质检总局", "国家市场监督管理总局"),
        ("国家质量监督检验检疫总局", "海关总署"),
        ("市工商局", "市场监督管理局"),
        ("国土资源部", "自然资源部"),
        ("自治区国土资源厅", "自然资源厅"),
        ("环境保护部", "生态环境部"),
        ("市环保局", "生态环境局"),
        ("国家卫生计生委", "卫生健康委员会"),
        ("国家卫生和计划生育委员会", "卫生健康委员会"),
        ("市卫计委", "卫生健康委员会"),
        ("国家旅游局", "文化和旅游部"),
        ("文化部", "文化和旅游部"),
        ("农业部", "农业农村部"),
        ("监察部", "国家监察委员会"),
        ("国家安监总局", "应急管理部"),
        ("国家安全生产监督管理总局", "应急管理部"),
        ("民政部救灾司", "应急管理部"),
        ("民政部优抚安置局", "退役军人事务部"),
        ("国务院法制办", "司法部"),
        ("国家林业局", "国家林业和草原局"),
        ("国家粮食局", "国家粮食和物资储备局"),
        ("国家新闻出版广电总局", "国家广播电视总局"),
        ("国家煤矿安全监察局", "国家矿山安全监察局"),
        ("地税局", "税务局"),
        ("新农合", "城乡居民基本医疗保险"),
        ("卫健委全国老龄办", "民政部"),
        ("信访条例", "信访工作条例"),
        ("国家信访办", "国家信访局"),
        ("新冠肺炎", "新型冠状病毒感染"),
    ],
)
def test_outdated_institution_name_is_flagged_with_the_current_one(seed, text, correct):
    (hit,) = seed.check(f"据{text}通知")
    assert correct in hit.suggestion
    assert hit.category == "表述规范"


@pytest.mark.parametrize(
    "text",
    [
        "国家主席、中共中央总书记、中央军委主席习近平",
        "中共中央总书记、中央军委主席、国家主席习近平",
        "中央军委主席、中共中央总书记习近平",
        "中华人民共和国主席、中共中央总书记习近平",
    ],
)
def test_leader_titles_out_of_order_are_flagged_with_the_official_order(seed, text):
    (hit,) = seed.check(text)
    assert hit.suggestion == CCP_TITLES == "中共中央总书记、国家主席、中央军委主席"


@pytest.mark.parametrize(
    ("text", "correct"),
    [
        ("两学一作", "两学一做"),
        ("一代一路", "一带一路"),
        ("不忘出心", "不忘初心"),
        ("牢记史命", "牢记使命"),
        ("不忘初衷，牢记使命", "不忘初心、牢记使命"),
        ("筑牢中华民族共同体意识", "铸牢中华民族共同体意识"),
        ("铸牢中华民族共同体意思", "中华民族共同体意识"),
        ("中华名族", "中华民族"),
        ("中华人名共和国", "中华人民共和国"),
        ("坚持不渝", "坚持不懈"),
        ("社会主义核心价值关", "社会主义核心价值观"),
        ("社会主意核心价值观", "社会主义"),
        ("中国特设社会主义", "中国特色社会主义"),
        ("习近平新时期中国特色社会主义思想", XI_THOUGHT),
        ("习近平新时代特色社会主义思想", XI_THOUGHT),
        ("习近平总书记新时代中国特色社会主义思想", XI_THOUGHT),
        ("党的20大", "二十大"),
        ("20届3中全会", "二十届三中全会"),
    ],
)
def test_misspelled_official_formulation_is_flagged_with_the_correct_one(seed, text, correct):
    (hit,) = seed.check(f"认真学习{text}。")
    assert correct in hit.suggestion


@pytest.mark.parametrize(
    "text",
    [
        "国家金融监督管理总局广西监管局",
        "农业农村部（国家乡村振兴局）",
        "国家市场监督管理总局、国家药品监督管理局、国家药监局",
        "自然资源部、生态环境部、应急管理部、退役军人事务部、司法部",
        "国家卫生健康委员会、国家卫健委、文化和旅游部、国家监察委员会",
        "国家林业和草原局、国家粮食和物资储备局、国家广播电视总局",
        "国家矿山安全监察局、国家矿山安监局、国家税务总局广西壮族自治区税务局",
        "中共中央总书记、国家主席、中央军委主席习近平",
        "两学一做、一带一路、不忘初心、牢记使命",
        "铸牢中华民族共同体意识",
        "坚持不懈、矢志不渝",
        "社会主义核心价值观关乎国家前途",
        "中国特色社会主义制度",
        XI_THOUGHT,
        "党的二十大、二十届三中全会、党的八大",
        "《信访工作条例》、国家信访局、广西壮族自治区信访局",
        "新型冠状病毒感染、城乡居民基本医疗保险",
        "各级农业部门、文化部门、环保部门、纪检监察部门",
    ],
)
def test_correct_form_is_not_flagged(seed, text):
    assert seed.check(text) == []


def test_no_suggestion_of_the_shipped_dictionary_is_itself_flagged(seed):
    suggestions = [s for rows in SEED_WORDS.values() for *_, s, _ in rows]
    suggestions += [r["suggestion"] for r in SEED_RULES]
    flagged = {
        s: [h.word for h in seed.check(s)]
        for s in suggestions
        if s and seed.check(s.replace("××", ""))
    }
    assert flagged == {}


def test_only_one_word_is_reported_for_each_outdated_name(seed):
    words = [w for _, rows in SEED_WORDS.items() for w, *_ in rows]
    assert {w: [h.word for h in seed.check(w)] for w in words} == {w: [w] for w in words}


def test_every_shipped_rule_is_anchored_by_a_literal(seed):
    (index,) = seed._indexes
    assert index.unanchored_rules == []


def test_shipped_expression_hits_do_not_block_a_page(seed):
    text = "据国家工商总局、国土资源部、银保监会通知，开展两学一作"
    assert {h.level for h in seed.check(text)} == {REVIEW}
    assert BLOCK not in {h.level for h in seed.check("国家主席、中共中央总书记")}


@pytest.mark.django_db
def test_seeding_twice_loads_the_shipped_dictionary_once_and_it_is_used():
    from sensitive_words import services
    from sensitive_words.models import ExpressionRule, SensitiveWord

    services.seed_defaults()
    words, rules = SensitiveWord.objects.count(), ExpressionRule.objects.count()
    assert services.seed_defaults() == {"words": 0, "allow": 0, "rules": 0}
    assert (SensitiveWord.objects.count(), ExpressionRule.objects.count()) == (words, rules)
    assert words == sum(map(len, SEED_WORDS.values())) and rules == len(SEED_RULES)
    services.reset_engine()
    hits = services.check_text("国家主席、中共中央总书记到原银保监会调研")
    assert sorted(h.word for h in hits) == ["银保监会", "领导职务排序"]
