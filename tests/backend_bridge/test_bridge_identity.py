"""Real-name check of petitions through the configured ID-verification service."""

import pytest

from backend_bridge.models import IdentityCheck, Submission
from backend_bridge.services.errors import InvalidInput
from tests.simulators import fixtures as simulator_fixtures

idverify_simulator = simulator_fixtures.idverify_simulator
pytestmark = pytest.mark.django_db


@pytest.fixture
def real_name_service(settings, idverify_simulator):
    options = idverify_simulator.client_options()
    settings.ID_VERIFY_PROVIDER = "backend_bridge.providers.HttpIdVerifier"
    settings.ID_VERIFY_ENDPOINT = options["endpoint"]
    settings.ID_VERIFY_APP_KEY = options["app_key"]
    settings.ID_VERIFY_APP_SECRET = options["app_secret"]
    settings.ID_VERIFY_SIGN_METHOD = options["sign_method"]
    settings.ID_VERIFY_TIMEOUT = 0.5
    settings.ID_VERIFY_RETRIES = 0
    return idverify_simulator


def test_a_matching_name_and_id_number_is_verified(submit, real_name_service, id_number):
    real_name_service.people[id_number] = "张三丰"
    accepted = submit()
    submission = Submission.objects.get(pk=accepted.submission.pk)
    assert submission.identity_check == IdentityCheck.VERIFIED
    assert len(real_name_service.requests) == 1


def test_a_mismatch_is_a_field_error_and_keeps_the_sms_code(
    submit, real_name_service, id_number, sms_ok
):
    real_name_service.people[id_number] = "李四"
    with pytest.raises(InvalidInput) as info:
        submit()
    assert "姓名与身份证号码不一致" in info.value.field_errors["id_number"][0]
    assert sms_ok == []  # the code was not spent
    assert not Submission.objects.exists()


def test_an_unreachable_service_does_not_cost_the_citizen_the_submission(
    submit, real_name_service, id_number
):
    real_name_service.default = "http_500"
    accepted = submit()
    submission = Submission.objects.get(pk=accepted.submission.pk)
    assert submission.identity_check == IdentityCheck.UNAVAILABLE


# --- the real-name check is no oracle: the phone is proven first, and checks are limited ---------

sms_outbox = simulator_fixtures.sms_outbox


def _real_code(client, phone: str) -> str:
    """Ask for an SMS code through the API as a citizen would; the code as the phone got it."""
    from django.core.cache import cache

    from backend_bridge import captcha
    from backend_bridge.providers import ConsoleSmsProvider

    key = client.post("/api/v1/sms/captchas").json()["captcha_key"]
    answer = cache.get(f"{captcha.KEY_PREFIX}:{key}")["answer"]
    sent = client.post(
        "/api/v1/sms/codes",
        {"phone": phone, "purpose": "submit", "captcha_key": key, "captcha_answer": answer},
        content_type="application/json",
    )
    assert sent.status_code == 202, sent.content
    return ConsoleSmsProvider.sent[-1]["params"]["code"]


def _petition(client, portals, id_number, **overrides):
    from tests.backend_bridge.test_bridge_api import _fields

    return client.post(
        "/api/v1/petitions",
        _fields(id_number, **overrides),
        headers={"Host": portals["nanning"].site.hostname},
    )


def test_a_stranger_without_the_phone_learns_nothing_about_a_name_and_id_number(
    client, portals, real_name_service, id_number, sms_outbox
):
    real_name_service.people[id_number] = "王五"  # the pair a stranger wants to test
    _real_code(client, "13900139000")  # someone else's phone: the stranger never sees the code
    for name in ("王五", "李四"):
        response = _petition(client, portals, id_number, name=name, sms_code="000000")
        assert response.status_code == 400
        body = response.json()
        assert "sms_code" in body["details"]["fields"]
        assert "id_number" not in body["details"]["fields"]  # same answer for both names
    assert real_name_service.requests == []  # the paid service was never asked
    assert not Submission.objects.exists()


def test_a_mismatch_after_the_phone_is_proven_keeps_the_code_for_the_corrected_petition(
    client, portals, real_name_service, id_number, sms_outbox
):
    real_name_service.people[id_number] = "李四"
    code = _real_code(client, "13900139000")
    wrong = _petition(client, portals, id_number, name="李四四", sms_code=code)
    assert wrong.status_code == 400
    assert "姓名与身份证号码不一致" in wrong.json()["details"]["fields"]["id_number"][0]
    right = _petition(client, portals, id_number, name="李四", sms_code=code)
    assert right.status_code == 201, right.content
    assert Submission.objects.get().identity_check == IdentityCheck.VERIFIED


def test_real_name_checks_of_one_id_number_are_limited_per_day(
    client, portals, real_name_service, id_number, sms_outbox, settings
):
    settings.IDCHECK_LIMIT_ID_DAY = 2
    settings.SMS_LIMIT_PHONE_INTERVAL = 0
    real_name_service.people[id_number] = "李四"
    for n in range(2):
        phone = f"1390013900{n}"
        code = _real_code(client, phone)
        response = _petition(client, portals, id_number, name="错误", phone=phone, sms_code=code)
        assert response.status_code == 400
    code = _real_code(client, "13900139009")
    refused = _petition(client, portals, id_number, name="李四", phone="13900139009", sms_code=code)
    assert refused.status_code == 429
    assert "实名核验次数已达上限" in refused.json()["message"]
    assert len(real_name_service.requests) == 2
    assert not Submission.objects.exists()


def test_a_citizen_writing_again_the_same_day_is_not_checked_or_counted_again(
    submit, real_name_service, id_number, settings
):
    settings.IDCHECK_LIMIT_ID_DAY = 1
    real_name_service.people[id_number] = "张三丰"
    for _ in range(3):
        submit()
    assert len(real_name_service.requests) == 1
    assert Submission.objects.filter(identity_check=IdentityCheck.VERIFIED).count() == 3
