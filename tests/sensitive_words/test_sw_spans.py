"""Every hit is reported with its exact span in the original text, whatever was normalized."""

import pytest

from sensitive_words.engine import normalize


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("前文代。开 发票后文", "代。开 发票"),
        ("前文SPAM后文", "SPAM"),
        ("前文ｓｐａｍ后文", "ｓｐａｍ"),
        ("前文𝐬𝐩𝐚𝐦后文", "𝐬𝐩𝐚𝐦"),
        ("😀😀前文赌赌博博后文", "赌赌博博"),
        ("前文賭博后文", "賭博"),
        ("前文⑥合彩后文", "⑥合彩"),
        ("前文zhong guo ren后文", "zhong guo ren"),
        ("前文zg人后文", "zg人"),
        ("前文⾦条后文", "⾦条"),
        ("前文代\u200b开发票\u200b后文", "代\u200b开发票"),
    ],
)
def test_hit_span_points_at_the_original_characters(engine, text, expected):
    hits = [h for h in engine.check(text) if h.kind == "word"]
    assert len(hits) == 1
    hit = hits[0]
    assert text[hit.start : hit.end] == expected
    assert hit.matched_text == expected


def test_span_of_characters_outside_the_basic_plane_counts_python_characters(engine):
    text = "🇨🇳👍🏽" * 3 + "傻@冒"
    (hit,) = engine.check(text)
    assert (hit.start, hit.end) == (len(text) - 3, len(text))


def test_normalized_text_keeps_a_start_and_end_for_every_character():
    norm = normalize("Ａ。B ⑴赌赌")
    assert norm.text == "ab1赌"
    assert norm.starts.tolist() == [0, 2, 4, 5]
    assert norm.ends.tolist() == [1, 3, 5, 7]


def test_characters_expanding_to_several_map_back_to_themselves():
    norm = normalize("㍿")
    assert norm.text == "株式会社"
    assert norm.span(0, 4) == (0, 1)


def test_text_without_any_normalizable_character_is_unchanged():
    norm = normalize("信访工作条例")
    assert norm.text == "信访工作条例"
    assert norm.span(2, 4) == (2, 4)


def test_empty_and_all_noise_texts_normalize_to_empty():
    assert normalize("").text == ""
    assert normalize("。。 ，😀").text == ""
