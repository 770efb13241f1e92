"""Hit attributes, masking, levels and building of the engine."""

import pytest

from sensitive_words.engine import BLOCK, REVIEW, Engine, Entry, Rule, mask, max_level


def test_hit_carries_category_level_suggestion_and_dictionary():
    engine = Engine(
        [Entry("旧称", category="表述规范", level="review", suggestion="新称", dictionary="规范")]
    )
    (hit,) = engine.check("使用旧称")
    assert hit.as_dict() == {
        "start": 2,
        "end": 4,
        "word": "旧称",
        "matched_text": "旧称",
        "category": "表述规范",
        "level": "review",
        "suggestion": "新称",
        "dictionary": "规范",
        "kind": "word",
        "via": "",
    }


def test_overlapping_words_are_both_reported(make_engine):
    engine = make_engine(Entry("法规"), Entry("法规汇编"))
    assert sorted(h.word for h in engine.check("法规汇编")) == ["法规", "法规汇编"]


def test_same_word_in_two_dictionaries_is_reported_once_at_the_highest_level(make_engine):
    engine = make_engine(
        Entry("词", level="review", dictionary="a"), Entry("词", level="block", dictionary="b")
    )
    (hit,) = engine.check("词")
    assert hit.level == BLOCK


def test_mask_replaces_block_and_replace_hits_but_not_review(engine):
    text = "傻冒看黄片，赌博"
    assert mask(text, engine.check(text)) == "**看**，赌博"


def test_max_level_is_the_most_severe():
    engine = Engine([Entry("甲", level="replace"), Entry("乙", level="review")], pii=False)
    assert max_level(engine.check("甲乙")) == REVIEW
    assert max_level([]) is None


def test_blank_words_are_ignored():
    engine = Engine([Entry(""), Entry("   "), Entry("。。")], pii=False)
    assert engine.check("任何文字。。") == []


def test_ahocorasick_rs_backend_gives_the_same_hits(engine):
    other = Engine(engine.entries, engine.allow, engine.rules, backend="ahocorasick-rs")
    text = "路口交通，代。开发票，三黄片，黄片，zg人"
    assert other.check(text) == engine.check(text)


# --- word boundaries are decided on the original text -----------------------------------------


def words(hits):
    return [h.word for h in hits]


@pytest.mark.parametrize(
    "text",
    [
        "Please report spam to the petition office.",
        "Spam, spam and more spam",
        "No spam!",
        "I got spam2024 yesterday",  # letters next to digits are a word boundary
        "垃圾信息（spam）",
    ],
)
def test_latin_word_in_an_english_sentence_is_found(engine, text):
    assert "spam" in words(engine.check(text))


def test_every_occurrence_in_an_english_sentence_is_reported(engine):
    assert words(engine.check("Spam, spam and more spam")) == ["spam"] * 3


@pytest.mark.parametrize("text", ["spamming", "antispam", "The spammer was caught", "s p a mming"])
def test_latin_word_inside_a_longer_latin_word_is_not_found(engine, text):
    assert words(engine.check(text)) == []


def test_short_latin_word_is_not_found_inside_longer_words_or_across_them(make_engine):
    engine = make_engine(Entry("ass", category="辱骂", level="replace"))
    assert engine.check("Our first class service, such as this glass.") == []
    assert engine.check("I was so happy") == []
    assert words(engine.check("What an ass!")) == ["ass"]


def test_doubled_letters_of_a_word_are_required_in_the_text(make_engine):
    engine = make_engine(Entry("ass"), Entry("谢谢"))
    assert engine.check("such as it is") == []
    assert engine.check("感谢您") == []
    assert words(engine.check("kick asss")) == ["ass"]
    assert words(engine.check("谢谢谢您")) == ["谢谢"]


@pytest.mark.parametrize(
    "text", ["2024六合彩开奖", "2024陆合彩", "买2024年六合彩", "六合彩2024", "第6期六合彩"]
)
def test_word_next_to_a_number_is_found(engine, text):
    assert "六合彩" in words(engine.check(text))


