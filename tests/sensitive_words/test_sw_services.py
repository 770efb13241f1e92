"""Services over the database: engine from dictionaries, version bumps, screening, seed."""

import pytest

from sensitive_words import services
from sensitive_words.models import AllowPhrase, Dictionary, DictionaryVersion, ExpressionRule

pytestmark = pytest.mark.django_db


def words(hits):
    return [h.word for h in hits]


def test_word_added_in_the_admin_is_found_by_the_next_check(add_word):
    assert services.check_text("这里代开发票") == []
    add_word("代开发票", level="block", category="广告")
    assert words(services.check_text("这里代开发票")) == ["代开发票"]


def test_saving_a_word_bumps_the_shared_version(add_word):
    before = services.read_version_from_db()
    add_word("新词")
    assert services.read_version_from_db() == before + 1


def test_deleting_a_word_removes_it_from_the_next_check(add_word):
    word = add_word("旧词")
    assert words(services.check_text("旧词")) == ["旧词"]
    word.delete()
    assert services.check_text("旧词") == []


def test_disabled_dictionary_is_not_used(add_word, dictionary):
    add_word("某词")
    dictionary.enabled = False
    dictionary.save()
    assert services.check_text("某词") == []


def test_dictionary_normalization_switches_reach_the_engine(add_word, dictionary):
    add_word("六合彩")
    dictionary.read_numerals = False
    dictionary.save()
    assert services.check_text("6合彩") == []
    assert words(services.check_text("六合彩")) == ["六合彩"]


def test_portal_dictionary_only_applies_to_its_portal(add_word, dictionary):
    dictionary.site_code = "nanning"
    dictionary.save()
    add_word("本地词")
    assert words(services.check_text("本地词", site="nanning")) == ["本地词"]
    assert services.check_text("本地词", site="liuzhou") == []


def test_allow_phrase_in_the_database_suppresses_hits(add_word, dictionary):
    add_word("大麻")
    AllowPhrase.objects.create(phrase="大麻烦", dictionary=dictionary)
    assert services.check_text("真是大麻烦") == []


def test_expression_rule_in_the_database_is_applied(dictionary):
    ExpressionRule.objects.create(
        name="国家信访局名称",
        pattern="国家信访(?:办公室|办)",
        dictionary=dictionary,
        suggestion="国家信访局",
    )
    (hit,) = services.check_text("国家信访办")
    assert hit.suggestion == "国家信访局"


def test_screening_flags_citizen_text_for_moderation_without_rejecting(add_word):
    add_word("傻冒", level="review", category="辱骂")
    result = services.screen_text("你们都是傻冒，电话13800138000")
    assert result.needs_moderation
    assert result.level == "review"
    assert result.masked_text == "你们都是傻冒，电话***********"


def test_seed_loads_demo_words_and_expression_rules_once():
    first = services.seed_defaults()
    again = services.seed_defaults()
    assert first["words"] > 0 and first["rules"] > 0
    assert again == {"words": 0, "allow": 0, "rules": 0}
    assert Dictionary.objects.filter(name="表述规范").exists()
    assert words(services.check_text("依据信访条例")) == ["信访条例"]


def test_seed_bumps_the_version_once():
    services.seed_defaults()
    assert DictionaryVersion.objects.get(pk=1).version == 2
