"""SMS and ID-verification providers: selection by settings, and the real HTTP providers
against their loopback simulators (which check signatures as the real services do)."""

import json
import time

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError

from backend_bridge.idcard import build_id_number
from backend_bridge.providers import (
    AliyunSmsProvider,
    ConsoleIdVerifier,
    ConsoleSmsProvider,
    HttpIdVerifier,
    ProviderError,
    TencentSmsProvider,
    get_id_verifier,
    get_sms_provider,
)
from backend_bridge.providers.sms import aliyun_rpc_signature
from tests.simulators import fixtures as simulator_fixtures
from tests.simulators.idverify import IdVerifySimulator
from tests.simulators.sms import AliyunSmsSimulator

PHONE = "13800138000"
ID_NUMBER = build_id_number("450103", seq=17)
ALIYUN_TEMPLATE = "SMS_100001"
TENCENT_TEMPLATE = "100001"

aliyun_sms_simulator = simulator_fixtures.aliyun_sms_simulator
tencent_sms_simulator = simulator_fixtures.tencent_sms_simulator
idverify_simulator = simulator_fixtures.idverify_simulator
sms_outbox = simulator_fixtures.sms_outbox
PARAMS = {"code": "123456", "minutes": "5"}


# --- selection by settings -----------------------------------------------------------------------


def test_console_providers_are_the_defaults():
    assert isinstance(get_sms_provider(), ConsoleSmsProvider)
    assert isinstance(get_id_verifier(), ConsoleIdVerifier)


def test_the_provider_is_chosen_by_a_dotted_path_in_settings(settings, aliyun_sms_simulator):
    options = aliyun_sms_simulator.client_options()
    settings.SMS_PROVIDER = "backend_bridge.providers.sms.AliyunSmsProvider"
    settings.SMS_ALIYUN_ACCESS_KEY_ID = options["access_key_id"]
    settings.SMS_ALIYUN_ACCESS_KEY_SECRET = options["access_key_secret"]
    settings.SMS_ALIYUN_ENDPOINT = options["endpoint"]
    settings.SMS_SIGN_NAME = options["sign_name"]
    provider = get_sms_provider()
    assert isinstance(provider, AliyunSmsProvider)
    assert provider.send(PHONE, ALIYUN_TEMPLATE, PARAMS).message_id


def test_a_real_provider_without_its_secret_is_a_configuration_error(settings):
    settings.SMS_PROVIDER = "backend_bridge.providers.TencentSmsProvider"
    settings.SMS_TENCENT_SECRET_ID = "AKID"
    settings.SMS_TENCENT_SECRET_KEY = ""
    with pytest.raises(ImproperlyConfigured, match="SMS_TENCENT_SECRET_KEY"):
        get_sms_provider()
    settings.ID_VERIFY_PROVIDER = "backend_bridge.providers.HttpIdVerifier"
    with pytest.raises(ImproperlyConfigured, match="ID_VERIFY_ENDPOINT"):
        get_id_verifier()


def test_the_console_sms_provider_renders_the_chinese_text_and_keeps_it(settings, sms_outbox):
    settings.SMS_SIGN_NAME = "广西信访"
    result = ConsoleSmsProvider().send(PHONE, "verification_code", PARAMS)
    assert result.provider == "console"
    assert sms_outbox[-1]["phone"] == PHONE
    assert sms_outbox[-1]["text"] == (
        "【广西信访】您的验证码为123456，5分钟内有效。如非本人操作，请忽略本短信。"
    )


def test_the_console_id_verifier_accepts_valid_numbers_and_refuses_invalid_ones():
    assert ConsoleIdVerifier().verify("张三", ID_NUMBER) is True
    wrong_check = ID_NUMBER[:17] + ("0" if ID_NUMBER[17] != "0" else "1")
    with pytest.raises(ValidationError):
        ConsoleIdVerifier().verify("张三", wrong_check)


# --- Alibaba Cloud -------------------------------------------------------------------------------


def aliyun(sim, **overrides) -> AliyunSmsProvider:
    return AliyunSmsProvider(**{**sim.client_options(), "timeout": 0.5, **overrides})


