"""Fixtures of the sensitive_words tests: a small engine built from plain entries."""

import pytest

from sensitive_words.engine import AllowEntry, Engine, Entry, Rule


@pytest.fixture
def engine():
    """Words from the issue's examples (test data only, never shipped), with an allow-list."""
    return Engine(
        [
            Entry("口交", category="涉黄", level="block", dictionary="d"),
            Entry("大麻", category="暴恐", level="review", dictionary="d"),
            Entry("黄片", category="涉黄", level="block", dictionary="d"),
            Entry("代开发票", category="广告", level="block", dictionary="d"),
            Entry("傻冒", category="辱骂", level="replace", dictionary="d"),
            Entry("赌博", category="涉赌", level="review", dictionary="d"),
            Entry("六合彩", category="涉赌", level="block", dictionary="d"),
            Entry("中国人", category="其他", level="review", dictionary="d", pinyin=True),
            Entry("spam", category="广告", level="replace", dictionary="d"),
            Entry("金条", category="其他", level="review", dictionary="d"),
        ],
        [
            AllowEntry("路口交通"),
            AllowEntry("大麻烦"),
            AllowEntry("三黄片"),
        ],
        [
            Rule(r"国家信访(?:办公室|办|总局)", name="国家信访局名称", suggestion="国家信访局"),
        ],
    )


@pytest.fixture
def make_engine():
    def make(*entries, allow=(), rules=(), **kwargs):
        return Engine(list(entries), list(allow), list(rules), **kwargs)

    return make


@pytest.fixture(autouse=True)
def _fresh_engine():
    """Each test starts without this process's engine or a cached version from another test."""
    from sensitive_words import services

    services.reset_engine()
    yield
    services.reset_engine()


@pytest.fixture
def dictionary(db):
    from sensitive_words.models import Dictionary

    return Dictionary.objects.create(name="测试词库")


@pytest.fixture
def add_word(dictionary):
    from sensitive_words.models import SensitiveWord

    def add(word, **kwargs):
        kwargs.setdefault("dictionary", dictionary)
        return SensitiveWord.objects.create(word=word, **kwargs)

    return add