@pytest.mark.parametrize("text", ["2024liuhecai", "liuhecai2024", "lhc2024期", "2024lhc"])
def test_pinyin_spelling_next_to_a_number_is_found(make_engine, text):
    engine = make_engine(Entry("六合彩", level="block", pinyin=True))
    assert words(engine.check(text)) == ["六合彩"]


def test_number_inside_a_longer_number_is_not_found(make_engine):
    engine = make_engine(Entry("110", category="其他"))
    assert engine.check("编号1100的文件") == []
    assert engine.check("共21105人") == []
    assert words(engine.check("请拨打110报警")) == ["110"]
    assert words(engine.check("call110now")) == ["110"]


def test_pinyin_initials_inside_a_latin_word_are_not_found(make_engine):
    engine = make_engine(Entry("六合彩", pinyin=True))
    assert engine.check("Download the lhcb dataset") == []


# --- expression rules see the same normalization as the text ----------------------------------


@pytest.mark.parametrize(
    ("pattern", "text", "matched"),
    [
        (r"一代一路", "共建“一代一路”倡议", "一代一路"),
        (r"一[代戴]一路", "推进一戴一路建设", "一戴一路"),
        (r"两学一作", "开展两学一作学习教育", "两学一作"),
        (r"党的(?:18|19|20)大", "学习党的20大精神", "党的20大"),
        (r"塌塌实实", "塌塌实实地工作", "塌塌实实"),
        (r"塌塌实实", "塌塌塌实实实地工作", "塌塌塌实实实"),
        (r"Wi-?Fi", "公共场所免费WiFi覆盖", "WiFi"),
        (r"Wi-?Fi", "公共场所免费Wi-Fi覆盖", "Wi-Fi"),
        (r"Wi-?Fi", "公共场所免费ＷＩＦＩ覆盖", "ＷＩＦＩ"),
        (r"ABC公司", "abc公司", "abc公司"),
        (r"《信访条例》", "依据信访条例", "信访条例"),
        (r"國家信訪辦", "向国家信访办反映", "国家信访办"),
    ],
)
def test_rule_with_numerals_doubled_letters_or_capitals_matches(
    make_engine, pattern, text, matched
):
    engine = make_engine(rules=[Rule(pattern, name="规则", suggestion="正确写法")])
    (hit,) = engine.check(text)
    assert hit.matched_text == matched


@pytest.mark.parametrize(
    ("pattern", "text"),
    [
        (r"一代一路", "共建“一带一路”倡议"),
        (r"党的(?:18|19|20)大", "学习党的二十大精神"),
        (r"党的(?:18|19|20)大", "党的二大和党的八大"),
        (r"塌塌实实", "塌实"),
        (r"家家户户都有", "家户都有"),
        (r"Wi-?Fi", "WiFiMax"),
        (r"\d{3}号文", "见第1234号文"),
    ],
)
def test_rule_does_not_match_the_correct_or_a_shorter_form(make_engine, pattern, text):
    engine = make_engine(rules=[Rule(pattern, name="规则")])
    assert engine.check(text) == []


def test_rule_with_repeated_digits_matches(make_engine):
    engine = make_engine(rules=[Rule(r"\d{3}号文", name="文号")])
    assert [h.matched_text for h in engine.check("见第111号文")] == ["111号文"]


def test_rule_suggestion_groups_survive_normalization(make_engine):
    engine = make_engine(
        rules=[Rule(r"社会主意(?P<tail>核心价值观|制度)", name="x", suggestion=r"社会主义\g<tail>")]
    )
    (hit,) = engine.check("践行社会主意核心价值观")
    assert hit.suggestion == "社会主义核心价值观"


def test_rule_with_alternatives_runs_when_any_alternative_is_present(make_engine):
    engine = make_engine(rules=[Rule(r"银监会|保监会", name="旧称")])
    assert [h.matched_text for h in engine.check("原保监会")] == ["保监会"]
    assert [h.matched_text for h in engine.check("原银监会")] == ["银监会"]


def test_rule_lookbehind_sees_the_normalized_text(make_engine):
    engine = make_engine(rules=[Rule(r"(?<!银)保监会", name="旧称")])
    assert engine.check("原银保监会") == []
    assert [h.matched_text for h in engine.check("原保监会")] == ["保监会"]