# The worked example of Alibaba Cloud SMS's signature documentation, and its published result.
ALIYUN_DOC_PARAMS = {
    "AccessKeyId": "testId",
    "Action": "SendSms",
    "Format": "XML",
    "OutId": "123",
    "PhoneNumbers": "15300000001",
    "RegionId": "cn-hangzhou",
    "SignName": "阿里云短信测试专用",
    "SignatureMethod": "HMAC-SHA1",
    "SignatureNonce": "45e25e9b-0a6f-4070-8c85-2956eda1b466",
    "SignatureVersion": "1.0",
    "TemplateCode": "SMS_71390007",
    "TemplateParam": '{"customer":"test"}',
    "Timestamp": "2017-07-12T02:42:19Z",
    "Version": "2017-05-25",
}
ALIYUN_DOC_SIGNATURE = "zJDF+Lrzhj/ThnlvIToysFRq6t4="


def test_aliyun_signature_matches_the_example_in_alibaba_clouds_documentation():
    assert aliyun_rpc_signature("GET", ALIYUN_DOC_PARAMS, "testSecret") == ALIYUN_DOC_SIGNATURE


def test_the_aliyun_simulator_checks_signatures_like_the_documentation():
    simulator = AliyunSmsSimulator()
    assert (
        simulator.expected_signature("GET", ALIYUN_DOC_PARAMS, "testSecret") == ALIYUN_DOC_SIGNATURE
    )


def test_aliyun_sends_and_the_simulator_verifies_the_signature(aliyun_sms_simulator):
    result = aliyun(aliyun_sms_simulator).send(PHONE, ALIYUN_TEMPLATE, PARAMS)
    assert result.provider == "aliyun"
    assert result.message_id == aliyun_sms_simulator.messages[0]["biz_id"]
    assert aliyun_sms_simulator.messages[0]["text"] == (
        "【广西信访】您的验证码为123456，5分钟内有效。如非本人操作，请忽略本短信。"
    )
    request = aliyun_sms_simulator.requests[0]
    assert request.method == "POST" and PHONE not in request.path  # personal data not in URLs


def test_aliyun_with_a_wrong_secret_is_refused_by_the_signature_check(aliyun_sms_simulator):
    with pytest.raises(ProviderError) as info:
        aliyun(aliyun_sms_simulator, access_key_secret="not-the-secret").send(
            PHONE, ALIYUN_TEMPLATE, PARAMS
        )
    assert info.value.code == "SignatureDoesNotMatch"
    assert info.value.retryable is False
    assert aliyun_sms_simulator.messages == []


def test_aliyun_business_errors_surface_with_their_code(aliyun_sms_simulator):
    aliyun_sms_simulator.script("error")
    with pytest.raises(ProviderError) as info:
        aliyun(aliyun_sms_simulator).send(PHONE, ALIYUN_TEMPLATE, PARAMS)
    assert info.value.code == "isv.BUSINESS_LIMIT_CONTROL"
    with pytest.raises(ProviderError) as info:
        aliyun(aliyun_sms_simulator).send(PHONE, "SMS_UNKNOWN", PARAMS)
    assert info.value.code == "isv.SMS_TEMPLATE_ILLEGAL"


def test_aliyun_http_5xx_is_a_retryable_provider_error(aliyun_sms_simulator):
    aliyun_sms_simulator.script("http_500")
    with pytest.raises(ProviderError) as info:
        aliyun(aliyun_sms_simulator).send(PHONE, ALIYUN_TEMPLATE, PARAMS)
    assert info.value.retryable and info.value.status == 503


def test_aliyun_timeout_is_a_provider_error_not_a_hang(aliyun_sms_simulator):
    aliyun_sms_simulator.script("timeout")
    started = time.monotonic()
    with pytest.raises(ProviderError) as info:
        aliyun(aliyun_sms_simulator, timeout=0.3).send(PHONE, ALIYUN_TEMPLATE, PARAMS)
    assert time.monotonic() - started < 0.9
    assert info.value.code == "timeout" and info.value.retryable


