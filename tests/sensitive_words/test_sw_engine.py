"""Hit attributes, masking, levels and building of the engine."""

from sensitive_words.engine import BLOCK, REVIEW, Engine, Entry, mask, max_level


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