# --- hits that exist only through a normalization that joins unrelated text ------------------


@pytest.mark.parametrize(
    "text",
    [
        "他的脸色很白。粉笔灰落了一地",
        "墙刷得很白！粉色的窗帘",
        "颜色是白？粉色？",
        "第一段结尾是白\n粉笔字写在第二段",
        "第一段结尾是白\r\n\r\n粉笔字写在第二段",
        "It is white. 白\n粉",
    ],
)
def test_word_joined_across_a_sentence_end_is_review_only(make_engine, text):
    engine = make_engine(Entry("白粉", category="暴恐", level="block"))
    (hit,) = engine.check(text)
    assert (hit.level, hit.via) == (REVIEW, "跨句连接")
    assert max_level(engine.check(text)) != BLOCK


def test_word_inside_one_sentence_keeps_its_level(make_engine):
    engine = make_engine(Entry("白粉", category="暴恐", level="block"))
    for text in ("有人贩卖白粉。", "有人贩卖白，粉", "有人贩卖白*粉", "白 粉"):
        (hit,) = engine.check(text)
        assert (hit.level, hit.via) == (BLOCK, ""), text


def test_cross_sentence_hit_is_not_masked(make_engine):
    engine = make_engine(Entry("白粉", level="block"))
    text = "脸色很白。粉笔灰"
    assert mask(text, engine.check(text)) == text


def test_rule_joined_across_a_sentence_end_is_review_only(make_engine):
    engine = make_engine(rules=[Rule(r"国家信访办", name="旧称", level="block")])
    (hit,) = engine.check("他来自国家信访。办公室通知")
    assert (hit.level, hit.via) == (REVIEW, "跨句连接")


def test_pinyin_initials_are_review_only_and_say_so(make_engine):
    engine = make_engine(Entry("六合彩", category="涉赌", level="block", pinyin=True))
    (hit,) = engine.check("买lhc的人")
    assert (hit.level, hit.via) == (REVIEW, "拼音首字母")
    (mixed,) = engine.check("买l合c的人")
    assert (mixed.level, mixed.via) == (REVIEW, "拼音首字母")


def test_whole_pinyin_keeps_its_level_and_says_so(make_engine):
    engine = make_engine(Entry("六合彩", category="涉赌", level="block", pinyin=True))
    (hit,) = engine.check("买liuhecai的人")
    assert (hit.level, hit.via) == (BLOCK, "拼音全拼")
    (plain,) = engine.check("买六合彩的人")
    assert (plain.level, plain.via) == (BLOCK, "")


def test_via_is_part_of_the_hit_dictionary(make_engine):
    engine = make_engine(Entry("白粉", level="block"))
    (hit,) = engine.check("很白。粉")
    assert hit.as_dict()["via"] == "跨句连接"


def test_a_repeated_first_character_in_the_sentence_before_does_not_demote(make_engine):
    engine = make_engine(Entry("白粉", level="block"), Entry("谢谢", level="block"))
    (hit,) = engine.check("他卖白。白粉")
    assert (hit.level, hit.via) == (BLOCK, "")
    (hit,) = engine.check("真的谢。谢谢你")
    assert (hit.level, hit.via) == (BLOCK, "")


@pytest.mark.parametrize(
    ("text", "matched"),
    [
        ("I got spam mail today", "spam"),  # one run of m across the space
        ("Gross spam again", "spam"),  # one run of s across the space
        ("Contact daikaifapiao on WeChat", "daikaifapiao"),
        ("Spammm everywhere", "Spammm"),  # a doubled last letter is still the word
    ],
)
def test_latin_word_next_to_a_word_sharing_its_edge_letter_is_found(make_engine, text, matched):
    engine = make_engine(Entry("spam"), Entry("代开发票", pinyin=True))
    (hit,) = engine.check(text)
    assert hit.matched_text == matched


def test_a_pinyin_spelling_that_is_also_whole_pinyin_is_not_demoted(make_engine):
    engine = make_engine(Entry("饿", level="block", pinyin=True))  # "e" is initial and syllable
    (hit,) = engine.check("我 e 了")
    assert (hit.level, hit.via) == (BLOCK, "拼音全拼")
