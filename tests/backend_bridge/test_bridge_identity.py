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
