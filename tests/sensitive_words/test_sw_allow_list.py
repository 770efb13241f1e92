"""The allow-list suppresses a hit lying inside a longer allowed phrase, wherever it starts."""

import pytest

from sensitive_words.engine import AllowEntry, Entry


def words(hits):
    return [h.word for h in hits]


@pytest.mark.parametrize(
    "text",
    [
        "前方路口交通管制",  # allowed phrase starts before the word
        "这是个大麻烦",  # allowed phrase starts with the word
        "药店出售三黄片",  # allowed phrase starts before and ends with the word
        "路口。交通管制",  # the allowed phrase is normalized too
        "大麻煩",  # traditional form of the allowed phrase
    ],
)
def test_word_inside_allowed_phrase_is_not_flagged(engine, text):
    assert words(engine.check(text)) == []


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("口交", "口交"),
        ("他吸大麻", "大麻"),
        ("看黄片", "黄片"),
        ("大麻和大麻烦", "大麻"),  # only the occurrence inside the phrase is allowed
    ],
)
def test_word_outside_allowed_phrase_is_still_flagged(engine, text, word):
    assert words(engine.check(text)) == [word]


def test_allowed_phrase_of_another_dictionary_does_not_suppress(make_engine):
    engine = make_engine(
        Entry("大麻", dictionary="drugs"),
        allow=[AllowEntry("大麻烦", dictionary="other")],
    )
    assert words(engine.check("大麻烦")) == ["大麻"]


def test_allowed_phrase_of_the_same_dictionary_suppresses(make_engine):
    engine = make_engine(
        Entry("大麻", dictionary="drugs"),
        allow=[AllowEntry("大麻烦", dictionary="drugs")],
    )
    assert engine.check("大麻烦") == []


def test_portal_allow_list_applies_only_on_that_portal(make_engine):
    engine = make_engine(Entry("大麻"), allow=[AllowEntry("大麻烦", site="nanning")])
    assert engine.check("大麻烦", site="nanning") == []
    assert words(engine.check("大麻烦", site="liuzhou")) == ["大麻"]
    assert words(engine.check("大麻烦")) == ["大麻"]


def test_portal_dictionary_applies_only_on_that_portal(make_engine):
    engine = make_engine(Entry("本地词", site="nanning"), Entry("全局词"))
    assert words(engine.check("本地词全局词", site="nanning")) == ["本地词", "全局词"]
    assert words(engine.check("本地词全局词", site="liuzhou")) == ["全局词"]


def test_allow_list_also_suppresses_expression_rules(make_engine):
    from sensitive_words.engine import Rule

    engine = make_engine(
        Entry("无关"),
        rules=[Rule("农业部", name="农业部", suggestion="农业农村部")],
        allow=[AllowEntry("农业部门")],
    )
    assert engine.check("各级农业部门") == []
    assert words(engine.check("原农业部")) == ["农业部"]