def test_aliyun_a_lost_answer_is_not_retried_so_no_second_message(aliyun_sms_simulator):
    aliyun_sms_simulator.script("twice")
    with pytest.raises(ProviderError):
        aliyun(aliyun_sms_simulator).send(PHONE, ALIYUN_TEMPLATE, PARAMS)
    assert len(aliyun_sms_simulator.requests) == 1
    assert len(aliyun_sms_simulator.messages) == 1


def test_aliyun_simulator_refuses_a_replayed_nonce(aliyun_sms_simulator):
    from urllib.request import Request, urlopen

    provider = aliyun(aliyun_sms_simulator)
    query = provider.build_params(PHONE, ALIYUN_TEMPLATE, PARAMS)
    body = "&".join(f"{k}={v}" for k, v in _encoded(query).items()).encode()
    answers = []
    for _ in range(2):
        try:
            with urlopen(Request(aliyun_sms_simulator.url + "/", data=body), timeout=2) as r:
                answers.append(json.loads(r.read()))
        except Exception as error:  # HTTPError carries the JSON answer
            answers.append(json.loads(error.read()))
    assert answers[0]["Code"] == "OK"
    assert answers[1]["Code"] == "SignatureNonceUsed"


def _encoded(query):
    from urllib.parse import quote

    return {quote(k, safe="~"): quote(v, safe="~") for k, v in query.items()}


def test_a_refused_connection_is_a_provider_error(aliyun_sms_simulator):
    url = aliyun_sms_simulator.url + "/"
    aliyun_sms_simulator.stop()
    with pytest.raises(ProviderError) as info:
        aliyun(aliyun_sms_simulator, endpoint=url).send(PHONE, ALIYUN_TEMPLATE, PARAMS)
    assert info.value.code == "connection" and info.value.retryable


# --- Tencent Cloud -------------------------------------------------------------------------------


def tencent(sim, **overrides) -> TencentSmsProvider:
    return TencentSmsProvider(**{**sim.client_options(), "timeout": 0.5, **overrides})


def test_tencent_sends_and_the_simulator_verifies_the_tc3_signature(tencent_sms_simulator):
    result = tencent(tencent_sms_simulator).send(PHONE, TENCENT_TEMPLATE, PARAMS)
    assert result.provider == "tencent"
    message = tencent_sms_simulator.messages[0]
    assert result.message_id == message["serial"]
    assert message["phone"] == PHONE
    assert (
        message["text"]
        == "【广西信访】您的验证码为123456，5分钟内有效。如非本人操作，请忽略本短信。"
    )
    sent = tencent_sms_simulator.requests[0].json()
    assert sent["PhoneNumberSet"] == ["+86" + PHONE]
    assert sent["TemplateParamSet"] == ["123456", "5"]


def test_tencent_with_a_wrong_key_fails_the_signature_check(tencent_sms_simulator):
    with pytest.raises(ProviderError) as info:
        tencent(tencent_sms_simulator, secret_key="wrong").send(PHONE, TENCENT_TEMPLATE, PARAMS)
    assert info.value.code == "AuthFailure.SignatureFailure"
    assert tencent_sms_simulator.messages == []


def test_tencent_refuses_an_old_timestamp(tencent_sms_simulator):
    from urllib.request import Request, urlopen

    provider = tencent(tencent_sms_simulator)
    payload, headers = provider.build_request(
        PHONE, TENCENT_TEMPLATE, PARAMS, timestamp=int(time.time()) - 600
    )
    request = Request(tencent_sms_simulator.url + "/", data=payload, headers=headers)
    with urlopen(request, timeout=2) as response:
        answer = json.loads(response.read())
    assert answer["Response"]["Error"]["Code"] == "AuthFailure.SignatureExpire"


def test_tencent_per_number_errors_surface_with_their_code(tencent_sms_simulator):
    tencent_sms_simulator.script("error")
    with pytest.raises(ProviderError) as info:
        tencent(tencent_sms_simulator).send(PHONE, TENCENT_TEMPLATE, PARAMS)
    assert info.value.code == "LimitExceeded.PhoneNumberDailyLimit"
    with pytest.raises(ProviderError) as info:
        tencent(tencent_sms_simulator).send(PHONE, TENCENT_TEMPLATE, {"code": "123456"})
    assert info.value.code == "FailedOperation.TemplateParamSetNotMatchApprovedTemplate"


