"""WECHAT_ACCOUNTS: what an operator writes, and what they read when it is wrong."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ImproperlyConfigured

from channels.wechat.accounts import AccountNotConfigured, get_account, get_accounts

SECRET = "0123456789abcdef0123456789abcdef"


def entry(**overrides):
    data = {
        "code": "gxxf",
        "name": "广西信访",
        "kind": "service",
        "app_id": "wx0123456789abcdef",
        "secret": SECRET,
        "token": "gxxfToken2026",
        "aes_key": "A" * 43,
    }
    data.update(overrides)
    return data


def configure(settings, *entries):
    settings.WECHAT_ACCOUNTS = json.dumps(list(entries), ensure_ascii=False)


def test_accounts_are_read_in_configuration_order(settings):
    configure(
        settings,
        entry(),
        entry(
            code="nanning",
            name="南宁信访",
            kind="subscription",
            app_id="wx00000000000000aa",
            token="",
            aes_key="",
        ),
    )
    accounts = get_accounts()
    assert [a.code for a in accounts] == ["gxxf", "nanning"]
    nanning = get_account("nanning")
    assert nanning.kind_label == "订阅号" and not nanning.is_service
    assert str(get_account("gxxf")) == "广西信访（服务号）"


def test_no_accounts_by_default(settings):
    settings.WECHAT_ACCOUNTS = "[]"
    assert get_accounts() == []


def test_secrets_never_appear_in_repr_or_str(settings):
    configure(settings, entry())
    account = get_account("gxxf")
    for text in (repr(account), str(account), repr(get_accounts())):
        assert SECRET not in text
        assert "gxxfToken2026" not in text
        assert "A" * 43 not in text
    assert account.secret == SECRET


def test_an_unknown_code_says_which_account_is_missing(settings):
    configure(settings, entry())
    with pytest.raises(AccountNotConfigured, match="nanning"):
        get_account("nanning")


@pytest.mark.parametrize(
    ("bad", "expected"),
    [
        ({"kind": "servce"}, r"WECHAT_ACCOUNTS\[1\] \(code 'bad'\): 'kind' must be"),
        ({"app_id": "gh_123"}, r"\[1\] \(code 'bad'\): 'app_id' must look like wx"),
        ({"secret": "short"}, r"\[1\] \(code 'bad'\): 'secret' must be the 32-character"),
        ({"appid": "wx0123456789abcdef"}, r"\[1\] \(code 'bad'\): unknown field\(s\) appid"),
        ({"code": "Bad Code"}, r"\[1\] \(code 'Bad Code'\): 'code' must be"),
        ({"aes_key": "x" * 42}, r"\[1\] \(code 'bad'\): 'aes_key' must be the 43-character"),
        ({"name": ""}, r"\[1\] \(code 'bad'\): 'name' must not be empty"),
    ],
)
def test_a_bad_entry_is_named_with_the_problem(settings, bad, expected):
    configure(settings, entry(), entry(**{"code": "bad", "app_id": "wx00000000000000bb", **bad}))
    with pytest.raises(ImproperlyConfigured, match=expected):
        get_accounts()


def test_a_missing_field_is_named(settings):
    broken = entry(code="bad", app_id="wx00000000000000bb")
    del broken["secret"]
    configure(settings, entry(), broken)
    with pytest.raises(ImproperlyConfigured, match=r"\[1\] \(code 'bad'\): 'secret' is required"):
        get_accounts()


def test_a_wrong_secret_is_described_not_echoed(settings):
    wrong = "not-a-valid-secret-but-private!!"
    configure(settings, entry(secret=wrong))
    with pytest.raises(ImproperlyConfigured) as caught:
        get_accounts()
    assert wrong not in str(caught.value)


def test_duplicate_codes_and_app_ids_are_refused(settings):
    configure(settings, entry(), entry(app_id="wx00000000000000cc"))
    with pytest.raises(ImproperlyConfigured, match=r"\[1\].*code 'gxxf' is used by an earlier"):
        get_accounts()
    configure(settings, entry(), entry(code="other"))
    with pytest.raises(ImproperlyConfigured, match=r"app_id is already used by account 'gxxf'"):
        get_accounts()


def test_invalid_json_and_wrong_shapes_are_explained(settings):
    settings.WECHAT_ACCOUNTS = '[{"code": "gxxf",]'
    with pytest.raises(ImproperlyConfigured, match="WECHAT_ACCOUNTS is not valid JSON"):
        get_accounts()
    settings.WECHAT_ACCOUNTS = '{"code": "gxxf"}'
    with pytest.raises(ImproperlyConfigured, match="must be a JSON list"):
        get_accounts()
    settings.WECHAT_ACCOUNTS = '["gxxf"]'
    with pytest.raises(ImproperlyConfigured, match=r"WECHAT_ACCOUNTS\[0\]: each account must be"):
        get_accounts()
