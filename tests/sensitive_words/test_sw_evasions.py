"""Each evasion the engine normalizes away: a disguised word is found, an innocent text is not."""

import pytest

from sensitive_words.engine import Entry, Profile


def words(hits):
    return [h.word for h in hits]


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("SPAM", "spam"),
        ("Spam", "spam"),
        ("ｓｐａｍ", "spam"),
        ("ⓢⓟⓐⓜ", "spam"),
        ("𝐬𝐩𝐚𝐦", "spam"),
        ("⾦条", "金条"),
        ("代。开 发票", "代开发票"),
        ("代\u200b开\u200d发\ufeff票", "代开发票"),
        ("代😀开🇨🇳发票", "代开发票"),
        ("代\n开\r\n发\t票", "代开发票"),
        ("傻@冒", "傻冒"),
        ("傻*冒", "傻冒"),
        ("代，开、发；票", "代开发票"),
        ("代【开】发《票》", "代开发票"),
        ("赌赌博博", "赌博"),
        ("赌赌赌博", "赌博"),
        ("代代开开发发票票", "代开发票"),
        ("賭博", "赌博"),
        ("代開發票", "代开发票"),
        ("陸合彩", "六合彩"),
        ("6合彩", "六合彩"),
        ("⑥合彩", "六合彩"),
        ("陆合彩", "六合彩"),
        ("zhongguoren", "中国人"),
        ("zhong guo ren", "中国人"),
        ("ZhongGuoRen", "中国人"),
        ("zgr", "中国人"),
        ("zg人", "中国人"),
        ("中guo人", "中国人"),
        ("zhōng guó rén", "中国人"),
    ],
)
def test_disguised_word_is_found(engine, text, word):
    assert word in words(engine.check(f"他说{text}了"))


@pytest.mark.parametrize(
    "text",
    [
        "spamming",  # a Latin word inside a longer word
        "代理开发票",  # another character between the characters is not noise
        "傻子冒险",
        "赌场博物馆",
        "六个合同彩票",
        "中国的人",
        "zhongguo",  # part of a pinyin spelling only
        "正常的政府工作报告。",
    ],
)
def test_innocent_text_is_not_flagged(engine, text):
    assert words(engine.check(text)) == []


def test_pinyin_is_off_unless_the_word_asks_for_it(make_engine):
    engine = make_engine(Entry("代开发票"))
    assert engine.check("daikaifapiao") == []


def test_chinese_numerals_can_be_switched_off_per_dictionary(make_engine):
    engine = make_engine(Entry("六合彩", profile=Profile(numerals=False)))
    assert engine.check("6合彩") == []
    assert [h.word for h in engine.check("六合彩")] == ["六合彩"]


def test_noise_removal_can_be_switched_off_per_dictionary(make_engine):
    engine = make_engine(Entry("代开发票", profile=Profile(noise=False)))
    assert engine.check("代。开发票") == []
    assert [h.word for h in engine.check("代开发票")] == ["代开发票"]


def test_traditional_conversion_can_be_switched_off_per_dictionary(make_engine):
    engine = make_engine(Entry("赌博", profile=Profile(traditional=False)))
    assert engine.check("賭博") == []


def test_repeat_collapsing_can_be_switched_off_per_dictionary(make_engine):
    engine = make_engine(Entry("代开发票", profile=Profile(repeats=False)))
    assert engine.check("代代开开发发票票") == []


def test_case_folding_can_be_switched_off_per_dictionary(make_engine):
    engine = make_engine(Entry("spam", profile=Profile(case=False)))
    assert engine.check("SPAM") == []


def test_width_folding_can_be_switched_off_per_dictionary(make_engine):
    engine = make_engine(Entry("spam", profile=Profile(width=False)))
    assert engine.check("ｓｐａｍ") == []


def test_dictionaries_with_different_profiles_work_side_by_side(make_engine):
    engine = make_engine(
        Entry("六合彩", dictionary="strict", profile=Profile(numerals=False)),
        Entry("赌博", dictionary="loose"),
    )
    assert [h.word for h in engine.check("6合彩，賭。博")] == ["赌博"]