def test_tencent_failure_and_timeout_are_provider_errors(tencent_sms_simulator):
    tencent_sms_simulator.script("http_500", "timeout")
    with pytest.raises(ProviderError) as info:
        tencent(tencent_sms_simulator).send(PHONE, TENCENT_TEMPLATE, PARAMS)
    assert info.value.retryable
    started = time.monotonic()
    with pytest.raises(ProviderError) as info:
        tencent(tencent_sms_simulator, timeout=0.3).send(PHONE, TENCENT_TEMPLATE, PARAMS)
    assert info.value.code == "timeout"
    assert time.monotonic() - started < 0.9


# --- ID verification -----------------------------------------------------------------------------


def verifier(sim, **overrides) -> HttpIdVerifier:
    options = {**sim.client_options(), "timeout": 0.3, "retries": 2, "backoff": 0.01}
    return HttpIdVerifier(**{**options, **overrides})


def test_id_verification_match_mismatch_and_no_record(idverify_simulator):
    idverify_simulator.people[ID_NUMBER] = "张三丰"
    assert verifier(idverify_simulator).verify("张三丰", ID_NUMBER) is True
    assert verifier(idverify_simulator).verify("张三", ID_NUMBER) is False
    other = build_id_number("450202", seq=8)
    assert verifier(idverify_simulator).verify("李四", other) is False
    assert [r.answer["result"] for r in idverify_simulator.requests] == [
        "match",
        "mismatch",
        "no_record",
    ]


def test_id_verification_with_sm3_signatures():
    with IdVerifySimulator(sign_method="HMAC-SM3") as sim:
        sim.people[ID_NUMBER] = "张三丰"
        assert verifier(sim).verify("张三丰", ID_NUMBER) is True
        with pytest.raises(ProviderError) as info:
            verifier(sim, app_secret="wrong").verify("张三丰", ID_NUMBER)
        assert info.value.code == "SIGNATURE_INVALID"


def test_a_locally_invalid_id_number_is_never_sent(idverify_simulator):
    with pytest.raises(ValidationError):
        verifier(idverify_simulator).verify("张三丰", "450103199002301234")
    assert idverify_simulator.requests == []


def test_id_verification_retries_a_timeout_with_the_same_request_id(idverify_simulator):
    idverify_simulator.people[ID_NUMBER] = "张三丰"
    idverify_simulator.script("timeout")
    assert verifier(idverify_simulator).verify("张三丰", ID_NUMBER) is True
    first, second = (r.json()["request_id"] for r in idverify_simulator.requests)
    assert first == second
    assert idverify_simulator.billed == 1 and idverify_simulator.duplicates == 1


def test_id_verification_retries_a_lost_answer_and_gets_the_first_one(idverify_simulator):
    idverify_simulator.people[ID_NUMBER] = "张三丰"
    idverify_simulator.script("twice", "http_500")
    assert verifier(idverify_simulator).verify("张三丰", ID_NUMBER) is True
    assert len(idverify_simulator.requests) == 3
    assert idverify_simulator.billed == 1


def test_id_verification_gives_up_after_its_retries(idverify_simulator):
    idverify_simulator.default = "http_500"
    with pytest.raises(ProviderError) as info:
        verifier(idverify_simulator, retries=2).verify("张三丰", ID_NUMBER)
    assert info.value.status == 503
    assert len(idverify_simulator.requests) == 3


def test_id_verification_timeouts_end_in_a_provider_error_within_the_budget(idverify_simulator):
    idverify_simulator.default = "timeout"
    started = time.monotonic()
    with pytest.raises(ProviderError) as info:
        verifier(idverify_simulator, timeout=0.2, retries=1).verify("张三丰", ID_NUMBER)
    assert info.value.code == "timeout"
    assert time.monotonic() - started < 1.0


def test_id_verification_service_errors_are_not_retried(idverify_simulator):
    idverify_simulator.script("error")
    with pytest.raises(ProviderError) as info:
        verifier(idverify_simulator).verify("张三丰", ID_NUMBER)
    assert info.value.code == "QUOTA_EXHAUSTED" and not info.value.retryable
    assert len(idverify_simulator.requests) == 1
